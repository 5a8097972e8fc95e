import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aadsts, descriptionWithoutTail, parseEntraErrorBody } from '../../src/entra/entra-error.js';
import { hostileString } from '../support/hostile-strings.js';

const TRACE = '0000aaaa-11bb-cccc-dd22-eeeeee333333';
const CORRELATION = 'aaaa0000-bb11-2222-33cc-444444dddddd';

/** The documented sample (docs/aadsts-texts.md §4.1): `\r\n` before the tail. */
const DOCUMENTED = {
  error: 'invalid_scope',
  error_description:
    `AADSTS70011: The provided value for the input parameter 'scope' isn't valid. The scope ` +
    `https://example.contoso.com/activity.read isn't valid.\r\nTrace ID: ${TRACE}\r\n` +
    `Correlation ID: ${CORRELATION}\r\nTimestamp: 2016-01-09 02:02:12Z`,
  error_codes: [70011],
  timestamp: '2016-01-09 02:02:12Z',
  trace_id: TRACE,
  correlation_id: CORRELATION,
  error_uri: 'https://login.microsoftonline.com/error?code=70011',
};

/** A current WIF answer: spaces before the tail, a docs URL in the text. */
const SUBJECT_MISMATCH = {
  error: 'invalid_client',
  error_description:
    `AADSTS700213: No matching federated identity record found for presented assertion subject ` +
    `'repo:octo-org/octo-repo:environment:prod'. Check your federated identity credential ` +
    `Subject, Audience and Issuer against the presented assertion. ` +
    `https://learn.microsoft.com/entra/workload-id/workload-identity-federation Trace ID: ` +
    `${TRACE} Correlation ID: ${CORRELATION} Timestamp: 2026-08-01 10:00:00Z`,
  error_codes: [700213],
  timestamp: '2026-08-01 10:00:00Z',
  trace_id: TRACE,
  correlation_id: CORRELATION,
  error_uri: 'https://login.microsoftonline.com/error?code=700213',
};

/** Conditional Access answer with suberror and claims. */
const CONDITIONAL_ACCESS = {
  error: 'invalid_grant',
  error_description:
    `AADSTS53003: Access has been blocked by Conditional Access policies. The access policy ` +
    `does not allow token issuance. Trace ID: ${TRACE} Correlation ID: ${CORRELATION} ` +
    `Timestamp: 2026-08-01 10:00:00Z`,
  error_codes: [53003],
  suberror: 'message_only',
  claims: '{"access_token":{"capolids":{"essential":true,"values":["11111111-0000-0000-0000-000000000000"]}}}',
  trace_id: TRACE,
  correlation_id: CORRELATION,
};

