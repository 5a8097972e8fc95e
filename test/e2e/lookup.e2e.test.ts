/**
 * Reading the identity's real federated credentials from Azure, end to end: `node dist/index.js`
 * against the GitHub, Entra and Azure (Graph + ARM) stand-ins. The Azure stand-in serves the very
 * credentials the Entra stand-in matches the token against, and only to tokens Entra issued.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAzureStandin, type AzureStandin } from '../support/azure-standin.js';
import type { RunActionOptions } from '../support/run-action.js';
import { CLIENT, EXCHANGE_AUDIENCE, TENANT, assertNoSecrets, findingIds, findings, useWorld } from './world.js';

const world = useWorld();
const READER = '33333333-4444-5555-6666-777777777777';
const MI_CLIENT = '44444444-5555-6666-7777-888888888888';
const SUB = 'aaaaaaaa-1111-2222-3333-444444444444';
const MAIN = 'repo:octo-org/octo-repo:ref:refs/heads/main';

let azure: AzureStandin;
const checked: Array<Awaited<ReturnType<typeof world.run>>> = [];

beforeAll(async () => {
  azure = await startAzureStandin({ entra: world.entra });
});
afterAll(async () => {
  await azure?.close();
});

beforeEach(() => {
  azure.graphReaders = [READER];
  azure.roleAssignments = [{ principal: READER, role: 'Reader', scope: `/subscriptions/${SUB}` }];
  azure.subscriptions = {
    [SUB]: {
      displayName: 'Production',
      tenantId: TENANT,
      identities: [
        { name: 'other-mi', resourceGroup: 'rg-other', clientId: '55555555-6666-7777-8888-999999999999' },
        { name: 'deploy-mi', resourceGroup: 'rg-deploy', clientId: MI_CLIENT },
      ],
    },
  };
  azure.pageSize = 100;
  azure.faults = {};
  azure.requests.length = 0;
  const apps = world.entra.tenants[TENANT]!.apps;
  // The reader's own credential accepts this job's token.
  apps[READER] = { displayName: 'federation-reader', credentials: [world.credential({ name: 'reader-main' })] };
  apps[MI_CLIENT] = { displayName: 'deploy-mi', credentials: [world.credential({ name: 'mi-main' })] };
});

afterEach(() => {
  const secrets = world.secrets();
  expect(secrets.length).toBeGreaterThan(0);
  for (const r of checked.splice(0)) assertNoSecrets(r, secrets);
});

async function run(options: RunActionOptions = {}) {
  const r = await world.run({
    ...options,
    inputs: { 'graph-host': azure.url, 'resource-manager-host': azure.url, ...options.inputs },
  });
  checked.push(r);
  expect(r.stderr).toBe('');
  expect(r.timedOut).toBe(false);
  return r;
}

const graphCalls = () => azure.requests.filter((q) => q.route === 'graph');
const armCalls = () => azure.requests.filter((q) => q.route.startsWith('arm'));
const tokenScopes = () =>
  world.entra.requests
    .filter((q) => q.route === 'token')
    .map((q) => ({ client: q.form?.client_id, scope: q.form?.scope }));

describe('lookup: auto explains a rejection against the credentials Azure holds', () => {
  it('Microsoft Graph: nearest credential, field diff and source named (AADSTS700213)', async () => {
    world.credentials.splice(
      0,
      world.credentials.length,
      world.credential({ name: 'tags', subject: 'repo:octo-org/octo-repo:ref:refs/tags/v1' }),
      world.credential({ name: 'production', subject: 'repo:octo-org/octo-repo:environment:production' }),
      world.credential({ name: 'mian', subject: 'repo:octo-org/octo-repo:ref:refs/heads/mian' }),
    );
    azure.pageSize = 1; // three pages
    const r = await run({ inputs: { 'reader-client-id': READER } });
    expect(r.code).toBe(1);
    const f = findings(r);
    expect(f[0]!.id).toBe('subject-mismatch');
    expect(f[0]!.code).toBe('AADSTS700213');
    expect(f[0]!.title).toContain("credential 'mian' (read from Microsoft Graph)");
    expect(f[0]!.message).toMatch(new RegExp(`token sub: +${MAIN}\n`));
    expect(f[0]!.message).toMatch(/credential: +repo:octo-org\/octo-repo:ref:refs\/heads\/mian\n/);
    expect(f[0]!.message).toMatch(/\^/); // the caret under the first differing character
    expect(r.summary).toContain('mian');
    expect(r.summary).toContain('production');
    // Graph beta, paged, with the reader's token (never the job's own GitHub token).
    const calls = graphCalls();
    expect(calls.length).toBe(3);
    expect(
      calls.every((q) => q.path.startsWith(`/beta/applications(appId='${CLIENT}')/federatedIdentityCredentials`)),
    ).toBe(true);
    expect(
      calls.every((q) => q.principal === READER && q.audience === 'https://graph.microsoft.com' && q.status === 200),
    ).toBe(true);
    expect(tokenScopes()).toEqual([
      { client: CLIENT, scope: 'https://management.azure.com/.default' },
      { client: READER, scope: 'https://graph.microsoft.com/.default' },
    ]);
    expect(r.stdout).toContain('Read 3 federated credentials of application');
  });

  it('Azure Resource Manager: a user-assigned identity found by client id, audience diff (AADSTS700212)', async () => {
    world.entra.tenants[TENANT]!.apps[MI_CLIENT]!.credentials = [
      world.credential({ name: 'mi-gov', audiences: ['api://AzureADTokenExchangeUSGov'] }),
    ];
    azure.pageSize = 1; // identities and credentials paged
    const r = await run({ inputs: { 'client-id': MI_CLIENT, 'subscription-id': SUB, 'reader-client-id': READER } });
    expect(r.code).toBe(1);
    const f = findings(r);
    expect(f.map((x) => x.id)).toEqual(['audience-mismatch']);
    expect(f[0]!.code).toBe('AADSTS700212');
    expect(f[0]!.title).toContain("credential 'mi-gov' (read from Azure Resource Manager)");
    expect(f[0]!.message).toContain('api://AzureADTokenExchangeUSGov');
    expect(f[0]!.message).toContain(EXCHANGE_AUDIENCE);
    // Graph first (not an application: 404, quietly), then ARM: the identity list (2 pages), then its credentials.
    expect(graphCalls().map((q) => q.status)).toEqual([404]);
    expect(armCalls().map((q) => [q.route, q.status])).toEqual([
      ['armIdentities', 200],
      ['armIdentities', 200],
      ['armCredentials', 200],
    ]);
    expect(armCalls()[0]!.path).toBe(
      `/subscriptions/${SUB}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2023-01-31`,
    );
    expect(armCalls()[2]!.path.toLowerCase()).toContain(
      '/resourcegroups/rg-deploy/providers/microsoft.managedidentity/' +
        'userassignedidentities/deploy-mi/federatedidentitycredentials?' +
        'api-version=2023-01-31',
    );
    expect(armCalls().every((q) => q.principal === READER && q.audience === 'https://management.azure.com')).toBe(true);
    expect(findingIds(r)).not.toContain('lookup-denied');
  });

  it('never reads on a passing run, even with a reader identity', async () => {
    const r = await run({ inputs: { 'reader-client-id': READER, 'subscription-id': SUB } });
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    expect(azure.requests).toEqual([]);
    expect(tokenScopes()).toEqual([{ client: CLIENT, scope: 'https://management.azure.com/.default' }]);
  });

  it('without a reader identity a rejection is explained from Entra alone, with a hint and no call', async () => {
    world.credentials[0]!.subject = 'repo:octo-org/octo-repo:ref:refs/heads/dev';
    const r = await run();
    expect(findings(r)[0]!.id).toBe('subject-mismatch');
    expect(findings(r)[0]!.code).toBe('AADSTS700213');
    expect(azure.requests).toEqual([]);
    expect(r.stdout).toContain("set 'reader-client-id'");
  });

  it('does not read for a verdict that is not about matching (AADSTS7000112)', async () => {
    world.entra.tenants[TENANT]!.apps[CLIENT]!.disabled = true;
    const r = await run({ inputs: { 'reader-client-id': READER } });
    expect(findings(r)[0]!.id).toBe('client-disabled');
    expect(azure.requests).toEqual([]);
  });
});

describe('lookup-denied: a 401/403 is a notice, never a failure', () => {
  it('Graph 403 for the reader: notice naming Application.Read.All; the diagnosis stands on Entra', async () => {
    azure.graphReaders = [];
    world.credentials[0]!.subject = 'repo:octo-org/octo-repo:ref:refs/heads/dev';
    const r = await run({ inputs: { 'reader-client-id': READER } });
    const f = findings(r);
    expect(f.map((x) => x.id)).toEqual(['subject-mismatch', 'lookup-denied']);
    const notice = f[1]!;
    expect(notice.severity).toBe('notice');
    expect(notice.message).toContain(
      'HTTP 403 (Authorization_RequestDenied: Insufficient privileges to complete the operation.)',
    );
    expect(notice.message).toContain('Application.Read.All');
    expect(notice.message).toContain('admin consent');
    expect(notice.fix).toContain(`az ad app permission admin-consent --id ${READER}`);
    expect(r.commands.filter((c) => c.command === 'notice').length).toBe(1);
  });

  it('an explicit lookup on a passing run that Graph refuses: the step still passes', async () => {
    azure.graphReaders = [];
    const r = await run({ inputs: { lookup: 'graph' } });
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    expect(findingIds(r)).toEqual(['lookup-denied']);
    expect(findings(r)[0]!.fix).toContain(`--id ${CLIENT}`);
    // The Graph-scope exchange for the identity itself ran beside the main one.
    expect(
      tokenScopes()
        .map((t) => t.scope)
        .sort(),
    ).toEqual(['https://graph.microsoft.com/.default', 'https://management.azure.com/.default']);
  });

  it('ARM 403 on the identity search: notice naming Reader on the subscription', async () => {
    azure.roleAssignments = [];
    const r = await run({ inputs: { lookup: 'arm', 'client-id': MI_CLIENT, 'subscription-id': SUB } });
    expect(r.code).toBe(0);
    const f = findings(r);
    expect(f.map((x) => x.id)).toEqual(['lookup-denied']);
    expect(f[0]!.message).toContain('AuthorizationFailed');
    expect(f[0]!.message).toContain('Microsoft.ManagedIdentity/userAssignedIdentities/read');
    expect(f[0]!.fix).toContain(
      `az role assignment create --assignee ${MI_CLIENT} --role Reader --scope /subscriptions/${SUB}`,
    );
  });

  it('a reader whose own credential refuses the token: notice, diagnosis unchanged', async () => {
    world.entra.tenants[TENANT]!.apps[READER]!.credentials = [
      world.credential({ name: 'reader-dev', subject: 'repo:octo-org/octo-repo:ref:refs/heads/dev' }),
    ];
    world.credentials[0]!.subject = 'repo:octo-org/octo-repo:ref:refs/heads/dev';
    const r = await run({ inputs: { 'reader-client-id': READER } });
    expect(findingIds(r)).toEqual(['subject-mismatch', 'lookup-denied']);
    expect(findings(r)[1]!.title).toContain(`reader identity ${READER} could not sign in (AADSTS700213)`);
    expect(graphCalls()).toEqual([]);
  });

  it('Graph failing with 5xx degrades quietly: one retry, a log line, no finding', async () => {
    azure.faults.graph = () => ({ status: 503 });
    world.credentials[0]!.subject = 'repo:octo-org/octo-repo:ref:refs/heads/dev';
    const r = await run({ inputs: { 'reader-client-id': READER } });
    expect(findingIds(r)).toEqual(['subject-mismatch']);
    expect(graphCalls().length).toBe(2);
    expect(r.stdout).toContain('Reading the federated credentials failed');
  });
});

describe('flexible credentials from Graph beta', () => {
  const flexible = (name: string, value: string) =>
    world.credential({ name, subject: null, claimsMatchingExpression: { value, languageVersion: 1 } });

  it('accepted: the expression read from Graph matches, and names the matched credential', async () => {
    world.credentials.splice(
      0,
      1,
      flexible('all-branches', "claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/*'"),
    );
    azure.graphReaders = [CLIENT];
    const r = await run({ inputs: { lookup: 'graph' } });
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    expect(r.outputs['matched-credential']).toBe('all-branches');
    expect(findingIds(r)).toEqual([]);
    expect(graphCalls().map((q) => [q.path.split('/')[1], q.principal])).toEqual([['beta', CLIENT]]);
  });

  it('rejected: the failing clause is named (AADSTS7002131)', async () => {
    world.credentials.splice(
      0,
      1,
      flexible('releases', "claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/release/*'"),
    );
    const r = await run({ inputs: { 'reader-client-id': READER } });
    expect(r.code).toBe(1);
    const f = findings(r);
    expect(f[0]!.id).toBe('expression-mismatch');
    expect(f[0]!.code).toBe('AADSTS7002131');
    expect(f[0]!.title).toContain("credential 'releases' (read from Microsoft Graph)");
    expect(f[0]!.title).toContain("claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/release/*'");
    expect(f[0]!.message).toContain(`the token's sub is '${MAIN}'`);
  });
});

describe('expected-subscription-id', () => {
  it('passes when the exchanged identity sees an Enabled subscription', async () => {
    azure.roleAssignments.push({
      principal: CLIENT,
      role: 'Contributor',
      scope: `/subscriptions/${SUB}/resourceGroups/rg-deploy`,
    });
    const r = await run({ inputs: { 'expected-subscription-id': SUB } });
    expect(r.code).toBe(0);
    expect(findingIds(r)).toEqual([]);
    expect(armCalls().map((q) => [q.route, q.principal, q.status, q.path])).toEqual([
      ['armSubscription', CLIENT, 200, `/subscriptions/${SUB}?api-version=2022-12-01`],
    ]);
    expect(r.stdout).toContain(`Subscription 'Production' ${SUB} is visible to the identity and Enabled.`);
  });

  it('fails with the role assignment to make when the identity has no role on it', async () => {
    const r = await run({ inputs: { 'expected-subscription-id': SUB } });
    expect(r.code).toBe(1);
    const f = findings(r);
    expect(f.map((x) => x.id)).toEqual(['subscription-not-accessible']);
    expect(f[0]!.severity).toBe('error');
    expect(f[0]!.message).toContain(`HTTP 403 for subscription ${SUB} (AuthorizationFailed`);
    expect(f[0]!.message).toContain('No subscriptions found');
    expect(f[0]!.fix).toContain(
      `az role assignment create --assignee ${CLIENT} --role Reader --scope /subscriptions/${SUB}`,
    );
  });

  it('fails for a subscription ARM does not know (404)', async () => {
    const other = 'bbbbbbbb-1111-2222-3333-444444444444';
    const r = await run({ inputs: { 'expected-subscription-id': other } });
    expect(findingIds(r)).toEqual(['subscription-not-accessible']);
    expect(findings(r)[0]!.message).toContain('SubscriptionNotFound');
  });

  it('warns for a Disabled subscription', async () => {
    azure.roleAssignments.push({ principal: CLIENT, role: 'Reader', scope: `/subscriptions/${SUB}` });
    azure.subscriptions[SUB]!.state = 'Disabled';
    const r = await run({ inputs: { 'expected-subscription-id': SUB } });
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    const f = findings(r);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['subscription-not-accessible', 'warning']]);
    expect(f[0]!.title).toContain('is Disabled, not Enabled');
  });
});

describe('clouds', () => {
  it.each([
    ['azurecloud', 'api://AzureADTokenExchange', 'https://management.azure.com', 'https://graph.microsoft.com'],
    [
      'azureusgovernment',
      'api://AzureADTokenExchangeUSGov',
      'https://management.usgovcloudapi.net',
      'https://graph.microsoft.us',
    ],
    [
      'azurechinacloud',
      'api://AzureADTokenExchangeChina',
      'https://management.chinacloudapi.cn',
      'https://microsoftgraph.chinacloudapi.cn',
    ],
  ])('%s: GitHub audience %s, exchange scope %s, Graph %s', async (environment, audience, arm, graph) => {
    world.credentials[0]!.audiences = [audience];
    world.entra.tenants[TENANT]!.apps[READER]!.credentials[0]!.audiences = [audience];
    azure.graphReaders = [CLIENT];
    azure.roleAssignments.push({ principal: CLIENT, role: 'Reader', scope: `/subscriptions/${SUB}` });
    const r = await run({ inputs: { environment, lookup: 'graph', 'expected-subscription-id': SUB } });
    expect(r.code).toBe(0);
    expect(r.outputs.audience).toBe(audience);
    expect(r.outputs['matched-credential']).toBe('main');
    const asked = world.github.requests
      .filter((q) => q.route === 'tokenRequest')
      .map((q) => new URL(q.path, 'http://x').searchParams.get('audience'));
    expect(new Set(asked)).toEqual(new Set([audience]));
    expect(
      tokenScopes()
        .map((t) => t.scope)
        .sort(),
    ).toEqual([`${arm}/.default`, `${graph}/.default`].sort());
    expect(graphCalls()[0]!.audience).toBe(graph);
    expect(armCalls()[0]!.audience).toBe(arm);
  });

  it('cloud-mismatch: a US Government tenant asked at the public endpoint (AADSTS900439)', async () => {
    world.entra.tenants[TENANT]!.cloudInstanceName = 'microsoftonline.us';
    world.entra.tenants[TENANT]!.tenantRegionScope = 'USG';
    world.entra.forceError = {
      code: 900439,
      text:
        'USGClientNotSupportedOnPublicEndpoint - The client is a US Government client and is not ' +
        'supported on the public endpoint.',
    };
    const r = await run();
    expect(r.code).toBe(1);
    const f = findings(r).filter((x) => x.id === 'cloud-mismatch');
    expect(f.length).toBe(1);
    expect(f[0]!.code).toBe('AADSTS900439');
    expect(f[0]!.message).toContain("cloud_instance_name 'microsoftonline.us'");
    expect(f[0]!.message).toContain("tenant_region_scope 'USG'");
    expect(f[0]!.fix).toContain('environment: azureusgovernment');
    expect(world.entra.requests.filter((q) => q.route === 'discovery').map((q) => q.path)).toEqual([
      `/${TENANT}/v2.0/.well-known/openid-configuration`,
    ]);
  });

  it('no cloud-mismatch when discovery agrees with the chosen cloud (AADSTS700016)', async () => {
    const r = await run({ inputs: { 'client-id': '99999999-2222-3333-4444-555555555555' } });
    expect(findingIds(r)).toEqual(['client-not-found']);
    expect(world.entra.requests.filter((q) => q.route === 'discovery').length).toBe(1);
  });
});

describe('issuer-private', () => {
  it('warns when nothing proves Entra can reach a loopback issuer (exchange off)', async () => {
    const r = await run({ inputs: { exchange: 'false', 'federated-credentials': JSON.stringify(world.credentials) } });
    expect(r.code).toBe(0);
    const f = findings(r);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['issuer-private', 'warning']]);
    expect(f[0]!.message).toContain('/.well-known/openid-configuration');
  });

  it('says nothing once Entra has accepted the token', async () => {
    const r = await run();
    expect(findingIds(r)).toEqual([]);
  });
});
