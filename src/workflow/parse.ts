/**
 * Read a GitHub Actions workflow file with source positions, so every finding about a
 * workflow can point at the line to change. Pure: no I/O, never throws. Bad YAML and
 * unexpected shapes end up in `errors` (with a 1-based line) and parsing goes on with
 * whatever could be read.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { MAX_YAML_DEPTH, yamlTooDeep } from './yaml-guard.js';

/** One problem found while reading the file. `yaml` = not valid YAML; `schema` = valid YAML, unexpected shape. */
interface WorkflowError {
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
interface TriggerInput {
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

interface PermissionScope {
  scope: string;
  value: string;
  line: number;
}

interface PermissionsBlock {
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

interface MatrixDimension {
  key: string;
  line: number;
  /** Scalar values, as strings. Empty when the dimension is an expression. */
  values: string[];
  /** Set when the dimension is an expression (`${{ fromJSON(...) }}`) or holds non-scalar values. */
  expression?: string;
}

export interface JobMatrix {
  line: number;
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

type AzureLoginKind =
  | 'azure-login'
  | 'this-action'
  | 'extra-action'
  | 'azure-cli'
  | 'azure-powershell'
  | 'azure-action-oidc'
  | 'env-federated-token-file'
  | 'env-arm-use-oidc'
  | 'env-client-id-oidc';

/** Why a step (or a job/workflow `env:`) counts as logging in to Azure. */
interface AzureLoginMarker {
  kind: AzureLoginKind;
  /** The step's line, or the `env:` entry's line for job/workflow-level variables. */
  line: number;
  stepIndex?: number;
  reason: string;
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
  /** Lines of the steps (or env entries) that log in to Azure. */
  azureLogins: AzureLoginMarker[];
  logsInToAzure: boolean;
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
}

const MAX_ALIAS_DEPTH = 16;

type Any = Node | null | undefined;

/** A record with no prototype, so keys like `__proto__` stay plain keys. */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

class Reader {
  readonly lc = new LineCounter();
  readonly errors: WorkflowError[] = [];
  doc!: Document.Parsed;

  constructor(readonly text: string) {}

  pos(offset: number | undefined): { line: number; column: number } {
    if (offset === undefined || !Number.isFinite(offset)) return { line: 1, column: 1 };
    const p = this.lc.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line: p.line || 1, column: p.col || 1 };
  }

  start(node: unknown): { line: number; column: number } {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return this.pos(range?.[0]);
  }

  line(node: unknown): number {
    return this.start(node).line;
  }

  schema(node: unknown, message: string): void {
    const p = this.start(node);
    this.errors.push({ kind: 'schema', message, line: p.line, column: p.column });
  }

  /** Follow aliases to the node they name. */
  deref(node: Any, depth = 0): Any {
    let n: unknown = node;
    let d = depth;
    while (isAlias(n)) {
      if (d++ > MAX_ALIAS_DEPTH) return undefined;
      try {
        n = n.resolve(this.doc);
      } catch {
        return undefined;
      }
    }
    return n as Any;
  }

  /** A scalar's text: strings as they are, other scalars as written in the source. */
  str(node: Any): string | undefined {
    const n = this.deref(node);
    if (!isScalar(n)) return undefined;
    const v = n.value;
    if (typeof v === 'string') return v;
    if (v === null || v === undefined) return '';
    if (n.range) {
      const raw = this.text.slice(n.range[0], n.range[1]).trim();
      if (raw && !/^[&!*]/.test(raw)) return raw;
    }
    return String(v);
  }

