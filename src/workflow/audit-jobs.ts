/**
 * Findings about jobs: a login no credential accepts (with the credential to add or correct),
 * a call to a reusable workflow that is not there, and a login without `id-token: write`. Pure.
 */
import type { FederatedCredential } from '../entra/credential.js';
import { evaluateClaimsMatchingExpression } from '../entra/flexible-expression.js';
import { parseSubject } from '../github/subject.js';
import type { Evidence, Finding } from '../diagnose/finding.js';
import { azIdentityCreateCommand, credentialNameForSubject } from '../diagnose/fix-commands.js';
import { classifySubjectDifference, isNearMiss } from '../diagnose/subject-reasons.js';
import { PERMISSIONS_YAML } from '../diagnose/run-findings.js';
import { diffLines } from '../diagnose/text-diff.js';
import type { AuditContext } from './audit.js';
import { CREDENTIAL_LIMIT } from './audit-credentials.js';
import type { ClassicEntry, CredentialIndex, SubjectMatch } from './audit-match.js';
import {
  type Names,
  appCreateCommand,
  appUpdateCommand,
  code,
  differenceSentence,
  flexibleCreateCommands,
  flexibleExpressionFor,
  flexibleNotes,
  nearestOf,
} from './audit-text.js';
import { hasWildcard } from './glob.js';
import type { WorkflowFile } from './parse.js';
import { effectivePermissions, repoRelativePath } from './parse-core.js';
import type { JobPrediction, PredictedSubject, SubjectContext } from './predict.js';

function jobLabel(jp: JobPrediction): string {
  return jp.calls?.jobId
    ? `${code(jp.jobId)} (→ ${code(jp.calls.jobId)} in ${code(repoRelativePath(jp.calls.file ?? ''))})`
    : code(jp.jobId);
}

export interface NearestInfo {
  entry?: ClassicEntry;
  sentence: string;
  diff?: string;
}

function explainNearest(
  p: PredictedSubject,
  index: CredentialIndex,
  ctx: AuditContext,
  cache: Map<string, NearestInfo>,
): NearestInfo {
  const cached = cache.get(p.subject);
  if (cached) return cached;
  const entry = nearestOf(p.subject, index.classic, (e) => e.subject);
  let info: NearestInfo;
  if (!entry) {
    info = {
      sentence: index.flexible.length > 0 ? '' : 'The identity has no classic federated credential to compare with.',
    };
  } else {
    const c = entry.credential;
    const parts: string[] = [];
    if (entry.subject === p.subject) {
      if (c.issuer !== ctx.issuer)
        parts.push(
          `Credential '${c.name}' has this subject, ` +
            `but its issuer ${code(c.issuer)} is not the token's ${code(ctx.issuer)}.`,
        );
      if (!c.audiences?.includes(ctx.audience))
        parts.push(
          `Credential '${c.name}' has this subject, but its audience ${code(c.audiences?.[0] ?? '')} ` +
            `is not the one the login asks for (${code(ctx.audience)}).`,
        );
      info = { entry, sentence: parts.join(' ') };
    } else {
      const diff = diffLines('predicted', p.subject, `'${c.name}'`, entry.subject);
      const why = differenceSentence(p.subject, entry.subject);
      info = {
        entry,
        diff,
        sentence: `The nearest credential is '${c.name}' (${code(entry.subject)}).${why ? ` ${why}` : ''}`,
      };
    }
  }
  cache.set(p.subject, info);
  return info;
}

function flexibleSummary(p: PredictedSubject, index: CredentialIndex): string {
  if (index.flexible.length === 0) return '';
  const first = index.flexible[0]!;
  const ev = evaluateClaimsMatchingExpression(first.clauses, { ...p.claims, sub: p.subject });
  const failure = ev.firstFailure;
  const detail = failure
    ? `; for '${first.credential.name}', ${code(failure.clause.text)} ` +
      `fails against ${code(failure.actual ?? '(absent)')}`
    : '';
  return (
    `${index.flexible.length} flexible credential${index.flexible.length > 1 ? 's do' : ' does'} ` +
    `not match either${detail}.`
  );
}

function withIdPlaceholders(subject: string, ctx: SubjectContext): string {
  return subject
    .replace(`repo:${ctx.owner}@*/`, `repo:${ctx.owner}@<OWNER-ID>/`)
    .replace(`/${ctx.repo}@*:`, `/${ctx.repo}@<REPOSITORY-ID>:`);
}

function missingIdsOnly(subject: string, ctx: SubjectContext): boolean {
  return !!ctx.immutable && subject.includes('@*') && !hasWildcard(withIdPlaceholders(subject, ctx));
}

