import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeJwtUnverified, JwtDecodeError, type JwtErrorCode } from '../../src/github/jwt.js';
import { hostileString } from '../support/hostile-strings.js';

const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const HEADER = {
  alg: 'RS256',
  kid: 'cc413527-173f-5a05-976e-9c52b1d7b431',
  typ: 'JWT',
  x5t: 'ykNaY4qM_ta4k2TgZOCEYLkcYlA',
};
const CLAIMS = {
  jti: 'a4f6d1a9-0ad5-4d6b-9f0d-5d2bd2d6b0a1',
  sub: 'repo:octo-org/octo-repo:environment:prod',
  aud: 'api://AzureADTokenExchange',
  ref: 'refs/heads/main',
  sha: 'd6f1bc9c0b8e5b8a5e8b0c9c7f3a1e2d4b5c6a7f',
  repository: 'octo-org/octo-repo',
  repository_owner: 'octo-org',
  run_id: '1234567890',
  event_name: 'push',
  environment: 'prod',
  iss: 'https://token.actions.githubusercontent.com',
  nbf: 1767225595,
  exp: 1767225900,
  iat: 1767225600,
};
// Something recognisable that must never come back out of the decoder.
const SIGNATURE = 'U0lHTkFUVVJFLXNlY3JldC1wYXJ0LW9mLXRoZS10b2tlbg';

function jwt(header: unknown = HEADER, claims: unknown = CLAIMS, signature = SIGNATURE): string {
  return `${b64u(header)}.${b64u(claims)}.${signature}`;
}

function decodeError(input: string): JwtDecodeError {
  try {
    decodeJwtUnverified(input);
  } catch (e) {
    expect(e).toBeInstanceOf(JwtDecodeError);
    return e as JwtDecodeError;
  }
  throw new Error(`expected ${JSON.stringify(input.slice(0, 80))} to be rejected`);
}

describe('decodeJwtUnverified: accepted forms', () => {
  const token = jwt();
  it.each([
    ['bare JWT', token],
    ['surrounded by whitespace and a newline', `  ${token}\n`],
    ['the runner\'s {"value": ...} answer', JSON.stringify({ count: 1, value: token })],
    ['{"value": ...} with whitespace inside the value', `\n{ "value" : " ${token} " }\n`],
    ['Bearer prefix', `Bearer ${token}`],
    ['lower-case bearer prefix with a tab', `bearer\t${token}`],
    ['{"value": "Bearer ..."}', JSON.stringify({ value: `Bearer ${token}` })],
  ])('%s', (_label, input) => {
    const d = decodeJwtUnverified(input);
    expect(d.header).toEqual(HEADER);
    expect(d.claims).toEqual(CLAIMS);
  });

  it('accepts an empty signature part (unsigned decode only reads header and payload)', () => {
    expect(decodeJwtUnverified(jwt(HEADER, CLAIMS, '')).claims.sub).toBe(CLAIMS.sub);
  });

  it('accepts aud as a list of strings', () => {
    const claims = { ...CLAIMS, aud: ['api://AzureADTokenExchange', 'https://github.com/octo-org'] };
    expect(decodeJwtUnverified(jwt(HEADER, claims)).claims.aud).toEqual(claims.aud);
  });

  it('keeps unknown claims and header fields', () => {
    const d = decodeJwtUnverified(jwt({ ...HEADER, extra: 1 }, { ...CLAIMS, custom_claim: { a: [1] } }));
    expect(d.header.extra).toBe(1);
    expect(d.claims.custom_claim).toEqual({ a: [1] });
  });

  it('decodes non-ASCII claim values (base64url of UTF-8)', () => {
    const d = decodeJwtUnverified(jwt(HEADER, { ...CLAIMS, environment: 'prod-日本-🎉' }));
    expect(d.claims.environment).toBe('prod-日本-🎉');
  });

  it('never returns the signature', () => {
    const d = decodeJwtUnverified(jwt());
    expect(Object.keys(d).sort()).toEqual(['claims', 'header']);
    expect(JSON.stringify(d)).not.toContain(SIGNATURE);
  });
});

