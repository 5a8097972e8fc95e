/**
 * Getting the job's OIDC token from the runner (docs/github-oidc.md "Getting the token inside a job").
 * Same request as @actions/core's getIDToken, on our own small client.
 */
import { HttpError, describeUrl, httpRequest, parseJsonBody } from '../net/http.js';

type OidcErrorCode = 'OIDC_UNAVAILABLE' | 'OIDC_HTTP' | 'OIDC_NETWORK' | 'OIDC_BAD_ANSWER';

export class OidcError extends Error {
  override readonly name = 'OidcError';
  constructor(
    readonly code: OidcErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface OidcEndpoint {
  url: string;
  bearer: string;
}

/** The runner's token endpoint, or undefined when the job may not request tokens. */
export function oidcEndpoint(env: NodeJS.ProcessEnv): OidcEndpoint | undefined {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) return undefined;
  return { url, bearer };
}

export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/**
 * One request for a token. `onToken` is called with the token before anything else
 * sees it, so the caller can mask it at once.
 */
export async function requestIdToken(
  endpoint: OidcEndpoint,
  audience: string,
  timeoutMs: number,
  onToken: (token: string) => void,
): Promise<string> {
  const url = `${endpoint.url}${endpoint.url.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  let res: Awaited<ReturnType<typeof httpRequest>>;
  try {
    res = await httpRequest(url, {
      timeoutMs,
      headers: { Authorization: `Bearer ${endpoint.bearer}`, Accept: 'application/json' },
      maxBytes: 256 * 1024,
    });
  } catch (e) {
    // An answer too large or a malformed URL stays so on a retry; network trouble may not.
    if (e instanceof HttpError)
      throw new OidcError('OIDC_NETWORK', e.message, e.code === 'HTTP_TIMEOUT' || e.code === 'HTTP_NETWORK');
    throw e;
  }
  if (res.status !== 200) {
    const transient = res.status >= 500 || res.status === 429 || res.status === 408;
    // A proxy's block page (HTML) is not the runner refusing the request token.
    const html = /html/i.test(String(res.headers['content-type'] ?? '')) || /^\s*</.test(res.body);
    const why = html
      ? ' with an HTML page (a proxy or captive portal?)'
      : res.status === 401 || res.status === 403
        ? ' (the request token was refused: ACTIONS_ID_TOKEN_REQUEST_TOKEN is stale or from another job)'
        : '';
    throw new OidcError(
      'OIDC_HTTP',
      `The runner's token endpoint ${describeUrl(url)} answered HTTP ${res.status}${why}.`,
      transient,
      res.status,
      retryAfterMs(res.headers['retry-after']),
    );
  }
  let body: unknown;
  try {
    body = parseJsonBody(res, url);
  } catch (e) {
    throw new OidcError('OIDC_BAD_ANSWER', (e as Error).message, true, res.status);
  }
  const value = (body as { value?: unknown } | null)?.value;
  if (typeof value !== 'string' || value.split('.').length !== 3)
    throw new OidcError(
      'OIDC_BAD_ANSWER',
      `The runner's token endpoint answered without a token in "value".`,
      false,
      res.status,
    );
  onToken(value);
  return value;
}
