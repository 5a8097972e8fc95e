/**
 * Proxy selection follows the toolkit (@actions/http-client) exactly: the real library is the
 * oracle here, not a copy of its rules. What this action adds on top is tested directly: a
 * malformed setting is an error naming the variable, credentials never appear in what it returns.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { getProxyUrl } from '@actions/http-client';
import { checkProxySettings, proxyFor, ProxyConfigError } from '../../src/net/proxy.js';

const HTTPS_P = 'http://proxy.corp.example:3128';
const HTTP_P = 'http://plain-proxy.corp.example:8080';
const VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

function withEnv(env: Record<string, string>): void {
  for (const name of VARIABLES) vi.stubEnv(name, env[name] ?? '');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

/** What the toolkit would use, as `protocol//host`, or undefined. */
function toolkit(url: string): string | undefined {
  const p = getProxyUrl(url);
  return p ? `${new URL(p).protocol}//${new URL(p).host}` : undefined;
}

const ours = (url: string) => proxyFor(new URL(url))?.origin;

describe('which proxy variable, as the toolkit reads them', () => {
  it('https targets use HTTPS_PROXY, http targets HTTP_PROXY; no fallback between them', () => {
    withEnv({ HTTPS_PROXY: HTTPS_P, HTTP_PROXY: HTTP_P });
    expect(ours('https://login.microsoftonline.com/t')).toBe(HTTPS_P);
    expect(ours('http://ghes.corp.example/_services/token')).toBe(HTTP_P);
    withEnv({ HTTP_PROXY: HTTP_P });
    expect(ours('https://login.microsoftonline.com/t')).toBeUndefined();
  });

  it('lower case wins over upper case (the toolkit reads https_proxy first)', () => {
    withEnv({ HTTPS_PROXY: HTTPS_P, https_proxy: 'http://other.example:1' });
    expect(ours('https://login.microsoftonline.com/t')).toBe('http://other.example:1');
    expect(ours('https://login.microsoftonline.com/t')).toBe(toolkit('https://login.microsoftonline.com/t'));
  });

  it('loopback targets are never proxied, whatever NO_PROXY says', () => {
    withEnv({ HTTPS_PROXY: HTTPS_P, HTTP_PROXY: HTTP_P });
    for (const url of ['http://localhost:8080/x', 'https://127.0.0.1/x', 'http://[::1]:8080/x'])
      expect([url, ours(url)]).toEqual([url, undefined]);
    expect(ours('https://localhost.evil.example/x')).toBe(HTTPS_P);
  });

  it('a value without a scheme is an http proxy, as the toolkit reads it', () => {
    withEnv({ HTTPS_PROXY: 'proxy.corp.example:3128' });
    expect(proxyFor(new URL('https://login.microsoftonline.com/t'))).toMatchObject({
      protocol: 'http:',
      host: 'proxy.corp.example:3128',
    });
  });

  it('an https:// proxy is kept as https (spoken to over TLS), with its default port', () => {
    withEnv({ HTTPS_PROXY: 'https://proxy.corp.example' });
    expect(proxyFor(new URL('https://login.microsoftonline.com/t'))).toMatchObject({
      protocol: 'https:',
      origin: 'https://proxy.corp.example',
    });
  });
});

describe('NO_PROXY, against the toolkit', () => {
  const cases: Array<[string, string]> = [
    ['login.microsoftonline.com', 'https://login.microsoftonline.com/x'],
    ['microsoftonline.com', 'https://login.microsoftonline.com/x'],
    ['.microsoftonline.com', 'https://login.microsoftonline.com/x'],
    ['*.microsoftonline.com', 'https://login.microsoftonline.com/x'],
    ['*', 'https://anything.example/x'],
    ['login.microsoftonline.com:443', 'https://login.microsoftonline.com/x'],
    ['ghes.corp.example:8443', 'https://ghes.corp.example:8443/x'],
    ['LOGIN.MicrosoftOnline.COM', 'https://login.microsoftonline.com/x'],
    ['localhost, .corp.example ,login.microsoftonline.com', 'https://login.microsoftonline.com/x'],
    ['.corp.example\tlogin.microsoftonline.com', 'https://login.microsoftonline.com/x'],
    ['10.1.2.3', 'https://10.1.2.3/x'],
    ['[2001:db8::1]:443', 'https://[2001:db8::1]/x'],
    ['microsoftonline.com', 'https://evilmicrosoftonline.com/x'],
    ['login.microsoftonline.com', 'https://microsoftonline.com/x'],
    [',,', 'https://login.microsoftonline.com/x'],
    ['.', 'https://login.microsoftonline.com/x'],
  ];
  it.each(cases)('NO_PROXY=%j, %s: same decision as the toolkit', (noProxy, url) => {
    for (const name of ['NO_PROXY', 'no_proxy']) {
      withEnv({ HTTPS_PROXY: HTTPS_P, HTTP_PROXY: HTTP_P, [name]: noProxy });
      expect(ours(url)).toBe(toolkit(url));
    }
  });

  it('any host, any NO_PROXY: the same decision as the toolkit', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
    const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
    const entry = fc.oneof(
      host,
      host.map((h) => `.${h}`),
      host.map((h) => `*.${h}`),
      host.map((h) => `${h}:443`),
      fc.constant('*'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(
        host,
        fc.boolean(),
        fc.array(entry, { maxLength: 4 }),
        fc.constantFrom(',', ', ', ' '),
        (h, secure, entries, sep) => {
          const url = `${secure ? 'https' : 'http'}://${h}/`;
          withEnv({ HTTPS_PROXY: HTTPS_P, HTTP_PROXY: HTTP_P, NO_PROXY: entries.join(sep) });
          expect(ours(url)).toBe(toolkit(url));
        },
      ),
    );
  });
});

describe('a malformed setting is an error naming the variable, never a crash', () => {
  it.each([
    ['HTTPS_PROXY', 'http://[::1'],
    ['HTTPS_PROXY', 'http://user:p%ZZ@proxy.example:3128'],
    ['https_proxy', 'socks5://proxy.example:1080'],
    ['HTTP_PROXY', 'http://'],
    ['HTTP_PROXY', 'http://proxy.example:99999'],
  ])('%s=%s', (name, value) => {
    withEnv({ [name]: value });
    let error: unknown;
    try {
      checkProxySettings();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProxyConfigError);
    expect((error as ProxyConfigError).variable).toBe(name);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('p%ZZ');
  });

  it('valid settings pass', () => {
    withEnv({ HTTPS_PROXY: 'https://u:p@proxy.example', HTTP_PROXY: 'proxy.example:3128', NO_PROXY: '*' });
    expect(() => checkProxySettings()).not.toThrow();
  });
});

describe('credentials', () => {
  it('go into a Basic authorization, never into the origin or host', () => {
    withEnv({ HTTPS_PROXY: 'https://svc%40corp:Pr0xy%3AS3cret@proxy.example:8443' });
    const p = proxyFor(new URL('https://login.microsoftonline.com/t'))!;
    expect(p.origin).toBe('https://proxy.example:8443');
    expect(p.host).toBe('proxy.example:8443');
    expect(Buffer.from(p.authorization!.replace(/^Basic /, ''), 'base64').toString()).toBe('svc@corp:Pr0xy:S3cret');
    expect(JSON.stringify({ origin: p.origin, host: p.host })).not.toContain('S3cret');
  });
});