export function jobNeverMatches(
  jp: JobPrediction,
  p: PredictedSubject,
  matched: SubjectMatch[],
  index: CredentialIndex,
  ctx: AuditContext,
  credentials: readonly FederatedCredential[],
  names: Names,
  cache: Map<string, NearestInfo>,
): Finding {
  const nearest = explainNearest(p, index, ctx, cache);
  const lines = neverMatchesMessage(jp, p, matched, index, credentials, nearest);
  const fix = !p.pattern
    ? exactSubjectFix(jp, p, nearest, ctx, names)
    : missingIdsOnly(p.subject, ctx)
      ? missingIdsFix(p, ctx, names)
      : patternFix(p, ctx, names);
  const evidence: Evidence[] = [
    { label: 'Predicted subject', actual: p.subject, ...(nearest.entry ? { expected: nearest.entry.subject } : {}) },
  ];
  if (nearest.entry && nearest.entry.credential.issuer !== ctx.issuer)
    evidence.push({ label: 'Issuer', actual: ctx.issuer, expected: nearest.entry.credential.issuer });
  if (nearest.entry && !nearest.entry.credential.audiences?.includes(ctx.audience))
    evidence.push({ label: 'Audience', actual: ctx.audience, expected: nearest.entry.credential.audiences?.[0] ?? '' });
  return {
    id: 'job-never-matches',
    severity: p.certain ? 'error' : 'warning',
    title:
      `Job ${jp.jobId} ${p.certain ? 'will not' : 'may not'} match any federated credential ` +
      `when run by ${p.trigger}`,
    message: lines.join('\n'),
    fix: fix.join('\n'),
    evidence,
    location: { file: p.sourceFile, line: p.sourceLine },
  };
}

function neverMatchesMessage(
  jp: JobPrediction,
  p: PredictedSubject,
  matched: SubjectMatch[],
  index: CredentialIndex,
  credentials: readonly FederatedCredential[],
  nearest: NearestInfo,
): string[] {
  const file = repoRelativePath(jp.file);
  const lines: string[] = [];
  const set = p.pattern ? ' (a pattern: the actual name takes the place of the wildcard)' : '';
  lines.push(
    p.certain
      ? `GitHub will send ${code(p.subject)}${set} for job ${jobLabel(jp)} in ${code(file)} ` +
          `when it runs for ${p.trigger}.`
      : `GitHub may send ${code(p.subject)}${set} for job ${jobLabel(jp)} in ${code(file)} ` +
          `when it runs for ${p.trigger}; this is a prediction, not a certainty.`,
  );
  lines.push(`Why: ${p.reason}`);
  lines.push(
    'No federated credential accepts it: Entra compares issuer, subject and audience exactly and case-sensitively, ' +
      'and classic credentials have no wildcards.',
  );
  if (nearest.sentence) lines.push(nearest.sentence);
  if (nearest.diff) lines.push(nearest.diff);
  const flex = flexibleSummary(p, index);
  if (flex) lines.push(flex);
  const ok = matched.filter((m) => m.full.length > 0 || m.partial.length > 0);
  if (ok.length > 0)
    lines.push(
      `Other runs of this job do match: ${ok
        .map((m) => `${code(m.subject.subject)} → '${[...m.full, ...m.partial][0]!.name}'`)
        .join(', ')}.`,
    );
  if (credentials.length >= CREDENTIAL_LIMIT)
    lines.push(
      `The identity already has ${credentials.length} credentials, the limit: ` +
        'delete one first, or use a flexible credential.',
    );
  return lines;
}

/** The fix for one exact subject: add a credential for it, or correct the near miss, or the job. */
function exactSubjectFix(
  jp: JobPrediction,
  p: PredictedSubject,
  nearest: NearestInfo,
  ctx: AuditContext,
  names: Names,
): string[] {
  const fix: string[] = [];
  const name = names.for(p.subject, credentialNameForSubject(p.subject));
  const spec = { name, issuer: ctx.issuer, subject: p.subject, audience: ctx.audience };
  fix.push(
    `Add a credential for ${code(p.subject)}:`,
    appCreateCommand(spec),
    '# or, for a user-assigned managed identity:',
    azIdentityCreateCommand(spec),
  );
  const e = nearest.entry;
  if (e && e.subject !== p.subject) {
    if (isNearMiss(classifySubjectDifference(p.subject, e.subject)))
      fix.push(`Or correct credential '${e.credential.name}':`, appUpdateCommand(e.credential, { subject: p.subject }));
    const ep = parseSubject(e.subject);
    if (p.environment !== undefined && ep.contextKind !== 'environment' && ep.contextKind !== 'other')
      fix.push(
        `Or, if job ${code(jp.calls?.jobId ?? jp.jobId)} should not use an environment, ` +
          `remove ${code('environment:')} (${code(repoRelativePath(p.sourceFile))} line ${p.sourceLine}); ` +
          'GitHub then sends the ref or pull_request subject.',
      );
    if (p.environment === undefined && ep.contextKind === 'environment' && ep.environment)
      fix.push(
        `Or declare the environment the credential expects on the job: ${code(`environment: ${ep.environment}`)}.`,
      );
  }
  return fix;
}

