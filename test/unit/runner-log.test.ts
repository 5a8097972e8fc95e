/**
 * src/report/runner-log.ts writes through the real @actions/core; what it prints is read back the way
 * actions/runner reads it (test/support/runner-reader.ts). No copy of core's escaping here: the
 * library itself is under test, with the neutralisation in front of it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  annotate,
  debugLine,
  failStep,
  logLine,
  maskSecret,
  readSecretInput,
  setOutputs,
  writeSummary,
} from '../../src/report/runner-log.js';
import { FORGED_COMMANDS, HOSTILE_FRAGMENTS, hostileString } from '../support/hostile-strings.js';
import { readAsRunner, runnerLines } from '../support/runner-reader.js';
import { parseFileCommand } from '../support/run-action.js';

let printed: string[] = [];
beforeEach(() => {
  printed = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
});

/** What the runner makes of everything printed so far. */
function runner() {
  return readAsRunner(runnerLines(printed.join('')));
}

const text = fc.oneof(hostileString(60), fc.constantFrom(...HOSTILE_FRAGMENTS, ...FORGED_COMMANDS));
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWY6cmVmcy9oZWFkcy9tYWluIn0.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw';

describe('logLine', () => {
  it('property: any value is one log line, never a command, never stops the runner', () => {
    fc.assert(
      fc.property(text, (value) => {
        printed = [];
        logLine(`Retrying: ${value}`);
        logLine(value);
        const read = runner();
        expect(read.commands).toEqual([]);
        expect(read.stops).toEqual([]);
        expect(read.log).toHaveLength(2);
      }),
      { numRuns: 400 },
    );
  });

  it('the legacy form anywhere in a line and `::` after a line break are shown, not obeyed', () => {
    logLine('Entra answered 503: ##[stop-commands]x');
    logLine('name\n::error::forged\r::add-mask::x\u2028::warning::y');
    logLine('  ::error::at the start');
    expect(runner().log).toEqual([
      'Entra answered 503: ## [stop-commands]x',
      'name ⏎ ::error::forged ⏎ ::add-mask::x ⏎ ::warning::y',
      '  : :error::at the start',
    ]);
  });
});

describe('annotate', () => {
  it('property: one annotation of that level, whose title, text and place the runner reads back', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('error' as const, 'warning' as const, 'notice' as const),
        text,
        text,
        fc.option(
          fc.record({
            file: fc.constantFrom('.github/workflows/deploy.yml', 'a,b:c.yml'),
            line: fc.integer({ min: 1, max: 999 }),
          }),
          { nil: undefined },
        ),
        (level, title, message, location) => {
          printed = [];
          annotate(level, title, message, location);
          const read = runner();
          expect(read.stops).toEqual([]);
          expect(read.commands).toHaveLength(1);
          const [c] = read.commands;
          expect(c!.command).toBe(level);
          expect(c!.message).not.toMatch(/##\[|^\s*::/m);
          expect(c!.properties['title'] ?? '').not.toMatch(/##\[|[\r\n]/);
          if (location) {
            expect(c!.properties['file']).toBe(location.file);
            expect(c!.properties['line']).toBe(String(location.line));
          }
          expect(Object.keys(c!.properties).every((k) => ['title', 'file', 'line', 'endLine', 'col'].includes(k))).toBe(
            true,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('passes every place core knows: line, endLine, col', () => {
    annotate('warning', 'Subject differs', 'line 1\nline 2', {
      file: '.github/workflows/deploy.yml',
      line: 14,
      endLine: 15,
      column: 5,
    });
    expect(runner().commands).toEqual([
      {
        command: 'warning',
        properties: {
          title: 'Subject differs',
          file: '.github/workflows/deploy.yml',
          line: '14',
          endLine: '15',
          col: '5',
        },
        message: 'line 1\nline 2',
      },
    ]);
  });
});

describe('maskSecret', () => {
  it('masks every later line, even after a value that tried to stop the runner (issue 13, point 1)', () => {
    logLine("Entra's answer: ##[stop-commands]x");
    maskSecret(TOKEN);
    logLine(`token ${TOKEN}`);
    annotate('error', 'T', `the token ${TOKEN}`);
    const read = runner();
    expect(read.stops).toEqual([]);
    expect(read.masks).toEqual([TOKEN]);
    expect(read.log.join('\n')).not.toContain(TOKEN);
    expect(read.log).toContain('token ***');
  });

  it('each line of a multi-line secret; nothing for a blank one', () => {
    maskSecret('line1\nline2\r\nline3\n');
    maskSecret(' \n');
    expect(runner().masks).toEqual(['line1', 'line2', 'line3']);
  });

  it('the github-token input is a secret from the moment it is read', () => {
    vi.stubEnv('INPUT_GITHUB-TOKEN', 'ghs_0123456789abcdefABCDEF');
    expect(readSecretInput('github-token')).toBe('ghs_0123456789abcdefABCDEF');
    expect(runner().masks).toEqual(['ghs_0123456789abcdefABCDEF']);
  });
});

describe('debugLine and failStep', () => {
  it('debug only when the run is debugged, neutralised', () => {
    debugLine('hidden');
    vi.stubEnv('RUNNER_DEBUG', '1');
    debugLine('claims: sub=##[stop-commands]x');
    expect(runner().commands).toEqual([
      { command: 'debug', properties: {}, message: 'claims: sub=## [stop-commands]x' },
    ]);
  });

  it('failStep: an error annotation and exit code 1', () => {
    failStep("Input 'mode' is not valid", "Input 'mode' is '##[set-output name=a]b'.");
    expect(runner().commands).toEqual([
      {
        command: 'error',
        properties: { title: "Input 'mode' is not valid" },
        message: "Input 'mode' is '## [set-output name=a]b'.",
      },
    ]);
    expect(process.exitCode).toBe(1);
  });
});

describe('outputs and summary', () => {
  it('setOutputs writes GITHUB_OUTPUT with a delimiter the value cannot contain; nothing printed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afc-out-'));
    try {
      const file = join(dir, 'output');
      writeFileSync(file, '');
      vi.stubEnv('GITHUB_OUTPUT', file);
      const value = 'a\nghadelimiter_x\n##[set-output name=a]b\n::set-output name=b::c';
      setOutputs({ subject: value, result: 'fail' });
      const errors: string[] = [];
      expect(parseFileCommand(readFileSync(file, 'utf8'), errors)).toEqual({ subject: value, result: 'fail' });
      expect(errors).toEqual([]);
      expect(printed).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without GITHUB_OUTPUT, outputs are not printed as commands', () => {
    vi.stubEnv('GITHUB_OUTPUT', '');
    setOutputs({ result: 'fail' });
    expect(printed).toEqual([]);
  });

  it('writeSummary appends the Markdown as given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'afc-sum-'));
    try {
      const file = join(dir, 'summary.md');
      writeFileSync(file, '');
      vi.stubEnv('GITHUB_STEP_SUMMARY', file);
      await writeSummary('## one\n');
      await writeSummary('two\n');
      expect(readFileSync(file, 'utf8')).toBe('## one\ntwo\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runner files that cannot be written', () => {
  it('a warning instead of a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'afc-bad-'));
    try {
      vi.stubEnv('GITHUB_OUTPUT', dir);
      vi.stubEnv('GITHUB_STEP_SUMMARY', join(dir, 'missing', 'summary.md'));
      setOutputs({ result: 'fail' });
      await writeSummary('## x\n');
      expect(runner().commands.map((c) => [c.command, c.properties['title']])).toEqual([
        ['warning', 'The step outputs could not be written'],
        ['warning', 'The job summary could not be written'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
