/**
 * The stand-ins themselves: real JWTs, real TLS, Entra's matching rules and error shapes,
 * and the runner harness. End-to-end tests rely on all of this behaving.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  evaluateClaimsExpression,
  startEntraStandin,
  type EntraStandin,
  type FederatedCredential,
} from '../support/entra-standin.js';
import { startGitHubStandin, subjectFor, defaultJobContext, type GitHubStandin } from '../support/github-standin.js';
import {
  inputEnvName,
  jobEnv,
  parseFileCommand,
  parseWorkflowCommands,
  REPO_ROOT,
  runAction,
  standinEnv,
} from '../support/run-action.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const AUD = 'api://AzureADTokenExchange';
const SCOPE = 'https://management.azure.com/.default';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests poke at arbitrary JSON
  json: any;
}

/** One HTTP(S) request with an explicit CA, as the brief asks (no global trust changes). */
function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; ca?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const mod = target.protocol === 'https:' ? https : http;
    const req = mod.request(
      target,
      { method: init.method ?? 'GET', headers: init.headers, agent: false, ...(init.ca ? { ca: init.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error('client timeout')), init.timeoutMs ?? 10_000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(init.body);
  });
}

let github: GitHubStandin;
let entra: EntraStandin;

function ficFor(gh: GitHubStandin, extra: Partial<FederatedCredential> = {}): FederatedCredential {
  return { name: 'main', issuer: gh.issuer, subject: gh.subject(), audiences: [AUD], ...extra };
}

function exchange(assertion: string | undefined, overrides: Record<string, string | undefined> = {}, tenant = TENANT) {
  const form = new URLSearchParams();
  const fields: Record<string, string | undefined> = {
    client_id: CLIENT,
    scope: SCOPE,
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    'x-client-SKU': 'msal.js.node',
    client_info: '1',
    ...overrides,
  };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
  return request(`${entra.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
      'client-request-id': 'aaaa0000-bb11-2222-33cc-444444dddddd',
    },
    body: form.toString(),
    ca: entra.ca,
  });
}

function expectEntraError(reply: Reply, code: number, error: string, status: number): string {
  expect(reply.status).toBe(status);
  expect(reply.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const body = reply.json as Record<string, unknown>;
  expect(Object.keys(body).slice(0, 7)).toEqual([
    'error',
    'error_description',
    'error_codes',
    'timestamp',
    'trace_id',
    'correlation_id',
    'error_uri',
  ]);
  expect(body['error']).toBe(error);
  expect(body['error_codes']).toEqual([code]);
  expect(body['timestamp']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(body['error_uri']).toBe(`https://login.microsoftonline.com/error?code=${code}`);
  const description = String(body['error_description']);
  expect(description).toMatch(
    new RegExp(
      `^AADSTS${code}: .+ Trace ID: ${body['trace_id']} Correlation ID: ` +
        `${body['correlation_id']} Timestamp: ${body['timestamp']}$`,
      's',
    ),
  );
  return description.replace(/^AADSTS\d+: /, '').replace(/ Trace ID: .*$/s, '');
}

beforeAll(async () => {
  github = await startGitHubStandin();
  entra = await startEntraStandin({ tenants: {} });
});

afterAll(async () => {
  await Promise.all([github?.close(), entra?.close()]);
});

/** Each test starts from a clean job, no faults and one app with one matching credential. */
beforeEach(() => {
  github.context = defaultJobContext();
  github.faults = {};
  github.omitKidFromJwks = false;
  entra.faults = {};
  delete entra.forceError;
  entra.tenants = {
    [TENANT]: {
      displayName: 'Contoso',
      domains: ['contoso.onmicrosoft.com'],
      apps: { [CLIENT]: { displayName: 'deploy-app', credentials: [ficFor(github)] } },
    },
  };
});

describe('test certificate', () => {
  it('is shared by global setup and names 127.0.0.1 and localhost', () => {
    const shared = inject('afcTestCertificate');
    expect(process.env['AFC_TEST_CA_DIR']).toBeTruthy();
    expect(entra.caFile).toBe(shared.certFile);
    const x509 = new X509Certificate(shared.cert);
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.ca).toBe(true);
  });

  it('lets a client that trusts the CA in, and only that client', async () => {
    const ok = await request(`${entra.authorityHost}/${TENANT}/v2.0/.well-known/openid-configuration`, {
      ca: entra.ca,
    });
    expect(ok.status).toBe(200);
    await expect(request(`${entra.authorityHost}/${TENANT}/v2.0/.well-known/openid-configuration`)).rejects.toThrow(
      /self[- ]signed/i,
    );
  });
});

