/**
 * Stand-in for Microsoft Entra ID's token service on https://127.0.0.1:<port>: tenant
 * discovery, MSAL instance discovery, and the v2.0 token endpoint doing the
 * client_credentials exchange with a federated client_assertion. It really verifies the
 * assertion (fetching the issuer's discovery document and JWKS over the network, as Entra
 * does), matches federated identity credentials with Entra's rules and answers with
 * Entra's error JSON and AADSTS texts (docs/entra-matching.md §2, §3 and docs/aadsts-texts.md §4).
 *
 * Choices where Entra's real behaviour is unknown (documented so tests don't over-trust them):
 * - A bad signature answers AADSTS50027 "JWT token is invalid or malformed." (Entra lists
 *   "External ID token from issuer failed signature verification" under 50027);
 *   `badSignatureCode: 700027` switches to "Client assertion failed signature validation.".
 * - Clock tolerance: none for `exp`, 5 minutes for `nbf`.
 * - Issuer metadata is fetched for every exchange (no cache) unless `cacheIssuerMetadata`.
 * - Texts for 700223, 700238 and the 5xx/429 bodies are stand-in wording (real text unknown).
 * - `forceError` answers before any validation of the request.
 */
import { createHash, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import {
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { applyFault, nextFault, readBody, send, type FaultPlan } from './faults.js';
import { defaultCertificate, type TestCertificate } from './tls.js';

export interface FederatedCredential {
  name: string;
  issuer: string;
  /** null for a flexible credential (claimsMatchingExpression instead). */
  subject?: string | null;
  audiences: string[];
  claimsMatchingExpression?: { value: string; languageVersion: number } | null;
  description?: string | null;
}

interface EntraApp {
  displayName: string;
  disabled?: boolean;
  credentials: FederatedCredential[];
  /** Service principal object id, the `oid` of issued tokens (derived when absent). */
  objectId?: string;
}

interface TenantPolicy {
  /** Conditional Access for workload identities blocks the sign-in (AADSTS53003). */
  conditionalAccessBlock?: boolean;
  /** Allowed values of the token's `enterprise` claim (AADSTS7002381 otherwise). */
  requireEnterprise?: string[];
  /** Workload identity federation disabled for the tenant (AADSTS700223). */
  wifDisabled?: boolean;
}

interface EntraTenant {
  displayName?: string;
  /** Verified domains that also name this tenant, e.g. contoso.onmicrosoft.com. */
  domains?: string[];
  cloudInstanceName?: string;
  tenantRegionScope?: string;
  /** Keyed by application (client) id. */
  apps: Record<string, EntraApp>;
  policy?: TenantPolicy;
}

interface ForcedError {
  code: number;
  /** OAuth error class; defaults per known code, else invalid_request. */
  error?: string;
  /** Text after `AADSTSnnn: `; defaults per known code. */
  text?: string;
  /** Defaults to 401 for invalid_client, 400 otherwise. */
  status?: number;
  suberror?: string;
  /** Clear after answering one token request. */
  once?: boolean;
}

interface EntraFaults {
  token?: FaultPlan;
  discovery?: FaultPlan;
  instanceDiscovery?: FaultPlan;
  keys?: FaultPlan;
}

type EntraRoute = 'token' | 'discovery' | 'instanceDiscovery' | 'keys' | 'other';

interface EntraRequestRecord {
  method: string;
  path: string;
  time: number;
  route: EntraRoute;
  tenant?: string;
  /** Parsed form of a token request (includes client_assertion: keep it in the test process). */
  form?: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  status?: number;
  /** error_codes[0] of an error answer. */
  errorCode?: number;
}

interface EntraStandinOptions {
  /** Keyed by tenant id (GUID). */
  tenants: Record<string, EntraTenant>;
  /** Certificate to serve; default: the one from global setup (AFC_TEST_CA_DIR), else a new one. */
  tls?: TestCertificate;
  badSignatureCode?: 50027 | 700027;
  /** Timeout of each fetch of the issuer's discovery document / JWKS. */
  oidcFetchTimeoutMs?: number;
  cacheIssuerMetadata?: boolean;
  nbfToleranceSeconds?: number;
  expToleranceSeconds?: number;
}

export interface EntraStandin {
  /** `https://127.0.0.1:<port>` */
  readonly authorityHost: string;
  readonly port: number;
  /** PEM of the CA to trust (NODE_EXTRA_CA_CERTS / https `ca`). */
  readonly caFile: string;
  readonly ca: string;
  /** Mutable at any time; read for every request. */
  tenants: Record<string, EntraTenant>;
  faults: EntraFaults;
  forceError?: ForcedError;
  readonly requests: EntraRequestRecord[];
  /** Access tokens handed out. */
  readonly tokensIssued: string[];
  /** `${authorityHost}/${tenant}` */
  authority(tenant: string): string;
  /** JWKS of the stand-in's own access-token signing key. */
  jwks(): { keys: JWK[] };
  clearIssuerCache(): void;
  close(): Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;
const WIF_DOCS = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';
const WIF_DOCS_OLD = 'https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Known AADSTS codes: default error class and, when it takes no parameters, text. */
const KNOWN: Record<number, { error: string; text?: string }> = {
  50027: { error: 'invalid_request', text: 'JWT token is invalid or malformed.' },
  50033: { error: 'temporarily_unavailable', text: 'A transient error has occurred. Please try again.' },
  50166: { error: 'invalid_request', text: 'Request to External OIDC endpoint failed.' },
  53003: {
    error: 'invalid_grant',
    text: 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
  },
  70011: { error: 'invalid_scope' },
  70021: { error: 'invalid_client', text: 'No matching federated identity record found for presented assertion.' },
  70025: { error: 'invalid_client' },
  90002: { error: 'invalid_request' },
  90014: { error: 'invalid_request' },
  90055: { error: 'temporarily_unavailable', text: 'There are too many incoming requests. Please try again later.' },
  90061: { error: 'invalid_request', text: 'Request to External OIDC endpoint failed.' },
  700016: { error: 'unauthorized_client' },
  700024: { error: 'invalid_client' },
  700027: { error: 'invalid_client', text: 'Client assertion failed signature validation.' },
  700211: { error: 'invalid_client' },
  700212: { error: 'invalid_client' },
  700213: { error: 'invalid_client' },
  700222: { error: 'invalid_client', text: 'AAD-issued tokens may not be used for federated identity flows.' },
  700223: {
    error: 'invalid_client',
    text: 'Workload identity federation is disabled or constrained in this tenant by a Microsoft Entra policy.',
  },
  700238: {
    error: 'invalid_client',
    text:
      'Workload identity federation has been constrained on this tenant. The presented ' +
      "assertion's issuer isn't allowed to use workload identity federation.",
  },
  900023: { error: 'invalid_request' },
  900144: { error: 'invalid_request' },
  5002730: { error: 'invalid_request', text: 'Invalid JWT token. Unsupported key for the signing algorithm.' },
  7000112: { error: 'unauthorized_client' },
  7000215: { error: 'invalid_client' },
  7000218: {
    error: 'invalid_client',
    text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  },
  7000272: { error: 'invalid_client' },
  7002131: { error: 'invalid_client' },
  7002138: { error: 'invalid_client' },
  7002381: { error: 'invalid_client' },
};

/** Thrown inside request handling; becomes Entra's error JSON. */
class Aadsts extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
    readonly error: string = KNOWN[code]?.error ?? 'invalid_request',
    readonly status: number = error === 'invalid_client' ? 401 : 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`AADSTS${code}: ${text}`);
  }
}