  /**
   * The entries of a map as [key, value node, key node]; `<<` merges are expanded
   * (own keys win), keys that are not scalars are skipped.
   */
  entries(node: Any, depth = 0, visited: Set<unknown> = new Set()): Array<[string, Any, Node]> {
    const map = this.deref(node);
    if (!isMap(map) || visited.has(map)) return [];
    // Each map is expanded once per lookup: nested `<<: [*a, *a, ...]` cannot blow up.
    visited.add(map);
    const own: Array<[string, Any, Node]> = [];
    const merged: Array<[string, Any, Node]> = [];
    for (const item of map.items) {
      if (!isPair(item)) continue;
      const keyNode = item.key as Node;
      const key = this.str(keyNode as Any);
      if (key === undefined) continue;
      if (key === '<<' && isScalar(keyNode) && depth < MAX_ALIAS_DEPTH) {
        const src = this.deref(item.value as Any);
        const sources = isSeq(src) ? src.items.map((i) => i as Any) : [src];
        for (const s of sources) merged.push(...this.entries(s, depth + 1, visited));
        continue;
      }
      own.push([key, item.value as Any, keyNode]);
    }
    if (merged.length === 0) return own;
    const seen = new Set(own.map(([k]) => k));
    const out = [...own];
    for (const e of merged) {
      if (seen.has(e[0])) continue;
      seen.add(e[0]);
      out.push(e);
    }
    return out;
  }

  get(node: Any, key: string): { value: Any; keyNode: Node } | undefined {
    for (const [k, value, keyNode] of this.entries(node)) if (k === key) return { value, keyNode };
    return undefined;
  }

  items(node: Any): Any[] {
    const seq = this.deref(node);
    return isSeq(seq) ? seq.items.map((i) => i as Any) : [];
  }

  isMap(node: Any): boolean {
    return isMap(this.deref(node));
  }

  isSeq(node: Any): boolean {
    return isSeq(this.deref(node));
  }

  isScalar(node: Any): boolean {
    return isScalar(this.deref(node));
  }

  /** A string or a list of strings (`branches: main` or `branches: [main, dev]`). */
  filter(keyNode: Node, value: Any): TriggerFilter {
    const line = this.line(keyNode);
    const values: string[] = [];
    const valueLines: number[] = [];
    if (this.isSeq(value)) {
      for (const item of this.items(value)) {
        const s = this.str(item);
        if (s === undefined) {
          this.schema(item ?? keyNode, 'Filter values must be strings');
          continue;
        }
        values.push(s);
        valueLines.push(this.line(item));
      }
    } else {
      const s = this.str(value);
      if (s !== undefined && s !== '') {
        values.push(s);
        valueLines.push(this.line(value));
      } else if (s === undefined) this.schema(value ?? keyNode, 'A filter must be a string or a list of strings');
    }
    return { line, values, valueLines };
  }

