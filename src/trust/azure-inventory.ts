/**
 * Every federated credential of a tenant for the trust audit: each app registration (Graph,
 * `$select`ed down to its ids and name, then its credentials from Graph beta so flexible ones show)
 * and each user-assigned managed identity of a subscription (ARM). Thousands of identities mean
 * thousands of requests: they go through one fetcher that keeps at most N in flight and waits out
 * a throttled answer's Retry-After (src/entra/azure-read.ts follows the paging).
 */
import type { HttpResponse } from '../net/http.js';
import {
  readGraphCredentials,
  readIdentityCredentials,
  readSubscriptionIdentities,
  readTenantApplications,
  type Fetcher,
  type LookupFailure,
  type LookupOutcome,
} from '../entra/azure-read.js';
import type { IdentityRef, TrustItem } from './model.js';

interface ThrottleOptions {
  concurrency?: number;
  /** Epoch ms after which no request starts. */
  deadline?: number;
  /** Attempts per request when Azure answers 429 or 503. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface ThrottleStats {
  requests: number;
  throttled: number;
  maxInFlight: number;
}

/** A fetcher with at most `concurrency` requests in flight that retries 429/503 after Retry-After. */
export function throttledFetcher(
  fetcher: Fetcher,
  options: ThrottleOptions = {},
): { fetch: Fetcher; stats: ThrottleStats } {
  const stats: ThrottleStats = { requests: 0, throttled: 0, maxInFlight: 0 };
  const limit = Math.max(1, options.concurrency ?? 8);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const waiting: Array<() => void> = [];
  let active = 0;
  const acquire = async () => {
    if (active < limit) active++;
    else await new Promise<void>((r) => waiting.push(r));
    stats.maxInFlight = Math.max(stats.maxInFlight, active);
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const fetch: Fetcher = async (url, headers) => {
    for (let attempt = 1; ; attempt++) {
      if (options.deadline !== undefined && Date.now() > options.deadline)
        throw new Error('the time limit was reached before this request');
      await acquire();
      let res: HttpResponse;
      try {
        stats.requests++;
        res = await fetcher(url, headers);
      } finally {
        release();
      }
      if ((res.status !== 429 && res.status !== 503) || attempt >= (options.maxAttempts ?? 4)) return res;
      stats.throttled++;
      const retryAfter = Number(res.headers['retry-after']);
      const wait = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 1000 * 2 ** attempt;
      if (options.deadline !== undefined && Date.now() + wait > options.deadline) return res;
      await sleep(wait);
    }
  };
  return { fetch, stats };
}

interface InventoryRequest {
  fetcher: Fetcher;
  tenantId?: string;
  graph?: { host: string; token: string };
  arm?: { host: string; token: string; subscriptionId: string };
}

export interface Inventory {
  items: TrustItem[];
  identities: number;
  /** What could not be read, one line each (never counted as safe). */
  unread: string[];
}

function why(f: LookupFailure): string {
  return f.kind === 'error'
    ? f.reason
    : `HTTP ${f.status}${f.error.code ? ` ${f.error.code}` : ''}${f.error.message ? `: ${f.error.message}` : ''}`;
}

function itemsOf(identity: IdentityRef, read: LookupOutcome, unread: string[], label: string): TrustItem[] {
  if (read.kind !== 'credentials') {
    unread.push(`${label}: its credentials could not be read (${why(read)})`);
    return [];
  }
  if (read.truncated) unread.push(`${label}: more credentials than the pages read`);
  return read.credentials.map((credential) => ({ identity, credential }));
}

/** Read every identity's credentials; the fetcher bounds and paces the requests. */
export async function readInventory(req: InventoryRequest): Promise<Inventory> {
  const unread: string[] = [];
  const groups: Array<Promise<TrustItem[]>> = [];
  let identities = 0;
  const tenant = req.tenantId ? { tenantId: req.tenantId } : {};
  if (req.graph) {
    const { host, token } = req.graph;
    const apps = await readTenantApplications({ fetcher: req.fetcher, graphHost: host, token });
    if (!('ok' in apps))
      unread.push(
        `The tenant's app registrations could not be listed (${why(apps)}); the reader needs Application.Read.All`,
      );
    else {
      if (apps.truncated) unread.push('The tenant has more app registrations than the pages read');
      identities += apps.applications.length;
      for (const app of apps.applications) {
        const identity: IdentityRef = {
          clientId: app.appId,
          ...(app.displayName ? { displayName: app.displayName } : {}),
          ...tenant,
          kind: 'application',
        };
        groups.push(
          readGraphCredentials({ fetcher: req.fetcher, graphHost: host, clientId: app.appId, token }).then((r) =>
            itemsOf(identity, r, unread, `App '${app.displayName ?? app.appId}'`),
          ),
        );
      }
    }
  }
  if (req.arm) {
    const { host, token, subscriptionId } = req.arm;
    const list = await readSubscriptionIdentities({ fetcher: req.fetcher, armHost: host, subscriptionId, token });
    if (!('ok' in list))
      unread.push(
        `The managed identities of subscription ${subscriptionId} could not be listed (${why(list)}); the reader ` +
          `needs Reader on it`,
      );
    else {
      identities += list.identities.length;
      for (const mi of list.identities) {
        const identity: IdentityRef = {
          clientId: mi.clientId,
          displayName: mi.name,
          ...tenant,
          kind: 'managed-identity',
          resourceId: mi.id,
        };
        groups.push(
          readIdentityCredentials({ fetcher: req.fetcher, armHost: host, identityId: mi.id, token }).then((r) =>
            itemsOf(identity, r, unread, `Managed identity '${mi.name}'`),
          ),
        );
      }
    }
  }
  const failed = (e: Error) => {
    unread.push(e.message);
    return [];
  };
  const items = (await Promise.all(groups.map((g) => g.catch(failed)))).flat();
  return { items, identities, unread };
}
