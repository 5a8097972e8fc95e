import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  classifyIssuer,
  describeIssuer,
  isPrivateHost,
  issuerPrivate,
  needsReachabilityWarning,
} from '../../src/github/issuers.js';

describe('classifyIssuer', () => {
  it.each([
    [
      'https://token.actions.githubusercontent.com',
      { kind: 'github', publicGitHub: true, trailingSlash: false, privateHost: false },
    ],
    ['https://token.actions.githubusercontent.com/', { kind: 'github', publicGitHub: true, trailingSlash: true }],
    [
      'https://token.actions.githubusercontent.com/octo-enterprise',
      { kind: 'github-enterprise-slug', enterpriseSlug: 'octo-enterprise', publicGitHub: true },
    ],
    ['https://token.actions.octocorp.ghe.com', { kind: 'ghe-com', subdomain: 'octocorp', publicGitHub: true }],
    ['https://api.octocorp.ghe.com/token', { kind: 'ghe-com', publicGitHub: true }],
    [
      'https://github.example.com/_services/token',
      { kind: 'ghes', host: 'github.example.com', publicGitHub: false, privateHost: false },
    ],
    ['https://ghes.corp/_services/token/', { kind: 'ghes', privateHost: true, trailingSlash: true }],
    ['https://10.1.2.3/_services/token', { kind: 'ghes', privateHost: true }],
    ['http://127.0.0.1:4567', { kind: 'other', privateHost: true, host: '127.0.0.1:4567' }],
    ['https://gitlab.com', { kind: 'other', privateHost: false, publicGitHub: false }],
    ['not a url', { kind: 'other', host: '' }],
  ])('%s', (issuer, expected) => {
    expect(classifyIssuer(issuer)).toMatchObject(expected);
  });

  it('lookalikes of github.com are not public GitHub', () => {
    for (const iss of [
      'http://token.actions.githubusercontent.com',
      'https://token.actions.githubusercontent.com:8443',
      'https://token.actions.githubusercontent.com.evil.example',
      'https://evil.example/token.actions.githubusercontent.com',
    ])
      expect(classifyIssuer(iss).publicGitHub, iss).toBe(false);
  });

  it('describeIssuer names each kind', () => {
    expect(describeIssuer(classifyIssuer('https://token.actions.githubusercontent.com/acme'))).toContain(
      "enterprise 'acme'",
    );
    expect(describeIssuer(classifyIssuer('https://gh.example.com/_services/token'))).toContain(
      'GitHub Enterprise Server',
    );
    expect(describeIssuer(classifyIssuer('https://token.actions.eu.ghe.com'))).toContain("subdomain 'eu'");
  });

  it('property: never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => void classifyIssuer(s)));
    fc.assert(fc.property(fc.webUrl(), (s) => void classifyIssuer(s)));
  });
});

describe('isPrivateHost', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '[::1]',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    'localhost',
    'ghes',
    'git.corp',
    'gh.internal',
    'host.local',
    'x.home.arpa',
  ])('%s is private', (h) => {
    expect(isPrivateHost(h)).toBe(true);
  });
  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '192.169.0.1',
    '100.128.0.1',
    'github.example.com',
    'token.actions.githubusercontent.com',
    '2001:db8::1',
    '',
  ])('%s is not', (h) => {
    expect(isPrivateHost(h)).toBe(false);
  });
});

describe('issuer-private', () => {
  it('only for GHES and private hosts, never for public GitHub', () => {
    expect(needsReachabilityWarning(classifyIssuer('https://token.actions.githubusercontent.com'))).toBe(false);
    expect(needsReachabilityWarning(classifyIssuer('https://token.actions.githubusercontent.com/acme'))).toBe(false);
    expect(needsReachabilityWarning(classifyIssuer('https://token.actions.acme.ghe.com'))).toBe(false);
    expect(needsReachabilityWarning(classifyIssuer('https://gitlab.com'))).toBe(false);
    expect(needsReachabilityWarning(classifyIssuer('https://github.example.com/_services/token'))).toBe(true);
    expect(needsReachabilityWarning(classifyIssuer('http://127.0.0.1:1234'))).toBe(true);
  });

  it('a GHES finding says Entra must fetch the discovery document from the internet', () => {
    const f = issuerPrivate(classifyIssuer('https://ghes.corp/_services/token'));
    expect(f).toMatchObject({ id: 'issuer-private', severity: 'warning' });
    expect(f.message).toContain('https://ghes.corp/_services/token/.well-known/openid-configuration');
    expect(f.message).toContain('AADSTS90061');
    expect(f.message).toContain('private or internal');
    expect(f.fix).toContain("curl -sS 'https://ghes.corp/_services/token/.well-known/openid-configuration'");
  });

  it('quotes in an issuer cannot break out of the curl command', () => {
    const f = issuerPrivate(classifyIssuer("https://gh.example.com/_services/token/'$(id)'"));
    expect(f.fix).not.toContain("'$(id)'");
  });
});
