import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addMask,
  annotation,
  appendFileCommand,
  escapeData,
  escapeProperty,
  formatCommand,
  formatFileCommandValue,
  safeLogLine,
} from '../../src/report/workflow-commands.js';
import { hostileString } from '../support/hostile-strings.js';

const mocks = vi.hoisted(() => ({ uuids: [] as string[] }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, randomUUID: () => (mocks.uuids.shift() as ReturnType<typeof real.randomUUID> | undefined) ?? real.randomUUID() };
});

afterEach(() => {
  mocks.uuids.length = 0;
});

// @actions/core's rules (packages/core/src/command.ts), for comparison.
const coreEscapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const coreEscapeProperty = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');

// The runner's reading (actions/runner ActionCommand.TryParseV2 and its unescaping).
const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
function runnerParse(line: string): { command: string; properties: Record<string, string>; data: string } | undefined {
  if (!line.startsWith('::')) return undefined;
  const end = line.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = line.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of info.slice(space + 1).split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { command, properties, data: unescapeData(line.slice(end + 2)) };
}

describe('escapeData / escapeProperty', () => {
  it.each([
    ['plain', 'plain', 'plain'],
    ['100%', '100%25', '100%25'],
    ['a\nb', 'a%0Ab', 'a%0Ab'],
    ['a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'],
    ['%0A', '%250A', '%250A'],
    ['::error::x', '::error::x', '%3A%3Aerror%3A%3Ax'],
    ['a,b', 'a,b', 'a%2Cb'],
    ['file=x', 'file=x', 'file=x'],
  ])('%j → data %j, property %j', (s, data, prop) => {
    expect(escapeData(s)).toBe(data);
    expect(escapeProperty(s)).toBe(prop);
  });

  it("property: identical to @actions/core's rules", () => {
    fc.assert(
      fc.property(hostileString(40), (s) => {
        expect(escapeData(s)).toBe(coreEscapeData(s));
        expect(escapeProperty(s)).toBe(coreEscapeProperty(s));
      }),
      { numRuns: 500 },
    );
  });

  it('property: the runner unescapes them back', () => {
    fc.assert(
      fc.property(hostileString(40), (s) => {
        expect(unescapeData(escapeData(s))).toBe(s);
        expect(unescapeProperty(escapeProperty(s))).toBe(s);
        expect(escapeData(s)).not.toMatch(/[\r\n]/);
        expect(escapeProperty(s)).not.toMatch(/[\r\n:,]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('formatCommand', () => {
  it('without properties', () => {
    expect(formatCommand('group', {}, 'Azure federation check')).toBe('::group::Azure federation check');
  });

  it('drops empty and undefined properties', () => {
    expect(formatCommand('error', { title: 'T', file: undefined, line: '' }, 'm')).toBe('::error title=T::m');
  });

  it('writes numbers', () => {
    expect(formatCommand('warning', { file: '.github/workflows/deploy.yml', line: 12, col: 3 }, 'm')).toBe('::warning file=.github/workflows/deploy.yml,line=12,col=3::m');
  });
});

describe('annotation', () => {
  it('an error with a location', () => {
    expect(annotation('error', 'Subject differs', 'line 1\nline 2', { file: '.github/workflows/deploy.yml', line: 14, endLine: 15, column: 5 })).toBe(
      '::error title=Subject differs,file=.github/workflows/deploy.yml,line=14,endLine=15,col=5::line 1%0Aline 2',
    );
  });

  it('a notice without a location', () => {
    expect(annotation('notice', 'N', 'm')).toBe('::notice title=N::m');
  });

  it('cuts the title at 255 characters', () => {
    const parsed = runnerParse(annotation('warning', 'x'.repeat(300), 'm'))!;
    expect(parsed.properties.title).toBe('x'.repeat(255));
  });

  it.each([
    ['a newline and a forged command', 'Subject differs\n::error::forged', 'msg\n::error file=x::forged\r\n::add-mask::x'],
    ['escaped sequences that must stay literal', '%0A::error::forged', '%0A%0D%25'],
    ['separators in the title', 'a::b,file=evil.yml,line=1:c', 'm::n'],
  ])('%s cannot make a second command', (_label, title, message) => {
    const line = annotation('error', title, message, { file: 'src/a,b:c.yml', line: 3 });
    expect(line).not.toMatch(/[\r\n]/);
    const parsed = runnerParse(line)!;
    expect(parsed).toEqual({ command: 'error', properties: { title, file: 'src/a,b:c.yml', line: '3' }, data: message });
  });

  it('property: for any strings, one line starting with ::, which the runner reads back exactly', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('error' as const, 'warning' as const, 'notice' as const),
        hostileString(30),
        hostileString(60),
        fc.option(fc.record({ file: hostileString(20), line: fc.option(fc.nat(), { nil: undefined }) }), { nil: undefined }),
        (level, title, message, location) => {
          const line = annotation(level, title, message, location);
          expect(line.startsWith('::')).toBe(true);
          expect(line).not.toMatch(/[\r\n]/);
          const parsed = runnerParse(line)!;
          expect(parsed.command).toBe(level);
          expect(parsed.data).toBe(message);
          expect(parsed.properties.title ?? '').toBe(title.slice(0, 255));
          if (location?.file) expect(parsed.properties.file).toBe(location.file);
          const keys = Object.keys(parsed.properties);
          expect(keys.every((k) => ['title', 'file', 'line', 'endLine', 'col'].includes(k))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('safeLogLine', () => {
  it.each([
    ['one line', 'one line'],
    ['a\nb', 'a ⏎ b'],
    ['a\r\nb', 'a ⏎ b'],
    ['a\rb', 'a ⏎ b'],
    ['retrying (x)\n::error::forged', 'retrying (x) ⏎ ::error::forged'],
  ])('%j → %j', (s, out) => {
    expect(safeLogLine(s)).toBe(out);
  });

  it('property: a prefixed user value stays on one line that is not a command', () => {
    fc.assert(
      fc.property(hostileString(60), (s) => {
        const line = safeLogLine(`Azure federation check: fail. ${s}`);
        expect(line).not.toMatch(/[\r\n]/);
        expect(line.startsWith('::')).toBe(false);
      }),
    );
  });
});

describe('addMask', () => {
  it('one secret', () => {
    expect(addMask('eyJhbGciOi.payload.sig')).toBe('::add-mask::eyJhbGciOi.payload.sig');
  });

  it('masks each line of a multi-line secret', () => {
    expect(addMask('line1\nline2\r\nline3\n')).toBe('::add-mask::line1\n::add-mask::line2\n::add-mask::line3');
  });

  it('escapes % and a lone \\r', () => {
    const out = addMask('50%\rx');
    expect(out).toBe('::add-mask::50%25%0Dx');
    expect(runnerParse(out)!.data).toBe('50%\rx');
  });

  it('nothing to mask for an empty secret', () => {
    expect(addMask('')).toBe('');
    expect(addMask('\n\n')).toBe('');
  });

  it('property: every output line is an add-mask command whose value is a line of the secret', () => {
    fc.assert(
      fc.property(hostileString(40), (secret) => {
        const lines = secret.split(/\r?\n/).filter(Boolean);
        const out = addMask(secret);
        const outLines = out === '' ? [] : out.split('\n');
        expect(outLines).toHaveLength(lines.length);
        outLines.forEach((l, i) => {
          const parsed = runnerParse(l)!;
          expect(parsed.command).toBe('add-mask');
          expect(parsed.data).toBe(lines[i]);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('formatFileCommandValue', () => {
  function readBack(text: string): { name: string; value: string } {
    const first = text.indexOf('\n');
    const [name, delimiter] = text.slice(0, first).split('<<') as [string, string];
    const rest = text.slice(first + 1);
    const end = rest.indexOf(`\n${delimiter}\n`);
    // The runner takes the first line equal to the delimiter.
    const lines = rest.split('\n');
    const closing = lines.indexOf(delimiter);
    expect(closing).toBeGreaterThanOrEqual(0);
    expect(rest.endsWith(`${delimiter}\n`)).toBe(true);
    return { name, value: end >= 0 ? rest.slice(0, end) : '' };
  }

  it('the heredoc form', () => {
    mocks.uuids.push('11111111-1111-4111-8111-111111111111');
    expect(formatFileCommandValue('result', 'fail')).toBe('result<<ghadelimiter_11111111-1111-4111-8111-111111111111\nfail\nghadelimiter_11111111-1111-4111-8111-111111111111\n');
  });

  it('multi-line and empty values', () => {
    expect(readBack(formatFileCommandValue('findings', '[\n{"a":1}\n]'))).toEqual({ name: 'findings', value: '[\n{"a":1}\n]' });
    const empty = formatFileCommandValue('subject', '');
    expect(empty).toMatch(/^subject<<(ghadelimiter_[0-9a-f-]{36})\n\n\1\n$/);
  });

  it('picks another delimiter when the value contains the first one', () => {
    const taken = '22222222-2222-4222-8222-222222222222';
    const fresh = '33333333-3333-4333-8333-333333333333';
    mocks.uuids.push(taken, fresh);
    const value = `before\nghadelimiter_${taken}\nafter`;
    const out = formatFileCommandValue('subject', value);
    expect(out).toBe(`subject<<ghadelimiter_${fresh}\n${value}\nghadelimiter_${fresh}\n`);
  });

  it('and when the name contains it', () => {
    const taken = '44444444-4444-4444-8444-444444444444';
    mocks.uuids.push(taken, taken, '55555555-5555-4555-8555-555555555555');
    const out = formatFileCommandValue(`n-ghadelimiter_${taken}`, 'v');
    expect(out).toContain('<<ghadelimiter_55555555-5555-4555-8555-555555555555\n');
  });

  it('property: the delimiter never occurs in the value, and the value reads back', () => {
    fc.assert(
      fc.property(hostileString(60), (value) => {
        const out = formatFileCommandValue('subject', value);
        const delimiter = out.slice('subject<<'.length, out.indexOf('\n'));
        expect(delimiter).toMatch(/^ghadelimiter_[0-9a-f-]{36}$/);
        expect(value.includes(delimiter)).toBe(false);
        expect(out).toBe(`subject<<${delimiter}\n${value}\n${delimiter}\n`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('appendFileCommand', () => {
  it('appends to the file, or reports that there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afc-wc-'));
    try {
      const file = join(dir, 'output');
      expect(appendFileCommand(file, 'a<<D\n1\nD\n')).toBe(true);
      expect(appendFileCommand(file, 'b<<D\n2\nD\n')).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('a<<D\n1\nD\nb<<D\n2\nD\n');
      expect(appendFileCommand(undefined, 'x')).toBe(false);
      expect(appendFileCommand('', 'x')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
