/**
 * The action's inputs, read and validated before any network call. Pure: takes a getter
 * (readInput in src/report/runner-log.ts, @actions/core's getInput), so tests and the CLI can feed
 * values without environment variables.
 */
import { CLOUD_NAMES, findCloud, type Cloud } from '../entra/clouds.js';

export type FailOn = 'error' | 'warning' | 'never';

export interface ActionInputs {
  clientId: string;
  tenantId: string;
  cloud: Cloud;
  audience: string;
  /** https origin of Entra, no trailing slash. */
  authorityHost: string;
  credentialsInline?: string;
  credentialsFile?: string;
  exchange: boolean;
  failOn: FailOn;
  timeoutSeconds: number;
  /** Read the identity's real federated credentials from Azure: `auto` only when it can explain a failure. */
  lookup: LookupMode;
  /** Subscription searched for the user-assigned managed identity (azure/login's subscription-id). */
  subscriptionId?: string;
  /** Guardrail after a successful exchange: the identity must see this subscription. */
  expectedSubscriptionId?: string;
  /** A separate identity that reads the credentials; its own federated credential must accept this job's token. */
  readerClientId?: string;
  /** The reader's tenant; the run's tenant when not given. */
  readerTenantId?: string;
  /** https origins of Microsoft Graph and Azure Resource Manager, no trailing slash (the cloud's unless overridden). */
  graphHost: string;
  resourceManagerHost: string;
}

export type LookupMode = 'auto' | 'graph' | 'arm' | 'none';

export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    /** The input's name as written in the workflow, e.g. `client-id`. */
    readonly input: string,
    message: string,
    /** The expected form, shown as the fix. */
    readonly expected: string,
  ) {
    super(message);
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Show a bad value without echoing a whole pasted secret or a control character. */
export function shown(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 60 ? `'${clean.slice(0, 40)}…' (${clean.length} characters)` : `'${clean}'`;
}

const EMPTY_SECRET_HINT =
  'If the value comes from a secret, it is empty in pull requests from forks and in Dependabot runs,' +
  ' where GitHub withholds secrets; ' +
  'client and tenant ids are not secret, so `vars.AZURE_CLIENT_ID` works there too.';

function required(get: (n: string) => string, name: string, expected: string): string {
  const v = get(name).trim();
  if (!v) throw new InputError(name, `Input '${name}' is required and was empty. ${EMPTY_SECRET_HINT}`, expected);
  return v;
}

function boolean(get: (n: string) => string, name: string, dflt: boolean): boolean {
  const v = get(name).trim();
  if (v === '') return dflt;
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'False', 'FALSE'].includes(v)) return false;
  throw new InputError(name, `Input '${name}' is ${shown(v)}, not a boolean.`, `${name}: true   # or false`);
}

