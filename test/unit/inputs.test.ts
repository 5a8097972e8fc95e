import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError, parseInputs, shown, type ActionInputs } from '../../src/action/inputs.js';
import { CLOUDS } from '../../src/entra/clouds.js';
import { hostileString } from '../support/hostile-strings.js';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const TENANT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

/** The getter @actions/core's getInput would be: '' for inputs not given. */
function getter(values: Record<string, string>): (name: string) => string {
  return (name) => values[name] ?? '';
}

function parse(values: Record<string, string>): ActionInputs {
  return parseInputs(getter({ 'client-id': CLIENT, 'tenant-id': TENANT, ...values }));
}

function inputError(values: Record<string, string>): InputError {
  try {
    parse(values);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be rejected`);
}

describe('defaults', () => {
  it('only client-id and tenant-id given', () => {
    expect(parse({})).toEqual({
      clientId: CLIENT,
      tenantId: TENANT,
      cloud: CLOUDS.azurecloud,
      audience: 'api://AzureADTokenExchange',
      authorityHost: 'https://login.microsoftonline.com',
      credentialsInline: undefined,
      credentialsFile: undefined,
      exchange: true,
      failOn: 'error',
      timeoutSeconds: 60,
      lookup: 'auto',
      graphHost: 'https://graph.microsoft.com',
      resourceManagerHost: 'https://management.azure.com',
    });
  });

  it.each([
    ['azureusgovernment', 'https://graph.microsoft.us', 'https://management.usgovcloudapi.net'],
    ['azurechinacloud', 'https://microsoftgraph.chinacloudapi.cn', 'https://management.chinacloudapi.cn'],
  ])('environment %s → Graph %s and ARM %s', (environment, graphHost, resourceManagerHost) => {
    expect(parse({ environment })).toMatchObject({ graphHost, resourceManagerHost });
  });

  it.each([
    ['azurecloud', 'api://AzureADTokenExchange', 'https://login.microsoftonline.com'],
    ['AzureCloud', 'api://AzureADTokenExchange', 'https://login.microsoftonline.com'],
    ['azureusgovernment', 'api://AzureADTokenExchangeUSGov', 'https://login.microsoftonline.us'],
    ['AzureUSGovernment', 'api://AzureADTokenExchangeUSGov', 'https://login.microsoftonline.us'],
    ['azurechinacloud', 'api://AzureADTokenExchangeChina', 'https://login.chinacloudapi.cn'],
    [' AZURECHINACLOUD ', 'api://AzureADTokenExchangeChina', 'https://login.chinacloudapi.cn'],
  ])('environment %j → audience %s and authority %s', (environment, audience, authorityHost) => {
    expect(parse({ environment })).toMatchObject({ audience, authorityHost });
  });

  it('an explicit audience wins over the cloud default', () => {
    expect(parse({ environment: 'azureusgovernment', audience: 'api://AzureADTokenExchange' }).audience).toBe(
      'api://AzureADTokenExchange',
    );
  });

  it('trims every value', () => {
    const i = parseInputs(
      getter({
        'client-id': ` ${CLIENT}\n`,
        'tenant-id': `\t${TENANT} `,
        audience: ' api://x ',
        'fail-on': ' never ',
        'timeout-seconds': ' 30 ',
      }),
    );
    expect(i).toMatchObject({
      clientId: CLIENT,
      tenantId: TENANT,
      audience: 'api://x',
      failOn: 'never',
      timeoutSeconds: 30,
    });
  });
});

describe('client-id', () => {
  it.each([CLIENT, CLIENT.toUpperCase(), '00000000-0000-0000-0000-000000000000'])('accepts %s', (v) => {
    expect(parse({ 'client-id': v }).clientId).toBe(v);
  });

  it('empty: required, with the fork/Dependabot secrets hint', () => {
    const e = inputError({ 'client-id': '' });
    expect(e.input).toBe('client-id');
    expect(e.message).toContain('is required');
    expect(e.message).toContain('vars.AZURE_CLIENT_ID');
    expect(e.expected).toMatch(/^client-id: /);
  });

  it.each([
    'not-a-guid',
    `${CLIENT}x`,
    `{${CLIENT}}`,
    CLIENT.replace(/-/g, ''),
    'my-app-registration',
    `${CLIENT} ${CLIENT}`,
  ])('rejects %j', (v) => {
    const e = inputError({ 'client-id': v });
    expect(e.input).toBe('client-id');
    expect(e.message).toContain('not a GUID');
  });

  it('never echoes a long pasted secret whole', () => {
    const secret = `S3cr3t~${'x'.repeat(80)}`;
    const e = inputError({ 'client-id': secret });
    expect(e.message).not.toContain(secret);
    expect(e.message).toContain('(87 characters)');
  });
});

describe('tenant-id', () => {
  it.each([TENANT, 'contoso.onmicrosoft.com', 'Contoso.COM', 'login.contoso.co.uk'])('accepts %s', (v) => {
    expect(parse({ 'tenant-id': v }).tenantId).toBe(v);
  });

  it('empty', () => {
    expect(inputError({ 'tenant-id': ' ' }).input).toBe('tenant-id');
  });

  it.each([
    'common-tenant',
    'undefined',
    '{{tenantid}}',
    'contoso',
    'http://contoso.com',
    'contoso.com/',
    '-bad.com',
    'a..com',
  ])('rejects %j with AADSTS900023', (v) => {
    const e = inputError({ 'tenant-id': v });
    expect(e.input).toBe('tenant-id');
    expect(e.message).toContain('AADSTS900023');
  });
});

describe('environment', () => {
  it.each(['azuregermancloud', 'azurestack', 'public', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'rejects %j and lists the known clouds',
    (v) => {
      const e = inputError({ environment: v });
      expect(e.input).toBe('environment');
      expect(e.message).toContain('azurecloud, azureusgovernment, azurechinacloud');
    },
  );
});

describe('audience', () => {
  it.each(['api://AzureADTokenExchangeUSGov', 'api://custom', 'https://github.com/octo-org'])('accepts %s', (v) => {
    expect(parse({ audience: v }).audience).toBe(v);
  });

  it.each(['api://a b', 'a\tb', 'x'.repeat(601)])('rejects %j', (v) => {
    const e = inputError({ audience: v });
    expect(e.input).toBe('audience');
    expect(e.expected).toBe('audience: api://AzureADTokenExchange');
  });

  it('600 characters is the limit', () => {
    expect(parse({ audience: 'x'.repeat(600) }).audience).toHaveLength(600);
  });

  it("the fix names the cloud's audience", () => {
    expect(inputError({ environment: 'azurechinacloud', audience: 'a b' }).expected).toBe(
      'audience: api://AzureADTokenExchangeChina',
    );
  });
});

describe('authority-host', () => {
  it.each([
    ['https://login.microsoftonline.com', 'https://login.microsoftonline.com'],
    ['https://login.microsoftonline.com/', 'https://login.microsoftonline.com'],
    ['https://LOGIN.microsoftonline.US//', 'https://login.microsoftonline.us'],
    ['https://login.microsoftonline.com:443/', 'https://login.microsoftonline.com'],
    ['https://proxy.example.com:8443/', 'https://proxy.example.com:8443'],
    ['https://adfs.contoso.com/adfs/', 'https://adfs.contoso.com/adfs'],
    ['https://127.0.0.1:9443', 'https://127.0.0.1:9443'],
    ['https://[::1]:9443/', 'https://[::1]:9443'],
  ])('%s → %s', (raw, normalised) => {
    expect(parse({ 'authority-host': raw }).authorityHost).toBe(normalised);
  });

  it.each([
    ['http://login.microsoftonline.com', /must use https; got http/],
    ['ftp://login.microsoftonline.com', /must use https/],
    ['login.microsoftonline.com', /not a URL/],
    ['https://', /not a URL/],
    ['https://login.microsoftonline.com/?x=1', /plain origin/],
    ['https://login.microsoftonline.com/#frag', /plain origin/],
    ['https://user@login.microsoftonline.com', /plain origin/],
    ['https://user:pw@login.microsoftonline.com', /plain origin/],
    ['https://:pw@login.microsoftonline.com', /plain origin/],
  ])('rejects %j', (raw, message) => {
    const e = inputError({ 'authority-host': raw });
    expect(e.input).toBe('authority-host');
    expect(e.message).toMatch(message);
    expect(e.expected).toBe('authority-host: https://login.microsoftonline.com');
  });

  it("the fix names the chosen cloud's host", () => {
    expect(inputError({ environment: 'azureusgovernment', 'authority-host': 'http://x' }).expected).toBe(
      'authority-host: https://login.microsoftonline.us',
    );
  });
});

describe('federated-credentials / federated-credentials-file', () => {
  it('inline only', () => {
    expect(parse({ 'federated-credentials': ' [{"name":"a"}] ' })).toMatchObject({
      credentialsInline: '[{"name":"a"}]',
      credentialsFile: undefined,
    });
  });

  it('file only', () => {
    expect(parse({ 'federated-credentials-file': '.github/fic.json' })).toMatchObject({
      credentialsInline: undefined,
      credentialsFile: '.github/fic.json',
    });
  });

  it('both → error on federated-credentials', () => {
    const e = inputError({ 'federated-credentials': '[]', 'federated-credentials-file': 'x.json' });
    expect(e.input).toBe('federated-credentials');
    expect(e.message).toContain("Both 'federated-credentials' and 'federated-credentials-file' are set");
  });

  it('whitespace-only counts as not given', () => {
    expect(parse({ 'federated-credentials': '  \n', 'federated-credentials-file': 'x.json' }).credentialsFile).toBe(
      'x.json',
    );
  });
});

describe('exchange (YAML 1.2 core schema booleans, as @actions/core getBooleanInput)', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['', true],
    [' false ', false],
  ])('%j → %s', (v, b) => {
    expect(parse({ exchange: v }).exchange).toBe(b);
  });

  it.each(['yes', 'no', 'on', 'off', '1', '0', 'tRUE', 'y'])('rejects %j', (v) => {
    const e = inputError({ exchange: v });
    expect(e.input).toBe('exchange');
    expect(e.message).toContain('not a boolean');
    expect(e.expected).toBe('exchange: true   # or false');
  });
});

describe('fail-on', () => {
  it.each([
    ['', 'error'],
    ['error', 'error'],
    ['warning', 'warning'],
    ['never', 'never'],
    ['WARNING', 'warning'],
    ['Never', 'never'],
  ])('%j → %s', (v, failOn) => {
    expect(parse({ 'fail-on': v }).failOn).toBe(failOn);
  });

  it.each(['errors', 'notice', 'always', 'true'])('rejects %j', (v) => {
    const e = inputError({ 'fail-on': v });
    expect(e.input).toBe('fail-on');
    expect(e.expected).toContain('error');
  });
});

describe('timeout-seconds', () => {
  it.each([
    ['', 60],
    ['1', 1],
    ['600', 600],
    ['90', 90],
    ['1.5', 1.5],
    ['007', 7],
  ])('%j → %d', (v, n) => {
    expect(parse({ 'timeout-seconds': v }).timeoutSeconds).toBe(n);
  });

  it.each(['0', '0.5', '601', '-1', '1e2', 'sixty', '60s', 'Infinity', 'NaN', '0x10', '1,5', ' - 5'])(
    'rejects %j',
    (v) => {
      const e = inputError({ 'timeout-seconds': v });
      expect(e.input).toBe('timeout-seconds');
      expect(e.message).toContain('from 1 to 600');
    },
  );
});

describe('lookup and the Azure reading inputs', () => {
  const SUB = '99999999-8888-7777-6666-555555555555';

  it.each([
    ['', 'auto'],
    ['auto', 'auto'],
    ['GRAPH', 'graph'],
    ['none', 'none'],
  ])('lookup %j → %s', (v, lookup) => {
    expect(parse({ lookup: v }).lookup).toBe(lookup);
  });

  it('lookup arm with a subscription', () => {
    expect(parse({ lookup: 'arm', 'subscription-id': SUB })).toMatchObject({ lookup: 'arm', subscriptionId: SUB });
  });

  it.each([
    [{ lookup: 'all' }, 'lookup'],
    [{ lookup: 'graph', exchange: 'false' }, 'lookup'],
    [{ lookup: 'arm' }, 'subscription-id'],
    [{ 'subscription-id': 'my-sub' }, 'subscription-id'],
    [{ 'expected-subscription-id': 'x' }, 'expected-subscription-id'],
    [{ 'expected-subscription-id': SUB, exchange: 'false' }, 'expected-subscription-id'],
    [{ 'reader-client-id': 'reader' }, 'reader-client-id'],
    [{ 'reader-tenant-id': TENANT }, 'reader-tenant-id'],
    [{ 'reader-client-id': CLIENT, 'reader-tenant-id': 'not a tenant' }, 'reader-tenant-id'],
    [{ 'graph-host': 'http://graph.microsoft.com' }, 'graph-host'],
    [{ 'graph-host': 'https://graph.microsoft.com/?x' }, 'graph-host'],
    [{ 'resource-manager-host': 'management.azure.com' }, 'resource-manager-host'],
    [{ 'resource-manager-host': 'https://u:p@management.azure.com' }, 'resource-manager-host'],
  ] as Array<[Record<string, string>, string]>)('%j → error on %s', (values, input) => {
    expect(inputError(values).input).toBe(input);
  });

  it('reader identity, optional GUIDs and hosts are read and normalised', () => {
    expect(
      parse({
        'reader-client-id': CLIENT,
        'reader-tenant-id': 'contoso.onmicrosoft.com',
        'expected-subscription-id': SUB,
        'graph-host': 'https://GRAPH.example.com/',
        'resource-manager-host': 'https://arm.example.com:8443/base/',
      }),
    ).toMatchObject({
      readerClientId: CLIENT,
      readerTenantId: 'contoso.onmicrosoft.com',
      expectedSubscriptionId: SUB,
      graphHost: 'https://graph.example.com',
      resourceManagerHost: 'https://arm.example.com:8443/base',
    });
  });
});

describe('validation order: the first bad input is named', () => {
  it('client-id before tenant-id before environment', () => {
    expect(parseInputsError({ 'client-id': 'x', 'tenant-id': 'y', environment: 'z' }).input).toBe('client-id');
    expect(parseInputsError({ 'client-id': CLIENT, 'tenant-id': 'y', environment: 'z' }).input).toBe('tenant-id');
    expect(
      parseInputsError({ 'client-id': CLIENT, 'tenant-id': TENANT, environment: 'z', audience: 'a b' }).input,
    ).toBe('environment');
  });

  function parseInputsError(values: Record<string, string>): InputError {
    try {
      parseInputs(getter(values));
    } catch (e) {
      return e as InputError;
    }
    throw new Error('expected an error');
  }
});

describe('shown', () => {
  it.each([
    ['abc', "'abc'"],
    ['a\nb\tc\u0000', "'a?b?c?'"],
    ['x'.repeat(60), `'${'x'.repeat(60)}'`],
    ['x'.repeat(61), `'${'x'.repeat(40)}…' (61 characters)`],
  ])('shown(%j) = %s', (v, s) => {
    expect(shown(v)).toBe(s);
  });
});

describe('properties', () => {
  it('any input values give either valid inputs or an InputError naming one of the inputs', () => {
    const names = [
      'client-id',
      'tenant-id',
      'environment',
      'audience',
      'authority-host',
      'federated-credentials',
      'federated-credentials-file',
      'exchange',
      'fail-on',
      'timeout-seconds',
      'lookup',
      'subscription-id',
      'expected-subscription-id',
      'reader-client-id',
      'reader-tenant-id',
      'graph-host',
      'resource-manager-host',
    ];
    const value = fc.oneof(
      hostileString(20),
      fc.constantFrom(
        '',
        CLIENT,
        TENANT,
        'true',
        'false',
        'azureusgovernment',
        'https://login.microsoftonline.us/',
        '30',
        'never',
        'arm',
        'graph',
      ),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value), (values) => {
        try {
          const i = parseInputs(getter(values));
          expect(i.authorityHost).toMatch(/^https:\/\/[^/?#@]+(\/[^?#]*[^/])?$/);
          expect(i.timeoutSeconds).toBeGreaterThanOrEqual(1);
          expect(i.timeoutSeconds).toBeLessThanOrEqual(600);
          expect(i.audience).not.toMatch(/\s/);
          expect(i.cloud.exchangeAudience).toMatch(/^api:\/\/AzureADTokenExchange/);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect(names).toContain((e as InputError).input);
          expect((e as Error).message).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('shown() output has no control characters and is bounded', () => {
    fc.assert(
      fc.property(hostileString(100), (v) => {
        const s = shown(v);
        expect(s).not.toMatch(/[\u0000-\u001f\u007f]/);
        expect(s.length).toBeLessThanOrEqual(70);
      }),
    );
  });
});
