/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY support for our own requests (self-hosted and GHES
 * runners often sit behind a proxy). Loopback is never proxied, except under
 * AFC_PROXY_LOOPBACK=1: a test-only escape hatch (the proxy tests run every service, the proxy
 * included, on 127.0.0.1; no runner sets it). msal-node's requests go through the same client
 * (exchange.ts's RecordingNetwork uses httpRequest), so they are proxied like ours.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { Agent } from 'node:http';

function noProxyMatches(host: string, noProxy: string): boolean {
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      // `[v6]` or `[v6]:port`; a bare IPv6 address has colons of its own, so only `host:port` loses a port.
      const v6 = /^\[([^\]]*)\](?::\d+)?$/.exec(entry);
      const e = (v6 ? v6[1]! : entry.split(':').length > 2 ? entry : entry.replace(/^\*?\./, '').replace(/:\d+$/, '')).toLowerCase();
      return host === e || host.endsWith(`.${e}`);
    });
}

export function proxyUrlFor(target: URL, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
  if (loopback && env.AFC_PROXY_LOOPBACK !== '1') return undefined;
  const noProxy = env.NO_PROXY ?? env.no_proxy ?? '';
  if (noProxy && noProxyMatches(host, noProxy)) return undefined;
  const proxy = target.protocol === 'https:' ? env.HTTPS_PROXY ?? env.https_proxy : env.HTTP_PROXY ?? env.http_proxy;
  return proxy || undefined;
}

const agents = new Map<string, Agent>();

/** An agent that tunnels through the proxy (CONNECT for https), or undefined for a direct request. */
export function proxyAgentFor(target: URL): Agent | undefined {
  const proxy = proxyUrlFor(target);
  if (!proxy) return undefined;
  const key = `${target.protocol}${proxy}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = createTunnelAgent(new URL(proxy), target.protocol === 'https:');
    agents.set(key, agent);
  }
  return agent;
}

function createTunnelAgent(proxy: URL, secure: boolean): Agent {
  const auth = proxy.username ? `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` : undefined;
  const base = secure ? https.Agent : http.Agent;
  class TunnelAgent extends base {
    // biome-ignore lint/suspicious/noExplicitAny: Node's Agent.createConnection is typed loosely
    override createConnection(options: any, callback: (err: Error | null, socket?: any) => void): any {
      const req = http.request({
        host: proxy.hostname,
        port: proxy.port || 80,
        method: 'CONNECT',
        path: `${options.host}:${options.port}`,
        headers: auth ? { 'Proxy-Authorization': auth, host: `${options.host}:${options.port}` } : { host: `${options.host}:${options.port}` },
      });
      req.once('connect', (res, socket) => {
        if (res.statusCode !== 200) {
          socket.destroy();
          callback(new Error(`proxy ${proxy.host} refused CONNECT with HTTP ${res.statusCode}`));
          return;
        }
        callback(null, secure ? tls.connect({ ...options, socket, servername: options.servername ?? options.host }) : socket);
      });
      // Name the proxy: "Could not reach <target> (ECONNREFUSED)" would send people to the wrong host.
      req.once('error', (e: NodeJS.ErrnoException) => callback(new Error(`proxy ${proxy.host} unreachable: ${e.code ?? e.message}`)));
      req.end();
      return undefined;
    }
  }
  return new TunnelAgent({ keepAlive: false });
}
