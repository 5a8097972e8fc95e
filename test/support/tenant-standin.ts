/**
 * A loopback stand-in for the listing side of Microsoft Graph and ARM at tenant scale, for the
 * trust audit: `GET /v1.0/applications?$select=...&$top=N` with `@odata.nextLink` paging (at
 * most 999 a page, as Graph), each app's `GET /beta/applications(appId='...')/federatedIdentityCredentials`,
 * a subscription's user-assigned identities and their credentials (ARM shapes). Optional fixed
 * latency, and the first `throttle` requests answered 429 with Retry-After (Graph's throttling).
 * The full Graph/ARM behaviour (tokens, roles, faults) is test/support/azure-standin.ts.
 */
import { createServer } from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultCertificate } from './tls.js';
import type { AddressInfo } from 'node:net';

export interface TenantApp {
  appId: string;
  displayName: string;
  credentials: Array<Record<string, unknown>>;
}

interface TenantIdentity {
  name: string;
  resourceGroup: string;
  clientId: string;
  credentials: Array<Record<string, unknown>>;
}

interface TenantStandinOptions {
  apps?: TenantApp[];
  subscriptionId?: string;
  identities?: TenantIdentity[];
  latencyMs?: number;
  /** Answer this many first requests with 429 and `Retry-After: retryAfter`. */
  throttle?: number;
  retryAfter?: number;
  /** Serve https with the tests' certificate (as the action's graph-host must be). */
  tls?: boolean;
}

interface TenantStandin {
  url: string;
  requests: string[];
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startTenantStandin(options: TenantStandinOptions): Promise<TenantStandin> {
  const apps = options.apps ?? [];
  const byAppId = new Map(apps.map((a) => [a.appId, a]));
  const sub = options.subscriptionId ?? '00000000-0000-0000-0000-000000000000';
  const idPrefix = (i: TenantIdentity) =>
    `/subscriptions/${sub}/resourceGroups/${i.resourceGroup}` +
    `/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${i.name}`;
  let throttle = options.throttle ?? 0;
  let inFlight = 0;
  const state: TenantStandin = { url: '', requests: [], maxInFlight: 0, close: async () => {} };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    state.requests.push(req.url ?? '');
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const answer = () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (!/^Bearer \S+/.test(req.headers.authorization ?? ''))
        return send(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
      if (throttle > 0) {
        throttle--;
        return send(
          429,
          { error: { code: 'TooManyRequests', message: 'Too many requests' } },
          { 'retry-after': String(options.retryAfter ?? 1) },
        );
      }
      const u = new URL(req.url ?? '/', state.url);
      const path = decodeURIComponent(u.pathname);
      if (path === '/v1.0/applications') {
        const top = Math.min(999, Number(u.searchParams.get('$top') ?? 100));
        const skip = Number(u.searchParams.get('$skiptoken') ?? 0);
        const page = apps
          .slice(skip, skip + top)
          .map((a) => ({ id: `obj-${a.appId}`, appId: a.appId, displayName: a.displayName }));
        const next =
          skip + top < apps.length
            ? {
                '@odata.nextLink':
                  `${state.url}/v1.0/applications?$select=id,appId,displayName` +
                  `&$top=${top}&$skiptoken=${skip + top}`,
              }
            : {};
        return send(200, { value: page, ...next });
      }
      const app = /^\/beta\/applications\(appId='([^']+)'\)\/federatedIdentityCredentials$/.exec(path);
      if (app) {
        const a = byAppId.get(app[1]!);
        return a
          ? send(200, { value: a.credentials })
          : send(404, { error: { code: 'Request_ResourceNotFound', message: 'not found' } });
      }
      if (path === `/subscriptions/${sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`)
        return send(200, {
          value: (options.identities ?? []).map((i) => ({
            id: idPrefix(i),
            name: i.name,
            properties: { clientId: i.clientId },
          })),
        });
      const mi = (options.identities ?? []).find((i) => path === `${idPrefix(i)}/federatedIdentityCredentials`);
      if (mi) return send(200, { value: mi.credentials.map((c) => ({ name: c.name, properties: c })) });
      return send(404, { error: { code: 'NotFound', message: path } });
    };
    if (options.latencyMs) setTimeout(answer, options.latencyMs);
    else answer();
  };
  const cert = options.tls ? await defaultCertificate() : undefined;
  const server = cert ? https.createServer({ cert: cert.cert, key: cert.key }, handler) : createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `${cert ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
