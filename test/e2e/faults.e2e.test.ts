/**
 * Reliability: the network misbehaving the way networks, proxies and services really do, injected
 * through the stand-ins, against `node dist/index.js`. Every case must end in the right finding
 * (or pass) within a bounded total time, retrying only where a retry can help: never an Entra
 * verdict, never a refused request token. No clock is read (timed tests are flaky on a loaded
 * CI): the bound is what the run says it did (`withinBudget`), and the harness's kill timer is
 * the hang guard (`r.timedOut`, checked in `run`).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../support/faults.js';
import { announcedWaits, assertNoSecrets, EXCHANGE_AUDIENCE, findingIds, findings, useWorld } from './world.js';

const world = useWorld();
const checked: Run[] = [];

type Run = Awaited<ReturnType<typeof world.run>>;

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
const passed = (r: Run) => {
  expect(r.code).toBe(0);
  expect(r.outputs.result).toBe('pass');
};

/** The time limits the run gave requests that got no answer ('No answer from … within 1.2 s.'), in seconds. */
const answerLimits = (r: Run): number[] =>
  findings(r).flatMap((f) =>
    [...f.message.matchAll(/No answer from \S+ within (\d+(?:\.\d+)?) s\./g)].map((m) => Number(m[1])),
  );

/**
 * The run kept to timeout-seconds, read from what it did rather than from a clock: its own report
 * came (not the watchdog's run-timeout, src/action/deadline.ts), the waits it planned between
 * attempts fit in the budget, and so did the time limit of every request left without an answer.
 */
function withinBudget(r: Run, seconds: number): void {
  expect(findingIds(r)).not.toContain('run-timeout');
  expect(announcedWaits(r).reduce((sum, s) => sum + s, 0)).toBeLessThanOrEqual(seconds);
  for (const limit of answerLimits(r)) expect(limit).toBeLessThanOrEqual(seconds);
}

