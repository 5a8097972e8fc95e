/**
 * Why GitHub sent the subject it sent, and what would make it send another.
 * Pure: works from the token's claims when there is a token, from the subject text alone otherwise.
 */
import type { GitHubClaims } from '../github/claims.js';
import { parseSubject, toNameForm, type SubjectParts } from '../github/subject.js';
import { editDistance } from './text-diff.js';

function code(s: string): string {
  return `\`${s}\``;
}

/** True when the running job is a reusable workflow from another file than the caller's. */
export function reusableWorkflowNote(claims: Partial<GitHubClaims>): string | undefined {
  const jwr = claims.job_workflow_ref;
  const wr = claims.workflow_ref;
  if (!jwr || !wr) return undefined;
  const file = (ref: string) => ref.split('@')[0];
  if (file(jwr) === file(wr)) return undefined;
  return (
    `This job runs the reusable workflow ${code(jwr)}, called from ${code(wr)}. ` +
    `GitHub builds ${code('sub')} from the caller's repository and trigger ` +
    `(${code(claims.repository ?? '?')}), not from the reusable workflow's; ` +
    `only ${code('job_workflow_ref')} names the reusable file (a flexible credential can match it).`
  );
}

/** One or two sentences: why this token carries this subject. */
export function whyThisSubject(sub: string, claims?: Partial<GitHubClaims>): string {
  const p = parseSubject(sub);
  const parts: string[] = [];
  const event = claims?.event_name;
  switch (p.contextKind) {
    case 'environment':
      parts.push(
        `The job declares ${code(`environment: ${p.environment}`)}, so GitHub put the environment in the subject; ` +
          `when a job has an environment, its branch, tag or pull request does not appear in ${code('sub')}` +
          (claims?.ref ? ` (this run was on ${code(claims.ref)}${event ? `, event ${code(event)}` : ''}).` : '.'),
      );
      break;
    case 'pull_request':
      parts.push(
        `The run was triggered by ${code(event ?? 'pull_request')} and the job declares no environment, so ` +
          `GitHub sent ${code('pull_request')} ` +
          `as the context; a pull request subject carries no branch ` +
          `name${claims?.head_ref ? ` (head branch ${code(claims.head_ref)})` : ''}.`,
      );
      break;
    case 'branch':
      parts.push(
        `The job declares no environment and the run is on branch ${code((p.ref ?? '').slice('refs/heads/'.length))}` +
          `${event ? ` (event ${code(event)})` : ''}, so GitHub sent the branch ref as the context.`,
      );
      if ((p.ref ?? '').startsWith('refs/heads/gh-readonly-queue/'))
        parts.push(
          `This is a merge queue run: its ref changes for every queued pull request, so only a flexible ` +
            `credential (${code("claims['sub'] matches '…:ref:refs/heads/gh-readonly-queue/*'")}) can match it.`,
        );
      break;
    case 'tag':
      parts.push(
        `The run is for tag ${code((p.ref ?? '').slice('refs/tags/'.length))} and the job declares no ` +
          `environment, so GitHub sent the tag ref as the context.`,
      );
      break;
    case 'ref':
      parts.push(`The run is on ${code(p.ref ?? '')}, so GitHub sent that ref as the context.`);
      break;
    default:
      break;
  }
  if (p.form === 'immutable')
    parts.push(
      `The subject is in GitHub's immutable form (${code('repo:OWNER@OWNER_ID/REPO@REPO_ID:…')}), used by ` +
        `repositories created, renamed or transferred since July 15, 2026 or opted in by an admin.`,
    );
  if (p.form === 'custom')
    parts.push(
      `The subject does not start with ${code('repo:')}: the repository or its organisation uses a ` +
        `customised subject template` +
        (p.pairs?.length ? ` with the claim keys ${p.pairs.map(([k]) => code(k)).join(', ')}` : '') +
        ` (see ${code('GET /repos/{owner}/{repo}/actions/oidc/customization/sub')}).`,
    );
  const reusable = claims ? reusableWorkflowNote(claims) : undefined;
  if (reusable) parts.push(reusable);
  return parts.join(' ');
}

export type SubjectDifference =
  | 'equal'
  | 'case'
  | 'whitespace'
  | 'immutable-vs-name'
  | 'pull-request-typo'
  | 'wildcard'
  | 'custom-template'
  | 'repository'
  | 'context'
  | 'other';