describe('GitHub stand-in', () => {
  it('hands out a JWT verifiable against its discovery document and JWKS', async () => {
    const reply = await request(`${github.requestUrl}&audience=${encodeURIComponent(AUD)}`, {
      headers: { authorization: `Bearer ${github.requestToken}` },
    });
    expect(reply.status).toBe(200);
    expect(reply.json.count).toBe(1);
    const jwt = String(reply.json.value);
    expect(github.issuedTokens).toContain(jwt);

    const discovery = await request(`${github.issuer}/.well-known/openid-configuration`);
    expect(discovery.json).toMatchObject({
      issuer: github.issuer,
      jwks_uri: `${github.issuer}/.well-known/jwks`,
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
      response_types_supported: ['id_token'],
    });
    expect(discovery.json.claims_supported).toContain('job_workflow_ref');

    const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(discovery.json.jwks_uri)), {
      issuer: github.issuer,
      audience: AUD,
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: github.kid });
    expect(protectedHeader.x5t).toBe(github.jwks().keys[0]?.x5t);
    expect(payload).toMatchObject({
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      repository: 'octo-org/octo-repo',
      repository_owner_id: '1001',
      repository_id: '2002',
      ref_type: 'branch',
      ref_protected: 'true',
      event_name: 'push',
      job_workflow_ref: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
      runner_environment: 'github-hosted',
    });
    for (const claim of [
      'jti',
      'sha',
      'run_id',
      'run_number',
      'run_attempt',
      'actor',
      'actor_id',
      'workflow',
      'workflow_ref',
      'workflow_sha',
      'job_workflow_sha',
      'head_ref',
      'base_ref',
      'repository_visibility',
      'nbf',
      'iat',
      'exp',
    ]) {
      expect(payload, claim).toHaveProperty(claim);
    }
    expect(payload).not.toHaveProperty('environment');
    expect(payload).not.toHaveProperty('enterprise');
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('defaults aud to the owner URL and requires the request token', async () => {
    const noAuth = await request(github.requestUrl);
    expect(noAuth.status).toBe(401);
    expect(noAuth.json.message).toMatch(/TF400813/);
    const reply = await request(github.requestUrl, { headers: { authorization: `Bearer ${github.requestToken}` } });
    expect(decodeJwt(reply.json.value).aud).toBe('https://github.com/octo-org');
  });

  it('builds subjects like GitHub', () => {
    const ctx = defaultJobContext();
    expect(subjectFor({ ...ctx, environment: 'Production' })).toBe('repo:octo-org/octo-repo:environment:Production');
    expect(subjectFor({ ...ctx, eventName: 'pull_request', ref: 'refs/pull/13/merge' })).toBe(
      'repo:octo-org/octo-repo:pull_request',
    );
    expect(subjectFor({ ...ctx, eventName: 'pull_request_target', environment: 'prod' })).toBe(
      'repo:octo-org/octo-repo:environment:prod',
    );
    expect(subjectFor({ ...ctx, ref: 'refs/tags/v1.2.3', refType: 'tag' })).toBe(
      'repo:octo-org/octo-repo:ref:refs/tags/v1.2.3',
    );
    expect(subjectFor({ ...ctx, immutableSubject: true })).toBe(
      'repo:octo-org@1001/octo-repo@2002:ref:refs/heads/main',
    );
    expect(
      subjectFor(
        { ...ctx, environment: 'prod', customTemplate: ['repository_owner', 'context'] },
        { repository_owner: 'octo-org' },
      ),
    ).toBe('repository_owner:octo-org:environment:prod');
    expect(subjectFor({ ...ctx, subOverride: 'anything' })).toBe('anything');
  });

  it('applies custom templates, enterprise, issOverride and clock skew to issued tokens', async () => {
    github.context.customTemplate = ['repo', 'context', 'job_workflow_ref'];
    github.context.enterprise = 'contoso-ent';
    github.context.issOverride = `${github.issuer}/`;
    github.context.clockSkewSeconds = -3600;
    const claims = decodeJwt(await github.signToken());
    expect(claims.sub).toBe(
      'repo:octo-org/octo-repo:ref:refs/heads/main:job_workflow_ref:octo-org/octo-repo/' +
        '.github/workflows/deploy.yml@refs/heads/main',
    );
    expect(claims).toMatchObject({
      enterprise: 'contoso-ent',
      enterprise_id: '4242',
      iss: `${github.issuer}/`,
      aud: AUD,
    });
    expect(claims.exp! * 1000).toBeLessThan(Date.now());
  });

  it('serves an enterprise issuer path', async () => {
    const ghe = await startGitHubStandin({ issuerPath: '/contoso-ent' });
    try {
      expect(ghe.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/contoso-ent$/);
      const d = await request(`${ghe.issuer}/.well-known/openid-configuration`);
      expect(d.json.jwks_uri).toBe(`${ghe.issuer}/.well-known/jwks`);
      const token = await ghe.signToken();
      await jwtVerify(token, createLocalJWKSet((await request(d.json.jwks_uri)).json), { issuer: ghe.issuer });
      expect((await request(`${ghe.issuer.replace('/contoso-ent', '')}/.well-known/openid-configuration`)).status).toBe(
        404,
      );
    } finally {
      await ghe.close();
    }
  });

  it('injects faults per route', async () => {
    const auth = { authorization: `Bearer ${github.requestToken}` };
    github.faults.tokenRequest = [{ status: 503 }, { html: true }, { reset: true }, { delayMs: 150 }];
    expect((await request(github.requestUrl, { headers: auth })).status).toBe(503);
    const html = await request(github.requestUrl, { headers: auth });
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.json).toBeUndefined();
    await expect(request(github.requestUrl, { headers: auth })).rejects.toThrow();
    // No clock: the delayed request is recorded on arrival, and its answer is still held back when the
    // stand-in has taken it (the 150 ms timer cannot fire within the event-loop turn that recorded it).
    const seen = github.requests.length;
    const delayed = request(github.requestUrl, { headers: auth });
    while (github.requests.length === seen) await new Promise((resolve) => setImmediate(resolve));
    expect(github.requests.at(-1)!.status).toBeUndefined();
    expect((await delayed).status).toBe(200);
    expect((await request(github.requestUrl, { headers: auth })).status).toBe(200); // queue drained

    github.faults.jwks = () => ({ hang: true });
    await expect(request(`${github.issuer}/.well-known/jwks`, { timeoutMs: 300 })).rejects.toThrow(/client timeout/);
    expect(github.requests.at(-1)).toMatchObject({ route: 'jwks', method: 'GET' });
  });

  it('can drop the signing key from the JWKS and rotate keys', async () => {
    const oldKid = github.kid;
    github.omitKidFromJwks = true;
    expect(github.jwks().keys.map((k) => k.kid)).not.toContain(oldKid);
    expect(github.jwks().keys).toHaveLength(1);
    github.omitKidFromJwks = false;
    await github.rotateKey({ keepPrevious: true });
    expect(github.jwks().keys.map((k) => k.kid)).toEqual([github.kid, oldKid]);
    await github.rotateKey();
    expect(github.jwks().keys.map((k) => k.kid)).toEqual([github.kid]);
  });
});

