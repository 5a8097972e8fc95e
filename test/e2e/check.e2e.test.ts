/**
 * The action end to end: `node dist/index.js` as a runner runs it, against the GitHub and Entra
 * stand-ins. One test per finding id, each produced from a stand-in's real answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLIENT,
  TENANT,
  announcedWaits,
  annotations,
  assertNoSecrets,
  findingIds,
  findings,
  useWorld,
} from './world.js';

const world = useWorld();
let lastSecrets: string[] = [];
const checked: Array<Awaited<ReturnType<typeof world.run>>> = [];

async function run(options: Parameters<typeof world.run>[0] = {}) {
  const r = await world.run(options);
  checked.push(r);
  return r;
}

afterEach(() => {
  // Every run of every test: no token or signature where anyone can read it.
  lastSecrets = world.secrets();
  for (const r of checked.splice(0)) assertNoSecrets(r, lastSecrets);
});

describe('a passing check', () => {
  it('fetches, verifies, compares and exchanges, then reports pass', async () => {
    const r = await run({ inputs: { 'federated-credentials': JSON.stringify(world.credentials) } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    expect(r.outputs['matched-credential']).toBe('main');
    expect(r.outputs.subject).toBe('repo:octo-org/octo-repo:ref:refs/heads/main');
    expect(r.outputs.issuer).toBe(world.github.issuer);
    expect(r.outputs.audience).toBe('api://AzureADTokenExchange');
    expect(JSON.parse(r.outputs.findings!)).toEqual([]);
    expect(annotations(r)).toEqual([]);
    expect(r.summary).toContain('Azure federation check: pass');
    expect(r.summary).toContain('verified');
    // The critical path: one runner token, one Entra token request; discovery and JWKS beside it.
    const ours = world.github.requests.filter((q) => q.userAgent?.startsWith('azure-federation-check'));
    expect(ours.map((q) => q.route).sort()).toEqual(['discovery', 'jwks', 'tokenRequest']);
    expect(world.entra.requests.map((q) => q.route)).toEqual(['token']);
    // Masked before anything else could print it.
    const firstMask = r.stdout.split('\n').findIndex((l) => l.startsWith('::add-mask::'));
    expect(firstMask).toBe(0);
  });

  it('passes with exchange only (no credentials given)', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    expect(r.summary).toContain('Entra issued an access token');
  });

  it('compares only when exchange is false, and makes no call to Entra', async () => {
    const r = await run({ inputs: { exchange: 'false', 'federated-credentials': JSON.stringify(world.credentials) } });
    expect(r.code).toBe(0);
    expect(r.outputs['matched-credential']).toBe('main');
    expect(world.entra.requests).toEqual([]);
  });

  it('reads credentials from a YAML file in the workspace', async () => {
    const { mkdtemp, writeFile, mkdir } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const ws = await mkdtemp(`${tmpdir()}/afc-ws-`);
    await mkdir(`${ws}/.github`);
    await writeFile(
      `${ws}/.github/creds.yml`,
      `- name: prod\n  issuer: ${world.github.issuer}\n` +
        `  subject: repo:octo-org/octo-repo:environment:production\n` +
        `  audiences: [api://AzureADTokenExchange]\n`,
    );
    const r = await run({
      inputs: { exchange: 'false', 'federated-credentials-file': '.github/creds.yml' },
      env: { GITHUB_WORKSPACE: ws },
    });
    expect(r.code).toBe(1);
    // With no exchange, nothing proves Entra can reach the stand-in's loopback issuer: issuer-private warns beside it.
    expect(findingIds(r)).toEqual(['subject-mismatch', 'issuer-private']);
    expect(findings(r)[0]!.message).toContain('repo:octo-org/octo-repo:environment:production');
  });
});

describe('input-invalid', () => {
  it('stops before any network call with one annotation naming the input', async () => {
    const r = await run({ inputs: { 'client-id': 'my-app' } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['input-invalid']);
    const [a] = annotations(r);
    expect(a!.properties.title).toContain("'client-id'");
    expect(a!.message).toContain('client-id: ${{ vars.AZURE_CLIENT_ID }}');
    expect(world.github.requests).toEqual([]);
    expect(world.entra.requests).toEqual([]);
    expect(r.stderr).toBe('');
  });

  it.each([
    [{ 'tenant-id': 'not a tenant' }, 'tenant-id'],
    [{ environment: 'azuregermancloud' }, 'environment'],
    [{ 'authority-host': 'http://login.example' }, 'authority-host'],
    [{ 'federated-credentials': '{"name": "x"' }, 'federated-credentials'],
    [{ 'federated-credentials': '- name: x\n  issuer: [' }, 'federated-credentials'],
    [{ 'federated-credentials-file': 'missing.json' }, 'federated-credentials-file'],
    [{ exchange: 'maybe' }, 'exchange'],
    [{ 'fail-on': 'sometimes' }, 'fail-on'],
  ])('%j names %s', async (inputs, name) => {
    const r = await run({ inputs });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['input-invalid']);
    expect(annotations(r)[0]!.properties.title).toContain(`'${name}'`);
    expect(world.github.requests).toEqual([]);
    expect(r.stderr).toBe('');
  });

  it('explains an empty client-id as a withheld secret', async () => {
    const r = await run({ inputs: { 'client-id': '' } });
    expect(findings(r)[0]!.message).toMatch(/forks.*Dependabot/s);
  });
});

describe('oidc-unavailable and oidc-request-failed', () => {
  it('on a push by a person, names only the missing permission (a fork or Dependabot is ruled out)', async () => {
    const r = await run({
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['oidc-unavailable']);
    const f = findings(r)[0]!;
    expect(f.message).toContain('id-token: write');
    expect(f.message).not.toMatch(/fork/);
    expect(f.message).not.toMatch(/Dependabot/);
    expect(f.fix).toContain('permissions:\n  id-token: write');
  });

  it('puts the fork first for a pull request from a fork', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/afc-ev-`);
    await writeFile(
      `${dir}/event.json`,
      JSON.stringify({
        pull_request: {
          head: { repo: { full_name: 'someone/octo-repo', fork: true } },
          base: { repo: { full_name: 'octo-org/octo-repo' } },
        },
      }),
    );
    const r = await run({
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: undefined,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: `${dir}/event.json`,
      },
    });
    expect(findings(r)[0]!.message).toMatch(/1\. This run is a pull request from a fork/);
  });

  it('retries a failing token endpoint and then reports oidc-request-failed, not a permissions problem', async () => {
    world.github.faults.tokenRequest = () => ({ status: 500 });
    const r = await run({ inputs: { 'timeout-seconds': '4' } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('not a missing');
    expect(world.github.requests.filter((q) => q.route === 'tokenRequest').length).toBeGreaterThan(1);
  });

  it('does not retry a refused request token', async () => {
    const r = await run({ env: { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'stale' } });
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(world.github.requests.filter((q) => q.route === 'tokenRequest').length).toBe(1);
  });
});

describe('mismatches diagnosed locally and confirmed by Entra', () => {
  it('issuer-mismatch: trailing slash (AADSTS700211)', async () => {
    world.credentials[0]!.issuer = `${world.github.issuer}/`;
    const r = await run({ inputs: { 'federated-credentials': JSON.stringify(world.credentials) } });
    expect(r.code).toBe(1);
    const f = findings(r);
    expect(f.map((x) => x.id)).toEqual(['issuer-mismatch']);
    expect(f[0]!.code).toBe('AADSTS700211');
    expect(f[0]!.message).toContain('trailing slash');
    expect(r.summary).toContain('AADSTS700211');
  });

  it('subject-mismatch: the job declares an environment, the credential names the branch (AADSTS700213)', async () => {
    world.github.context.environment = 'Production';
    const r = await run({ inputs: { 'federated-credentials': JSON.stringify(world.credentials) } });
    const f = findings(r);
    expect(f.map((x) => x.id)).toEqual(['subject-mismatch']);
    expect(f[0]!.code).toBe('AADSTS700213');
    expect(f[0]!.message).toContain('repo:octo-org/octo-repo:environment:Production');
    expect(f[0]!.message).toContain('repo:octo-org/octo-repo:ref:refs/heads/main');
    expect(f[0]!.message).toContain('environment: Production');
    expect(f[0]!.fix).toContain(`az ad app federated-credential create --id ${CLIENT}`);
    expect(f[0]!.fix).toContain('"subject":"repo:octo-org/octo-repo:environment:Production"');
    expect(r.summary).toContain('az identity federated-credential create');
  });

  it('subject-mismatch from Entra alone, without credentials given', async () => {
    world.github.context.eventName = 'pull_request';
    world.github.context.ref = 'refs/pull/7/merge';
    const r = await run();
    const f = findings(r);
    expect(f[0]!.id).toBe('subject-mismatch');
    expect(f[0]!.code).toBe('AADSTS700213');
    expect(f[0]!.message).toContain('repo:octo-org/octo-repo:pull_request');
  });

  it('subject-case-mismatch (AADSTS7002138)', async () => {
    world.github.context.owner = 'Octo-Org';
    const r = await run({ inputs: { 'federated-credentials': JSON.stringify(world.credentials) } });
    const f = findings(r);
    expect(f.map((x) => x.id)).toEqual(['subject-case-mismatch']);
    expect(f[0]!.code).toBe('AADSTS7002138');
  });

  it('subject-immutable-format: the repository sends owner@id/repo@id', async () => {
    world.github.context.immutableSubject = true;
    const r = await run({ inputs: { 'federated-credentials': JSON.stringify(world.credentials) } });
    const f = findings(r);
    expect(f.map((x) => x.id)).toEqual(['subject-immutable-format']);
    expect(f[0]!.code).toBe('AADSTS700213');
    expect(f[0]!.message).toContain('repo:octo-org@1001/octo-repo@');
  });

  it('audience-mismatch: a US Government credential (AADSTS700212)', async () => {
    world.credentials[0]!.audiences = ['api://AzureADTokenExchangeUSGov'];
    const r = await run({ inputs: { 'federated-credentials': JSON.stringify(world.credentials) } });
    const f = findings(r);
    expect(f.map((x) => x.id)).toEqual(['audience-mismatch']);
    expect(f[0]!.code).toBe('AADSTS700212');
    expect(f[0]!.fix).toContain('audience: api://AzureADTokenExchangeUSGov');
  });

  it('warns when Entra accepts a token the listed credentials do not match', async () => {
    const r = await run({
      inputs: {
        'federated-credentials': JSON.stringify([
          { ...world.credentials[0], subject: 'repo:octo-org/octo-repo:ref:refs/heads/dev', name: 'dev' },
        ]),
      },
    });
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    expect(findingIds(r)).toContain('credential-lint');
  });
});

describe('Entra verdicts', () => {
  it('credential-not-found: the app has no federated credentials (AADSTS70025)', async () => {
    world.credentials.length = 0;
    const r = await run();
    const f = findings(r);
    expect(f[0]!.id).toBe('credential-not-found');
    expect(f[0]!.code).toBe('AADSTS70025');
  });

  it('client-not-found (AADSTS700016)', async () => {
    const r = await run({ inputs: { 'client-id': '99999999-2222-3333-4444-555555555555' } });
    const f = findings(r);
    expect(f[0]!.id).toBe('client-not-found');
    expect(f[0]!.code).toBe('AADSTS700016');
    expect(f[0]!.message).toContain('99999999-2222-3333-4444-555555555555');
  });

  it('tenant-not-found (AADSTS90002)', async () => {
    const r = await run({ inputs: { 'tenant-id': '00000000-0000-0000-0000-000000000001' } });
    const f = findings(r);
    expect(f[0]!.id).toBe('tenant-not-found');
    expect(f[0]!.code).toBe('AADSTS90002');
  });

  it('tenant-not-found (AADSTS900023)', async () => {
    world.entra.forceError = {
      code: 900023,
      text: "Specified tenant identifier 'contoso' is neither a valid DNS name, nor a valid external domain.",
    };
    const r = await run();
    expect(findings(r)[0]!.id).toBe('tenant-not-found');
    expect(findings(r)[0]!.code).toBe('AADSTS900023');
  });

  it('assertion-expired (AADSTS700024)', async () => {
    world.github.context.clockSkewSeconds = -900;
    const r = await run();
    const f = findings(r);
    expect(f[0]!.id).toBe('assertion-expired');
    expect(f[0]!.code).toBe('AADSTS700024');
  });

  it('issuer-unreachable (AADSTS90061), with the local verification warning beside it', async () => {
    world.github.faults.discovery = () => ({ status: 503 });
    const r = await run();
    const ids = findingIds(r);
    expect(ids[0]).toBe('issuer-unreachable');
    expect(findings(r)[0]!.code).toBe('AADSTS90061');
    expect(ids).toContain('token-verification');
  });

  it('signing-key-not-found (AADSTS7000272)', async () => {
    world.github.omitKidFromJwks = true;
    const r = await run();
    const f = findings(r);
    expect(f[0]!.id).toBe('signing-key-not-found');
    expect(f[0]!.code).toBe('AADSTS7000272');
  });

  it('tenant-policy: Conditional Access (AADSTS53003)', async () => {
    world.entra.tenants[TENANT]!.policy = { conditionalAccessBlock: true };
    const r = await run();
    expect(findings(r)[0]!.id).toBe('tenant-policy');
    expect(findings(r)[0]!.code).toBe('AADSTS53003');
  });

  it('tenant-policy: the tenant requires the enterprise claim (AADSTS7002381)', async () => {
    world.entra.tenants[TENANT]!.policy = { requireEnterprise: ['microsoft'] };
    const r = await run();
    expect(findings(r)[0]!.id).toBe('tenant-policy');
    expect(findings(r)[0]!.code).toBe('AADSTS7002381');
    expect(findings(r)[0]!.message).toContain('enterprise');
  });

  it('client-disabled (AADSTS7000112)', async () => {
    world.entra.tenants[TENANT]!.apps[CLIENT]!.disabled = true;
    const r = await run();
    expect(findings(r)[0]!.id).toBe('client-disabled');
    expect(findings(r)[0]!.code).toBe('AADSTS7000112');
  });

  it.each([
    [70021, 'credential-not-found'],
    [50166, 'issuer-unreachable'],
    [700238, 'tenant-policy'],
  ] as const)('AADSTS%i from Entra → %s', async (code, id) => {
    world.entra.forceError = { code };
    const r = await run();
    expect(r.code).toBe(1);
    expect(findings(r)[0]!.id).toBe(id);
    expect(findings(r)[0]!.code).toBe(`AADSTS${code}`);
  });

  it('tenant-policy: workload identity federation disabled in the tenant (AADSTS700223)', async () => {
    world.entra.tenants[TENANT]!.policy = { wifDisabled: true };
    const r = await run();
    expect(findings(r)[0]!.id).toBe('tenant-policy');
    expect(findings(r)[0]!.code).toBe('AADSTS700223');
  });

  it("aadsts-unknown keeps the code and Entra's own text", async () => {
    world.entra.forceError = { code: 9999991, text: 'Something new went wrong.' };
    const r = await run();
    expect(findings(r)[0]!.id).toBe('aadsts-unknown');
    expect(findings(r)[0]!.code).toBe('AADSTS9999991');
    expect(findings(r)[0]!.message).toContain('Something new went wrong.');
  });
});

describe('entra-unavailable and retries', () => {
  it('retries 5xx with a fresh GitHub token each time, then reports entra-unavailable', async () => {
    world.entra.faults.token = () => ({ status: 503 });
    const r = await run({ inputs: { 'timeout-seconds': '4' } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['entra-unavailable']);
    const tokenCalls = world.entra.requests.filter((q) => q.route === 'token');
    expect(tokenCalls.length).toBeGreaterThan(1);
    // A fresh GitHub token for every attempt.
    expect(world.github.requests.filter((q) => q.route === 'tokenRequest').length).toBe(tokenCalls.length);
    // Within the budget, read from what the run did rather than from a clock: the waits it planned
    // between attempts fit in timeout-seconds (r.timedOut, the harness's kill timer, is the hang guard).
    expect(announcedWaits(r).length).toBe(tokenCalls.length - 1);
    expect(announcedWaits(r).reduce((sum, s) => sum + s, 0)).toBeLessThanOrEqual(4);
  });

  it('honours Retry-After on 429 and then passes', async () => {
    world.entra.faults.token = [{ status: 429, retryAfter: 1 }];
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    const calls = world.entra.requests.filter((q) => q.route === 'token');
    expect(calls.length).toBe(2);
    // The one wait between the attempts is the Retry-After's 1 s.
    expect(announcedWaits(r)).toEqual([1]);
  });

  it('never retries a verdict', async () => {
    world.credentials[0]!.subject = 'repo:octo-org/octo-repo:ref:refs/heads/other';
    await run();
    expect(world.entra.requests.filter((q) => q.route === 'token').length).toBe(1);
  });
});

describe('fail-on', () => {
  it('never: the step passes but result says fail', async () => {
    world.credentials[0]!.subject = 'repo:octo-org/octo-repo:ref:refs/heads/other';
    const r = await run({ inputs: { 'fail-on': 'never' } });
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('fail');
  });

  it('warning: a warning fails the step', async () => {
    // A passing run no longer waits for (or warns about) the local verification once Entra has
    // accepted the token. With exchange off, the loopback issuer draws issuer-private, a warning.
    const r = await run({ inputs: { 'fail-on': 'warning', exchange: 'false' } });
    expect(r.outputs.result).toBe('pass');
    expect(findingIds(r)).toContain('issuer-private');
    expect(JSON.parse(r.outputs.findings!).every((f: { severity: string }) => f.severity === 'warning')).toBe(true);
    expect(r.code).toBe(1);
  });
});

describe('safety', () => {
  it('hostile credential names cannot forge a workflow command or break the summary', async () => {
    const hostile = 'evil\n::error title=forged::pwned|<img src=x onerror=alert(1)>`](javascript:alert(1))';
    const r = await run({
      inputs: {
        exchange: 'false',
        'federated-credentials': JSON.stringify([
          { ...world.credentials[0], name: hostile, subject: 'repo:o/r:ref:refs/heads/x' },
        ]),
      },
    });
    expect(
      r.commands
        .filter((c) => c.command === 'error')
        .every((c) => !c.properties.title?.includes('forged') || c.properties.title.includes('evil')),
    ).toBe(true);
    expect(r.commands.filter((c) => c.properties.title === 'forged')).toEqual([]);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error title=forged'))).toEqual([]);
    expect(r.summary).not.toContain('<img');
    expect(r.summary).not.toContain('](javascript:');
    const rows = r.summary
      .split('\n')
      .filter((l) => l.startsWith('| ') && l.includes('credential') === false && l.includes('❌'));
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(7);
  });

  it('debug mode prints claims but no token', async () => {
    const r = await run({ env: { RUNNER_DEBUG: '1' } });
    expect(r.commands.some((c) => c.command === 'debug')).toBe(true);
    assertNoSecrets(r, world.secrets());
  });
});
