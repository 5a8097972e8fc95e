/**
 * Verifying the token's signature against its own issuer's discovery document and JWKS,
 * as Entra will. Trouble here is reported as a warning: Entra's answer is the verdict.
 */
import { describeUrl, httpRequest, parseJsonBody } from '../net/http.js';
import type { DecodedJwt } from './jwt.js';
import { GITHUB_COM_ISSUER } from './issuers.js';

type VerifyStage = 'issuer-url' | 'discovery' | 'jwks' | 'signature' | 'claims';

export type VerifyResult =
  | { ok: true; jwksUri: string; kid?: string }
  | { ok: false; stage: VerifyStage; message: string; url?: string };

/**
 * The issuers whose keys this run may fetch: GitHub's public issuer (with or without an
 * enterprise slug), and the issuer of the server this job runs on (GITHUB_SERVER_URL): a GHES
 * host's own `/_services/token`, a GHE.com subdomain's `token.actions.<subdomain>.ghe.com`.
 * Any other `iss` is not fetched: a token naming an arbitrary URL must not make this action
 * send requests there. Returns the issuer URL when trusted.
 */
function trustedIssuerUrl(iss: string, serverUrl: string | undefined): URL | undefined {
  let issuer: URL;
  try {
    issuer = new URL(iss);
  } catch {
    return undefined;
  }
  if (issuer.username || issuer.password || issuer.search || issuer.hash) return undefined;
  if (issuer.origin === new URL(GITHUB_COM_ISSUER).origin) return issuer;
  let server: URL | undefined;
  try {
    server = serverUrl ? new URL(serverUrl) : undefined;
  } catch {
    server = undefined;
  }
  if (!server || (server.protocol !== 'https:' && server.protocol !== 'http:')) return undefined;
  if (issuer.origin === server.origin) return issuer;
  if (
    issuer.protocol === 'https:' &&
    server.hostname.endsWith('.ghe.com') &&
    issuer.host === `token.actions.${server.host}`
  )
    return issuer;
  return undefined;
}

type JsonResult = { ok: true; json: Record<string, unknown> } | { ok: false; message: string };

function sameOrigin(url: string, issuer: URL): boolean {
  try {
    return new URL(url).origin === issuer.origin;
  } catch {
    return false;
  }
}

async function getJson(url: string, timeoutMs: number, signal?: AbortSignal): Promise<JsonResult> {
  try {
    const res = await httpRequest(url, {
      timeoutMs,
      headers: { Accept: 'application/json' },
      maxBytes: 1024 * 1024,
      signal,
    });
    if (res.status !== 200) return { ok: false, message: `${describeUrl(url)} answered HTTP ${res.status}.` };
    const json = parseJsonBody(res, url);
    if (!json || typeof json !== 'object')
      return { ok: false, message: `${describeUrl(url)} did not answer a JSON object.` };
    return { ok: true, json: json as Record<string, unknown> };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

interface VerifyOptions {
  timeoutMs: number;
  /** GITHUB_SERVER_URL: the server whose own issuer may be trusted. */
  serverUrl: string | undefined;
  /** Aborted when no verdict depends on the answer any more. */
  signal?: AbortSignal;
  /**
   * Whether a verdict depends on the signature, once that is known (Entra's answer: its acceptance
   * proves the signature). The keys are fetched meanwhile; jose loads, and checks the signature, only
   * when this says true. Without it, the signature is always checked.
   */
  signatureNeeded?: Promise<boolean>;
}

export async function verifyToken(token: string, decoded: DecodedJwt, options: VerifyOptions): Promise<VerifyResult> {
  const { timeoutMs, signal } = options;
  const iss = decoded.claims.iss;
  const issuerUrl = trustedIssuerUrl(iss, options.serverUrl);
  if (!issuerUrl)
    return {
      ok: false,
      stage: 'issuer-url',
      message:
        `The token's issuer '${iss}' is neither GitHub's (${GITHUB_COM_ISSUER}) nor this run's server's ` +
        `(GITHUB_SERVER_URL ${options.serverUrl ?? 'unset'}),` +
        ' so its keys were not fetched and the signature could not be verified.',
    };
  const discoveryUrl = `${iss.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  // One budget for both fetches: a slow discovery must not give the JWKS a fresh full timeout.
  const until = Date.now() + timeoutMs;
  const discovery = await getJson(discoveryUrl, timeoutMs, signal);
  if (!discovery.ok)
    return {
      ok: false,
      stage: 'discovery',
      message: `Could not read the issuer's discovery document: ${discovery.message}`,
      url: discoveryUrl,
    };
  // A hostile document may hold any JSON here; only a string is quoted (and `String` of an object can throw).
  const named = typeof discovery.json.issuer === 'string' ? discovery.json.issuer.slice(0, 200) : '(not a string)';
  if (discovery.json.issuer !== iss)
    return {
      ok: false,
      stage: 'discovery',
      message: `The discovery document names the issuer '${named}', but the token says '${iss}'.`,
      url: discoveryUrl,
    };
  const jwksUri = discovery.json.jwks_uri;
  // Keys only from the issuer's own origin: the discovery document must not send us elsewhere.
  if (typeof jwksUri !== 'string' || !sameOrigin(jwksUri, issuerUrl))
    return {
      ok: false,
      stage: 'discovery',
      message: `The discovery document has no jwks_uri on the issuer's own host (${issuerUrl.host}).`,
      url: discoveryUrl,
    };
  const jwks = await getJson(jwksUri, Math.max(500, until - Date.now()), signal);
  if (!jwks.ok)
    return {
      ok: false,
      stage: 'jwks',
      message: `Could not read the issuer's signing keys: ${jwks.message}`,
      url: jwksUri,
    };
  const keys = Array.isArray(jwks.json.keys) ? (jwks.json.keys as Array<Record<string, unknown>>) : [];
  const kid = decoded.header.kid;
  if (kid && !keys.some((k) => k.kid === kid))
    return {
      ok: false,
      stage: 'jwks',
      message:
        `The issuer's key set (${describeUrl(jwksUri)}) has no key with kid '${kid}';` +
        ' Entra would answer AADSTS7000272 until the issuer publishes it.',
      url: jwksUri,
    };
  const notNeeded = { ok: false, stage: 'signature', message: 'Not verified: no verdict depended on it.' } as const;
  if (signal?.aborted || (options.signatureNeeded && !(await options.signatureNeeded))) return notNeeded;
  const { createLocalJWKSet, jwtVerify, errors } = await import('jose');
  try {
    // Entra accepts RS256 only (docs/entra-matching.md §5); the lifetime is reported separately,
    // so no clock checks here.
    await jwtVerify(token, createLocalJWKSet({ keys: keys as never }), {
      algorithms: ['RS256'],
      issuer: iss,
      currentDate: new Date((decoded.claims.iat ?? Math.floor(Date.now() / 1000)) * 1000),
    });
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const stage: VerifyStage = e instanceof errors.JWTClaimValidationFailed ? 'claims' : 'signature';
    return {
      ok: false,
      stage,
      message: `The token did not verify against the issuer's keys (${code || (e as Error).message}).`,
      url: jwksUri,
    };
  }
  return { ok: true, jwksUri, kid };
}