/** Classify how a presented subject differs from a credential's subject. */
export function classifySubjectDifference(actual: string, expected: string): SubjectDifference {
  if (actual === expected) return 'equal';
  if (actual.toLowerCase() === expected.toLowerCase()) return 'case';
  if (actual.trim() === expected.trim()) return 'whitespace';
  if (/[*?]/.test(expected)) return 'wildcard';
  if (/:pull-request$/.test(expected) && expected.replace(/:pull-request$/, ':pull_request') === actual)
    return 'pull-request-typo';
  const a = parseSubject(actual);
  const e = parseSubject(expected);
  if (a.form !== e.form && toNameForm(actual) === toNameForm(expected)) return 'immutable-vs-name';
  if (toNameForm(actual).toLowerCase() === toNameForm(expected).toLowerCase() && a.form !== e.form)
    return 'immutable-vs-name';
  if (a.form === 'custom' || e.form === 'custom') return 'custom-template';
  if (a.repository && e.repository && a.repository.toLowerCase() !== e.repository.toLowerCase()) return 'repository';
  if (a.context !== e.context) return 'context';
  return 'other';
}

/** A near miss: the same subject but for case, whitespace, the immutable ids or the pull-request hyphen. */
export function isNearMiss(kind: SubjectDifference): boolean {
  return kind === 'case' || kind === 'whitespace' || kind === 'immutable-vs-name' || kind === 'pull-request-typo';
}

/** How far a credential's subject is from the token's: 0 equal, 1 a near miss, else 10 + the edit distance. */
export function subjectDistance(actual: string, expected: string): number {
  const kind = classifySubjectDifference(actual, expected);
  return kind === 'equal' ? 0 : isNearMiss(kind) ? 1 : 10 + editDistance(actual, expected);
}

