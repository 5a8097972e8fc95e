import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MATCHING_FAMILY,
  issuerWarningApplies,
  planLookup,
  startAzureStep,
  type PlanInput,
} from '../../src/action/azure-step.js';
import { parseInputs } from '../../src/action/inputs.js';
import type { ExchangeOutcome, ExchangeRequest } from '../../src/entra/exchange.js';
import type { Fetcher } from '../../src/entra/azure-read.js';
import type { GitHubClaims } from '../../src/github/claims.js';
import type { HttpResponse } from '../../src/net/http.js';
import { lookupDenied, subscriptionNotAccessible } from '../../src/diagnose/lookup-findings.js';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const TENANT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const READER = '33333333-4444-5555-6666-777777777777';
const SUB = 'aaaaaaaa-1111-2222-3333-444444444444';
const GH = 'https://token.actions.githubusercontent.com';

const plan = (p: Partial<PlanInput>) =>
  planLookup({ lookup: 'auto', exchange: 'rejected', codes: [700213], reader: true, subscription: false, ...p });

describe('planLookup: lookup auto', () => {
  it('reads Graph with the reader after a matching-family rejection', () => {
    expect(plan({})).toEqual({ read: true, identity: 'reader', services: ['graph'], firstFound: true });
  });
  it('then ARM too when a subscription is known (a managed identity is not in Graph)', () => {
    expect(plan({ subscription: true })).toEqual({
      read: true,
      identity: 'reader',
      services: ['graph', 'arm'],
      firstFound: true,
    });
  });
  it.each([...MATCHING_FAMILY])('AADSTS%i is a reason', (code) => {
    expect(plan({ codes: [code] }).read).toBe(true);
  });
  it.each([
    [{ exchange: 'success' as const }, 'nothing to explain'],
    [{ exchange: 'unavailable' as const }, 'no verdict'],
    [{ exchange: 'skipped' as const }, "'exchange' is false"],
    [{ codes: [7000112] }, 'not about matching'],
    [{ codes: [] }, 'not about matching'],
    [{ reader: false }, 'reader-client-id'],
  ])('%j → no read (%s)', (p, why) => {
    const r = plan(p);
    expect(r.read).toBe(false);
    expect(!r.read && r.why).toContain(why);
  });
  it('property: never reads on a run Entra accepted', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.boolean(), fc.boolean(), (codes, reader, subscription) => {
        expect(planLookup({ lookup: 'auto', exchange: 'success', codes, reader, subscription }).read).toBe(false);
      }),
    );
  });
});

describe('planLookup: explicit and none', () => {
  it("graph/arm read with the run's own identity after a success", () => {
    expect(plan({ lookup: 'graph', exchange: 'success', reader: false })).toEqual({
      read: true,
      identity: 'self',
      services: ['graph'],
      firstFound: false,
    });
    expect(plan({ lookup: 'arm', exchange: 'success', reader: false })).toEqual({
      read: true,
      identity: 'self',
      services: ['arm'],
      firstFound: false,
    });
  });
  it('with a reader, whatever the verdict', () => {
    expect(plan({ lookup: 'graph', exchange: 'rejected', codes: [7000112] })).toMatchObject({
      read: true,
      identity: 'reader',
    });
  });
  it('without a reader after a rejection: the identity has no token', () => {
    expect(plan({ lookup: 'graph', reader: false })).toMatchObject({
      read: false,
      why: expect.stringContaining('reader-client-id'),
    });
  });
  it('none never reads', () => {
    expect(plan({ lookup: 'none' }).read).toBe(false);
  });
});

describe('issuerWarningApplies', () => {
  const loop = 'http://127.0.0.1:1234';
  const ghes = 'https://ghes.example.com/_services/token';
  it.each([
    [GH, 'skipped', [], false],
    [ghes, 'skipped', [], true],
    [loop, 'skipped', [], true],
    [ghes, 'success', [], false],
    [ghes, 'rejected', [90061], true],
    [ghes, 'rejected', [50166], true],
    [ghes, 'rejected', [700213], false],
    [ghes, 'unavailable', [], false],
    [GH, 'rejected', [90061], false],
  ] as const)('%s after %s %j → %s', (iss, state, codes, expected) => {
    expect(issuerWarningApplies(iss, state, codes)).toBe(expected);
  });
});

