/**
 * Read a GitHub Actions workflow file with source positions, so every finding about a
 * workflow can point at the line to change. Pure: no I/O, never throws. Bad YAML and
 * unexpected shapes end up in `errors` (with a 1-based line) and parsing goes on with
 * whatever could be read.
 */
import { isMap, isScalar, parseDocument, type Document, type Node } from 'yaml';
import { readPlainYaml } from './fast-yaml.js';
import type { Json } from './expression.js';
import { MAX_YAML_DEPTH, yamlTooDeep } from './yaml-guard.js';
import { aliasTargets, duplicateKeys, LINEAR_PARSE_OPTIONS, MAX_YAML_ALIASES } from './yaml-aliases.js';
import { markJobLogins, type CompositeAction, type RepositoryFacts } from './logins.js';
import { firstLine, readEnvironment, readMatrix, readOn, readPermissions, readReusableCall } from './parse-sections.js';
import { record, Reader, type Any } from './yaml-reader.js';

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

interface ParseOptions {
  /**
   * More action names that log in to Azure with OIDC: `owner/name` (any ref) or a
   * local path (`./.github/actions/login`), compared case-insensitively.
   */
  loginActions?: readonly string[];
  /** Local composite actions and Terraform files, read by the caller (read-workflows.ts). */
  facts?: RepositoryFacts;
  /** `owner/repo`: `uses: ./` is this repository's own action. */
  repository?: string;
  /** Read with the yaml library even when the fast reader could (to compare the two in tests). */
  yamlLibrary?: boolean;
}

export { expressionsIn } from './parse-sections.js';

function readStep(r: Reader, node: Any, index: number): WorkflowStep | undefined {
  const n = r.deref(node);
  if (!isMap(n)) {
    r.schema(n ?? undefined, `Step ${index + 1} must be a map`);
    return undefined;
  }
  const at = r.start(n);
  const step: WorkflowStep = { index, ...at, with: record(), withLines: record(), env: record(), envLines: record() };
  for (const [key, value, keyNode] of r.entries(n)) {
    switch (key) {
      case 'id':
        step.id = r.str(value);
        break;
      case 'name':
        step.name = r.str(value);
        break;
      case 'uses':
        step.uses = r.str(value);
        step.usesLine = r.line(keyNode);
        break;
      case 'run':
        step.run = r.str(value);
        step.runLine = r.line(keyNode);
        break;
      case 'if':
        step.condition = r.str(value);
        break;
      case 'working-directory':
        step.workingDirectory = r.str(value);
        break;
      case 'with': {
        const m = r.scalarMap(value, '`with:`');
        step.with = m.values;
        step.withLines = m.lines;
        step.withLine = r.line(keyNode);
        break;
      }
      case 'env': {
        const m = r.scalarMap(value, '`env:`');
        step.env = m.values;
        step.envLines = m.lines;
        break;
      }
      default:
        break;
    }
  }
  return step;
}

