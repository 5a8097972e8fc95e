/**
 * A tiny forward proxy on loopback that only speaks CONNECT (what HTTPS_PROXY clients use, and
 * what the toolkit's tunnel agents use for plain http too). It counts and records every tunnel,
 * so a test can prove that each of the action's calls went through it. Optional Basic auth;
 * optionally listening over TLS (an `https://` proxy); optionally resolving names itself, so the
 * action can be sent to a name that is not loopback (the toolkit never proxies loopback).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';

interface TunnelRecord {
  /** `host:port` from the CONNECT line. */
  target: string;
  time: number;
  /** Proxy-Authorization as sent, if any. */
  authorization?: string;
  /** 200 when the tunnel was opened, else the status answered. */
  status: number;
}

export interface ConnectProxyOptions {
  /** Require `Proxy-Authorization: Basic base64(user:pass)`; others get 407. */
  credentials?: { user: string; password: string };
  /** Listen over TLS with this certificate: the proxy's URL is then `https://`. */
  tls?: { cert: string; key: string };
  /** Where a CONNECT target host really is (e.g. `*.proxied.test` → 127.0.0.1); default: as named. */
  resolve?: (host: string) => string;
}

export interface ConnectProxy {
  /** `http(s)://127.0.0.1:<port>` (with user:pass@ when credentials are required). */
  readonly url: string;
  readonly port: number;
  readonly tunnels: TunnelRecord[];
  /** Requests that were not CONNECT (a client using the proxy as a plain HTTP proxy). */
  readonly plainRequests: string[];
  /** Connections whose first bytes were not HTTP (e.g. a TLS ClientHello sent to a plain proxy). */
  readonly unreadable: number;
  close(): Promise<void>;
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    proxy.plainRequests.push(`${req.method} ${req.url}`);
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('this proxy only tunnels (CONNECT)\n');
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createServer(onRequest);
  let unreadable = 0;
  server.on('clientError', (_e, socket: Socket) => {
    unreadable++;
    socket.destroy();
  });
  const expectedAuth = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;

  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    const authorization = req.headers['proxy-authorization'];
    const record: TunnelRecord = { target, time: Date.now(), status: 0, ...(authorization ? { authorization } : {}) };
    proxy.tunnels.push(record);
    client.on('error', () => client.destroy());
    if (expectedAuth && authorization !== expectedAuth) {
      record.status = 407;
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n' +
          'Content-Length: 0\r\n\r\n',
      );
      return;
    }
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    if (!m) {
      record.status = 400;
      client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(Number(m[2]), options.resolve?.(m[1]!) ?? m[1]!, () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => {
      if (record.status === 0) {
        record.status = 502;
        client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      } else client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const auth = options.credentials
    ? `${encodeURIComponent(options.credentials.user)}:${encodeURIComponent(options.credentials.password)}@`
    : '';
  const proxy: ConnectProxy = {
    url: `${options.tls ? 'https' : 'http'}://${auth}127.0.0.1:${port}`,
    port,
    tunnels: [],
    plainRequests: [],
    get unreadable() {
      return unreadable;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
