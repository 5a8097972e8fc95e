/**
 * Issue 13, points 1, 2 and 8, as the runner runs the action: `node <fresh bundle>/index.js`, its output
 * read by test/support/runner-reader.ts (actions/runner's rules: the legacy `##[cmd]` anywhere in a line,
 * `stop-commands`, masks for later lines) and its job summary rendered by a GFM implementation
 * (test/support/gfm.ts). Hostile values come from every source a run reads: inputs, credential names
 * (inline and from a file), the token's claims (environment, ref), Entra's error texts, Graph and ARM
 * error messages, a subscription's name, GitHub's API errors.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAzureStandin, type AzureStandin } from '../support/azure-standin.js';
import { summaryProblems } from '../support/gfm.js';
import { FORGED_COMMANDS, HOSTILE_FRAGMENTS, hostileArgument } from '../support/hostile-strings.js';
import type { ActionResult } from '../support/run-action.js';
import { CLIENT, TENANT, assertNoSecrets, useWorld } from './world.js';

const world = useWorld();
const SUB = 'aaaaaaaa-1111-2222-3333-444444444444';
/** Everything the review injected, in one value. */
const HOSTILE = `x ${FORGED_COMMANDS.join(' ')} ##[add-mask]main ::error title=forged::pwned`;
/** The commands the action itself sends; anything else was forged. */
const OWN = new Set(['add-mask', 'error', 'warning', 'notice', 'debug']);

let azure: AzureStandin;
let workspace: string;
beforeAll(async () => {
  azure = await startAzureStandin({ entra: world.entra });
  workspace = await mkdtemp(join(tmpdir(), 'afc-ws-'));
  await mkdir(join(workspace, '.github'));
});
afterAll(async () => {
  await azure?.close();
  await rm(workspace, { recursive: true, force: true });
});
beforeEach(() => {
  azure.subscriptions = { [SUB]: { displayName: 'Production', tenantId: TENANT, identities: [] } };
  azure.graphReaders = [CLIENT];
  azure.roleAssignments = [];
  azure.faults = {};
  azure.requests.length = 0;
});

/** As the runner would see it: nothing stopped, only the action's own commands, no token in the log. */
function assertRunnerSafe(r: ActionResult, ownSecrets: string[] = []): void {
  expect(r.timedOut).toBe(false);
  expect(r.runner.stops, 'a value stopped command processing').toEqual([]);
  for (const c of r.commands) expect(OWN.has(c.command.toLowerCase()), `forged ::${c.command}::`).toBe(true);
  expect(r.commands.filter((c) => c.properties['title'] === 'forged' || c.message === 'pwned')).toEqual([]);
  const issued = [...world.github.issuedTokens, ...world.entra.tokensIssued, ...ownSecrets];
  for (const mask of r.runner.masks) expect(issued, 'a mask that is no secret of this run').toContain(mask);
  expect(r.fileCommandErrors).toEqual([]);
  expect(r.exportedEnv).toEqual({});
  expect(r.addedPaths).toEqual([]);
  assertNoSecrets(r, [...world.secrets(), ...ownSecrets]);
}

describe('issue 13, point 1: a value cannot switch the masks off', () => {
  it("Entra's error field on a 503, printed by the retry line before the fresh token's mask", async () => {
    world.entra.faults.token = [
      {
        status: 503,
        body: { error: 'temporarily_unavailable ##[stop-commands]x', error_description: `AADSTS50196: ${HOSTILE}` },
      },
    ];
    const r = await world.run({ inputs: { 'timeout-seconds': '10' } });
    assertRunnerSafe(r);
    expect(r.outputs.result).toBe('pass');
    // The retry's fresh GitHub token and Entra's access token were both masked.
    expect(r.runner.masks.length).toBeGreaterThanOrEqual(3);
  });

  it("a subscription's display name, printed by the expected-subscription-id check", async () => {
    azure.subscriptions[SUB]!.displayName = `Prod ##[stop-commands]x ${HOSTILE}`;
    azure.roleAssignments = [{ principal: CLIENT, role: 'Reader', scope: `/subscriptions/${SUB}` }];
    const r = await world.run({
      inputs: { 'expected-subscription-id': SUB, 'graph-host': azure.url, 'resource-manager-host': azure.url },
    });
    assertRunnerSafe(r);
  });
});