function readJob(
  r: Reader,
  id: string,
  keyNode: Node,
  value: Any,
  wf: WorkflowFile,
  options: ParseOptions,
): WorkflowJob {
  const at = r.start(keyNode);
  const job: WorkflowJob = {
    id,
    ...at,
    needs: [],
    env: record(),
    envLines: record(),
    steps: [],
    azureLogins: [],
    logsInToAzure: false,
    mayLogInToAzure: false,
  };
  const v = r.deref(value);
  if (!isMap(v)) {
    r.schema(v ?? keyNode, `Job \`${id}\` must be a map`);
    return job;
  }
  let stepsNode: Any;
  for (const [key, val, k] of r.entries(v)) {
    switch (key) {
      case 'name':
        job.name = r.str(val);
        break;
      case 'runs-on':
        job.runsOn =
          r.str(val) ??
          r
            .items(val)
            .map((x) => r.str(x) ?? '')
            .join(', ');
        break;
      case 'needs':
        job.needs = r.isSeq(val)
          ? r
              .items(val)
              .map((x) => r.str(x) ?? '')
              .filter(Boolean)
          : [r.str(val) ?? ''].filter(Boolean);
        break;
      case 'environment':
        job.environment = readEnvironment(r, k, val);
        break;
      case 'permissions':
        job.permissions = readPermissions(r, k, val);
        break;
      case 'uses':
        job.uses = readReusableCall(r, k, val, v);
        break;
      case 'env': {
        const m = r.scalarMap(val, '`env:`');
        job.env = m.values;
        job.envLines = m.lines;
        break;
      }
      case 'if':
        job.condition = r.str(val);
        break;
      case 'defaults': {
        const wd = r.get(r.get(val, 'run')?.value, 'working-directory');
        if (wd) job.workingDirectory = r.str(wd.value);
        break;
      }
      case 'strategy': {
        const m = r.get(val, 'matrix');
        if (m) job.matrix = readMatrix(r, m.keyNode, m.value);
        break;
      }
      case 'steps':
        stepsNode = val;
        if (!r.isSeq(val)) r.schema(val ?? k, `\`steps\` of job \`${id}\` must be a list`);
        break;
      default:
        break;
    }
  }
  r.items(stepsNode).forEach((node, i) => {
    const step = readStep(r, node, i);
    if (step) job.steps.push(step);
  });
  markJobLogins(job, wf.env, wf.envLines, options);
  return job;
}

/**
 * The document of `r.text`: from the fast reader when the file is plain block YAML (most are),
 * else from the yaml library, which also reports the errors.
 */
function loadDocument(r: Reader, library: boolean): void {
  const root = library ? undefined : readPlainYaml(r.text);
  if (root === undefined) {
    r.doc = parseDocument(r.text, { lineCounter: r.lc, prettyErrors: false, ...LINEAR_PARSE_OPTIONS });
    // The library's own duplicate-key check and alias resolution are quadratic (yaml-aliases.ts).
    for (const key of duplicateKeys(r.doc)) {
      const p = r.start(key);
      r.errors.push({
        kind: 'yaml',
        message: 'Map keys must be unique',
        line: p.line,
        column: p.column,
        code: 'DUPLICATE_KEY',
      });
    }
    const { aliases, targets } = aliasTargets(r.doc);
    if (aliases > MAX_YAML_ALIASES)
      throw new Error(`the document uses ${aliases} aliases (*name); more than ${MAX_YAML_ALIASES} are refused`);
    r.aliases = targets;
    return;
  }
  for (let at = 0; at !== -1 && at <= r.text.length; at = r.text.indexOf('\n', at) + 1 || -1) r.lc.addNewLine(at);
  // Only `contents` and `errors` are read from a document; aliases never reach the fast reader.
  r.doc = { contents: root, errors: [] } as unknown as Document.Parsed;
}

/**
 * Parse a workflow file. Never throws: YAML errors and unexpected shapes are in `errors`.
 * `path` is kept as given (repository-relative paths give the best messages).
 */
export function parseWorkflow(text: string, path: string, options: ParseOptions = {}): WorkflowFile {
  const wf: WorkflowFile = {
    // Locations become annotations, which name the file with `/` whatever the OS wrote (`\` on Windows).
    path: path.replace(/\\/g, '/'),
    triggers: [],
    env: record(),
    envLines: record(),
    jobs: [],
    isReusable: false,
    errors: [],
  };
  const source = typeof text === 'string' ? text : String(text ?? '');
  const r = new Reader(source);
  try {
    // Deep nesting would overflow the yaml library's recursion, sometimes fatally (see yaml-guard.ts).
    if (yamlTooDeep(source)) throw new Error(`the document is nested more than ${MAX_YAML_DEPTH} levels deep`);
    loadDocument(r, options.yamlLibrary === true);
    for (const e of r.doc.errors) {
      const p = r.pos(e.pos?.[0]);
      r.errors.push({ kind: 'yaml', message: firstLine(e.message), line: p.line, column: p.column, code: e.code });
    }
    readDocument(r, wf, options);
  } catch (e) {
    // The yaml library or a hostile document (deep nesting) broke the reader: keep what was read.
    const message = e instanceof Error ? e.message : String(e);
    r.errors.push({ kind: 'yaml', message: `Could not read the workflow: ${firstLine(message)}`, line: 1, column: 1 });
  }
  wf.errors = r.errors.sort((a, b) => a.line - b.line || a.column - b.column);
  wf.isReusable = wf.triggers.some((t) => t.event === 'workflow_call');
  return wf;
}

