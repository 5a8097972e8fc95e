import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CLOUDS, CLOUD_NAMES, cloudOfAudience, findCloud } from '../../src/entra/clouds.js';

describe('CLOUDS', () => {
  it('has the three clouds azure/login knows, by name', () => {
    expect(CLOUD_NAMES).toEqual(['azurecloud', 'azureusgovernment', 'azurechinacloud']);
    for (const n of CLOUD_NAMES) expect(CLOUDS[n].name).toBe(n);
  });

  it.each([
    [
      'azurecloud',
      'https://login.microsoftonline.com',
      'api://AzureADTokenExchange',
      'https://management.azure.com',
      'https://graph.microsoft.com',
    ],
    [
      'azureusgovernment',
      'https://login.microsoftonline.us',
      'api://AzureADTokenExchangeUSGov',
      'https://management.usgovcloudapi.net',
      'https://graph.microsoft.us',
    ],
    [
      'azurechinacloud',
      'https://login.chinacloudapi.cn',
      'api://AzureADTokenExchangeChina',
      'https://management.chinacloudapi.cn',
      'https://microsoftgraph.chinacloudapi.cn',
    ],
  ] as const)(
    '%s: authority %s, audience %s (docs/entra-matching.md §2.3)',
    (name, authorityHost, exchangeAudience, resourceManager, graph) => {
      expect(CLOUDS[name]).toMatchObject({ authorityHost, exchangeAudience, resourceManager, graph });
    },
  );

  it('endpoints are https origins without a trailing slash', () => {
    for (const c of Object.values(CLOUDS)) {
      for (const url of [c.authorityHost, c.resourceManager, c.graph]) {
        const u = new URL(url);
        expect(u.protocol).toBe('https:');
        expect(u.origin).toBe(url);
      }
    }
  });

  it('audiences are distinct, so an audience names one cloud', () => {
    const auds = Object.values(CLOUDS).map((c) => c.exchangeAudience);
    expect(new Set(auds).size).toBe(auds.length);
  });
});

describe('findCloud', () => {
  it.each([
    ['azurecloud', 'azurecloud'],
    ['AzureCloud', 'azurecloud'],
    [' AZUREUSGOVERNMENT\n', 'azureusgovernment'],
    ['AzureChinaCloud', 'azurechinacloud'],
  ])('%j → %s', (input, name) => {
    expect(findCloud(input)?.name).toBe(name);
  });

  it.each([
    '',
    'azure',
    'azuregermancloud',
    'azurestack',
    'public',
    'usgov',
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
  ])('%j → undefined', (input) => {
    expect(findCloud(input)).toBeUndefined();
  });

  it('property: finds a cloud only for its own names', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const c = findCloud(s);
        if (c) expect(CLOUD_NAMES).toContain(s.trim().toLowerCase());
        else expect(CLOUD_NAMES).not.toContain(s.trim().toLowerCase());
      }),
    );
  });
});

describe('cloudOfAudience', () => {
  it.each([
    ['api://AzureADTokenExchange', 'azurecloud'],
    ['api://AzureADTokenExchangeUSGov', 'azureusgovernment'],
    ['api://AzureADTokenExchangeChina', 'azurechinacloud'],
  ])('%s → %s', (aud, name) => {
    expect(cloudOfAudience(aud)?.name).toBe(name);
  });

  it.each([
    'api://azureadtokenexchange',
    'api://AzureADTokenExchange/',
    ' api://AzureADTokenExchange',
    'api://AzureADTokenExchangeUSNat',
    'https://github.com/octo-org',
    '',
    'constructor',
  ])('exact strings only: %j → undefined', (aud) => {
    expect(cloudOfAudience(aud)).toBeUndefined();
  });
});
