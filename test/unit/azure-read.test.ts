import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_PAGES,
  armCredentialsUrl,
  findIdentityByClientId,
  graphCredentialsUrl,
  listAllPages,
  normaliseArmCredential,
  normaliseGraphCredential,
  parseAzureError,
  readArmCredentials,
  readGraphCredentials,
  readSubscription,
  readTenantDiscovery,
  type Fetcher,
} from '../../src/entra/azure-read.js';
import type { HttpResponse } from '../../src/net/http.js';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const SUB = 'aaaaaaaa-1111-2222-3333-444444444444';
const GH = 'https://token.actions.githubusercontent.com';

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** A fetcher that answers from a table keyed by URL, recording every call. */
function fake(routes: Record<string, HttpResponse | (() => HttpResponse)>) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetcher: Fetcher = async (url, headers) => {
    calls.push({ url, headers });
    const r = routes[url];
    if (!r) return json(404, { error: { code: 'NotFound', message: url } });
    return typeof r === 'function' ? r() : r;
  };
  return { fetcher, calls };
}

const graphFic = (name: string, over: Record<string, unknown> = {}) => ({
  id: `id-${name}`,
  name,
  issuer: GH,
  subject: `repo:o/r:ref:refs/heads/${name}`,
  description: null,
  audiences: ['api://AzureADTokenExchange'],
  ...over,
});

describe('normalisation', () => {
  it('Graph beta classic credential → source graph', () => {
    expect(normaliseGraphCredential(graphFic('main'))).toEqual({
      name: 'main',
      issuer: GH,
      subject: 'repo:o/r:ref:refs/heads/main',
      audiences: ['api://AzureADTokenExchange'],
      claimsMatchingExpression: null,
      description: null,
      source: 'graph',
    });
  });

  it('Graph beta flexible credential keeps its expression and a null subject', () => {
    const c = normaliseGraphCredential(
      graphFic('flex', {
        subject: null,
        claimsMatchingExpression: { value: "claims['sub'] matches 'repo:o/r:*'", languageVersion: 1 },
      }),
    );
    expect(c).toMatchObject({
      name: 'flex',
      subject: null,
      claimsMatchingExpression: { value: "claims['sub'] matches 'repo:o/r:*'", languageVersion: 1 },
      source: 'graph',
    });
  });

  it('a flexible credential seen through v1.0 (no expression, null subject) is not comparable', () => {
    expect(normaliseGraphCredential(graphFic('flex', { subject: null }))).toBeUndefined();
  });

  it("ARM's {name, properties: {issuer, subject, audiences}} → source arm", () => {
    const raw = {
      id:
        `/subscriptions/${SUB}/resourcegroups/rg/providers/Microsoft.ManagedIdentity/` +
        `userAssignedIdentities/mi/federatedIdentityCredentials/env-prod`,
      name: 'env-prod',
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
      properties: { issuer: GH, subject: 'repo:o/r:environment:prod', audiences: ['api://AzureADTokenExchange'] },
    };
    expect(normaliseArmCredential(raw)).toEqual({
      name: 'env-prod',
      issuer: GH,
      subject: 'repo:o/r:environment:prod',
      audiences: ['api://AzureADTokenExchange'],
      claimsMatchingExpression: null,
      description: null,
      source: 'arm',
    });
  });

  it.each([
    null,
    'x',
    [],
    {},
    { name: 'a' },
    { name: 'a', issuer: GH },
    { name: 'a', issuer: GH, audiences: [] },
    { name: 'a', issuer: GH, audiences: [1] },
  ])('rejects %j as Graph', (raw) => {
    expect(normaliseGraphCredential(raw)).toBeUndefined();
  });

  it('rejects ARM records without properties', () => {
    expect(normaliseArmCredential({ name: 'x', issuer: GH, subject: 's', audiences: ['a'] })).toBeUndefined();
  });

  it('property: never throws, and what it returns is comparable', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        for (const c of [normaliseGraphCredential(raw), normaliseArmCredential(raw)]) {
          if (!c) continue;
          expect(typeof c.issuer).toBe('string');
          expect(c.audiences.length).toBeGreaterThan(0);
          expect(typeof c.subject === 'string' || typeof c.claimsMatchingExpression?.value === 'string').toBe(true);
        }
      }),
    );
  });
});

