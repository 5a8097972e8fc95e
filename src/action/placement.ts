/**
 * Putting findings on the workflow line they concern: the job's `environment:` for an
 * environment subject, the trigger for pull request / tag subjects, the `permissions:` block,
 * the step's `with:` input. Reads the workflow file from the workspace when it is checked
 * out; otherwise findings stay unplaced. Loaded only when there are findings to place.
 */
import { MAX_WORKFLOW_FILE_BYTES, readWorkspaceFile } from './workspace-file.js';
import type { Finding, FindingId } from '../diagnose/finding.js';
import type { GitHubClaims } from '../github/claims.js';
import { parseWorkflow, type WorkflowFile } from '../workflow/parse.js';
import {
  findRunningJob,
  lineForPermissions,
  lineForStepInput,
  lineForSubjectCause,
  parseWorkflowRef,
  type LineLocation,
} from '../workflow/locate.js';

interface PlacementContext {
  workspace?: string;
  workflowRef?: string;
  job?: string;
  claims?: Partial<GitHubClaims>;
  /** The input a finding is about (input-invalid). */
  input?: string;
  /** GITHUB_ACTION_REPOSITORY: how this action is referenced in `uses:`. */
  actionRepository?: string;
}

const SUBJECT_IDS: ReadonlySet<FindingId> = new Set([
  'subject-mismatch',
  'subject-case-mismatch',
  'subject-immutable-format',
  'subject-custom-template',
  'expression-mismatch',
  'credential-not-found',
]);

async function readWorkflow(workspace: string, path: string): Promise<WorkflowFile | undefined> {
  try {
    return parseWorkflow(await readWorkspaceFile(workspace, path, MAX_WORKFLOW_FILE_BYTES), path);
  } catch {
    return undefined;
  }
}

/** The step that runs this action: `uses:` naming this repository, or a local `./` path to it. */
function isThisAction(actionRepository: string | undefined) {
  const repo = actionRepository?.toLowerCase();
  return (step: { uses?: string }) => {
    const uses = (step.uses ?? '').toLowerCase().replace(/@.*$/, '');
    return (!!repo && uses === repo) || uses.endsWith('azure-federation-check') || uses === './';
  };
}

export async function placeFindings(findings: readonly Finding[], ctx: PlacementContext): Promise<Finding[]> {
  if (!ctx.workspace || !ctx.workflowRef || !ctx.job || findings.every((f) => f.location)) return [...findings];
  const top = parseWorkflowRef(ctx.workflowRef);
  if (!top) return [...findings];
  const workflows: WorkflowFile[] = [];
  const main = await readWorkflow(ctx.workspace, top.path);
  if (!main) return [...findings];
  workflows.push(main);
  const called = parseWorkflowRef(ctx.claims?.job_workflow_ref);
  if (called && called.repository.toLowerCase() === top.repository.toLowerCase() && called.path !== top.path) {
    const wf = await readWorkflow(ctx.workspace, called.path);
    if (wf) workflows.push(wf);
  }
  const running = findRunningJob(workflows, {
    workflowRef: ctx.workflowRef,
    job: ctx.job,
    jobWorkflowRef: ctx.claims?.job_workflow_ref,
  });
  if (!running?.workflow) return [...findings];
  // In a reusable workflow the step and environment live in the called file; the trigger in the caller's.
  const stepWorkflow = running.called?.workflow ?? running.workflow;
  const jobId = ctx.job;
  const callerJobId = running.called?.callerJobs[0]?.id ?? jobId;
  const subjectLine = (): LineLocation => {
    if (running.called?.workflow && ctx.claims?.environment) {
      const loc = lineForSubjectCause(running.called.workflow, jobId, ctx.claims);
      if (loc.anchor === 'environment') return loc;
    }
    return lineForSubjectCause(running.workflow!, running.called ? callerJobId : jobId, ctx.claims ?? {});
  };
  const place = (f: Finding): LineLocation | undefined => {
    if (SUBJECT_IDS.has(f.id)) return subjectLine();
    switch (f.id) {
      case 'oidc-unavailable':
        return lineForPermissions(running.workflow!, running.called ? callerJobId : jobId);
      case 'audience-mismatch':
        return lineForStepInput(stepWorkflow, jobId, isThisAction(ctx.actionRepository), 'audience');
      case 'input-invalid':
        return ctx.input
          ? lineForStepInput(stepWorkflow, jobId, isThisAction(ctx.actionRepository), ctx.input)
          : undefined;
      case 'client-not-found':
        return lineForStepInput(stepWorkflow, jobId, isThisAction(ctx.actionRepository), 'client-id');
      case 'tenant-not-found':
        return lineForStepInput(stepWorkflow, jobId, isThisAction(ctx.actionRepository), 'tenant-id');
      default:
        return undefined;
    }
  };
  return findings.map((f) => {
    if (f.location) return f;
    const loc = place(f);
    if (!loc) return f;
    const note =
      loc.note && !f.message.includes(loc.note) && !restates(f.message, loc.note) ? loc.note.replace(/`/g, "'") : '';
    // The line's note goes with the explanation, before Entra's trace tail (kept last for support).
    const lines = f.message.split('\n');
    const tail = lines.length > 1 && /^(Trace ID|For Microsoft support)/.test(lines.at(-1)!) ? lines.pop()! : undefined;
    const message = [...lines, ...(note ? [note] : []), ...(tail ? [tail] : [])].join('\n');
    return {
      ...f,
      message,
      location: { file: loc.file, line: loc.line, ...(loc.column ? { column: loc.column } : {}) },
    };
  });
}

/**
 * The message already states the line's fact (each fact once): every `key: value` the note
 * quotes, e.g. `environment: Production`, is in the message; the annotation still carries the line.
 */
function restates(message: string, note: string): boolean {
  const facts = (note.match(/`[^`\n]+: [^`\n]+`/g) ?? []).map((s) => s.slice(1, -1));
  return facts.length > 0 && facts.every((fact) => message.includes(fact));
}
