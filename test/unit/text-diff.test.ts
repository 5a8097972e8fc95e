import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  caseDifferences,
  credentialNameFor,
  diffLines,
  editDistance,
  firstDifference,
  shellQuote,
} from '../../src/diagnose/text-diff.js';
import { HOSTILE_FRAGMENTS, hostileArgument, wellFormed } from '../support/hostile-strings.js';
import { bashCalls, bashWord, splitShellWords } from '../support/shell-words.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['repo:o/r:environment:prod', 'repo:o/r:environment:Prod', 1],
    ['https://token.actions.githubusercontent.com', 'https://token.actions.githubusercontent.com/', 1],
    ['repo:o/r:pull_request', 'repo:o/r:pull-request', 1],
    ['repo:o/r:ref:refs/heads/main', 'repo:o/r:ref:refs/heads/master', 4],
  ])('editDistance(%j, %j) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('is bounded for long inputs: the common prefix and suffix are skipped, 200 differing characters compared', () => {
    const a = 'a'.repeat(100_000);
    expect(editDistance(a, `${a}b`)).toBe(1);
    expect(editDistance(`x${a}`, `y${a}`)).toBe(1);
    // Past 200 differing characters, an upper bound: 200 compared, the longer rest added.
    expect(editDistance(a, 'b'.repeat(100_000))).toBe(100_000);
    expect(editDistance(`${'x'.repeat(300)}${a}`, `${'y'.repeat(500)}${a}`)).toBe(200 + 300);
  });

  it('is a metric on short strings', () => {
    const s = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(s, s, s, (a, b, c) => {
        const ab = editDistance(a, b);
        expect(ab).toBe(editDistance(b, a));
        expect(ab === 0).toBe(a === b);
        expect(ab).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(ab).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(editDistance(a, c)).toBeLessThanOrEqual(ab + editDistance(b, c));
      }),
    );
  });
});

describe('firstDifference / caseDifferences', () => {
  it.each([
    ['abc', 'abc', -1],
    ['', '', -1],
    ['abc', 'abd', 2],
    ['abc', 'ab', 2],
    ['ab', 'abc', 2],
    ['x', 'y', 0],
    ['', 'a', 0],
  ])('firstDifference(%j, %j) = %i', (a, b, i) => {
    expect(firstDifference(a, b)).toBe(i);
  });

  it('lists the positions of case-only differences', () => {
    expect(caseDifferences('repo:Octo/App:environment:Prod', 'repo:octo/app:environment:prod')).toEqual([5, 10, 26]);
    expect(caseDifferences('abc', 'abc')).toEqual([]);
    expect(caseDifferences('abc', 'abcd')).toEqual([]);
  });

  it('firstDifference is the prefix length where the strings part', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const i = firstDifference(a, b);
        if (i < 0) expect(a).toBe(b);
        else {
          expect(a.slice(0, i)).toBe(b.slice(0, i));
          expect(a[i] !== b[i] || a.length !== b.length).toBe(true);
        }
      }),
    );
  });
});

describe('diffLines', () => {
  it('puts a caret under the first difference', () => {
    expect(
      diffLines('token sub:', 'repo:o/r:ref:refs/heads/main', 'credential:', 'repo:o/r:ref:refs/heads/master'),
    ).toBe(
      [
        'token sub:   repo:o/r:ref:refs/heads/main',
        'credential:  repo:o/r:ref:refs/heads/master',
        `${' '.repeat(13 + 'repo:o/r:ref:refs/heads/ma'.length)}^`,
      ].join('\n'),
    );
  });

  it('marks every case-only difference', () => {
    const out = diffLines('a:', 'repo:Octo/App:environment:Prod', 'b:', 'repo:octo/app:environment:prod').split('\n');
    expect(out).toHaveLength(3);
    const marks = out[2]!.slice('a:  '.length);
    expect([...marks].flatMap((c, i) => (c === '^' ? [i] : []))).toEqual([5, 10, 26]);
  });

  it('marks a trailing slash at the end of the shorter value', () => {
    const out = diffLines(
      'token iss:',
      'https://token.actions.githubusercontent.com',
      'credential:',
      'https://token.actions.githubusercontent.com/',
    ).split('\n');
    expect(out[2]!.indexOf('^')).toBe('credential:  '.length + 'https://token.actions.githubusercontent.com'.length);
  });

  it('prints two lines and no caret for equal values', () => {
    expect(diffLines('a', 'same', 'b', 'same').split('\n')).toHaveLength(2);
  });

  it('shows long values as a window around the first difference, caret aligned', () => {
    const prefix = `repo:o/r:environment:${'x'.repeat(150_000)}`;
    const out = diffLines('token sub:', `${prefix}A${'z'.repeat(500)}`, 'credential:', `${prefix}B`).split('\n');
    expect(out).toHaveLength(3);
    for (const line of out) expect(line.length).toBeLessThan(200);
    expect(out[0]).toMatch(/^token sub: {3}…x+Az+…$/);
    expect(out[1]).toMatch(/^credential: {2}…x+B$/);
    expect(out[2]!.indexOf('^')).toBe(out[0]!.indexOf('A'));
  });

  it('marks case-only differences of long values inside the window', () => {
    const tail = 'y'.repeat(1000);
    const out = diffLines('a:', `${'q'.repeat(1000)}Prod${tail}`, 'b:', `${'q'.repeat(1000)}prod${tail}`).split('\n');
    expect(out[2]!.indexOf('^')).toBe(out[0]!.indexOf('P'));
    expect(out[2]!.trim()).toBe('^');
  });

  it('aligns values after labels of different widths', () => {
    const [l1, l2] = diffLines('x', 'v1', 'longer label', 'v2').split('\n');
    expect(l1!.indexOf('v1')).toBe(l2!.indexOf('v2'));
  });
});

