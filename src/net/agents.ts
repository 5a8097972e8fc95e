/**
 * The connections under http.ts, built as @actions/http-client's HttpClient builds them (its
 * `_getAgent`): node's own http and https agents with keep-alive for direct requests, and
 * tunnel's CONNECT agents through a proxy, spoken to over TLS when the proxy's URL is `https://`.
 * Two things the toolkit lacks are added here: a connection opened ahead of its first request
 * (preconnect), and an end to every connection once the run has its verdict.
 * Loaded with http.ts (and node's http, https and tls with it), which a run that stops on its
 * inputs never loads.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ProxySetting } from './proxy.js';

// Node's `http` by require, not import: an import makes Node 24 read every export of the module, and
// its WebSocket getters load Node's own undici (60 ms of every start, where a require costs 10 ms).
const requireBuiltin = createRequire(import.meta.url);
const { Agent: HttpAgent, request: httpRequest }: typeof import('node:http') = requireBuiltin('node:http');
type HttpAgent = InstanceType<typeof HttpAgent>;

/** TLS connections opened ahead of their first request, by `host:port`. */
const early = new Map<string, TLSSocket>();
const keyOf = (host: string | null | undefined, port: string | number | null | undefined) => `${host}:${port}`;

/** An https agent whose first connection to a host is the one `openEarly` opened, when there is one. */
class EarlyConnectionAgent extends HttpsAgent {
  override createConnection(
    options: RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const key = keyOf(options.host, options.port);
    const socket = early.get(key);
    early.delete(key);
    if (socket && !socket.destroyed) return socket.ref();
    return super.createConnection(options, callback);
  }
}

/** Something `http.request`'s `agent` option takes: node's agents, and tunnel's (which are not node Agents). */
type Transport = HttpAgent;

/** tunnel's agent: how it sends its CONNECT (node's http.request or https.request, by the proxy's scheme). */
type TunnelAgent = HttpAgent & { request: (options: RequestOptions) => ClientRequest };

let direct: { http: HttpAgent; https: HttpsAgent } | undefined;
const tunnels = new Map<string, TunnelAgent>();
type Tunnel = typeof import('tunnel');
let tunnelModule: Promise<Tunnel> | undefined;

export function directAgent(https: boolean): Transport {
  direct ??= { http: new HttpAgent({ keepAlive: true }), https: new EarlyConnectionAgent({ keepAlive: true }) };
  return https ? direct.https : direct.http;
}

/** `[::1]` in a URL is `::1` to a socket. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** tunnel's agent for this proxy and target scheme, made once and kept for the run; tunnel loads with the first. */
export async function proxyAgent(proxy: ProxySetting, targetHttps: boolean): Promise<Transport> {
  // A CommonJS module: the bundle gives its exports as `default` only, node gives them named too.
  tunnelModule ??= import('tunnel');
  const loaded: Tunnel & { default?: Tunnel } = await tunnelModule;
  const tunnel = loaded.default ?? loaded;
  // From here on synchronous: two requests at once get the same agent.
  const key = `${targetHttps} ${proxy.origin} ${proxy.authorization ?? ''}`;
  let agent = tunnels.get(key);
  if (agent) return agent;
  const url = new URL(proxy.origin);
  const overTls = proxy.protocol === 'https:';
  const host = hostOf(url);
  // The proxy's own name for TLS: node would take it from the CONNECT's Host header (the target's), and
  // check the proxy's certificate against the wrong name. '' (no SNI) for an address, as TLS requires.
  const options = {
    proxy: { host, port: Number(url.port) || (overTls ? 443 : 80), servername: isIP(host) ? '' : host },
  };
  if (targetHttps) agent = (overTls ? tunnel.httpsOverHttps(options) : tunnel.httpsOverHttp(options)) as TunnelAgent;
  else agent = (overTls ? tunnel.httpOverHttps(options) : tunnel.httpOverHttp(options)) as TunnelAgent;
  const { authorization } = proxy;
  if (authorization) {
    // tunnel's own `proxyAuth` builds the header with `new Buffer()`, which makes node print a
    // deprecation warning: the header is added to its CONNECT request instead, and only there.
    const connect = overTls ? httpsRequest : httpRequest;
    agent.request = (o) =>
      connect({ ...o, headers: { ...(o.headers as object), 'Proxy-Authorization': authorization } });
  }
  tunnels.set(key, agent);
  return agent;
}

interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** Sends a request; resolves with the answer's head, its body still to read. */
export function send(target: URL, transport: Transport, outgoing: Outgoing): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const { method, headers, signal } = outgoing;
    const req = request(target, { method, headers, signal, agent: transport }, resolve);
    req.on('error', reject);
    req.end(outgoing.body);
  });
}

/**
 * Opens the TLS connection to `host:port` now; the direct https agent gives it to the first
 * request there. Unreferenced while it waits: an unused early connection must not keep the
 * process alive. A connection that fails is forgotten, and the request opens its own.
 */
export function openEarly(target: URL): void {
  const host = hostOf(target);
  const port = target.port || '443';
  const key = keyOf(host, port);
  if (early.has(key)) return;
  const socket = tlsConnect({ host, port: Number(port), ...(isIP(host) ? {} : { servername: host }) });
  socket.on('error', () => {
    if (early.get(key) === socket) early.delete(key);
  });
  early.set(key, socket.unref());
}

/** Ends every connection, kept-alive, early or in use: requests still on their way fail at once. */
export function closeAll(): void {
  for (const socket of early.values()) socket.destroy();
  early.clear();
  direct?.http.destroy();
  direct?.https.destroy();
  direct = undefined;
  for (const agent of tunnels.values()) {
    // tunnel's own list, not node's: the sockets it opened, and placeholders while a CONNECT is on its way.
    const { sockets } = agent as unknown as { sockets: unknown };
    if (Array.isArray(sockets)) for (const s of sockets as Array<{ destroy?: () => void }>) s.destroy?.();
  }
  tunnels.clear();
}
