/**
 * The inputs a run knows (`workflow_dispatch`/`workflow_call` declarations, what a caller's `with:`
 * passes) and the expression context (`github.*`, `inputs.*`, `matrix.*`) its jobs see. Pure.
 */
import {
  OPEN,
  Pattern,
  UNKNOWN as UNKNOWN_VALUE,
  evaluateCondition,
  interpolate,
  type Context,
  type Value,
} from './expression.js';
import { matrixLegs, type Leg } from './matrix.js';
import type { ReusableCall, WorkflowFile, WorkflowJob, WorkflowTrigger } from './parse.js';
import { UNKNOWN, type RunContext, type ValueSet } from './run-context.js';

const code = (s: string) => `\`${s}\``;

/** What `inputs.X` can be on `workflow_dispatch`/`workflow_call`, from the declaration (line of the input). */
export function inputsFromTrigger(trigger: WorkflowTrigger): Map<string, ValueSet> {
  const m = new Map<string, ValueSet>();
  if (trigger.event !== 'workflow_dispatch' && trigger.event !== 'workflow_call') return m;
  const who = trigger.event === 'workflow_dispatch' ? 'the person starting the run' : 'a caller';
  for (const input of trigger.inputs ?? []) {
    const at = `input ${code(input.name)} (line ${input.line})`;
    const def = input.default !== undefined && !/\$\{\{/.test(input.default) ? input.default : undefined;
    if (input.type === 'choice' && input.options && input.options.length > 0)
      m.set(input.name, { values: [...input.options], certain: false, note: `one of the choice options of ${at}` });
    else if (input.type === 'environment')
      m.set(input.name, {
        values: [UNKNOWN_VALUE],
        certain: false,
        note: `${at}, an environment input: any environment of the repository`,
      });
    else if (input.type === 'boolean')
      m.set(input.name, {
        values: def === undefined ? [false, true] : [def === 'true', def !== 'true'],
        certain: false,
        note: `${at}, a boolean`,
      });
    else if (def !== undefined && def !== '')
      m.set(input.name, { values: [def], certain: false, note: `the default of ${at}; ${who} may give another value` });
    else m.set(input.name, { values: [UNKNOWN_VALUE], certain: false, note: `${at}, only known when the run starts` });
  }
  return m;
}

function closed(values: Record<string, Value | Context>): Context {
  return Object.assign(Object.create(null) as Context, values);
}

function open(values: Record<string, Value | Context> = {}): Context {
  return Object.assign(Object.create(null) as Context, values, { [OPEN]: true });
}

/** One value per input name (the combination being evaluated). */
export type InputChoice = ReadonlyMap<string, Value>;

const plainContexts = new WeakMap<RunContext, Context>();

/** The expression context of a job in a run, for one matrix leg and one choice of inputs. */
export function contextFor(run: RunContext, leg: Leg, inputs: InputChoice): Context {
  // Most jobs read neither inputs nor the matrix: one context per run serves them all (never mutated).
  const plain = inputs.size === 0 && Object.keys(leg).length === 0 && !(OPEN in leg);
  const cached = plain ? plainContexts.get(run) : undefined;
  if (cached) return cached;
  const ctx = buildContext(run, leg, inputs);
  if (plain) plainContexts.set(run, ctx);
  return ctx;
}

function buildContext(run: RunContext, leg: Leg, inputs: InputChoice): Context {
  const known = run.ref !== UNKNOWN && !/[*?]/.test(run.ref) && !run.ref.startsWith('refs/pull/');
  const inputValues = (names: Iterable<string>, pick: (n: string) => Value) =>
    closed(Object.fromEntries([...names].map((n) => [n, pick(n)])));
  const inputsCtx = run.hasInputs
    ? inputValues(run.inputs.keys(), (n) => inputs.get(n) ?? run.inputs.get(n)?.values[0] ?? UNKNOWN_VALUE)
    : closed({});
  const eventInputs = run.eventInputs
    ? inputValues(run.eventInputs.keys(), (n) => inputs.get(n) ?? UNKNOWN_VALUE)
    : run.trigger === 'workflow_call'
      ? UNKNOWN_VALUE
      : null;
  const refName = known ? run.ref.replace(/^refs\/(heads|tags)\//, '') : UNKNOWN_VALUE;
  const ref = known ? run.ref : run.ref === UNKNOWN ? UNKNOWN_VALUE : new Pattern(run.ref.replace(/\?/g, '*'));
  const github = open({
    event_name: run.trigger,
    ref,
    ref_name: refName,
    ref_type: run.refType === UNKNOWN ? UNKNOWN_VALUE : run.refType,
    base_ref: run.refContext === 'pull_request' ? (run.baseRef ?? UNKNOWN_VALUE) : '',
    head_ref: run.refContext === 'pull_request' ? UNKNOWN_VALUE : '',
    repository: `${run.owner}/${run.repo}`,
    repository_owner: run.owner,
    event: open({ ...(run.action ? { action: run.action } : {}), inputs: eventInputs }),
  });
  return closed({ github, inputs: inputsCtx, matrix: closed(leg) });
}

/** Names of inputs an expression text reads (`inputs.x`, `inputs['x']`, `github.event.inputs.x`). */
export function inputNames(texts: ReadonlyArray<string | undefined>): Set<string> {
  const names = new Set<string>();
  for (const t of texts) {
    if (!t) continue;
    const re = /inputs\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\])/g;
    for (const m of t.matchAll(re)) names.add(m[1] ?? m[2] ?? '');
  }
  return names;
}

const MAX_INPUT_CHOICES = 32;

/** Every combination of the values of the named inputs (up to a limit; beyond it, unknown). */
export function inputChoices(run: RunContext, names: ReadonlySet<string>): InputChoice[] {
  let combos: Array<Map<string, Value>> = [new Map()];
  for (const name of names) {
    const vs = run.inputs.get(name) ?? run.eventInputs?.get(name);
    if (!vs) continue;
    const next: Array<Map<string, Value>> = [];
    for (const c of combos) for (const v of vs.values) next.push(new Map(c).set(name, v));
    combos = next.length > MAX_INPUT_CHOICES ? combos.map((c) => new Map(c).set(name, UNKNOWN_VALUE)) : next;
  }
  return combos;
}

const wantedCache = new WeakMap<WorkflowFile, Set<string>>();

/** The inputs a called workflow reads where it matters here: conditions, environments, matrices, calls. */
export function inputsReadBy(workflow: WorkflowFile): Set<string> {
  let names = wantedCache.get(workflow);
  if (!names) {
    const texts: Array<string | undefined> = [];
    for (const job of workflow.jobs) {
      texts.push(
        job.condition,
        job.environment?.name,
        job.matrix?.value === undefined ? undefined : JSON.stringify(job.matrix.value),
      );
      for (const step of job.steps) texts.push(step.condition);
      if (job.uses) texts.push(...Object.values(job.uses.with));
    }
    names = inputNames(texts);
    wantedCache.set(workflow, names);
  }
  return names;
}

/** Does any of the texts read the matrix? Only then do its legs give different subjects. */
export function readsMatrix(texts: ReadonlyArray<string | undefined>): boolean {
  return texts.some((t) => !!t && /\bmatrix\b/.test(t));
}

/**
 * The inputs a caller job passes (`with:`), once per leg of its matrix on which it runs (its
 * `if:` is not false), evaluated in the caller's run. Only the `wanted` inputs are evaluated
 * (the ones the called workflow reads); legs that pass the same values count once.
 */
export function callInputs(
  callerJob: WorkflowJob,
  call: ReusableCall,
  run: RunContext,
  wanted: ReadonlySet<string>,
): Array<Map<string, ValueSet>> {
  const entries = Object.entries(call.with).filter(([k]) => wanted.has(k));
  const matrixText = callerJob.matrix?.value === undefined ? undefined : JSON.stringify(callerJob.matrix.value);
  const texts = [callerJob.condition, ...entries.map(([, v]) => v), matrixText];
  const useLegs = readsMatrix([callerJob.condition, ...entries.map(([, v]) => v)]);
  const out = new Map<string, Map<string, ValueSet>>();
  for (const choice of inputChoices(run, inputNames(texts))) {
    const base = contextFor(run, {}, choice);
    const { legs } = useLegs ? matrixLegs(callerJob.matrix, base) : { legs: [{}] };
    for (const leg of legs) {
      const ctx = useLegs ? contextFor(run, leg, choice) : base;
      if (evaluateCondition(callerJob.condition, ctx) === 'no') continue;
      const m = new Map<string, ValueSet>();
      for (const [k, raw] of entries) {
        const line = call.withLines[k];
        const texts2 = interpolate(raw, ctx);
        m.set(k, {
          values: texts2.map((t) => (t.known ? t.text : UNKNOWN_VALUE)),
          certain: texts2.every((t) => t.known && t.certain),
          note: `the value job ${code(callerJob.id)} passes (${code(`${k}: ${raw}`)}, line ${line})`,
        });
      }
      const key = JSON.stringify(
        [...m].map(([k, v]) => [k, v.values.map((x) => (typeof x === 'symbol' ? '\u0000' : x))]),
      );
      if (!out.has(key)) out.set(key, m);
    }
  }
  return [...out.values()];
}
