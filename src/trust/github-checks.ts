/**
 * The checks that ask GitHub: does the name a subject trusts still belong to the repository it
 * was meant for, and does its environment protect anything. Pure over the GitHubLookups
 * interface (the adapter in github-lookups.ts de-duplicates and rate-limits the calls).
 */
import { parseSubject, toImmutableForm, type SubjectParts } from '../github/subject.js';
import { updateCommands } from '../diagnose/fix-commands.js';
import {
  credentialLabel,
  type EnvironmentAnswer,
  type GitHubLookups,
  type NotChecked,
  type OwnerAnswer,
  type RepoFound,
  type TrustFinding,
  type TrustItem,
} from './model.js';

interface CredentialCheck {
  findings: TrustFinding[];
  notChecked?: NotChecked;
}

/** Ids of an immutable twin: the same identity trusts `repo:O@ID/R@ID:ctx` for this name-form subject. */
type TwinIds = Map<string, { ownerId?: string; repoId?: string }>;

const twinKey = (clientId: string, owner: string, repo: string) =>
  `${clientId}\n${owner.toLowerCase()}/${repo.toLowerCase()}`;

export function collectTwins(items: readonly TrustItem[]): TwinIds {
  const twins: TwinIds = new Map();
  for (const { identity, credential } of items) {
    const p = credential.subject ? parseSubject(credential.subject) : undefined;
    if (p?.form === 'immutable' && p.owner && p.repo)
      twins.set(twinKey(identity.clientId, p.owner, p.repo), { ownerId: p.ownerId, repoId: p.repoId });
  }
  return twins;
}

function fixTo(item: TrustItem, subject: string): string {
  const c = item.credential;
  return updateCommands(item.identity, {
    name: c.name,
    issuer: c.issuer,
    subject,
    audience: c.audiences[0] ?? 'api://AzureADTokenExchange',
  });
}

function repoEvidence(label: string, r: RepoFound): { label: string; actual: string } {
  return {
    label,
    actual:
      `${r.fullName} (repository id ${r.id}, owner id ` +
      `${r.ownerId}${r.redirected ? ', reached by a redirect' : ''})`,
  };
}

function unreadable(item: TrustItem, what: string, a: { httpStatus?: number; reason: string }): CredentialCheck {
  return {
    findings: [],
    notChecked: { item, reason: `${what}: ${a.reason}${a.httpStatus ? ` (HTTP ${a.httpStatus})` : ''}` },
  };
}

function reusable(
  item: TrustItem,
  p: SubjectParts,
  message: string,
  evidence: TrustFinding['evidence'],
  fix: string,
): TrustFinding {
  return {
    item,
    id: 'trust-name-reusable',
    severity: 'error',
    title: `${credentialLabel(item)} trusts the name ${p.repository}, which someone else can take`,
    message,
    fix,
    ...(evidence ? { evidence } : {}),
  };
}

async function missingRepository(
  item: TrustItem,
  p: SubjectParts,
  owner: OwnerAnswer,
  status: number,
): Promise<CredentialCheck> {
  const subject = item.credential.subject!;
  const removeFix =
    `If no workflow needs it any more, remove this credential; if the repository is private, audit ` +
    `with a token that can read it (a fine-grained token with 'metadata: read' on ${p.owner}'s repositories) to ` +
    `confirm.`;
  if (owner.status === 'unreadable')
    return unreadable(
      item,
      `GitHub answered ${status} for ${p.repository}, and the owner ${p.owner} could not be read`,
      owner,
    );
  if (owner.status === 'not-found')
    return {
      findings: [
        reusable(
          item,
          p,
          `Its subject is '${subject}'. GitHub knows neither the repository ${p.repository} (HTTP ${status}) nor the ` +
            `account ${p.owner} (HTTP ${owner.httpStatus}): ` +
            `anyone can register the account ${p.owner}, create ${p.repo} and log in as this identity from a ` +
            `workflow of their own.`,
          [
            { label: `GET /repos/${p.repository}`, actual: `HTTP ${status}` },
            { label: `GET /users/${p.owner}`, actual: `HTTP ${owner.httpStatus}` },
          ],
          `Remove this credential now if no workflow of yours needs it; otherwise recreate the account and ` +
            `repository first and trust the immutable subject ` +
            `(repo:${p.owner}@<OWNER-ID>/${p.repo}@<REPOSITORY-ID>:${p.context}).`,
        ),
      ],
    };
  return {
    findings: [
      reusable(
        item,
        p,
        `Its subject is '${subject}'. The account ${p.owner} exists (${owner.type ?? 'account'} id ${owner.id}), but ` +
          `GitHub answered ${status} for the repository ${p.repository} with this token: ` +
          `it does not exist, or it is private and the token cannot read it. If it does not exist, whoever can ` +
          `create repositories in ${p.owner} can create ${p.repo} and log in as this identity.`,
        [
          { label: `GET /repos/${p.repository}`, actual: `HTTP ${status}` },
          { label: `GET /users/${p.owner}`, actual: `${owner.login} (id ${owner.id})` },
        ],
        removeFix,
      ),
    ],
  };
}

