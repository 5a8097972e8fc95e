import type { GitHubClaims } from '../github/claims.js';
import type { FederatedCredential } from '../entra/credential.js';
import type { Cloud } from '../entra/clouds.js';
import type { CompareResult } from './compare.js';

/** What a diagnosis may know besides Entra's answer. Everything is optional: `explain` has only text. */
export interface DiagnosisContext {
  /** The presented token's claims, when the run has the token. */
  claims?: GitHubClaims;
  /** The credentials the token should match, when given or read from Azure. */
  credentials?: readonly FederatedCredential[];
  /** The local comparison, when credentials were known. */
  comparison?: CompareResult;
  clientId?: string;
  tenantId?: string;
  cloud?: Cloud;
  /** The Entra host the request went to (may differ from the cloud's, e.g. Azure Stack or a proxy). */
  authorityHost?: string;
  /** GITHUB_JOB, for YAML snippets. */
  jobId?: string;
  /** Also name the causes the evidence rules out (explain --verbose, the action's debug log). */
  verbose?: boolean;
}
