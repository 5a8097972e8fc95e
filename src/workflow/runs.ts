/**
 * The ways a workflow can start (one `RunContext` per trigger, branch/tag filter value, caller),
 * with the `ref` GitHub sends for each (docs/github-oidc.md, "The default subject"), the inputs
 * each run knows, and the expression context (`github.*`, `inputs.*`, `matrix.*`) its jobs see.
 * Pure.
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
import { repoRelativePath } from './parse.js';
import type { SubjectContext } from './predict-types.js';

const UNKNOWN = '*';
export const MAX_CALL_DEPTH = 4;
const code = (s: string) => `\`${s}\``;

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

interface ValueSet {
  /** The values it can take; `UNKNOWN` (expression.ts) for a value only known when the run starts. */
  values: Value[];
  certain: boolean;
  note: string;
}

function isGlob(s: string): boolean {
  return /[*?+[\]]/.test(s);
}

/** A GitHub filter pattern as an Entra wildcard (`**` → `*`, `+`/`?` → `*`, `[..]` → `?`): never narrower. */
export function filterToWildcard(pattern: string): string {
  const out: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end > i) {
        out.push('?'); // one character of the class
        i = end;
        continue;
      }
    }
    if (c === '+' && out.length > 0)
      out.push('*'); // one or more of the previous: it, then anything
    else if (c === '?' && out.length > 0)
      out[out.length - 1] = '*'; // zero or one of the previous
    else out.push(c);
  }
  return out.join('').replace(/\*+/g, '*');
}

function defaultBranch(ctx: SubjectContext): { name: string; known: boolean; text: string } {
  const known = !!ctx.defaultBranch;
  const name = ctx.defaultBranch || 'main';
  return {
    name,
    known,
    text: known ? `the default branch ${code(name)}` : `the default branch (assumed ${code(name)}; it was not given)`,
  };
}

function baseRun(
  trigger: WorkflowTrigger,
  wf: WorkflowFile,
  ctx: SubjectContext,
  owner: { owner: string; repo: string; ownerId?: string; repoId?: string },
  inputs: Map<string, ValueSet>,
): Omit<RunContext, 'refContext' | 'ref' | 'refType' | 'certain' | 'pattern' | 'reason' | 'sourceLine'> {
  return {
    repoCertain: true,
    trigger: trigger.event,
    triggerLine: trigger.line,
    triggerFile: wf.path,
    ...owner,
    workflowPath: repoRelativePath(wf.path),
    workflowName: ctx.workflowName ?? wf.name ?? repoRelativePath(wf.path),
    inputs,
    hasInputs: trigger.event === 'workflow_dispatch' || trigger.event === 'workflow_call',
    ...(trigger.event === 'workflow_dispatch' ? { eventInputs: inputs } : {}),
    ...(trigger.types?.values.length === 1 ? { action: trigger.types.values[0]! } : {}),
  };
}

function refRun(
  base: ReturnType<typeof baseRun>,
  ref: string,
  extra: Partial<RunContext> & { reason: string; certain: boolean; sourceLine: number },
): RunContext {
  return {
    ...base,
    refContext: `ref:${ref}`,
    ref,
    refType: ref.startsWith('refs/heads/') ? 'branch' : ref.startsWith('refs/tags/') ? 'tag' : UNKNOWN,
    pattern: ref.includes('*') || ref.includes('?'),
    ...extra,
  };
}

