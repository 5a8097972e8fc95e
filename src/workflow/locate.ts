/**
 * Pick the line of a workflow file a finding belongs on, so the annotation lands on the
 * text the user has to change. Pure.
 */
import type { GitHubClaims } from '../github/claims.js';
import { parseSubject } from '../github/subject.js';
import type { TriggerFilter, WorkflowFile, WorkflowJob, WorkflowStep, WorkflowTrigger } from './parse.js';
import { findJob, repoRelativePath } from './parse-core.js';

export interface LineLocation {
  file: string;
  /** 1-based. */
  line: number;
  column?: number;
  /** What is on the line. */
  anchor: 'environment' | 'trigger' | 'filter' | 'permissions' | 'step-input' | 'step' | 'job' | 'workflow';
  /** A short sentence for messages: what the line is and why it matters. */
  note: string;
}

const code = (s: string) => `\`${s}\``;

/**
 * Does a GitHub branch/tag filter pattern match a name? (`*` not across `/`, `**` across, `?`/`+`
 * quantify, `[]` classes.)
 */
export function filterMatches(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?' || c === '+') {
      re += re.length > 0 ? c : `\\${c}`;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end > i + 1) {
        re += `[${pattern.slice(i + 1, end).replace(/[\\^]/g, '\\$&')}]`;
        i = end;
      } else re += '\\[';
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`).test(name);
  } catch {
    return pattern === name;
  }
}

function matchingValueLine(filter: TriggerFilter | undefined, name: string): number | undefined {
  if (!filter) return undefined;
  const i = filter.values.findIndex((v) => !v.startsWith('!') && (v === name || filterMatches(v, name)));
  return i >= 0 ? filter.valueLines[i] : undefined;
}

function triggerLocation(workflow: WorkflowFile, t: WorkflowTrigger, note: string): LineLocation {
  return { file: workflow.path, line: t.line, column: t.column, anchor: 'trigger', note };
}

function jobLocation(workflow: WorkflowFile, job: WorkflowJob | undefined, note: string): LineLocation {
  if (job) return { file: workflow.path, line: job.line, column: job.column, anchor: 'job', note };
  return { file: workflow.path, line: workflow.on?.line ?? 1, anchor: 'workflow', note };
}

/**
 * The location of the ref (branch or tag) part: the filter value that lets the ref run the
 * workflow, else the trigger.
 */
function refLocation(workflow: WorkflowFile, ref: string, event: string | undefined): LineLocation | undefined {
  const isTag = ref.startsWith('refs/tags/');
  const isBranch = ref.startsWith('refs/heads/');
  const name = ref.replace(/^refs\/(heads|tags)\//, '');
  const byEvent = event ? workflow.triggers.find((t) => t.event === event) : undefined;
  if (byEvent && byEvent.event !== 'push')
    return triggerLocation(
      workflow,
      byEvent,
      `${code(event!)} (line ${byEvent.line}) started the run on ${code(ref)}.`,
    );
  const push = workflow.triggers.find((t) => t.event === 'push');
  if (push && (isTag || isBranch)) {
    const filter = isTag ? push.tags : push.branches;
    const key = isTag ? 'tags' : 'branches';
    const line = matchingValueLine(filter, name);
    if (line !== undefined)
      return {
        file: workflow.path,
        line,
        anchor: 'filter',
        note: `The push ${key} filter lets ${code(name)} run this workflow (line ${line}).`,
      };
    if (filter)
      return {
        file: workflow.path,
        line: filter.line,
        anchor: 'filter',
        note:
          `The push ${key} filter (line ${filter.line}) ` +
          `decides which ${isTag ? 'tags' : 'branches'} run this workflow.`,
      };
    return triggerLocation(workflow, push, `The push trigger (line ${push.line}) runs this workflow for ${code(ref)}.`);
  }
  if (isTag) {
    const release = workflow.triggers.find((t) => t.event === 'release');
    if (release)
      return triggerLocation(
        workflow,
        release,
        `The release trigger (line ${release.line}) runs on the release's tag.`,
      );
  }
  const fallback =
    byEvent ??
    workflow.triggers.find((t) => t.event === 'workflow_dispatch' || t.event === 'schedule') ??
    workflow.triggers[0];
  return fallback
    ? triggerLocation(
        workflow,
        fallback,
        `${code(fallback.event)} (line ${fallback.line}) started the run on ${code(ref)}.`,
      )
    : undefined;
}

/**
 * The line that explains a token's subject: the job's `environment:` line when the token
 * has an environment, the trigger (or its branch/tag filter value) for pull request,
 * branch and tag subjects, else the job's line.
 */
