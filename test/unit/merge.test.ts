import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mergeFindings } from '../../src/diagnose/merge.js';
import { FINDING_IDS, type Finding, type FindingId } from '../../src/diagnose/finding.js';

function finding(id: FindingId, over: Partial<Finding> = {}): Finding {
  return { id, severity: 'error', title: `${id} title`, message: `${id} message`, fix: `${id} fix`, ...over };
}

const TRACE =
  'Trace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333 Correlation ID: ' +
  'aaaa0000-bb11-2222-33cc-444444dddddd Timestamp: 2026-08-01 10:00:00Z';

describe('mergeFindings', () => {
  it("keeps the local text and adds Entra's code and trace for the same finding id", () => {
    const local = [finding('subject-mismatch', { message: 'local evidence' })];
    const remote = [finding('subject-mismatch', { code: 'AADSTS700213', message: `Entra says no.\n${TRACE}` })];
    expect(mergeFindings(local, remote)).toEqual([
      { ...local[0], code: 'AADSTS700213', message: `local evidence\n${TRACE}` },
    ]);
  });

  it.each<[FindingId, FindingId, string]>([
    ['subject-case-mismatch', 'subject-mismatch', 'AADSTS7002138'],
    ['subject-immutable-format', 'subject-mismatch', 'AADSTS700213'],
    ['subject-custom-template', 'subject-mismatch', 'AADSTS700213'],
    ['credential-wildcard', 'subject-mismatch', 'AADSTS700213'],
    ['expression-mismatch', 'subject-mismatch', 'AADSTS7002131'],
    ['subject-mismatch', 'subject-case-mismatch', 'AADSTS7002138'],
    ['issuer-mismatch', 'issuer-mismatch', 'AADSTS700211'],
    ['audience-mismatch', 'audience-mismatch', 'AADSTS700212'],
  ])('local %s absorbs remote %s (%s)', (localId, remoteId, code) => {
    const out = mergeFindings([finding(localId)], [finding(remoteId, { code })]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ id: localId, code, title: `${localId} title` });
  });

  it('a generic AADSTS70021 no-match joins the first local match finding', () => {
    const local = [
      finding('credential-lint', { severity: 'warning' }),
      finding('audience-mismatch'),
      finding('subject-mismatch'),
    ];
    const out = mergeFindings(local, [finding('credential-not-found', { code: 'AADSTS70021' })]);
    expect(out.map((f) => [f.id, f.code])).toEqual([
      ['credential-lint', undefined],
      ['audience-mismatch', 'AADSTS70021'],
      ['subject-mismatch', undefined],
    ]);
  });

  it('credential-not-found with another code (AADSTS70025, no credentials at all) is its own finding', () => {
    const out = mergeFindings(
      [finding('subject-mismatch')],
      [finding('credential-not-found', { code: 'AADSTS70025' })],
    );
    expect(out.map((f) => f.id)).toEqual(['subject-mismatch', 'credential-not-found']);
  });

  it('appends remote findings of another family', () => {
    const local = [finding('subject-mismatch')];
    const remote = [
      finding('audience-mismatch', { code: 'AADSTS700212' }),
      finding('tenant-policy', { code: 'AADSTS7002381' }),
    ];
    expect(mergeFindings(local, remote).map((f) => f.id)).toEqual([
      'subject-mismatch',
      'audience-mismatch',
      'tenant-policy',
    ]);
  });

  it('does not merge into warnings or into findings that already carry a code', () => {
    const local = [
      finding('subject-mismatch', { severity: 'warning' }),
      finding('subject-case-mismatch', { code: 'AADSTS7002138' }),
    ];
    const out = mergeFindings(local, [finding('subject-mismatch', { code: 'AADSTS700213' })]);
    expect(out).toHaveLength(3);
    expect(out[2]!.code).toBe('AADSTS700213');
  });

  it('two remote findings of one family merge into two local ones, in order', () => {
    const local = [finding('subject-mismatch'), finding('subject-case-mismatch')];
    const out = mergeFindings(local, [
      finding('subject-mismatch', { code: 'AADSTS700213' }),
      finding('subject-mismatch', { code: 'AADSTS7002138' }),
    ]);
    expect(out.map((f) => f.code)).toEqual(['AADSTS700213', 'AADSTS7002138']);
  });

  it('adds no trace line when the remote message has none', () => {
    const out = mergeFindings(
      [finding('issuer-mismatch', { message: 'm' })],
      [finding('issuer-mismatch', { code: 'AADSTS700211', message: 'AADSTS700211: no match.' })],
    );
    expect(out[0]!.message).toBe('m');
  });

  it('takes a trace line only from the end of the remote message', () => {
    const out = mergeFindings(
      [finding('issuer-mismatch', { message: 'm' })],
      [finding('issuer-mismatch', { code: 'AADSTS700211', message: `x\n${TRACE}\n\n` })],
    );
    expect(out[0]!.message).toBe(`m\n${TRACE}`);
  });

  it('no local findings: the remote ones as they are', () => {
    const remote = [finding('client-not-found', { code: 'AADSTS700016' })];
    expect(mergeFindings([], remote)).toEqual(remote);
  });

  it('never changes its inputs', () => {
    const local = [finding('subject-mismatch')];
    const remote = [finding('subject-mismatch', { code: 'AADSTS700213', message: TRACE })];
    const before = structuredClone([local, remote]);
    mergeFindings(local, remote);
    expect([local, remote]).toEqual(before);
  });

  it('property: every local finding stays, in order, and nothing is lost', () => {
    const arbFinding = fc.record({
      id: fc.constantFrom(...FINDING_IDS),
      severity: fc.constantFrom('error' as const, 'warning' as const, 'notice' as const),
      title: fc.string({ maxLength: 5 }),
      message: fc.string({ maxLength: 20 }),
      fix: fc.string({ maxLength: 5 }),
      code: fc.option(fc.constantFrom('AADSTS70021', 'AADSTS700213', 'AADSTS700211'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(arbFinding, { maxLength: 6 }), fc.array(arbFinding, { maxLength: 6 }), (local, remote) => {
        const out = mergeFindings(local, remote);
        expect(out.slice(0, local.length).map((f) => [f.id, f.title, f.severity])).toEqual(
          local.map((f) => [f.id, f.title, f.severity]),
        );
        // Each remote finding is either appended or absorbed by exactly one local finding.
        expect(out.length).toBeGreaterThanOrEqual(local.length);
        expect(out.length).toBeLessThanOrEqual(local.length + remote.length);
      }),
    );
  });
});
