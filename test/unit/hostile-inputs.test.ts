/**
 * Security: every parser of text that someone else controls (the runner's token, Entra's answers
 * and log text, the credentials a user pastes, workflow files, flexible expressions, action inputs)
 * gets random and hostile input. Properties, for every input:
 *   - no uncaught exception of an unexpected type (only the parser's own error class, or none);
 *   - no hang: no clock is read (timed tests are flaky on loaded CI; speed is measured by `npm run bench`);
 *     super-linear (backtracking, exponential) work on these inputs would exceed each test's vitest
 *     timeout, and where a parser caps its work the test checks the cap in what it returns;
 *   - no prototype pollution from keys such as `__proto__`.
 * And the escapers the report relies on hold for any input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOSTILE_FRAGMENTS, hostileString } from '../support/hostile-strings.js';
import { JwtDecodeError, decodeJwtUnverified } from '../../src/github/jwt.js';
import { parseSubject } from '../../src/github/subject.js';
import { retryAfterMs } from '../../src/github/oidc-token.js';
import { CredentialsInputError, parseCredentialsText } from '../../src/entra/credentials-input.js';
import { parseEntraErrorBody } from '../../src/entra/entra-error.js';
import {
  evaluateClaimsMatchingExpression,
  parseClaimsMatchingExpression,
  wildcardMatch,
} from '../../src/entra/flexible-expression.js';
import {
  extractAadstsErrors,
  extractLogContext,
  normaliseLogText,
  parseAadstsMessage,
} from '../../src/diagnose/aadsts-text.js';
import { parseWorkflow } from '../../src/workflow/parse.js';
import { MAX_YAML_DEPTH, yamlTooDeep } from '../../src/workflow/yaml-guard.js';
import { readdirSync, readFileSync } from 'node:fs';
import { InputError, parseInputs } from '../../src/action/inputs.js';
import { md, mdCode, fence } from '../../src/report/markdown.js';
import { neutralizeLine, neutralizeRunnerLines, neutralizeText } from '../../src/report/neutralize.js';
import { readAsRunner, runnerLines } from '../support/runner-reader.js';

const RUNS = { numRuns: 150 } as const;
/** The hang guard for the two tests that parse dozens of 100 KB documents twice (seconds on a loaded 2-core CI). */
const HEAVY_TIMEOUT_MS = 120_000;

/** Calls `fn` and checks what it threw (only the `allowed` classes); returns its value (or undefined if it threw). */
function guarded<T>(what: string, fn: () => T, allowed: Array<new (...args: never[]) => Error> = []): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!allowed.some((cls) => e instanceof cls)) throw unexpected(what, 'threw', e);
    return undefined;
  }
}

async function guardedAsync<T>(
  what: string,
  fn: () => Promise<T>,
  allowed: Array<new (...args: never[]) => Error> = [],
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (!allowed.some((cls) => e instanceof cls)) throw unexpected(what, 'rejected with', e);
    return undefined;
  }
}

function unexpected(what: string, verb: string, e: unknown): Error {
  const name = (e as Error)?.name ?? typeof e;
  return new Error(`${what} ${verb} an unexpected ${name}: ${String((e as Error)?.message ?? e).slice(0, 200)}`);
}

