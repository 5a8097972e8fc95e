/**
 * A small HTTP(S) client on node's own modules: no undici, no fetch, so the action's
 * cold start stays small. One request, one answer, a hard per-request timeout.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Sent with every request, so servers (and our tests) can tell this tool's calls apart. */
const USER_AGENT = 'azure-federation-check';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
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
}

/** host[:port] for messages: never the path or query, which may carry secrets. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpError('HTTP_URL', `Not a valid URL.`, url);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new HttpError('HTTP_URL', `Unsupported scheme ${parsed.protocol}`, url);
  const mod = parsed.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const { proxyAgentFor } = await import('./proxy.js');
  const agent = proxyAgentFor(parsed);
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: HttpError | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };
    const req = mod.request(
      parsed,
      { method: options.method ?? 'GET', headers: { 'User-Agent': USER_AGENT, ...options.headers }, agent },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy();
            finish(new HttpError('HTTP_TOO_LARGE', `The answer from ${describeUrl(url)} is larger than ${maxBytes} bytes.`, url));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => finish(new HttpError('HTTP_NETWORK', `The connection to ${describeUrl(url)} broke mid-answer (${e.message}).`, url)));
        res.on('aborted', () => finish(new HttpError('HTTP_NETWORK', `The connection to ${describeUrl(url)} was reset mid-answer.`, url)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(new HttpError('HTTP_TIMEOUT', `No answer from ${describeUrl(url)} within ${Math.round(options.timeoutMs / 100) / 10} s.`, url));
    }, options.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) =>
      finish(new HttpError('HTTP_NETWORK', `Could not reach ${describeUrl(url)} (${e.code ?? e.message}).`, url)),
    );
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Parse a JSON body or say clearly what came instead (an HTML proxy page is the usual case). */
export function parseJsonBody(res: HttpResponse, url: string): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    const type = String(res.headers['content-type'] ?? '');
    const what = /html/i.test(type) || /^\s*</.test(res.body) ? 'an HTML page (a proxy or captive portal?)' : 'a body that is not JSON';
    throw new HttpError('HTTP_NETWORK', `${describeUrl(url)} answered HTTP ${res.status} with ${what}.`, url);
  }
}
