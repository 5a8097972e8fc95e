import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  extractAadstsErrors,
  extractLogContext,
  normaliseLogText,
  parseAadstsMessage,
  tokenDetailsBefore,
} from '../../src/diagnose/aadsts-text.js';
import { entraJson, entraText, SAMPLES, TRACE } from '../fixtures/logs/aadsts-messages.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/logs/${name}`, import.meta.url), 'utf8');

describe('extractAadstsErrors: every sample, both tail forms', () => {
  for (const sample of SAMPLES) {
    for (const form of ['space', 'crlf'] as const) {
      it(`AADSTS${sample.code} (${form})`, () => {
        const errors = extractAadstsErrors(`Error: ${entraText(sample, form)}\n`);
        expect(errors).toHaveLength(1);
        const e = errors[0]!;
        expect(e.code).toBe(sample.code);
        expect(e.message).toBe(`AADSTS${sample.code}: ${sample.text}`);
        expect(e.message).not.toMatch(/Trace ID|Correlation ID|Timestamp:/);
        expect(e.traceId).toBe(TRACE.traceId);
        expect(e.correlationId).toBe(TRACE.correlationId);
        expect(e.timestamp).toBe(TRACE.timestamp);
        expect(e.raw).toContain(`AADSTS${sample.code}`);
      });
    }
  }
});

describe('presented values and details', () => {
  it('reads the long 70021 form (issuer, subject, audience)', () => {
    const [e] = extractAadstsErrors(entraText(SAMPLES.find((s) => s.code === 70021)!, 'crlf'));
    expect(e!.presented).toEqual({
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:contoso/webapp:ref:refs/heads/release/2.4',
      audience: 'api://AzureADTokenExchange',
    });
  });

  it('reads presented issuer (700211), audience (700212), subject (700213, 7002138, 7002131)', () => {
    const get = (code: number) =>
      extractAadstsErrors(entraText(SAMPLES.find((s) => s.code === code)!, 'space'))[0]!.presented;
    expect(get(700211)).toEqual({ issuer: 'https://token.actions.githubusercontent.com/contoso-enterprise' });
    expect(get(700212)).toEqual({ audience: 'https://github.com/contoso' });
    expect(get(700213)).toEqual({ subject: 'repo:contoso/webapp:environment:Production' });
    expect(get(7002138)).toEqual({ subject: 'repo:Contoso/WebApp:environment:Production' });
    expect(get(7002131).subject).toMatch(/^repo:contoso\/webapp:ref:refs\/heads\/gh-readonly-queue\/main\/pr-13-/);
  });

  it("reads 7002381's issuer, required claim, allowed values and actual value", () => {
    const [e] = extractAadstsErrors(entraText(SAMPLES.find((s) => s.code === 7002381)!, 'space'));
    expect(e!.presented.issuer).toBe('https://token.actions.githubusercontent.com/');
    expect(e!.details).toMatchObject({
      requiredClaim: 'enterprise',
      allowedValues: ['microsoft', 'github', 'microsoftopensource'],
      actualValue: '',
    });
  });

  it('reads client id and directory (700016), tenant (90002, 900023), app name (70025, 7000112)', () => {
    const one = (code: number) => extractAadstsErrors(entraText(SAMPLES.find((s) => s.code === code)!, 'space'))[0]!;
    expect(one(700016)).toMatchObject({ clientId: '4f1d0c1e-5a8b-4c7d-9e2f-3a4b5c6d7e8f', tenant: 'Contoso' });
    expect(one(90002).tenant).toBe('9b2f6c3d-1e4a-4b5c-8d7e-0f1a2b3c4d5e');
    expect(one(900023).tenant).toBe('undefined');
    expect(one(70025)).toMatchObject({
      clientId: '4f1d0c1e-5a8b-4c7d-9e2f-3a4b5c6d7e8f',
      details: { appName: 'github-deployer' },
    });
    expect(one(7000112)).toMatchObject({
      clientId: '4f1d0c1e-5a8b-4c7d-9e2f-3a4b5c6d7e8f',
      details: { appName: 'github-deployer' },
    });
    expect(one(7000215).clientId).toBe('4f1d0c1e-5a8b-4c7d-9e2f-3a4b5c6d7e8f');
    expect(one(7000222).clientId).toBe('4f1d0c1e-5a8b-4c7d-9e2f-3a4b5c6d7e8f');
  });

  it('reads 700024 times (current form and the 2021 form without valid-from)', () => {
    const [now] = extractAadstsErrors(entraText(SAMPLES.find((s) => s.code === 700024)!, 'space'));
    expect(now!.details).toEqual({
      currentTime: '2026-11-22T10:09:41.5521873Z',
      validFrom: '2026-11-22T09:58:02.0000000Z',
      expiresAt: '2026-11-22T10:03:02.0000000Z',
    });
    const old = parseAadstsMessage(
      700024,
      'AADSTS700024: Client assertion is not within its valid time range. Current time: ' +
        '2021-03-30T17:53:33.5493428Z, expiry time of assertion 2021-03-30T17:45:38.0000000Z.\r\n' +
        'Trace ID: x',
    );
    expect(old.details).toEqual({
      currentTime: '2021-03-30T17:53:33.5493428Z',
      expiresAt: '2021-03-30T17:45:38.0000000Z',
    });
  });

  it('reads the kid and issuer of 7000272, the field of 90014/900144, scope (70011) and resource (500011)', () => {
    const one = (code: number) =>
      extractAadstsErrors(entraText(SAMPLES.find((s) => s.code === code)!, 'crlf'))[0]!.details;
    expect(one(7000272)).toEqual({
      kid: '38826b17ef6d0e7f2c1a9b8d',
      keyIssuer: 'https://ghes.contoso.com/_services/token',
    });
    expect(one(90014).field).toBe('iss');
    expect(one(900144).field).toBe('client_id');
    expect(one(70011).scope).toBe('https://management.azure.com');
    expect(one(500011).resource).toBe('https://managment.azure.com');
  });

  it('marks *** masked client ids and tenants and leaves them out', () => {
    const [e] = extractAadstsErrors(
      "AADSTS700016: Application with identifier '***' was not found in the directory '***'. " +
        'This can happen if the application has not been installed by the administrator of the ' +
        'tenant or consented to by any user in the tenant. You may have sent your authentication ' +
        'request to the wrong tenant. Trace ID: a Correlation ID: b Timestamp: 2026-11-22 10:00:00Z',
    );
    expect(e!.clientId).toBeUndefined();
    expect(e!.tenant).toBeUndefined();
    expect(e!.masked).toEqual(['clientId', 'tenant']);
  });
});