describe('parseEntraErrorBody', () => {
  it('the documented sample', () => {
    expect(parseEntraErrorBody(400, JSON.stringify(DOCUMENTED))).toEqual({
      status: 400,
      error: 'invalid_scope',
      description: DOCUMENTED.error_description,
      codes: [70011],
      traceId: TRACE,
      correlationId: CORRELATION,
      timestamp: '2016-01-09 02:02:12Z',
      suberror: undefined,
      errorUri: 'https://login.microsoftonline.com/error?code=70011',
    });
  });

  it('a subject mismatch (invalid_client, HTTP 401)', () => {
    const e = parseEntraErrorBody(401, JSON.stringify(SUBJECT_MISMATCH))!;
    expect(e).toMatchObject({ status: 401, error: 'invalid_client', codes: [700213], traceId: TRACE });
  });

  it('Conditional Access with suberror', () => {
    expect(parseEntraErrorBody(400, JSON.stringify(CONDITIONAL_ACCESS))).toMatchObject({
      error: 'invalid_grant',
      codes: [53003],
      suberror: 'message_only',
      errorUri: undefined,
    });
  });

  it('invalid_tenant from discovery (AADSTS90002)', () => {
    const body = {
      error: 'invalid_tenant',
      error_description:
        "AADSTS90002: Tenant 'x' not found. Check to make sure you have the correct tenant ID and " +
        'are signing into the correct cloud.',
      error_codes: [90002],
    };
    expect(parseEntraErrorBody(400, JSON.stringify(body))).toMatchObject({ error: 'invalid_tenant', codes: [90002] });
  });

  it('several codes are kept in order', () => {
    expect(parseEntraErrorBody(400, JSON.stringify({ ...DOCUMENTED, error_codes: [7002138, 700213] }))!.codes).toEqual([
      7002138, 700213,
    ]);
  });

  it.each([
    [
      'missing error_codes',
      { error: 'invalid_client', error_description: 'AADSTS7002138: No matching federated identity record found ...' },
      [7002138],
    ],
    [
      'empty error_codes',
      {
        error: 'invalid_client',
        error_codes: [],
        error_description: 'AADSTS70021: No matching federated identity record found for presented assertion.',
      },
      [70021],
    ],
    [
      'error_codes as strings',
      { error: 'invalid_client', error_codes: ['700211'], error_description: 'AADSTS700211: No matching ...' },
      [700211],
    ],
    [
      'error_codes not a list',
      { error: 'invalid_client', error_codes: 700212, error_description: 'AADSTS700212: No matching ...' },
      [700212],
    ],
    [
      'non-finite codes dropped',
      { error: 'invalid_client', error_codes: [null, 'x'], error_description: 'no code here' },
      [],
    ],
    [
      'no code anywhere',
      { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable.' },
      [],
    ],
    [
      'the first code in the text',
      { error: 'invalid_request', error_description: 'AADSTS90014: missing. See also AADSTS50027.' },
      [90014],
    ],
    ['no description', { error: 'invalid_request' }, []],
  ])('%s', (_label, body, codes) => {
    const e = parseEntraErrorBody(400, JSON.stringify(body))!;
    expect(e.codes).toEqual(codes);
    expect(typeof e.description).toBe('string');
  });

  it.each([
    ['an HTML page from a proxy', '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['an empty body', ''],
    ['plain text', 'Service Unavailable'],
    ['JSON null', 'null'],
    ['a JSON number', '503'],
    ['a JSON string', '"invalid_client"'],
    ['a JSON array', '[{"error":"invalid_client"}]'],
    ['ARM CloudError (error is an object)', '{"error":{"code":"AuthorizationFailed","message":"no"}}'],
    ['no error field', '{"error_description":"AADSTS700213: x","error_codes":[700213]}'],
    ['truncated JSON', '{"error":"invalid_client","error_descr'],
  ])('%s → undefined', (_label, body) => {
    expect(parseEntraErrorBody(502, body)).toBeUndefined();
  });

  it('no status when the answer did not come over HTTP', () => {
    expect(parseEntraErrorBody(undefined, JSON.stringify(DOCUMENTED))!.status).toBeUndefined();
  });

  it('ignores non-string optional fields', () => {
    const e = parseEntraErrorBody(
      400,
      JSON.stringify({
        error: 'x',
        trace_id: 1,
        correlation_id: {},
        timestamp: [],
        suberror: null,
        error_uri: false,
        error_description: 5,
      }),
    )!;
    expect(e).toMatchObject({
      traceId: undefined,
      correlationId: undefined,
      timestamp: undefined,
      suberror: undefined,
      errorUri: undefined,
      description: '',
    });
  });

  it('property: never throws; result is undefined or well-typed', () => {
    const body = fc.oneof(
      hostileString(60),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
      fc
        .record(
          {
            error: fc.oneof(fc.string(), fc.integer()),
            error_description: fc.oneof(hostileString(40), fc.integer()),
            error_codes: fc.oneof(fc.array(fc.oneof(fc.integer(), fc.double(), fc.string())), fc.string()),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(body, (b) => {
        const e = parseEntraErrorBody(400, b);
        if (e) {
          expect(typeof e.error).toBe('string');
          expect(typeof e.description).toBe('string');
          expect(e.codes.every((c) => typeof c === 'number' && Number.isFinite(c))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('descriptionWithoutTail', () => {
  it('removes a \\r\\n-separated tail', () => {
    expect(descriptionWithoutTail(DOCUMENTED.error_description)).toBe(
      "AADSTS70011: The provided value for the input parameter 'scope' isn't valid. The scope " +
        "https://example.contoso.com/activity.read isn't valid.",
    );
  });

  it('removes a space-separated tail and keeps the docs URL', () => {
    expect(descriptionWithoutTail(SUBJECT_MISMATCH.error_description)).toBe(
      'AADSTS700213: No matching federated identity record found for presented assertion subject ' +
        "'repo:octo-org/octo-repo:environment:prod'. Check your federated identity credential " +
        'Subject, Audience and Issuer against the presented assertion. ' +
        'https://learn.microsoft.com/entra/workload-id/workload-identity-federation',
    );
  });

  it.each([
    [
      'no tail',
      'AADSTS90061: Request to External OIDC endpoint failed.',
      'AADSTS90061: Request to External OIDC endpoint failed.',
    ],
    [
      'surrounding whitespace',
      '  AADSTS50027: JWT token is invalid or malformed.\r\n',
      'AADSTS50027: JWT token is invalid or malformed.',
    ],
    ['only a tail', `Trace ID: ${TRACE}`, ''],
    [
      '\\n-separated',
      `AADSTS700024: Client assertion is not within its valid time range.\nTrace ID: ${TRACE}\n` +
        `Correlation ID: ${CORRELATION}`,
      'AADSTS700024: Client assertion is not within its valid time range.',
    ],
    ['empty', '', ''],
  ])('%s', (_label, input, output) => {
    expect(descriptionWithoutTail(input)).toBe(output);
  });

  it('handles long whitespace runs (no quadratic backtracking)', () => {
    // No clock: quadratic backtracking on these inputs would exceed this test's vitest timeout.
    expect(descriptionWithoutTail(`a${' '.repeat(100_000)}b`)).toBe(`a${' '.repeat(100_000)}b`);
    expect(descriptionWithoutTail(`a${'\r\n'.repeat(50_000)}Trace ID: x`)).toBe('a');
  });

  it('property: the result is trimmed text from the input, with no tail left', () => {
    fc.assert(
      fc.property(
        hostileString(40),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.constantFrom(' ', '\r\n', '\n', '  '),
        (text, tail, sep) => {
          const input = tail === undefined ? text : `${text}${sep}Trace ID: ${tail}`;
          const out = descriptionWithoutTail(input);
          expect(input.includes(out)).toBe(true);
          expect(out).toBe(out.trim());
          if (tail !== undefined) expect(out).not.toContain('Trace ID:');
          if (!input.includes('Trace ID:')) expect(out).toBe(input.trim());
        },
      ),
    );
  });
});

describe('aadsts', () => {
  it.each([
    [700213, 'AADSTS700213'],
    [70021, 'AADSTS70021'],
    [7002138, 'AADSTS7002138'],
  ])('%i → %s', (n, s) => {
    expect(aadsts(n)).toBe(s);
  });
});
