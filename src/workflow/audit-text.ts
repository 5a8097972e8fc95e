/**
 * The commands and shared wording of audit findings: names for new credentials, `az` commands
 * with the client-id placeholder, flexible-credential creation, and the nearest-subject pick. Pure.
 */
import type { FederatedCredential } from '../entra/credential.js';
import { formatClause } from '../entra/flexible-expression.js';
import {
  CLIENT_ID_PLACEHOLDER,
  azAppCreateCommand,
  azAppUpdateCommand,
  type CredentialPatch,
} from '../diagnose/fix-commands.js';
import { nearestBySubject, subjectDifferenceSentence } from '../diagnose/subject-reasons.js';
import { credentialNameFor } from '../diagnose/text-diff.js';
import type { AuditContext } from './audit.js';
import type { SubjectContext } from './predict.js';

export const code = (s: string) => `\`${s}\``;

/** Names for new credentials: unique among the identity's, and the same for the same subject. */
export class Names {
  private readonly taken: Set<string>;
  private readonly bySubject = new Map<string, string>();
  constructor(credentials: readonly FederatedCredential[]) {
    this.taken = new Set(credentials.map((c) => c.name));
  }
  for(subject: string, base: string): string {
    const known = this.bySubject.get(subject);
    if (known) return known;
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = credentialNameFor(`${base.slice(0, 115)}-${i}`);
    this.taken.add(name);
    this.bySubject.set(subject, name);
    return name;
  }
}

export function appCreateCommand(spec: { name: string; issuer: string; subject: string; audience: string }): string {
  return azAppCreateCommand(CLIENT_ID_PLACEHOLDER, spec);
}

export function appUpdateCommand(
  _c: FederatedCredential,
  changes: { issuer?: string; subject?: string; audience?: string },
): string {
  const patch: CredentialPatch = {};
  if (changes.issuer !== undefined) patch.issuer = changes.issuer;
  if (changes.subject !== undefined) patch.subject = changes.subject;
  if (changes.audience !== undefined) patch.audiences = [changes.audience];
  return azAppUpdateCommand(CLIENT_ID_PLACEHOLDER, _c.name, patch);
}

export function flexibleExpressionFor(subjectPattern: string, ctx: SubjectContext): string {
  const id = ctx.repoId ?? '<REPOSITORY-ID>';
  return `${formatClause('sub', 'matches', subjectPattern)} and ${formatClause('repository_id', 'eq', id)}`;
}

export function flexibleCreateCommands(name: string, expression: string, ctx: AuditContext): string {
  const body = JSON.stringify({
    name,
    issuer: ctx.issuer,
    audiences: [ctx.audience],
    claimsMatchingExpression: { value: expression, languageVersion: 1 },
  });
  return [
    `cat > fic.json <<'JSON'`,
    body,
    'JSON',
    'az rest --method POST --uri ' +
      `"https://graph.microsoft.com/beta/applications(appId='${CLIENT_ID_PLACEHOLDER}')` +
      '/federatedIdentityCredentials" ' +
      '--headers Content-Type=application/json --body @fic.json',
  ].join('\n');
}

export function flexibleNotes(ctx: SubjectContext): string {
  return [
    'Flexible credentials exist only on app registrations (not managed identities), ' +
      'only through Microsoft Graph beta, and Azure CLI/PowerShell/Terraform cannot read them.',
    ctx.repoId
      ? `Microsoft asks for an immutable id clause next to ${code("claims['sub']")}; ` +
        `${code(`repository_id ${ctx.repoId}`)} is this repository's.`
      : `Microsoft asks for an immutable id clause next to ${code("claims['sub']")}: ` +
        `replace ${code('<REPOSITORY-ID>')} with the repository's numeric id ` +
        `(${code(`gh api repos/${ctx.owner}/${ctx.repo} --jq .id`)}).`,
  ].join(' ');
}

// ---------------------------------------------------------------------------------------------
// Explanations

export function differenceSentence(predicted: string, credential: string): string {
  return subjectDifferenceSentence(predicted, credential, { forThisJob: true });
}

/** A cheap similarity used to pick candidates before computing edit distances. */
function affinity(a: string, b: string): number {
  let p = 0;
  const n = Math.min(a.length, b.length);
  while (p < n && a[p] === b[p]) p++;
  let s = 0;
  while (s < n - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return p + s;
}

const NEAREST_CANDIDATES = 24;

export function nearestOf<T>(target: string, items: readonly T[], text: (t: T) => string): T | undefined {
  if (items.length === 0) return undefined;
  let candidates = items;
  if (items.length > NEAREST_CANDIDATES) {
    candidates = [...items]
      .sort((x, y) => affinity(target, text(y)) - affinity(target, text(x)))
      .slice(0, NEAREST_CANDIDATES);
  }
  return nearestBySubject(target, candidates, text);
}