/** Entra's "2026-01-09 02:02:12Z". */
function entraTimestamp(d = new Date()): string {
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** Entra's 700024 time format, "2026-06-29T09:38:19.8130000Z". */
function entraInstant(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** Entra's error JSON (usable in fault queues: `{status: 400, body: entraErrorBody(...)}`). */
function entraErrorBody(
  code: number,
  error: string,
  text: string,
  ids: { traceId?: string; correlationId?: string; extra?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const traceId = ids.traceId ?? randomUUID();
  const correlationId = ids.correlationId ?? randomUUID();
  const timestamp = entraTimestamp();
  return {
    error,
    error_description:
      `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ` + `${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    ...(ids.extra ?? {}),
  };
}

/** `*` any run of characters, `?` exactly one; whole string, case-sensitive. */
function wildcardMatch(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(`^${re}$`, 's').test(value);
}

/**
 * Evaluates a flexible credential's expression: `claims['x'] eq|matches 'v'` joined by
 * ` and `, where `''` inside a comparand is a quote. Unparsable expressions never match.
 */
export function evaluateClaimsExpression(expression: string, claims: Record<string, unknown>): boolean {
  let rest = expression.trim();
  for (;;) {
    const head = /^claims\['([^']+)'\] (eq|matches) '/.exec(rest);
    if (!head) return false;
    let i = head[0].length;
    let comparand = '';
    for (;;) {
      if (i >= rest.length) return false;
      if (rest[i] === "'") {
        if (rest[i + 1] === "'") {
          comparand += "'";
          i += 2;
          continue;
        }
        i += 1;
        break;
      }
      comparand += rest[i];
      i += 1;
    }
    const value = claims[head[1] ?? ''];
    if (typeof value !== 'string') return false;
    const ok = head[2] === 'eq' ? value === comparand : wildcardMatch(comparand, value);
    if (!ok) return false;
    rest = rest.slice(i);
    if (rest === '') return true;
    if (!rest.startsWith(' and ')) return false;
    rest = rest.slice(5);
  }
}

function quoteList(values: string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length <= 1 ? (quoted[0] ?? "''") : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** GET a JSON document with a timeout; rejects on network errors, non-200 and non-JSON. */
function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      reject(err);
      return;
    }
    const get = target.protocol === 'https:' ? https.get : target.protocol === 'http:' ? http.get : undefined;
    if (!get) {
      reject(new Error(`unsupported protocol ${target.protocol}`));
      return;
    }
    const req = get(
      target,
      { agent: false, headers: { accept: 'application/json', 'user-agent': 'entra-standin' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
  });
}

/** Stable GUID-shaped id (e.g. `oid`) from a seed, so tests need not configure one. */
function deriveGuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const CLOUD_HOSTS: Record<string, { graph: string; msgraph: string }> = {
  'microsoftonline.com': { graph: 'graph.windows.net', msgraph: 'graph.microsoft.com' },
  'microsoftonline.us': { graph: 'graph.windows.net', msgraph: 'graph.microsoft.us' },
  'partner.microsoftonline.cn': { graph: 'graph.chinacloudapi.cn', msgraph: 'microsoftgraph.chinacloudapi.cn' },
};

export async function startEntraStandin(options: EntraStandinOptions): Promise<EntraStandin> {
  const tls = options.tls ?? (await defaultCertificate());
  const badSignatureCode = options.badSignatureCode ?? 50027;
  const fetchTimeout = options.oidcFetchTimeoutMs ?? 5_000;
  const nbfTolerance = options.nbfToleranceSeconds ?? 300;
  const expTolerance = options.expToleranceSeconds ?? 0;
  const hanging = new Set<Socket>();
  const issuerCache = new Map<string, { keys: JWK[] }>();

  const signing = await generateKeyPair('RS256', { extractable: true });
  const signingKid = randomUUID().replace(/-/g, '').slice(0, 27);
  const signingJwk = { ...(await exportJWK(signing.publicKey)), kid: signingKid, use: 'sig' };

  const server = https.createServer({ cert: tls.cert, key: tls.key });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const authorityHost = `https://127.0.0.1:${port}`;
  const hostAndPort = `127.0.0.1:${port}`;

  const standin: EntraStandin = {
    authorityHost,
    port,
    caFile: tls.certFile,
    ca: tls.cert,
    tenants: options.tenants,
    faults: {},
    requests: [],
    tokensIssued: [],
    authority: (tenant) => `${authorityHost}/${tenant}`,
    jwks: () => ({ keys: [signingJwk] }),
    clearIssuerCache: () => issuerCache.clear(),
    async close() {
      for (const socket of hanging) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  /** Resolves a tenant path segment to [tenantId, tenant]; throws 900023 / 90002. */
  const resolveTenant = (segment: string, forToken: boolean): [string, EntraTenant] => {
    const error = forToken ? 'invalid_request' : 'invalid_tenant';
    const lower = segment.toLowerCase();
    for (const [id, tenant] of Object.entries(standin.tenants)) {
      if (id.toLowerCase() === lower || tenant.domains?.some((d) => d.toLowerCase() === lower)) return [id, tenant];
    }
    if (!GUID.test(segment) && !DOMAIN.test(segment)) {
      throw new Aadsts(
        900023,
        `Specified tenant identifier '${segment}' is neither a valid DNS name, nor a valid external domain.`,
        error,
        400,
      );
    }
    throw new Aadsts(
      90002,
      `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are ` +
        `signing into the correct cloud. Check with your subscription administrator, this may ` +
        `happen if there are no active subscriptions for the tenant.`,
      error,
      400,
    );
  };

  const discoveryDocument = (tenantId: string, tenant: EntraTenant) => {
    const base = `${authorityHost}/${tenantId}`;
    const cloud = tenant.cloudInstanceName ?? 'microsoftonline.com';
    const hosts = CLOUD_HOSTS[cloud] ?? { graph: 'graph.windows.net', msgraph: 'graph.microsoft.com' };
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `https://${hosts.msgraph}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'cloud_instance_name',
        'cloud_instance_host_name',
        'cloud_graph_host_name',
        'msgraph_host',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'at_hash',
        'c_hash',
        'email',
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: tenant.tenantRegionScope ?? 'NA',
      cloud_instance_name: cloud,
      cloud_graph_host_name: hosts.graph,
      msgraph_host: hosts.msgraph,
      rbac_url: 'https://pas.windows.net',
    };
  };

  /** Issuer keys the way Entra gets them: discovery document, then jwks_uri. */
  const issuerKeys = async (iss: string): Promise<JWK[]> => {
    const cached = options.cacheIssuerMetadata ? issuerCache.get(iss) : undefined;
    if (cached) return cached.keys;
    const fail = () => new Aadsts(90061, KNOWN[90061]?.text ?? '');
    let keys: JWK[];
    try {
      const config = (await fetchJson(`${iss.replace(/\/+$/, '')}/.well-known/openid-configuration`, fetchTimeout)) as {
        jwks_uri?: unknown;
      };
      if (typeof config?.jwks_uri !== 'string') throw fail();
      const jwks = (await fetchJson(config.jwks_uri, fetchTimeout)) as { keys?: unknown };
      if (!Array.isArray(jwks?.keys)) throw fail();
      keys = (jwks.keys as JWK[]).slice(0, 100); // Entra stores only the first 100 keys
    } catch (err) {
      throw err instanceof Aadsts ? err : fail();
    }
    if (options.cacheIssuerMetadata) issuerCache.set(iss, { keys });
    return keys;
  };

  const exchange = async (tenantSegment: string, form: URLSearchParams): Promise<Record<string, unknown>> => {
    const [tenantId, tenant] = resolveTenant(tenantSegment, true);
    for (const name of ['grant_type', 'client_id', 'scope']) {
      if (!form.get(name))
        throw new Aadsts(900144, `The request body must contain the following parameter: '${name}'.`);
    }
    const grantType = form.get('grant_type') ?? '';
    if (grantType !== 'client_credentials') {
      throw new Aadsts(
        70003,
        `The app requested an unsupported grant type '${grantType}'.`,
        'unsupported_grant_type',
        400,
      );
    }
    const clientId = form.get('client_id') ?? '';
    const assertion = form.get('client_assertion');
    if (!assertion && form.get('client_secret')) {
      throw new Aadsts(
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client ` +
          `secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    if (!assertion) throw new Aadsts(7000218, KNOWN[7000218]?.text ?? '');
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      throw new Aadsts(900144, "The request body must contain the following parameter: 'client_assertion_type'.");
    }

    const appEntry = Object.entries(tenant.apps).find(([id]) => id.toLowerCase() === clientId.toLowerCase());
    if (!appEntry) {
      throw new Aadsts(
        700016,
        `Application with identifier '${clientId}' was not found in the directory ` +
          `'${tenant.displayName ?? tenantSegment}'. This can happen if the application has not been ` +
          `installed by the administrator of the tenant or consented to by any user in the tenant. ` +
          `You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const [appId, app] = appEntry;
    if (app.disabled) throw new Aadsts(7000112, `Application '${appId}'(${app.displayName}) is disabled.`);
    if (app.credentials.length === 0) {
      throw new Aadsts(
        70025,
        `The client '${app.displayName}'(${appId}) has no configured federated identity credentials.`,
      );
    }

    let header: ProtectedHeaderParameters;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      throw new Aadsts(50027, KNOWN[50027]?.text ?? '');
    }
    for (const field of ['iss', 'sub', 'aud', 'exp'] as const) {
      if (claims[field] === undefined) {
        throw new Aadsts(
          90014,
          `The required field '${field}' is missing from the credential. Ensure that you have all ` +
            `the necessary parameters for the login request.`,
        );
      }
    }
    if (header.alg !== 'RS256') throw new Aadsts(5002730, KNOWN[5002730]?.text ?? '');
    const audList = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (audList.length !== 1) throw new Aadsts(50027, KNOWN[50027]?.text ?? ''); // multi-valued aud
    const iss = String(claims.iss);
    const sub = String(claims.sub);
    const aud = String(audList[0]);

    const policy = tenant.policy ?? {};
    if (policy.wifDisabled) throw new Aadsts(700223, KNOWN[700223]?.text ?? '');
    if (policy.requireEnterprise && !policy.requireEnterprise.includes(String(claims['enterprise'] ?? ''))) {
      throw new Aadsts(
        7002381,
        `Federated identity credentials issued by '${iss}' for applications or managed identities ` +
          `registered in this tenant must contain the enterprise claim with value ` +
          `${quoteList(policy.requireEnterprise)} but actual value is ` +
          `'${String(claims['enterprise'] ?? '')}'.`,
      );
    }

    const nowMs = Date.now();
    const now = nowMs / 1000;
    const exp = Number(claims.exp);
    const nbf = claims.nbf === undefined ? 0 : Number(claims.nbf);
    if (now >= exp + expTolerance || now < nbf - nbfTolerance) {
      throw new Aadsts(
        700024,
        `Client assertion is not within its valid time range. Current time: ` +
          `${entraInstant(nowMs)}, assertion valid from ${entraInstant(nbf * 1000)}, expiry time of ` +
          `assertion ${entraInstant(exp * 1000)}. Review the documentation at ` +
          `https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
      );
    }

    const byIssuer = app.credentials.filter((c) => c.issuer === iss);
    if (byIssuer.length === 0) {
      throw new Aadsts(
        700211,
        `No matching federated identity record found for presented assertion issuer '${iss}'. ` +
          `Please check your federated identity credential Subject, Audience and Issuer against the ` +
          `presented assertion. ${WIF_DOCS_OLD}`,
      );
    }

    const keys = await issuerKeys(iss);
    const keyId = header.kid ?? header.x5t;
    const jwk = keys.find((k) => (header.kid ? k.kid === header.kid : k.x5t === header.x5t));
    if (!jwk) {
      throw new Aadsts(
        7000272,
        `The certificate with identifier ${keyId ?? ''} used to sign the federated credential ` +
          `could not be found in the metadata of identity provider ${iss}. Please validate that your ` +
          `Identity Provider's metadata exposes the key used to sign the incoming token.`,
      );
    }
    try {
      const key = await importJWK({ ...jwk, alg: 'RS256' }, 'RS256');
      await compactVerify(assertion, key, { algorithms: ['RS256'] });
    } catch {
      throw new Aadsts(badSignatureCode, KNOWN[badSignatureCode]?.text ?? '');
    }

    // Subject: exact (case-sensitive) classic subjects, then flexible expressions.
    const subjectMatches = byIssuer.filter((c) =>
      c.claimsMatchingExpression?.value
        ? evaluateClaimsExpression(c.claimsMatchingExpression.value, claims)
        : c.subject === sub,
    );
    if (subjectMatches.length === 0) {
      if (byIssuer.some((c) => typeof c.subject === 'string' && c.subject.toLowerCase() === sub.toLowerCase())) {
        throw new Aadsts(
          7002138,
          `No matching federated identity record found for presented assertion subject '${sub}'. The ` +
            `subject matches with case-insensitive comparison, but not with case-sensitive comparison. ` +
            `Check your federated identity credential Subject, Audience and Issuer against the ` +
            `presented assertion. See documentation at: ${WIF_DOCS}. See breaking change notification ` +
            `and remediation at: ` +
            `https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024.`,
        );
      }
      if (app.credentials.some((c) => c.claimsMatchingExpression?.value)) {
        throw new Aadsts(
          7002131,
          `No matching federated identity record found for presented assertion subject '${sub}' or ` +
            `no federated identity credential expression matched. Please check your federated identity ` +
            `credential Subject, Expression, Audience and Issuer against the presented assertion. ` +
            `${WIF_DOCS}`,
        );
      }
      throw new Aadsts(
        700213,
        `No matching federated identity record found for presented assertion subject '${sub}'. ` +
          `Check your federated identity credential Subject, Audience and Issuer against the ` +
          `presented assertion. ${WIF_DOCS}`,
      );
    }
    if (!subjectMatches.some((c) => c.audiences[0] === aud)) {
      throw new Aadsts(
        700212,
        `No matching federated identity record found for presented assertion audience '${aud}'. ` +
          `Please check your federated identity credential Subject, Audience and Issuer against the ` +
          `presented assertion. ${WIF_DOCS_OLD}`,
      );
    }
    if (policy.conditionalAccessBlock) {
      throw new Aadsts(53003, KNOWN[53003]?.text ?? '', 'invalid_grant', 400, {
        suberror: 'message_only',
        claims: JSON.stringify({
          access_token: { capolids: { essential: true, values: [deriveGuid(`ca:${tenantId}`)] } },
        }),
      });
    }

    const scopes = (form.get('scope') ?? '')
      .split(/\s+/)
      .filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
    const scope = scopes[0] ?? '';
    if (scopes.length !== 1 || !scope.endsWith('/.default') || scope === '/.default') {
      throw new Aadsts(
        70011,
        `The provided value for the input parameter 'scope' isn't valid. The scope ${scopes.join(' ')} isn't valid.`,
      );
    }

    const resource = scope.slice(0, -'/.default'.length);
    const oid = app.objectId ?? deriveGuid(`${tenantId}:${appId}`);
    const stsIssuer = `https://sts.windows.net/${tenantId}/`;
    const iat = Math.floor(nowMs / 1000);
    const accessToken = await new SignJWT({
      aud: resource,
      iss: stsIssuer,
      idp: stsIssuer,
      appid: appId,
      appidacr: '2',
      idtyp: 'app',
      oid,
      sub: oid,
      tid: tenantId,
      rh: '0.stand-in.',
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: '1.0',
      iat,
      nbf: iat - 300,
      exp: iat + 3599,
    })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: signingKid })
      .sign(signing.privateKey);
    standin.tokensIssued.push(accessToken);
    return { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', authorityHost);
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const rest = segments.slice(1).join('/');
    const route: EntraRoute =
      url.pathname === '/common/discovery/instance'
        ? 'instanceDiscovery'
        : rest === 'v2.0/.well-known/openid-configuration'
          ? 'discovery'
          : rest === 'oauth2/v2.0/token'
            ? 'token'
            : rest === 'discovery/v2.0/keys'
              ? 'keys'
              : 'other';
    const record: EntraRequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      time: Date.now(),
      route,
      ...(segments[0] && route !== 'instanceDiscovery' ? { tenant: segments[0] } : {}),
      headers: { ...req.headers },
    };
    standin.requests.push(record);

    const requestCorrelation = req.headers['client-request-id'];
    const correlationId =
      typeof requestCorrelation === 'string' && GUID.test(requestCorrelation) ? requestCorrelation : randomUUID();
    const traceId = randomUUID();
    const headers: Record<string, string> = {
      'cache-control': 'no-store, no-cache',
      pragma: 'no-cache',
      'x-ms-request-id': traceId,
      'x-ms-ests-server': '2.1.00000.0 - standin',
      ...(req.headers['return-client-request-id'] === 'true' ? { 'client-request-id': correlationId } : {}),
    };
    const answer = (status: number, body: unknown) => {
      record.status = status;
      const codes = (body as { error_codes?: unknown })?.error_codes;
      if (Array.isArray(codes) && typeof codes[0] === 'number') record.errorCode = codes[0];
      send(res, status, body, headers);
    };
    const answerError = (e: Aadsts) =>
      answer(e.status, entraErrorBody(e.code, e.error, e.text, { traceId, correlationId, extra: e.extra }));
    res.on('finish', () => (record.status ??= res.statusCode));

    if (route !== 'other') {
      const defaultBody = (status: number) =>
        status === 429
          ? entraErrorBody(90055, 'temporarily_unavailable', KNOWN[90055]?.text ?? '', { traceId, correlationId })
          : entraErrorBody(50033, 'temporarily_unavailable', KNOWN[50033]?.text ?? '', { traceId, correlationId });
      const fault = nextFault(standin.faults[route], req);
      if (await applyFault(fault, res, { hanging, defaultBody, baseHeaders: headers })) return;
    }

    try {
      switch (route) {
        case 'instanceDiscovery': {
          const authEndpoint = url.searchParams.get('authorization_endpoint');
          const tenant = authEndpoint
            ? (new URL(authEndpoint).pathname.split('/').filter(Boolean)[0] ?? 'common')
            : 'common';
          return answer(200, {
            tenant_discovery_endpoint: `${authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`,
            'api-version': '1.1',
            metadata: [{ preferred_network: hostAndPort, preferred_cache: hostAndPort, aliases: [hostAndPort] }],
          });
        }
        case 'discovery': {
          const [tenantId, tenant] = resolveTenant(segments[0] ?? '', false);
          return answer(200, discoveryDocument(tenantId, tenant));
        }
        case 'keys':
          resolveTenant(segments[0] ?? '', false);
          return answer(200, standin.jwks());
        case 'token': {
          if (req.method !== 'POST') {
            throw new Aadsts(
              900561,
              `The endpoint only accepts POST, OPTIONS requests. Received a ${req.method} request.`,
            );
          }
          const form = new URLSearchParams(await readBody(req));
          record.form = Object.fromEntries(form);
          const forced = standin.forceError;
          if (forced) {
            if (forced.once) delete standin.forceError;
            const error = forced.error ?? KNOWN[forced.code]?.error ?? 'invalid_request';
            const text = forced.text ?? KNOWN[forced.code]?.text ?? `Stand-in forced error ${forced.code}.`;
            throw new Aadsts(
              forced.code,
              text,
              error,
              forced.status ?? (error === 'invalid_client' ? 401 : 400),
              forced.suberror ? { suberror: forced.suberror } : {},
            );
          }
          return answer(200, await exchange(segments[0] ?? '', form));
        }
        default:
          record.status = 404;
          return send(res, 404, '<html><body><h1>404 - Not Found</h1></body></html>', {
            ...headers,
            'content-type': 'text/html; charset=utf-8',
          });
      }
    } catch (err) {
      if (err instanceof Aadsts) return answerError(err);
      throw err;
    }
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: 'server_error', error_description: String(err) });
      else res.destroy();
    });
  });
  return standin;
}