describe('parseAzureError', () => {
  it('Graph and ARM bodies', () => {
    expect(
      parseAzureError(
        JSON.stringify({
          error: {
            code: 'Authorization_RequestDenied',
            message: 'Insufficient privileges to complete the operation.',
            innerError: {},
          },
        }),
      ),
    ).toEqual({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    expect(parseAzureError(JSON.stringify({ error: { code: 'AuthorizationFailed', message: 'no' } }))).toEqual({
      code: 'AuthorizationFailed',
      message: 'no',
    });
  });
  it.each(['', '<html>', '{}', '{"error":"x"}', 'null'])('%j → {}', (b) => {
    expect(parseAzureError(b)).toEqual({});
  });
});

describe('paging', () => {
  const first = graphCredentialsUrl('https://graph.example', CLIENT);

  it('follows @odata.nextLink on the same origin, with the bearer token each time', async () => {
    const p2 = 'https://graph.example/beta/next?$skiptoken=2';
    const p3 = 'https://graph.example/beta/next?$skiptoken=3';
    const { fetcher, calls } = fake({
      [first]: json(200, { value: [1], '@odata.nextLink': p2 }),
      [p2]: json(200, { value: [2], '@odata.nextLink': p3 }),
      [p3]: json(200, { value: [3] }),
    });
    const r = await listAllPages(fetcher, first, 'tok', 'graph', 'graph-credentials');
    expect(r).toEqual({ ok: true, items: [1, 2, 3], pages: 3, truncated: false });
    expect(calls.map((c) => c.headers.Authorization)).toEqual(['Bearer tok', 'Bearer tok', 'Bearer tok']);
  });

  it('ARM uses nextLink, and ignores @odata.nextLink', async () => {
    const next = 'https://arm.example/x?page=2';
    const { fetcher } = fake({
      'https://arm.example/x': json(200, {
        value: ['a'],
        nextLink: next,
        '@odata.nextLink': 'https://arm.example/other',
      }),
      [next]: json(200, { value: ['b'] }),
    });
    expect(await listAllPages(fetcher, 'https://arm.example/x', 't', 'arm', 'arm-identities')).toMatchObject({
      items: ['a', 'b'],
      pages: 2,
    });
  });

  it('is bounded at 20 pages', async () => {
    let n = 0;
    const fetcher: Fetcher = async () =>
      json(200, { value: [n], '@odata.nextLink': `https://graph.example/p?n=${++n}` });
    const r = await listAllPages(fetcher, first, 't', 'graph', 'graph-credentials');
    expect(r).toMatchObject({ ok: true, pages: MAX_PAGES, truncated: true });
    expect(n).toBe(MAX_PAGES);
  });

  it('never sends the token to another origin', async () => {
    const { fetcher, calls } = fake({
      [first]: json(200, { value: [1], '@odata.nextLink': 'https://evil.example/steal' }),
    });
    const r = await listAllPages(fetcher, first, 't', 'graph', 'graph-credentials');
    expect(r).toMatchObject({ ok: true, items: [1], truncated: true });
    expect(calls.length).toBe(1);
  });

  it('stops on a link back to a page already read', async () => {
    const { fetcher, calls } = fake({ [first]: json(200, { value: [1], '@odata.nextLink': first }) });
    expect(await listAllPages(fetcher, first, 't', 'graph', 'graph-credentials')).toMatchObject({
      items: [1],
      truncated: true,
    });
    expect(calls.length).toBe(1);
  });

  it.each([
    [401, 'denied'],
    [403, 'denied'],
    [404, 'not-found'],
    [500, 'error'],
  ])('HTTP %i on a later page → %s', async (status, kind) => {
    const p2 = 'https://graph.example/p2';
    const { fetcher } = fake({
      [first]: json(200, { value: [1], '@odata.nextLink': p2 }),
      [p2]: json(status, { error: { code: 'X', message: 'm' } }),
    });
    const r = await listAllPages(fetcher, first, 't', 'graph', 'graph-credentials');
    expect(r).toMatchObject({ kind, step: 'graph-credentials' });
  });

  it('a network failure, HTML and a missing value list are errors that say where', async () => {
    const boom: Fetcher = async () => {
      throw new Error('Could not reach https://graph.example (ECONNREFUSED).');
    };
    expect(await listAllPages(boom, first, 't', 'graph', 'graph-credentials')).toMatchObject({
      kind: 'error',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
    expect(
      await listAllPages(fake({ [first]: json(200, '<html>') }).fetcher, first, 't', 'graph', 'graph-credentials'),
    ).toMatchObject({ kind: 'error', reason: expect.stringContaining('not JSON') });
    expect(
      await listAllPages(
        fake({ [first]: json(200, { values: [] }) }).fetcher,
        first,
        't',
        'graph',
        'graph-credentials',
      ),
    ).toMatchObject({ kind: 'error', reason: expect.stringContaining("'value'") });
    expect(
      await listAllPages(
        fake({ [first]: json(502, '<html>bad gateway</html>') }).fetcher,
        first,
        't',
        'graph',
        'graph-credentials',
      ),
    ).toMatchObject({ kind: 'error', reason: expect.stringContaining('HTML') });
  });

  it('error reasons never carry the URL query (it may hold a skip token)', async () => {
    const { fetcher } = fake({
      [first]: json(200, { value: [], '@odata.nextLink': 'https://graph.example/p?$skiptoken=SECRET' }),
      'https://graph.example/p?$skiptoken=SECRET': json(500, {}),
    });
    const r = await listAllPages(fetcher, first, 't', 'graph', 'graph-credentials');
    expect(JSON.stringify(r)).not.toContain('SECRET');
  });
});

describe('readGraphCredentials', () => {
  it('reads Graph beta for the application by appId and normalises, keeping unreadable records out', async () => {
    const url = `https://graph.example/beta/applications(appId='${CLIENT}')/federatedIdentityCredentials`;
    expect(graphCredentialsUrl('https://graph.example/', CLIENT)).toBe(url);
    const { fetcher } = fake({ [url]: json(200, { value: [graphFic('main'), { name: 'broken' }] }) });
    const r = await readGraphCredentials({ fetcher, graphHost: 'https://graph.example', clientId: CLIENT, token: 't' });
    expect(r).toMatchObject({
      kind: 'credentials',
      source: 'graph',
      owner: `application ${CLIENT}`,
      pages: 1,
      truncated: false,
      skipped: ["'broken': no issuer"],
    });
    expect(r.kind === 'credentials' && r.credentials.map((c) => c.name)).toEqual(['main']);
  });
});

describe('readArmCredentials', () => {
  const identity = (name: string, clientId: string, rg = 'rg') => ({
    id: `/subscriptions/${SUB}/resourcegroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
    name,
    type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
    properties: { tenantId: 't', principalId: 'p', clientId },
  });
  const list =
    `https://arm.example/subscriptions/${SUB}/providers/Microsoft.ManagedIdentity/` +
    `userAssignedIdentities?api-version=2023-01-31`;

  it('finds the identity by client id (case-insensitive) across pages, then lists its credentials', async () => {
    const page2 = `${list}&$skiptoken=x`;
    const creds = armCredentialsUrl('https://arm.example', identity('mi', CLIENT, 'rg-deploy').id);
    const { fetcher, calls } = fake({
      [list]: json(200, { value: [identity('other', '99999999-2222-3333-4444-555555555555')], nextLink: page2 }),
      [page2]: json(200, { value: [identity('mi', CLIENT.toUpperCase(), 'rg-deploy')] }),
      [creds]: json(200, {
        value: [
          {
            name: 'prod',
            properties: { issuer: GH, subject: 'repo:o/r:environment:prod', audiences: ['api://AzureADTokenExchange'] },
          },
        ],
      }),
    });
    const r = await readArmCredentials({
      fetcher,
      armHost: 'https://arm.example',
      subscriptionId: SUB,
      clientId: CLIENT,
      token: 't',
    });
    expect(r).toMatchObject({ kind: 'credentials', source: 'arm', owner: identity('mi', CLIENT, 'rg-deploy').id });
    expect(r.kind === 'credentials' && r.credentials[0]).toMatchObject({
      name: 'prod',
      subject: 'repo:o/r:environment:prod',
      source: 'arm',
    });
    expect(calls.map((c) => c.url)).toEqual([list, page2, creds]);
  });

  it('no identity with that client id → not-found that says how many were searched', async () => {
    const { fetcher } = fake({
      [list]: json(200, { value: [identity('other', '99999999-2222-3333-4444-555555555555')] }),
    });
    const r = await readArmCredentials({
      fetcher,
      armHost: 'https://arm.example',
      subscriptionId: SUB,
      clientId: CLIENT,
      token: 't',
    });
    expect(r).toMatchObject({
      kind: 'not-found',
      step: 'arm-identities',
      error: { message: expect.stringContaining('None of the 1 user-assigned identities') },
    });
  });

  it('a 403 on the search is a denial of that step', async () => {
    const { fetcher } = fake({ [list]: json(403, { error: { code: 'AuthorizationFailed', message: 'nope' } }) });
    expect(
      await readArmCredentials({
        fetcher,
        armHost: 'https://arm.example',
        subscriptionId: SUB,
        clientId: CLIENT,
        token: 't',
      }),
    ).toMatchObject({
      kind: 'denied',
      step: 'arm-identities',
      status: 403,
      error: { code: 'AuthorizationFailed' },
    });
  });

  it('findIdentityByClientId refuses ids that are not a user-assigned identity (never in a URL with a token)', () => {
    const bad = [
      { ...identity('mi', CLIENT), id: 'https://evil.example/x' },
      {
        ...identity('mi', CLIENT),
        id:
          `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/` +
          `userAssignedIdentities/mi/../../x`,
      },
      {
        ...identity('mi', CLIENT),
        id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi?x=1`,
      },
    ];
    expect(findIdentityByClientId(bad, CLIENT)).toBeUndefined();
    expect(findIdentityByClientId([null, 1, {}, identity('mi', CLIENT)], CLIENT)).toMatchObject({
      name: 'mi',
      resourceGroup: 'rg',
    });
  });
});

describe('readSubscription', () => {
  const url = `https://arm.example/subscriptions/${SUB}?api-version=2022-12-01`;
  it.each([
    [
      json(200, { subscriptionId: SUB, displayName: 'Prod', state: 'Enabled' }),
      { kind: 'ok', state: 'Enabled', displayName: 'Prod' },
    ],
    [json(200, { subscriptionId: SUB, state: 'Disabled' }), { kind: 'ok', state: 'Disabled' }],
    [json(403, { error: { code: 'AuthorizationFailed', message: 'm' } }), { kind: 'denied', status: 403 }],
    [
      json(404, { error: { code: 'SubscriptionNotFound', message: 'm' } }),
      { kind: 'not-found', status: 404, error: { code: 'SubscriptionNotFound' } },
    ],
    [json(500, {}), { kind: 'error' }],
  ])('%j', async (res, expected) => {
    const { fetcher } = fake({ [url]: res });
    expect(
      await readSubscription({ fetcher, armHost: 'https://arm.example', subscriptionId: SUB, token: 't' }),
    ).toMatchObject(expected);
  });
});

describe('readTenantDiscovery', () => {
  const url = (host: string) => `${host}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`;
  it('found: cloud_instance_name and region scopes', async () => {
    const { fetcher, calls } = fake({
      [url('https://login.example')]: json(200, {
        token_endpoint: 'x',
        cloud_instance_name: 'microsoftonline.us',
        tenant_region_scope: 'USG',
        tenant_region_sub_scope: 'DODCON',
      }),
    });
    expect(await readTenantDiscovery(fetcher, 'https://login.example/', 'contoso.onmicrosoft.com')).toEqual({
      authorityHost: 'https://login.example/',
      status: 'found',
      cloudInstanceName: 'microsoftonline.us',
      tenantRegionScope: 'USG',
      tenantRegionSubScope: 'DODCON',
    });
    expect(calls[0]!.headers.Authorization).toBeUndefined();
  });
  it('invalid_tenant (AADSTS90002) → not-found; other answers → error', async () => {
    const nf = fake({ [url('https://l')]: json(400, { error: 'invalid_tenant', error_codes: [90002] }) });
    expect((await readTenantDiscovery(nf.fetcher, 'https://l', 'contoso.onmicrosoft.com')).status).toBe('not-found');
    const err = fake({ [url('https://l')]: json(500, 'oops') });
    expect((await readTenantDiscovery(err.fetcher, 'https://l', 'contoso.onmicrosoft.com')).status).toBe('error');
  });
});