/** The nearest of `items` by subject (the one scorer: compare, the Entra diagnosis and the audit use it). */
export function nearestBySubject<T>(
  actual: string,
  items: readonly T[],
  subjectOf: (t: T) => string | undefined,
  penalty: (t: T) => number = () => 0,
): T | undefined {
  let best: T | undefined;
  let bestScore = Infinity;
  for (const item of items) {
    const s = subjectOf(item);
    if (s === undefined) continue;
    const score = subjectDistance(actual, s) + penalty(item);
    if (score < bestScore) {
      best = item;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Why a subject GitHub sends differs from a credential's, in one sentence: the one owner of this
 * explanation (action, explain, check and the audit). `sent` is what GitHub sends (or would).
 */
export function subjectDifferenceSentence(
  sent: string,
  credential: string,
  opts: { reusable?: boolean; forThisJob?: boolean } = {},
): string {
  const a = parseSubject(sent);
  const e = parseSubject(credential);
  switch (classifySubjectDifference(sent, credential)) {
    case 'case':
      return (
        'The two differ only in letter case; Entra compares subjects case-sensitively. GitHub writes ' +
        'owner, repository and environment names exactly as spelled on GitHub.'
      );
    case 'whitespace':
      return "The credential's subject has leading or trailing whitespace, which never matches.";
    case 'immutable-vs-name':
      return a.form === 'immutable'
        ? `This repository sends immutable subjects (${code('owner@id/repo@id')}: created, renamed or ` +
            `transferred since July 15, 2026, or opted in); the credential uses names.`
        : `The credential uses the immutable form with numeric ids (${code('owner@id/repo@id')}, as the ` +
            `Entra portal now proposes), but this repository still sends the name form: it has not opted in.`;
    case 'pull-request-typo':
      return (
        `GitHub's pull request subject is ${code('pull_request')} with an underscore; ` +
        `${code('pull-request')} (from old Microsoft docs) never matches.`
      );
    case 'wildcard':
      return (
        'The credential contains `*` or `?`: classic credentials compare exactly, so these are literal ' +
        'characters. Only a flexible credential (claimsMatchingExpression) supports patterns.'
      );
    case 'custom-template':
      return a.form === 'custom'
        ? 'GitHub sends a customised subject (the repository or organisation changed the template), but the ' +
            'credential has the default `repo:` form.'
        : 'The credential has a customised-template subject, but this repository sends the default `repo:` form.';
    case 'repository':
      return (
        `The credential is for repository ${code(e.repository ?? '?')}; the token comes from ` +
        `${code(a.repository ?? '?')}` +
        `${opts.reusable ? " (for a reusable workflow, the subject carries the caller's repository)" : ''}.`
      );
    case 'context':
      return (
        `The credential is for ${describeContext(e)}, but GitHub sends ` +
        `${describeContext(a)}${opts.forThisJob ? ' for this job' : ''}.`
      );
    default:
      return '';
  }
}

/** `environment \`prod\``, `pull requests`, `branch \`main\``: the context part of a subject in words. */
function describeContext(subject: string | SubjectParts): string {
  const p = typeof subject === 'string' ? parseSubject(subject) : subject;
  switch (p.contextKind) {
    case 'environment':
      return `environment ${code(p.environment ?? '')}`;
    case 'pull_request':
      return 'pull requests';
    case 'branch':
      return `branch ${code((p.ref ?? '').slice('refs/heads/'.length))}`;
    case 'tag':
      return `tag ${code((p.ref ?? '').slice('refs/tags/'.length))}`;
    case 'ref':
      return code(p.ref ?? '');
    default:
      return code(p.context ?? (typeof subject === 'string' ? subject : '?'));
  }
}

/**
 * What the credential's subject asks for and how the workflow would have to change to send it.
 * Returns the sentence and, when a workflow edit would do, a YAML snippet.
 */
export function whatTheCredentialExpects(
  actual: string,
  expected: string,
  jobId = '<job-id>',
): { sentence: string; yaml?: string; alternative?: string; explainsWhy?: boolean } {
  const a = parseSubject(actual);
  const e = parseSubject(expected);
  // A custom-template subject without a recognisable context is shown whole.
  const what = e.form === 'custom' && e.contextKind === 'other' ? code(expected) : describeContext(e);
  const wants = `The credential expects ${what}${e.repository ? ` in ${code(e.repository)}` : ''}`;
  if (e.contextKind === 'environment' && a.contextKind !== 'environment') {
    return {
      sentence: `${wants}; GitHub only sends an environment subject when the job declares that environment.`,
      yaml: `jobs:\n  ${jobId}:\n    environment: ${yamlScalar(e.environment ?? '')}`,
    };
  }
  if (a.contextKind === 'environment' && e.contextKind !== 'environment') {
    // This sentence is also why GitHub sent the subject: callers do not add whyThisSubject to it.
    return {
      sentence:
        `${wants}, but this job declares ${code(`environment: ${a.environment}`)}, and the ` +
        `environment replaces the ${e.contextKind === 'pull_request' ? 'pull request' : 'ref'} in ` +
        `the subject.`,
      alternative: `or remove ${code('environment:')} from the job if it should not use one.`,
      explainsWhy: true,
    };
  }
  if (a.contextKind === 'environment' && e.contextKind === 'environment') {
    return {
      sentence: `${wants}, but the job declares ${code(`environment: ${a.environment}`)}.`,
      yaml: `jobs:\n  ${jobId}:\n    environment: ${yamlScalar(e.environment ?? '')}`,
    };
  }
  if (e.contextKind === 'pull_request' && a.contextKind !== 'pull_request')
    return {
      sentence:
        `${wants}; GitHub sends ${code('pull_request')} only for runs triggered by pull request ` +
        `events (and only when the job has no environment).`,
    };
  if (a.contextKind === 'pull_request' && (e.contextKind === 'branch' || e.contextKind === 'tag'))
    return {
      sentence:
        `${wants}, but for pull request runs GitHub sends ${code('pull_request')}, never the branch ` +
        `name. Add a credential for the pull request subject (below).`,
    };
  if (e.contextKind === 'branch' && a.contextKind === 'branch')
    return {
      sentence:
        `${wants}, but this run is on ${describeContext(a)}. Run from ${describeContext(e)}, or add ` +
        `a credential for this branch (below); for many branches use a flexible credential.`,
    };
  if (e.contextKind === 'tag' || a.contextKind === 'tag')
    return {
      sentence:
        `${wants}, but this run is for ${describeContext(a)}. Tags and branches give different ` +
        `subjects; add a credential for the one this workflow runs on (below).`,
    };
  return { sentence: `${wants}.` };
}

/** A YAML scalar that stays a plain string whatever the user's text is. */
export function yamlScalar(value: string): string {
  // Plain only when YAML (1.1 or 1.2) reads it back as this string: not a boolean, null or number.
  const plain =
    /^[A-Za-z0-9_][A-Za-z0-9_ ./-]*$/.test(value) &&
    !/\s$/.test(value) &&
    !/^(?:y|n|yes|no|on|off|true|false|null)$/i.test(value) &&
    !/^[0-9]/.test(value);
  return plain ? value : JSON.stringify(value);
}