export function parseInputs(get: (name: string) => string): ActionInputs {
  const clientId = required(
    get,
    'client-id',
    'client-id: 00000000-0000-0000-0000-000000000000' +
      "   # the Application (client) ID, or the managed identity's Client ID",
  );
  if (!GUID.test(clientId))
    throw new InputError(
      'client-id',
      `Input 'client-id' is ${shown(clientId)}, not a GUID. Use the Application (client) ID of the app registration` +
        ' or the Client ID of the user-assigned managed identity, not its object id, name or secret.',
      'client-id: ${{ vars.AZURE_CLIENT_ID }}   # e.g. 11111111-2222-3333-4444-555555555555',
    );
  const tenantId = required(
    get,
    'tenant-id',
    'tenant-id: 00000000-0000-0000-0000-000000000000   # the Directory (tenant) ID',
  );
  if (!GUID.test(tenantId) && !DOMAIN.test(tenantId))
    throw new InputError(
      'tenant-id',
      `Input 'tenant-id' is ${shown(tenantId)}: neither a GUID nor a domain name.` +
        ' Entra would answer AADSTS900023 for it.',
      'tenant-id: ${{ vars.AZURE_TENANT_ID }}   # a GUID, or a verified domain like contoso.onmicrosoft.com',
    );
  const envName = get('environment').trim() || 'azurecloud';
  const cloud = findCloud(envName);
  if (!cloud)
    throw new InputError(
      'environment',
      `Input 'environment' is ${shown(envName)}; this action knows ${CLOUD_NAMES.join(', ')} (case-insensitive).` +
        " For Azure Stack or a proxy, keep a cloud and set 'authority-host'.",
      'environment: azurecloud   # or azureusgovernment, azurechinacloud',
    );
  const audience = get('audience').trim() || cloud.exchangeAudience;
  if (/\s/.test(audience) || audience.length > 600)
    throw new InputError(
      'audience',
      `Input 'audience' is ${shown(audience)}; an audience is one value without spaces, at most 600 characters.`,
      `audience: ${cloud.exchangeAudience}`,
    );
  const authorityHost = parseAuthorityHost(get('authority-host').trim(), cloud);
  const credentialsInline = get('federated-credentials').trim() || undefined;
  const credentialsFile = get('federated-credentials-file').trim() || undefined;
  if (credentialsInline && credentialsFile)
    throw new InputError(
      'federated-credentials',
      `Both 'federated-credentials' and 'federated-credentials-file' are set; give the credentials one way.`,
      'federated-credentials-file: .github/azure-federated-credentials.json',
    );
  const exchange = boolean(get, 'exchange', true);
  const failOnRaw = (get('fail-on').trim() || 'error').toLowerCase();
  if (failOnRaw !== 'error' && failOnRaw !== 'warning' && failOnRaw !== 'never')
    throw new InputError('fail-on', `Input 'fail-on' is ${shown(failOnRaw)}.`, 'fail-on: error   # or warning, never');
  const timeoutSeconds = parseTimeoutSeconds(get);
  return {
    clientId,
    tenantId,
    cloud,
    audience,
    authorityHost,
    credentialsInline,
    credentialsFile,
    exchange,
    failOn: failOnRaw,
    timeoutSeconds,
    ...parseAzureInputs(get, cloud, exchange),
  };
}

/** `timeout-seconds`: the whole run's limit (check and audit mode), 1 to 600, default 60. */
export function parseTimeoutSeconds(get: (name: string) => string): number {
  const timeoutRaw = get('timeout-seconds').trim() || '60';
  const timeoutSeconds = Number(timeoutRaw);
  if (!/^\d+(\.\d+)?$/.test(timeoutRaw) || !(timeoutSeconds >= 1 && timeoutSeconds <= 600))
    throw new InputError(
      'timeout-seconds',
      `Input 'timeout-seconds' is ${shown(timeoutRaw)}; give seconds from 1 to 600.`,
      'timeout-seconds: 60',
    );
  return timeoutSeconds;
}

