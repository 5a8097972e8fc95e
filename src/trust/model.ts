/**
 * The trust audit's plain data: which identity a credential belongs to, what GitHub answered for
 * the names and ids a subject trusts, and the findings with the credential they concern (so the
 * SARIF file can give each one a fingerprint that stays the same from run to run).
 */
import type { Finding } from '../diagnose/finding.js';
import type { FederatedCredential } from '../entra/credential.js';

/** The Azure identity that trusts a credential. */
export interface IdentityRef {
  /** Application (client) id; '' when the input did not say. */
  clientId: string;
  displayName?: string;
  tenantId?: string;
  /** App registration (Graph) or user-assigned managed identity (ARM); undefined when unknown. */
  kind?: 'application' | 'managed-identity';
  /** For a managed identity: its ARM resource id (names the resource group in fix commands). */
  resourceId?: string;
}

export interface TrustItem {
  identity: IdentityRef;
  credential: FederatedCredential;
  /** Where the credential was written, for SARIF locations and annotations. */
  location?: { file: string; line?: number };
}

/** A finding about one credential. */
export interface TrustFinding extends Finding {
  item: TrustItem;
}

/** A lookup that did not give an answer the audit can use (never counted as safe). */
export interface Unreadable {
  status: 'unreadable';
  /** HTTP status when GitHub answered. */
  httpStatus?: number;
  reason: string;
}

export interface RepoFound {
  status: 'found';
  id: string;
  fullName: string;
  ownerLogin: string;
  ownerId: string;
  ownerType?: string;
  private?: boolean;
  /** GitHub answered the old name with a redirect (renamed or transferred repository). */
  redirected: boolean;
}
export type RepoAnswer = RepoFound | { status: 'not-found'; httpStatus: number } | Unreadable;

interface OwnerFound {
  status: 'found';
  id: string;
  login: string;
  type?: string;
}
export type OwnerAnswer = OwnerFound | { status: 'not-found'; httpStatus: number } | Unreadable;

interface EnvironmentFound {
  status: 'found';
  /** Protection rule types (`required_reviewers`, `wait_timer`, `branch_policy`). */
  ruleTypes: string[];
  /** deployment_branch_policy: null when any branch or tag may deploy. */
  branchPolicy: { protectedBranches: boolean; customBranchPolicies: boolean } | null;
}
export type EnvironmentAnswer = EnvironmentFound | { status: 'not-found'; httpStatus: number } | Unreadable;

/** What the audit asks GitHub. Implementations de-duplicate, bound concurrency and respect rate limits. */
export interface GitHubLookups {
  repoByName(owner: string, repo: string): Promise<RepoAnswer>;
  repoById(id: string): Promise<RepoAnswer>;
  owner(login: string): Promise<OwnerAnswer>;
  environment(fullName: string, name: string): Promise<EnvironmentAnswer>;
}

/** A credential the audit could not fully check, and why. */
export interface NotChecked {
  item: TrustItem;
  reason: string;
}

function identityLabel(identity: IdentityRef): string {
  const name = identity.displayName ? `'${identity.displayName}' ` : '';
  const id = identity.clientId ? `(client id ${identity.clientId}` : '(client id not given';
  return `${name}${id}${identity.tenantId ? `, tenant ${identity.tenantId}` : ''})`;
}

/** "Credential 'x' of 'app' (client id ..., tenant ...)": every finding names its credential this way. */
export function credentialLabel(item: TrustItem): string {
  return `Credential '${item.credential.name}' of ${identityLabel(item.identity)}`;
}
