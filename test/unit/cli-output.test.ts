/**
 * Issue 13, point 2, for the CLI: README suggests `gh run view … | azure-federation-check explain -`
 * inside a workflow step, where stdout is read by the runner (test/support/runner-reader.ts), and on a
 * laptop, where it is read by a terminal. No value may speak to either (src/cli/io.ts guardOutput).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardOutput, type CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { FORGED_COMMANDS, HOSTILE_FRAGMENTS, hostileString } from '../support/hostile-strings.js';
import { DIST_DIR } from '../support/run-action.js';
import { readAsRunner, runnerLines } from '../support/runner-reader.js';

const SUBJECT = (value: string) =>
  'Error: AADSTS700213: No matching federated identity record found for presented assertion subject ' +
  `'repo:o/r:environment:${value}'. ` +
  'Check your federated identity credential Subject, Audience and Issuer against the presented assertion.\n';
const HOSTILE =
  'prod ##[stop-commands]x ##[set-output name=a]b\r::error::forged ' +
  '\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b]0;title\u0007\u202e \u009b2J';

async function run(argv: string[], stdin: string, env: Record<string, string>, isTTY = false) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdin,
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env,
    readFile: async () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    },
    isTTY,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** Escape sequences other than the CLI's own colours (styleFor in src/cli/io.ts). */
function foreignControls(text: string): string[] {
  const own = /\x1b\[(?:1|2|22|31|32|33|36|39)m/g;
  // eslint-disable-next-line no-control-regex
  return [
    ...text.replace(own, '').matchAll(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g),
  ].map((m) => m[0]);
}

describe('the CLI in a workflow step (GITHUB_ACTIONS=true)', () => {
  it('explain: a value that tries to stop commands or forge one is shown, not obeyed', async () => {
    const r = await run(['explain', '-'], SUBJECT(HOSTILE), { GITHUB_ACTIONS: 'true' });
    expect(r.stdout).toContain('## [stop-commands]x');
    const read = readAsRunner(runnerLines(r.stdout + r.stderr));
    expect(read.stops).toEqual([]);
    expect(read.commands).toEqual([]);
    expect(foreignControls(r.stdout)).toEqual([]);
  });

  it('property: any value in the log explained, any argument echoed in an error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(hostileString(40), fc.constantFrom(...HOSTILE_FRAGMENTS, ...FORGED_COMMANDS)),
        async (value) => {
          for (const r of [
            await run(['explain', '-'], SUBJECT(value), { GITHUB_ACTIONS: 'true' }),
            await run([`--${value}`], '', { GITHUB_ACTIONS: 'true' }),
          ]) {
            const read = readAsRunner(runnerLines(r.stdout + r.stderr));
            expect(read.stops).toEqual([]);
            expect(read.commands).toEqual([]);
            expect(foreignControls(r.stdout + r.stderr)).toEqual([]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the bundled CLI, piped as in a step, read as the runner reads it', async () => {
    const out = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [join(DIST_DIR, 'cli.js'), 'explain', '-'],
        { env: { PATH: process.env['PATH'], GITHUB_ACTIONS: 'true' } },
        (e, stdout, stderr) =>
          e && typeof (e as { code?: unknown }).code !== 'number' ? reject(e) : resolve({ stdout, stderr }),
      );
      child.stdin?.end(SUBJECT(HOSTILE));
    });
    const read = readAsRunner(runnerLines(out.stdout + out.stderr));
    expect(out.stdout).toContain('AADSTS700213');
    expect(read.stops).toEqual([]);
    expect(read.commands).toEqual([]);
  });
});

describe('the CLI on a terminal', () => {
  it('keeps its own colours and drops every other control sequence (clipboard, title, bidi...)', async () => {
    const r = await run(['explain', '-'], SUBJECT(HOSTILE), {}, true);
    expect(r.stdout).toContain('\x1b[');
    expect(foreignControls(r.stdout)).toEqual([]);
    expect(r.stdout).not.toMatch(/\x1b\](?:52|0);|\x1b\[2J/);
  });
});

describe('guardOutput', () => {
  it('sees a marker split across writes, and writes the last partial line on flush', () => {
    let out = '';
    const g = guardOutput({
      stdin: '',
      stdout: (s) => void (out += s),
      stderr: () => undefined,
      env: { GITHUB_ACTIONS: 'true' },
      readFile: async () => '',
    });
    g.io.stdout('a ##');
    g.io.stdout('[add-mask]x\n::');
    g.io.stdout('error::y');
    g.flush();
    expect(out).toBe('a ## [add-mask]x\n: :error::y');
  });
});
