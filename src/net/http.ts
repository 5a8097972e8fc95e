/**
 * The one HTTP path of the action: the runner's token endpoint, the issuer's discovery and keys,
 * Entra (msal-node's network module), Graph and ARM all come through `httpRequest`. The transport
 * is the toolkit's (what @actions/http-client's HttpClient builds in `_getAgent`): node's http and
 * https with keep-alive agents, and through a proxy (proxy.ts, the toolkit's rules) tunnel's CONNECT
 * agents, over TLS to an `https://` proxy. HttpClient itself is not used: it imports undici at its
 * top for one method, and that costs a passing check a sixth of its time (npm run bench).
 * This module adds the project's policy only: one deadline per request (connect to last byte), a
 * size cap, and errors that name the host, never a path or query.
 */
import * as agents from './agents.js';
import { proxyFor, type ProxySetting } from './proxy.js';

/** Sent with every request, so servers (and our tests) can tell this tool's calls apart. */
const USER_AGENT = 'azure-federation-check';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type HttpErrorCode = 'HTTP_TIMEOUT' | 'HTTP_NETWORK' | 'HTTP_TOO_LARGE' | 'HTTP_URL';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Whole request, connect to last byte. */
  timeoutMs: number;
  /** Answers larger than this are refused (a proxy's HTML page or a hostile server). */
  maxBytes?: number;
  /** The caller no longer needs the answer: stop at once (reported as a timeout). */
  signal?: AbortSignal;
}

/** protocol//host/path for messages: never the query, which may carry secrets. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Opens the TLS connection to an https origin now, so the first request to it (Entra's token
 * endpoint, while the runner's token is on its way) finds it ready. Direct connections only:
 * through a proxy the tunnel is opened with the request. Never throws.
 */
export function preconnect(url: string): void {
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'https:' || proxyFor(target)) return;
  } catch {
    return;
  }
  try {
    agents.openEarly(target);
  } catch {
    // The request opens its own connection, and reports what is wrong with it.
  }
}

/**
 * Ends every kept-alive connection once the run has its verdict, so the process can exit at
 * once; requests still on their way (a verification no verdict needs) are cut short.
 */
export async function closeConnections(): Promise<void> {
  agents.closeAll();
}

/** What went wrong on the way, said about the host (or the proxy) without the path or query. */
function networkError(e: unknown, url: string, proxy: ProxySetting | undefined, midAnswer: boolean): HttpError {
  const err = e as NodeJS.ErrnoException;
  const message = err.message ?? '';
  // tunnel reports every failed CONNECT as ECONNRESET, with the proxy's status or the cause in its message.
  const tunnelFailure = /^tunneling socket could not be established, (?:statusCode=(\d+)|cause=(.*))/s.exec(message);
  const fail = (text: string) => new HttpError('HTTP_NETWORK', text, url);
  if (proxy && tunnelFailure?.[1])
    return fail(`The proxy ${proxy.host} refused to connect to ${describeUrl(url)} (HTTP ${tunnelFailure[1]}).`);
  if (proxy && tunnelFailure) {
    const code = /\b(E[A-Z]{3,}|ERR_[A-Z_]+)\b/.exec(tunnelFailure[2] ?? '')?.[1] ?? 'no connection';
    // Name the proxy: "Could not reach <target> (ECONNREFUSED)" would send people to the wrong host.
    return fail(`proxy ${proxy.host} unreachable: ${code}`);
  }
  const why = err.code ?? (message || 'network error').split('\n')[0]!.slice(0, 200);
  if (midAnswer) return fail(`The connection to ${describeUrl(url)} broke mid-answer (${why}).`);
  return fail(`Could not reach ${describeUrl(url)} (${why}).`);
}

export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new HttpError('HTTP_URL', `Not a valid URL.`, url);
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:')
    throw new HttpError('HTTP_URL', `Unsupported scheme ${target.protocol}`, url);
  const proxy = proxyFor(target);
  const transport = proxy
    ? await agents.proxyAgent(proxy, target.protocol === 'https:')
    : agents.directAgent(target.protocol === 'https:');
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const abort = new AbortController();
  const seconds = Math.round(options.timeoutMs / 100) / 10;
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  const stop = () => abort.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) abort.abort();
  let midAnswer = false;
  try {
    const res = await agents.send(target, transport, {
      method: options.method ?? 'GET',
      headers: { 'user-agent': USER_AGENT, ...options.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
      signal: abort.signal,
    });
    midAnswer = true;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.destroy();
        const why = `The answer from ${describeUrl(url)} is larger than ${maxBytes} bytes.`;
        throw new HttpError('HTTP_TOO_LARGE', why, url);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
  } catch (e) {
    if (e instanceof HttpError) throw e;
    if (abort.signal.aborted)
      throw new HttpError('HTTP_TIMEOUT', `No answer from ${describeUrl(url)} within ${seconds} s.`, url);
    throw networkError(e, url, proxy, midAnswer);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}

/** Parse a JSON body or say clearly what came instead (an HTML proxy page is the usual case). */
export function parseJsonBody(res: HttpResponse, url: string): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    const type = String(res.headers['content-type'] ?? '');
    const html = /html/i.test(type) || /^\s*</.test(res.body);
    const what = html ? 'an HTML page (a proxy or captive portal?)' : 'a body that is not JSON';
    throw new HttpError('HTTP_NETWORK', `${describeUrl(url)} answered HTTP ${res.status} with ${what}.`, url);
  }
}