async function renamed(
  item: TrustItem,
  p: SubjectParts,
  r: RepoFound,
  lookups: GitHubLookups,
): Promise<CredentialCheck> {
  const subject = item.credential.subject!;
  const ownerMoved = r.ownerLogin.toLowerCase() !== (p.owner ?? '').toLowerCase();
  let why: string;
  const evidence: NonNullable<TrustFinding['evidence']> = [
    { label: `GET /repos/${p.repository}`, actual: `redirect to ${r.fullName}` },
    repoEvidence('repository now', r),
  ];
  if (ownerMoved) {
    const old = await lookups.owner(p.owner!);
    if (old.status === 'unreadable')
      return unreadable(
        item,
        `${p.repository} now redirects to ${r.fullName}, and the old owner ${p.owner} could not be read`,
        old,
      );
    if (old.status === 'not-found') {
      why =
        `The owner ${p.owner} was renamed (or deleted) and the repository lives on as ${r.fullName}: the account ` +
        `name ${p.owner} is free (GET /users/${p.owner}: HTTP ${old.httpStatus}), so anyone can register it, create ` +
        `${p.repo} and log in as this identity.`;
      evidence.push({ label: `GET /users/${p.owner}`, actual: `HTTP ${old.httpStatus}` });
    } else {
      why =
        `The repository was transferred from ${p.owner} (still an account, id ${old.id}) to ${r.ownerLogin} (id ` +
        `${r.ownerId}): whoever can create repositories in ${p.owner} can create ${p.repo} there and log in as this ` +
        `identity.`;
      evidence.push({ label: `GET /users/${p.owner}`, actual: `${old.login} (id ${old.id})` });
    }
  } else {
    why =
      `The repository was renamed within ${r.ownerLogin} to ${r.fullName.split('/')[1]}: whoever can create ` +
      `repositories in ${r.ownerLogin} can create one named ${p.repo} and log in as this identity; until then GitHub ` +
      `redirects the old name.`;
  }
  const [newOwner = '', newRepo = ''] = r.fullName.split('/');
  const target = `repo:${newOwner}@${r.ownerId}/${newRepo}@${r.id}:${p.context}`;
  return {
    findings: [
      {
        item,
        id: 'trust-renamed',
        severity: 'error',
        title: `${credentialLabel(item)} still trusts the old name ${p.repository}, now ${r.fullName}`,
        message:
          `Its subject is '${subject}'. ${why}\nTokens of ${r.fullName} carry its new name, so this ` +
          `credential no longer serves it.`,
        fix:
          `If the credential is meant for ${r.fullName}, trust its immutable subject (ids never move to another ` +
          `repository):\n${fixTo(item, target)}`,
        evidence,
      },
    ],
  };
}

async function environmentCheck(
  item: TrustItem,
  p: SubjectParts,
  fullName: string,
  lookups: GitHubLookups,
): Promise<CredentialCheck> {
  const env = p.environment ?? '';
  const answer: EnvironmentAnswer = await lookups.environment(fullName, env);
  if (answer.status === 'unreadable')
    return unreadable(item, `The environment '${env}' of ${fullName} could not be read`, answer);
  const reviewers = answer.status === 'found' && answer.ruleTypes.includes('required_reviewers');
  const branches = answer.status === 'found' && answer.branchPolicy !== null;
  if (reviewers || branches) return { findings: [] };
  const state =
    answer.status === 'not-found'
      ? `${fullName} has no environment '${env}' (HTTP ${answer.httpStatus}): the first job that names it creates ` +
        `it, without protection`
      : `The environment '${env}' of ${fullName} has no required reviewers and no deployment branch or tag ` +
        `policy${answer.ruleTypes.length ? ` (only ${answer.ruleTypes.join(', ')})` : ''}`;
  return {
    findings: [
      {
        item,
        id: 'trust-unprotected-environment',
        severity: 'warning',
        title: `${credentialLabel(item)} trusts the unprotected environment '${env}' of ${fullName}`,
        message:
          `Its subject is '${item.credential.subject}'. ${state}, so a job on any branch that anyone with ` +
          `write access pushes can name the environment and log in as this identity.`,
        fix:
          `In ${fullName}: Settings > Environments > ${env || '<ENVIRONMENT>'}: add required reviewers, and under ` +
          `Deployment branches and tags choose "Protected branches only" or "Selected branches and tags". ` +
          `Or: gh api -X PUT repos/${fullName}/environments/${encodeURIComponent(env)} -F ` +
          `'deployment_branch_policy[protected_branches]=true' -F ` +
          `'deployment_branch_policy[custom_branch_policies]=false'`,
        evidence: [
          {
            label: `GET /repos/${fullName}/environments/${env}`,
            actual:
              answer.status === 'not-found'
                ? `HTTP ${answer.httpStatus}`
                : `protection rules: ${answer.ruleTypes.join(', ') || 'none'}; deployment_branch_policy: null`,
          },
        ],
      },
    ],
  };
}

