/**
 * Stand-in for Microsoft Graph and Azure Resource Manager on https://127.0.0.1:<port> (one origin
 * serves both: Graph paths start with /v1.0 or /beta, ARM paths with /subscriptions). Give its `url`
 * to the action as `graph-host` and `resource-manager-host`.
 *
 * It verifies every bearer token against the Entra stand-in's signing key (`entra.jwks()`), checks
 * the token's audience per service, authorises by the token's `appid`, and answers with Azure's
 * paging and error shapes (docs/entra-matching.md §1.2, §1.3):
 * - Graph `GET /{v1.0|beta}/applications(appId='{id}')/federatedIdentityCredentials`: `value` +
 *   `@odata.nextLink`; v1.0 leaves out `claimsMatchingExpression`, as the real v1.0 does. Needs
 *   Application.Read.All (the app id in `graphReaders`); otherwise 403 Authorization_RequestDenied.
 * - ARM `GET /subscriptions/{sub}`, `.../providers/Microsoft.ManagedIdentity/userAssignedIdentities`
 *   (by subscription) and `.../userAssignedIdentities/{name}/federatedIdentityCredentials`:
 *   `value` + `nextLink`; authorised by `roleAssignments` whose scope covers the request's scope,
 *   otherwise 403 AuthorizationFailed with ARM's message.
 * The credentials are the Entra stand-in's own (`entra.tenants[tid].apps[clientId].credentials`), so
 * what Graph or ARM shows is exactly what the exchange is matched against.
 *
 * Choices where Azure's real behaviour is unknown (kept simple on purpose):
 * - A role anywhere inside a subscription lets its holder GET the subscription itself.
 * - Listing identities by subscription needs a role at the subscription (or above); ARM does not
 *   filter the list down to what a resource-group reader may see.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { EntraStandin, FederatedCredential } from './entra-standin.js';
import { applyFault, nextFault, send, type FaultPlan } from './faults.js';
import { defaultCertificate, type TestCertificate } from './tls.js';

interface ManagedIdentity {
  name: string;
  resourceGroup: string;
  /** The identity's client id: an app of the same id in the Entra stand-in holds its credentials. */
  clientId: string;
  principalId?: string;
  location?: string;
}

interface Subscription {
  displayName?: string;
  /** Enabled, Warned, PastDue, Disabled, Deleted. */
  state?: string;
  tenantId: string;
  identities?: ManagedIdentity[];
}

interface RoleAssignment {
  /** The app (client) id of the principal. */
  principal: string;
  role: string;
  /** `/subscriptions/{id}`, `/subscriptions/{id}/resourceGroups/{rg}` or an identity's id. */
  scope: string;
}

type AzureRoute = 'graph' | 'armSubscription' | 'armIdentities' | 'armCredentials' | 'other';

interface AzureFaults {
  graph?: FaultPlan;
  armSubscription?: FaultPlan;
  armIdentities?: FaultPlan;
  armCredentials?: FaultPlan;
}

interface AzureRequestRecord {
  method: string;
  /** Path with query string. */
  path: string;
  route: AzureRoute;
  time: number;
  /** `appid` of a verified token. */
  principal?: string;
  /** The token's audience, when it verified. */
  audience?: string;
  hadToken: boolean;
  status?: number;
}

interface AzureStandinOptions {
  entra: EntraStandin;
  tls?: TestCertificate;
  /** Items per page for every listing (default 100). */
  pageSize?: number;
  /** Audiences accepted per service; default: every cloud's Graph / Resource Manager. */
  graphAudiences?: string[];
  armAudiences?: string[];
}

export interface AzureStandin {
  /** `https://127.0.0.1:<port>`: both graph-host and resource-manager-host. */
  readonly url: string;
  readonly port: number;
  /** App ids granted Microsoft Graph's Application.Read.All with admin consent. */
  graphReaders: string[];
  subscriptions: Record<string, Subscription>;
  roleAssignments: RoleAssignment[];
  pageSize: number;
  graphAudiences: string[];
  armAudiences: string[];
  faults: AzureFaults;
  readonly requests: AzureRequestRecord[];
  close(): Promise<void>;
}

const ALL_GRAPH = [
  'https://graph.microsoft.com',
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn',
];
const ALL_ARM = [
  'https://management.azure.com',
  'https://management.core.windows.net',
  'https://management.usgovcloudapi.net',
  'https://management.core.usgovcloudapi.net',
  'https://management.chinacloudapi.cn',
  'https://management.core.chinacloudapi.cn',
];

