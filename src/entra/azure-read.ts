/**
 * Reading what Azure holds: an app registration's federated credentials from Microsoft Graph,
 * a user-assigned managed identity's from Azure Resource Manager, a subscription's state, and a
 * tenant's discovery document. Every call goes through an injected fetcher (our HTTP client in
 * the action, a fake in unit tests), so paging, normalisation and error handling are testable
 * without a network. Sources: docs/entra-matching.md §1.1–§1.3, §2.3, §3.
 *
 * Bearer tokens are sent only to the origin of the first request of a listing: a `nextLink` that
 * points anywhere else is not followed (a token must never leave for a host the user did not name).
 */
import { describeUrl, type HttpResponse } from '../net/http.js';
import type { FederatedCredential } from './credential.js';

/** One GET; resolves with any HTTP answer, rejects on network failure or timeout. */
export type Fetcher = (url: string, headers: Record<string, string>) => Promise<HttpResponse>;

export type AzureService = 'graph' | 'arm';

/** Which call a failure belongs to (the permission that would allow it differs). */
export type LookupStep = 'graph-credentials' | 'arm-identities' | 'arm-credentials' | 'arm-subscription';

export const MAX_PAGES = 20;
const ARM_MSI_API_VERSION = '2023-01-31';
const ARM_SUBSCRIPTION_API_VERSION = '2022-12-01';

interface AzureErrorBody {
  code?: string;
  message?: string;
}

export type LookupFailure =
  | { kind: 'denied'; step: LookupStep; status: number; error: AzureErrorBody; url: string }
  | { kind: 'not-found'; step: LookupStep; status: number; error: AzureErrorBody; url: string }
  | { kind: 'error'; step: LookupStep; reason: string; url: string };

interface CredentialsRead {
  kind: 'credentials';
  source: AzureService;
  credentials: FederatedCredential[];
  /** Where they were read: `application <appId>` or the identity's ARM id. */
  owner: string;
  pages: number;
  /** More pages than MAX_PAGES, or a nextLink that was not followed. */
  truncated: boolean;
  /** Records that could not be read as credentials (shape), with why. */
  skipped: string[];
}

export type LookupOutcome = CredentialsRead | LookupFailure;

/** Graph's and ARM's error body: `{"error": {"code", "message", ...}}`. */
export function parseAzureError(body: string): AzureErrorBody {
  try {
    const json = JSON.parse(body) as { error?: unknown };
    const e = json?.error;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      return {
        ...(typeof o.code === 'string' ? { code: o.code } : {}),
        ...(typeof o.message === 'string' ? { message: o.message.slice(0, 1000) } : {}),
      };
    }
  } catch {
    /* not JSON */
  }
  return {};
}

function failureFor(res: HttpResponse, step: LookupStep, url: string): LookupFailure {
  const error = parseAzureError(res.body);
  if (res.status === 401 || res.status === 403)
    return { kind: 'denied', step, status: res.status, error, url: describeUrl(url) };
  if (res.status === 404) return { kind: 'not-found', step, status: res.status, error, url: describeUrl(url) };
  const what = error.code
    ? `${error.code}${error.message ? `: ${error.message}` : ''}`
    : /^\s*</.test(res.body)
      ? 'an HTML page (a proxy?)'
      : 'no Azure error body';
  return {
    kind: 'error',
    step,
    reason: `${describeUrl(url)} answered HTTP ${res.status} (${what}).`,
    url: describeUrl(url),
  };
}

function headersFor(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, Accept: 'application/json' };
}

interface PagedItems {
  ok: true;
  items: unknown[];
  pages: number;
  truncated: boolean;
}

/**
 * All items of a Graph (`value` + `@odata.nextLink`) or ARM (`value` + `nextLink`) listing,
 * at most `maxPages` pages, never following a link to another origin or back to a page already read.
 */