// ---- the step with injected HTTP and exchange ----------------------------------------------------

function json(status: number, body: unknown): HttpResponse {
  return { status, headers: {}, body: JSON.stringify(body) };
}

function world(
  inputValues: Record<string, string>,
  routes: Record<string, HttpResponse>,
  exchangeResults: Record<string, ExchangeOutcome> = {},
) {
  const inputs = parseInputs(
    (n) =>
      ({
        'client-id': CLIENT,
        'tenant-id': TENANT,
        'graph-host': 'https://graph.example',
        'resource-manager-host': 'https://arm.example',
        ...inputValues,
      })[n] ?? '',
  );
  const fetched: Array<{ url: string; auth?: string }> = [];
  const fetcher: Fetcher = async (url, headers) => {
    fetched.push({ url, auth: headers.Authorization });
    return routes[url] ?? json(404, { error: { code: 'NotFound', message: 'no route' } });
  };
  const exchanges: ExchangeRequest[] = [];
  const exchange = async (req: ExchangeRequest): Promise<ExchangeOutcome> => {
    exchanges.push(req);
    return (
      exchangeResults[`${req.clientId}|${req.scope}`] ?? {
        kind: 'success',
        attempts: 1,
        accessToken: `at-${req.clientId}-${req.scope}`,
      }
    );
  };
  const logs: string[] = [];
  const claims = { iss: GH, sub: 'repo:o/r:ref:refs/heads/main', aud: 'api://AzureADTokenExchange' } as GitHubClaims;
  const step = startAzureStep({
    inputs,
    claims,
    token: 'gh-token',
    freshAssertion: async () => 'fresh',
    deadline: Date.now() + 30_000,
    mask: () => {},
    log: (l) => logs.push(l),
    fetcher,
    exchange,
  });
  return { step, fetched, exchanges, logs };
}

const rejected = (code: number): ExchangeOutcome => ({
  kind: 'rejected',
  attempts: 1,
  error: { error: 'invalid_client', description: `AADSTS${code}: x`, codes: [code] },
});
const success: ExchangeOutcome = { kind: 'success', attempts: 1, accessToken: 'arm-token-of-client' };
const graphUrl = `https://graph.example/beta/applications(appId='${CLIENT}')/federatedIdentityCredentials`;
const fic = {
  name: 'main',
  issuer: GH,
  subject: 'repo:o/r:ref:refs/heads/dev',
  audiences: ['api://AzureADTokenExchange'],
};

