/**
 * The HTTP path's own policy, against a real loopback server: a connection opened early
 * (preconnect) is the one the first request uses; the size cap; the deadline.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpRequest, preconnect, HttpError } from '../../src/net/http.js';
import { defaultCertificate } from '../support/tls.js';

let server: Server;
let origin: string;
let connections = 0;

beforeAll(async () => {
  const tls = await defaultCertificate();
  server = createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    if (req.url === '/big') return void res.end('x'.repeat(64 * 1024));
    if (req.url?.startsWith('/hang')) return;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true }));
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The test certificate is not in node's store, and httpRequest takes no CA of its own.
  vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('preconnect', () => {
  it('opens the TLS connection before the request, and the request uses it', async () => {
    preconnect(origin);
    await vi.waitFor(() => expect(connections).toBe(1), { timeout: 5_000 });
    const res = await httpRequest(`${origin}/ok`, { timeoutMs: 5_000 });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
    expect(connections).toBe(1);
  });

  it('never throws, whatever it is given', () => {
    expect(() => preconnect('not a url')).not.toThrow();
    expect(() => preconnect('ftp://example.invalid/')).not.toThrow();
  });
});

describe('policy', () => {
  it('refuses an answer over the size cap', async () => {
    const e = await httpRequest(`${origin}/big`, { timeoutMs: 5_000, maxBytes: 1024 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).code).toBe('HTTP_TOO_LARGE');
  });

  it('ends at the deadline, naming the host but not the query', async () => {
    const e = await httpRequest(`${origin}/hang?secret=abc`, { timeoutMs: 300 }).catch((x: unknown) => x);
    expect((e as HttpError).code).toBe('HTTP_TIMEOUT');
    expect((e as Error).message).toContain(`${origin}/hang`);
    expect((e as Error).message).not.toContain('abc');
  });

  it('stops at once when the caller aborts', async () => {
    const abort = new AbortController();
    const pending = httpRequest(`${origin}/hang`, { timeoutMs: 10_000, signal: abort.signal }).catch((x: unknown) => x);
    abort.abort();
    expect(((await pending) as HttpError).code).toBe('HTTP_TIMEOUT');
  });
});
