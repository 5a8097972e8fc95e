/**
 * Octokit's fetch over the one HTTP path, against a real loopback server: redirects on the API's own
 * origin are followed (a renamed repository) and the answer says where it came from; redirects
 * elsewhere are not; bodiless statuses; only GET.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchOverHttpRequest } from '../../src/net/octokit-fetch.js';

let server: Server;
let origin: string;
const seen: Array<{ url?: string; auth?: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    if (req.url === '/repos/old/name') return void res.writeHead(301, { location: '/repositories/42' }).end();
    if (req.url === '/elsewhere') return void res.writeHead(302, { location: 'http://example.invalid/x' }).end();
    if (req.url === '/loop') return void res.writeHead(301, { location: '/loop' }).end();
    if (req.url === '/empty') return void res.writeHead(204).end();
    res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining': '4999' });
    res.end(JSON.stringify({ id: 42, full_name: 'new/name' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const fetchIt = fetchOverHttpRequest(5_000);

describe('fetchOverHttpRequest', () => {
  it("follows a redirect on the API's origin with the same headers, and says where the answer is from", async () => {
    seen.length = 0;
    const res = await fetchIt(`${origin}/repos/old/name`, { headers: { authorization: 'token t' } });
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${origin}/repositories/42`);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(await res.json()).toEqual({ id: 42, full_name: 'new/name' });
    expect(seen).toEqual([
      { url: '/repos/old/name', auth: 'token t' },
      { url: '/repositories/42', auth: 'token t' },
    ]);
  });

  it('hands a redirect to another origin back as it is, and stops after three hops', async () => {
    const away = await fetchIt(`${origin}/elsewhere`);
    expect(away.status).toBe(302);
    expect(away.url).toBe(`${origin}/elsewhere`);
    seen.length = 0;
    expect((await fetchIt(`${origin}/loop`)).status).toBe(301);
    expect(seen.length).toBe(4);
  });

  it('answers a bodiless status without a body, and refuses anything but GET', async () => {
    const res = await fetchIt(`${origin}/empty`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await expect(fetchIt(`${origin}/x`, { method: 'POST' })).rejects.toThrow(/Only GET/);
  });
});
