/**
 * Proxies (HTTPS_PROXY / HTTP_PROXY / NO_PROXY) against `node dist/index.js` and a real local
 * CONNECT proxy, plain or over TLS. The toolkit never proxies loopback, so the action is sent to
 * names under `proxied.test` that only the proxy resolves (to 127.0.0.1): a call that went around
 * the proxy could not have reached anything. The issuer's discovery stays on 127.0.0.1 (direct).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startConnectProxy, type ConnectProxy, type ConnectProxyOptions } from '../support/connect-proxy.js';
import { startEntraStandin, type EntraStandin } from '../support/entra-standin.js';
import { defaultJobContext, startGitHubStandin, type GitHubStandin } from '../support/github-standin.js';
import { jobEnv, runAction, type ActionResult } from '../support/run-action.js';
import { createTestCertificate, type TestCertificate } from '../support/tls.js';
import { assertNoSecrets, CLIENT, EXCHANGE_AUDIENCE, findingIds, findings, TENANT } from './world.js';

const GITHUB_NAME = 'github.proxied.test';
const ENTRA_NAME = 'login.proxied.test';
const toLoopback = (host: string) => (host.endsWith('.proxied.test') ? '127.0.0.1' : host);

let dir: string;
let cert: TestCertificate;
let github: GitHubStandin;
let entra: EntraStandin;
const proxies: ConnectProxy[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'afc-proxy-'));
  // One certificate for Entra's stand-in (by its proxied name) and for the TLS proxy (127.0.0.1).
  cert = await createTestCertificate(dir, { dnsNames: ['localhost', ENTRA_NAME], ipAddresses: ['127.0.0.1'] });
  github = await startGitHubStandin();
  entra = await startEntraStandin({ tenants: {}, tls: cert });
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await github?.close();
  await entra?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  github.context = defaultJobContext();
  github.faults = {};
  github.requests.length = 0;
  entra.requests.length = 0;
  entra.tenants = {
    [TENANT]: {
      displayName: 'Contoso',
      domains: ['contoso.onmicrosoft.com'],
      apps: {
        [CLIENT]: {
          displayName: 'deploy-app',
          credentials: [
            { name: 'main', issuer: github.issuer, subject: github.subject(), audiences: [EXCHANGE_AUDIENCE] },
          ],
        },
      },
    },
  };
});

async function proxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const p = await startConnectProxy({ resolve: toLoopback, ...options });
  proxies.push(p);
  return p;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function run(env: Record<string, string>, timeoutSeconds = '10'): Promise<ActionResult> {
  const r = await runAction({
    inputs: {
      'client-id': CLIENT,
      'tenant-id': TENANT,
      'authority-host': `https://${ENTRA_NAME}:${entra.port}`,
      'timeout-seconds': timeoutSeconds,
    },
    env: {
      ...jobEnv(github.context),
      GITHUB_JOB: 'deploy',
      GITHUB_SERVER_URL: new URL(github.issuer).origin,
      ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl.replace('//127.0.0.1:', `//${GITHUB_NAME}:`),
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
      NODE_EXTRA_CA_CERTS: cert.certFile,
      ...env,
    },
  });
  expect(r.timedOut).toBe(false);
  expect(r.stderr).toBe('');
  assertNoSecrets(r, [...github.issuedTokens, ...entra.tokensIssued]);
  return r;
}

const expectedTunnels = () => [`${GITHUB_NAME}:${github.port}`, `${ENTRA_NAME}:${entra.port}`].sort();
/** Every place a person or a later step can read. */
const readable = (r: ActionResult) => [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)].join('\n');