class AzureError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String((body.error as { code?: string })?.code ?? status));
  }
}

function graphError(status: number, code: string, message: string): AzureError {
  return new AzureError(status, {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d+Z$/, ''),
        'request-id': randomUUID(),
        'client-request-id': randomUUID(),
      },
    },
  });
}

function armError(status: number, code: string, message: string): AzureError {
  return new AzureError(status, { error: { code, message } });
}

const sameAudience = (a: string, b: string) =>
  a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

export async function startAzureStandin(options: AzureStandinOptions): Promise<AzureStandin> {
  const tls = options.tls ?? (await defaultCertificate());
  const hanging = new Set<Socket>();
  const server = https.createServer({ cert: tls.cert, key: tls.key });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;

  const standin: AzureStandin = {
    url,
    port,
    graphReaders: [],
    subscriptions: {},
    roleAssignments: [],
    pageSize: options.pageSize ?? 100,
    graphAudiences: options.graphAudiences ?? ALL_GRAPH,
    armAudiences: options.armAudiences ?? ALL_ARM,
    faults: {},
    requests: [],
    async close() {
      for (const socket of hanging) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const verify = async (
    req: IncomingMessage,
    service: 'graph' | 'arm',
    record: AzureRequestRecord,
  ): Promise<JWTPayload> => {
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/i.exec(auth)?.[1];
    record.hadToken = !!token;
    if (!token)
      throw service === 'graph'
        ? graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.')
        : armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, createLocalJWKSet(options.entra.jwks()), { algorithms: ['RS256'] }));
    } catch {
      throw service === 'graph'
        ? graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.')
        : armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }
    const aud = String(payload.aud ?? '');
    const allowed = service === 'graph' ? standin.graphAudiences : standin.armAudiences;
    if (!allowed.some((a) => sameAudience(a, aud)))
      throw service === 'graph'
        ? graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.')
        : armError(
            401,
            'InvalidAuthenticationTokenAudience',
            `The access token has been obtained for wrong audience or resource '${aud}'. It should ` +
              `exactly match with one of the allowed audiences ` +
              `${allowed.map((a) => `'${a}/','${a}'`).join(',')}.`,
          );
    record.principal = String(payload.appid ?? '');
    record.audience = aud;
    return payload;
  };

  const page = <T>(items: T[], skip: number) => ({
    items: items.slice(skip, skip + standin.pageSize),
    more: skip + standin.pageSize < items.length,
    next: skip + standin.pageSize,
  });

  const skipOf = (u: URL): number => {
    const raw = u.searchParams.get('$skiptoken');
    if (!raw) return 0;
    const n = Number(
      Buffer.from(raw, 'base64url')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    return Number.isInteger(n) && n >= 0 ? n : 0;
  };
  const skipToken = (n: number) => Buffer.from(`offset:${n}`).toString('base64url');

  const managedIdentity = (clientId: string): boolean =>
    Object.values(standin.subscriptions).some((s) =>
      (s.identities ?? []).some((i) => i.clientId.toLowerCase() === clientId.toLowerCase()),
    );

  const credentialsOf = (tenantId: string, clientId: string): FederatedCredential[] | undefined => {
    const tenant = options.entra.tenants[tenantId];
    const app = tenant && Object.entries(tenant.apps).find(([id]) => id.toLowerCase() === clientId.toLowerCase())?.[1];
    return app?.credentials;
  };

  const covers = (principal: string, scope: string) =>
    standin.roleAssignments.some(
      (r) =>
        r.principal.toLowerCase() === principal.toLowerCase() &&
        `${scope.toLowerCase()}/`.startsWith(`${r.scope.toLowerCase().replace(/\/+$/, '')}/`),
    );

  const denied = (payload: JWTPayload, action: string, scope: string) =>
    armError(
      403,
      'AuthorizationFailed',
      `The client '${String(payload.appid)}' with object id '${String(payload.oid)}' does not ` +
        `have authorization to perform action '${action}' over scope '${scope}' or the scope is ` +
        `invalid. If access was recently granted, please refresh your credentials.`,
    );

  const graph = async (u: URL, segments: string[], req: IncomingMessage, record: AzureRequestRecord) => {
    const version = segments[0];
    const m = /^applications\(appId='([^']+)'\)$/.exec(segments[1] ?? '');
    if (!m || segments[2] !== 'federatedIdentityCredentials' || segments.length !== 3)
      throw graphError(400, 'BadRequest', `Resource not found for the segment '${segments[1] ?? ''}'.`);
    const payload = await verify(req, 'graph', record);
    const appId = m[1]!;
    const tid = String(payload.tid ?? '');
    if (!standin.graphReaders.some((r) => r.toLowerCase() === String(payload.appid).toLowerCase()))
      throw graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const creds = managedIdentity(appId) ? undefined : credentialsOf(tid, appId);
    if (!creds)
      throw graphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${appId}' does not exist or one of its queried reference-property objects are not present.`,
      );
    const shown = creds.map((c) => ({
      id: randomUUID(),
      name: c.name,
      issuer: c.issuer,
      subject: c.subject ?? null,
      description: c.description ?? null,
      audiences: c.audiences,
      ...(version === 'beta' ? { claimsMatchingExpression: c.claimsMatchingExpression ?? null } : {}),
    }));
    const p = page(shown, skipOf(u));
    const base = `${url}/${version}/applications(appId='${appId}')/federatedIdentityCredentials`;
    const metadata = `https://graph.microsoft.com/${version}/$metadata`;
    return {
      '@odata.context': `${metadata}#applications('${appId}')/federatedIdentityCredentials`,
      ...(p.more ? { '@odata.nextLink': `${base}?$skiptoken=${skipToken(p.next)}` } : {}),
      value: p.items,
    };
  };

  const armRoute = (segments: string[]): AzureRoute => {
    if (segments.length === 2) return 'armSubscription';
    if (
      segments.length === 5 &&
      segments[2] === 'providers' &&
      segments[3]?.toLowerCase() === 'microsoft.managedidentity' &&
      segments[4]?.toLowerCase() === 'userassignedidentities'
    )
      return 'armIdentities';
    if (
      segments.length === 9 &&
      segments[2]?.toLowerCase() === 'resourcegroups' &&
      segments[6]?.toLowerCase() === 'userassignedidentities' &&
      segments[8]?.toLowerCase() === 'federatedidentitycredentials'
    )
      return 'armCredentials';
    return 'other';
  };

  const arm = async (
    u: URL,
    segments: string[],
    route: AzureRoute,
    req: IncomingMessage,
    record: AzureRequestRecord,
  ) => {
    if (!u.searchParams.get('api-version'))
      throw armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    const payload = await verify(req, 'arm', record);
    const principal = String(payload.appid ?? '');
    const subId = segments[1] ?? '';
    const sub = Object.entries(standin.subscriptions).find(([id]) => id.toLowerCase() === subId.toLowerCase());
    if (!sub) throw armError(404, 'SubscriptionNotFound', `The subscription '${subId}' could not be found.`);
    const [sid, subscription] = sub;
    const subScope = `/subscriptions/${sid}`;
    const identityJson = (i: ManagedIdentity) => ({
      id:
        `${subScope}/resourcegroups/${i.resourceGroup}/providers/` +
        `Microsoft.ManagedIdentity/userAssignedIdentities/${i.name}`,
      name: i.name,
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
      location: i.location ?? 'westeurope',
      tags: {},
      properties: { tenantId: subscription.tenantId, principalId: i.principalId ?? randomUUID(), clientId: i.clientId },
    });
    switch (route) {
      case 'armSubscription': {
        if (
          !standin.roleAssignments.some(
            (r) =>
              r.principal.toLowerCase() === principal.toLowerCase() &&
              `${r.scope.toLowerCase()}/`.startsWith(`${subScope.toLowerCase()}/`),
          )
        )
          throw denied(payload, 'Microsoft.Resources/subscriptions/read', subScope);
        return {
          id: subScope,
          authorizationSource: 'RoleBased',
          managedByTenants: [],
          subscriptionId: sid,
          tenantId: subscription.tenantId,
          displayName: subscription.displayName ?? 'Pay-As-You-Go',
          state: subscription.state ?? 'Enabled',
          subscriptionPolicies: {
            locationPlacementId: 'Public_2014-09-01',
            quotaId: 'PayAsYouGo_2014-09-01',
            spendingLimit: 'Off',
          },
        };
      }
      case 'armIdentities': {
        if (!covers(principal, subScope))
          throw denied(payload, 'Microsoft.ManagedIdentity/userAssignedIdentities/read', subScope);
        const all = (subscription.identities ?? []).map(identityJson);
        const p = page(all, skipOf(u));
        return {
          value: p.items,
          ...(p.more
            ? {
                nextLink:
                  `${url}${subScope}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?` +
                  `api-version=${u.searchParams.get('api-version')}&$skiptoken=${skipToken(p.next)}`,
              }
            : {}),
        };
      }
      default: {
        const rg = segments[3] ?? '';
        const name = segments[7] ?? '';
        const identity = (subscription.identities ?? []).find(
          (i) => i.resourceGroup.toLowerCase() === rg.toLowerCase() && i.name.toLowerCase() === name.toLowerCase(),
        );
        const identityId =
          `${subScope}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/` + `userAssignedIdentities/${name}`;
        if (!covers(principal, identityId))
          throw denied(
            payload,
            'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read',
            identityId,
          );
        if (!identity)
          throw armError(
            404,
            'ResourceNotFound',
            `The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/${name}' under resource ` +
              `group '${rg}' was not found.`,
          );
        const creds = credentialsOf(subscription.tenantId, identity.clientId) ?? [];
        const all = creds.map((c) => ({
          id: `${identityJson(identity).id}/federatedIdentityCredentials/${c.name}`,
          name: c.name,
          type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
          properties: { issuer: c.issuer, subject: c.subject ?? '', audiences: c.audiences },
        }));
        const p = page(all, skipOf(u));
        return {
          value: p.items,
          ...(p.more
            ? {
                nextLink:
                  `${url}${identityId}/federatedIdentityCredentials?` +
                  `api-version=${u.searchParams.get('api-version')}&$skiptoken=${skipToken(p.next)}`,
              }
            : {}),
        };
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', url);
    const segments = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const isGraph = segments[0] === 'v1.0' || segments[0] === 'beta';
    const route: AzureRoute = isGraph
      ? 'graph'
      : segments[0]?.toLowerCase() === 'subscriptions'
        ? armRoute(segments)
        : 'other';
    const record: AzureRequestRecord = {
      method: req.method ?? 'GET',
      path: u.pathname + u.search,
      route,
      time: Date.now(),
      hadToken: false,
    };
    standin.requests.push(record);
    res.on('finish', () => (record.status ??= res.statusCode));
    const headers: Record<string, string> = isGraph
      ? {
          'request-id': randomUUID(),
          'client-request-id': randomUUID(),
          'x-ms-ags-diagnostic': '{"ServerInfo":{"DataCenter":"Stand-in"}}',
        }
      : {
          'x-ms-request-id': randomUUID(),
          'x-ms-correlation-request-id': randomUUID(),
          'x-ms-ratelimit-remaining-subscription-reads': '11999',
        };
    if (route !== 'other') {
      const defaultBody = (status: number) =>
        isGraph
          ? graphError(
              status,
              status === 429 ? 'TooManyRequests' : 'serviceNotAvailable',
              status === 429 ? 'Too many requests.' : 'The service is temporarily unavailable.',
            ).body
          : armError(
              status,
              status === 429 ? 'TooManyRequests' : 'InternalServerError',
              status === 429
                ? 'The request is being throttled.'
                : 'Encountered internal server error. Please try again.',
            ).body;
      if (await applyFault(nextFault(standin.faults[route], req), res, { hanging, defaultBody, baseHeaders: headers }))
        return;
    }
    try {
      if (req.method !== 'GET')
        throw (isGraph ? graphError : armError)(
          405,
          'MethodNotAllowed',
          `The stand-in only answers GET, not ${req.method}.`,
        );
      let body: unknown;
      if (isGraph) body = await graph(u, segments, req, record);
      else if (route !== 'other') body = await arm(u, segments, route, req, record);
      else throw armError(404, 'InvalidResourceType', `The resource type could not be found (${u.pathname}).`);
      record.status = 200;
      send(res, 200, body, headers);
    } catch (e) {
      if (!(e instanceof AzureError)) throw e;
      record.status = e.status;
      send(res, e.status, e.body, headers);
    }
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { code: 'InternalServerError', message: String(err) } });
      else res.destroy();
    });
  });
  return standin;
}
