/**
 * Reading a workflow file's document into a WorkflowFile (parse.ts has the types and the entry point
 * the action and tests call). The document comes from the fast reader (fast-yaml.ts) when the file is
 * plain block YAML, else from the yaml library's reader, which the caller passes in: the audit loads
 * that reader only when a file needs it (yaml-library.ts says why). Pure: no I/O.
 */
import type { Document, Node } from 'yaml';
import { isMap, isScalar } from './yaml-nodes.js';
import { readPlainYaml } from './fast-yaml.js';
import { MAX_YAML_DEPTH, yamlTooDeep } from './yaml-guard.js';
import { markJobLogins, type CompositeAction, type RepositoryFacts } from './logins.js';
import type { PermissionsBlock, WorkflowFile, WorkflowJob, WorkflowStep } from './parse.js';
import { firstLine, readEnvironment, readMatrix, readOn, readPermissions, readReusableCall } from './parse-sections.js';
import { record, Reader, type Any } from './yaml-reader.js';

/** Reads `r.text` with the yaml library into `r.doc` (yaml-library.ts). */
export type LibraryReader = (r: Reader) => void;

/** The fast reader cannot read the text and no LibraryReader was given: load one and read again. */
export class NeedsYamlLibrary extends Error {}

export interface ParseOptions {
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
function loadDocument(r: Reader, library: LibraryReader | undefined, libraryOnly: boolean): void {
  const root = libraryOnly ? undefined : readPlainYaml(r.text);
  if (root === undefined) {
    if (!library) throw new NeedsYamlLibrary('this file needs the yaml library');
    library(r);
    return;
  }
  for (let at = 0; at !== -1 && at <= r.text.length; at = r.text.indexOf('\n', at) + 1 || -1) r.lc.addNewLine(at);
  // Only `contents` and `errors` are read from a document; aliases never reach the fast reader.
  r.doc = { contents: root, errors: [] } as unknown as Document.Parsed;
}

/**
 * Read a workflow file. Throws only NeedsYamlLibrary (when `library` is undefined): YAML errors and
 * unexpected shapes are in `errors`. `path` is kept as given (repository-relative paths give the best messages).
 */
export function readWorkflowFile(
  text: string,
  path: string,
  options: ParseOptions,
  library: LibraryReader | undefined,
): WorkflowFile {
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
    loadDocument(r, library, options.yamlLibrary === true);
    for (const e of r.doc.errors) {
      const p = r.pos(e.pos?.[0]);
      r.errors.push({ kind: 'yaml', message: firstLine(e.message), line: p.line, column: p.column, code: e.code });
    }
    readDocument(r, wf, options);
  } catch (e) {
    if (e instanceof NeedsYamlLibrary) throw e;
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

/**
 * The steps of a composite action (`runs.steps` of an `action.yml`); undefined for other kinds or bad YAML.
 * Throws only NeedsYamlLibrary (when `library` is undefined).
 */
export function readCompositeAction(
  text: string,
  file: string,
  library: LibraryReader | undefined,
): CompositeAction | undefined {
  const r = new Reader(typeof text === 'string' ? text : '');
  try {
    if (yamlTooDeep(r.text)) return undefined;
    loadDocument(r, library, false);
    if (r.doc.errors.length > 0) return undefined;
    const runs = r.get(r.doc.contents as Any, 'runs')?.value;
    if (r.str(r.get(runs, 'using')?.value) !== 'composite') return undefined;
    const steps: WorkflowStep[] = [];
    r.items(r.get(runs, 'steps')?.value).forEach((node, i) => {
      const step = readStep(r, node, i);
      if (step) steps.push(step);
    });
    return { file, steps };
  } catch (e) {
    if (e instanceof NeedsYamlLibrary) throw e;
    return undefined;
  }
}