describe('an http:// proxy: CONNECT in plaintext', () => {
  it("the runner's token and Entra's exchange go through it, and the check passes", async () => {
    const p = await proxy();
    const r = await run({ HTTPS_PROXY: p.url, HTTP_PROXY: p.url });
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    expect(p.tunnels.map((t) => t.target).sort()).toEqual(expectedTunnels());
    expect(p.tunnels.every((t) => t.status === 200)).toBe(true);
    expect(p.plainRequests).toEqual([]);
  });

  it('NO_PROXY sends the calls around the proxy (here: to names nothing resolves)', async () => {
    const p = await proxy();
    const r = await run({ HTTPS_PROXY: p.url, HTTP_PROXY: p.url, NO_PROXY: '.proxied.test' }, '1.5');
    expect(p.tunnels).toEqual([]);
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});

describe('an https:// proxy: spoken to over TLS', () => {
  it('CONNECT goes over TLS to the proxy, and the check passes', async () => {
    const p = await proxy({ tls: cert });
    expect(p.url.startsWith('https://')).toBe(true);
    const r = await run({ HTTPS_PROXY: p.url, HTTP_PROXY: p.url });
    expect(r.outputs.result).toBe('pass');
    expect(p.tunnels.map((t) => t.target).sort()).toEqual(expectedTunnels());
  });

  it('an https:// URL for a plaintext proxy: the action opens TLS (the proxy sees a handshake)', async () => {
    const plain = await proxy();
    const r = await run(
      { HTTPS_PROXY: plain.url.replace('http://', 'https://'), HTTP_PROXY: plain.url.replace('http://', 'https://') },
      '1.5',
    );
    expect(plain.tunnels).toEqual([]);
    expect(plain.unreadable).toBeGreaterThan(0);
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
  });

  it('credentials: sent as Proxy-Authorization inside TLS, never printed', async () => {
    const p = await proxy({ tls: cert, credentials: { user: 'svc-proxy', password: 'Pr0xy-S3cret!' } });
    const r = await run({ HTTPS_PROXY: p.url, HTTP_PROXY: p.url });
    expect(r.outputs.result).toBe('pass');
    expect(p.tunnels.length).toBe(2);
    const basic = `Basic ${Buffer.from('svc-proxy:Pr0xy-S3cret!').toString('base64')}`;
    expect(p.tunnels.every((t) => t.status === 200 && t.authorization === basic)).toBe(true);
    expect(readable(r)).not.toContain('Pr0xy-S3cret!');
    expect(readable(r)).not.toContain(basic.slice(6));
  });
});

describe('a proxy that fails', () => {
  it('refuses (407): oidc-request-failed naming the proxy and the status, without the password', async () => {
    const p = await proxy({ credentials: { user: 'u', password: 'right' } });
    const wrong = p.url.replace('http://', 'http://u:Wr0ng-Pa55@');
    const r = await run({ HTTPS_PROXY: wrong, HTTP_PROXY: wrong }, '1.5');
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain('407');
    expect(findings(r)[0]!.message).toContain(`127.0.0.1:${p.port}`);
    expect(readable(r)).not.toContain('Wr0ng-Pa55');
    expect(github.requests).toEqual([]);
  });

  it('is down: oidc-request-failed naming the proxy, nothing sent around it, no password', async () => {
    const port = await closedPort();
    const url = `http://svc:D0wn-Pa55@127.0.0.1:${port}`;
    const r = await run({ HTTPS_PROXY: url, HTTP_PROXY: url }, '1.5');
    expect(findingIds(r)).toEqual(['oidc-request-failed']);
    expect(findings(r)[0]!.message).toContain(`proxy 127.0.0.1:${port} unreachable: ECONNREFUSED`);
    expect(readable(r)).not.toContain('D0wn-Pa55');
    expect(github.requests).toEqual([]);
  });
});

describe('a malformed proxy setting: an input-invalid finding naming the variable, never a crash', () => {
  it.each([
    ['HTTPS_PROXY', 'http://[::1'],
    ['https_proxy', 'socks5://svc:S0cks-Pa55@proxy.example:1080'],
    ['HTTP_PROXY', 'http://svc:%ZZ-Pa55@proxy.example:3128'],
  ])('%s=%s', async (variable, value) => {
    const r = await run({ [variable]: value });
    expect(r.code).toBe(1);
    expect(findingIds(r)).toEqual(['input-invalid']);
    expect(findings(r)[0]!.title).toContain(variable);
    expect(readable(r)).not.toMatch(/Pa55|TypeError|failed unexpectedly/);
    expect(github.requests).toEqual([]);
  });
});