describe('startAzureStep', () => {
  it('auto + reader: after AADSTS700213, exchanges the reader for Graph and returns the credentials', async () => {
    const w = world({ 'reader-client-id': READER }, { [graphUrl]: json(200, { value: [fic] }) });
    expect(w.exchanges).toEqual([]); // nothing before the verdict
    const r = await w.step.finish(rejected(700213));
    expect(r.credentials?.map((c) => [c.name, c.source])).toEqual([['main', 'graph']]);
    expect(r.late).toEqual([]);
    expect(w.exchanges.map((e) => [e.clientId, e.scope, e.firstAssertion])).toEqual([
      [READER, 'https://graph.microsoft.com/.default', 'gh-token'],
    ]);
    expect(w.fetched).toEqual([{ url: graphUrl, auth: `Bearer at-${READER}-https://graph.microsoft.com/.default` }]);
  });

  it('auto on a passing run: no exchange, no request', async () => {
    const w = world({ 'reader-client-id': READER, 'subscription-id': SUB }, {});
    const r = await w.step.finish(success);
    expect(r).toEqual({ early: [], late: [] });
    expect(w.exchanges).toEqual([]);
    expect(w.fetched).toEqual([]);
  });

  it('explicit graph without a reader: the Graph-scope exchange starts at once, beside the main one', async () => {
    const w = world({ lookup: 'graph' }, { [graphUrl]: json(200, { value: [fic] }) });
    expect(w.exchanges.map((e) => [e.clientId, e.scope])).toEqual([[CLIENT, 'https://graph.microsoft.com/.default']]);
    const r = await w.step.finish(success);
    expect(r.credentials).toHaveLength(1);
  });

  it('explicit arm without a reader reuses the ARM token of the main exchange', async () => {
    const list =
      `https://arm.example/subscriptions/${SUB}/providers/Microsoft.ManagedIdentity/` +
      `userAssignedIdentities?api-version=2023-01-31`;
    const id = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi`;
    const w = world(
      { lookup: 'arm', 'subscription-id': SUB },
      {
        [list]: json(200, { value: [{ id, name: 'mi', properties: { clientId: CLIENT } }] }),
        [`https://arm.example${id}/federatedIdentityCredentials?api-version=2023-01-31`]: json(200, {
          value: [{ name: 'p', properties: { issuer: GH, subject: 's', audiences: ['a'] } }],
        }),
      },
    );
    const r = await w.step.finish(success);
    expect(r.credentials?.map((c) => c.source)).toEqual(['arm']);
    expect(w.exchanges).toEqual([]);
    expect(w.fetched.every((f) => f.auth === 'Bearer arm-token-of-client')).toBe(true);
  });

  it('auto: Graph 404 (not an app) then ARM; a Graph 403 is dropped once ARM found the identity', async () => {
    const list =
      `https://arm.example/subscriptions/${SUB}/providers/Microsoft.ManagedIdentity/` +
      `userAssignedIdentities?api-version=2023-01-31`;
    const id = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi`;
    const w = world(
      { 'reader-client-id': READER, 'subscription-id': SUB },
      {
        [graphUrl]: json(403, {
          error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
        }),
        [list]: json(200, { value: [{ id, name: 'mi', properties: { clientId: CLIENT } }] }),
        [`https://arm.example${id}/federatedIdentityCredentials?api-version=2023-01-31`]: json(200, { value: [] }),
      },
    );
    const r = await w.step.finish(rejected(70025));
    expect(r.credentials).toEqual([]);
    expect(r.late).toEqual([]);
    expect(w.exchanges.map((e) => e.scope)).toEqual([
      'https://graph.microsoft.com/.default',
      'https://management.azure.com/.default',
    ]);
  });

  it('a Graph 403 with nothing else found → one lookup-denied notice', async () => {
    const w = world(
      { 'reader-client-id': READER },
      {
        [graphUrl]: json(403, {
          error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
        }),
      },
    );
    const r = await w.step.finish(rejected(700213));
    expect(r.credentials).toBeUndefined();
    expect(r.late.map((f) => [f.id, f.severity])).toEqual([['lookup-denied', 'notice']]);
  });

  it('a reader the exchange refuses → notice naming its code, no Graph call', async () => {
    const w = world(
      { 'reader-client-id': READER },
      {},
      { [`${READER}|https://graph.microsoft.com/.default`]: rejected(700213) },
    );
    const r = await w.step.finish(rejected(700213));
    expect(r.late[0]).toMatchObject({ id: 'lookup-denied', title: expect.stringContaining('AADSTS700213') });
    expect(w.fetched).toEqual([]);
  });

  it('reader-tenant-id is the tenant of the reader exchange', async () => {
    const w = world(
      { 'reader-client-id': READER, 'reader-tenant-id': 'fabrikam.onmicrosoft.com' },
      { [graphUrl]: json(200, { value: [] }) },
    );
    await w.step.finish(rejected(700211));
    expect(w.exchanges[0]!.tenantId).toBe('fabrikam.onmicrosoft.com');
  });

  it('expected-subscription-id: exchanged ARM token; 403 is an error, Warned a warning, Enabled nothing', async () => {
    const url = `https://arm.example/subscriptions/${SUB}?api-version=2022-12-01`;
    const denied = world(
      { 'expected-subscription-id': SUB },
      { [url]: json(403, { error: { code: 'AuthorizationFailed', message: 'm' } }) },
    );
    const d = await denied.step.finish(success);
    expect(d.late.map((f) => [f.id, f.severity])).toEqual([['subscription-not-accessible', 'error']]);
    expect(denied.fetched[0]!.auth).toBe('Bearer arm-token-of-client');
    const warned = world({ 'expected-subscription-id': SUB }, { [url]: json(200, { state: 'Warned' }) });
    expect((await warned.step.finish(success)).late.map((f) => [f.id, f.severity])).toEqual([
      ['subscription-not-accessible', 'warning'],
    ]);
    const ok = world(
      { 'expected-subscription-id': SUB },
      { [url]: json(200, { state: 'Enabled', displayName: 'Prod' }) },
    );
    expect((await ok.step.finish(success)).late).toEqual([]);
    // Not after a rejection: there is no token to ask with.
    const none = world({ 'expected-subscription-id': SUB }, {});
    expect((await none.step.finish(rejected(700213))).late).toEqual([]);
    expect(none.fetched).toEqual([]);
  });

  it('cloud mix after AADSTS700016: discovery at the chosen authority says US Government', async () => {
    const w = world(
      { 'authority-host': 'https://login.example' },
      {
        [`https://login.example/${TENANT}/v2.0/.well-known/openid-configuration`]: json(200, {
          token_endpoint: 'x',
          cloud_instance_name: 'microsoftonline.us',
          tenant_region_scope: 'USG',
        }),
      },
    );
    const r = await w.step.finish(rejected(700016));
    expect(r.early.map((f) => f.id)).toEqual(['cloud-mismatch']);
    expect(r.early[0]!.fix).toContain('environment: azureusgovernment');
  });

  it('cloud mix after AADSTS90002 from the default authority: the other clouds are asked', async () => {
    const w = world(
      {},
      {
        [`https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`]: json(400, {
          error: 'invalid_tenant',
          error_codes: [90002],
        }),
        [`https://login.microsoftonline.us/${TENANT}/v2.0/.well-known/openid-configuration`]: json(400, {
          error: 'invalid_tenant',
          error_codes: [90002],
        }),
        [`https://login.chinacloudapi.cn/${TENANT}/v2.0/.well-known/openid-configuration`]: json(200, {
          token_endpoint: 'x',
          cloud_instance_name: 'partner.microsoftonline.cn',
        }),
      },
    );
    const r = await w.step.finish(rejected(90002));
    expect(r.early[0]).toMatchObject({
      id: 'cloud-mismatch',
      title: 'Tenant is in Azure China (21Vianet), but this run uses Azure public cloud',
    });
    expect(w.fetched.every((f) => f.auth === undefined)).toBe(true);
  });

  it('no discovery for verdicts that are not about the tenant or client', async () => {
    const w = world({}, {});
    await w.step.finish(rejected(700213));
    expect(w.fetched).toEqual([]);
  });
});