describe('text shapes', () => {
  const s700213 = SAMPLES.find((s) => s.code === 700213)!;

  it('Entra JSON body (escaped \\r\\n, error class, ids)', () => {
    const [e] = extractAadstsErrors(entraJson(s700213));
    expect(e).toMatchObject({
      code: 700213,
      error: 'invalid_client',
      traceId: TRACE.traceId,
      presented: { subject: 'repo:contoso/webapp:environment:Production' },
    });
    expect(e!.message).toBe(`AADSTS700213: ${s700213.text}`);
  });

  it('double-encoded JSON and \\u0027 escapes', () => {
    const twice = JSON.stringify(entraJson(s700213)).replace(/'/g, '\\u0027');
    const [e] = extractAadstsErrors(`body=${twice}`);
    expect(e).toMatchObject({
      code: 700213,
      presented: { subject: 'repo:contoso/webapp:environment:Production' },
      traceId: TRACE.traceId,
    });
  });

  it('JSON whose description lacks the tail: ids come from trace_id / correlation_id', () => {
    const body = JSON.stringify({
      error: 'invalid_client',
      error_description: `AADSTS700213: ${s700213.text}`,
      error_codes: [700213],
      trace_id: 't-1',
      correlation_id: 'c-1',
      timestamp: '2026-11-22 10:00:00Z',
    });
    const [e] = extractAadstsErrors(body);
    expect(e).toMatchObject({ traceId: 't-1', correlationId: 'c-1', timestamp: '2026-11-22 10:00:00Z' });
  });

  it("MSAL Node's error string", () => {
    const text =
      `ServerError: invalid_client: Error(s): 700213 - Timestamp: ${TRACE.timestamp} - ` +
      `Description: ${entraText(s700213, 'space')} - Correlation ID: ${TRACE.correlationId} - ` +
      `Trace ID: ${TRACE.traceId}`;
    const [e] = extractAadstsErrors(text);
    expect(e).toMatchObject({ code: 700213, error: 'invalid_client', traceId: TRACE.traceId });
    expect(e!.message).toBe(`AADSTS700213: ${s700213.text}`);
  });

  it("MSAL Python's dict repr", () => {
    const text =
      `{'error': 'invalid_client', 'error_description': "${entraText(s700213, 'space')}", ` +
      `'error_codes': [700213], 'timestamp': '${TRACE.timestamp}'}`;
    const [e] = extractAadstsErrors(text);
    expect(e).toMatchObject({
      code: 700213,
      error: 'invalid_client',
      presented: { subject: 'repo:contoso/webapp:environment:Production' },
    });
  });

  it('ANSI colours, GitHub timestamps and ##[error] prefixes', () => {
    const text =
      `2026-11-22T10:00:00.1234567Z ` +
      `\x1b[31m##[error]\x1b[0m\x1b[1m${entraText(s700213, 'space')}\x1b[0m\n` +
      `2026-11-22T10:00:00.2234567Z next line`;
    const [e] = extractAadstsErrors(text);
    expect(e!.message).toBe(`AADSTS700213: ${s700213.text}`);
    expect(e!.timestamp).toBe(TRACE.timestamp);
  });

  it('CRLF tail lines carrying timestamps each', () => {
    const text = entraText(s700213, 'crlf')
      .split('\r\n')
      .map((l, i) => `2026-11-22T10:00:0${i}.0000000Z ${l}`)
      .join('\r\n');
    const [e] = extractAadstsErrors(text);
    expect(e).toMatchObject({ traceId: TRACE.traceId, correlationId: TRACE.correlationId, timestamp: TRACE.timestamp });
  });

  it('a message pasted with *** masking in the subject keeps the value and marks it', () => {
    const [e] = extractAadstsErrors(
      'AADSTS700213: No matching federated identity record found for presented assertion subject ' +
        "'repo:***/webapp:ref:refs/heads/main'. Check …",
    );
    expect(e!.presented.subject).toBe('repo:***/webapp:ref:refs/heads/main');
    expect(e!.masked).toContain('subject');
  });

  it('several errors in order; the same error repeated is reported once with ids merged', () => {
    const a = `AADSTS700213: ${s700213.text}`;
    const text = [
      `ERROR: ${a}`,
      'Interactive authentication is needed.',
      `##[error]${entraText(s700213, 'space')}`,
      entraText(SAMPLES[0]!, 'crlf'),
    ].join('\n');
    const errors = extractAadstsErrors(text);
    expect(errors.map((e) => e.code)).toEqual([700213, 70021]);
    expect(errors[0]!.traceId).toBe(TRACE.traceId);
  });

  it('the same code with different presented subjects is two errors', () => {
    const mk = (sub: string) =>
      `AADSTS700213: No matching federated identity record found for presented assertion subject ` +
      `'${sub}'. Check your federated identity credential Subject, Audience and Issuer against ` +
      `the presented assertion.`;
    const errors = extractAadstsErrors(`${mk('repo:o/r:environment:dev')}\n${mk('repo:o/r:environment:prod')}`);
    expect(errors.map((e) => e.presented.subject)).toEqual(['repo:o/r:environment:dev', 'repo:o/r:environment:prod']);
  });

  it('a bare mention without the message ("… with error code AADSTS700238")', () => {
    const [e] = extractAadstsErrors(
      'Microsoft Entra rejected the token issued by Azure DevOps with error code AADSTS700238.',
    );
    expect(e!.code).toBe(700238);
    expect(e!.message).toContain('rejected the token');
  });

  it('a bare mention is dropped when the full message is also there', () => {
    const text = `See AADSTS700213 below\n${entraText(s700213, 'space')}`;
    expect(extractAadstsErrors(text)).toHaveLength(1);
  });

  it('no error in ordinary text', () => {
    expect(extractAadstsErrors('Azure CLI login succeeds by using OIDC.\nDeploying…')).toEqual([]);
    expect(extractAadstsErrors('')).toEqual([]);
  });
});

describe('fixture logs', () => {
  it('gh run view --log-failed with masked client id and tenant: two errors, each after its token details', () => {
    const text = fixture('gh-run-view-masked.log');
    const errors = extractAadstsErrors(text);
    expect(errors.map((e) => e.code)).toEqual([700213, 700016]);
    expect(errors[0]!.presented.subject).toBe('repo:octo-org/octo-app:environment:staging');
    expect(errors[1]!.masked).toEqual(['clientId', 'tenant']);
    const ctx = extractLogContext(text);
    expect(ctx.tokens.map((t) => t.subject)).toEqual([
      'repo:octo-org/octo-app:environment:staging',
      'repo:octo-org/octo-app:environment:production',
    ]);
    expect(tokenDetailsBefore(ctx, errors[0]!.index)?.subject).toBe('repo:octo-org/octo-app:environment:staging');
    expect(tokenDetailsBefore(ctx, errors[1]!.index)?.subject).toBe('repo:octo-org/octo-app:environment:production');
    expect(ctx).toMatchObject({
      action: 'azure/login@v2',
      environment: 'azurecloud',
      audience: 'api://AzureADTokenExchange',
      loginMethod: 'OIDC',
    });
    expect(ctx.clientId).toBeUndefined();
    expect(ctx.masked).toEqual(['client-id', 'tenant-id', 'subscription-id']);
  });

  it('raw log with ANSI colours and timestamps: one 700024, repeated, merged', () => {
    const text = fixture('raw-ansi-expired.log');
    const errors = extractAadstsErrors(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 700024,
      traceId: '8c1d2e3f-4a5b-4c6d-9e7f-8a9b0c1d2e3f',
      details: { expiresAt: '2026-11-22T09:05:09.0000000Z' },
    });
    expect(errors[0]!.message).not.toContain('\x1b');
    const ctx = extractLogContext(text);
    expect(ctx).toMatchObject({
      clientId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      tenantId: '11111111-2222-4333-8444-555555555555',
      masked: ['subscription-id'],
    });
    expect(ctx.tokens[0]).toMatchObject({
      subject: 'repo:octo-org/octo-app:ref:refs/heads/main',
      jobWorkflowRef: 'octo-org/octo-app/.github/workflows/release.yml@refs/heads/main',
    });
  });

  it('web UI copy with CRLF: the secret path and an MSAL JSON error, the JSON repeated in a traceback', () => {
    const text = fixture('ui-copy-secret-and-json.log');
    expect(text).toContain('\r\n');
    const errors = extractAadstsErrors(text);
    expect(errors.map((e) => e.code)).toEqual([7000215, 70021]);
    expect(errors[0]).toMatchObject({
      masked: ['clientId'],
      traceId: '6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b',
      timestamp: '2023-06-01 08:14:03Z',
    });
    expect(errors[1]).toMatchObject({
      error: 'invalid_client',
      presented: { subject: 'repo:octo-org/octo-app:pull_request' },
    });
    const ctx = extractLogContext(text);
    expect(ctx.usedClientSecret).toBe(true);
    expect(ctx.loginMethod).toBe('service principal with secret');
    expect(ctx.tokens).toEqual([]);
  });
});