export async function listAllPages(
  fetcher: Fetcher,
  firstUrl: string,
  token: string,
  service: AzureService,
  step: LookupStep,
  maxPages = MAX_PAGES,
): Promise<PagedItems | LookupFailure> {
  const origin = new URL(firstUrl).origin;
  const seen = new Set<string>();
  const items: unknown[] = [];
  let url: string | undefined = firstUrl;
  let pages = 0;
  while (url) {
    if (pages >= maxPages) return { ok: true, items, pages, truncated: true };
    seen.add(url);
    let res: HttpResponse;
    try {
      res = await fetcher(url, headersFor(token));
    } catch (e) {
      return { kind: 'error', step, reason: (e as Error).message, url: describeUrl(url) };
    }
    if (res.status !== 200) return failureFor(res, step, url);
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(res.body) as Record<string, unknown>;
    } catch {
      return {
        kind: 'error',
        step,
        reason: `${describeUrl(url)} answered HTTP 200 with a body that is not JSON.`,
        url: describeUrl(url),
      };
    }
    if (!json || typeof json !== 'object' || !Array.isArray(json.value))
      return {
        kind: 'error',
        step,
        reason: `${describeUrl(url)} answered without a 'value' list.`,
        url: describeUrl(url),
      };
    items.push(...(json.value as unknown[]));
    pages++;
    const next = json[service === 'graph' ? '@odata.nextLink' : 'nextLink'];
    if (typeof next !== 'string' || next === '') break;
    let nextUrl: URL;
    try {
      nextUrl = new URL(next, url);
    } catch {
      return { ok: true, items, pages, truncated: true };
    }
    if (nextUrl.origin !== origin || seen.has(nextUrl.href)) return { ok: true, items, pages, truncated: true };
    url = nextUrl.href;
  }
  return { ok: true, items, pages, truncated: false };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A credential record from Graph or ARM, or why it cannot be compared. */
function normalise(raw: unknown, source: AzureService): FederatedCredential | string {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'not an object';
  const o = raw as Record<string, unknown>;
  const p =
    source === 'arm'
      ? o.properties && typeof o.properties === 'object'
        ? (o.properties as Record<string, unknown>)
        : undefined
      : o;
  const name = str(o.name) ?? '(unnamed)';
  if (!p) return `'${name}': no properties`;
  const issuer = str(p.issuer);
  if (issuer === undefined) return `'${name}': no issuer`;
  const audiences = Array.isArray(p.audiences) ? p.audiences.filter((a): a is string => typeof a === 'string') : [];
  if (audiences.length === 0) return `'${name}': no audience`;
  const cme = p.claimsMatchingExpression;
  const expression =
    cme && typeof cme === 'object' && typeof (cme as { value?: unknown }).value === 'string'
      ? {
          value: (cme as { value: string }).value,
          languageVersion:
            typeof (cme as { languageVersion?: unknown }).languageVersion === 'number'
              ? (cme as { languageVersion: number }).languageVersion
              : 1,
        }
      : null;
  const subject = str(p.subject) ?? null;
  if (subject === null && !expression)
    return (
      `'${name}': neither a subject nor a claimsMatchingExpression` +
      ' (a flexible credential read without Graph beta?)'
    );
  return {
    name,
    issuer,
    subject: expression && subject === null ? null : subject,
    audiences,
    claimsMatchingExpression: expression,
    description: str(p.description) ?? null,
    source,
  };
}

/** Graph's `federatedIdentityCredential` (v1.0 or beta) → our credential. */
export function normaliseGraphCredential(raw: unknown): FederatedCredential | undefined {
  const c = normalise(raw, 'graph');
  return typeof c === 'string' ? undefined : c;
}

/** ARM's `{name, properties: {issuer, subject, audiences}}` → our credential. */
export function normaliseArmCredential(raw: unknown): FederatedCredential | undefined {
  const c = normalise(raw, 'arm');
  return typeof c === 'string' ? undefined : c;
}

function collect(items: unknown[], source: AzureService): { credentials: FederatedCredential[]; skipped: string[] } {
  const credentials: FederatedCredential[] = [];
  const skipped: string[] = [];
  for (const item of items) {
    const c = normalise(item, source);
    if (typeof c === 'string') skipped.push(c);
    else credentials.push(c);
  }
  return { credentials, skipped };
}

/** `https://host[:port][/path]` without a trailing slash. */
function base(host: string): string {
  return host.replace(/\/+$/, '');
}

export function graphCredentialsUrl(graphHost: string, clientId: string): string {
  // Graph beta, not v1.0: v1.0 does not return `claimsMatchingExpression`, so a flexible credential
  // would arrive as one with a null subject that can be neither compared nor explained. Beta is the
  // only version that shows flexible credentials (docs/entra-matching.md §1.2, §3); for classic ones the two agree.
  return `${base(graphHost)}/beta/applications(appId='${encodeURIComponent(clientId)}')/federatedIdentityCredentials`;
}

/** The federated credentials of the app registration whose Application (client) ID this is. */
export async function readGraphCredentials(p: {
  fetcher: Fetcher;
  graphHost: string;
  clientId: string;
  token: string;
  maxPages?: number;
}): Promise<LookupOutcome> {
  const url = graphCredentialsUrl(p.graphHost, p.clientId);
  const listed = await listAllPages(p.fetcher, url, p.token, 'graph', 'graph-credentials', p.maxPages);
  if (!('ok' in listed)) return listed;
  const { credentials, skipped } = collect(listed.items, 'graph');
  return {
    kind: 'credentials',
    source: 'graph',
    credentials,
    owner: `application ${p.clientId}`,
    pages: listed.pages,
    truncated: listed.truncated,
    skipped,
  };
}