describe('issue 13, point 2: no outside value forges a command', () => {
  it('credential names given inline', async () => {
    const r = await world.run({
      inputs: {
        'federated-credentials': JSON.stringify([
          world.credential({ name: HOSTILE }),
          world.credential({ name: `b${HOSTILE}`, subject: 'repo:o/r:ref:refs/heads/x' }),
        ]),
      },
    });
    assertRunnerSafe(r);
  });

  it('credential names from a file, compared only', async () => {
    await writeFile(
      join(workspace, '.github/creds.json'),
      JSON.stringify([world.credential({ name: HOSTILE, subject: `repo:o/r:environment:${HOSTILE}` })]),
    );
    const r = await world.run({
      inputs: { exchange: 'false', 'federated-credentials-file': '.github/creds.json' },
      env: { GITHUB_WORKSPACE: workspace },
    });
    assertRunnerSafe(r);
    expect(r.outputs.result).toBe('fail');
  });

  it('the environment and ref claims, with RUNNER_DEBUG=1', async () => {
    world.github.context.environment = `prod ${HOSTILE}`;
    world.github.context.ref = `refs/heads/main ${HOSTILE}`;
    const r = await world.run({ env: { RUNNER_DEBUG: '1' } });
    assertRunnerSafe(r);
  });

  it("Entra's error text", async () => {
    world.entra.forceError = { code: 9999991, text: HOSTILE };
    const r = await world.run();
    assertRunnerSafe(r);
  });

  it("Graph's error message", async () => {
    world.entra.forceError = { code: 700213, once: true };
    azure.faults.graph = () => ({
      status: 404,
      body: { error: { code: 'Request_ResourceNotFound', message: HOSTILE } },
    });
    const r = await world.run({
      inputs: { lookup: 'graph', 'graph-host': azure.url, 'resource-manager-host': azure.url },
    });
    assertRunnerSafe(r);
  });

  it("ARM's error message", async () => {
    azure.faults.armSubscription = () => ({
      status: 403,
      body: { error: { code: 'AuthorizationFailed', message: HOSTILE } },
    });
    const r = await world.run({
      inputs: { 'expected-subscription-id': SUB, 'graph-host': azure.url, 'resource-manager-host': azure.url },
    });
    assertRunnerSafe(r);
  });

  it('an invalid input value', async () => {
    const r = await world.run({ inputs: { 'fail-on': HOSTILE, mode: 'check' } });
    assertRunnerSafe(r);
    const invalidMode = await world.run({ inputs: { mode: HOSTILE } });
    assertRunnerSafe(invalidMode);
  });
});

describe('random hostile values from the servers (property)', () => {
  it("Entra's 503 error field and error text, Graph's and ARM's messages, the subscription's name", async () => {
    const value = fc.oneof(
      hostileArgument(30),
      fc.constantFrom(...FORGED_COMMANDS, ...HOSTILE_FRAGMENTS.filter((f) => !f.includes('\u0000'))),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({ entra503: value, entraText: value, graph: value, arm: value, subscription: value }),
        async (v) => {
          world.entra.faults.token = [
            {
              status: 503,
              body: { error: `temporarily_unavailable ${v.entra503}`, error_description: `AADSTS50196: ${v.entra503}` },
            },
          ];
          world.entra.forceError = { code: 9999991, text: v.entraText };
          azure.subscriptions[SUB]!.displayName = v.subscription;
          azure.faults.graph = () => ({
            status: 404,
            body: { error: { code: 'Request_ResourceNotFound', message: v.graph } },
          });
          azure.faults.armSubscription = [
            { status: 403, body: { error: { code: 'AuthorizationFailed', message: v.arm } } },
          ];
          const r = await world.run({
            inputs: {
              lookup: 'graph',
              'expected-subscription-id': SUB,
              'graph-host': azure.url,
              'resource-manager-host': azure.url,
              'timeout-seconds': '10',
            },
          });
          assertRunnerSafe(r);
          expect(summaryProblems(r.summary)).toEqual([]);
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe('random hostile input values (property)', () => {
  it('any input the action validates or echoes', async () => {
    const value = fc.oneof(
      hostileArgument(30),
      fc.constantFrom(...FORGED_COMMANDS, ...HOSTILE_FRAGMENTS.filter((f) => !f.includes('\u0000'))),
    );
    const input = fc.constantFrom(
      'client-id',
      'tenant-id',
      'environment',
      'audience',
      'authority-host',
      'fail-on',
      'timeout-seconds',
      'lookup',
      'federated-credentials-file',
      'mode',
    );
    await fc.assert(
      fc.asyncProperty(input, value, async (name, v) => {
        const r = await world.run({ inputs: { [name]: v, 'timeout-seconds': name === 'timeout-seconds' ? v : '10' } });
        assertRunnerSafe(r);
      }),
      { numRuns: 10 },
    );
  });
});

describe('issue 13, point 8: the summary, the github-token input, GitHub API errors', () => {
  it('no value becomes a link, autolink, image, HTML, mention, heading or a broken table (GFM)', async () => {
    const value = 'www.evil.example a@b.example https://evil.example <img src=x> @user | # h';
    world.github.context.environment = value;
    const r = await world.run({
      inputs: {
        'federated-credentials': JSON.stringify([
          world.credential({ name: value }),
          world.credential({ name: `${value}2`, subject: `repo:o/r:environment:${value}` }),
        ]),
      },
    });
    assertRunnerSafe(r);
    expect(summaryProblems(r.summary)).toEqual([]);
  });

  it('mode: audit masks the github-token input and does not echo GitHub API error text', async () => {
    const ghToken = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
    await mkdir(join(workspace, '.github/workflows'), { recursive: true });
    await writeFile(
      join(workspace, '.github/workflows/deploy.yml'),
      'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n',
    );
    await writeFile(join(workspace, '.github/creds.json'), JSON.stringify([world.credential()]));
    const api = await startErrorApi(`Bad credentials ${ghToken} ${HOSTILE}\n::error::forged`);
    try {
      const r = await world.run({
        inputs: { mode: 'audit', 'github-token': ghToken, 'federated-credentials-file': '.github/creds.json' },
        env: { GITHUB_WORKSPACE: workspace, GITHUB_API_URL: api.url },
      });
      assertRunnerSafe(r, [ghToken]);
      expect(r.runner.masks).toContain(ghToken);
      expect(r.runnerLog).not.toContain(ghToken);
      expect(r.summary).not.toContain(ghToken);
      expect(summaryProblems(r.summary)).toEqual([]);
    } finally {
      await api.close();
    }
  });
});

/** A GitHub API that answers every request 401 with this message (and echoes nothing else). */
async function startErrorApi(message: string): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message, documentation_url: 'https://docs.github.com/rest' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