export function lineForSubjectCause(
  workflow: WorkflowFile,
  jobId: string,
  claims: Partial<GitHubClaims>,
): LineLocation {
  const job = findJob(workflow, jobId);
  const parts = typeof claims.sub === 'string' ? parseSubject(claims.sub) : undefined;
  const environment = (typeof claims.environment === 'string' && claims.environment) || parts?.environment;
  if (environment && job?.environment) {
    return {
      file: workflow.path,
      line: job.environment.line,
      column: job.environment.column,
      anchor: 'environment',
      note:
        `Job ${code(jobId)} declares ${code(`environment: ${job.environment.name ?? ''}`)} ` +
        `(line ${job.environment.line}), so the subject names the environment instead of the ref.`,
    };
  }
  const event = typeof claims.event_name === 'string' ? claims.event_name : undefined;
  const isPr =
    parts?.contextKind === 'pull_request' || (!parts && (event === 'pull_request' || event === 'pull_request_target'));
  if (isPr) {
    const t =
      (event ? workflow.triggers.find((x) => x.event === event) : undefined) ??
      workflow.triggers.find((x) => x.event === 'pull_request' || x.event === 'pull_request_target') ??
      workflow.triggers.find((x) => x.event.startsWith('pull_request'));
    if (t)
      return triggerLocation(
        workflow,
        t,
        `The ${code(t.event)} trigger (line ${t.line}) runs the job for pull requests, ` +
          `and GitHub sends ${code('pull_request')} for them.`,
      );
  }
  const ref = (typeof claims.ref === 'string' && claims.ref) || parts?.ref;
  if (!environment && ref) {
    const loc = refLocation(workflow, ref, event);
    if (loc) return loc;
  }
  return jobLocation(
    workflow,
    job,
    job ? `Job ${code(jobId)} (line ${job.line}).` : `Job ${code(jobId)} is not in ${code(workflow.path)}.`,
  );
}

/** Where `id-token: write` goes: the job's `permissions:` block, else the workflow's, else the job line. */
export function lineForPermissions(workflow: WorkflowFile, jobId: string): LineLocation {
  const job = findJob(workflow, jobId);
  if (job?.permissions)
    return {
      file: workflow.path,
      line: job.permissions.line,
      column: job.permissions.column,
      anchor: 'permissions',
      note:
        `Job ${code(jobId)}'s ${code('permissions:')} block (line ${job.permissions.line}) ` +
        `replaces the workflow's; it must grant ${code('id-token: write')}.`,
    };
  if (workflow.permissions)
    return {
      file: workflow.path,
      line: workflow.permissions.line,
      column: workflow.permissions.column,
      anchor: 'permissions',
      note:
        `The workflow's ${code('permissions:')} block (line ${workflow.permissions.line}) ` +
        `applies to job ${code(jobId)}; it must grant ${code('id-token: write')}.`,
    };
  return jobLocation(
    workflow,
    job,
    `Neither job ${code(jobId)} nor the workflow has a ${code('permissions:')} block; ` +
      `add one with ${code('id-token: write')} under the job.`,
  );
}

/** A step: by 0-based index, by `id`/`name`/`uses` (action name, any ref, any case), or a predicate. */
type StepMatcher = number | string | ((step: WorkflowStep) => boolean);

function stepMatches(step: WorkflowStep, m: StepMatcher): boolean {
  if (typeof m === 'number') return step.index === m;
  if (typeof m === 'function') return m(step);
  const want = m.toLowerCase().replace(/@.*$/, '');
  if (step.id === m || step.name === m) return true;
  const uses = (step.uses ?? '').toLowerCase().replace(/@.*$/, '');
  return uses !== '' && uses === want;
}

/** The line of a step's `with: <input>`, else its `with:`, else the step, else the job. */
export function lineForStepInput(
  workflow: WorkflowFile,
  jobId: string,
  stepMatcher: StepMatcher,
  inputName: string,
): LineLocation {
  const job = findJob(workflow, jobId);
  const step = job?.steps.find((s) => stepMatches(s, stepMatcher));
  if (!job || !step)
    return jobLocation(
      workflow,
      job,
      job ? `Job ${code(jobId)} (line ${job.line}).` : `Job ${code(jobId)} is not in ${code(workflow.path)}.`,
    );
  const label = step.name ? code(step.name) : step.uses ? code(step.uses) : `${step.index + 1}`;
  const inputLine = step.withLines[inputName];
  if (inputLine !== undefined)
    return {
      file: workflow.path,
      line: inputLine,
      anchor: 'step-input',
      note: `Input ${code(inputName)} of step ${label} (line ${inputLine}).`,
    };
  if (step.withLine !== undefined)
    return {
      file: workflow.path,
      line: step.withLine,
      anchor: 'step-input',
      note: `Step ${label} has no ${code(inputName)} input; add it under ${code('with:')} (line ${step.withLine}).`,
    };
  return {
    file: workflow.path,
    line: step.line,
    column: step.column,
    anchor: 'step',
    note:
      `Step ${label} (line ${step.line}) has no ${code('with:')}; ` +
      `add ${code(`${inputName}:`)} under a new ${code('with:')}.`,
  };
}

