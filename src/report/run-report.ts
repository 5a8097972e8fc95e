import type { GitHubClaims } from '../github/claims.js';
import type { VerifyResult } from '../github/verify.js';
import type { CredentialComparison } from '../diagnose/compare.js';
import type { Finding } from '../diagnose/finding.js';
import type { CredentialSpec } from '../diagnose/fix-commands.js';

export type ExchangeSummary =
  | { status: 'skipped'; reason: string }
  | { status: 'success'; attempts: number; expiresOn?: Date }
  | { status: 'rejected'; attempts: number; code?: string }
  | { status: 'unavailable'; attempts: number; reason: string };

/** Everything a run found, as plain data: the summary, annotations and outputs are views of it. */
export interface RunReport {
  result: 'pass' | 'fail';
  /** One sentence for the top of the summary. */
  verdict: string;
  claims?: GitHubClaims;
  tokenHeader?: { alg?: string; kid?: string };
  verification?: VerifyResult;
  comparisons?: CredentialComparison[];
  matchedCredential?: string;
  exchange?: ExchangeSummary;
  findings: Finding[];
  suggestion?: CredentialSpec;
  clientId?: string;
  /** Seconds since epoch at report time, for the token's remaining lifetime. */
  now: number;
}
