import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { proxyUrlFor } from '../../src/net/proxy.js';

const HTTPS_P = 'http://proxy.corp.example:3128';
const HTTP_P = 'http://plain-proxy.corp.example:8080';
const LOGIN = new URL('https://login.microsoftonline.com/tenant/oauth2/v2.0/token');
const PLAIN = new URL('http://ghes.corp.example/_services/token');

function p(url: string | URL, env: NodeJS.ProcessEnv): string | undefined {
  return proxyUrlFor(typeof url === 'string' ? new URL(url) : url, env);
}

describe('which proxy variable', () => {
  it('https targets use HTTPS_PROXY, http targets HTTP_PROXY', () => {
    const env = { HTTPS_PROXY: HTTPS_P, HTTP_PROXY: HTTP_P };
    expect(p(LOGIN, env)).toBe(HTTPS_P);
    expect(p(PLAIN, env)).toBe(HTTP_P);
  });

  it('an https target does not fall back to HTTP_PROXY', () => {
    expect(p(LOGIN, { HTTP_PROXY: HTTP_P })).toBeUndefined();
    expect(p(PLAIN, { HTTPS_PROXY: HTTPS_P })).toBeUndefined();
  });

  it('lower-case variants', () => {
    expect(p(LOGIN, { https_proxy: HTTPS_P })).toBe(HTTPS_P);
    expect(p(PLAIN, { http_proxy: HTTP_P })).toBe(HTTP_P);
  });

  it('upper case wins over lower case', () => {
    expect(p(LOGIN, { HTTPS_PROXY: HTTPS_P, https_proxy: 'http://other:1' })).toBe(HTTPS_P);
  });

  it('no proxy configured, or an empty value', () => {
    expect(p(LOGIN, {})).toBeUndefined();
    expect(p(LOGIN, { HTTPS_PROXY: '' })).toBeUndefined();
  });
});

describe('NO_PROXY', () => {
  const env = (noProxy: string, lower = false): NodeJS.ProcessEnv => ({ HTTPS_PROXY: HTTPS_P, HTTP_PROXY: HTTP_P, ...(lower ? { no_proxy: noProxy } : { NO_PROXY: noProxy }) });

  it.each([
    ['exact host', 'login.microsoftonline.com', 'https://login.microsoftonline.com/x', true],
    ['parent domain matches subdomains', 'microsoftonline.com', 'https://login.microsoftonline.com/x', true],
    ['leading dot', '.microsoftonline.com', 'https://login.microsoftonline.com/x', true],
    ['leading dot also matches the domain itself', '.microsoftonline.com', 'https://microsoftonline.com/x', true],
    ['*. prefix', '*.microsoftonline.com', 'https://login.microsoftonline.com/x', true],
    ['* alone', '*', 'https://anything.example/x', true],
    ['entry with the port', 'login.microsoftonline.com:443', 'https://login.microsoftonline.com/x', true],
    ['entry with a port on a non-default port target', 'ghes.corp.example:8443', 'https://ghes.corp.example:8443/x', true],
    ['case-insensitive', 'LOGIN.MicrosoftOnline.COM', 'https://login.microsoftonline.com/x', true],
    ['comma list with spaces', 'localhost, .corp.example ,login.microsoftonline.com', 'https://login.microsoftonline.com/x', true],
    ['whitespace-separated list', '.corp.example\tlogin.microsoftonline.com', 'https://login.microsoftonline.com/x', true],
    ['IP address', '10.1.2.3', 'https://10.1.2.3/x', true],
    ['bracketed IPv6 with port', '[2001:db8::1]:443', 'https://[2001:db8::1]/x', true],
    ['bare IPv6', '2001:db8::1', 'https://[2001:db8::1]/x', true],
    ['suffix without a dot boundary does not match', 'microsoftonline.com', 'https://evilmicrosoftonline.com/x', false],
    ['other domain', '.corp.example', 'https://login.microsoftonline.com/x', false],
    ['subdomain entry does not match the parent', 'login.microsoftonline.com', 'https://microsoftonline.com/x', false],
    ['empty entries are ignored', ',,', 'https://login.microsoftonline.com/x', false],
    ['a lone dot matches nothing', '.', 'https://login.microsoftonline.com/x', false],
    ['other IPv6', '2001:db8::2', 'https://[2001:db8::1]/x', false],
  ])('%s: NO_PROXY=%j, %s → direct %s', (_label, noProxy, url, direct) => {
    expect(p(url, env(noProxy))).toBe(direct ? undefined : HTTPS_P);
    expect(p(url, env(noProxy, true))).toBe(direct ? undefined : HTTPS_P);
  });

  it('applies to http targets too', () => {
    expect(p(PLAIN, env('.corp.example'))).toBeUndefined();
  });
});

describe('loopback is never proxied', () => {
  it.each(['http://localhost:8080/x', 'https://localhost/x', 'http://127.0.0.1:9000/x', 'https://127.1.2.3/x', 'http://[::1]:8080/x', 'https://LOCALHOST/x'])('%s', (url) => {
    expect(p(url, { HTTPS_PROXY: HTTPS_P, HTTP_PROXY: HTTP_P })).toBeUndefined();
  });

  it('but a host that only looks like it is', () => {
    expect(p('https://localhost.evil.example/x', { HTTPS_PROXY: HTTPS_P })).toBe(HTTPS_P);
    expect(p('https://1127.0.0.1.nip.io/x', { HTTPS_PROXY: HTTPS_P })).toBe(HTTPS_P);
  });
});

describe('properties', () => {
  it('never throws and returns either undefined or the configured proxy', () => {
    const host = fc.stringMatching(/^[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){0,3}$/);
    fc.assert(
      fc.property(host, fc.boolean(), fc.string({ maxLength: 60 }), (h, secure, noProxy) => {
        let url: URL;
        try {
          url = new URL(`${secure ? 'https' : 'http'}://${h}/`);
        } catch {
          return;
        }
        const out = p(url, { HTTPS_PROXY: HTTPS_P, HTTP_PROXY: HTTP_P, NO_PROXY: noProxy });
        expect([undefined, secure ? HTTPS_P : HTTP_P]).toContain(out);
      }),
    );
  });

  it('a host listed in NO_PROXY is never proxied', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 2, maxLength: 4 }), fc.array(label, { maxLength: 3 }), fc.constantFrom('', '.', '*.'), (labels, others, prefix) => {
        const hostname = labels.join('.');
        const noProxy = [...others.map((o) => `${o}.example`), `${prefix}${hostname}`].join(',');
        expect(p(`https://${hostname}/`, { HTTPS_PROXY: HTTPS_P, NO_PROXY: noProxy })).toBeUndefined();
        expect(p(`https://sub.${hostname}/`, { HTTPS_PROXY: HTTPS_P, NO_PROXY: noProxy })).toBeUndefined();
      }),
    );
  });
});
