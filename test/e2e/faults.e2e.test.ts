/**
 * Reliability: the network misbehaving the way networks, proxies and services really do, injected
 * through the stand-ins, against `node dist/index.js`. Every case must end in the right finding
 * (or pass) within a bounded total time, retrying only where a retry can help: never an Entra
 * verdict, never a refused request token.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../support/faults.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { annotations, assertNoSecrets, findingIds, findings, useWorld } from './world.js';

const world = useWorld();
const checked: Array<Awaited<ReturnType<typeof world.run>>> = [];

/** Slack over timeout-seconds for process start-up and the last request's own minimum timeout. */
const SLACK_MS = 1_500;

async function run(options: Parameters<typeof world.run>[0] = {}) {
  const r = await world.run(options);
  checked.push(r);
  expect(r.timedOut, 'the action was killed by the harness').toBe(false);
  expect(r.stderr).toBe('');
  return r;
}

let issuedBefore = 0;
beforeEach(() => {
  issuedBefore = world.github.issuedTokens.length;
});
/** GitHub tokens issued during the current test, in order. */
const issued = () => world.github.issuedTokens.slice(issuedBefore);

afterEach(() => {
  const secrets = world.secrets();
  for (const r of checked.splice(0)) assertNoSecrets(r, secrets);
});

