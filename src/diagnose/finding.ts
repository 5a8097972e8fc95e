/**
 * A finding is the unit of the product: one thing that is wrong (or worth knowing),
 * with the evidence, the reason and the exact fix. Finding ids are a public contract
 * (README "Finding ids"); add new ids, never rename one.
 */
export type Severity = 'error' | 'warning' | 'notice';

export const FINDING_IDS = [
  'input-invalid',
  'oidc-unavailable',
  'oidc-request-failed',
  'token-verification',
  'issuer-mismatch',
  'subject-mismatch',
  'subject-case-mismatch',
  'subject-immutable-format',
  'subject-custom-template',
  'audience-mismatch',
  'audience-not-exchange',
  'expression-mismatch',
  'expression-invalid',
  'credential-wildcard',
  'credential-lint',
  'credential-not-found',
  'client-not-found',
  'tenant-not-found',
  'assertion-expired',
  'assertion-invalid',
  'issuer-unreachable',
  'signing-key-not-found',
  'tenant-policy',
  'client-disabled',
  'cloud-mismatch',
  'request-invalid',
  'not-federation',
  'propagation-delay',
  'job-never-matches',
  'credential-unused',
  'credential-limit',
  'permissions-missing',
  'workflow-call-missing',
  'entra-unavailable',
  'aadsts-unknown',
  'lookup-denied',
  'subscription-not-accessible',
  'issuer-private',
  'trust-name-reusable',
  'trust-renamed',
  'trust-name-form',
  'trust-unprotected-environment',
  'trust-pull-request',
  'trust-broad-expression',
  'trust-foreign-issuer',
  'trust-not-checked',
  'input-truncated',
  'run-timeout',
] as const;

export type FindingId = (typeof FINDING_IDS)[number];

/** One row of evidence: what the token (or Entra) presented next to what was expected. */
export interface Evidence {
  label: string;
  actual?: string;
  expected?: string;
}

/** Where in a file a finding belongs, so the annotation lands on the line to change. */
export interface SourceLocation {
  file: string;
  line?: number;
  endLine?: number;
  column?: number;
}

export interface Finding {
  id: FindingId;
  severity: Severity;
  /** One line, no trailing period. */
  title: string;
  /** What is wrong, the evidence and why it happened. Plain text; may span lines. */
  message: string;
  /** The exact change: YAML to edit, or a command to run. Plain text; may span lines. */
  fix: string;
  /** Entra's code when Entra gave one, as `AADSTS700213`. */
  code?: string;
  evidence?: Evidence[];
  location?: SourceLocation;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

/** Errors first, then warnings, then notices; stable within a severity. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