/** The only unknown parts are the immutable ids: a classic credential with the ids filled in. */
function missingIdsFix(p: PredictedSubject, ctx: AuditContext, names: Names): string[] {
  const fix: string[] = [];

  const subject = withIdPlaceholders(p.subject, ctx);
  const name = names.for(subject, credentialNameForSubject(subject));
  fix.push(
    `Find the ids (${code(`gh api repos/${ctx.owner}/${ctx.repo} --jq '.owner.id, .id'`)}), ` +
      'put them in place of the placeholders, and add a credential:',
    appCreateCommand({ name, issuer: ctx.issuer, subject, audience: ctx.audience }),
  );
  return fix;
}

/** A pattern prediction (a branch glob, an unknown environment): a flexible credential trusts every run. */
function patternFix(p: PredictedSubject, ctx: AuditContext, names: Names): string[] {
  const fix: string[] = [];
  const expression = flexibleExpressionFor(p.subject, ctx);
  const name = names.for(`flexible:${p.subject}`, credentialNameForSubject(p.subject.replace(/[*?]+/g, 'any')));
  const unknownEnv = p.environment !== undefined && hasWildcard(p.environment);
  fix.push(
    unknownEnv
      ? 'Add a credential for each environment the job deploys to ' +
          `(${code(p.subject.replace(/\*/g, '<ENVIRONMENT>'))}), or one flexible credential for all of them:`
      : 'A classic credential matches one name only; to trust every run of this pattern, add a flexible credential:',
    expression,
    flexibleCreateCommands(name, expression, ctx),
    flexibleNotes(ctx),
  );
  if (unknownEnv)
    fix.push(
      appCreateCommand({
        name: 'github-env-ENVIRONMENT',
        issuer: ctx.issuer,
        subject: p.subject.replace(/\*/g, '<ENVIRONMENT>'),
        audience: ctx.audience,
      }),
    );
  return fix;
}

/** A job calls a workflow file of this repository that is not there: GitHub fails the run. */
export function missingCallFinding(jp: JobPrediction): Finding {
  const uses = jp.calls?.uses ?? '';
  return {
    id: 'workflow-call-missing',
    severity: 'error',
    title: `Job ${jp.jobId} calls ${uses}, which is not in the repository`,
    message:
      `Job ${code(jp.jobId)} in ${code(repoRelativePath(jp.file))} (line ${jp.calls?.line}) calls ${code(uses)}, ` +
      `but no such workflow file was found in ${code('.github/workflows')}. ` +
      'GitHub rejects the workflow when the called file does not exist at that ref, so none of its jobs log in.',
    fix:
      `Correct the path in ${code('uses:')} (line ${jp.calls?.line}), ` +
      `or add the reusable workflow file with ${code('on: workflow_call')}.`,
    location: { file: jp.file, line: jp.calls?.line ?? jp.jobLine },
  };
}

/**
 * A job that logs in to Azure under a `permissions:` block without `id-token: write` can never
 * get a token: a block that names any scope sets every other one to none. Only certain cases:
 * with no block at all, the repository's default decides, which the workflow does not show.
 */
export function permissionsMissing(workflows: readonly WorkflowFile[]): Finding[] {
  const findings: Finding[] = [];
  for (const workflow of workflows) {
    for (const job of workflow.jobs) {
      if (!job.logsInToAzure || job.uses) continue;
      const block = effectivePermissions(workflow, job);
      if (!block || block.kind === 'expression' || block.kind === 'invalid' || block.idToken === 'write') continue;
      const where = job.permissions ? `job ${code(job.id)}'s` : "the workflow's";
      const grants =
        block.kind === 'read-all'
          ? code('read-all')
          : block.kind === 'empty'
            ? code('{}')
            : block.idToken === 'read'
              ? code('id-token: read')
              : 'no `id-token`';
      findings.push({
        id: 'permissions-missing',
        severity: 'error',
        title: `Job '${job.id}' logs in to Azure without 'id-token: write'`,
        message:
          `${where[0]!.toUpperCase()}${where.slice(1)} ${code('permissions:')} block (line ${block.line}) ` +
          `grants ${grants}. A block that names any permission sets the others to none, ` +
          'so the runner gives this job no OIDC token and the login fails ' +
          '(azure/login: "Failed to fetch federated token from GitHub").' +
          (!job.permissions && workflow.permissions ? ' A job-level block would replace it for this job.' : ''),
        fix: job.permissions ? `jobs:\n  ${job.id}:\n${PERMISSIONS_YAML.replace(/^/gm, '    ')}` : PERMISSIONS_YAML,
        location: { file: workflow.path, line: block.idTokenLine ?? block.line },
      });
    }
  }
  return findings;
}
