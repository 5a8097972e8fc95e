/**
 * Verifying the token's signature against its own issuer's discovery document and JWKS,
 * as Entra will. Trouble here is reported as a warning: Entra's answer is the verdict.
 */
import { describeUrl, httpRequest, parseJsonBody } from '../net/http.js';
import type { DecodedJwt } from './jwt.js';

type VerifyStage = 'issuer-url' | 'discovery' | 'jwks' | 'signature' | 'claims';

export type VerifyResult =
  | { ok: true; jwksUri: string; kid?: string }
  | { ok: false; stage: VerifyStage; message: string; url?: string };

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Only https, except plain http to loopback (the test stand-ins). */
function allowedIssuerUrl(url: string): URL | undefined {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname))) return u;
  } catch {
    /* fall through */
  }
  return undefined;
}

async function getJson(url: string, timeoutMs: number): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; message: string }> {
  try {
    const res = await httpRequest(url, { timeoutMs, headers: { Accept: 'application/json' }, maxBytes: 1024 * 1024 });
    if (res.status !== 200) return { ok: false, message: `${describeUrl(url)} answered HTTP ${res.status}.` };
    const json = parseJsonBody(res, url);
    if (!json || typeof json !== 'object') return { ok: false, message: `${describeUrl(url)} did not answer a JSON object.` };
    return { ok: true, json: json as Record<string, unknown> };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

export async function verifyToken(token: string, decoded: DecodedJwt, timeoutMs: number): Promise<VerifyResult> {
  const iss = decoded.claims.iss;
  const issuerUrl = allowedIssuerUrl(iss);
  if (!issuerUrl) return { ok: false, stage: 'issuer-url', message: `The token's issuer '${iss}' is not an https URL, so neither this check nor Entra can fetch its keys.` };
  const discoveryUrl = `${iss.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  // One budget for both fetches: a slow discovery must not give the JWKS a fresh full timeout.
  const until = Date.now() + timeoutMs;
  const discovery = await getJson(discoveryUrl, timeoutMs);
  if (!discovery.ok) return { ok: false, stage: 'discovery', message: `Could not read the issuer's discovery document: ${discovery.message}`, url: discoveryUrl };
  if (discovery.json.issuer !== iss)
    return {
      ok: false,
      stage: 'discovery',
      message: `The discovery document names the issuer '${String(discovery.json.issuer)}', but the token says '${iss}'.`,
      url: discoveryUrl,
    };
  const jwksUri = discovery.json.jwks_uri;
  if (typeof jwksUri !== 'string' || !allowedIssuerUrl(jwksUri))
    return { ok: false, stage: 'discovery', message: `The discovery document has no usable https jwks_uri.`, url: discoveryUrl };
  const jwks = await getJson(jwksUri, Math.max(500, until - Date.now()));
  if (!jwks.ok) return { ok: false, stage: 'jwks', message: `Could not read the issuer's signing keys: ${jwks.message}`, url: jwksUri };
  const keys = Array.isArray(jwks.json.keys) ? (jwks.json.keys as Array<Record<string, unknown>>) : [];
  const kid = decoded.header.kid;
  if (kid && !keys.some((k) => k.kid === kid))
    return {
      ok: false,
      stage: 'jwks',
      message: `The issuer's key set (${describeUrl(jwksUri)}) has no key with kid '${kid}'; Entra would answer AADSTS7000272 until the issuer publishes it.`,
      url: jwksUri,
    };
  const { createLocalJWKSet, jwtVerify, errors } = await import('jose');
  try {
    // Entra accepts RS256 only (docs/entra-matching.md §5); the lifetime is reported separately, so no clock checks here.
    await jwtVerify(token, createLocalJWKSet({ keys: keys as never }), { algorithms: ['RS256'], issuer: iss, currentDate: new Date((decoded.claims.iat ?? Math.floor(Date.now() / 1000)) * 1000) });
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const stage: VerifyStage = e instanceof errors.JWTClaimValidationFailed ? 'claims' : 'signature';
    return { ok: false, stage, message: `The token did not verify against the issuer's keys (${code || (e as Error).message}).`, url: jwksUri };
  }
  return { ok: true, jwksUri, kid };
}
