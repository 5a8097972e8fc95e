/**
 * The real token exchange: msal-node's confidential client with the GitHub token as client
 * assertion (client credentials grant). MSAL is loaded only here, on the path that needs it,
 * with the authority's metadata given so it makes no discovery round trip; its HTTP goes
 * through our client so we see Entra's raw answer (error_codes) and control retries.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { HttpError, httpRequest, type HttpResponse } from '../net/http.js';
import { DEFAULT_RETRY, canRetry, retryDelayMs, sleep, type RetryPolicy } from '../net/retry.js';
import { retryAfterMs } from '../github/oidc-token.js';
import { parseEntraErrorBody, type EntraError } from './entra-error.js';

export interface ExchangeRequest {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  scope: string;
  /** The token already fetched, used for the first attempt. */
  firstAssertion: string;
  /** A fresh GitHub token for each retry: a retried exchange must not outlive the 5-minute token. */
  freshAssertion: () => Promise<string>;
  /** Absolute time (ms since epoch) by which the exchange must be decided. */
  deadline: number;
  onSecret: (secret: string) => void;
  policy?: RetryPolicy;
  log?: (line: string) => void;
}

export type ExchangeOutcome =
  | { kind: 'success'; attempts: number; expiresOn?: Date; accessToken: string }
  | { kind: 'rejected'; attempts: number; error: EntraError }
  | { kind: 'unavailable'; attempts: number; reason: string; lastStatus?: number }
  | { kind: 'assertion-failed'; attempts: number; reason: string };

type AttemptResult =
  | { kind: 'success'; accessToken: string; expiresOn?: Date }
  | { kind: 'rejected'; error: EntraError }
  | { kind: 'transient'; reason: string; status?: number; retryAfterMs?: number }
  | { kind: 'fatal'; reason: string; status?: number };

/** Our HTTP under MSAL: records the last answer so Entra's own JSON can be read after MSAL throws. */
class RecordingNetwork implements INetworkModule {
  last?: HttpResponse;
  failure?: HttpError;
  constructor(private readonly timeoutMs: number) {}
  private async send<T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    try {
      const res = await httpRequest(url, {
        method,
        headers: options?.headers,
        body: options?.body,
        timeoutMs: this.timeoutMs,
        maxBytes: 1024 * 1024,
      });
      this.last = res;
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        body = {};
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      return { status: res.status, headers, body: body as T };
    } catch (e) {
      if (e instanceof HttpError) this.failure = e;
      throw e;
    }
  }
  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }
  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }
}

function authorityMetadata(
  authorityHost: string,
  tenantId: string,
): { authority: string; authorityMetadata: string; cloudDiscoveryMetadata: string; knownAuthority: string } {
  const authority = `${authorityHost}/${tenantId}`;
  const host = new URL(authorityHost).host;
  return {
    authority,
    knownAuthority: host,
    authorityMetadata: JSON.stringify({
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      issuer: `${authority}/v2.0`,
      jwks_uri: `${authorityHost}/${tenantId}/discovery/v2.0/keys`,
    }),
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    }),
  };
}

let msalModule: Promise<typeof import('./msal.js')> | undefined;

/**
 * Starts loading msal-node (the largest module by far) without waiting for it: the action calls
 * this while the runner's token is on its way, so the load overlaps the request instead of
 * following it. Loading twice is free (one module instance).
 */
export function preloadMsal(): Promise<typeof import('./msal.js')> {
  msalModule ??= import('./msal.js');
  return msalModule;
}

