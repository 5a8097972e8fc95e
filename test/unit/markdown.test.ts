import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fence, md, mdCode, table } from '../../src/report/markdown.js';
import { summaryProblems } from '../support/gfm.js';
import { FORGED_COMMANDS, HOSTILE_FRAGMENTS, hostileString } from '../support/hostile-strings.js';

/** The characters md() must never leave raw. */
const ACTIVE = /[\\`*_{}[\]<>|!~$#@\r\n\u2028\u2029]/;

describe('md', () => {
  it.each([
    ['plain words stay', 'deploy to production', 'deploy to production'],
    ['pipe', 'a|b', 'a&#124;b'],
    ['backticks', '`code`', '&#96;code&#96;'],
    ['html', '<script>alert(1)</script>', '&#60;script&#62;alert(1)&#60;/script&#62;'],
    ['link', '[x](javascript:alert(1))', '&#91;x&#93;(javascript&#58;alert(1))'],
    ['image', '![x](y)', '&#33;&#91;x&#93;(y)'],
    ['heading', '# Title', '&#35; Title'],
    ['mention', '@octocat', '&#64;\u2060octocat'],
    ['e-mail', 'a@b.example', 'a&#64;\u2060b.example'],
    ['www autolink', 'see www.evil.example', 'see www&#46;evil.example'],
    ['a list marker first', '1. item', '1&#46; item'],
    ['a bullet first', '- item', '&#45; item'],
    ['entity stays literal', '&lt;', '&#38;lt;'],
    ['emphasis', '*a* _b_ ~c~', '&#42;a&#42; &#95;b&#95; &#126;c&#126;'],
    ['math', '$x$', '&#36;x&#36;'],
    ['newlines become spaces', 'a\nb\r\nc\u2028d', 'a b c d'],
    ['backslash', 'a\\|b', 'a&#92;&#124;b'],
    ['autolink scheme colon', 'https://evil.example', 'https&#58;//evil.example'],
  ])('%s: %j → %j', (_label, input, output) => {
    expect(md(input)).toBe(output);
  });

  it('clips to max characters with an ellipsis', () => {
    expect(md('abcdef', 3)).toBe('abc…');
    expect(md('abc', 3)).toBe('abc');
    expect(md('x'.repeat(5000))).toHaveLength(2001);
  });

  it('property: one line, no active character left raw, every & starts a numeric entity', () => {
    fc.assert(
      fc.property(hostileString(60), (s) => {
        const bare = md(s).replace(/&#\d+;/g, '');
        expect(bare).not.toMatch(ACTIVE);
        expect(bare).not.toContain('&');
      }),
      { numRuns: 500 },
    );
  });

  it('property: decoding the entities gives the text back (newlines as spaces)', () => {
    fc.assert(
      fc.property(hostileString(40), (s) => {
        // Up to the word joiners md() adds to break autolinks and mentions.
        const decoded = md(s).replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
        expect(decoded.replace(/\u2060/g, '')).toBe(
          s.replace(/[\r\n\u2028\u2029\u0085]+/g, ' ').replace(/\u2060/g, ''),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('mdCode', () => {
  it('wraps in <code> with the content escaped', () => {
    expect(mdCode('repo:o/r:environment:a|b')).toBe('<code>repo&#58;o/r&#58;environment&#58;a&#124;b</code>');
  });

  it('cannot close its own tag', () => {
    expect(mdCode('</code><script>')).toBe('<code>&#60;/code&#62;&#60;script&#62;</code>');
  });
});

describe('fence', () => {
  function fenceOf(block: string): { open: string; info: string; body: string; close: string } {
    const lines = block.split('\n');
    const m = /^(`+)(.*)$/.exec(lines[0]!)!;
    return { open: m[1]!, info: m[2]!, body: lines.slice(1, -1).join('\n'), close: lines[lines.length - 1]! };
  }

  it('three backticks for ordinary text', () => {
    expect(fence('hello')).toBe('```text\nhello\n```');
  });

  it('takes the info string', () => {
    expect(fence('az login', 'sh')).toBe('```sh\naz login\n```');
  });

  it('is longer than any backtick run in the content', () => {
    const f = fenceOf(fence('a ``` b\n````\n`'));
    expect(f.open).toBe('`````');
    expect(f.close).toBe('`````');
  });

  it('clips long content and says how much was left out', () => {
    const f = fenceOf(fence('x'.repeat(30), 'text', 10));
    expect(f.body).toBe(`${'x'.repeat(10)}\n… (20 more characters)`);
  });

  it('a backtick run beyond the clip does not lengthen the fence', () => {
    expect(fenceOf(fence(`short${'`'.repeat(10)}`, 'text', 5)).open).toBe('```');
  });

  it('property: no line inside can close the fence, and the body is the content', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            hostileString(10),
            fc.integer({ min: 1, max: 12 }).map((n) => '`'.repeat(n)),
          ),
          { maxLength: 12 },
        ),
        (pieces) => {
          const content = pieces.join('');
          const block = fence(content);
          const f = fenceOf(block);
          expect(f.open).toBe(f.close);
          expect(f.open.length).toBeGreaterThanOrEqual(3);
          expect(f.body).toBe(content);
          // CommonMark: a closing fence is a line of at least as many backticks
          // (up to 3 spaces indent, trailing spaces).
          for (const line of f.body.split(/\r\n|\r|\n/)) {
            const m = /^ {0,3}(`+)[ \t]*$/.exec(line);
            if (m) expect(m[1]!.length).toBeLessThan(f.open.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('table', () => {
  it('header, separator and rows', () => {
    expect(
      table(
        ['a', 'b'],
        [
          ['1', '2'],
          ['3', '4'],
        ],
      ),
    ).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |');
  });

  it('no rows', () => {
    expect(table(['claim', 'value'], [])).toBe('| claim | value |\n| --- | --- |');
  });

  it('property: cells escaped with md() never add a column', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileString(20), hostileString(20)), { maxLength: 5 }), (rows) => {
        const out = table(
          ['k', 'v'],
          rows.map(([k, v]) => [md(k), mdCode(v)]),
        );
        for (const line of out.split('\n')) expect(line.split('|')).toHaveLength(4);
      }),
    );
  });
});

describe('md and mdCode under a GFM renderer (test/support/gfm.ts)', () => {
  it('property: no value becomes a link, autolink, image, HTML, mention, heading or table cell, anywhere', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(60), fc.constantFrom(...HOSTILE_FRAGMENTS, ...FORGED_COMMANDS)), (s) => {
        const doc = [
          md(s),
          `x ${md(s)} (${md(s)})`,
          `#### ❌ ${md(s)}`,
          table(
            ['a', 'b'],
            [
              [mdCode(s), md(s)],
              [md(s), `✅ ${mdCode(s)}`],
            ],
          ),
          fence(s),
        ].join('\n\n');
        expect(summaryProblems(doc)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