describe('normaliseLogText', () => {
  it('strips ANSI, timestamps, gh prefixes and workflow commands; LF only', () => {
    const text =
      'build\tRun tests\t2026-11-22T10:00:00.1234567Z \x1b[32m##[group]Run x\x1b[0m\r\n' +
      '2026-11-22T10:00:00Z ::error::boom\r\n';
    expect(normaliseLogText(text)).toBe('Run x\nboom\n');
  });
});

describe('robustness (fast-check)', () => {
  const pieces = fc.constantFrom(
    'AADSTS',
    'AADSTS700213: ',
    "'",
    '"',
    '\\"',
    '\\\\',
    '\\r\\n',
    '\r\n',
    '\n',
    ' ',
    'Trace ID: ',
    'Correlation ID: ',
    'Timestamp: 2026-11-22 10:00:00Z',
    "presented assertion subject '",
    'Assertion Issuer: ',
    '***',
    '\x1b[31m',
    '2026-11-22T10:00:00.1234567Z ',
    '##[error]',
    '{"error":"invalid_client","error_description":"',
    'Current time: ',
    'must contain the enterprise claim with value ',
    '\t',
    '`',
  );
  const hostile = fc.oneof(
    fc.string({ maxLength: 2000 }),
    fc.array(fc.oneof(pieces, fc.string({ maxLength: 20 })), { maxLength: 400 }).map((a) => a.join('')),
  );

  it('never throws, returns well-formed errors', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const errors = extractAadstsErrors(text);
        for (const e of errors) {
          expect(Number.isSafeInteger(e.code)).toBe(true);
          expect(typeof e.message).toBe('string');
          expect(e.message).not.toMatch(/Trace ID:/);
        }
        extractLogContext(text);
      }),
      { numRuns: 400 },
    );
  });

  it('reads very long and adversarial input in bounded work', () => {
    // No clock: the bound is what the reader keeps (at most 2 000 messages of at most 4 000 characters,
    // src/diagnose/aadsts-text.ts); super-linear work would exceed this test's vitest timeout.
    const inputs = [
      'AADSTS700213: '.repeat(50_000),
      `AADSTS700213: presented assertion subject '${"'".repeat(200_000)}`,
      `AADSTS70021: Assertion Subject: '${'\\"'.repeat(100_000)}`,
      `${' '.repeat(1_000_000)}AADSTS90002`,
      `Current time: ${'1,'.repeat(100_000)}`,
      `AADSTS7002381: must contain the enterprise claim with value ${"'a', ".repeat(50_000)} but`,
      `${'\t'.repeat(100_000)}\n`.repeat(5),
      `${'{"error":"x",'.repeat(50_000)}AADSTS1234`,
      `Federated token details:\n issuer - ${'x'.repeat(500_000)}`,
    ];
    for (const input of inputs) {
      const errors = extractAadstsErrors(input);
      expect(errors.length).toBeLessThanOrEqual(2_000);
      for (const e of errors) expect(e.raw.length).toBeLessThanOrEqual(4_000);
      extractLogContext(input);
    }
  });
});
