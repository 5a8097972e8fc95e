/** The `sub` claim (and the claims a template can include) for one run and environment. Pure. */
import type { RunContext } from './run-context.js';
import type { SubjectContext } from './predict-types.js';

const UNKNOWN = '*';

export function subjectPrefix(
  run: Pick<RunContext, 'owner' | 'repo' | 'ownerId' | 'repoId'>,
  ctx: SubjectContext,
): { prefix: string; missing: string[] } {
  if (!ctx.immutable) return { prefix: `repo:${run.owner}/${run.repo}`, missing: [] };
  const missing: string[] = [];
  if (!run.ownerId) missing.push('owner id');
  if (!run.repoId) missing.push('repository id');
  return { prefix: `repo:${run.owner}@${run.ownerId ?? UNKNOWN}/${run.repo}@${run.repoId ?? UNKNOWN}`, missing };
}

export function buildClaims(
  run: RunContext,
  ctx: SubjectContext,
  env: { name?: string },
  jobWorkflowRef: string,
): Record<string, string> {
  const claims: Record<string, string> = Object.create(null) as Record<string, string>;
  claims.repository = `${run.owner}/${run.repo}`;
  claims.repository_owner = run.owner;
  claims.repository_id = run.repoId ?? UNKNOWN;
  claims.repository_owner_id = run.ownerId ?? UNKNOWN;
  claims.repository_visibility = ctx.repositoryVisibility ?? UNKNOWN;
  claims.workflow = run.workflowName;
  claims.workflow_ref = `${run.owner}/${run.repo}/${run.workflowPath}@${run.ref}`;
  claims.job_workflow_ref = jobWorkflowRef;
  claims.ref = run.ref;
  claims.ref_type = run.refType;
  claims.event_name = run.trigger;
  if (env.name !== undefined) claims.environment = env.name;
  return claims;
}

/** `sub` from the template: default, or the custom `include_claim_keys`. */
export function renderSubject(
  prefix: string,
  context: string,
  claims: Record<string, string>,
  ctx: SubjectContext,
): { subject: string; unknownKeys: string[] } {
  const t = ctx.template;
  if (!t || t.useDefault || !t.includeClaimKeys || t.includeClaimKeys.length === 0)
    return { subject: `${prefix}:${context}`, unknownKeys: [] };
  const unknownKeys: string[] = [];
  const parts = t.includeClaimKeys.map((key) => {
    if (key === 'context') return context;
    if (key === 'repo') return prefix;
    const v = claims[key];
    if (v === undefined || v.includes(UNKNOWN)) unknownKeys.push(key);
    return `${key}:${v ?? UNKNOWN}`;
  });
  return { subject: parts.join(':'), unknownKeys };
}

/** Template keys whose value depends on the run (trigger/ref), not only on the repository and environment. */
const RUN_KEYS = new Set([
  'ref',
  'ref_type',
  'event_name',
  'workflow_ref',
  'job_workflow_ref',
  'head_ref',
  'base_ref',
  'sha',
  'workflow_sha',
  'job_workflow_sha',
  'ref_protected',
]);

export function templateUsesRun(ctx: SubjectContext): boolean {
  const t = ctx.template;
  return !!t && !t.useDefault && (t.includeClaimKeys ?? []).some((k) => RUN_KEYS.has(k));
}

/** The subject for one known context part (`ref:refs/heads/main`), in the repository's form. */
export function subjectFor(ctx: SubjectContext, context: string, claims: Record<string, string> = {}): string {
  const run = { owner: ctx.owner, repo: ctx.repo, ownerId: ctx.ownerId, repoId: ctx.repoId };
  return renderSubject(subjectPrefix(run, ctx).prefix, context, claims, ctx).subject;
}