function parseAuthorityHost(raw: string, cloud: Cloud): string {
  if (!raw) return cloud.authorityHost;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(
      'authority-host',
      `Input 'authority-host' is ${shown(raw)}, not a URL.`,
      `authority-host: ${cloud.authorityHost}`,
    );
  }
  if (url.protocol !== 'https:')
    throw new InputError(
      'authority-host',
      `Input 'authority-host' must use https; got ${url.protocol.replace(':', '')}.`,
      `authority-host: ${cloud.authorityHost}`,
    );
  if (url.search || url.hash || url.username || url.password)
    throw new InputError(
      'authority-host',
      `Input 'authority-host' must be a plain origin such as ${cloud.authorityHost},` +
        ' without query, fragment or credentials.',
      `authority-host: ${cloud.authorityHost}`,
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

type AzureInputs = Pick<
  ActionInputs,
  | 'lookup'
  | 'subscriptionId'
  | 'expectedSubscriptionId'
  | 'readerClientId'
  | 'readerTenantId'
  | 'graphHost'
  | 'resourceManagerHost'
>;

function optionalGuid(get: (n: string) => string, name: string, example: string): string | undefined {
  const v = get(name).trim();
  if (!v) return undefined;
  if (!GUID.test(v)) throw new InputError(name, `Input '${name}' is ${shown(v)}, not a GUID.`, `${name}: ${example}`);
  return v;
}

/** An https origin (optionally with a path) such as graph-host or resource-manager-host; the default when empty. */
function httpsOrigin(raw: string, name: string, dflt: string): string {
  if (!raw) return dflt;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(name, `Input '${name}' is ${shown(raw)}, not a URL.`, `${name}: ${dflt}`);
  }
  if (url.protocol !== 'https:')
    throw new InputError(
      name,
      `Input '${name}' must use https; got ${url.protocol.replace(':', '')}.`,
      `${name}: ${dflt}`,
    );
  if (url.search || url.hash || url.username || url.password)
    throw new InputError(
      name,
      `Input '${name}' must be a plain origin such as ${dflt}, without query, fragment or credentials.`,
      `${name}: ${dflt}`,
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function parseAzureInputs(get: (n: string) => string, cloud: Cloud, exchange: boolean): AzureInputs {
  const lookupRaw = (get('lookup').trim() || 'auto').toLowerCase();
  if (lookupRaw !== 'auto' && lookupRaw !== 'graph' && lookupRaw !== 'arm' && lookupRaw !== 'none')
    throw new InputError('lookup', `Input 'lookup' is ${shown(lookupRaw)}.`, 'lookup: auto   # or graph, arm, none');
  const lookup: LookupMode = lookupRaw;
  const subscriptionId = optionalGuid(get, 'subscription-id', '${{ vars.AZURE_SUBSCRIPTION_ID }}');
  const expectedSubscriptionId = optionalGuid(get, 'expected-subscription-id', '${{ vars.AZURE_SUBSCRIPTION_ID }}');
  const readerClientId = optionalGuid(
    get,
    'reader-client-id',
    '${{ vars.AZURE_READER_CLIENT_ID }}   # an app with Application.Read.All or Reader',
  );
  const readerTenantRaw = get('reader-tenant-id').trim();
  if (readerTenantRaw && !readerClientId)
    throw new InputError(
      'reader-tenant-id',
      `Input 'reader-tenant-id' is set without 'reader-client-id'; it names the reader identity's tenant.`,
      'reader-client-id: ${{ vars.AZURE_READER_CLIENT_ID }}',
    );
  if (readerTenantRaw && !GUID.test(readerTenantRaw) && !DOMAIN.test(readerTenantRaw))
    throw new InputError(
      'reader-tenant-id',
      `Input 'reader-tenant-id' is ${shown(readerTenantRaw)}: neither a GUID nor a domain name.`,
      'reader-tenant-id: ${{ vars.AZURE_TENANT_ID }}',
    );
  if (!exchange && (lookup === 'graph' || lookup === 'arm'))
    throw new InputError(
      'lookup',
      `Input 'lookup' is '${lookup}', but 'exchange' is false:` +
        ' the token that reads Azure comes from an exchange with Entra.',
      'lookup: none   # or exchange: true',
    );
  if (!exchange && expectedSubscriptionId)
    throw new InputError(
      'expected-subscription-id',
      `Input 'expected-subscription-id' needs the token exchange, and 'exchange' is false.`,
      'exchange: true',
    );
  if (lookup === 'arm' && !subscriptionId && !expectedSubscriptionId)
    throw new InputError(
      'subscription-id',
      "Input 'lookup' is 'arm', which finds the managed identity by its client id in a subscription;" +
        " 'subscription-id' is empty.",
      'subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
    );
  return {
    lookup,
    ...(subscriptionId ? { subscriptionId } : {}),
    ...(expectedSubscriptionId ? { expectedSubscriptionId } : {}),
    ...(readerClientId ? { readerClientId, readerTenantId: readerTenantRaw || undefined } : {}),
    graphHost: httpsOrigin(get('graph-host').trim(), 'graph-host', cloud.graph),
    resourceManagerHost: httpsOrigin(
      get('resource-manager-host').trim(),
      'resource-manager-host',
      cloud.resourceManager,
    ),
  };
}
