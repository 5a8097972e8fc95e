/**
 * Reading a GitHub OIDC `sub` claim (docs/github-oidc.md "The default subject",
 * "Immutable subjects", "Customization API"). Pure.
 */
type SubjectForm = 'name' | 'immutable' | 'custom';
type ContextKind = 'environment' | 'pull_request' | 'branch' | 'tag' | 'ref' | 'other';

export interface SubjectParts {
  form: SubjectForm;
  /** `owner/repo` as GitHub wrote it (without ids). */
  repository?: string;
  owner?: string;
  ownerId?: string;
  repo?: string;
  repoId?: string;
  /** The part after `repo:OWNER/REPO:` — `environment:prod`, `pull_request`, `ref:refs/heads/main`. */
  context?: string;
  contextKind?: ContextKind;
  environment?: string;
  ref?: string;
  /** For custom templates: the `key:value` pairs as far as they can be told apart. */
  pairs?: Array<[string, string]>;
}

const REPO_PREFIX = /^repo:([^/:@]+)(?:@(\d+))?\/([^/:@]+)(?:@(\d+))?:(.*)$/s;

function classifyContext(context: string): Pick<SubjectParts, 'contextKind' | 'environment' | 'ref'> {
  if (context.startsWith('environment:'))
    return { contextKind: 'environment', environment: context.slice('environment:'.length) };
  if (context === 'pull_request') return { contextKind: 'pull_request' };
  if (context.startsWith('ref:')) {
    const ref = context.slice(4);
    if (ref.startsWith('refs/heads/')) return { contextKind: 'branch', ref };
    if (ref.startsWith('refs/tags/')) return { contextKind: 'tag', ref };
    return { contextKind: 'ref', ref };
  }
  return { contextKind: 'other' };
}

export function parseSubject(sub: string): SubjectParts {
  const m = REPO_PREFIX.exec(sub);
  if (m) {
    const [, owner, ownerId, repo, repoId, context] = m as unknown as [
      string,
      string,
      string | undefined,
      string,
      string | undefined,
      string,
    ];
    return {
      form: ownerId !== undefined || repoId !== undefined ? 'immutable' : 'name',
      owner,
      ownerId,
      repo,
      repoId,
      repository: `${owner}/${repo}`,
      context,
      ...classifyContext(context),
    };
  }
  return { form: 'custom', pairs: customPairs(sub), ...customContext(sub) };
}

/** Known claim keys GitHub can put in a custom template, to split `k:v:k:v` strings. */
const TEMPLATE_KEYS = new Set([
  'repo',
  'context',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'repository_visibility',
  'workflow',
  'workflow_ref',
  'job_workflow_ref',
  'job_workflow_sha',
  'environment',
  'environment_node_id',
  'ref',
  'ref_type',
  'ref_protected',
  'event_name',
  'head_ref',
  'base_ref',
  'actor',
  'actor_id',
  'runner_environment',
  'enterprise',
  'enterprise_id',
  'pull_request',
  'sha',
  'workflow_sha',
  'check_run_id',
]);

/** The claim keys of a GitHub custom-template subject, in order; undefined when it is not one (e.g. Kubernetes). */
export function customTemplateKeys(sub: string): string[] | undefined {
  const p = parseSubject(sub);
  if (p.form !== 'custom' || !p.pairs?.length) return undefined;
  const keys = p.pairs.map(([k]) => k);
  return keys.every((k) => TEMPLATE_KEYS.has(k)) ? keys : undefined;
}

function customPairs(sub: string): Array<[string, string]> {
  const parts = sub.split(':');
  const pairs: Array<[string, string]> = [];
  let i = 0;
  while (i < parts.length) {
    const key = parts[i]!;
    if (key === 'pull_request') {
      pairs.push(['context', 'pull_request']);
      i += 1;
      continue;
    }
    // A value may itself contain ':' (refs never do, but environments might): take until the next known key.
    let j = i + 1;
    while (j < parts.length && !TEMPLATE_KEYS.has(parts[j]!)) j++;
    pairs.push([key, parts.slice(i + 1, Math.max(j, i + 2)).join(':')]);
    i = Math.max(j, i + 2);
  }
  return pairs;
}

function customContext(sub: string): Pick<SubjectParts, 'contextKind' | 'environment' | 'ref'> {
  const env = /(?:^|:)environment:([^:]*)/.exec(sub);
  if (env) return { contextKind: 'environment', environment: env[1] };
  if (/(?:^|:)pull_request(?::|$)/.test(sub)) return { contextKind: 'pull_request' };
  const ref = /(?:^|:)ref:(refs\/[^:]*)/.exec(sub);
  if (ref) return classifyContext(`ref:${ref[1]}`);
  return { contextKind: 'other' };
}

/** `repo:o@1/r@2:ctx` → `repo:o/r:ctx`; other subjects unchanged. */
export function toNameForm(sub: string): string {
  const p = parseSubject(sub);
  if (p.form !== 'immutable') return sub;
  return `repo:${p.owner}/${p.repo}:${p.context}`;
}

/** The immutable form of a subject when both ids are known. */
export function toImmutableForm(sub: string, ownerId: string, repoId: string): string | undefined {
  const p = parseSubject(sub);
  if (p.form === 'custom') return undefined;
  return `repo:${p.owner}@${ownerId}/${p.repo}@${repoId}:${p.context}`;
}

/** Subject prefix `repo:OWNER/REPO` in the form the token uses. */
export function subjectPrefix(p: SubjectParts): string | undefined {
  if (p.form === 'custom') return undefined;
  return p.form === 'immutable'
    ? `repo:${p.owner}${p.ownerId ? `@${p.ownerId}` : ''}/${p.repo}${p.repoId ? `@${p.repoId}` : ''}`
    : `repo:${p.owner}/${p.repo}`;
}
