/**
 * Reading the sections of a workflow file that are not steps: `on:` and its filters and inputs,
 * `permissions:`, `environment:`, `strategy.matrix`, and calls to reusable workflows.
 */
import type { Node } from 'yaml';
import { isMap, isScalar, isSeq } from './yaml-nodes.js';
import type {
  JobEnvironment,
  JobMatrix,
  MatrixDimension,
  PermissionScope,
  PermissionsBlock,
  ReusableCall,
  TriggerFilter,
  TriggerInput,
  WorkflowFile,
  WorkflowTrigger,
} from './parse.js';
import { record, type Any, type Reader } from './yaml-reader.js';

export function firstLine(message: string): string {
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
        if (options)
          input.options = r
            .items(options.value)
            .map((o) => r.str(o))
            .filter((o): o is string => o !== undefined);
        trigger.inputs.push(input);
      }
      continue;
    }
    if (key === 'secrets' && trigger.event === 'workflow_call') {
      trigger.secrets = [];
      for (const [name, spec, nameNode] of r.entries(value)) {
        const req = r.get(spec, 'required');
        trigger.secrets.push({
          name,
          line: r.line(nameNode),
          ...(req ? { required: r.str(req.value) === 'true' } : {}),
        });
      }
    }
  }
}

export function readOn(r: Reader, wf: WorkflowFile, keyNode: Node, value: Any): void {
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

export function readPermissions(r: Reader, keyNode: Node, value: Any): PermissionsBlock {
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
    return {
      ...block,
      kind: scopes.length === 0 ? 'empty' : 'map',
      scopes,
      idToken,
      ...(idTokenLine !== undefined ? { idTokenLine } : {}),
    };
  }
  r.schema(v ?? keyNode, '`permissions:` must be `read-all`, `write-all` or a map');
  return block;
}

export function readEnvironment(r: Reader, keyNode: Node, value: Any): JobEnvironment {
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
  return {
    ...p,
    form: 'string',
    ...(name !== undefined ? { name } : {}),
    isExpression: expressions.length > 0,
    expressions,
  };
}

export function readMatrix(r: Reader, keyNode: Node, value: Any): JobMatrix {
  const matrix: JobMatrix = { line: r.line(keyNode), dimensions: [], include: [], exclude: [] };
  const v = r.deref(value);
  matrix.value = r.json(v);
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

export function readReusableCall(r: Reader, keyNode: Node, value: Any, job: Any): ReusableCall {
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