function filterRuns(base: ReturnType<typeof baseRun>, trigger: WorkflowTrigger, kind: 'branch' | 'tag'): RunContext[] {
  const prefix = kind === 'branch' ? 'refs/heads/' : 'refs/tags/';
  const include = kind === 'branch' ? trigger.branches : trigger.tags;
  const ignore = kind === 'branch' ? trigger.branchesIgnore : trigger.tagsIgnore;
  const key = kind === 'branch' ? 'branches' : 'tags';
  const event = trigger.event;
  const runs: RunContext[] = [];
  if (include) {
    include.values.forEach((value, i) => {
      if (value.startsWith('!')) return;
      const glob = isGlob(value);
      const ref = `${prefix}${glob ? filterToWildcard(value) : value}`;
      runs.push(
        refRun(base, ref, {
          certain: true,
          sourceLine: include.valueLines[i] ?? include.line,
          reason: glob
            ? `${event} to a ${kind} matching ${code(value)} ` +
              `(${key} filter, line ${include.valueLines[i] ?? include.line}): ` +
              `GitHub sends ${code(`ref:${prefix}<${kind}>`)} with the actual ${kind} name, one subject per ${kind}.`
            : `${event} to ${kind} ${code(value)} ` +
              `(${key} filter, line ${include.valueLines[i] ?? include.line}): GitHub sends the ref.`,
        }),
      );
    });
    if (runs.length === 0)
      runs.push(
        refRun(base, `${prefix}*`, {
          certain: false,
          sourceLine: include.line,
          reason: `${event} with only negated ${key} patterns (line ${include.line}): any other ${kind}.`,
        }),
      );
    return runs;
  }
  if (ignore) {
    return [
      refRun(base, `${prefix}*`, {
        certain: false,
        sourceLine: ignore.line,
        reason:
          `${event} to any ${kind} except ${ignore.values.map(code).join(', ')} ` +
          `(${key}-ignore, line ${ignore.line}): GitHub sends the ${kind}'s ref.`,
      }),
    ];
  }
  return [
    refRun(base, `${prefix}*`, {
      certain: false,
      sourceLine: trigger.line,
      reason:
        `${event} has no ${key} filter (line ${trigger.line}), so it runs for any ${kind}; ` +
        `GitHub sends that ${kind}'s ref.`,
    }),
  ];
}

const DEFAULT_BRANCH_EVENTS = new Set([
  'issues',
  'issue_comment',
  'label',
  'milestone',
  'discussion',
  'discussion_comment',
  'watch',
  'fork',
  'gollum',
  'page_build',
  'project',
  'project_card',
  'project_column',
  'public',
  'repository_dispatch',
  'status',
  'check_run',
  'check_suite',
  'branch_protection_rule',
  'delete',
  'workflow_run',
  'schedule',
  'member',
  'merge_group_removed',
]);

const ANY_REF_EVENTS: Record<string, string> = {
  create: 'create runs for the branch or tag that was created',
  deployment: 'deployment runs on the branch or tag being deployed',
  deployment_status: 'deployment_status runs on the branch or tag being deployed',
  registry_package: 'registry_package runs on the branch or tag of the package',
};

