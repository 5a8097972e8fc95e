/**
 * Security end to end: hostile values where a job's context lets anyone put them (environment
 * name, branch, repository owner, through the GitHub stand-in's job context and the runner's
 * GITHUB_* variables) and in the credential names of the `federated-credentials` input. For
 * every case, with RUNNER_DEBUG=1 too, `node dist/index.js` must:
 *   - emit only the workflow commands it means to, read as actions/runner reads them
 *     (test/support/runner-reader.ts: no forged `::command::` line, no `##[command]` anywhere in a line,
 *     no stop-commands; one annotation per finding, one `::add-mask::` per secret, `::debug::` only in
 *     debug mode);
 *   - write only its own outputs, and no GITHUB_ENV / GITHUB_PATH / GITHUB_STATE entries;
 *   - keep every summary table's column count and add no HTML, link or heading of its own, also as a
 *     GFM renderer sees it (test/support/gfm.ts: no autolink, image or mention either);
 *   - keep the summary under 1 MiB (GitHub's limit);
 *   - show no token or signature in the log as the runner shows it, the outputs or the summary.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOSTILE_FRAGMENTS, hostileArgument } from '../support/hostile-strings.js';
import { summaryProblems } from '../support/gfm.js';
import type { ActionResult } from '../support/run-action.js';
import { assertNoSecrets, findings, useWorld } from './world.js';

const world = useWorld();
const MiB = 1024 * 1024;
const OUTPUTS = ['audience', 'findings', 'issuer', 'matched-credential', 'result', 'subject'];
const COMMANDS = new Set(['add-mask', 'error', 'warning', 'notice', 'debug']);
/** Plain log lines start with the action's own words, never with a value. */
const LOG_LINE = /^[A-Z][a-z]+ /;

let issuedBefore = { github: 0, entra: 0 };
beforeEach(() => {
  issuedBefore = { github: world.github.issuedTokens.length, entra: world.entra.tokensIssued.length };
});
afterEach(() => {
  world.github.context.lifetimeSeconds = 300;
});

/** The lines the runner reads: they end in \n, \r\n or a lone \r. */
function runnerLines(stdout: string): string[] {
  return stdout.split(/\r\n|\r|\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
}

/** Cells of a markdown table row, split at pipes that are not escaped. */
function cellCount(row: string): number {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/).length;
}

/** The summary outside fenced code blocks (the only place markdown is interpreted). */
function outsideFences(summary: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of summary.split('\n')) {
    const m = /^(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && line.trim() === fence) fence = undefined;
      continue;
    }
    if (m) {
      fence = m[1];
      continue;
    }
    out.push(line);
  }
  expect(fence, 'a fenced block in the summary is never closed').toBeUndefined();
  return out;
}