describe('decodeJwtUnverified: typed errors', () => {
  const cases: Array<[string, string, JwtErrorCode]> = [
    ['empty', '', 'JWT_EMPTY'],
    ['whitespace only', ' \n\t ', 'JWT_EMPTY'],
    ['{"value": ""}', '{"value": ""}', 'JWT_EMPTY'],
    ['Bearer with nothing after it', 'Bearer ', 'JWT_EMPTY'],
    ['masked by the runner', '***', 'JWT_MASKED'],
    ['masked inside {"value"}', '{"value":"***"}', 'JWT_MASKED'],
    ['Bearer ***', 'Bearer ***', 'JWT_MASKED'],
    ['partly masked', `${b64u(HEADER)}.***.${SIGNATURE}`, 'JWT_MASKED'],
    ['one part', 'abc', 'JWT_FORMAT'],
    ['two parts', `${b64u(HEADER)}.${b64u(CLAIMS)}`, 'JWT_FORMAT'],
    ['four parts', `${jwt()}.extra`, 'JWT_FORMAT'],
    ['five parts (JWE)', 'a.b.c.d.e', 'JWT_FORMAT'],
    ['JSON without value', '{"token": "abc"}', 'JWT_FORMAT'],
    ['JSON without value, with dots', '{"token": "a.b.c"}', 'JWT_ENCODING'],
    ['broken JSON wrapper', '{"value": ', 'JWT_FORMAT'],
    ['standard base64 with +', `${b64u(HEADER)}.ab+cd.${SIGNATURE}`, 'JWT_ENCODING'],
    ['standard base64 with /', `${b64u(HEADER)}.ab/cd.${SIGNATURE}`, 'JWT_ENCODING'],
    ['base64 padding', `${b64u(HEADER)}.${b64u(CLAIMS)}==.${SIGNATURE}`, 'JWT_ENCODING'],
    ['space inside the header', `ab cd.${b64u(CLAIMS)}.${SIGNATURE}`, 'JWT_ENCODING'],
    ['header not JSON', `${b64u('not json')}.${b64u(CLAIMS)}.${SIGNATURE}`, 'JWT_JSON'],
    ['empty header', `.${b64u(CLAIMS)}.${SIGNATURE}`, 'JWT_JSON'],
    ['payload not JSON', `${b64u(HEADER)}.${b64u('{"iss":')}.${SIGNATURE}`, 'JWT_JSON'],
    ['payload is a JSON array', `${b64u(HEADER)}.${b64u([1, 2])}.${SIGNATURE}`, 'JWT_JSON'],
    ['payload is JSON null', `${b64u(HEADER)}.${b64u('null')}.${SIGNATURE}`, 'JWT_JSON'],
    ['payload is a JSON string', `${b64u(HEADER)}.${b64u('"x"')}.${SIGNATURE}`, 'JWT_JSON'],
    ['header is a number', `${b64u('1')}.${b64u(CLAIMS)}.${SIGNATURE}`, 'JWT_JSON'],
  ];
  it.each(cases)('%s', (_label, input, code) => {
    expect(decodeError(input).code).toBe(code);
  });

  const { iss: _iss, ...noIss } = CLAIMS;
  const { sub: _sub, ...noSub } = CLAIMS;
  const { aud: _aud, ...noAud } = CLAIMS;
  it.each([
    ['missing iss', noIss],
    ['missing sub', noSub],
    ['missing aud', noAud],
    ['numeric iss', { ...CLAIMS, iss: 1 }],
    ['null sub', { ...CLAIMS, sub: null }],
    ['numeric aud', { ...CLAIMS, aud: 5 }],
    ['aud list with a number', { ...CLAIMS, aud: ['api://AzureADTokenExchange', 5] }],
    ['empty aud list', { ...CLAIMS, aud: [] }],
    ['aud object', { ...CLAIMS, aud: { value: 'api://AzureADTokenExchange' } }],
  ])('%s → JWT_CLAIMS', (_label, claims) => {
    const e = decodeError(jwt(HEADER, claims));
    expect(e.code).toBe('JWT_CLAIMS');
    expect(e.message).toMatch(/iss|sub|aud/);
  });

  it('names the number of parts in a format error', () => {
    expect(decodeError('a.b').message).toContain('this has 2');
  });

  it('has a stable name for logs', () => {
    expect(decodeError('').name).toBe('JwtDecodeError');
  });
});

describe('properties', () => {
  it('any input either decodes or fails with a JwtDecodeError whose message never echoes the signature', () => {
    const signature = fc.stringMatching(/^[A-Za-z0-9_-]{24,40}$/);
    const input = fc.tuple(
      fc.oneof(hostileString(20), fc.constant(b64u(HEADER))),
      fc.oneof(hostileString(20), fc.constant(b64u(CLAIMS))),
      signature,
      fc.nat(3),
    );
    fc.assert(
      fc.property(input, ([h, p, sig, wrap]) => {
        const raw = `${h}.${p}.${sig}`;
        const text =
          wrap === 0 ? raw : wrap === 1 ? JSON.stringify({ value: raw }) : wrap === 2 ? `Bearer ${raw}` : ` ${raw} `;
        try {
          const d = decodeJwtUnverified(text);
          expect(JSON.stringify(d)).not.toContain(sig);
        } catch (e) {
          expect(e).toBeInstanceOf(JwtDecodeError);
          expect((e as Error).message).not.toContain(sig);
        }
      }),
    );
  });

  it('round-trips arbitrary string claims', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (iss, sub, aud) => {
        const d = decodeJwtUnverified(jwt(HEADER, { iss, sub, aud }));
        expect(d.claims).toEqual({ iss, sub, aud });
      }),
    );
  });
});
