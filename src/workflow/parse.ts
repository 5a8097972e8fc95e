/**
 * Read a GitHub Actions workflow file with source positions, so every finding about a
 * workflow can point at the line to change. Pure: no I/O, never throws. Bad YAML and
 * unexpected shapes end up in `errors` (with a 1-based line) and parsing goes on with
 * whatever could be read. This module holds the shapes and `parseWorkflow`; the reading
 * itself is in parse-core.ts, which the audit calls without loading the yaml library.
 */
import type { Json } from './expression.js';
import { readWorkflowFile, type ParseOptions } from './parse-core.js';
import { libraryDocument } from './yaml-library.js';

/** One problem found while reading the file. `yaml` = not valid YAML; `schema` = valid YAML, unexpected shape. */
export interface WorkflowError {
  kind: 'yaml' | 'schema';
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** The yaml library's code (`BAD_INDENT`, ...) for `yaml` errors. */
  code?: string;
}

/** A `branches:`/`tags:`/`types:`... filter of a trigger: its values and the line of each. */
export interface TriggerFilter {
  /** The filter's key line (`branches:`). */
  line: number;
  values: string[];
  /** Line of each value, same order as `values`. */
  valueLines: number[];
}

/** A `workflow_dispatch` or `workflow_call` input. */
export interface TriggerInput {
  name: string;
  line: number;
  type?: string;
  required?: boolean;
  default?: string;
  /** `type: choice` options. */
  options?: string[];
}

export interface WorkflowTrigger {
  /** `push`, `pull_request`, `workflow_call`, ... */
  event: string;
  /** The line of the event: its key in the map form, its item in the list form, the `on:` line in the string form. */
  line: number;
  column: number;
  branches?: TriggerFilter;
  branchesIgnore?: TriggerFilter;
  tags?: TriggerFilter;
  tagsIgnore?: TriggerFilter;
  paths?: TriggerFilter;
  pathsIgnore?: TriggerFilter;
  types?: TriggerFilter;
  /** `workflow_run.workflows`. */
  workflows?: TriggerFilter;
  /** `schedule` entries. */
  schedules?: Array<{ cron: string; line: number }>;
  /** `workflow_dispatch` / `workflow_call` inputs. */
  inputs?: TriggerInput[];
  /** `workflow_call` secrets. */
  secrets?: Array<{ name: string; line: number; required?: boolean }>;
}

export interface PermissionScope {
  scope: string;
  value: string;
  line: number;
}

export interface PermissionsBlock {
  /** Line of the `permissions:` key. */
  line: number;
  column: number;
  /** `{}` is `empty`; a `${{ }}` value is `expression`. */
  kind: 'map' | 'write-all' | 'read-all' | 'empty' | 'expression' | 'invalid';
  scopes: PermissionScope[];
  /** What the block grants for `id-token`: `write` is what OIDC needs. */
  idToken: 'write' | 'read' | 'none';
  /** Line of the `id-token:` entry when there is one. */
  idTokenLine?: number;
}

export interface JobEnvironment {
  /** Line of the `environment:` key. */
  line: number;
  column: number;
  form: 'string' | 'map';
  /** The environment name as written (may contain `${{ }}`); absent when the map has no `name`. */
  name?: string;
  nameLine?: number;
  url?: string;
  urlLine?: number;
  /** The name contains a `${{ }}` expression: the value is only known at run time. */
  isExpression: boolean;
  /** The expressions in the name, without `${{ }}`, trimmed. */
  expressions: string[];
}

export interface MatrixDimension {
  key: string;
  line: number;
  /** Scalar values, as strings. Empty when the dimension is an expression. */
  values: string[];
  /** Set when the dimension is an expression (`${{ fromJSON(...) }}`) or holds non-scalar values. */
  expression?: string;
}

export interface JobMatrix {
  line: number;
  /** The whole matrix as data (objects and lists kept; `${{ }}` strings left as written), for expanding its legs. */
  value?: Json;
  dimensions: MatrixDimension[];
  /** `include` entries: scalar values only. */
  include: Array<Record<string, string>>;
  exclude: Array<Record<string, string>>;
  /** The whole matrix is one expression. */
  expression?: string;
}