function checkSafe(r: ActionResult, debug: boolean): void {
  expect(r.timedOut).toBe(false);
  expect(r.stderr).toBe('');
  expect([0, 1]).toContain(r.code);

  // 1. Workflow commands: only ours, as many as we mean.
  const issuedGitHub = world.github.issuedTokens.slice(issuedBefore.github);
  const issuedEntra = world.entra.tokensIssued.slice(issuedBefore.entra);
  let plain = 0;
  expect(r.runner.stops, 'a value stopped command processing').toEqual([]);
  for (const line of runnerLines(r.stdout)) {
    const trimmed = line.trimStart();
    // The runner finds the legacy form anywhere in a line, in a command's data too.
    expect(line, `a legacy ##[command] in a line: ${line.slice(0, 160)}`).not.toContain('##[');
    if (trimmed.startsWith('::')) {
      const name = /^::([A-Za-z][A-Za-z0-9-]*)[ :]/.exec(trimmed)?.[1];
      expect(name && COMMANDS.has(name), `unexpected command line: ${trimmed.slice(0, 120)}`).toBe(true);
    } else {
      expect(LOG_LINE.test(line), `a log line that does not start with the action's words: ${line.slice(0, 160)}`).toBe(
        true,
      );
      plain++;
    }
  }
  expect(plain, 'plain log lines').toBeLessThan(10);
  const byName = (n: string) => r.commands.filter((c) => c.command === n);
  expect(r.commands.every((c) => COMMANDS.has(c.command))).toBe(true);
  const f = findings(r);
  expect(byName('error').length + byName('warning').length + byName('notice').length).toBe(f.length);
  expect(byName('debug').length > 0).toBe(debug);
  // One mask per secret this run received, and nothing else masked (a forged mask would hide the log).
  const masks = byName('add-mask').map((c) => c.message);
  const issued = [...issuedGitHub, ...issuedEntra];
  for (const m of masks) expect(issued, 'a mask that is not a secret').toContain(m);
  expect(new Set(masks).size).toBe(masks.length);
  if (r.outputs.subject) expect(masks.sort()).toEqual(issued.sort());

  // 2. File commands: our outputs only.
  expect(r.fileCommandErrors).toEqual([]);
  expect(Object.keys(r.outputs).sort()).toEqual(OUTPUTS);
  expect(['pass', 'fail']).toContain(r.outputs.result);
  expect(r.exportedEnv).toEqual({});
  expect(r.state).toEqual({});
  expect(r.addedPaths).toEqual([]);

  // 3. The summary: bounded, tables intact, no markup of the attacker's.
  expect(Buffer.byteLength(r.summary)).toBeLessThan(MiB);
  const lines = outsideFences(r.summary);
  let columns: number | undefined;
  let tables = 0;
  for (const line of lines) {
    if (line.startsWith('|')) {
      if (columns === undefined) {
        columns = cellCount(line);
        tables++;
      } else expect(cellCount(line), `row of a ${columns}-column table: ${line.slice(0, 200)}`).toBe(columns);
    } else columns = undefined;
    // Headings are the action's own (## result, ### sections, #### findings), never from a value.
    if (/^\s{0,3}#/.test(line))
      expect(line, 'heading').toMatch(/^#{2,4} (✅|❌|⚠️|ℹ️|Token|Federated|Findings|A credential|Azure)/);
    expect(line, 'HTML from a value').not.toMatch(/<(?!\/?code>)[A-Za-z!/?]/);
    expect(line, 'a link from a value').not.toMatch(/\]\(|\]\[|^\s*\[[^\]]*\]:/);
    expect(line, 'a line from a value that starts a block').not.toMatch(/^(>|\s*[-*+] |\s*\d+\. |={3,}\s*$|-{3,}\s*$)/);
  }
  expect(summaryProblems(r.summary)).toEqual([]);
  // The claims table is there whenever a token was read.
  if (r.outputs.subject) expect(tables).toBeGreaterThan(0);

  // 4. No secret anywhere a person or a later step can read.
  assertNoSecrets(r, world.secrets());
}

/** Sets the job's context and the credential list; returns the inputs for the run. */
function hostileJob(v: {
  environment?: string;
  branch?: string;
  owner?: string;
  credentialName?: string;
  exchange?: boolean;
}) {
  const ctx = world.github.context;
  if (v.environment !== undefined) ctx.environment = v.environment;
  if (v.branch !== undefined) ctx.ref = `refs/heads/${v.branch}`;
  if (v.owner !== undefined) ctx.owner = v.owner;
  const name = v.credentialName ?? 'main';
  const credentials = [
    { ...world.credential(), name },
    {
      ...world.credential(),
      name: `${name}-env`,
      subject: `repo:${ctx.owner}/${ctx.repo}:environment:${v.environment ?? 'x'}`,
    },
    {
      ...world.credential(),
      name: `${name}-other`,
      subject: `repo:${ctx.owner}/${ctx.repo}:ref:refs/heads/${v.branch ?? 'y'}-not`,
    },
  ];
  return {
    'federated-credentials': JSON.stringify(credentials),
    ...(v.exchange === false ? { exchange: 'false' } : {}),
  };
}

const FORGERIES = [
  '\n::error title=forged::pwned',
  '%0A::error title=forged::pwned',
  '\r::set-output name=result::pass',
  '\r\n::add-mask::',
  '::stop-commands::x',
  '\n##[set-env name=NODE_OPTIONS]--require /tmp/x',
  '\n::set-env name=NODE_OPTIONS::--require /tmp/x',
  '\n::add-path::/tmp/evil',
  'x\n::endgroup::',
  '%0D%0A::warning::forged',
  ' x ##[stop-commands]tok',
  ' y ##[set-output name=result]pass',
  ' z ##[add-mask]main',
];
const MARKUP =
  '| a | b |<img src=x onerror=alert(1)><script>alert(1)</script>`code` ```x``` ' +
  '[link](javascript:alert(1)) ![i](https://evil.example/i.png) # Heading\n# Heading\n' +
  '> quote\n- item\n---\n@octocat &#124; &lt;';

describe('hostile job context and credential names', () => {
  const cases: Array<[string, Parameters<typeof hostileJob>[0]]> = [
    ['workflow commands in the environment name', { environment: `prod${FORGERIES.join('')}` }],
    ['workflow commands in the branch', { branch: `main${FORGERIES.join('')}` }],
    ['workflow commands in the repository owner', { owner: `octo${FORGERIES.slice(0, 5).join('')}` }],
    [
      'markdown and HTML everywhere',
      { environment: MARKUP, branch: MARKUP.replace(/\n/g, '%0A'), owner: 'o|w<b>n`e`r', credentialName: MARKUP },
    ],
    [
      'every hostile fragment at once',
      {
        environment: HOSTILE_FRAGMENTS.join('').replace(/\u0000/g, ''),
        credentialName: HOSTILE_FRAGMENTS.join('').replace(/\u0000/g, ''),
      },
    ],
    [
      'a credential name that forges commands, compared only',
      { credentialName: `evil${FORGERIES.join('')}`, exchange: false },
    ],
    ['a matching credential whose name forges commands', { credentialName: `main${FORGERIES.join('')}${MARKUP}` }],
  ];
  for (const [title, values] of cases) {
    for (const debug of [false, true]) {
      it(`${title}${debug ? ' (RUNNER_DEBUG=1)' : ''}`, async () => {
        const inputs = hostileJob(values);
        const r = await world.run({
          inputs: { ...inputs, 'timeout-seconds': '10' },
          env: debug ? { RUNNER_DEBUG: '1' } : {},
        });
        checkSafe(r, debug);
      });
    }
  }
});

describe('very long values (100 KB)', () => {
  const long = (seed: string) => `${seed}${'A|<`\n::error::x%0A'.repeat(40)}${'B'.repeat(100 * 1024)}`;

  it('a 100 KB credential name: the run completes, outputs and summary stay bounded', async () => {
    // One credential: an input (an environment variable) cannot exceed 128 KB on Linux.
    const inputs = { 'federated-credentials': JSON.stringify([{ ...world.credential(), name: long('name') }]) };
    const r = await world.run({ inputs: { ...inputs, 'timeout-seconds': '10' }, env: { RUNNER_DEBUG: '1' } });
    checkSafe(r, true);
    expect(r.outputs.result).toBe('pass');
  });

  it('20 KB environment and branch in the token itself (each appears in several claims)', async () => {
    const twenty = (s: string) => `${s}${FORGERIES.join('')}${'x'.repeat(20 * 1024)}`;
    const inputs = hostileJob({ environment: twenty('env'), branch: twenty('br') });
    const r = await world.run({ inputs: { ...inputs, 'timeout-seconds': '10' }, env: { RUNNER_DEBUG: '1' } });
    checkSafe(r, true);
    expect(r.outputs.subject!.length).toBeGreaterThan(20 * 1024);
  });

  it('a 100 KB environment name: the token is too large for a runner answer, said safely and not retried', async () => {
    const inputs = hostileJob({ environment: long('env') });
    const r = await world.run({ inputs: { ...inputs, 'timeout-seconds': '10' } });
    checkSafe(r, false);
    expect(findings(r).map((x) => x.id)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('larger than');
    expect(world.github.requests.filter((q) => q.route === 'tokenRequest').length).toBe(1);
  });
});

describe('random hostile values (property)', () => {
  it('holds for any environment, branch, owner and credential name', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          environment: hostileArgument(30),
          branch: hostileArgument(30),
          owner: hostileArgument(12),
          credentialName: hostileArgument(30),
          exchange: fc.boolean(),
        }),
        fc.boolean(),
        async (values, debug) => {
          // A fresh job per run (useWorld resets only between tests).
          world.github.context = {
            ...world.github.context,
            environment: undefined,
            ref: 'refs/heads/main',
            owner: 'octo-org',
          };
          issuedBefore = { github: world.github.issuedTokens.length, entra: world.entra.tokensIssued.length };
          // An empty environment means "none"; an owner cannot be empty.
          const inputs = hostileJob({
            ...values,
            environment: values.environment || undefined,
            owner: values.owner || 'o',
          });
          const r = await world.run({
            inputs: { ...inputs, 'timeout-seconds': '10' },
            env: debug ? { RUNNER_DEBUG: '1' } : {},
          });
          checkSafe(r, debug);
        },
      ),
      { numRuns: 12 },
    );
  });
});