describe('connection refused', () => {
  it('runner token endpoint on a closed port: retried, then oidc-request-failed within timeout-seconds', async () => {
    const port = await closedPort();
    const r = await run({
      inputs: { 'timeout-seconds': '1.5' },
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/idtoken?api-version=2.0` },
    });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('ECONNREFUSED');
    expect(findings(r)[0]!.message).toMatch(/after [2-9] attempts/);
    withinBudget(r, 1.5);
    expect(world.entra.requests).toEqual([]);
  });

  it('authority-host on a closed port: retried with fresh tokens, then entra-unavailable in the budget', async () => {
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
    withinBudget(r, 1.5);
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
    withinBudget(r, 1.5);
  });
});

describe('an answer that never comes', () => {
  it('the token endpoint hangs: oidc-request-failed when the budget is spent, not a hang', async () => {
    world.github.faults.tokenRequest = () => ({ hang: true });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('No answer');
    // The one request was given what was left of the budget (at least 1 s, src/action/run.ts), not less.
    expect(answerLimits(r)).toHaveLength(1);
    expect(answerLimits(r)[0]).toBeGreaterThanOrEqual(1);
    withinBudget(r, 1.5);
  });

  it('Entra hangs: entra-unavailable when the budget is spent', async () => {
    world.entra.faults.token = () => ({ hang: true });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['entra-unavailable']);
    expect(findings(r)[0]!.message).toContain('No answer');
    withinBudget(r, 1.5);
  });

  it('the issuer discovery hangs: Entra accepts, and the run does not wait for the discovery', async () => {
    world.github.faults.discovery = ours({ hang: true });
    // Waiting for the hanging discovery would take its 10 s request limit (src/action/run.ts), past the
    // harness's 9 s kill timer: r.timedOut (checked in run) is the guard, not a clock.
    const r = await run({ inputs: { 'timeout-seconds': '60' }, timeoutMs: 9_000 });
    passed(r);
    // Entra's acceptance proves the signature: no verification finding, and no wait for the hanging answer.
    expect(findingIds(r)).toEqual([]);
    expect(world.github.requests.some((q) => q.route === 'discovery' && q.status === undefined)).toBe(true);
  });

  it('discovery hangs with exchange off: no proof, so token-verification is an error within the budget', async () => {
    world.github.faults.discovery = ours({ hang: true });
    const r = await run({ inputs: { 'timeout-seconds': '1.5', exchange: 'false' } });
    expect(r.code).toBe(1);
    expect(r.outputs.result).toBe('fail');
    // issuer-private (a loopback issuer Entra could not reach) may stand beside it, as a warning.
    expect(findingIds(r)[0]).toBe('token-verification');
    expect(findings(r)[0]!.severity).toBe('error');
    withinBudget(r, 1.5);
  });

  it('a slow discovery followed by a hanging JWKS still ends within the budget (one budget for both)', async () => {
    world.github.faults.discovery = ours({ delayMs: 1_500 });
    world.github.faults.jwks = ours({ hang: true });
    const r = await run({ inputs: { 'timeout-seconds': '2', exchange: 'false' } });
    // issuer-private (a loopback issuer Entra could not reach) may stand beside it, as a warning.
    expect(findingIds(r)[0]).toBe('token-verification');
    expect(findings(r)[0]!.title).toContain('jwks');
    // One budget: the JWKS request got what the 1.5 s discovery left of 2 s; separate budgets would give it 2 s.
    expect(answerLimits(r)).toHaveLength(1);
    expect(answerLimits(r)[0]).toBeLessThanOrEqual(0.5);
    withinBudget(r, 2);
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
    // The one wait between the attempts is the Retry-After's 1 s.
    expect(announcedWaits(r)).toEqual([1]);
  });

  it('Entra: waits as told, then passes', async () => {
    world.entra.faults.token = [{ status: 429, retryAfter: 1 }];
    const r = await run({ inputs: { 'timeout-seconds': '10' } });
    passed(r);
    const calls = entraCalls();
    expect(calls.length).toBe(2);
    // The one wait between the attempts is the Retry-After's 1 s.
    expect(announcedWaits(r)).toEqual([1]);
  });

  it('a Retry-After beyond the budget: entra-unavailable at once, not sleeping past timeout-seconds', async () => {
    world.entra.faults.token = () => ({ status: 429, retryAfter: 30 });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(findingIds(r)).toEqual(['entra-unavailable']);
    expect(findings(r)[0]!.message).toContain('429');
    expect(entraCalls().length).toBe(1);
    expect(announcedWaits(r)).toEqual([]);
    withinBudget(r, 1.5);
  });
});

describe('an HTML page from a proxy instead of JSON', () => {
  it('on the runner token endpoint: oidc-request-failed naming the HTML page', async () => {
    world.github.faults.tokenRequest = () => ({ html: true });
    const r = await run({ inputs: { 'timeout-seconds': '1.5' } });
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('HTML page');
    withinBudget(r, 1.5);
  });

  it('runner token endpoint with 403: the proxy page is named, the request token not blamed, no retry', async () => {
    world.github.faults.tokenRequest = () => ({ html: true, status: 403 });
    const r = await run({ inputs: { 'timeout-seconds': '5' } });
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('HTML page');
    expect(findings(r)[0]!.message).not.toContain('ACTIONS_ID_TOKEN_REQUEST_TOKEN is stale');
    expect(tokenRequests().length).toBe(1);
  });

  it('on Entra (HTTP 200): entra-unavailable naming the HTML page, no retry (a proxy page is lasting)', async () => {
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
    withinBudget(r, 1.5);
  });

  it('on the issuer discovery with exchange off: token-verification names the HTML page; the check fails', async () => {
    world.github.faults.discovery = ours({ html: true });
    const r = await run({ inputs: { 'timeout-seconds': '5', exchange: 'false' } });
    expect(r.code).toBe(1);
    expect(findingIds(r)[0]).toBe('token-verification');
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
    const exp = (jwt: string) =>
      (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
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
    expect(announcedWaits(r)).toEqual([]);
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

describe('a pass requires proof: with exchange off, only a verified signature', () => {
  /** Serve `forged` as the runner's token, for every request. */
  const serve = (forged: string) => {
    world.github.faults.tokenRequest = () => ({ status: 200, body: { value: forged, count: 1 } });
  };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it('a genuine token verifies and passes', async () => {
    const r = await run({ inputs: { exchange: 'false', 'federated-credentials': JSON.stringify(world.credentials) } });
    passed(r);
    expect(r.summary).toContain("against the issuer's JWKS");
  });

  it.each([
    [
      'alg none',
      async () => {
        const [, payload] = (await world.github.signToken()).split('.');
        return `${b64({ alg: 'none', typ: 'JWT', kid: world.github.kid })}.${payload}.`;
      },
      /alg|JOSEAlgNotAllowed|ERR_JOSE_ALG_NOT_ALLOWED/,
    ],
    [
      'a garbage RS256 signature',
      async () => world.github.signToken({}, {}, { foreignKey: true }),
      /SIGNATURE|signature/,
    ],
    [
      'HS256 keyed with the public key',
      async () => {
        const { SignJWT } = await import('jose');
        const key = new TextEncoder().encode(JSON.stringify(world.github.jwks().keys[0]));
        return new SignJWT(world.github.claims(EXCHANGE_AUDIENCE))
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: world.github.kid })
          .sign(key);
      },
      /alg|JOSEAlgNotAllowed|ERR_JOSE_ALG_NOT_ALLOWED/,
    ],
  ])('%s: an error finding with the reason, result fail', async (_label, forge, reason) => {
    serve(await forge());
    const r = await run({ inputs: { exchange: 'false', 'federated-credentials': JSON.stringify(world.credentials) } });
    expect(r.code).toBe(1);
    expect(r.outputs.result).toBe('fail');
    const f = findings(r).find((x) => x.id === 'token-verification');
    expect(f?.severity).toBe('error');
    expect(f?.message).toMatch(reason);
    expect(world.entra.requests).toEqual([]);
  });
});

describe('keys are fetched only from issuers this run can trust', () => {
  it('a token naming another issuer: its discovery is never fetched; the check says it could not verify', async () => {
    const elsewhere: string[] = [];
    const server = createServer((req, res) => {
      elsewhere.push(req.url ?? '');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const iss = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const forged = await world.github.signToken({ iss });
      world.github.faults.tokenRequest = () => ({ status: 200, body: { value: forged } });
      const r = await run({ inputs: { exchange: 'false' } });
      expect(elsewhere).toEqual([]);
      expect(r.code).toBe(1);
      const f = findings(r).find((x) => x.id === 'token-verification');
      expect(f?.severity).toBe('error');
      expect(f?.message).toContain('not fetched');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('secrets are masked before any line that could follow them', () => {
  it("a retried exchange: the fresh token's mask precedes the retry line; the access token is masked", async () => {
    world.entra.faults.token = [
      {
        status: 503,
        body: {
          error: 'temporarily_unavailable##[stop-commands]x',
          error_description: 'AADSTS50196: busy',
          error_codes: [50196],
        },
      },
    ];
    const r = await run({ inputs: { 'timeout-seconds': '10' } });
    passed(r);
    const lines = r.stdout.split('\n');
    const retryLine = lines.findIndex((l) => l.includes('Exchange attempt 1 failed'));
    expect(retryLine).toBeGreaterThan(-1);
    expect(lines[retryLine]).not.toContain('stop-commands');
    const fresh = issued()[1]!;
    const maskOf = (secret: string) =>
      lines.findIndex((l) => l.startsWith('::add-mask::') && l.includes(secret.slice(0, 40)));
    expect(maskOf(fresh)).toBeGreaterThan(-1);
    expect(maskOf(fresh)).toBeLessThan(retryLine);
    // The runner's view: every secret's mask is a command it processed.
    const masked = r.commands.filter((c) => c.command === 'add-mask').map((c) => c.message);
    for (const secret of [...issued(), ...world.entra.tokensIssued.slice(-1)]) expect(masked).toContain(secret);
  });
});
