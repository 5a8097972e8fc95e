/**
 * Which claims, with which operators, Entra accepts in a flexible credential's expression for each
 * issuer family (docs/entra-matching.md §3, Microsoft's "Flexible federated identity credentials").
 */

import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import type { Operator } from './expression-scanner.js';

type FlexibleIssuerKind = 'github' | 'gitlab' | 'terraform' | 'unknown';

export interface IssuerProfile {
  kind: FlexibleIssuerKind | 'any';
  label: string;
  claims: ReadonlyMap<string, readonly Operator[]>;
  /** Claims Microsoft now requires next to `sub` (at least one of them). */
  requiredOneOf: readonly string[];
}

const BOTH: readonly Operator[] = ['eq', 'matches'];
const EQ_ONLY: readonly Operator[] = ['eq'];

// Claims and operators per issuer from Microsoft's current flexible-FIC page. The 2024 version
// listed only sub/job_workflow_ref (GitHub) and sub (GitLab, Terraform Cloud); the 2026 version
// adds the immutable ID claims (eq only) and requires at least one of them next to `sub`.
const GITHUB_CLAIMS = new Map<string, readonly Operator[]>([
  ['sub', BOTH],
  ['job_workflow_ref', BOTH],
  ['repository_id', EQ_ONLY],
  ['repository_owner_id', EQ_ONLY],
]);
const GITLAB_CLAIMS = new Map<string, readonly Operator[]>([
  ['sub', BOTH],
  ['project_id', EQ_ONLY],
  ['namespace_id', EQ_ONLY],
  ['user_id', EQ_ONLY],
]);
const SUB_ONLY = new Map<string, readonly Operator[]>([['sub', BOTH]]);
const ANY_DOCUMENTED = new Map<string, readonly Operator[]>([...GITHUB_CLAIMS, ...GITLAB_CLAIMS]);

const GITHUB_ENTERPRISE_ISSUER = /^https:\/\/token\.actions\.githubusercontent\.com\/[^/\s]+$/;
const GHES_ISSUER = /^https:\/\/[^/\s]+\/_services\/token$/;
// "https://gitlab.example.com and https://gitlab.example.ca where example can be any string"
const GITLAB_SELF_MANAGED_ISSUER = /^https:\/\/gitlab(?:\.[A-Za-z0-9-]+)+\.[A-Za-z]{2,}$/;
const TERRAFORM_ISSUERS = new Set(['https://app.terraform.io', 'https://app.eu.terraform.io']);

/** Which documented flexible-credential issuer family an issuer URL belongs to (exact strings, case-sensitive). */
export function flexibleIssuerKind(issuer: string): FlexibleIssuerKind {
  if (issuer === GITHUB_COM_ISSUER || GITHUB_ENTERPRISE_ISSUER.test(issuer) || GHES_ISSUER.test(issuer))
    return 'github';
  if (issuer === 'https://gitlab.com' || GITLAB_SELF_MANAGED_ISSUER.test(issuer)) return 'gitlab';
  if (TERRAFORM_ISSUERS.has(issuer)) return 'terraform';
  return 'unknown';
}

export function profileFor(issuer: string | undefined): IssuerProfile {
  // No issuer given: accept every claim documented for any issuer, with the operators allowed for it.
  if (issuer === undefined)
    return { kind: 'any', label: 'any documented issuer', claims: ANY_DOCUMENTED, requiredOneOf: [] };
  switch (flexibleIssuerKind(issuer)) {
    case 'github':
      return {
        kind: 'github',
        label: `GitHub Actions (${issuer})`,
        claims: GITHUB_CLAIMS,
        requiredOneOf: ['repository_id', 'repository_owner_id'],
      };
    case 'gitlab':
      return {
        kind: 'gitlab',
        label: `GitLab (${issuer})`,
        claims: GITLAB_CLAIMS,
        requiredOneOf: ['project_id', 'namespace_id', 'user_id'],
      };
    case 'terraform':
      return { kind: 'terraform', label: `Terraform Cloud (${issuer})`, claims: SUB_ONLY, requiredOneOf: [] };
    default:
      return { kind: 'unknown', label: `the issuer '${issuer}'`, claims: SUB_ONLY, requiredOneOf: [] };
  }
}

/** The claims (and operators) Entra accepts in an expression for this issuer. */
export function supportedClaims(issuer?: string): ReadonlyMap<string, readonly Operator[]> {
  return profileFor(issuer).claims;
}