async function attemptOnce(req: ExchangeRequest, assertion: string, timeoutMs: number): Promise<AttemptResult> {
  const msal = await preloadMsal();
  const network = new RecordingNetwork(timeoutMs);
  const meta = authorityMetadata(req.authorityHost, req.tenantId);
  // A new client per attempt: MSAL's throttling cache would otherwise refuse a retry after a 429.
  const app = new msal.ConfidentialClientApplication({
    auth: {
      clientId: req.clientId,
      authority: meta.authority,
      clientAssertion: assertion,
      knownAuthorities: [meta.knownAuthority],
      authorityMetadata: meta.authorityMetadata,
      cloudDiscoveryMetadata: meta.cloudDiscoveryMetadata,
    },
    system: {
      networkClient: network,
      disableInternalRetries: true,
      loggerOptions: { piiLoggingEnabled: false, logLevel: msal.LogLevel.Error, loggerCallback: () => {} },
    },
  });
  let result: Awaited<ReturnType<typeof app.acquireTokenByClientCredential>>;
  try {
    result = await app.acquireTokenByClientCredential({ scopes: [req.scope], skipCache: true });
  } catch (e) {
    return classifyFailure(network, `MSAL failed before reaching Entra: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!result?.accessToken) return classifyFailure(network, 'Entra answered without an access token.');
  // MSAL passes Entra's JSON through unchecked: a number or an object here is an answer we cannot use.
  if (typeof result.accessToken !== 'string')
    return classifyFailure(
      network,
      `Entra answered with an access token that is not a string (${typeof result.accessToken}).`,
    );
  req.onSecret(result.accessToken);
  return { kind: 'success', accessToken: result.accessToken, expiresOn: result.expiresOn ?? undefined };
}

/**
 * What a failed attempt means, from Entra's raw answer rather than MSAL's view of it: MSAL
 * returns an empty result (no throw) for some non-JSON answers, e.g. a gateway's HTML 502.
 */
function classifyFailure(network: RecordingNetwork, noAnswerReason: string): AttemptResult {
  if (network.failure) return { kind: 'transient', reason: network.failure.message };
  const last = network.last;
  if (!last) return { kind: 'fatal', reason: noAnswerReason };
  if (last.status >= 500 || last.status === 429 || last.status === 408)
    return {
      kind: 'transient',
      reason: `Entra answered HTTP ${last.status}${describeBody(last)}.`,
      status: last.status,
      retryAfterMs: retryAfterMs(last.headers['retry-after']),
    };
  const entra = parseEntraErrorBody(last.status, last.body);
  if (entra) return { kind: 'rejected', error: entra };
  if (last.status === 200 && isJsonObject(last.body))
    return { kind: 'fatal', reason: 'Entra answered without an access token.', status: last.status };
  return {
    kind: 'fatal',
    reason:
      `Entra's endpoint answered HTTP ${last.status}${describeBody(last)},` +
      ` not Entra's JSON${last.status === 200 ? '' : ' error'}: a proxy or a wrong authority-host?`,
    status: last.status,
  };
}

function isJsonObject(body: string): boolean {
  try {
    const v: unknown = JSON.parse(body);
    return !!v && typeof v === 'object';
  } catch {
    return false;
  }
}

function describeBody(res: HttpResponse): string {
  const entra = parseEntraErrorBody(res.status, res.body);
  // Only an OAuth error code's shape is repeated (a retry line must not carry free text from outside).
  const error = /^[a-z_]{1,64}$/.test(entra?.error ?? '') ? entra!.error : 'error';
  if (entra) return ` (${error}${entra.codes.length ? `, AADSTS${entra.codes[0]}` : ''})`;
  return /^\s*</.test(res.body) ? ' with an HTML page' : '';
}

export async function exchangeToken(req: ExchangeRequest): Promise<ExchangeOutcome> {
  const policy = req.policy ?? DEFAULT_RETRY;
  let assertion = req.firstAssertion;
  for (let attempt = 1; ; attempt++) {
    const remaining = req.deadline - Date.now();
    const result = await attemptOnce(req, assertion, Math.max(1000, Math.min(15_000, remaining)));
    if (result.kind === 'success')
      return { kind: 'success', attempts: attempt, expiresOn: result.expiresOn, accessToken: result.accessToken };
    if (result.kind === 'rejected') return { kind: 'rejected', attempts: attempt, error: result.error };
    if (result.kind === 'fatal')
      return { kind: 'unavailable', attempts: attempt, reason: result.reason, lastStatus: result.status };
    const delay = retryDelayMs(attempt, policy, result.retryAfterMs);
    if (!canRetry(attempt, delay, req.deadline, Date.now(), policy))
      return { kind: 'unavailable', attempts: attempt, reason: result.reason, lastStatus: result.status };
    await sleep(delay);
    try {
      assertion = await req.freshAssertion();
    } catch (e) {
      return { kind: 'assertion-failed', attempts: attempt, reason: (e as Error).message };
    }
    // Said only now: the fresh token is masked (freshAssertion masks it on arrival) before any
    // line that carries an answer from outside.
    req.log?.(
      `Exchange attempt ${attempt} failed (${result.reason}); waited ${(delay / 1000).toFixed(1)} s,` +
        ' retrying with a fresh GitHub token.',
    );
  }
}
