/**
 * Ready-to-paste commands that create the credential a token would match.
 * Every value passes through shellQuote: branch and environment names are user-controlled.
 */
import { parseSubject } from '../github/subject.js';
import { credentialNameFor, shellQuote } from './text-diff.js';

/** Stands for the client id in fix commands when the run does not know it. */
export const CLIENT_ID_PLACEHOLDER = '<APPLICATION-CLIENT-ID>';

/** Fill the client id into fixes written with the placeholder (audit and lint know it only later). */
export function withClientId<T extends { fix: string }>(findings: readonly T[], clientId: string | undefined): T[] {
  return clientId
    ? findings.map((f) => ({ ...f, fix: f.fix.split(CLIENT_ID_PLACEHOLDER).join(clientId) }))
    : [...findings];
}

export interface CredentialSpec {
  name: string;
  issuer: string;
  subject: string;
  audience: string;
}

/** A credential name that says what it is for: `github-env-production`, `github-branch-main`, `github-pr`. */
export function credentialNameForSubject(subject: string): string {
  const p = parseSubject(subject);
  switch (p.contextKind) {
    case 'environment':
      return credentialNameFor(`github-env-${p.environment ?? ''}`);
    case 'pull_request':
      return 'github-pull-request';
    case 'branch':
      return credentialNameFor(`github-branch-${(p.ref ?? '').slice('refs/heads/'.length)}`);
    case 'tag':
      return credentialNameFor(`github-tag-${(p.ref ?? '').slice('refs/tags/'.length)}`);
    default:
      return 'github-actions';
  }
}

export function azAppCreateCommand(clientId: string, spec: CredentialSpec): string {
  const parameters = JSON.stringify({
    name: spec.name,
    issuer: spec.issuer,
    subject: spec.subject,
    audiences: [spec.audience],
  });
  return `az ad app federated-credential create --id ${shellQuote(clientId)} --parameters ${shellQuote(parameters)}`;
}

export function azIdentityCreateCommand(
  spec: CredentialSpec,
  identity = '<IDENTITY-NAME>',
  resourceGroup = '<RESOURCE-GROUP>',
): string {
  return [
    'az identity federated-credential create',
    `--name ${shellQuote(spec.name)}`,
    `--identity-name ${shellQuote(identity)}`,
    `--resource-group ${shellQuote(resourceGroup)}`,
    `--issuer ${shellQuote(spec.issuer)}`,
    `--subject ${shellQuote(spec.subject)}`,
    `--audiences ${shellQuote(spec.audience)}`,
  ].join(' ');
}

/** The fields an update changes; the command sends only these (Graph PATCH). */
export interface CredentialPatch {
  issuer?: string;
  subject?: string;
  audiences?: string[];
}

/** The one shape of `az ad app federated-credential update`: every caller (action, explain, check, audit) uses it. */
export function azAppUpdateCommand(clientId: string, credentialName: string, patch: CredentialPatch): string {
  return (
    `az ad app federated-credential update --id ${shellQuote(clientId)} --federated-credential-id ` +
    `${shellQuote(credentialName)} --parameters ${shellQuote(JSON.stringify(patch))}`
  );
}

/**
 * The Graph beta call that replaces a wildcard subject with a flexible credential whose expression matches
 * `subjectPattern` (az CLI cannot create flexible credentials). Named after `base`, with its issuer and audiences.
 */
export function azRestCreateFlexibleCommand(
  clientId: string,
  base: { name: string; issuer: string; audiences: readonly string[] },
  subjectPattern: string,
): string {
  const url = `https://graph.microsoft.com/beta/applications(appId='${clientId}')/federatedIdentityCredentials`;
  const body = JSON.stringify({
    name: `${base.name}-flex`.slice(0, 120),
    issuer: base.issuer,
    audiences: base.audiences,
    claimsMatchingExpression: {
      value: `claims['sub'] matches '${subjectPattern.replace(/'/g, "''")}'`,
      languageVersion: 1,
    },
  });
  return `az rest --method POST --uri ${shellQuote(url)} --body '${body.replace(/'/g, `'\\''`)}'`;
}

/** Both commands, labelled, because the client id may belong to an app registration or a managed identity. */
export function createCommands(clientId: string, spec: CredentialSpec): string {
  return [
    '# App registration:',
    azAppCreateCommand(clientId, spec),
    '# or user-assigned managed identity:',
    azIdentityCreateCommand(spec),
  ].join('\n');
}

const MANAGED_IDENTITY_ID =
  /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/([^/]+)$/i;

/** Where a credential to change lives: an app registration, or a managed identity (names from its ARM id). */
interface CredentialOwner {
  clientId: string;
  kind?: 'application' | 'managed-identity';
  resourceId?: string;
}

/** The commands that change an existing credential in place (same name), for its owner or both kinds when unknown. */
export function updateCommands(owner: CredentialOwner, spec: CredentialSpec): string {
  const { name, issuer, subject, audience } = spec;
  const parameters = JSON.stringify({ name, issuer, subject, audiences: [audience] });
  const app = [
    'az ad app federated-credential update',
    `--id ${shellQuote(owner.clientId || CLIENT_ID_PLACEHOLDER)}`,
    `--federated-credential-id ${shellQuote(name)}`,
    `--parameters ${shellQuote(parameters)}`,
  ].join(' ');
  const arm = MANAGED_IDENTITY_ID.exec(owner.resourceId ?? '');
  const identity = [
    'az identity federated-credential update',
    `--name ${shellQuote(spec.name)}`,
    `--identity-name ${shellQuote(arm?.[2] ?? '<IDENTITY-NAME>')}`,
    `--resource-group ${shellQuote(arm?.[1] ?? '<RESOURCE-GROUP>')}`,
    `--issuer ${shellQuote(spec.issuer)}`,
    `--subject ${shellQuote(spec.subject)}`,
    `--audiences ${shellQuote(spec.audience)}`,
  ].join(' ');
  if (owner.kind === 'application') return app;
  if (owner.kind === 'managed-identity') return identity;
  return ['# App registration:', app, '# or user-assigned managed identity:', identity].join('\n');
}
