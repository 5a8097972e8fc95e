/**
 * The trust audit's SARIF: valid against the official SARIF 2.1.0 schema (vendored in
 * test/fixtures/sarif, checked with a JSON Schema validator), one rule per finding id, and
 * fingerprints that stay the same from run to run for the same credential.
 */
import { readFileSync } from 'node:fs';
// Both packages are CommonJS with the class on `default`.
import AjvDraft04 from 'ajv-draft-04';
import AjvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { credentialFingerprint, toSarif } from '../../src/trust/sarif.js';
import type { TrustFinding, TrustItem } from '../../src/trust/model.js';

const schema = JSON.parse(
  readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
) as object;
const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
AjvFormats.default(ajv);
const validate = ajv.compile(schema);

const item = (name: string, subject: string, file?: string): TrustItem => ({
  identity: {
    clientId: '11111111-2222-3333-4444-555555555555',
    tenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    displayName: 'deploy',
  },
  credential: {
    name,
    issuer: 'https://token.actions.githubusercontent.com',
    subject,
    audiences: ['api://AzureADTokenExchange'],
  },
  ...(file ? { location: { file, line: 7 } } : {}),
});
const finding = (i: TrustItem, id: TrustFinding['id'], severity: TrustFinding['severity']): TrustFinding => ({
  item: i,
  id,
  severity,
  title: 't',
  message: 'm',
  fix: 'f',
});

describe('SARIF output', () => {
  const a = item('main', 'repo:contoso/app:ref:refs/heads/main', 'azure/credentials.json');
  const b = item('pr', 'repo:contoso/app:pull_request');
  const log = toSarif(
    [
      finding(a, 'trust-name-form', 'warning'),
      finding(b, 'trust-pull-request', 'warning'),
      finding(a, 'trust-renamed', 'error'),
    ],
    [{ item: b, reason: 'rate limit' }],
    {
      defaultUri: '.github/workflows/trust.yml',
    },
  ) as { runs: Array<{ results: Array<Record<string, unknown>>; tool: { driver: { rules: Array<{ id: string }> } } }> };

  it('is valid SARIF 2.1.0', () => {
    const ok = validate(log);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
  });

  it('has a rule per trust finding id and points each result at the credential', () => {
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual([
      'trust-name-reusable',
      'trust-renamed',
      'trust-name-form',
      'trust-unprotected-environment',
      'trust-pull-request',
      'trust-broad-expression',
      'trust-foreign-issuer',
    ]);
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['trust-name-form', 'warning'],
      ['trust-pull-request', 'warning'],
      ['trust-renamed', 'error'],
    ]);
    expect(JSON.stringify(run.results[0]!.locations)).toContain(
      '{"uri":"azure/credentials.json"},"region":{"startLine":7}',
    );
    expect(JSON.stringify(run.results[1]!.locations)).toContain('"uri":".github/workflows/trust.yml"');
  });

  it('fingerprints are stable per credential and rule, and differ between them', () => {
    expect(credentialFingerprint('trust-name-form', a)).toBe(
      credentialFingerprint('trust-name-form', item('main', 'repo:contoso/app:ref:refs/heads/main')),
    );
    expect(credentialFingerprint('trust-name-form', a)).not.toBe(credentialFingerprint('trust-renamed', a));
    expect(credentialFingerprint('trust-pull-request', b)).not.toBe(
      credentialFingerprint('trust-pull-request', item('pr2', 'repo:contoso/app:pull_request')),
    );
    const fp = log.runs[0]!.results[0]!.partialFingerprints as Record<string, string>;
    expect(fp['credentialFingerprint/v1']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('an invalid log is rejected (the validator really validates)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });
});
