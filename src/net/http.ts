/**
 * The one HTTP path of the action: the runner's token endpoint, the issuer's discovery and keys,
 * Entra (msal-node's network module), Graph and ARM all come through `httpRequest`. Connections
 * are undici's (already in the bundle through @actions/github): keep-alive, TLS, and a proxy
 * per the toolkit's rules (proxy.ts) with undici's ProxyAgent, which tunnels with CONNECT and
 * speaks TLS to an `https://` proxy. This module adds the project's policy only: one deadline per
 * request (connect to last byte), a size cap, and errors that name the host, never a path or query.
 */
import { isIP, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import type { buildConnector } from 'undici';
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

type Connector = ReturnType<typeof buildConnector>;
type Undici = typeof import('./undici.js');
let undiciModule: Promise<Undici> | undefined;

// undici parses HTTP with llhttp compiled to WebAssembly. V8 tiers that code up in the background
// and node waits for the tier-up before exiting: 200-400 ms after the verdict, for a parser that
// reads four small answers. Liftoff (the baseline compiler) alone is plenty; set before the compile.
// The only WebAssembly in this process is llhttp (jose and msal-node use node:crypto).
const loadUndici = (): Promise<Undici> =>
  (undiciModule ??= import('node:v8')
    .then((v8) => v8.setFlagsFromString('--liftoff-only'))
    .then(() => import('./undici.js')));

interface Dispatchers {
  direct: Dispatcher;
  /** undici's own connector (TCP, then TLS for https), under `direct`. */
  connector: Connector;
  /** Connections opened ahead of their first request (preconnect), by `host:port`. */
  warm: Map<string, Promise<unknown>>;
  proxies: Map<string, Dispatcher>;
}
let dispatchers: Promise<Dispatchers> | undefined;

function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** A direct agent whose connector hands out a connection opened early by `preconnect`, when there is one. */
function getDispatchers(): Promise<Dispatchers> {
  dispatchers ??= loadUndici().then(({ Agent, buildConnector }) => {
    const connector = buildConnector({});
    const warm = new Map<string, Promise<unknown>>();
    const connect: Connector = (opts, callback) => {
      const key = `${opts.hostname}:${opts.port || (opts.protocol === 'https:' ? '443' : '80')}`;
      const early = opts.protocol === 'https:' ? warm.get(key) : undefined;
      if (!early) return connector(opts, callback);
      warm.delete(key);
      early.then(
        (socket) => {
          const s = socket as Socket;
          if (s.destroyed || !s.writable) connector(opts, callback);
          else callback(null, s.ref());
        },
        () => connector(opts, callback),
      );
    };
    return { direct: new Agent({ connect }), connector, warm, proxies: new Map() };
  });
  return dispatchers;
}

async function proxyDispatcher(proxy: ProxySetting, d: Dispatchers): Promise<Dispatcher> {
  const key = `${proxy.origin} ${proxy.authorization ?? ''}`;
  let agent = d.proxies.get(key);
  if (!agent) {
    const { ProxyAgent, Pool } = await loadUndici();
    // The credentials go in a header of their own, never in the URI undici may quote in an error.
    agent = new ProxyAgent({
      uri: proxy.origin,
      ...(proxy.authorization ? { token: proxy.authorization } : {}),
      // undici names an https proxy given by IP address in SNI, which TLS forbids (node warns on stderr).
      clientFactory: (origin: URL, opts: object) => {
        const { connect } = opts as { connect: Connector };
        const noIpName: Connector = (o, cb) =>
          connect({ ...o, servername: o.servername && isIP(o.servername) ? undefined : o.servername }, cb);
        return new Pool(origin, { ...opts, connect: noIpName });
      },
    });
    d.proxies.set(key, agent);
  }
  return agent;
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
  void getDispatchers().then(({ warm, connector }) => {
    const key = `${target.hostname}:${portOf(target)}`;
    if (warm.has(key)) return;
    const options = { hostname: target.hostname, host: target.host, protocol: 'https:', port: portOf(target) };
    // Unreferenced while it waits: an unused early connection must not keep the process alive.
    const socket = new Promise<unknown>((resolve, reject) =>
      connector(options, (err, s) => (err || !s ? reject(err ?? new Error('no socket')) : resolve(s.unref()))),
    );
    socket.catch(() => warm.delete(key));
    warm.set(key, socket);
  });
}

/**
 * Ends every kept-alive connection once the run has its verdict, so the process can exit at
 * once; requests still on their way (a verification no verdict needs) are cut short.
 */
export async function closeConnections(): Promise<void> {
  const d = await dispatchers;
  if (!d) return;
  dispatchers = undefined;
  await Promise.allSettled([d.direct, ...d.proxies.values()].map((x) => x.destroy()));
}

function networkError(e: unknown, url: string, proxy: ProxySetting | undefined, midAnswer: boolean): HttpError {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code && !err.code.startsWith('UND_ERR') ? err.code : err.cause?.code;
  const proxyRefused = /^Proxy response \((\d+)\)/.exec(err.message ?? '')?.[1];
  const fail = (message: string) => new HttpError('HTTP_NETWORK', message, url);
  if (proxy && proxyRefused)
    return fail(`The proxy ${proxy.host} refused to connect to ${describeUrl(url)} (HTTP ${proxyRefused}).`);
  // Name the proxy: "Could not reach <target> (ECONNREFUSED)" would send people to the wrong host.
  if (proxy && code && /^E[A-Z]/.test(code) && !midAnswer) return fail(`proxy ${proxy.host} unreachable: ${code}`);
  const why = code ?? (err.message || 'network error').split('\n')[0]!.slice(0, 200);
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
  const d = await getDispatchers();
  const dispatcher = proxy ? await proxyDispatcher(proxy, d) : d.direct;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const abort = new AbortController();
  const seconds = Math.round(options.timeoutMs / 100) / 10;
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  const stop = () => abort.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) abort.abort();
  let midAnswer = false;
  try {
    const res = await dispatcher.request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: options.method ?? 'GET',
      headers: { 'user-agent': USER_AGENT, ...options.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
      signal: abort.signal,
    });
    midAnswer = true;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.body.destroy();
        const why = `The answer from ${describeUrl(url)} is larger than ${maxBytes} bytes.`;
        throw new HttpError('HTTP_TOO_LARGE', why, url);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
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