/** The run contexts a trigger produces, before the job's environment is applied. */
export function runsForTrigger(
  trigger: WorkflowTrigger,
  wf: WorkflowFile,
  ctx: SubjectContext,
  owner: { owner: string; repo: string; ownerId?: string; repoId?: string },
  inputs: Map<string, ValueSet>,
  depth: number,
): RunContext[] {
  const base = baseRun(trigger, wf, ctx, owner, inputs);
  const db = defaultBranch(ctx);
  const at = trigger.line;
  const ev = trigger.event;
  switch (ev) {
    case 'push': {
      const hasBranches = !!(trigger.branches || trigger.branchesIgnore);
      const hasTags = !!(trigger.tags || trigger.tagsIgnore);
      const runs: RunContext[] = [];
      if (hasBranches || !hasTags) runs.push(...filterRuns(base, trigger, 'branch'));
      if (hasTags || !hasBranches) runs.push(...filterRuns(base, trigger, 'tag'));
      return runs;
    }
    case 'pull_request':
    case 'pull_request_target':
    case 'pull_request_review':
    case 'pull_request_review_comment': {
      const documented = ev === 'pull_request' || ev === 'pull_request_target';
      const base0 = trigger.branches?.values.find((b) => !b.startsWith('!') && !isGlob(b));
      const ref = ev === 'pull_request_target' ? `refs/heads/${base0 ?? UNKNOWN}` : `refs/pull/${UNKNOWN}/merge`;
      const filterNote = trigger.branches
        ? ` The branches filter (line ${trigger.branches.line}) selects the base branch; ` +
          'it does not change the subject.'
        : '';
      const baseRef = ev === 'pull_request_target' || ev === 'pull_request' ? base0 : undefined;
      return [
        {
          ...base,
          ...(baseRef ? { baseRef } : {}),
          refContext: 'pull_request',
          ref,
          refType: ev === 'pull_request_target' ? 'branch' : UNKNOWN,
          certain: documented,
          pattern: false,
          sourceLine: at,
          reason:
            (documented
              ? `${ev} runs (line ${at}): GitHub sends ${code('pull_request')}, never the branch name.`
              : `${ev} runs (line ${at}) are pull request events; ` +
                `GitHub documents ${code('pull_request')} for pull request events, assumed here.`) +
            filterNote +
            (ev === 'pull_request' ? ' Runs for pull requests from forks get no OIDC token at all.' : ''),
        },
      ];
    }
    case 'workflow_dispatch':
      return [
        refRun(base, `refs/heads/${db.name}`, {
          certain: false,
          sourceLine: at,
          possible: 'ref:refs/*',
          reason:
            `workflow_dispatch (line ${at}) runs on the branch or tag picked when the run is started, ` +
            `usually ${db.text}.`,
        }),
      ];
    case 'merge_group': {
      const bases = trigger.branches?.values.filter((b) => !b.startsWith('!')) ?? [];
      const list = bases.length > 0 ? bases.map(filterToWildcard) : [UNKNOWN];
      return list.map((b) =>
        refRun(base, `refs/heads/gh-readonly-queue/${b}/*`, {
          certain: false,
          sourceLine: trigger.branches?.line ?? at,
          reason:
            `merge_group (line ${at}): merge queue runs use a temporary branch ` +
            `${code(`refs/heads/gh-readonly-queue/${b === UNKNOWN ? '<base>' : b}/pr-<number>-<sha>`)}, ` +
            'a new name for every queue entry, so no classic credential can match it; ' +
            'only a flexible credential with a wildcard can.',
        }),
      );
    }
    case 'release':
      return [
        refRun(base, 'refs/tags/*', {
          certain: true,
          sourceLine: at,
          reason: `release (line ${at}) runs on the release's tag: GitHub sends ${code('ref:refs/tags/<tag>')}.`,
        }),
      ];
    case 'workflow_call':
      return callerRuns(trigger, wf, ctx, depth);
    default:
      break;
  }
  if (ANY_REF_EVENTS[ev])
    return [
      refRun(base, 'refs/*', {
        certain: false,
        sourceLine: at,
        reason: `${ANY_REF_EVENTS[ev]} (line ${at}); the ref is only known at run time.`,
      }),
    ];
  const known = DEFAULT_BRANCH_EVENTS.has(ev);
  return [
    refRun(base, `refs/heads/${db.name}`, {
      certain: known && db.known,
      sourceLine: at,
      reason: known
        ? `${ev} (line ${at}) runs on ${db.text}.`
        : `${ev} (line ${at}) is assumed to run on ${db.text}, as most events do.`,
    }),
  ];
}

