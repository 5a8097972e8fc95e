import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SUMMARY_MAX_BYTES, renderSummary } from '../../src/report/summary.js';
import type { RunReport } from '../../src/report/run-report.js';
import { compareWithCredentials, type CredentialComparison } from '../../src/diagnose/compare.js';
import type { Finding } from '../../src/diagnose/finding.js';
import type { FederatedCredential } from '../../src/entra/credential.js';
import { CLOUDS } from '../../src/entra/clouds.js';
import type { GitHubClaims } from '../../src/github/claims.js';
import { hostileString } from '../support/hostile-strings.js';

const ISS = 'https://token.actions.githubusercontent.com';
const AUD = 'api://AzureADTokenExchange';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const NOW = 1767225720;

function claims(over: Partial<GitHubClaims> = {}): GitHubClaims {
  return {
    iss: ISS,
    sub: 'repo:octo-org/octo-repo:environment:prod',
    aud: AUD,
    ref: 'refs/heads/main',
    environment: 'prod',
    event_name: 'push',
    job_workflow_ref: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
    repository: 'octo-org/octo-repo',
    repository_id: '2002',
    repository_owner: 'octo-org',
    repository_owner_id: '1001',
    iat: 1767225600,
    nbf: 1767225595,
    exp: 1767225900,
    ...over,
  };
}

function report(over: Partial<RunReport> = {}): RunReport {
  return { result: 'pass', verdict: "Entra accepted this job's token.", findings: [], now: NOW, ...over };
}

function failingReport(c: GitHubClaims, creds: FederatedCredential[], over: Partial<RunReport> = {}): RunReport {
  const cmp = compareWithCredentials({
    claims: c,
    credentials: creds,
    clientId: CLIENT,
    cloud: CLOUDS.azurecloud,
    jobId: 'deploy',
  });
  return report({
    result: 'fail',
    verdict: `${cmp.findings.length} problem(s) found.`,
    claims: c,
    tokenHeader: { alg: 'RS256', kid: 'kid-1' },
    comparisons: cmp.comparisons,
    findings: cmp.findings,
    suggestion: cmp.suggestion,
    clientId: CLIENT,
    exchange: { status: 'rejected', attempts: 1, code: 'AADSTS700213' },
    ...over,
  });
}

function comparison(name: string, subject: string, over: Partial<CredentialComparison> = {}): CredentialComparison {
  const credential: FederatedCredential = { name, issuer: ISS, subject, audiences: [AUD] };
  return {
    credential,
    issuer: { actual: ISS, expected: ISS, equal: true },
    subject: { actual: subject, expected: subject, equal: true },
    audience: { actual: AUD, expected: AUD, equal: true },
    matched: true,
    distance: 0,
    ...over,
  };
}