describe('lookup findings', () => {
  it('lookup-denied for Graph names Application.Read.All and admin consent on the reader', () => {
    const f = lookupDenied(
      {
        kind: 'denied',
        step: 'graph-credentials',
        status: 403,
        error: { code: 'Authorization_RequestDenied' },
        url: 'https://graph.microsoft.com/beta/x',
      },
      { clientId: READER, tenantId: TENANT, self: false },
    );
    expect(f).toMatchObject({ id: 'lookup-denied', severity: 'notice' });
    expect(f.message).toContain('Application.Read.All, with admin consent, on the reader app');
    expect(f.fix).toContain(
      `az ad app permission add --id ${READER} --api 00000003-0000-0000-c000-000000000000 ` +
        `--api-permissions 9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30=Role`,
    );
  });
  it('lookup-denied for ARM credentials names Reader on the identity', () => {
    const f = lookupDenied(
      { kind: 'denied', step: 'arm-credentials', status: 403, error: {}, url: 'x' },
      { clientId: READER, tenantId: TENANT, self: false },
      SUB,
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi',
    );
    expect(f.message).toContain('federatedIdentityCredentials/read');
    expect(f.fix).toContain(
      '--scope /subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi',
    );
  });
  it("subscription-not-accessible gives the exact role assignment and names azure/login's symptom", () => {
    const f = subscriptionNotAccessible(CLIENT, SUB, {
      kind: 'not-found',
      step: 'arm-subscription',
      status: 404,
      error: { code: 'SubscriptionNotFound' },
      url: 'x',
    });
    expect(f.fix).toContain(
      `az role assignment create --assignee ${CLIENT} --role Reader --scope /subscriptions/${SUB}`,
    );
    expect(f.message).toContain('No subscriptions found');
  });
});
