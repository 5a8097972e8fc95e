/**
 * Audit workflow files against an identity's federated credentials before anything runs:
 * which Azure-login jobs will never match (and the exact credential to add), which
 * credentials no job can use, and credentials that are broken on their own (wildcards,
 * typos, the 20-credential limit). Pure.
 *
 * Cost: classic credentials are indexed by subject (one Map lookup per predicted subject);
 * glob predictions and flexible credentials are scanned, which is linear in
 * workflows x credentials. Near-miss explanations are cached per subject.
 */
import type { FederatedCredential } from '../entra/credential.js';
import type { Finding } from '../diagnose/finding.js';
import { credentialChecks, targetsRepository, unusedFinding } from './audit-credentials.js';
import { type NearestInfo, jobNeverMatches, missingCallFinding, permissionsMissing } from './audit-jobs.js';
import { buildIndex, matchSubject, type SubjectMatch } from './audit-match.js';
import { Names, code } from './audit-text.js';
import type { WorkflowFile } from './parse.js';
import { repoRelativePath } from './parse-core.js';
import {
  predictSubjects,
  resolveCalledWorkflow,
  type JobPrediction,
  type PredictedSubject,
  type SubjectContext,
} from './predict.js';

export interface AuditContext extends SubjectContext {
  /** The issuer the tokens carry: `https://token.actions.githubusercontent.com` on github.com. */
  issuer: string;
  /** The audience the login asks for: `api://AzureADTokenExchange` in Azure's public cloud. */
  audience: string;
}

interface WorkflowAudit {
  workflow: WorkflowFile;
  jobs: Array<{ prediction: JobPrediction; matches: SubjectMatch[] }>;
}

export interface AuditResult {
  findings: Finding[];
  workflows: WorkflowAudit[];
}

function calledPaths(workflows: readonly WorkflowFile[], ctx: SubjectContext): Set<string> {
  const called = new Set<string>();
  for (const w of workflows)
    for (const j of w.jobs) {
      if (!j.uses) continue;
      const target = resolveCalledWorkflow(j.uses, ctx);
      if (target) called.add(repoRelativePath(target.path));
    }
  return called;
}

/** The audit with the predictions and per-subject matches, for reports that list them. */
export function auditWorkflowsDetailed(
  workflows: readonly WorkflowFile[],
  credentials: readonly FederatedCredential[],
  ctx: AuditContext,
): AuditResult {
  const names = new Names(credentials);
  const reported = new Set<FederatedCredential>();
  const findings: Finding[] = [
    ...permissionsMissing(workflows),
    ...credentialChecks(credentials, ctx, names, reported),
  ];
  const index = buildIndex(credentials, ctx);
  const subjectCtx: SubjectContext = { ...ctx, workflows: ctx.workflows ?? workflows };
  const called = calledPaths(workflows, subjectCtx);
  const used = new Set<FederatedCredential>();
  const predicted = new Map<string, PredictedSubject>();
  const cache = new Map<string, NearestInfo>();
  const seenFindings = new Set<string>();
  const audits: WorkflowAudit[] = [];
  /** What could use a credential but was not understood: no "delete it" while this is not empty. */
  const unread: string[] = [];

  for (const workflow of workflows) {
    const predictions = predictSubjects(workflow, subjectCtx, {
      skipWorkflowCall: called.has(repoRelativePath(workflow.path)),
    });
    const audit: WorkflowAudit = { workflow, jobs: [] };
    audits.push(audit);
    for (const jp of predictions) {
      const matches = jp.subjects.map((s) => matchSubject(s, index));
      audit.jobs.push({ prediction: jp, matches });
      for (const m of matches) {
        if (!predicted.has(m.subject.subject)) predicted.set(m.subject.subject, m.subject);
        for (const c of m.full) used.add(c);
        for (const c of m.partial) used.add(c);
        for (const c of m.maybe) used.add(c);
      }
      if (jp.calls?.missing) {
        const key = `missing:${jp.file}:${jp.calls.line}`;
        if (!seenFindings.has(key)) {
          seenFindings.add(key);
          findings.push(missingCallFinding(jp));
        }
      }
      // A call to a workflow that was not read: nothing is known about its logins.
      if (jp.calls && !jp.calls.resolved) {
        unread.push(
          `job ${code(jp.jobId)} in ${code(repoRelativePath(jp.file))} ` +
            `calls ${code(jp.calls.uses)}, which was not read`,
        );
        continue;
      }
      if (jp.uncertainLogin) {
        const how =
          jp.notes[0]?.replace(/^Line \d+: /, 'at ').replace(/\.$/, '') ??
          'may log in through an action that was not read';
        unread.push(`job ${code(jp.jobId)} in ${code(repoRelativePath(jp.file))} ${how}`);
      }

      const unmatched = matches.filter((m) => m.full.length === 0 && m.partial.length === 0);
      const matched = matches.filter((m) => m.full.length > 0 || m.partial.length > 0);
      for (const m of unmatched) {
        const key = `${m.subject.subject}@${m.subject.sourceFile}:${m.subject.sourceLine}:${jp.jobId}`;
        if (seenFindings.has(key)) continue;
        seenFindings.add(key);
        findings.push(jobNeverMatches(jp, m.subject, matched, index, ctx, credentials, names, cache));
      }
    }
  }

  if (workflows.length > 0) {
    const distinct = [...predicted.values()];
    for (const e of index.usable) {
      if (used.has(e.credential) || reported.has(e.credential) || !targetsRepository(e.subject, ctx)) continue;
      findings.push(unusedFinding(e, distinct, workflows.length, unread));
    }
  }
  return { findings, workflows: audits };
}

/**
 * Findings for the workflows and the identity's credentials: `job-never-matches`,
 * `permissions-missing`, `credential-unused`, `credential-wildcard`, `credential-limit`, `credential-lint`.
 */
export function auditWorkflows(
  workflows: readonly WorkflowFile[],
  credentials: readonly FederatedCredential[],
  ctx: AuditContext,
): Finding[] {
  return auditWorkflowsDetailed(workflows, credentials, ctx).findings;
}