function finding(i: number, over: Partial<Finding> = {}): Finding {
  return {
    id: 'subject-mismatch',
    severity: 'error',
    title: `Finding ${i}`,
    message: `message ${i}`,
    fix: `fix ${i}`,
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------
// A small reader for the output: which lines are inside fenced blocks, and what is outside.

interface Reading {
  outside: string[];
  fences: Array<{ fence: string; info: string; body: string[] }>;
  unclosed: boolean;
}

function read(markdown: string): Reading {
  const outside: string[] = [];
  const fences: Reading['fences'] = [];
  let open: Reading['fences'][number] | undefined;
  for (const line of markdown.split('\n')) {
    if (open) {
      const m = /^ {0,3}(`+)[ \t]*$/.exec(line);
      if (m && m[1]!.length >= open.fence.length) open = undefined;
      else open.body.push(line);
      continue;
    }
    const m = /^ {0,3}(`{3,})([^`]*)$/.exec(line);
    if (m) {
      open = { fence: m[1]!, info: m[2]!, body: [] };
      fences.push(open);
      continue;
    }
    outside.push(line);
  }
  return { outside, fences, unclosed: open !== undefined };
}

const HEADINGS = [
  /^## (✅|❌) Azure federation check: (pass|fail)$/,
  new RegExp(
    '^### (Token presented by this job|Federated credentials compared|Token exchange|' +
      'A credential this token would match)$',
  ),
  /^### Findings \(\d+\)$/,
  /^#### (❌|⚠️|ℹ️) /,
];

/** Everything the renderer promises about hostile values, checked on one output. */
function expectSafe(markdown: string): void {
  expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
  const r = read(markdown);
  expect(r.unclosed).toBe(false);
  // Table rows: the same number of raw `|` as their header.
  let header: number | undefined;
  for (const line of r.outside) {
    if (line.startsWith('|')) {
      const pipes = line.split('|').length - 1;
      if (header === undefined) header = pipes;
      expect(pipes, line.slice(0, 200)).toBe(header);
    } else header = undefined;
  }
  for (const line of r.outside) {
    const ctx = line.slice(0, 200);
    // Headings only the renderer's.
    if (/^ {0,3}#/.test(line)) {
      expect(
        HEADINGS.some((h) => h.test(line)),
        ctx,
      ).toBe(true);
      expect(line.replace(/^#+ /, '').replace(/&#\d+;/g, ''), ctx).not.toContain('#');
    }
    // No block quote or HTML block.
    expect(line, ctx).not.toMatch(/^ {0,3}[><]/);
    // No HTML but <code> and </code>.
    expect(line.replace(/<\/?code>/g, ''), ctx).not.toContain('<');
    // No link, image or autolink syntax; no mention; no raw entity start.
    expect(line, ctx).not.toMatch(/[[\]@]/);
    expect(line.replace(/&#\d+;/g, ''), ctx).not.toContain('&');
    // Backticks only around the renderer's claim names.
    expect(line.replace(/`[a-z_]+`/g, ''), ctx).not.toContain('`');
    expect(line, ctx).not.toMatch(/javascript:/i);
  }
}

// ---------------------------------------------------------------------------------------------

describe('renderSummary: content', () => {
  it('a passing run', () => {
    const c = claims();
    const out = renderSummary(
      report({
        claims: c,
        tokenHeader: { alg: 'RS256', kid: 'cc413527' },
        verification: { ok: true, jwksUri: `${ISS}/.well-known/jwks`, kid: 'cc413527' },
        comparisons: [comparison('github-env-prod', c.sub)],
        matchedCredential: 'github-env-prod',
        exchange: { status: 'success', attempts: 1 },
      }),
    );
    expectSafe(out);
    const lines = out.split('\n');
    expect(lines[0]).toBe('## ✅ Azure federation check: pass');
    expect(out).toContain('### Token presented by this job');
    expect(out).toContain('| `sub` | <code>repo&#58;octo-org/octo-repo&#58;environment&#58;prod</code> |');
    expect(out).toContain('| `repository` | <code>octo-org/octo-repo (id 2002)</code> |');
    expect(out).toContain('| `repository_owner` | <code>octo-org (id 1001)</code> |');
    expect(out).toContain('| signature | RS256, kid cc413527 |');
    expect(out).toContain('| verified | ✅ by Entra, which accepted the token |');
    expect(out).toContain('### Federated credentials compared');
    expect(out).toContain('| ✅ | <code>github-env-prod</code> |');
    expect(out).toContain('### Token exchange\n\nEntra issued an access token.');
    expect(out).not.toContain('### Findings');
    expect(out).not.toContain('### A credential this token would match');
    expect(out.endsWith('\n')).toBe(true);
  });

  it('lifetime: issued, not before, expires, lifetime and time left', () => {
    const out = renderSummary(report({ claims: claims() }));
    expect(out).toContain(
      '| lifetime | issued 2026-01-01T00&#58;00&#58;00Z, not before ' +
        '2025-12-31T23&#58;59&#58;55Z, expires 2026-01-01T00&#58;05&#58;00Z (300 s lifetime, 180 s ' +
        'left) |',
    );
  });

  it('lifetime: an expired token', () => {
    expect(renderSummary(report({ claims: claims(), now: 1767226000 }))).toContain('expired 100 s ago');
  });

  it('lifetime: no exp claim', () => {
    expect(renderSummary(report({ claims: claims({ exp: undefined }) }))).toContain(
      '| lifetime | no &#96;exp&#96; claim |',
    );
  });

  it.each([
    ['a huge exp', { exp: 1e20, iat: 1e20 }],
    ['a string exp', { exp: 'soon' as unknown as number }],
    ['NaN-producing values', { exp: 1767225900, iat: 'x' as unknown as number, nbf: -1e300 }],
  ])('lifetime: %s does not break the summary', (_label, over) => {
    const out = renderSummary(report({ claims: claims(over) }));
    expectSafe(out);
    expect(out).toContain('| lifetime |');
  });

  it('a verification failure is shown as a warning', () => {
    const out = renderSummary(
      report({
        claims: claims(),
        verification: { ok: false, stage: 'jwks', message: 'JWKS answered HTTP 404 | <b>x</b>' },
      }),
    );
    expect(out).toContain('| verified | ⚠️ JWKS answered HTTP 404 &#124; &#60;b&#62;x&#60;/b&#62; |');
  });

  it('a failing run: findings with code, location, message and fix fences, and the suggestion', () => {
    const c = claims();
    const r = failingReport(c, [
      { name: 'main', issuer: ISS, subject: 'repo:octo-org/octo-repo:ref:refs/heads/main', audiences: [AUD] },
    ]);
    r.findings = [
      { ...r.findings[0]!, code: 'AADSTS700213', location: { file: '.github/workflows/deploy.yml', line: 12 } },
    ];
    const out = renderSummary(r);
    expectSafe(out);
    expect(out.split('\n')[0]).toBe('## ❌ Azure federation check: fail');
    expect(out).toContain('### Findings (1)');
    expect(out).toContain("#### ❌ Subject differs from credential 'main' (AADSTS700213)");
    expect(out).toContain('Finding <code>subject-mismatch</code> at <code>.github/workflows/deploy.yml&#58;12</code>');
    expect(out).toContain('**Fix**');
    expect(out).toContain('Entra rejected the token with AADSTS700213.');
    expect(out).toContain(
      '| ❌ | <code>main</code> | ✅ <code>https&#58;//token.actions.githubusercontent.com</code> ' +
        '| ❌ <code>repo&#58;octo-org/octo-repo&#58;ref&#58;refs/heads/main</code> | ✅ ' +
        '<code>api&#58;//AzureADTokenExchange</code> |',
    );
    const { fences } = read(out);
    expect(fences.map((f) => f.info)).toEqual(['text', 'text', 'sh']);
    expect(fences[2]!.body.join('\n')).toContain(`az ad app federated-credential create --id ${CLIENT}`);
  });

  it('flexible credentials: the expression is shown, and an invalid one is marked', () => {
    const c = claims();
    const r = failingReport(c, [
      {
        name: 'flex',
        issuer: ISS,
        subject: null,
        audiences: [AUD],
        claimsMatchingExpression: {
          value: "claims['sub'] matches 'repo:octo-org/octo-repo:ref:*'",
          languageVersion: 1,
        },
      },
      {
        name: 'broken',
        issuer: ISS,
        subject: null,
        audiences: [AUD],
        claimsMatchingExpression: { value: 'sub == x', languageVersion: 1 },
      },
    ]);
    const out = renderSummary(r);
    expectSafe(out);
    expect(out).toContain(
      "❌ <code>claims&#91;'sub'&#93; matches 'repo&#58;octo-org/octo-repo&#58;ref&#58;&#42;'</code>",
    );
    expect(out).toContain('❌ invalid expression&#58; <code>sub == x</code>');
  });

  it('more than 50 credentials: 50 rows and a note', () => {
    const comparisons = Array.from({ length: 57 }, (_, i) => comparison(`c${i}`, `s${i}`));
    const out = renderSummary(report({ comparisons }));
    expect(out.split('\n').filter((l) => l.startsWith('| ✅ | <code>c'))).toHaveLength(50);
    expect(out).toContain('(7 more not shown)');
  });

  it.each([
    [
      { status: 'skipped', reason: "input 'exchange' is false" } as const,
      "Exchange skipped&#58; input 'exchange' is false",
    ],
    [{ status: 'success', attempts: 3 } as const, 'Entra issued an access token after 3 attempts.'],
    [{ status: 'rejected', attempts: 1 } as const, 'Entra rejected the token.'],
    [
      { status: 'unavailable', attempts: 1, reason: 'HTTP 503' } as const,
      'Entra could not be asked&#58; HTTP 503 (1 attempt).',
    ],
    [
      { status: 'unavailable', attempts: 4, reason: 'timeout' } as const,
      'Entra could not be asked&#58; timeout (4 attempts).',
    ],
  ])('exchange %j', (exchange, text) => {
    expect(renderSummary(report({ exchange }))).toContain(`### Token exchange\n\n${text}`);
  });

  it('no suggestion on a passing run or without a client id', () => {
    const suggestion = { name: 'n', issuer: ISS, subject: 's', audience: AUD };
    expect(renderSummary(report({ suggestion, clientId: CLIENT }))).not.toContain(
      'A credential this token would match',
    );
    expect(renderSummary(report({ result: 'fail', suggestion }))).not.toContain('A credential this token would match');
    expect(renderSummary(report({ result: 'fail', suggestion, clientId: CLIENT }))).toContain(
      'A credential this token would match',
    );
  });

  it('severity icons', () => {
    const out = renderSummary(
      report({
        result: 'fail',
        findings: [finding(1, { severity: 'warning' }), finding(2, { severity: 'notice' }), finding(3)],
      }),
    );
    expect(out).toContain('#### ⚠️ Finding 1');
    expect(out).toContain('#### ℹ️ Finding 2');
    expect(out).toContain('#### ❌ Finding 3');
  });
});

describe('renderSummary: hostile values', () => {
  const nasty = [
    'main|extra|columns',
    '`code` ``` ````',
    '<script>alert(1)</script>',
    '](javascript:alert(1))',
    '[x](https://evil.example)',
    '# Heading\n## Another',
    'line1\nline2\r\n---\n===',
    '@octocat @github/security',
    '</code><img src=x onerror=alert(1)>',
    '&lt;b&gt;',
    '\n```\n# escaped fence?\n```\n',
  ];

  it.each(nasty.map((n) => [n]))('%j in every claim, credential and finding', (value) => {
    const c = claims({
      sub: `repo:octo-org/octo-repo:environment:${value}`,
      environment: value,
      ref: `refs/heads/${value}`,
      event_name: value,
      job_workflow_ref: value,
      repository: value,
      repository_owner: value,
      enterprise: value,
      aud: [AUD, value],
    });
    const r = failingReport(
      c,
      [
        {
          name: value,
          issuer: `${ISS}/${value}`,
          subject: `repo:octo-org/octo-repo:ref:refs/heads/${value}`,
          audiences: [value],
        },
        {
          name: `${value}-flex`,
          issuer: ISS,
          subject: null,
          audiences: [AUD],
          claimsMatchingExpression: { value: `claims['sub'] matches '${value}'`, languageVersion: 1 },
        },
      ],
      {
        verdict: value,
        tokenHeader: { alg: value, kid: value },
        verification: { ok: false, stage: 'signature', message: value },
        exchange: { status: 'unavailable', attempts: 2, reason: value },
      },
    );
    r.findings.push(
      finding(99, { title: value, message: value, fix: value, code: value, location: { file: value, line: 1 } }),
    );
    expectSafe(renderSummary(r));
  });

  it('property: random hostile strings in claims, credential names and findings never escape their place', () => {
    fc.assert(
      fc.property(
        fc.record({
          env: hostileString(15),
          branch: hostileString(15),
          event: hostileString(8),
          repo: hostileString(10),
          credName: hostileString(15),
          credSubject: hostileString(15),
          expression: hostileString(15),
          verdict: hostileString(20),
          message: hostileString(30),
          file: hostileString(10),
        }),
        (v) => {
          const c = claims({
            sub: `repo:octo-org/octo-repo:environment:${v.env}`,
            environment: v.env,
            ref: `refs/heads/${v.branch}`,
            event_name: v.event,
            repository: v.repo,
            job_workflow_ref: v.branch,
          });
          const r = failingReport(
            c,
            [
              { name: v.credName, issuer: ISS, subject: v.credSubject, audiences: [AUD] },
              { name: `${v.credName}2`, issuer: `${ISS}/`, subject: c.sub, audiences: [AUD] },
              {
                name: `${v.credName}3`,
                issuer: ISS,
                subject: null,
                audiences: [AUD],
                claimsMatchingExpression: { value: v.expression, languageVersion: 1 },
              },
            ],
            { verdict: v.verdict, exchange: { status: 'skipped', reason: v.message } },
          );
          r.findings.push(
            finding(1, { title: v.message, message: v.message, fix: v.message, location: { file: v.file } }),
          );
          expectSafe(renderSummary(r));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('renderSummary: size', () => {
  it('10,000 findings: bounded, the rest pointed to the findings output', () => {
    const findings = Array.from({ length: 10_000 }, (_, i) =>
      finding(i, { message: `m${i} `.repeat(50), fix: `az something ${i}` }),
    );
    const out = renderSummary(report({ result: 'fail', findings, claims: claims() }));
    expectSafe(out);
    expect(out).toContain('### Findings (10000)');
    expect(out).toMatch(
      new RegExp(
        String.raw`… \d+ more findings are in the &#39;findings&#39; output\.|` +
          String.raw`… \d+ more findings are in the 'findings' output\.`,
      ),
    );
  });

  it('1 MB values everywhere', () => {
    const big = 'x|`<#'.repeat(200_000);
    const c = claims({
      sub: big,
      environment: big,
      ref: big,
      event_name: big,
      job_workflow_ref: big,
      repository: big,
      repository_owner: big,
      enterprise: big,
      iss: big,
      aud: big,
    });
    const comparisons = Array.from({ length: 60 }, (_, i) =>
      comparison(`${i}${big}`, big, {
        issuer: { actual: big, expected: big, equal: false },
        audience: { actual: big, expected: big, equal: false },
        matched: false,
      }),
    );
    const findings = Array.from({ length: 20 }, (_, i) =>
      finding(i, { title: big, message: big, fix: big, code: big, location: { file: big, line: 1 } }),
    );
    const out = renderSummary(
      report({
        result: 'fail',
        verdict: big,
        claims: c,
        tokenHeader: { alg: big, kid: big },
        verification: { ok: false, stage: 'jwks', message: big },
        comparisons,
        exchange: { status: 'unavailable', attempts: 1, reason: big },
        findings,
        suggestion: { name: big, issuer: big, subject: big, audience: big },
        clientId: CLIENT,
      }),
    );
    expectSafe(out);
    expect(out).toContain('### Findings (20)');
  });

  it('multi-byte values count in bytes, not characters', () => {
    const big = '漢字🎉'.repeat(300_000);
    const c = claims({ sub: big, environment: big, ref: big, job_workflow_ref: big, repository: big });
    const comparisons = Array.from({ length: 60 }, (_, i) => comparison(`${i}${big}`, big, { matched: false }));
    const findings = Array.from({ length: 50 }, (_, i) => finding(i, { title: big, message: big, fix: big }));
    const out = renderSummary(
      report({
        result: 'fail',
        verdict: big,
        claims: c,
        comparisons,
        findings,
        suggestion: { name: 'n', issuer: ISS, subject: big, audience: AUD },
        clientId: CLIENT,
      }),
    );
    expectSafe(out);
  });

  it('renders 10 000 findings within the size cap, saying how many were left out', () => {
    // No clock: the bound is structural (the cap and the note); this test's vitest timeout guards a hang.
    const findings = Array.from({ length: 10_000 }, (_, i) => finding(i));
    const out = renderSummary(report({ result: 'fail', findings }));
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(out).toMatch(/… \d+ more findings are in the 'findings' output\./);
  });
});
