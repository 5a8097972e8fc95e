/** The shapes of subject predictions, shared by the prediction modules and their callers. */
import type { WorkflowFile } from './parse.js';

/** Who calls a reusable workflow (`on: workflow_call`): the subject carries the caller's repository and context. */
export interface CallerContext {
  /** The caller's repository when it is not `ctx.owner/ctx.repo`. */
  owner?: string;
  repo?: string;
  ownerId?: string;
  repoId?: string;
  /** The calling workflow: its triggers decide the context part of the subject. */
  workflow?: WorkflowFile;
  /** The job of `workflow` that calls this file (its `with:` gives `inputs.*`). */
  callerJobId?: string;
  /** Or one known context: the caller's event and ref. */
  eventName?: string;
  ref?: string;
  /** Inputs the caller passes (`with:`), when known without a workflow. */
  inputs?: Readonly<Record<string, string>>;
}

export interface SubjectTemplate {
  useDefault: boolean;
  includeClaimKeys?: string[];
}

export interface SubjectContext {
  owner: string;
  repo: string;
  ownerId?: string;
  repoId?: string;
  /** The repository sends `repo:OWNER@OWNER_ID/REPO@REPO_ID:...` subjects. */
  immutable?: boolean;
  /** The repository's (or organisation's) subject template, from the customization API. */
  template?: SubjectTemplate;
  defaultBranch?: string;
  /** Overrides the workflow's `name:` for the `workflow` claim. */
  workflowName?: string;
  /** Known callers of a reusable workflow. */
  callerContexts?: readonly CallerContext[];
  /** `public` / `private` / `internal`, for templates that include `repository_visibility`. */
  repositoryVisibility?: string;
  /** Other workflow files of the repository, to follow `jobs.<id>.uses: ./.github/workflows/x.yml`. */
  workflows?: readonly WorkflowFile[];
}

export interface PredictedSubject {
  subject: string;
  /** The event(s) that produce it: `push`, `pull_request`, `push, workflow_dispatch`. */
  trigger: string;
  triggerLine?: number;
  /** GitHub sends this subject (or, for a pattern, a subject of this pattern) for the trigger. */
  certain: boolean;
  /** The subject contains a glob (`*`, `?`): from branch/tag filters or an unknown part. */
  pattern: boolean;
  /** Why GitHub sends this. */
  reason: string;
  /** The line that decides it: the `environment:` line, a branch/tag filter value, or the trigger's line. */
  sourceLine: number;
  /** The file `sourceLine` is in (the called workflow for an environment declared there). */
  sourceFile: string;
  /** The context part: `environment:prod`, `pull_request`, `ref:refs/heads/main`. */
  context: string;
  environment?: string;
  /** The other claims as far as they can be predicted; `*` where unknown. Includes `sub`. */
  claims: Record<string, string>;
  /**
   * Every subject the trigger can send, as a glob, when wider than `subject` (workflow_dispatch can
   * run on any ref).
   */

  possible?: string;
}

export interface JobPrediction {
  jobId: string;
  jobLine: number;
  /** The workflow file of the job. */
  file: string;
  /** Lines of the steps that log in to Azure (in `loginFile`). */
  loginStepLines: number[];
  loginFile: string;
  /** Set when the job calls a reusable workflow; the predictions are for that workflow's job. */
  calls?: {
    uses: string;
    line: number;
    resolved: boolean;
    file?: string;
    jobId?: string;
    jobLine?: number;
    missing?: boolean;
  };
  subjects: PredictedSubject[];
  notes: string[];
  /** The job only may log in (through an action that was not read). */
  uncertainLogin?: boolean;
}

export interface PredictOptions {
  /** Predict for every job, not only the ones that log in to Azure. */
  allJobs?: boolean;
  /**
   * Leave out the `workflow_call` trigger: set it when the callers are predicted from
   * their own files (the audit does, for callers it has), so runs are not counted twice.
   */
  skipWorkflowCall?: boolean;
}