/** A fault for the action's own requests only (the Entra stand-in fetches discovery and JWKS too). */
function ours(fault: Fault | ((n: number) => Fault | undefined)) {
  let n = 0;
  return (req: IncomingMessage): Fault | undefined => {
    if (!String(req.headers['user-agent'] ?? '').startsWith('azure-federation-check')) return undefined;
    return typeof fault === 'function' ? fault(n++) : fault;
  };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const tokenRequests = () => world.github.requests.filter((q) => q.route === 'tokenRequest');
const entraCalls = () => world.entra.requests.filter((q) => q.route === 'token');
const passed = (r: Awaited<ReturnType<typeof world.run>>) => {
  expect(r.code).toBe(0);
  expect(r.outputs.result).toBe('pass');
};

describe('connection refused', () => {
  it('the runner token endpoint on a closed port: retried, then oidc-request-failed within timeout-seconds', async () => {
    const port = await closedPort();
    const r = await run({ inputs: { 'timeout-seconds': '1.5' }, env: { ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/idtoken?api-version=2.0` } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('ECONNREFUSED');
    expect(findings(r)[0]!.message).toMatch(/after [2-9] attempts/);
    expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
    expect(world.entra.requests).toEqual([]);
  });

  it('authority-host on a closed port: retried with a fresh token, then entra-unavailable within timeout-seconds', async () => {
    const port = await closedPort();
    const r = await run({ inputs: { 'timeout-seconds': '1.5', 'authority-host': `https://127.0.0.1:${port}` } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['entra-unavailable']);
    const f = findings(r)[0]!;
    expect(f.message).toContain('ECONNREFUSED');
    const attempts = Number(/after (\d+) attempts?/.exec(f.message)?.[1]);
    expect(attempts).toBeGreaterThan(1);
    // One token for the first attempt, a fresh one for each retry.
    expect(tokenRequests().length).toBe(attempts);
    expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
  });
});

describe('reset mid-response', () => {
  it('the token endpoint resets once: retried and passes', async () => {
    world.github.faults.tokenRequest = [{ reset: true }];
    const r = await run({ inputs: { 'timeout-seconds': '10' } });
    passed(r);
    expect(tokenRequests().length).toBe(2);
  });

  it('Entra resets once: retried with a fresh token and passes', async () => {
    world.entra.faults.token = [{ reset: true }];
    const r = await run({ inputs: { 'timeout-seconds': '10' } });
    passed(r);
    expect(entraCalls().length).toBe(2);
    // The stand-in records no form for a faulted request: the retry's assertion is the second token issued.
    expect(issued().length).toBe(2);
    expect(entraCalls()[1]!.form?.client_assertion).toBe(issued()[1]);
    expect(r.summary).toContain('after 2 attempts');
  });

  it('the token endpoint always resets: oidc-request-failed within timeout-seconds', async () => {
    world.github.faults.tokenRequest = () => ({ reset: true });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toMatch(/reset|broke/);
    expect(tokenRequests().length).toBeGreaterThan(1);
    expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
  });
});

describe('an answer that never comes', () => {
  it('the token endpoint hangs: oidc-request-failed when the budget is spent, not a hang', async () => {
    world.github.faults.tokenRequest = () => ({ hang: true });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('No answer');
    expect(r.durationMs).toBeGreaterThanOrEqual(1_400);
    expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
  });

  it('Entra hangs: entra-unavailable when the budget is spent', async () => {
    world.entra.faults.token = () => ({ hang: true });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['entra-unavailable']);
    expect(findings(r)[0]!.message).toContain('No answer');
    expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
  });

  it('the issuer discovery hangs: the exchange still decides, verification is a warning, within the budget', async () => {
    world.github.faults.discovery = ours({ hang: true });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    passed(r);
    expect(findingIds(r)).toEqual(['token-verification']);
    expect(findings(r)[0]!.severity).toBe('warning');
    expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
  });

  it('a slow discovery followed by a hanging JWKS still ends within the budget (one budget for both)', async () => {
    world.github.faults.discovery = ours({ delayMs: 1_500 });
    world.github.faults.jwks = ours({ hang: true });
    const r = await run({ inputs: { 'timeout-seconds': '2' } });
    passed(r);
    expect(findingIds(r)).toEqual(['token-verification']);
    expect(findings(r)[0]!.title).toContain('jwks');
    // Separate budgets would take 1.5 s + 2 s.
    expect(r.durationMs).toBeLessThan(2_000 + 1_000);
  });
});

describe('5xx bursts, then success', () => {
  it('the token endpoint answers 503 then 500, then a token: passes on the third request', async () => {
    world.github.faults.tokenRequest = [{ status: 503 }, { status: 500 }];
    const r = await run({ inputs: { 'timeout-seconds': '10' } });
    passed(r);
    expect(tokenRequests().map((q) => q.status)).toEqual([503, 500, 200]);
  });

  it('Entra answers 503 then 502: passes on the third attempt, each with a fresh GitHub token', async () => {
    world.entra.faults.token = [{ status: 503 }, { status: 502 }];
    const r = await run({ inputs: { 'timeout-seconds': '10' } });
    passed(r);
    const calls = entraCalls();
    expect(calls.map((q) => q.status)).toEqual([503, 502, 200]);
    expect(tokenRequests().length).toBe(3);
    expect(new Set(issued()).size).toBe(3);
    expect(calls[2]!.form?.client_assertion).toBe(issued()[2]);
    expect(r.summary).toContain('after 3 attempts');
  });
});

describe('429 with Retry-After', () => {
  it('the token endpoint: waits as told, then passes', async () => {
    world.github.faults.tokenRequest = [{ status: 429, retryAfter: 1 }];
    const r = await run({ inputs: { 'timeout-seconds': '10' } });
    passed(r);
    const calls = tokenRequests();
    expect(calls.length).toBe(2);
    expect(calls[1]!.time - calls[0]!.time).toBeGreaterThanOrEqual(900);
  });

  it('Entra: waits as told, then passes', async () => {
    world.entra.faults.token = [{ status: 429, retryAfter: 1 }];
    const r = await run({ inputs: { 'timeout-seconds': '10' } });
    passed(r);
    const calls = entraCalls();
    expect(calls.length).toBe(2);
    expect(calls[1]!.time - calls[0]!.time).toBeGreaterThanOrEqual(900);
  });

  it('a Retry-After beyond the budget: entra-unavailable at once instead of sleeping past timeout-seconds', async () => {
    world.entra.faults.token = () => ({ status: 429, retryAfter: 30 });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(findingIds(r)).toEqual(['entra-unavailable']);
    expect(findings(r)[0]!.message).toContain('429');
    expect(entraCalls().length).toBe(1);
    expect(r.durationMs).toBeLessThan(1_500);
  });
});

describe('an HTML page from a proxy instead of JSON', () => {
  it('on the runner token endpoint: oidc-request-failed naming the HTML page', async () => {
    world.github.faults.tokenRequest = () => ({ html: true });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('HTML page');
    expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
  });

  it('on the runner token endpoint with 403: the proxy page is named, not the request token blamed, and not retried', async () => {
    world.github.faults.tokenRequest = () => ({ html: true, status: 403 });
    const r = await run({ inputs: { 'timeout-seconds': '5' } });
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('HTML page');
    expect(findings(r)[0]!.message).not.toContain('ACTIONS_ID_TOKEN_REQUEST_TOKEN is stale');
    expect(tokenRequests().length).toBe(1);
  });

  it('on Entra (HTTP 200): entra-unavailable naming the HTML page, not retried (a proxy page is not transient)', async () => {
    world.entra.faults.token = () => ({ html: true });
    const r = await run({ inputs: { 'timeout-seconds': '5' } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['entra-unavailable']);
    expect(findings(r)[0]!.message).toContain('HTML page');
    expect(entraCalls().length).toBe(1);
  });

  it('on Entra (HTTP 502 from a gateway): retried, then entra-unavailable within the budget', async () => {
    world.entra.faults.token = () => ({ html: true, status: 502 });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(findingIds(r)).toEqual(['entra-unavailable']);
    expect(findings(r)[0]!.message).toContain('HTML page');
    expect(entraCalls().length).toBeGreaterThan(1);
    expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
  });

  it('on the issuer discovery: the exchange passes, verification warns about the HTML page', async () => {
    world.github.faults.discovery = ours({ html: true });
    const r = await run({ inputs: { 'timeout-seconds': '5' } });
    passed(r);
    expect(findingIds(r)).toEqual(['token-verification']);
    expect(findings(r)[0]!.message).toContain('HTML page');
  });
});

describe("the issuer's keys and clocks", () => {
  it('a JWKS without the token key: signing-key-not-found, with the local verification agreeing', async () => {
    world.github.omitKidFromJwks = true;
    const r = await run({ inputs: { 'timeout-seconds': '5' } });
    expect(r.code).toBe(1);
    const ids = findingIds(r);
    expect(ids[0]).toBe('signing-key-not-found');
    expect(ids).toContain('token-verification');
    expect(entraCalls().length).toBe(1);
  });

  it('a clock two minutes ahead: within Entra tolerance, passes', async () => {
    world.github.context.clockSkewSeconds = 120;
    const r = await run({ inputs: { 'timeout-seconds': '5' } });
    passed(r);
    expect(findingIds(r)).toEqual([]);
  });

  it('a clock fifteen minutes behind: assertion-expired, a verdict, not retried', async () => {
    world.github.context.clockSkewSeconds = -900;
    const r = await run({ inputs: { 'timeout-seconds': '5' } });
    expect(findingIds(r)[0]).toBe('assertion-expired');
    expect(findings(r)[0]!.code).toBe('AADSTS700024');
    expect(entraCalls().length).toBe(1);
    expect(tokenRequests().length).toBe(1);
  });

  it('a GitHub token that expires between attempts: the retry presents a fresh token and passes', async () => {
    // Tokens live 2 s; Entra's first answer is 503 with Retry-After 2, so the first token is dead by the retry.
    world.github.context.lifetimeSeconds = 2;
    world.entra.faults.token = [{ status: 503, retryAfter: 2 }];
    const r = await run({ inputs: { 'timeout-seconds': '10' } });
    passed(r);
    const calls = entraCalls();
    expect(calls.length).toBe(2);
    // Two tokens were issued: the first (the only one there was) for attempt 1, the second for attempt 2.
    expect(issued().length).toBe(2);
    const [first, second] = issued() as [string, string];
    expect(calls[1]!.form?.client_assertion).toBe(second);
    expect(calls[0]!.time).toBeLessThan(world.github.requests.filter((q) => q.route === 'tokenRequest')[1]!.time);
    // Reusing the first token would have failed: it had expired when the second attempt was made.
    const exp = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
    expect(exp(first) * 1000).toBeLessThanOrEqual(calls[1]!.time);
    expect(exp(second) * 1000).toBeGreaterThan(calls[1]!.time);
  });
});

describe('no retry where a retry cannot help', () => {
  it('a refused request token (401 from the runner): one request', async () => {
    const r = await run({ inputs: { 'timeout-seconds': '5' }, env: { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'stale' } });
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('401');
    expect(tokenRequests().length).toBe(1);
    expect(r.durationMs).toBeLessThan(3_000);
  });

  it.each([
    [{ code: 700213 }, 'subject-mismatch'],
    [{ code: 700016 }, 'client-not-found'],
    [{ code: 50027 }, 'assertion-invalid'],
  ])('an Entra verdict (%j): one attempt, %s', async (forced, id) => {
    world.entra.forceError = forced;
    const r = await run({ inputs: { 'timeout-seconds': '5' } });
    expect(findingIds(r)[0]).toBe(id);
    expect(entraCalls().length).toBe(1);
    expect(tokenRequests().length).toBe(1);
  });
});

describe('an HTTPS proxy (HTTPS_PROXY / HTTP_PROXY / NO_PROXY)', () => {
  let proxy: ConnectProxy;
  beforeAll(async () => {
    proxy = await startConnectProxy();
  });
  afterAll(async () => {
    await proxy?.close();
  });
  const proxyEnv = (url: string) => ({ HTTPS_PROXY: url, HTTP_PROXY: url, AFC_PROXY_LOOPBACK: '1' });

  it('every call of the action, msal-node included, goes through the proxy', async () => {
    proxy.tunnels.length = 0;
    const r = await run({ inputs: { 'timeout-seconds': '10' }, env: proxyEnv(proxy.url) });
    passed(r);
    const github = `127.0.0.1:${world.github.port}`;
    const entra = `127.0.0.1:${world.entra.port}`;
    // Runner token, discovery, JWKS (plain http, tunnelled too) and Entra's token endpoint.
    expect(proxy.tunnels.map((t) => t.target).sort()).toEqual([github, github, github, entra].sort());
    expect(proxy.tunnels.every((t) => t.status === 200)).toBe(true);
    expect(proxy.plainRequests).toEqual([]);
    const direct = world.github.requests.filter((q) => q.userAgent?.startsWith('azure-federation-check')).length + entraCalls().length;
    expect(proxy.tunnels.length).toBe(direct);
  });

  it('NO_PROXY keeps the calls direct', async () => {
    proxy.tunnels.length = 0;
    const r = await run({ inputs: { 'timeout-seconds': '10' }, env: { ...proxyEnv(proxy.url), NO_PROXY: 'localhost,127.0.0.1' } });
    passed(r);
    expect(proxy.tunnels).toEqual([]);
  });

  it('a proxy with credentials: sent as Proxy-Authorization, never printed', async () => {
    const authed = await startConnectProxy({ credentials: { user: 'svc-proxy', password: 'Pr0xy-S3cret!' } });
    try {
      const r = await run({ inputs: { 'timeout-seconds': '10' }, env: proxyEnv(authed.url) });
      passed(r);
      expect(authed.tunnels.length).toBe(4);
      expect(authed.tunnels.every((t) => t.status === 200 && t.authorization?.startsWith('Basic '))).toBe(true);
      for (const text of [r.stdout, r.summary, JSON.stringify(r.outputs)]) expect(text).not.toContain('Pr0xy-S3cret!');
    } finally {
      await authed.close();
    }
  });

  it('a proxy that refuses (407): oidc-request-failed within the budget, the proxy named', async () => {
    const authed = await startConnectProxy({ credentials: { user: 'u', password: 'p' } });
    try {
      const r = await run({ inputs: { 'timeout-seconds': '1.5' }, env: proxyEnv(`http://127.0.0.1:${authed.port}`) });
      expect(findingIds(r)).toEqual(['oidc-request-failed']);
      expect(findings(r)[0]!.message).toContain('407');
      expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
      expect(world.github.requests).toEqual([]);
    } finally {
      await authed.close();
    }
  });

  it('a proxy that is down: oidc-request-failed within the budget, nothing sent around it', async () => {
    const port = await closedPort();
    const r = await run({ inputs: { 'timeout-seconds': '1.5' }, env: proxyEnv(`http://127.0.0.1:${port}`) });
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain(`proxy 127.0.0.1:${port} unreachable: ECONNREFUSED`);
    expect(annotations(r).length).toBe(1);
    expect(r.durationMs).toBeLessThan(1_500 + SLACK_MS);
    expect(world.github.requests).toEqual([]);
  });
});