describe('shellQuote', () => {
  it.each([
    ['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'],
    ['https://token.actions.githubusercontent.com', 'https://token.actions.githubusercontent.com'],
    ['api://AzureADTokenExchange', 'api://AzureADTokenExchange'],
    ['repo:o/r:ref:refs/heads/main', 'repo:o/r:ref:refs/heads/main'],
    ['', "''"],
    ['two words', "'two words'"],
    ["it's", "'it'\\''s'"],
    ['$(id)', "'$(id)'"],
    ['`id`', "'`id`'"],
    ['a\nb', "'a\nb'"],
    ['~', "'~'"],
    ['*', "'*'"],
    ['{a,b}', "'{a,b}'"],
    ['#x', "'#x'"],
  ])('shellQuote(%j) = %s', (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });

  it.each(HOSTILE_FRAGMENTS.filter((f) => wellFormed(f) === f && !f.includes('\u0000')).map((f) => [f]))(
    'bash reads %j back unchanged',
    (value) => {
      expect(bashWord(shellQuote(value))).toBe(value);
    },
  );

  it('survives names built to break out of quotes (bash round trip)', () => {
    const values = [
      "prod'; echo INJECTED; '",
      "x'\"'\"'$(echo INJECTED)",
      'a`echo INJECTED`b',
      "multi\nline\n'quoted'\n$(echo INJECTED)",
      "'''",
      "\\'",
      'trailing backslash\\',
      "ends with quote'",
      '${IFS}$((1+1))',
      '!! history',
    ];
    const calls = bashCalls(values.map((v) => `az ${shellQuote(v)}`).join('\n'));
    expect(calls).toEqual(values.map((v) => [v]));
  });

  it('property: any value (no NUL) is one bash word equal to itself', () => {
    fc.assert(
      fc.property(fc.array(hostileArgument(30), { minLength: 1, maxLength: 8 }), (values) => {
        expect(bashCalls(`az ${values.map(shellQuote).join(' ')}`)).toEqual([values]);
      }),
      { numRuns: 40 },
    );
  });

  it('property: the pure word splitter reads the same words back', () => {
    fc.assert(
      fc.property(fc.array(hostileArgument(30), { minLength: 1, maxLength: 8 }), (values) => {
        expect(splitShellWords(values.map(shellQuote).join(' '))).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });
});

describe('credentialNameFor', () => {
  it.each([
    ['github-env-production', 'github-env-production'],
    ['github-branch-feature/login page', 'github-branch-feature-login-page'],
    ['github-env-Prod East (US)', 'github-env-Prod-East-US'],
    ['', 'github'],
    ['a', 'github-a'],
    ['--x--', 'github-x'],
    ['__init', 'init'],
    ['日本語', 'github'],
    ['x'.repeat(500), 'x'.repeat(120)],
  ])('credentialNameFor(%j) = %j', (hint, name) => {
    expect(credentialNameFor(hint)).toBe(name);
  });

  it('property: always a name Entra accepts (3-120 characters, alphanumeric first, then alphanumeric, - or _)', () => {
    fc.assert(
      fc.property(fc.oneof(hostileArgument(60), fc.string({ maxLength: 300 })), (hint) => {
        expect(credentialNameFor(hint)).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/);
      }),
      { numRuns: 500 },
    );
  });
});