describe('Entra stand-in: discovery', () => {
  it('serves tenant discovery by id and by domain', async () => {
    for (const t of [TENANT, 'contoso.onmicrosoft.com']) {
      const reply = await request(`${entra.authorityHost}/${t}/v2.0/.well-known/openid-configuration`, {
        ca: entra.ca,
      });
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({
        token_endpoint: `${entra.authorityHost}/${TENANT}/oauth2/v2.0/token`,
        issuer: `${entra.authorityHost}/${TENANT}/v2.0`,
        authorization_endpoint: `${entra.authorityHost}/${TENANT}/oauth2/v2.0/authorize`,
        jwks_uri: `${entra.authorityHost}/${TENANT}/discovery/v2.0/keys`,
        cloud_instance_name: 'microsoftonline.com',
        tenant_region_scope: 'NA',
      });
    }
  });

  it('answers an unknown tenant with AADSTS90002 and a malformed one with AADSTS900023', async () => {
    const unknown = '00000000-0000-0000-0000-000000000001';
    const r1 = await request(`${entra.authorityHost}/${unknown}/v2.0/.well-known/openid-configuration`, {
      ca: entra.ca,
    });
    expect(expectEntraError(r1, 90002, 'invalid_tenant', 400)).toBe(
      `Tenant '${unknown}' not found. Check to make sure you have the correct tenant ID and are ` +
        `signing into the correct cloud. Check with your subscription administrator, this may ` +
        `happen if there are no active subscriptions for the tenant.`,
    );
    const r2 = await request(`${entra.authorityHost}/undefined/v2.0/.well-known/openid-configuration`, {
      ca: entra.ca,
    });
    expect(expectEntraError(r2, 900023, 'invalid_tenant', 400)).toBe(
      "Specified tenant identifier 'undefined' is neither a valid DNS name, nor a valid external domain.",
    );
    const r3 = await exchange(await github.signToken(), {}, unknown);
    expectEntraError(r3, 90002, 'invalid_request', 400);
  });

  it('serves MSAL instance discovery', async () => {
    const authorize = encodeURIComponent(`${entra.authorityHost}/${TENANT}/oauth2/v2.0/authorize`);
    const reply = await request(
      `${entra.authorityHost}/common/discovery/instance?api-version=1.1&authorization_endpoint=${authorize}`,
      { ca: entra.ca },
    );
    const host = `127.0.0.1:${entra.port}`;
    expect(reply.json).toEqual({
      tenant_discovery_endpoint: `${entra.authorityHost}/${TENANT}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });
});

describe('Entra stand-in: token exchange', () => {
  it('issues an access token for a matching credential', async () => {
    const reply = await exchange(await github.signToken());
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const { payload } = await jwtVerify(reply.json.access_token, createLocalJWKSet(entra.jwks()), {
      audience: 'https://management.azure.com',
      issuer: `https://sts.windows.net/${TENANT}/`,
    });
    expect(payload).toMatchObject({ tid: TENANT, appid: CLIENT });
    expect(payload['oid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(entra.tokensIssued).toContain(reply.json.access_token);
    // Entra fetched the issuer's metadata itself.
    expect(github.requests.filter((r) => r.route === 'discovery' || r.route === 'jwks').length).toBeGreaterThanOrEqual(
      2,
    );
    expect(entra.requests.at(-1)).toMatchObject({ route: 'token', tenant: TENANT, status: 200 });
  });

  it("AADSTS700213 for a different subject, with Entra's exact shape", async () => {
    github.context.environment = 'production';
    const token = await github.signToken();
    const text = expectEntraError(await exchange(token), 700213, 'invalid_client', 401);
    expect(text).toBe(
      'No matching federated identity record found for presented assertion subject ' +
        "'repo:octo-org/octo-repo:environment:production'. Check your federated identity " +
        'credential Subject, Audience and Issuer against the presented assertion. ' +
        'https://learn.microsoft.com/entra/workload-id/workload-identity-federation',
    );
    expect(entra.requests.at(-1)).toMatchObject({ status: 401, errorCode: 700213 });
  });

  it('AADSTS7002138 when only the case differs', async () => {
    github.context.owner = 'Octo-Org';
    const text = expectEntraError(await exchange(await github.signToken()), 7002138, 'invalid_client', 401);
    expect(text).toMatch(
      new RegExp(
        '^No matching federated identity record found for presented assertion subject ' +
          String.raw`'repo:Octo-Org\/octo-repo:ref:refs\/heads\/main'\. ` +
          String.raw`The subject matches with case-insensitive comparison, but not with case-sensitive comparison\.`,
      ),
    );
    expect(text).toMatch(/reference-breaking-changes#august-2024\.$/);
  });

  it('AADSTS700211 for an issuer that differs (trailing slash)', async () => {
    github.context.issOverride = `${github.issuer}/`;
    const text = expectEntraError(await exchange(await github.signToken()), 700211, 'invalid_client', 401);
    expect(text).toBe(
      `No matching federated identity record found for presented assertion issuer ` +
        `'${github.issuer}/'. Please check your federated identity credential Subject, Audience ` +
        `and Issuer against the presented assertion. ` +
        `https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`,
    );
  });

  it('AADSTS700212 for a different audience', async () => {
    const text = expectEntraError(
      await exchange(await github.signToken({ aud: 'https://github.com/octo-org' })),
      700212,
      'invalid_client',
      401,
    );
    expect(text).toMatch(
      new RegExp(
        '^No matching federated identity record found for presented assertion audience ' +
          String.raw`'https:\/\/github\.com\/octo-org'\.`,
      ),
    );
  });

  it('matches flexible credentials and answers AADSTS7002131 when none match', async () => {
    const app = entra.tenants[TENANT]!.apps[CLIENT]!;
    app.credentials = [
      {
        name: 'flex',
        issuer: github.issuer,
        subject: null,
        audiences: [AUD],
        claimsMatchingExpression: {
          value:
            "claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/*' and " +
            "claims['job_workflow_ref'] matches " +
            "'octo-org/octo-repo/.github/workflows/*.yml@refs/heads/main'",
          languageVersion: 1,
        },
      },
    ];
    expect((await exchange(await github.signToken())).status).toBe(200);
    github.context.ref = 'refs/tags/v1';
    const text = expectEntraError(await exchange(await github.signToken()), 7002131, 'invalid_client', 401);
    expect(text).toMatch(/or no federated identity credential expression matched\./);
  });

  it("checks keys and signatures from the issuer's JWKS", async () => {
    github.omitKidFromJwks = true;
    const token = await github.signToken();
    const text = expectEntraError(await exchange(token), 7000272, 'invalid_client', 401);
    expect(text).toBe(
      `The certificate with identifier ${github.kid} used to sign the federated credential could ` +
        `not be found in the metadata of identity provider ${github.issuer}. Please validate that ` +
        `your Identity Provider's metadata exposes the key used to sign the incoming token.`,
    );
    github.omitKidFromJwks = false;
    expectEntraError(
      await exchange(await github.signToken({}, {}, { foreignKey: true })),
      50027,
      'invalid_request',
      400,
    );
    expectEntraError(await exchange('not.a.jwt'), 50027, 'invalid_request', 400);
  });

  it("AADSTS90061 when the issuer's metadata cannot be fetched", async () => {
    for (const fault of [{ status: 503 }, { html: true }, { reset: true }]) {
      github.faults.discovery = [fault];
      expect(expectEntraError(await exchange(await github.signToken()), 90061, 'invalid_request', 400)).toBe(
        'Request to External OIDC endpoint failed.',
      );
    }
    github.faults.jwks = [{ status: 404 }];
    expectEntraError(await exchange(await github.signToken()), 90061, 'invalid_request', 400);
  });

  it('AADSTS700024 for an expired assertion', async () => {
    github.context.clockSkewSeconds = -600;
    const text = expectEntraError(await exchange(await github.signToken()), 700024, 'invalid_client', 401);
    expect(text).toMatch(
      new RegExp(
        String.raw`^Client assertion is not within its valid time range\. ` +
          String.raw`Current time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z, assertion valid from .+Z, ` +
          String.raw`expiry time of assertion .+Z\. Review the documentation at ` +
          String.raw`https:\/\/learn\.microsoft\.com\/entra\/identity-platform\/certificate-credentials \.$`,
      ),
    );
  });

  it('app and request problems', async () => {
    const token = await github.signToken();
    const other = '99999999-2222-3333-4444-555555555555';
    expect(expectEntraError(await exchange(token, { client_id: other }), 700016, 'unauthorized_client', 400)).toBe(
      `Application with identifier '${other}' was not found in the directory 'Contoso'. This can ` +
        `happen if the application has not been installed by the administrator of the tenant or ` +
        `consented to by any user in the tenant. You may have sent your authentication request to ` +
        `the wrong tenant.`,
    );
    expect(expectEntraError(await exchange(token, { scope: undefined }), 900144, 'invalid_request', 400)).toBe(
      "The request body must contain the following parameter: 'scope'.",
    );
    expectEntraError(await exchange(undefined), 7000218, 'invalid_client', 401);
    expectEntraError(
      await exchange(token, { scope: 'https://management.azure.com/user_impersonation' }),
      70011,
      'invalid_scope',
      400,
    );

    const app = entra.tenants[TENANT]!.apps[CLIENT]!;
    app.disabled = true;
    expect(expectEntraError(await exchange(token), 7000112, 'unauthorized_client', 400)).toBe(
      `Application '${CLIENT}'(deploy-app) is disabled.`,
    );
    app.disabled = false;
    app.credentials = [];
    expect(expectEntraError(await exchange(token), 70025, 'invalid_client', 401)).toBe(
      `The client 'deploy-app'(${CLIENT}) has no configured federated identity credentials.`,
    );
  });

  it('tenant policies', async () => {
    const tenant = entra.tenants[TENANT]!;
    tenant.policy = { requireEnterprise: ['microsoft', 'github', 'microsoftopensource'] };
    expect(expectEntraError(await exchange(await github.signToken()), 7002381, 'invalid_client', 401)).toBe(
      `Federated identity credentials issued by '${github.issuer}' for applications or managed ` +
        `identities registered in this tenant must contain the enterprise claim with value ` +
        `'microsoft', 'github' or 'microsoftopensource' but actual value is ''.`,
    );
    github.context.enterprise = 'github';
    expect((await exchange(await github.signToken())).status).toBe(200);

    tenant.policy = { conditionalAccessBlock: true };
    const blocked = await exchange(await github.signToken());
    expectEntraError(blocked, 53003, 'invalid_grant', 400);
    expect(blocked.json.suberror).toBe('message_only');

    tenant.policy = { wifDisabled: true };
    expectEntraError(await exchange(await github.signToken()), 700223, 'invalid_client', 401);
  });

  it('forced errors and faults on the token route', async () => {
    entra.forceError = { code: 50166, once: true };
    expect(expectEntraError(await exchange(await github.signToken()), 50166, 'invalid_request', 400)).toBe(
      'Request to External OIDC endpoint failed.',
    );
    expect((await exchange(await github.signToken())).status).toBe(200);

    entra.faults.token = [{ status: 503 }, { status: 429, retryAfter: 7 }, { html: true, status: 403 }];
    expectEntraError(await exchange(await github.signToken()), 50033, 'temporarily_unavailable', 503);
    const throttled = await exchange(await github.signToken());
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expect((await exchange(await github.signToken())).headers['content-type']).toMatch(/text\/html/);
  });
});

describe('claims expression evaluator', () => {
  const claims = {
    sub: 'repo:o/r:ref:refs/heads/feat/x',
    job_workflow_ref: 'o/r/.github/workflows/d.yml@refs/heads/main',
    quoted: "it's",
  };
  it.each([
    ["claims['sub'] matches 'repo:o/r:ref:refs/heads/*'", true],
    ["claims['sub'] matches 'repo:o/r:ref:refs/heads/feat/?'", true],
    ["claims['sub'] matches 'repo:o/r:ref:refs/heads/feat/??'", false],
    ["claims['sub'] matches 'REPO:o/r:*'", false],
    ["claims['sub'] eq 'repo:o/r:ref:refs/heads/feat/x'", true],
    ["claims['sub'] eq 'repo:o/r:ref:refs/heads/*'", false],
    [
      "claims['sub'] matches 'repo:o/r:*' and claims['job_workflow_ref'] eq " +
        "'o/r/.github/workflows/d.yml@refs/heads/main'",
      true,
    ],
    ["claims['sub'] matches 'repo:o/r:*' and claims['job_workflow_ref'] matches '*@refs/heads/dev'", false],
    ["claims['quoted'] eq 'it''s'", true],
    ["claims['missing'] matches '*'", false],
    ["claims['sub'] startswith 'repo'", false],
    ["claims['sub'] matches 'repo:o/r:*' or claims['sub'] eq 'x'", false],
  ])('%s → %s', (expression, expected) => {
    expect(evaluateClaimsExpression(expression, claims)).toBe(expected);
  });
});

describe('runner harness', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'afc-harness-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("parses workflow commands with the runner's unescaping", () => {
    const commands = parseWorkflowCommands(
      [
        'plain line',
        '::error title=Subject%3A ' +
          'mismatch,file=.github/workflows/deploy.yml,line=12::AADSTS700213%0Asecond line 100%25',
        '  ::add-mask::secret',
        '::stop-commands::tok123',
        '::error::ignored while stopped',
        '::tok123::',
        '::notice::back',
      ].join('\n'),
    );
    expect(commands).toEqual([
      {
        command: 'error',
        properties: { title: 'Subject: mismatch', file: '.github/workflows/deploy.yml', line: '12' },
        message: 'AADSTS700213\nsecond line 100%',
      },
      { command: 'add-mask', properties: {}, message: 'secret' },
      { command: 'notice', properties: {}, message: 'back' },
    ]);
  });

  it('parses file commands', () => {
    const errors: string[] = [];
    expect(parseFileCommand('a=1\nmulti<<ghadelimiter_1\nx\ny=z\nghadelimiter_1\nb=\n', errors)).toEqual({
      a: '1',
      multi: 'x\ny=z',
      b: '',
    });
    expect(errors).toEqual([]);
    parseFileCommand('broken<<EOF\nno end\n', errors);
    expect(errors[0]).toMatch(/delimiter/);
  });

  it('names inputs like the runner', () => {
    expect(inputEnvName('client-id')).toBe('INPUT_CLIENT-ID');
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT');
  });

  it('runs a script with a clean runner environment and collects outputs', async () => {
    const script = join(dir, 'probe.mjs');
    await writeFile(
      script,
      `import { appendFileSync } from 'node:fs';
const env = process.env;
appendFileSync(env.GITHUB_OUTPUT, 'client<<ghadelimiter_x\\n' + env['INPUT_CLIENT-ID'] + '\\nghadelimiter_x\\n');
const leaked = Object.keys(env).filter(k => k.startsWith('VITEST') || k === 'AFC_TEST_CA_DIR');
appendFileSync(env.GITHUB_OUTPUT, 'leaked=' + leaked.join(',') + '\\n');
const event = env.GITHUB_EVENT_NAME ?? 'none';
const cwd = process.cwd() === env.GITHUB_WORKSPACE;
appendFileSync(env.GITHUB_OUTPUT, 'repo=' + env.GITHUB_REPOSITORY + '\\nevent=' + event + '\\ncwd=' + cwd + '\\n');
appendFileSync(env.GITHUB_STEP_SUMMARY, '## Summary\\n');
console.log('::warning title=Heads up%2C really::be, careful%0Aok');
`,
    );
    const result = await runAction({
      script,
      inputs: { 'client-id': CLIENT, unset: undefined },
      env: { ...jobEnv({ ...defaultJobContext(), owner: 'acme' }), GITHUB_EVENT_NAME: undefined },
    });
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({ client: CLIENT, leaked: '', repo: 'acme/octo-repo', event: 'none', cwd: 'true' });
    expect(result.summary).toBe('## Summary\n');
    expect(result.commands).toEqual([
      { command: 'warning', properties: { title: 'Heads up, really' }, message: 'be, careful\nok' },
    ]);
    expect(result.env).not.toHaveProperty('INPUT_UNSET');
  });

  it('kills a script that never ends', async () => {
    const script = join(dir, 'hang.mjs');
    await writeFile(script, 'setInterval(() => {}, 1000);\n');
    const result = await runAction({ script, timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.code).toBeNull();
    expect(result.stderr).toMatch(/killed after 300 ms/);
  });

  it('drives msal-node in a child process through both stand-ins', async () => {
    // What the real action does, in miniature: runner ID token, then MSAL's client_credentials exchange.
    const msal = pathToFileURL(join(REPO_ROOT, 'node_modules/@azure/msal-node/dist/index.mjs')).href;
    const script = join(dir, 'exchange.mjs');
    await writeFile(
      script,
      `import { appendFileSync } from 'node:fs';
import { ConfidentialClientApplication } from ${JSON.stringify(msal)};
const env = process.env;
const out = (k, v) => appendFileSync(env.GITHUB_OUTPUT, k + '<<EOF_X\\n' + v + '\\nEOF_X\\n');
const res = await fetch(env.ACTIONS_ID_TOKEN_REQUEST_URL + '&audience=' + encodeURIComponent('${AUD}'), {
  headers: { authorization: 'Bearer ' + env.ACTIONS_ID_TOKEN_REQUEST_TOKEN },
});
const jwt = (await res.json()).value;
const host = new URL(env['INPUT_AUTHORITY-HOST']).host;
const app = new ConfidentialClientApplication({
  auth: {
    clientId: env['INPUT_CLIENT-ID'],
    authority: env['INPUT_AUTHORITY-HOST'] + '/' + env['INPUT_TENANT-ID'],
    knownAuthorities: [host],
    clientAssertion: jwt,
  },
});
try {
  const r = await app.acquireTokenByClientCredential({ scopes: ['${SCOPE}'], skipCache: true });
  out('result', 'ok ' + JSON.parse(Buffer.from(r.accessToken.split('.')[1], 'base64url')).tid);
} catch (e) {
  out('result', e.errorCode + ' ' + (e.errorMessage ?? e.message));
}
`,
    );
    const inputs = { 'client-id': CLIENT, 'tenant-id': TENANT, 'authority-host': entra.authorityHost };
    const ok = await runAction({ script, inputs, env: standinEnv(github, entra) });
    expect(ok.stderr).toBe('');
    expect(ok.outputs['result']).toBe(`ok ${TENANT}`);

    github.context.environment = 'Production';
    const failed = await runAction({ script, inputs, env: standinEnv(github, entra) });
    expect(failed.outputs['result']).toMatch(
      new RegExp(
        String.raw`^invalid_client Error\(s\): 700213 - .* Description: AADSTS700213: ` +
          'No matching federated identity record found for presented assertion subject ' +
          String.raw`'repo:octo-org\/octo-repo:environment:Production'\.`,
      ),
    );

    // Without the CA the child must refuse the stand-in's certificate.
    const untrusted = await runAction({
      script,
      inputs,
      env: { ...standinEnv(github, entra), NODE_EXTRA_CA_CERTS: undefined },
    });
    expect(untrusted.outputs['result']).not.toMatch(/^ok/);
  });
});