/** Ask GitHub about one credential's subject. Credentials without a GitHub subject need no call. */
export async function checkWithGitHub(
  item: TrustItem,
  lookups: GitHubLookups,
  twins: TwinIds,
): Promise<CredentialCheck> {
  const subject = item.credential.subject;
  if (!subject) return { findings: [] };
  const p = parseSubject(subject);
  if (p.form === 'custom' || !p.owner || !p.repo)
    return {
      findings: [],
      notChecked: {
        item,
        reason:
          `the subject '${subject}' comes from a customised template; the audit reads only repo:OWNER/REPO:... ` +
          `subjects`,
      },
    };
  if (p.form === 'immutable') {
    if (p.contextKind !== 'environment' || !p.repoId) return { findings: [] };
    const r = await lookups.repoById(p.repoId);
    if (r.status === 'unreadable') return unreadable(item, `Repository id ${p.repoId} could not be read`, r);
    // A deleted repository's id is never given to another one: nothing left to trust.
    return r.status === 'found' ? environmentCheck(item, p, r.fullName, lookups) : { findings: [] };
  }
  const r = await lookups.repoByName(p.owner, p.repo);
  if (r.status === 'unreadable') return unreadable(item, `${p.repository} could not be read`, r);
  if (r.status === 'not-found') return missingRepository(item, p, await lookups.owner(p.owner), r.httpStatus);
  if (r.redirected || r.fullName.toLowerCase() !== (p.repository ?? '').toLowerCase())
    return renamed(item, p, r, lookups);
  const twin = twins.get(twinKey(item.identity.clientId, p.owner, p.repo));
  if (twin && ((twin.repoId && twin.repoId !== r.id) || (twin.ownerId && twin.ownerId !== r.ownerId)))
    return {
      findings: [
        reusable(
          item,
          p,
          `Its subject is '${subject}'. The same identity trusts the immutable subject with ids ` +
            `${twin.ownerId ?? '?'}/${twin.repoId ?? '?'}, ` +
            `but the name ${p.repository} now belongs to other ids (${r.ownerId}/${r.id}): the repository or account ` +
            `was deleted and the name taken again, and its new holder can log in as this identity.`,
          [
            repoEvidence(`GET /repos/${p.repository}`, r),
            {
              label: 'immutable twin',
              expected: `owner id ${twin.ownerId ?? '?'}, repository id ${twin.repoId ?? '?'}`,
            },
          ],
          `Remove this name-form credential now; the immutable one keeps working for the original repository:\naz ad ` +
            `app federated-credential delete --id ${item.identity.clientId || '<APPLICATION-CLIENT-ID>'} ` +
            `--federated-credential-id ${item.credential.name}`,
        ),
      ],
    };
  const immutable = toImmutableForm(subject, r.ownerId, r.id)!;
  const findings: TrustFinding[] = [
    {
      item,
      id: 'trust-name-form',
      severity: 'warning',
      title: `${credentialLabel(item)} trusts the name ${p.repository}, not its ids`,
      message:
        `Its subject is '${subject}'. ${r.fullName} exists (repository id ${r.id}, owner id ${r.ownerId}), so this ` +
        `works today; but if the repository or ` +
        `${r.ownerLogin} is ever renamed or deleted, whoever takes the name next can log in as this identity. The ` +
        `immutable subject keeps trusting these ids only ` +
        `(the repository must send immutable subjects: Settings > Actions > OIDC, or new repositories by default).`,
      fix: fixTo(item, immutable),
      evidence: [repoEvidence(`GET /repos/${p.repository}`, r)],
    },
  ];
  if (p.contextKind === 'environment') {
    const env = await environmentCheck(item, p, r.fullName, lookups);
    findings.push(...env.findings);
    if (env.notChecked) return { findings, notChecked: env.notChecked };
  }
  return { findings };
}