function assertNoPollution(): void {
  for (const key of ['polluted', 'isAdmin', 'toString2', 'x'])
    expect(({} as Record<string, unknown>)[key]).toBeUndefined();
  expect(Object.prototype.toString).toBe(Object.prototype.toString);
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const KB100 = 100 * 1024;

/** Large and pathological strings every parser gets at least once. */
const PATHOLOGICAL: string[] = [
  '',
  ' ',
  '\u0000'.repeat(1000),
  'a'.repeat(KB100),
  '.'.repeat(KB100),
  '*'.repeat(KB100),
  '?*'.repeat(KB100 / 2),
  "'".repeat(KB100),
  '\\'.repeat(KB100),
  '\\u'.repeat(KB100 / 2),
  '\\\\u0027'.repeat(KB100 / 8),
  '%0A'.repeat(KB100 / 3),
  '\n'.repeat(KB100),
  '\r'.repeat(KB100),
  '['.repeat(KB100),
  '{'.repeat(KB100),
  '{"a":'.repeat(20_000),
  '- '.repeat(KB100 / 2),
  `${'  '.repeat(KB100 / 2)}x: y`,
  'AADSTS'.repeat(KB100 / 6),
  'AADSTS700213: '.repeat(KB100 / 14),
  "subject '".repeat(KB100 / 9),
  'Trace ID: '.repeat(KB100 / 10),
  'Federated token details:\n'.repeat(4000),
  "claims['".repeat(KB100 / 8),
  "claims['sub'] matches '".repeat(4000),
  '\u001b['.repeat(KB100 / 2),
  '\ud800'.repeat(KB100),
  '🎉'.repeat(KB100 / 2),
  'eyJ'.repeat(KB100 / 3),
  `${b64('{"alg":"RS256"}')}.${'A'.repeat(KB100)}.sig`,
  '&a [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n'.repeat(2000),
];

describe('JWT decoding (src/github/jwt.ts)', () => {
  const segment = fc.oneof(
    hostileString(30),
    fc.jsonValue({ maxDepth: 3 }).map((v) => b64(JSON.stringify(v) ?? 'null')),
    fc
      .dictionary(
        fc.constantFrom('iss', 'sub', 'aud', 'exp', 'alg', 'kid', '__proto__', 'constructor', 'x'),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map((o) => b64(JSON.stringify(o))),
    hostileString(20).map((s) => b64(s)),
    fc.constantFrom(
      '',
      '=',
      '==',
      'e30',
      b64('[]'),
      b64('null'),
      b64('{"__proto__":{"polluted":1}}'),
      b64('{"iss":"x","sub":"y","aud":[]}'),
    ),
  );
  const token = fc.oneof(
    hostileString(60),
    fc.tuple(segment, segment, segment).map((p) => p.join('.')),
    fc.array(segment, { maxLength: 6 }).map((p) => p.join('.')),
    fc.tuple(segment, segment, segment).map((p) => `{"value": ${JSON.stringify(p.join('.'))}}`),
    fc
      .tuple(fc.constantFrom('Bearer ', 'bearer\t', 'Bearer', ' Bearer  '), segment, segment)
      .map(([b, h, p]) => `${b}${h}.${p}.x`),
  );

  it('throws only JwtDecodeError and never pollutes prototypes', () => {
    fc.assert(
      fc.property(token, (t) => {
        const d = guarded('decodeJwtUnverified', () => decodeJwtUnverified(t), [JwtDecodeError]);
        if (d) {
          expect(typeof d.claims.iss).toBe('string');
          expect(typeof d.claims.sub).toBe('string');
        }
        assertNoPollution();
      }),
      { numRuns: 300 },
    );
  });

  it('survives pathological and 100 KB inputs', () => {
    for (const t of PATHOLOGICAL) guarded('decodeJwtUnverified', () => decodeJwtUnverified(t), [JwtDecodeError]);
    const deep = b64(`${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    guarded('decodeJwtUnverified (deep JSON)', () => decodeJwtUnverified(`${deep}.${deep}.x`), [JwtDecodeError]);
    const big = b64(JSON.stringify({ iss: 'https://x', sub: 'a'.repeat(KB100), aud: 'b' }));
    const bigClaims = guarded('decodeJwtUnverified (big claims)', () => decodeJwtUnverified(`${b64('{}')}.${big}.x`));
    expect(bigClaims?.claims.sub.length).toBe(KB100);
  });

  it('parseSubject and retryAfterMs take any string', () => {
    fc.assert(
      fc.property(hostileString(80), (s) => {
        guarded('parseSubject', () => parseSubject(s));
        guarded('parseSubject (repo: prefix)', () => parseSubject(`repo:${s}`));
        const ms = guarded('retryAfterMs', () => retryAfterMs(s));
        if (ms !== undefined) expect(Number.isNaN(ms)).toBe(false);
      }),
      RUNS,
    );
    for (const s of PATHOLOGICAL) guarded('parseSubject', () => parseSubject(s));
  });
});

describe("Entra's answers and AADSTS text (src/entra/entra-error.ts, src/diagnose/aadsts-text.ts)", () => {
  const AADSTS_FRAGMENTS = [
    'AADSTS700213: ',
    'AADSTS7002138',
    'AADSTS700024: Client assertion is not within its valid time range. Current time: ',
    "No matching federated identity record found for presented assertion subject '",
    "presented assertion issuer '",
    "presented assertion audience '",
    "Application with identifier '",
    "' was not found in the directory '",
    'Trace ID: ',
    ' Correlation ID: ',
    ' Timestamp: 2026-01-09 02:02:12Z',
    '\\u0027',
    '\\r\\n',
    '\\"',
    '\\\\',
    '\\n',
    '"error_description":"',
    '"error_codes":[',
    '{"error":"invalid_client",',
    'Error: AADSTS',
    '***',
    '\u001b[31m',
    '\u001b[0m',
    '2026-01-09T02:02:12.1234567Z ',
    '##[error]',
    '::error::',
    'Federated token details:\n',
    ' issuer - ',
    ' subject claim - ',
    ' audience - ',
    ' job_workflow_ref - ',
    'Run azure/login@v2\n',
    '  with:\n',
    '    client-id: ',
    '    tenant-id: ',
    'Attempting Azure CLI login by using OIDC...',
    "'",
    '`',
    '‘',
    '’',
    '\n',
  ];
  const logText = fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...AADSTS_FRAGMENTS) },
        { weight: 2, arbitrary: hostileString(8) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 99_999_999 }).map(String) },
      ),
      { maxLength: 60 },
    )
    .map((p) => p.join(''));

  it('normaliseLogText, extractAadstsErrors, extractLogContext and parseAadstsMessage never throw', () => {
    fc.assert(
      fc.property(logText, fc.integer({ min: -1, max: 99_999_999 }), (text, code) => {
        expect(typeof guarded('normaliseLogText', () => normaliseLogText(text))).toBe('string');
        const errors = guarded('extractAadstsErrors', () => extractAadstsErrors(text));
        expect(Array.isArray(errors)).toBe(true);
        guarded('extractLogContext', () => extractLogContext(text));
        guarded('parseAadstsMessage', () => parseAadstsMessage(code, text));
      }),
      { numRuns: 300 },
    );
  });

  it('the same for pathological and 100 KB inputs', () => {
    for (const t of [...PATHOLOGICAL, AADSTS_FRAGMENTS.join('').repeat(200)]) {
      guarded('normaliseLogText', () => normaliseLogText(t));
      // The reader caps its work: at most 2 000 messages of at most 4 000 characters (src/diagnose/aadsts-text.ts).
      const errors = guarded('extractAadstsErrors', () => extractAadstsErrors(t)) ?? [];
      expect(errors.length).toBeLessThanOrEqual(2_000);
      for (const e of errors) expect(e.raw.length).toBeLessThanOrEqual(4_000);
      guarded('extractLogContext', () => extractLogContext(t));
      guarded('parseAadstsMessage', () => parseAadstsMessage(700213, t));
    }
  });

  it('parseEntraErrorBody takes any body', () => {
    const body = fc.oneof(
      logText,
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
      fc
        .record(
          {
            error: fc.oneof(hostileString(10), fc.jsonValue()),
            error_description: fc.oneof(logText, fc.jsonValue()),
            error_codes: fc.oneof(
              fc.array(fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null))),
              fc.jsonValue(),
            ),
            trace_id: fc.jsonValue(),
            __proto__: fc.jsonValue(),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(fc.option(fc.integer({ min: -1, max: 999 }), { nil: undefined }), body, (status, b) => {
        const e = guarded('parseEntraErrorBody', () => parseEntraErrorBody(status, b));
        if (e) {
          expect(typeof e.error).toBe('string');
          expect(e.codes.every((c) => typeof c === 'number' && Number.isFinite(c))).toBe(true);
        }
        assertNoPollution();
      }),
      { numRuns: 300 },
    );
    for (const t of PATHOLOGICAL) guarded('parseEntraErrorBody', () => parseEntraErrorBody(400, t));
    guarded(
      'parseEntraErrorBody',
      () => parseEntraErrorBody(400, JSON.stringify({ error: 'x', error_description: 'AADSTS'.repeat(KB100) })),
      [],
    );
  });
});