/** `jobs.<id>.uses`: the job calls a reusable workflow. */
export interface ReusableCall {
  uses: string;
  line: number;
  column: number;
  /** `./.github/workflows/x.yml` — a workflow of the same repository at the same commit. */
  local: boolean;
  /** `owner/repo` for a remote call. */
  repository?: string;
  /** The workflow file path inside its repository, `.github/workflows/x.yml`. */
  path?: string;
  /** What follows `@` in a remote call. */
  ref?: string;
  with: Record<string, string>;
  withLines: Record<string, number>;
  /** `secrets: inherit`, or the named secrets. */
  secrets?: 'inherit' | Record<string, string>;
  secretsLine?: number;
}

export type AzureLoginKind =
  | 'azure-login'
  | 'this-action'
  | 'extra-action'
  | 'env-federated-token-file'
  | 'env-arm-use-oidc'
  | 'env-client-id-oidc'
  | 'id-token-request'
  | 'terraform-use-oidc'
  | 'composite-action'
  | 'remote-action';

/** Why a step (or a job/workflow `env:`) counts as logging in to Azure. */
export interface AzureLoginMarker {
  kind: AzureLoginKind;
  /** The step's line, or the `env:` entry's line for job/workflow-level variables. */
  line: number;
  stepIndex?: number;
  reason: string;
  /** Login inside a local composite action: its `action.yml`, the inner step's line and `if:`. */
  file?: string;
  innerLine?: number;
  innerCondition?: string;
  /** A remote action that was not read and may log in. */
  uncertain?: boolean;
  /** Set while marking: the login comes from a job/workflow variable (logins.ts). */
  inherited?: boolean;
}

export interface WorkflowStep {
  /** 0-based position in `steps`. */
  index: number;
  /** Line of the step (its first key, after `- `). */
  line: number;
  column: number;
  id?: string;
  name?: string;
  uses?: string;
  usesLine?: number;
  run?: string;
  runLine?: number;
  /** Line of the `with:` key. */
  withLine?: number;
  with: Record<string, string>;
  withLines: Record<string, number>;
  env: Record<string, string>;
  envLines: Record<string, number>;
  /** The step's `if:` as written. */
  condition?: string;
  workingDirectory?: string;
  /** Set when this step logs in to Azure with OIDC. */
  azureLogin?: AzureLoginMarker;
}

export interface WorkflowJob {
  id: string;
  /** Line of the job's key under `jobs:`. */
  line: number;
  column: number;
  name?: string;
  runsOn?: string;
  needs: string[];
  environment?: JobEnvironment;
  permissions?: PermissionsBlock;
  uses?: ReusableCall;
  matrix?: JobMatrix;
  env: Record<string, string>;
  envLines: Record<string, number>;
  steps: WorkflowStep[];
  /** The job's `if:` as written. */
  condition?: string;
  /** `defaults.run.working-directory`. */
  workingDirectory?: string;
  /** Lines of the steps (or env entries) that log in to Azure. */
  azureLogins: AzureLoginMarker[];
  /** A step certainly logs in (when its `if:` lets it run). */
  logsInToAzure: boolean;
  /** A step logs in or may log in (a remote action that was not read). */
  mayLogInToAzure: boolean;
}

export interface WorkflowFile {
  path: string;
  name?: string;
  nameLine?: number;
  /** The `on:` key. */
  on?: { line: number; column: number; form: 'string' | 'list' | 'map' };
  triggers: WorkflowTrigger[];
  permissions?: PermissionsBlock;
  env: Record<string, string>;
  envLines: Record<string, number>;
  jobsLine?: number;
  jobs: WorkflowJob[];
  /** The file declares `on: workflow_call`. */
  isReusable: boolean;
  errors: WorkflowError[];
}

// Where the tests and earlier callers find them; the audit imports them from where they live.
export { expressionsIn } from './parse-sections.js';
export { effectivePermissions, repoRelativePath } from './parse-core.js';

/**
 * Parse a workflow file. Never throws: YAML errors and unexpected shapes are in `errors`.
 * `path` is kept as given (repository-relative paths give the best messages). Reads any YAML: the
 * yaml library is loaded with this module (the audit reads through parse-core.ts and loads it lazily).
 */
export function parseWorkflow(text: string, path: string, options: ParseOptions = {}): WorkflowFile {
  return readWorkflowFile(text, path, options, libraryDocument);
}