/** `on: workflow_call`: the context comes from whoever calls the file. */
function callerRuns(trigger: WorkflowTrigger, wf: WorkflowFile, ctx: SubjectContext, depth: number): RunContext[] {
  const self = repoRelativePath(wf.path);
  const explain =
    `This file is a reusable workflow (workflow_call, line ${trigger.line}): ` +
    `GitHub builds ${code('sub')} from the CALLING workflow's repository and context ` +
    "(its ref or pull_request, or this job's environment), " +
    `while ${code('job_workflow_ref')} names this file (${code(self)}).`;
  const callers = ctx.callerContexts ?? [];
  if (callers.length === 0 || depth >= MAX_CALL_DEPTH) {
    const base = baseRun(
      trigger,
      wf,
      ctx,
      { owner: ctx.owner, repo: ctx.repo, ownerId: ctx.ownerId, repoId: ctx.repoId },
      inputsFromTrigger(trigger),
    );
    return [
      {
        ...base,
        refContext: UNKNOWN,
        ref: UNKNOWN,
        refType: UNKNOWN,
        certain: false,
        pattern: true,
        repoCertain: false,
        sourceLine: trigger.line,
        reason: '',
        callNote:
          `${explain} The callers are not known here, so the context is unknown ` +
          `and the caller is assumed to be ${code(`${ctx.owner}/${ctx.repo}`)}.`,
      },
    ];
  }
  const runs: RunContext[] = [];
  for (const caller of callers) {
    const owner = {
      owner: caller.owner ?? ctx.owner,
      repo: caller.repo ?? ctx.repo,
      ownerId: caller.owner && caller.owner !== ctx.owner ? caller.ownerId : (caller.ownerId ?? ctx.ownerId),
      repoId: caller.repo && caller.repo !== ctx.repo ? caller.repoId : (caller.repoId ?? ctx.repoId),
    };
    const callerCtx: SubjectContext = { ...ctx, ...owner, callerContexts: [], workflowName: undefined };
    const inputs = inputsFromTrigger(trigger);
    for (const [k, v] of Object.entries(caller.inputs ?? {}))
      inputs.set(k, { values: [v], certain: true, note: `the value the caller passes (${code(`${k}: ${v}`)})` });
    if (caller.workflow) {
      const callerWf = caller.workflow;
      const callerPath = repoRelativePath(callerWf.path);
      const otherRepo =
        owner.owner !== ctx.owner || owner.repo !== ctx.repo ? ` in ${code(`${owner.owner}/${owner.repo}`)}` : '';
      // The caller's jobs that call this file: their `with:` gives `inputs.*`.
      const callerJobs: Array<WorkflowJob | undefined> = caller.callerJobId
        ? [callerWf.jobs.find((j) => j.id === caller.callerJobId)]
        : callerWf.jobs.filter((j) => j.uses?.path !== undefined && repoRelativePath(j.uses.path) === self);
      if (callerJobs.length === 0) callerJobs.push(undefined);
      for (const t of callerWf.triggers) {
        if (t.event === 'workflow_call') continue;
        for (const run of runsForTrigger(t, callerWf, callerCtx, owner, inputsFromTrigger(t), depth + 1)) {
          for (const callerJob of callerJobs) {
            const passed = callerJob?.uses
              ? callInputs(callerJob, callerJob.uses, run, inputsReadBy(wf))
              : [new Map<string, ValueSet>()];
            for (const given of passed)
              runs.push({
                ...run,
                inputs: new Map([...inputs, ...given]),
                hasInputs: true,
                caller: `${owner.owner}/${owner.repo}`,
                callNote:
                  `Called from ${code(callerPath)}` +
                  `${callerJob ? ` (job ${code(callerJob.id)}, line ${callerJob.line})` : ''}` +
                  `${otherRepo}. ${explain}`,
              });
          }
        }
      }
      continue;
    }
    const base = { ...baseRun(trigger, wf, callerCtx, owner, inputs), eventInputs: undefined };
    if (caller.ref || caller.eventName) {
      const isPr = caller.eventName === 'pull_request' || caller.eventName === 'pull_request_target';
      const ref = caller.ref ?? UNKNOWN;
      runs.push({
        ...base,
        trigger: caller.eventName ?? 'workflow_call',
        refContext: isPr ? 'pull_request' : `ref:${ref}`,
        ref,
        refType: ref.startsWith('refs/tags/') ? 'tag' : ref.startsWith('refs/heads/') ? 'branch' : UNKNOWN,
        certain: ref !== UNKNOWN || isPr,
        pattern: !isPr && ref === UNKNOWN,
        sourceLine: trigger.line,
        caller: `${owner.owner}/${owner.repo}`,
        reason:
          `The caller runs for ${caller.eventName ?? 'an unknown event'}` +
          `${caller.ref ? ` on ${code(caller.ref)}` : ''}.`,

        callNote: `Called from ${code(`${owner.owner}/${owner.repo}`)}. ${explain}`,
      });
    } else {
      runs.push({
        ...base,
        refContext: UNKNOWN,
        ref: UNKNOWN,
        refType: UNKNOWN,
        certain: false,
        pattern: true,
        sourceLine: trigger.line,
        caller: `${owner.owner}/${owner.repo}`,
        reason: 'The context of the caller is not known.',
        callNote: `Called from ${code(`${owner.owner}/${owner.repo}`)}. ${explain}`,
      });
    }
  }
  return runs;
}

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