describe('credentials JSON and YAML (src/entra/credentials-input.ts)', () => {
  const anyValue = fc.oneof(
    hostileString(12),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(hostileString(8), { maxLength: 3 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const credLike = fc.record(
    {
      name: anyValue,
      issuer: anyValue,
      subject: anyValue,
      audiences: anyValue,
      audience: anyValue,
      claimsMatchingExpression: fc.oneof(
        anyValue,
        fc.record({ value: anyValue, languageVersion: anyValue }, { requiredKeys: [] }),
      ),
      properties: fc.oneof(
        anyValue,
        fc.record({ issuer: anyValue, subject: anyValue, audiences: anyValue }, { requiredKeys: [] }),
      ),
      __proto__: fc.record({ polluted: fc.constant(1) }),
      constructor: fc.record({ prototype: fc.record({ polluted: fc.constant(1) }) }),
    },
    { requiredKeys: [] },
  );
  const YAML_FRAGMENTS = [
    '- ',
    '  ',
    'name: ',
    'issuer: ',
    'subject: ',
    'audiences: ',
    '[',
    ']',
    '{',
    '}',
    ':',
    ',',
    '\n',
    '\t',
    '&a ',
    '*a',
    '*b',
    '<<: *a',
    '!!binary ',
    '!!set ',
    '!!omap ',
    '!!map ',
    '!!str ',
    '!!js/function ',
    '!foo ',
    '? ',
    '|',
    '>',
    '|-',
    '#',
    '---\n',
    '...\n',
    '%YAML 1.1\n',
    '%TAG ! tag:x,2000:\n',
    '"',
    "'",
    '\\',
    '__proto__: ',
    'constructor: ',
    'prototype: ',
    'polluted: 1',
    '0x1F',
    '.inf',
    '~',
    'null',
    'yes',
    '2001-12-14t21:59:43.10-05:00',
  ];
  const yamlText = fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...YAML_FRAGMENTS) },
        { weight: 1, arbitrary: hostileString(6) },
      ),
      { maxLength: 60 },
    )
    .map((p) => p.join(''));

  const settle = (text: string) =>
    guardedAsync('parseCredentialsText', () => parseCredentialsText(text, "Input 'federated-credentials'", 'input'), [
      CredentialsInputError,
    ]);

  it('JSON of any shape: only CredentialsInputError, no pollution', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          credLike,
          fc.array(credLike, { maxLength: 4 }),
          fc.record({ value: fc.array(credLike, { maxLength: 3 }) }),
          fc.jsonValue({ maxDepth: 4 }),
        ),
        async (v) => {
          const text = JSON.stringify(v) ?? 'null';
          // JSON.stringify drops a literal __proto__ key set by fc.record; write one by hand too.
          await settle(text);
          await settle(text.replace(/^\{/, '{"__proto__":{"polluted":1},'));
          assertNoPollution();
        },
      ),
      RUNS,
    );
  });

  it('YAML built from hostile fragments: only CredentialsInputError, no pollution', async () => {
    await fc.assert(
      fc.asyncProperty(yamlText, async (text) => {
        const creds = await settle(text);
        for (const c of creds ?? []) {
          expect(typeof c.issuer).toBe('string');
          expect(c.audiences.length).toBe(1);
        }
        assertNoPollution();
      }),
      { numRuns: 300 },
    );
  });

  it('alias bombs, deep nesting and 100 KB inputs are refused or read', { timeout: HEAVY_TIMEOUT_MS }, async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(',')}]`,
      ),
    ].join('\n');
    const inputs = [
      ...PATHOLOGICAL,
      bomb,
      `- name: x\n  issuer: ${'a'.repeat(KB100)}\n  subject: s\n  audiences: [a]`,
      `${'- '.repeat(5000)}x`,
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
      `${'a:\n '.repeat(3000)}b`,
      JSON.stringify(
        Array.from({ length: 2000 }, (_, i) => ({
          name: `c${i}`,
          issuer: 'https://x',
          subject: `s${i}`,
          audiences: ['a'],
        })),
      ),
      '__proto__:\n  polluted: 1\nissuer: x\nsubject: y\naudiences: [z]',
      '- <<: {polluted: 1}\n  __proto__: {polluted: 1}\n  issuer: x\n  subject: y\n  audiences: [z]',
      `x: ${'['.repeat(5000)}`,
      `x: ${'{'.repeat(20_000)}`,
      `x:\n${'- '.repeat(1000)}y`,
    ];
    // Twice each: deep nesting used to kill the process (a fatal V8 error, not an exception) on the second parse.
    for (let round = 0; round < 2; round++) for (const t of inputs) await settle(t);
    await expect(parseCredentialsText(`${'- '.repeat(1000)}x`, 'x')).rejects.toThrow(/nested more than/);
    await expect(parseCredentialsText(bomb, 'x')).rejects.toBeInstanceOf(CredentialsInputError);
    assertNoPollution();
  });
});

describe('workflow YAML (src/workflow/parse.ts)', () => {
  const WF_FRAGMENTS = [
    'on:',
    'on: push',
    'on: [push, pull_request]',
    'jobs:',
    'steps:',
    'runs-on: ubuntu-latest',
    'environment:',
    'environment: ${{ inputs.env }}',
    'name: ',
    'url: ',
    'permissions:',
    'permissions: write-all',
    'id-token: write',
    'contents: read',
    'uses: azure/login@v2',
    'uses: ./.github/workflows/x.yml',
    'with:',
    'client-id: ',
    'secrets: inherit',
    'strategy:',
    'matrix:',
    'include:',
    'branches:',
    'tags:',
    "- 'releases/**'",
    'workflow_call:',
    'workflow_dispatch:',
    'inputs:',
    'options:',
    "if: ${{ github.ref == 'refs/heads/main' }}",
    '${{',
    '}}',
    '&x',
    '*x',
    '<<: *x',
    '!!str',
    '? ',
    '- ',
    '  ',
    '    ',
    '\n',
    '\t',
    ':',
    '"',
    "'",
    '#',
    '---',
    '...',
    '%YAML 1.2',
    'deploy:',
    'build:',
    '__proto__:',
    'constructor:',
    'needs: [build]',
    'null',
    '~',
    '[',
    ']',
    '{',
    '}',
    ',',
  ];
  const wfText = fc
    .array(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...WF_FRAGMENTS) }, { weight: 1, arbitrary: hostileString(6) }),
      { maxLength: 80 },
    )
    .map((p) => p.join(''));
  const structured = fc
    .record(
      {
        name: fc.jsonValue(),
        on: fc.jsonValue({ maxDepth: 3 }),
        permissions: fc.jsonValue({ maxDepth: 2 }),
        env: fc.jsonValue({ maxDepth: 2 }),
        jobs: fc.dictionary(hostileString(8), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 4 }),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o));

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(wfText, structured, hostileString(80)), (text) => {
        const wf = guarded('parseWorkflow', () => parseWorkflow(text, '.github/workflows/x.yml'), []);
        expect(wf).toBeDefined();
        expect(Array.isArray(wf!.errors)).toBe(true);
        assertNoPollution();
      }),
      { numRuns: 300 },
    );
  });

  it('pathological, aliased and 100 KB workflows', { timeout: HEAVY_TIMEOUT_MS }, () => {
    const bomb = [
      'x: &a [1,1,1,1,1,1,1,1,1,1]',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `x${i}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(',')}]`,
      ),
      'on: push',
      'jobs: {}',
    ].join('\n');
    const job = (i: number) =>
      `  j${i}:\n    runs-on: x\n    environment: e${i}\n    steps:\n      - uses: azure/login@v2\n`;
    const manyJobs = `on: push\njobs:\n${Array.from({ length: 2000 }, (_, i) => job(i)).join('')}`;
    const deep = [
      `on: ${'['.repeat(5000)}`,
      `jobs: ${'{'.repeat(20_000)}`,
      `${'- '.repeat(1000)}x`,
      `on:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}`,
    ];
    // Twice each: deep nesting used to kill the process (a fatal V8 error, not an exception) on the second parse.
    for (let round = 0; round < 2; round++) {
      for (const t of [
        ...PATHOLOGICAL,
        ...deep,
        bomb,
        manyJobs,
        `on: push\njobs:\n  a:\n    environment: ${'x'.repeat(KB100)}\n`,
      ]) {
        guarded('parseWorkflow', () => parseWorkflow(t, 'w.yml'));
      }
    }
    expect(parseWorkflow(deep[2]!, 'w.yml').errors[0]!.message).toMatch(/nested more than/);
    assertNoPollution();
  });
});

describe('the nesting guard in front of the YAML parser (src/workflow/yaml-guard.ts)', () => {
  it('lets every real workflow and credentials file through', () => {
    const dir = new URL('../fixtures/workflows/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(yamlTooDeep(readFileSync(new URL(f, dir), 'utf8')), f).toBe(false);
    expect(
      yamlTooDeep(
        '- name: main\n  issuer: https://x\n  subject: repo:o/r:ref:refs/heads/main\n' +
          '  audiences: [api://AzureADTokenExchange]\n',
      ),
    ).toBe(false);
  });

  it('refuses nesting beyond the limit, in every form', () => {
    const over = MAX_YAML_DEPTH + 1;
    for (const t of [
      '['.repeat(over),
      '{"a":'.repeat(over),
      `${'- '.repeat(over)}x`,
      `${'? '.repeat(over)}x`,
      Array.from({ length: over }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
    ]) {
      expect(yamlTooDeep(t), t.slice(0, 20)).toBe(true);
    }
    for (const t of [
      '['.repeat(MAX_YAML_DEPTH),
      `${'- '.repeat(MAX_YAML_DEPTH - 1)}x`,
      '[]'.repeat(KB100),
      '- x\n'.repeat(KB100 / 4),
    ])
      expect(yamlTooDeep(t)).toBe(false);
    fc.assert(
      fc.property(hostileString(200), (t) => void guarded('yamlTooDeep', () => yamlTooDeep(t))),
      RUNS,
    );
    for (const t of PATHOLOGICAL) guarded('yamlTooDeep', () => yamlTooDeep(t));
  });
});

describe('flexible expressions (src/entra/flexible-expression.ts)', () => {
  const EXPR_FRAGMENTS = [
    "claims['sub']",
    "claims['job_workflow_ref']",
    "claims['",
    "']",
    ' eq ',
    ' matches ',
    ' and ',
    ' or ',
    ' not ',
    "'",
    "''",
    '*',
    '?',
    ' ',
    '(',
    ')',
    'claims',
    '[',
    ']',
    'repo:contoso/app:ref:refs/heads/*',
    '\\',
    '"',
  ];
  const expr = fc.oneof(
    fc
      .array(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...EXPR_FRAGMENTS) },
          { weight: 1, arbitrary: hostileString(6) },
        ),
        { maxLength: 40 },
      )
      .map((p) => p.join('')),
    hostileString(60),
  );
  const claims = fc.dictionary(
    fc.oneof(
      fc.constantFrom('sub', 'job_workflow_ref', 'repository', '__proto__', 'constructor', 'toString'),
      hostileString(6),
    ),
    fc.oneof(hostileString(40), fc.jsonValue({ maxDepth: 2 })),
  );

  it('parse and evaluate never throw', () => {
    fc.assert(
      fc.property(
        expr,
        claims,
        fc.option(fc.constantFrom('https://token.actions.githubusercontent.com', 'https://gitlab.com', 'x', ''), {
          nil: undefined,
        }),
        fc.option(fc.integer({ min: -2, max: 3 }), { nil: undefined }),
        (value, c, issuer, languageVersion) => {
          const r = guarded('parseClaimsMatchingExpression', () =>
            parseClaimsMatchingExpression(value, { issuer, languageVersion }),
          );
          expect(r).toBeDefined();
          if (r!.ok) {
            const e = guarded('evaluateClaimsMatchingExpression', () =>
              evaluateClaimsMatchingExpression(r!.clauses, c),
            );
            expect(typeof e!.matched).toBe('boolean');
          } else expect(typeof r!.error.message).toBe('string');
          assertNoPollution();
        },
      ),
      { numRuns: 400 },
    );
  });

  it('non-string values and pathological inputs', () => {
    for (const v of [undefined, null, 42, {}, [], Symbol('x')] as unknown[])
      guarded('parseClaimsMatchingExpression', () => parseClaimsMatchingExpression(v as string));
    for (const t of PATHOLOGICAL) guarded('parseClaimsMatchingExpression', () => parseClaimsMatchingExpression(t));
  });

  it('wildcard matching stays polynomial on adversarial patterns', () => {
    // Backtracking matchers take exponential time on these.
    const value = `${'a'.repeat(KB100)}b`;
    for (const [pattern, expected] of [
      ['*a*a*a*a*a*a*a*a*a*a*c', false],
      [`${'a*'.repeat(300)}c`, false],
      [`${'*?'.repeat(300)}c`, false],
      ['*'.repeat(600), true],
      [`${'?'.repeat(599)}*`, true],
    ] as const) {
      expect(guarded(`wildcardMatch(${pattern.slice(0, 12)}…)`, () => wildcardMatch(pattern, value))).toBe(expected);
    }
    const ok = ok_(parseClaimsMatchingExpression(`claims['sub'] matches '${'*a'.repeat(280)}*c'`));
    const adversarial = guarded('evaluate adversarial', () =>
      evaluateClaimsMatchingExpression(ok, { sub: 'a'.repeat(KB100) }),
    );
    expect(adversarial?.matched).toBe(false);
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*?]{0,40}$/), fc.stringMatching(/^[ab]{0,200}$/), (p, v) => {
        guarded('wildcardMatch', () => wildcardMatch(p, v));
      }),
      RUNS,
    );
  });
});

function ok_(r: ReturnType<typeof parseClaimsMatchingExpression>) {
  if (!r.ok) throw new Error(r.error.message);
  return r.clauses;
}

describe('action inputs (src/action/inputs.ts)', () => {
  const NAMES = [
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
  ];
  it('only InputError, whatever the values', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...NAMES),
          fc.oneof(
            hostileString(40),
            fc.constantFrom(
              '11111111-2222-3333-4444-555555555555',
              'contoso.onmicrosoft.com',
              'https://login.example',
              '1e3',
              'NaN',
              '0x10',
              '600.0000001',
              'Infinity',
            ),
          ),
        ),
        (values) => {
          const inputs = guarded('parseInputs', () => parseInputs((n) => values[n] ?? ''), [InputError]);
          if (inputs) expect(inputs.timeoutSeconds).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
    for (const t of PATHOLOGICAL)
      guarded(
        'parseInputs',
        () => parseInputs((n) => (n === 'client-id' ? '11111111-2222-3333-4444-555555555555' : t)),
        [InputError],
      );
  });
});

describe('the escapers the report relies on', () => {
  const text = fc.oneof(hostileString(60), fc.constantFrom(...HOSTILE_FRAGMENTS));
  it('log text: no line the runner reads as a command (either form, stop-commands included)', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(neutralizeLine(value)).not.toMatch(/[\r\n\u2028\u2029\u0085]/);
        for (const out of [neutralizeLine(value), neutralizeText(value), neutralizeRunnerLines(value)]) {
          const read = readAsRunner(runnerLines(out));
          expect(read.commands).toEqual([]);
          expect(read.stops).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('markdown: no table pipe, HTML, link or line break survives', () => {
    fc.assert(
      fc.property(text, (s) => {
        for (const out of [md(s), mdCode(s).replace(/^<code>|<\/code>$/g, '')]) {
          expect(out).not.toMatch(/[|<>\r\n\u2028\u2029`[\]]/);
        }
        const f = fence(s);
        const fenceLine = f.split('\n')[0]!.replace(/text$/, '');
        // Nothing inside closes the fence.
        expect(
          f
            .split('\n')
            .slice(1, -1)
            .some((l) => l.trim().startsWith(fenceLine)),
        ).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