interface ManagedIdentityRef {
  id: string;
  name: string;
  resourceGroup?: string;
}

// An ARM id we are willing to put in a URL next to a bearer token: the expected shape, safe characters.
const IDENTITY_ID = new RegExp(
  '^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\\w.()]{1,90}' +
    '/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/[-\\w]{1,128}$',
  'i',
);

/** The user-assigned identity whose `properties.clientId` is this client id (case-insensitive). */
export function findIdentityByClientId(items: readonly unknown[], clientId: string): ManagedIdentityRef | undefined {
  const want = clientId.toLowerCase();
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const o = item as Record<string, unknown>;
    const props = o.properties && typeof o.properties === 'object' ? (o.properties as Record<string, unknown>) : {};
    if (typeof props.clientId !== 'string' || props.clientId.toLowerCase() !== want) continue;
    if (typeof o.id !== 'string' || !IDENTITY_ID.test(o.id)) continue;
    const resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(o.id)?.[1];
    return { id: o.id, name: str(o.name) ?? o.id.split('/').pop()!, ...(resourceGroup ? { resourceGroup } : {}) };
  }
  return undefined;
}

function armIdentitiesUrl(armHost: string, subscriptionId: string): string {
  const subscription = `${base(armHost)}/subscriptions/${encodeURIComponent(subscriptionId)}`;
  const identities = `${subscription}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`;
  return `${identities}?api-version=${ARM_MSI_API_VERSION}`;
}

export function armCredentialsUrl(armHost: string, identityId: string): string {
  return `${base(armHost)}${identityId}/federatedIdentityCredentials?api-version=${ARM_MSI_API_VERSION}`;
}

/** The federated credentials of the user-assigned managed identity with this client id, found in the subscription. */
export async function readArmCredentials(p: {
  fetcher: Fetcher;
  armHost: string;
  subscriptionId: string;
  clientId: string;
  token: string;
  maxPages?: number;
}): Promise<LookupOutcome> {
  const listUrl = armIdentitiesUrl(p.armHost, p.subscriptionId);
  const identities = await listAllPages(p.fetcher, listUrl, p.token, 'arm', 'arm-identities', p.maxPages);
  if (!('ok' in identities)) return identities;
  const identity = findIdentityByClientId(identities.items, p.clientId);
  if (!identity)
    return {
      kind: 'not-found',
      step: 'arm-identities',
      status: 200,
      error: {
        code: 'IdentityNotFound',
        message:
          `None of the ${identities.items.length} user-assigned identities in subscription ${p.subscriptionId}` +
          `${identities.truncated ? ' (first pages only)' : ''} has client id ${p.clientId}.`,
      },
      url: describeUrl(listUrl),
    };
  const { fetcher, armHost, token, maxPages } = p;
  const pages = maxPages !== undefined ? { maxPages } : {};
  return readIdentityCredentials({ fetcher, armHost, identityId: identity.id, token, ...pages });
}

type SubscriptionCheck = { kind: 'ok'; state: string; displayName?: string } | LookupFailure;

/** `GET {arm}/subscriptions/{id}`: can this token see the subscription, and is it Enabled? */
export async function readSubscription(p: {
  fetcher: Fetcher;
  armHost: string;
  subscriptionId: string;
  token: string;
}): Promise<SubscriptionCheck> {
  const url =
    `${base(p.armHost)}/subscriptions/${encodeURIComponent(p.subscriptionId)}` +
    `?api-version=${ARM_SUBSCRIPTION_API_VERSION}`;
  let res: HttpResponse;
  try {
    res = await p.fetcher(url, headersFor(p.token));
  } catch (e) {
    return { kind: 'error', step: 'arm-subscription', reason: (e as Error).message, url: describeUrl(url) };
  }
  if (res.status !== 200) return failureFor(res, 'arm-subscription', url);
  try {
    const json = JSON.parse(res.body) as Record<string, unknown>;
    return {
      kind: 'ok',
      state: str(json.state) ?? 'Unknown',
      ...(str(json.displayName) ? { displayName: str(json.displayName)! } : {}),
    };
  } catch {
    return {
      kind: 'error',
      step: 'arm-subscription',
      reason: `${describeUrl(url)} answered HTTP 200 with a body that is not JSON.`,
      url: describeUrl(url),
    };
  }
}

export interface TenantDiscovery {
  authorityHost: string;
  status: 'found' | 'not-found' | 'error';
  cloudInstanceName?: string;
  tenantRegionScope?: string;
  tenantRegionSubScope?: string;
  reason?: string;
}

