/**
 * The claims of a GitHub Actions OIDC token that this tool reasons about.
 * Every GitHub-specific claim is optional: tokens from GHES, older runners or
 * hand-made test tokens may lack any of them.
 */
export interface GitHubClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp?: number;
  iat?: number;
  nbf?: number;
  jti?: string;
  ref?: string;
  ref_type?: string;
  ref_protected?: string | boolean;
  sha?: string;
  repository?: string;
  repository_id?: string;
  repository_owner?: string;
  repository_owner_id?: string;
  repository_visibility?: string;
  run_id?: string;
  run_number?: string;
  run_attempt?: string;
  actor?: string;
  actor_id?: string;
  workflow?: string;
  workflow_ref?: string;
  workflow_sha?: string;
  job_workflow_ref?: string;
  job_workflow_sha?: string;
  environment?: string;
  environment_node_id?: string;
  event_name?: string;
  head_ref?: string;
  base_ref?: string;
  runner_environment?: string;
  enterprise?: string;
  enterprise_id?: string;
  [claim: string]: unknown;
}

/** `aud` may be a string or a list; Entra compares a single value. */
export function audiences(claims: Pick<GitHubClaims, 'aud'>): string[] {
  return Array.isArray(claims.aud) ? claims.aud.map(String) : claims.aud === undefined ? [] : [String(claims.aud)];
}