  /** `key: value` pairs of scalars with their lines (`with:`, `env:`). */
  scalarMap(node: Any, what: string): { values: Record<string, string>; lines: Record<string, number> } {
    const values = record<string>();
    const lines = record<number>();
    const n = this.deref(node);
    if (n === undefined || n === null) return { values, lines };
    if (isScalar(n)) {
      // `env: ${{ fromJSON(...) }}` is allowed; there is nothing to read statically.
      if (typeof n.value === 'string' && /\$\{\{/.test(n.value)) return { values, lines };
      if (n.value === null) return { values, lines };
    }
    if (!isMap(n)) {
      this.schema(n, `${what} must be a map`);
      return { values, lines };
    }
    for (const [k, v, keyNode] of this.entries(n)) {
      const s = this.str(v);
      values[k] = s ?? '';
      lines[k] = this.line(keyNode);
    }
    return { values, lines };
  }
}

function firstLine(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** The expressions inside `${{ }}`. */
export function expressionsIn(value: string): string[] {
  const out: string[] = [];
  const re = /\$\{\{([\s\S]*?)\}\}/g;
  for (const m of value.matchAll(re)) out.push((m[1] ?? '').trim());
  return out;
}

const GLOBAL_FILTERS: Array<[string, keyof WorkflowTrigger]> = [
  ['branches', 'branches'],
  ['branches-ignore', 'branchesIgnore'],
  ['tags', 'tags'],
  ['tags-ignore', 'tagsIgnore'],
  ['paths', 'paths'],
  ['paths-ignore', 'pathsIgnore'],
  ['types', 'types'],
  ['workflows', 'workflows'],
];

function readTriggerBody(r: Reader, trigger: WorkflowTrigger, body: Any): void {
  const b = r.deref(body);
  if (b === undefined || b === null || (isScalar(b) && (b.value === null || b.value === ''))) return;
  if (trigger.event === 'schedule') {
    if (!isSeq(b)) {
      r.schema(b, '`schedule` must be a list of `- cron:` entries');
      return;
    }
    trigger.schedules = [];
    for (const item of r.items(b)) {
      const cron = r.get(item, 'cron');
      if (!cron) {
        r.schema(item, 'A schedule entry needs `cron:`');
        continue;
      }
      trigger.schedules.push({ cron: r.str(cron.value) ?? '', line: r.line(cron.keyNode) });
    }
    return;
  }
  if (!isMap(b)) {
    r.schema(b, `The \`${trigger.event}\` trigger must be a map (or empty)`);
    return;
  }
  for (const [key, value, keyNode] of r.entries(b)) {
    const known = GLOBAL_FILTERS.find(([k]) => k === key);
    if (known) {
      (trigger as unknown as Record<string, TriggerFilter>)[known[1]] = r.filter(keyNode, value);
      continue;
    }
    if (key === 'inputs' && (trigger.event === 'workflow_dispatch' || trigger.event === 'workflow_call')) {
      trigger.inputs = [];
      for (const [name, spec, nameNode] of r.entries(value)) {
        const input: TriggerInput = { name, line: r.line(nameNode) };
        const type = r.get(spec, 'type');
        if (type) input.type = r.str(type.value);
        const req = r.get(spec, 'required');
        if (req) input.required = r.str(req.value) === 'true';
        const def = r.get(spec, 'default');
        if (def && r.isScalar(def.value)) input.default = r.str(def.value);
        const options = r.get(spec, 'options');
        if (options) input.options = r.items(options.value).map((o) => r.str(o)).filter((o): o is string => o !== undefined);
        trigger.inputs.push(input);
      }
      continue;
    }
    if (key === 'secrets' && trigger.event === 'workflow_call') {
      trigger.secrets = [];
      for (const [name, spec, nameNode] of r.entries(value)) {
        const req = r.get(spec, 'required');
        trigger.secrets.push({ name, line: r.line(nameNode), ...(req ? { required: r.str(req.value) === 'true' } : {}) });
      }
    }
  }
}

function readOn(r: Reader, wf: WorkflowFile, keyNode: Node, value: Any): void {
  const p = r.start(keyNode);
  const v = r.deref(value);
  if (isScalar(v)) {
    const event = r.str(v) ?? '';
    wf.on = { ...p, form: 'string' };
    if (event) {
      const at = r.start(v);
      wf.triggers.push({ event, line: at.line, column: at.column });
    } else r.schema(keyNode, '`on:` is empty: the workflow has no trigger');
    return;
  }
  if (isSeq(v)) {
    wf.on = { ...p, form: 'list' };
    for (const item of r.items(v)) {
      const event = r.str(item);
      if (!event) {
        r.schema(item ?? keyNode, 'Items of `on:` must be event names');
        continue;
      }
      const at = r.start(item);
      wf.triggers.push({ event, line: at.line, column: at.column });
    }
    return;
  }
  if (isMap(v)) {
    wf.on = { ...p, form: 'map' };
    for (const [event, body, eventKey] of r.entries(v)) {
      const at = r.start(eventKey);
      const trigger: WorkflowTrigger = { event, line: at.line, column: at.column };
      readTriggerBody(r, trigger, body);
      wf.triggers.push(trigger);
    }
    return;
  }
  wf.on = { ...p, form: 'map' };
  r.schema(keyNode, '`on:` must be an event name, a list of events or a map of events');
}

function readPermissions(r: Reader, keyNode: Node, value: Any): PermissionsBlock {
  const p = r.start(keyNode);
  const v = r.deref(value);
  const block: PermissionsBlock = { ...p, kind: 'invalid', scopes: [], idToken: 'none' };
  if (isScalar(v)) {
    const s = r.str(v) ?? '';
    if (s === 'write-all') return { ...block, kind: 'write-all', idToken: 'write' };
    if (s === 'read-all') return { ...block, kind: 'read-all', idToken: 'read' };
    if (/\$\{\{/.test(s)) return { ...block, kind: 'expression' };
    r.schema(v, `\`permissions: ${s}\` is not valid; use \`read-all\`, \`write-all\`, \`{}\` or a map of scopes`);
    return block;
  }
  if (isMap(v)) {
    const scopes: PermissionScope[] = [];
    let idToken: PermissionsBlock['idToken'] = 'none';
    let idTokenLine: number | undefined;
    for (const [scope, sv, sk] of r.entries(v)) {
      const value = r.str(sv) ?? '';
      const line = r.line(sk);
      scopes.push({ scope, value, line });
      if (scope === 'id-token') {
        idTokenLine = line;
        idToken = value === 'write' ? 'write' : value === 'read' ? 'read' : 'none';
      }
    }
    return { ...block, kind: scopes.length === 0 ? 'empty' : 'map', scopes, idToken, ...(idTokenLine !== undefined ? { idTokenLine } : {}) };
  }
  r.schema(v ?? keyNode, '`permissions:` must be `read-all`, `write-all` or a map');
  return block;
}

function readEnvironment(r: Reader, keyNode: Node, value: Any): JobEnvironment {
  const p = r.start(keyNode);
  const v = r.deref(value);
  if (isMap(v)) {
    const env: JobEnvironment = { ...p, form: 'map', isExpression: false, expressions: [] };
    const name = r.get(v, 'name');
    if (name) {
      env.name = r.str(name.value) ?? '';
      env.nameLine = r.line(name.keyNode);
    } else r.schema(keyNode, '`environment:` as a map needs `name:`');
    const url = r.get(v, 'url');
    if (url) {
      env.url = r.str(url.value) ?? '';
      env.urlLine = r.line(url.keyNode);
    }
    env.expressions = env.name ? expressionsIn(env.name) : [];
    env.isExpression = env.expressions.length > 0;
    return env;
  }
  const name = r.str(v);
  if (name === undefined) r.schema(v ?? keyNode, '`environment:` must be a name or a map with `name:`');
  const expressions = name ? expressionsIn(name) : [];
  return { ...p, form: 'string', ...(name !== undefined ? { name } : {}), isExpression: expressions.length > 0, expressions };
}

function readMatrix(r: Reader, keyNode: Node, value: Any): JobMatrix {
  const matrix: JobMatrix = { line: r.line(keyNode), dimensions: [], include: [], exclude: [] };
  const v = r.deref(value);
  if (isScalar(v)) {
    matrix.expression = r.str(v) ?? '';
    return matrix;
  }
  const combos = (node: Any): Array<Record<string, string>> => {
    const list: Array<Record<string, string>> = [];
    for (const item of r.items(node)) {
      const entry = record<string>();
      for (const [k, ev] of r.entries(item)) {
        const s = r.str(ev);
        if (s !== undefined) entry[k] = s;
      }
      list.push(entry);
    }
    return list;
  };
  for (const [key, dv, dk] of r.entries(v)) {
    if (key === 'include') {
      matrix.include = combos(dv);
      continue;
    }
    if (key === 'exclude') {
      matrix.exclude = combos(dv);
      continue;
    }
    const dim: MatrixDimension = { key, line: r.line(dk), values: [] };
    if (r.isSeq(dv)) {
      for (const item of r.items(dv)) {
        const s = r.str(item);
        if (s === undefined) {
          dim.expression = '(non-scalar values)';
          continue;
        }
        dim.values.push(s);
      }
    } else dim.expression = r.str(dv) ?? '(not a list)';
    matrix.dimensions.push(dim);
  }
  return matrix;
}

function splitUses(uses: string): { path: string; ref?: string } {
  const at = uses.lastIndexOf('@');
  return at > 0 ? { path: uses.slice(0, at), ref: uses.slice(at + 1) } : { path: uses };
}

function readReusableCall(r: Reader, keyNode: Node, value: Any, job: Any): ReusableCall {
  const p = r.start(keyNode);
  const uses = r.str(value) ?? '';
  const call: ReusableCall = { uses, ...p, local: uses.startsWith('./'), with: record(), withLines: record() };
  if (call.local) call.path = uses.slice(2).split('@')[0];
  else {
    const { path, ref } = splitUses(uses);
    const parts = path.split('/');
    if (parts.length >= 3) {
      call.repository = `${parts[0]}/${parts[1]}`;
      call.path = parts.slice(2).join('/');
    }
    if (ref !== undefined) call.ref = ref;
  }
  const w = r.get(job, 'with');
  if (w) {
    const m = r.scalarMap(w.value, '`with:`');
    call.with = m.values;
    call.withLines = m.lines;
  }
  const s = r.get(job, 'secrets');
  if (s) {
    call.secretsLine = r.line(s.keyNode);
    if (r.str(s.value) === 'inherit') call.secrets = 'inherit';
    else call.secrets = r.scalarMap(s.value, '`secrets:`').values;
  }
  return call;
}

const TRUTHY = new Set(['true', 'True', 'TRUE', '1', 'yes']);

function actionName(uses: string): string {
  return splitUses(uses).path.toLowerCase().replace(/\/+$/, '');
}

function classifyStep(
  step: WorkflowStep,
  effectiveEnv: Record<string, string>,
  options: ParseOptions,
): AzureLoginMarker | undefined {
  const mark = (kind: AzureLoginKind, reason: string): AzureLoginMarker => ({ kind, line: step.line, stepIndex: step.index, reason });
  if (step.uses) {
    const name = actionName(step.uses);
    const extra = (options.loginActions ?? []).map((a) => actionName(a));
    if (name === 'azure/login') {
      const authType = (step.with['auth-type'] ?? '').toUpperCase();
      // `creds:` without client-id is a service principal secret; `auth-type: IDENTITY` is a managed identity: no OIDC token.
      if (authType !== 'IDENTITY' && !('creds' in step.with && !('client-id' in step.with)))
        return mark('azure-login', `uses ${step.uses}, which requests a GitHub OIDC token (client-id without a secret)`);
      return undefined;
    }
    if (name.endsWith('azure-federation-check')) return mark('this-action', `uses ${step.uses}, which requests a GitHub OIDC token and exchanges it with Entra`);
    if (extra.includes(name)) return mark('extra-action', `uses ${step.uses}, listed as an action that logs in to Azure`);
    if (name === 'azure/cli') return mark('azure-cli', `uses ${step.uses}, which runs Azure CLI commands with the job's Azure login`);
    if (name === 'azure/powershell') return mark('azure-powershell', `uses ${step.uses}, which runs Azure PowerShell with the job's Azure login`);
    if (name.startsWith('azure/') && ('client-id' in step.with || 'client_id' in step.with))
      return mark('azure-action-oidc', `uses ${step.uses} with a client-id input (OIDC login)`);
  }
  // Variables set on the step itself; job/workflow-level ones are marked on their `env:` line (readJob).
  const own = step.env;
  if ('AZURE_FEDERATED_TOKEN_FILE' in own && own.AZURE_FEDERATED_TOKEN_FILE !== '')
    return mark('env-federated-token-file', 'sets AZURE_FEDERATED_TOKEN_FILE (Azure SDK / azd workload identity login)');
  if ('ARM_USE_OIDC' in own && TRUTHY.has(own.ARM_USE_OIDC ?? ''))
    return mark('env-arm-use-oidc', 'sets ARM_USE_OIDC: true (Terraform azurerm/azuread OIDC login)');
  const env = effectiveEnv;
  const clientId = env.AZURE_CLIENT_ID ?? env.ARM_CLIENT_ID;
  const hasSecret = !!(env.AZURE_CLIENT_SECRET || env.ARM_CLIENT_SECRET);
  if (clientId && !hasSecret) {
    const text = `${step.run ?? ''}\n${step.uses ?? ''}`;
    if (/federated|oidc|use_oidc|use-oidc/i.test(text) || 'ARM_OIDC_TOKEN' in env || 'ARM_OIDC_REQUEST_TOKEN' in env || 'AZURE_USE_OIDC' in env)
      return mark('env-client-id-oidc', 'sets AZURE_CLIENT_ID and logs in with a federated (OIDC) token');
  }
  return undefined;
}

function readStep(r: Reader, node: Any, index: number, jobEnv: Record<string, string>, options: ParseOptions): WorkflowStep | undefined {
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
  const effective = Object.assign(record<string>(), jobEnv, step.env);
  const marker = classifyStep(step, effective, options);
  if (marker) step.azureLogin = marker;
  return step;
}

function readJob(r: Reader, id: string, keyNode: Node, value: Any, wf: WorkflowFile, options: ParseOptions): WorkflowJob {
  const at = r.start(keyNode);
  const job: WorkflowJob = { id, ...at, needs: [], env: record(), envLines: record(), steps: [], azureLogins: [], logsInToAzure: false };
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
        job.runsOn = r.str(val) ?? r.items(val).map((x) => r.str(x) ?? '').join(', ');
        break;
      case 'needs':
        job.needs = r.isSeq(val) ? r.items(val).map((x) => r.str(x) ?? '').filter(Boolean) : [r.str(val) ?? ''].filter(Boolean);
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
  const jobEnv = Object.assign(record<string>(), wf.env, job.env);
  r.items(stepsNode).forEach((node, i) => {
    const step = readStep(r, node, i, jobEnv, options);
    if (!step) return;
    job.steps.push(step);
    if (step.azureLogin) job.azureLogins.push(step.azureLogin);
  });
  // Job- or workflow-level variables that make every step's SDK/Terraform log in with OIDC.
  if (job.azureLogins.length === 0) {
    const envMarker = (values: Record<string, string>, lines: Record<string, number>, where: string): AzureLoginMarker | undefined => {
      if ('AZURE_FEDERATED_TOKEN_FILE' in values && values.AZURE_FEDERATED_TOKEN_FILE)
        return { kind: 'env-federated-token-file', line: lines.AZURE_FEDERATED_TOKEN_FILE ?? job.line, reason: `${where} env sets AZURE_FEDERATED_TOKEN_FILE (Azure SDK / azd workload identity login)` };
      if ('ARM_USE_OIDC' in values && TRUTHY.has(values.ARM_USE_OIDC ?? ''))
        return { kind: 'env-arm-use-oidc', line: lines.ARM_USE_OIDC ?? job.line, reason: `${where} env sets ARM_USE_OIDC: true (Terraform azurerm/azuread OIDC login)` };
      return undefined;
    };
    const m = job.uses ? undefined : (envMarker(job.env, job.envLines, 'the job\'s') ?? envMarker(wf.env, wf.envLines, 'the workflow\'s'));
    if (m) job.azureLogins.push(m);
  }
  job.logsInToAzure = job.azureLogins.length > 0;
  return job;
}

/**
 * Parse a workflow file. Never throws: YAML errors and unexpected shapes are in `errors`.
 * `path` is kept as given (repository-relative paths give the best messages).
 */
export function parseWorkflow(text: string, path: string, options: ParseOptions = {}): WorkflowFile {
  // Locations become annotations, which name the file with `/` whatever the OS wrote (`\` on Windows).
  const wf: WorkflowFile = { path: path.replace(/\\/g, '/'), triggers: [], env: record(), envLines: record(), jobs: [], isReusable: false, errors: [] };
  const source = typeof text === 'string' ? text : String(text ?? '');
  const r = new Reader(source);
  try {
    // Deep nesting would overflow the yaml library's recursion, sometimes fatally (see yaml-guard.ts).
    if (yamlTooDeep(source)) throw new Error(`the document is nested more than ${MAX_YAML_DEPTH} levels deep`);
    r.doc = parseDocument(source, { lineCounter: r.lc, prettyErrors: false });
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
        if (key === 'true' && /^on$/i.test(r.text.slice((keyNode as { range?: number[] }).range?.[0] ?? 0, (keyNode as { range?: number[] }).range?.[1] ?? 0))) {
          onSeen = true;
          readOn(r, wf, keyNode, value);
        }
        break;
    }
  }
  if (!onSeen) r.errors.push({ kind: 'schema', message: 'The workflow has no `on:` key, so nothing triggers it', line: 1, column: 1 });
  if (!jobsNode) {
    r.errors.push({ kind: 'schema', message: 'The workflow has no `jobs:`', line: 1, column: 1 });
    return;
  }
  wf.jobsLine = r.line(jobsNode.keyNode);
  if (!r.isMap(jobsNode.value)) {
    r.schema(jobsNode.value ?? jobsNode.keyNode, '`jobs:` must be a map of job ids');
    return;
  }
  for (const [id, value, keyNode] of r.entries(jobsNode.value)) wf.jobs.push(readJob(r, id, keyNode, value, wf, options));
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
