/** The shape of one way a workflow run can start, shared by runs.ts (which builds them) and run-inputs.ts. */
import type { Value } from './expression.js';

/** A ref (or ref type) only known when the run starts, or any ref behind a filter. */
export const UNKNOWN = '*';

/** One way a run can start: the ref part of the subject and the claims that go with it. */
export interface RunContext {
  trigger: string;
  triggerLine?: number;
  triggerFile: string;
  sourceLine: number;
  /** `pull_request`, `ref:refs/heads/main`, `ref:refs/heads/*`, or `*` when unknown. */
  refContext: string;
  ref: string;
  refType: string;
  certain: boolean;
  pattern: boolean;
  reason: string;
  possible?: string;
  /** Whose repository the subject names. */
  owner: string;
  repo: string;
  ownerId?: string;
  repoId?: string;
  /** The top-level workflow: its path (for workflow_ref) and name (workflow claim). */
  workflowPath: string;
  workflowName: string;
  /** `inputs.*` known for this run. */
  inputs: Map<string, ValueSet>;
  /** The event defines inputs (workflow_dispatch, workflow_call): undeclared ones are empty, others as in `inputs`. */
  hasInputs: boolean;
  /** `github.event.inputs` (the top-level workflow_dispatch's inputs); undefined = the event has none. */
  eventInputs?: Map<string, ValueSet>;
  /** `github.event.action` when the trigger's `types:` allows only one. */
  action?: string;
  /** The pull request's base branch (`github.base_ref`) when the filter names one. */
  baseRef?: string;
  /** Set when the run starts in a caller (reusable workflows). */
  caller?: string;
  /** Why the job runs in this context when a reusable workflow is involved. */
  callNote?: string;
  /** False when the repository in the subject is assumed (unknown callers). */
  repoCertain: boolean;
}

export interface ValueSet {
  /** The values it can take; `UNKNOWN` (expression.ts) for a value only known when the run starts. */
  values: Value[];
  certain: boolean;
  note: string;
}