interface WorkflowRefParts {
  repository: string;
  path: string;
  ref: string;
}

/** `octo/repo/.github/workflows/deploy.yml@refs/heads/main` → parts; undefined when it is not that shape. */
export function parseWorkflowRef(value: string | undefined): WorkflowRefParts | undefined {
  if (!value) return undefined;
  const at = value.indexOf('@');
  const left = at >= 0 ? value.slice(0, at) : value;
  const ref = at >= 0 ? value.slice(at + 1) : '';
  const parts = left.split('/');
  if (parts.length < 3 || !parts[0] || !parts[1]) return undefined;
  return { repository: `${parts[0]}/${parts[1]}`, path: parts.slice(2).join('/'), ref };
}

interface RunningJob {
  /** The workflow file named by `workflow_ref` (GITHUB_WORKFLOW_REF), when it is among the files read. */
  workflow?: WorkflowFile;
  /** Its path relative to the repository: `.github/workflows/deploy.yml`. */
  path: string;
  repository: string;
  ref: string;
  /** The job (GITHUB_JOB) in `workflow`, or in the called workflow for a reusable one. */
  job?: WorkflowJob;
  /** Set when `job_workflow_ref` names another file than `workflow_ref`: a reusable workflow runs the job. */
  called?: {
    repository: string;
    path: string;
    ref: string;
    workflow?: WorkflowFile;
    job?: WorkflowJob;
    /** The jobs of `workflow` that call it. */
    callerJobs: WorkflowJob[];
  };
  /** Whose context the subject carries, when a reusable workflow is involved. */
  note?: string;
}

function findByPath(workflows: readonly WorkflowFile[], path: string): WorkflowFile | undefined {
  const want = repoRelativePath(path);
  return workflows.find((w) => repoRelativePath(w.path) === want);
}

/**
 * The workflow file and job a run is executing, from GITHUB_WORKFLOW_REF and GITHUB_JOB
 * (and the token's `job_workflow_ref` when known). For a reusable workflow both files are returned.
 */
export function findRunningJob(
  workflows: readonly WorkflowFile[],
  run: { workflowRef: string; job?: string; jobWorkflowRef?: string },
): RunningJob | undefined {
  const top = parseWorkflowRef(run.workflowRef);
  if (!top) return undefined;
  const workflow = findByPath(workflows, top.path);
  const result: RunningJob = {
    path: repoRelativePath(top.path),
    repository: top.repository,
    ref: top.ref,
    ...(workflow ? { workflow } : {}),
  };
  const called = parseWorkflowRef(run.jobWorkflowRef);
  const differs =
    !!called &&
    (called.repository.toLowerCase() !== top.repository.toLowerCase() ||
      repoRelativePath(called.path) !== repoRelativePath(top.path));
  if (!called || !differs) {
    const job = workflow && run.job ? findJob(workflow, run.job) : undefined;
    if (job) result.job = job;
    return result;
  }
  const sameRepo = called.repository.toLowerCase() === top.repository.toLowerCase();
  const calledWorkflow = sameRepo ? findByPath(workflows, called.path) : undefined;
  const calledPath = repoRelativePath(called.path);
  const callerJobs = (workflow?.jobs ?? []).filter((j) => {
    const u = j.uses;
    if (!u?.path || repoRelativePath(u.path) !== calledPath) return false;
    return u.local ? sameRepo : (u.repository ?? '').toLowerCase() === called.repository.toLowerCase();
  });
  // Inside a reusable workflow GITHUB_JOB is the called workflow's job id.
  const job = run.job
    ? ((calledWorkflow ? findJob(calledWorkflow, run.job) : undefined) ??
      (workflow ? findJob(workflow, run.job) : undefined))
    : undefined;
  if (job) result.job = job;
  result.called = {
    repository: called.repository,
    path: calledPath,
    ref: called.ref,
    ...(calledWorkflow ? { workflow: calledWorkflow } : {}),
    ...(calledWorkflow && run.job && findJob(calledWorkflow, run.job)
      ? { job: findJob(calledWorkflow, run.job)! }
      : {}),
    callerJobs,
  };
  result.note =
    `The job runs the reusable workflow ${code(`${called.repository}/${calledPath}@${called.ref}`)} ` +
    `(the token's ${code('job_workflow_ref')}), ` +
    `called from ${code(`${top.repository}/${result.path}`)}` +
    `${callerJobs.length ? ` (job ${callerJobs.map((j) => code(j.id)).join(', ')})` : ''} on ${code(top.ref)}. ` +
    `The subject carries the CALLER's context: repository ${code(top.repository)} with its ref or pull_request, ` +
    'or the environment the called job declares; ' +
    `${code('job_workflow_ref')} is the only claim that names the reusable file, ` +
    'so a credential that should trust only that file needs a flexible expression on ' +
    `${code("claims['job_workflow_ref']")}.`;

  return result;
}