/** `{authority}/{tenant}/v2.0/.well-known/openid-configuration`: which cloud the tenant lives in. */
export async function readTenantDiscovery(
  fetcher: Fetcher,
  authorityHost: string,
  tenant: string,
): Promise<TenantDiscovery> {
  const url = `${base(authorityHost)}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
  try {
    const res = await fetcher(url, { Accept: 'application/json' });
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(res.body) as Record<string, unknown>;
    } catch {
      /* handled below */
    }
    if (res.status === 200 && (typeof json.cloud_instance_name === 'string' || typeof json.token_endpoint === 'string'))
      return {
        authorityHost,
        status: 'found',
        ...(str(json.cloud_instance_name) ? { cloudInstanceName: str(json.cloud_instance_name)! } : {}),
        ...(str(json.tenant_region_scope) ? { tenantRegionScope: str(json.tenant_region_scope)! } : {}),
        ...(str(json.tenant_region_sub_scope) ? { tenantRegionSubScope: str(json.tenant_region_sub_scope)! } : {}),
      };
    if (
      res.status === 400 &&
      (json.error === 'invalid_tenant' || (Array.isArray(json.error_codes) && json.error_codes.includes(90002)))
    )
      return { authorityHost, status: 'not-found' };
    return { authorityHost, status: 'error', reason: `${describeUrl(url)} answered HTTP ${res.status}.` };
  } catch (e) {
    return { authorityHost, status: 'error', reason: (e as Error).message };
  }
}

/** An app registration as the tenant-wide listing gives it (`$select=id,appId,displayName`). */
interface ApplicationRef {
  appId: string;
  displayName?: string;
}

/** Every app registration of the tenant, with only the fields the trust audit needs, 999 a page (Graph's maximum). */
function graphApplicationsUrl(graphHost: string): string {
  return `${base(graphHost)}/v1.0/applications?$select=id,appId,displayName&$top=999`;
}

/** The tenant's app registrations (needs Application.Read.All). */
export async function readTenantApplications(p: {
  fetcher: Fetcher;
  graphHost: string;
  token: string;
  maxPages?: number;
}): Promise<{ ok: true; applications: ApplicationRef[]; truncated: boolean } | LookupFailure> {
  const listed = await listAllPages(
    p.fetcher,
    graphApplicationsUrl(p.graphHost),
    p.token,
    'graph',
    'graph-credentials',
    p.maxPages ?? 100,
  );
  if (!('ok' in listed)) return listed;
  const applications = listed.items.flatMap((i) => {
    const o = i && typeof i === 'object' ? (i as Record<string, unknown>) : {};
    const appId = str(o.appId);
    return appId ? [{ appId, ...(str(o.displayName) ? { displayName: str(o.displayName)! } : {}) }] : [];
  });
  return { ok: true, applications, truncated: listed.truncated };
}

/** The user-assigned managed identities of a subscription, with their client ids (needs Reader). */
export async function readSubscriptionIdentities(p: {
  fetcher: Fetcher;
  armHost: string;
  subscriptionId: string;
  token: string;
  maxPages?: number;
}): Promise<
  { ok: true; identities: Array<ManagedIdentityRef & { clientId: string }>; truncated: boolean } | LookupFailure
> {
  const listed = await listAllPages(
    p.fetcher,
    armIdentitiesUrl(p.armHost, p.subscriptionId),
    p.token,
    'arm',
    'arm-identities',
    p.maxPages ?? 100,
  );
  if (!('ok' in listed)) return listed;
  const identities = listed.items.flatMap((i) => {
    const clientId =
      i && typeof i === 'object' ? str((i as { properties?: { clientId?: unknown } }).properties?.clientId) : undefined;
    const ref = clientId ? findIdentityByClientId([i], clientId) : undefined;
    return ref && clientId ? [{ ...ref, clientId }] : [];
  });
  return { ok: true, identities, truncated: listed.truncated };
}

/** One page-by-page listing of a managed identity's credentials (by its ARM id). */
export async function readIdentityCredentials(p: {
  fetcher: Fetcher;
  armHost: string;
  identityId: string;
  token: string;
  maxPages?: number;
}): Promise<LookupOutcome> {
  const listed = await listAllPages(
    p.fetcher,
    armCredentialsUrl(p.armHost, p.identityId),
    p.token,
    'arm',
    'arm-credentials',
    p.maxPages,
  );
  if (!('ok' in listed)) return listed;
  const { credentials, skipped } = collect(listed.items, 'arm');
  return {
    kind: 'credentials',
    source: 'arm',
    credentials,
    owner: p.identityId,
    pages: listed.pages,
    truncated: listed.truncated,
    skipped,
  };
}