function readDocument(r: Reader, wf: WorkflowFile, options: ParseOptions): void {
  const root = r.deref(r.doc.contents as Any);
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) {
    r.errors.push({ kind: 'schema', message: 'The workflow file is empty', line: 1, column: 1 });
    return;
  }
  if (!isMap(root)) {
    r.schema(root, 'A workflow must be a map with `on:` and `jobs:`');
    return;
  }
  let jobsNode: { value: Any; keyNode: Node } | undefined;
  let onSeen = false;
  for (const [key, value, keyNode] of r.entries(root)) {
    switch (key) {
      case 'name':
        wf.name = r.str(value);
        wf.nameLine = r.line(keyNode);
        break;
      case 'on':
        onSeen = true;
        readOn(r, wf, keyNode, value);
        break;
      case 'permissions':
        wf.permissions = readPermissions(r, keyNode, value);
        break;
      case 'env': {
        const m = r.scalarMap(value, '`env:`');
        wf.env = m.values;
        wf.envLines = m.lines;
        break;
      }
      case 'jobs':
        jobsNode = { value, keyNode };
        break;
      default:
        if (
          key === 'true' &&
          /^on$/i.test(
            r.text.slice(
              (keyNode as { range?: number[] }).range?.[0] ?? 0,
              (keyNode as { range?: number[] }).range?.[1] ?? 0,
            ),
          )
        ) {
          onSeen = true;
          readOn(r, wf, keyNode, value);
        }
        break;
    }
  }
  if (!onSeen)
    r.errors.push({
      kind: 'schema',
      message: 'The workflow has no `on:` key, so nothing triggers it',
      line: 1,
      column: 1,
    });
  if (!jobsNode) {
    r.errors.push({ kind: 'schema', message: 'The workflow has no `jobs:`', line: 1, column: 1 });
    return;
  }
  wf.jobsLine = r.line(jobsNode.keyNode);
  if (!r.isMap(jobsNode.value)) {
    r.schema(jobsNode.value ?? jobsNode.keyNode, '`jobs:` must be a map of job ids');
    return;
  }
  for (const [id, value, keyNode] of r.entries(jobsNode.value))
    wf.jobs.push(readJob(r, id, keyNode, value, wf, options));
}

/** `.github/workflows/deploy.yml` from any path to a workflow file (absolute, `./`-prefixed, Windows). */
export function repoRelativePath(path: string): string {
  const p = path.replace(/\\/g, '/');
  const i = p.lastIndexOf('.github/workflows/');
  if (i >= 0) return p.slice(i);
  return p.replace(/^\.\//, '').replace(/^\/+/, '');
}

/** A job by id. */
export function findJob(workflow: WorkflowFile, jobId: string): WorkflowJob | undefined {
  return workflow.jobs.find((j) => j.id === jobId);
}

/** What the job can do with `id-token`, taking the workflow's block when the job has none. */
export function effectivePermissions(workflow: WorkflowFile, job: WorkflowJob): PermissionsBlock | undefined {
  return job.permissions ?? workflow.permissions;
}

/** The steps of a composite action (`runs.steps` of an `action.yml`); undefined for other kinds or bad YAML. */
export function parseCompositeAction(text: string, file: string): CompositeAction | undefined {
  const r = new Reader(typeof text === 'string' ? text : '');
  try {
    if (yamlTooDeep(r.text)) return undefined;
    loadDocument(r, false);
    if (r.doc.errors.length > 0) return undefined;
    const runs = r.get(r.doc.contents as Any, 'runs')?.value;
    if (r.str(r.get(runs, 'using')?.value) !== 'composite') return undefined;
    const steps: WorkflowStep[] = [];
    r.items(r.get(runs, 'steps')?.value).forEach((node, i) => {
      const step = readStep(r, node, i);
      if (step) steps.push(step);
    });
    return { file, steps };
  } catch {
    return undefined;
  }
}
