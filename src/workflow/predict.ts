/**
 * Predict the `sub` claim GitHub will put in each Azure-login job's OIDC token, from the
 * workflow file alone (docs/github-oidc.md "The default subject", "Immutable subjects",
 * "Customization API"). Pure. Every prediction says why, and says so when it is a guess.
 */
import type { JobEnvironment, JobMatrix, ReusableCall, WorkflowFile, WorkflowJob, WorkflowTrigger } from './parse.js';
import { repoRelativePath } from './parse.js';

/** Who calls a reusable workflow (`on: workflow_call`): the subject carries the caller's repository and context. */
interface CallerContext {
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
  /** Every subject the trigger can send, as a glob, when wider than `subject` (workflow_dispatch can run on any ref). */
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
  calls?: { uses: string; line: number; resolved: boolean; file?: string; jobId?: string; jobLine?: number };
  subjects: PredictedSubject[];
  notes: string[];
}

interface PredictOptions {
  /** Predict for every job, not only the ones that log in to Azure. */
  allJobs?: boolean;
  /**
   * Leave out the `workflow_call` trigger: set it when the callers are predicted from
   * their own files (the audit does, for callers it has), so runs are not counted twice.
   */
  skipWorkflowCall?: boolean;
}

const UNKNOWN = '*';
const MAX_VARIANTS = 32;
const MAX_CALL_DEPTH = 4;
const code = (s: string) => `\`${s}\``;

/** One way a run can start: the ref part of the subject and the claims that go with it. */
interface RunContext {
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
  /** Set when the run starts in a caller (reusable workflows). */
  caller?: string;
  /** Why the job runs in this context when a reusable workflow is involved. */
  callNote?: string;
  /** False when the repository in the subject is assumed (unknown callers). */
  repoCertain: boolean;
}

interface ValueSet {
  values: string[];
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
    if (c === '+' && out.length > 0) out.push('*'); // one or more of the previous: it, then anything
    else if (c === '?' && out.length > 0) out[out.length - 1] = '*'; // zero or one of the previous
    else out.push(c);
  }
  return out.join('').replace(/\*+/g, '*');
}

function defaultBranch(ctx: SubjectContext): { name: string; known: boolean; text: string } {
  const known = !!ctx.defaultBranch;
  const name = ctx.defaultBranch || 'main';
  return { name, known, text: known ? `the default branch ${code(name)}` : `the default branch (assumed ${code(name)}; it was not given)` };
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
  };
}

function refRun(base: ReturnType<typeof baseRun>, ref: string, extra: Partial<RunContext> & { reason: string; certain: boolean; sourceLine: number }): RunContext {
  return {
    ...base,
    refContext: `ref:${ref}`,
    ref,
    refType: ref.startsWith('refs/heads/') ? 'branch' : ref.startsWith('refs/tags/') ? 'tag' : UNKNOWN,
    pattern: ref.includes('*') || ref.includes('?'),
    ...extra,
  };
}

function filterRuns(
  base: ReturnType<typeof baseRun>,
  trigger: WorkflowTrigger,
  kind: 'branch' | 'tag',
): RunContext[] {
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
            ? `${event} to a ${kind} matching ${code(value)} (${key} filter, line ${include.valueLines[i] ?? include.line}): GitHub sends ${code(`ref:${prefix}<${kind}>`)} with the actual ${kind} name, one subject per ${kind}.`
            : `${event} to ${kind} ${code(value)} (${key} filter, line ${include.valueLines[i] ?? include.line}): GitHub sends the ref.`,
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
        reason: `${event} to any ${kind} except ${ignore.values.map(code).join(', ')} (${key}-ignore, line ${ignore.line}): GitHub sends the ${kind}'s ref.`,
      }),
    ];
  }
  return [
    refRun(base, `${prefix}*`, {
      certain: false,
      sourceLine: trigger.line,
      reason: `${event} has no ${key} filter (line ${trigger.line}), so it runs for any ${kind}; GitHub sends that ${kind}'s ref.`,
    }),
  ];
}

const DEFAULT_BRANCH_EVENTS = new Set([
  'issues', 'issue_comment', 'label', 'milestone', 'discussion', 'discussion_comment', 'watch', 'fork', 'gollum',
  'page_build', 'project', 'project_card', 'project_column', 'public', 'repository_dispatch', 'status', 'check_run',
  'check_suite', 'branch_protection_rule', 'delete', 'workflow_run', 'schedule', 'member', 'merge_group_removed',
]);

const ANY_REF_EVENTS: Record<string, string> = {
  create: 'create runs for the branch or tag that was created',
  deployment: 'deployment runs on the branch or tag being deployed',
  deployment_status: 'deployment_status runs on the branch or tag being deployed',
  registry_package: 'registry_package runs on the branch or tag of the package',
};

/** The run contexts a trigger produces, before the job's environment is applied. */
function runsForTrigger(
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
      const filterNote = trigger.branches ? ` The branches filter (line ${trigger.branches.line}) selects the base branch; it does not change the subject.` : '';
      return [
        {
          ...base,
          refContext: 'pull_request',
          ref,
          refType: ev === 'pull_request_target' ? 'branch' : UNKNOWN,
          certain: documented,
          pattern: false,
          sourceLine: at,
          reason:
            (documented
              ? `${ev} runs (line ${at}): GitHub sends ${code('pull_request')}, never the branch name.`
              : `${ev} runs (line ${at}) are pull request events; GitHub documents ${code('pull_request')} for pull request events, assumed here.`) +
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
          reason: `workflow_dispatch (line ${at}) runs on the branch or tag picked when the run is started, usually ${db.text}.`,
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
            `merge_group (line ${at}): merge queue runs use a temporary branch ${code(`refs/heads/gh-readonly-queue/${b === UNKNOWN ? '<base>' : b}/pr-<number>-<sha>`)}, ` +
            'a new name for every queue entry, so no classic credential can match it; only a flexible credential with a wildcard can.',
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
      refRun(base, 'refs/*', { certain: false, sourceLine: at, reason: `${ANY_REF_EVENTS[ev]} (line ${at}); the ref is only known at run time.` }),
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
    `This file is a reusable workflow (workflow_call, line ${trigger.line}): GitHub builds ${code('sub')} from the CALLING workflow's repository and context ` +
    `(its ref or pull_request, or this job's environment), while ${code('job_workflow_ref')} names this file (${code(self)}).`;
  const callers = ctx.callerContexts ?? [];
  if (callers.length === 0 || depth >= MAX_CALL_DEPTH) {
    const base = baseRun(trigger, wf, ctx, { owner: ctx.owner, repo: ctx.repo, ownerId: ctx.ownerId, repoId: ctx.repoId }, inputsFromDefaults(trigger));
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
        callNote: `${explain} The callers are not known here, so the context is unknown and the caller is assumed to be ${code(`${ctx.owner}/${ctx.repo}`)}.`,
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
    const inputs = inputsFromDefaults(trigger);
    for (const [k, v] of Object.entries(caller.inputs ?? {})) inputs.set(k, { values: [v], certain: true, note: `the value the caller passes (${code(`${k}: ${v}`)})` });
    if (caller.workflow) {
      const callerWf = caller.workflow;
      const callerPath = repoRelativePath(callerWf.path);
      // The caller's jobs that call this file: their `with:` gives `inputs.*`.
      const callerJobs: Array<WorkflowJob | undefined> = caller.callerJobId
        ? [callerWf.jobs.find((j) => j.id === caller.callerJobId)]
        : callerWf.jobs.filter((j) => j.uses?.path !== undefined && repoRelativePath(j.uses.path) === self);
      if (callerJobs.length === 0) callerJobs.push(undefined);
      for (const t of callerWf.triggers) {
        if (t.event === 'workflow_call') continue;
        for (const run of runsForTrigger(t, callerWf, callerCtx, owner, inputsFromTrigger(t), depth + 1)) {
          for (const callerJob of callerJobs) {
            const merged = new Map(inputs);
            if (callerJob?.uses) for (const [k, vs] of withInputs(callerJob, callerJob.uses, run)) merged.set(k, vs);
            runs.push({
              ...run,
              inputs: merged,
              caller: `${owner.owner}/${owner.repo}`,
              callNote: `Called from ${code(callerPath)}${callerJob ? ` (job ${code(callerJob.id)}, line ${callerJob.line})` : ''}${owner.owner !== ctx.owner || owner.repo !== ctx.repo ? ` in ${code(`${owner.owner}/${owner.repo}`)}` : ''}. ${explain}`,
            });
          }
        }
      }
      continue;
    }
    const base = baseRun(trigger, wf, callerCtx, owner, inputs);
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
        reason: `The caller runs for ${caller.eventName ?? 'an unknown event'}${caller.ref ? ` on ${code(caller.ref)}` : ''}.`,
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

function inputsFromDefaults(trigger: WorkflowTrigger): Map<string, ValueSet> {
  const m = new Map<string, ValueSet>();
  for (const input of trigger.inputs ?? []) {
    if (input.default !== undefined && input.default !== '' && !/\$\{\{/.test(input.default))
      m.set(input.name, { values: [input.default], certain: false, note: `the input's default ${code(input.default)} (a caller may pass another value)` });
  }
  return m;
}

/** `workflow_dispatch` choice inputs (and defaults) as the values `inputs.X` can take. */
function inputsFromTrigger(trigger: WorkflowTrigger): Map<string, ValueSet> {
  const m = new Map<string, ValueSet>();
  if (trigger.event !== 'workflow_dispatch' && trigger.event !== 'workflow_call') return m;
  for (const input of trigger.inputs ?? []) {
    if (input.type === 'choice' && input.options && input.options.length > 0) {
      m.set(input.name, { values: [...input.options], certain: false, note: `one of the choice options of input ${code(input.name)} (line ${input.line})` });
    } else if (input.default !== undefined && input.default !== '' && !/\$\{\{/.test(input.default)) {
      m.set(input.name, {
        values: [input.default],
        certain: false,
        note: `the default of input ${code(input.name)} (line ${input.line}); the person starting the run may type another value`,
      });
    }
  }
  return m;
}

/** The inputs a caller job passes to the reusable workflow, resolved in the caller's scope. */
function withInputs(callerJob: WorkflowJob, call: ReusableCall, run: RunContext): Map<string, ValueSet> {
  const m = new Map<string, ValueSet>();
  for (const [k, raw] of Object.entries(call.with)) {
    const line = call.withLines[k];
    if (!/\$\{\{/.test(raw)) {
      m.set(k, { values: [raw], certain: true, note: `the value job ${code(callerJob.id)} passes (${code(`${k}: ${raw}`)}, line ${line})` });
      continue;
    }
    const r = resolveTemplate(raw, callerJob.matrix, run);
    if (r.variants.every((v) => !v.value.includes(UNKNOWN)))
      m.set(k, {
        values: r.variants.map((v) => v.value),
        certain: r.variants.every((v) => v.certain),
        note: `the value job ${code(callerJob.id)} passes (${code(`${k}: ${raw}`)}, line ${line}), where ${r.note}`,
      });
  }
  return m;
}

interface Variant {
  value: string;
  certain: boolean;
}

/** Resolve `${{ }}` parts of a string as far as the file allows; unknown parts become `*`. */
function resolveTemplate(value: string, matrix: JobMatrix | undefined, run: RunContext): { variants: Variant[]; note: string } {
  const parts: Array<Variant[]> = [];
  const notes: string[] = [];
  const re = /\$\{\{([\s\S]*?)\}\}/g;
  let last = 0;
  for (const m of value.matchAll(re)) {
    if (m.index > last) parts.push([{ value: value.slice(last, m.index), certain: true }]);
    const expr = (m[1] ?? '').trim();
    const r = resolveExpression(expr, matrix, run);
    notes.push(r.note);
    parts.push(r.values ?? [{ value: UNKNOWN, certain: false }]);
    last = m.index + m[0].length;
  }
  if (last < value.length) parts.push([{ value: value.slice(last), certain: true }]);
  let variants: Variant[] = [{ value: '', certain: true }];
  for (const options of parts) {
    const next: Variant[] = [];
    for (const v of variants) for (const o of options) next.push({ value: v.value + o.value, certain: v.certain && o.certain });
    variants = next.length > MAX_VARIANTS ? [{ value: UNKNOWN, certain: false }] : next;
  }
  const seen = new Map<string, Variant>();
  for (const v of variants) {
    const value2 = v.value.replace(/\*+/g, '*');
    const prev = seen.get(value2);
    seen.set(value2, { value: value2, certain: v.certain || (prev?.certain ?? false) });
  }
  return { variants: [...seen.values()], note: notes.join('; ') };
}

function literalsAfter(expr: string, ops: RegExp): string[] {
  const out: string[] = [];
  const re = new RegExp(`(?:${ops.source})\\s*'((?:[^']|'')*)'`, 'g');
  for (const m of expr.matchAll(re)) out.push((m[1] ?? '').replace(/''/g, "'"));
  return out;
}

function resolveExpression(expr: string, matrix: JobMatrix | undefined, run: RunContext): { values?: Variant[]; note: string } {
  const e = expr.trim();
  if (/&&/.test(e) && /\|\|/.test(e)) {
    const lits = literalsAfter(e, /&&|\|\|/);
    if (lits.length > 0)
      return {
        values: [...new Set(lits)].map((value) => ({ value, certain: false })),
        note: `${code(`\${{ ${e} }}`)} picks one of ${lits.map(code).join(', ')} depending on its condition`,
      };
  }
  if (/\|\|/.test(e) && !/&&/.test(e)) {
    const [left, ...rest] = e.split('||');
    const lits = literalsAfter(`||${rest.join('||')}`, /\|\|/);
    const l = resolveExpression(left ?? '', matrix, run);
    if (l.values && lits.length > 0)
      return {
        values: [...l.values.map((v) => ({ ...v, certain: false })), ...lits.map((value) => ({ value, certain: false }))],
        note: `${l.note}, or ${lits.map(code).join(', ')} when that is empty`,
      };
    return { note: `${code(`\${{ ${e} }}`)} is only known at run time` };
  }
  const ref = /^(matrix|inputs|github\.event\.inputs)(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\])$/.exec(e);
  if (ref) {
    const [, scope, k1, k2] = ref;
    const key = (k1 ?? k2 ?? '') as string;
    if (scope === 'matrix') return matrixValues(matrix, key, e);
    const vs = run.inputs.get(key);
    if (vs) return { values: vs.values.map((value) => ({ value, certain: vs.certain })), note: `${code(`\${{ ${e} }}`)} is ${vs.note}` };
    return { note: `${code(`\${{ ${e} }}`)} is an input whose value is only known when the run starts` };
  }
  if (e === 'github.ref_name' || e === 'github.ref') {
    if (run.ref && run.ref !== UNKNOWN) {
      const value = e === 'github.ref' ? run.ref : run.ref.replace(/^refs\/(heads|tags|pull)\//, '');
      return { values: [{ value, certain: run.certain }], note: `${code(`\${{ ${e} }}`)} is ${code(value)} for ${run.trigger}` };
    }
    return { note: `${code(`\${{ ${e} }}`)} depends on the ref of the run` };
  }
  if (e === 'github.event_name') return { values: [{ value: run.trigger, certain: true }], note: `${code(`\${{ ${e} }}`)} is ${code(run.trigger)}` };
  if (e === 'github.repository') return { values: [{ value: `${run.owner}/${run.repo}`, certain: true }], note: `${code(`\${{ ${e} }}`)} is the repository` };
  const scope = /^([a-z_]+)\./.exec(e)?.[1];
  const where = scope === 'vars' ? 'a configuration variable' : scope === 'secrets' ? 'a secret' : scope === 'needs' || scope === 'steps' ? 'the output of another job or step' : 'an expression';
  return { note: `${code(`\${{ ${e} }}`)} is ${where}, only known at run time` };
}

function matrixValues(matrix: JobMatrix | undefined, key: string, e: string): { values?: Variant[]; note: string } {
  if (!matrix) return { note: `${code(`\${{ ${e} }}`)} names a matrix value, but the job has no strategy.matrix` };
  if (matrix.expression !== undefined) return { note: `${code(`\${{ ${e} }}`)} comes from a matrix built by an expression (line ${matrix.line})` };
  const dim = matrix.dimensions.find((d) => d.key === key);
  const fromInclude = matrix.include.map((i) => i[key]).filter((v): v is string => v !== undefined);
  if (dim?.expression !== undefined) return { note: `${code(`\${{ ${e} }}`)} comes from the expression ${code(dim.expression)} (line ${dim.line})` };
  const values = [...new Set([...(dim?.values ?? []), ...fromInclude])];
  if (values.length === 0) return { note: `${code(`\${{ ${e} }}`)} is not a dimension of the matrix (line ${matrix.line})` };
  const excluded = matrix.exclude.some((x) => key in x);
  return {
    values: values.map((value) => ({ value, certain: !excluded })),
    note: `${code(`\${{ ${e} }}`)} takes each value of the matrix (line ${dim?.line ?? matrix.line}): ${values.map(code).join(', ')}${excluded ? ', minus excluded combinations' : ''}`,
  };
}

interface EnvVariant {
  /** undefined = the job sends no environment. */
  name?: string;
  certain: boolean;
  pattern: boolean;
  reason: string;
}

function environmentVariants(env: JobEnvironment | undefined, job: WorkflowJob, file: string, run: RunContext): EnvVariant[] {
  if (!env || env.name === undefined) return [{ certain: true, pattern: false, reason: '' }];
  const where = `${file === run.triggerFile ? '' : `${code(repoRelativePath(file))} `}line ${env.line}`;
  if (!env.isExpression) {
    if (env.name === '') return [{ certain: false, pattern: false, reason: `Job ${code(job.id)} declares an empty environment (${where}); assumed to mean no environment.` }];
    return [
      {
        name: env.name,
        certain: true,
        pattern: false,
        reason: `Job ${code(job.id)} declares ${code(`environment: ${env.name}`)} (${where}); the environment replaces the ref or pull_request part of the subject for every trigger.`,
      },
    ];
  }
  const r = resolveTemplate(env.name, job.matrix, run);
  return r.variants.map((v) => {
    const unknown = v.value.includes(UNKNOWN);
    return {
      name: v.value,
      certain: v.certain && !unknown,
      pattern: unknown,
      reason:
        `Job ${code(job.id)} declares ${code(`environment: ${env.name}`)} (${where}), an expression: ${r.note}. ` +
        (unknown
          ? 'The environment part of the subject is unknown until the run starts.'
          : `This gives environment ${code(v.value)}${v.certain ? '' : ', one of the possible values'}.`),
    };
  });
}

function subjectPrefix(run: RunContext, ctx: SubjectContext): { prefix: string; missing: string[] } {
  if (!ctx.immutable) return { prefix: `repo:${run.owner}/${run.repo}`, missing: [] };
  const missing: string[] = [];
  if (!run.ownerId) missing.push('owner id');
  if (!run.repoId) missing.push('repository id');
  return { prefix: `repo:${run.owner}@${run.ownerId ?? UNKNOWN}/${run.repo}@${run.repoId ?? UNKNOWN}`, missing };
}

function buildClaims(run: RunContext, ctx: SubjectContext, env: EnvVariant, jobWorkflowRef: string): Record<string, string> {
  const claims: Record<string, string> = Object.create(null) as Record<string, string>;
  claims.repository = `${run.owner}/${run.repo}`;
  claims.repository_owner = run.owner;
  claims.repository_id = run.repoId ?? UNKNOWN;
  claims.repository_owner_id = run.ownerId ?? UNKNOWN;
  claims.repository_visibility = ctx.repositoryVisibility ?? UNKNOWN;
  claims.workflow = run.workflowName;
  claims.workflow_ref = `${run.owner}/${run.repo}/${run.workflowPath}@${run.ref}`;
  claims.job_workflow_ref = jobWorkflowRef;
  claims.ref = run.ref;
  claims.ref_type = run.refType;
  claims.event_name = run.trigger;
  if (env.name !== undefined) claims.environment = env.name;
  return claims;
}

/** `sub` from the template: default, or the custom `include_claim_keys`. */
function renderSubject(
  prefix: string,
  context: string,
  claims: Record<string, string>,
  ctx: SubjectContext,
): { subject: string; unknownKeys: string[] } {
  const t = ctx.template;
  if (!t || t.useDefault || !t.includeClaimKeys || t.includeClaimKeys.length === 0) return { subject: `${prefix}:${context}`, unknownKeys: [] };
  const unknownKeys: string[] = [];
  const parts = t.includeClaimKeys.map((key) => {
    if (key === 'context') return context;
    if (key === 'repo') return prefix;
    const v = claims[key];
    if (v === undefined || v.includes(UNKNOWN)) unknownKeys.push(key);
    return `${key}:${v ?? UNKNOWN}`;
  });
  return { subject: parts.join(':'), unknownKeys };
}

interface Draft extends PredictedSubject {
  triggers: string[];
  envReason: string;
  runReasons: string[];
  callNotes: string[];
  extraReasons: string[];
}

/** Template keys whose value depends on the run (trigger/ref), not only on the repository and environment. */
const RUN_KEYS = new Set(['ref', 'ref_type', 'event_name', 'workflow_ref', 'job_workflow_ref', 'head_ref', 'base_ref', 'sha', 'workflow_sha', 'job_workflow_sha', 'ref_protected']);

function templateUsesRun(ctx: SubjectContext): boolean {
  const t = ctx.template;
  return !!t && !t.useDefault && (t.includeClaimKeys ?? []).some((k) => RUN_KEYS.has(k));
}

function pushUnique(list: string[], value: string | undefined): void {
  if (value && !list.includes(value)) list.push(value);
}

function predictJob(
  job: WorkflowJob,
  file: string,
  runs: RunContext[],
  ctx: SubjectContext,
  jobWorkflowRefFor: (run: RunContext) => string,
): PredictedSubject[] {
  const drafts = new Map<string, Draft>();
  const runMattersWithEnv = templateUsesRun(ctx);
  for (const run of runs) {
    for (const env of environmentVariants(job.environment, job, file, run)) {
      const usesEnv = env.name !== undefined;
      const context = usesEnv ? `environment:${env.name}` : run.refContext;
      const { prefix, missing } = subjectPrefix(run, ctx);
      const claims = buildClaims(run, ctx, env, jobWorkflowRefFor(run));
      const { subject, unknownKeys } = renderSubject(prefix, context, claims, ctx);
      claims.sub = subject;
      const extra: string[] = [];
      if (missing.length > 0)
        extra.push(
          `The repository sends immutable subjects (${code('repo:OWNER@OWNER_ID/REPO@REPO_ID:...')}), but the ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not known ` +
            `(${code(`GET /repos/${run.owner}/${run.repo}`)} gives ${code('owner.id')} and ${code('id')}).`,
        );
      else if (ctx.immutable) extra.push('The repository sends immutable subjects, with the owner and repository ids.');
      if (unknownKeys.length > 0)
        extra.push(`The custom subject template includes ${unknownKeys.map(code).join(', ')}, whose value${unknownKeys.length > 1 ? 's are' : ' is'} not known from the workflow file.`);
      else if (ctx.template && !ctx.template.useDefault && ctx.template.includeClaimKeys?.length)
        extra.push(`The repository uses a custom subject template (${ctx.template.includeClaimKeys.map(code).join(', ')}).`);
      const pattern = /[*?]/.test(subject);
      const runOk = usesEnv && !runMattersWithEnv ? true : run.certain;
      const certain = runOk && run.repoCertain && env.certain && missing.length === 0 && unknownKeys.length === 0;
      const sourceLine = usesEnv && job.environment ? job.environment.line : run.sourceLine;
      const sourceFile = usesEnv && job.environment ? file : run.triggerFile;
      const possible = run.possible && (!usesEnv || runMattersWithEnv) ? renderSubject(prefix, usesEnv ? context : run.possible, { ...claims, ref: UNKNOWN }, ctx).subject : undefined;
      const runReason = usesEnv && !runMattersWithEnv ? undefined : run.reason;
      const prev = drafts.get(subject);
      if (prev) {
        pushUnique(prev.triggers, run.trigger);
        prev.certain = prev.certain || certain;
        pushUnique(prev.runReasons, runReason);
        pushUnique(prev.callNotes, run.callNote);
        for (const x of extra) pushUnique(prev.extraReasons, x);
        if (possible && !prev.possible) prev.possible = possible;
        continue;
      }
      drafts.set(subject, {
        subject,
        trigger: run.trigger,
        ...(run.triggerLine !== undefined ? { triggerLine: run.triggerLine } : {}),
        certain,
        pattern,
        reason: '',
        sourceLine,
        sourceFile,
        context,
        ...(usesEnv ? { environment: env.name } : {}),
        claims,
        ...(possible && possible !== subject ? { possible } : {}),
        triggers: [run.trigger],
        envReason: env.reason,
        runReasons: runReason ? [runReason] : [],
        callNotes: run.callNote ? [run.callNote] : [],
        extraReasons: extra,
      });
    }
  }
  return [...drafts.values()].map((d) => {
    const { triggers, envReason, runReasons, callNotes, extraReasons, ...rest } = d;
    const trigger = triggers.join(', ');
    const head = envReason ? [envReason.replace(/for every trigger\.$/, `for every trigger (${trigger}).`)] : [];
    const reason = [...head, ...runReasons, ...callNotes, ...extraReasons].join(' ');
    return { ...rest, trigger, reason };
  });
}

/** Find the workflow a `uses:` names, among the repository's files. */
export function resolveCalledWorkflow(call: ReusableCall, ctx: Pick<SubjectContext, 'owner' | 'repo' | 'workflows'>): WorkflowFile | undefined {
  if (!call.path) return undefined;
  const sameRepo = call.local || (call.repository ?? '').toLowerCase() === `${ctx.owner}/${ctx.repo}`.toLowerCase();
  if (!sameRepo) return undefined;
  const want = repoRelativePath(call.path);
  return (ctx.workflows ?? []).find((w) => repoRelativePath(w.path) === want);
}

function refOfUses(ref: string | undefined): string {
  if (!ref) return UNKNOWN;
  if (/^[0-9a-f]{40}$/i.test(ref)) return ref;
  if (ref.startsWith('refs/')) return ref;
  return `refs/*/${ref}`;
}

function interestingCall(call: ReusableCall): boolean {
  if (call.secrets === 'inherit') return true;
  const keys = [...Object.keys(call.with), ...(typeof call.secrets === 'object' ? Object.keys(call.secrets) : [])];
  return keys.some((k) => /azure|client[-_]?id|tenant|subscription|arm_|environment/i.test(k));
}

function runsForWorkflow(workflow: WorkflowFile, ctx: SubjectContext, options: PredictOptions, depth: number): RunContext[] {
  const owner = { owner: ctx.owner, repo: ctx.repo, ownerId: ctx.ownerId, repoId: ctx.repoId };
  const runs: RunContext[] = [];
  for (const t of workflow.triggers) {
    if (t.event === 'workflow_call' && options.skipWorkflowCall) continue;
    runs.push(...runsForTrigger(t, workflow, ctx, owner, inputsFromTrigger(t), depth));
  }
  return runs;
}

function predictWorkflow(workflow: WorkflowFile, ctx: SubjectContext, options: PredictOptions, depth: number): JobPrediction[] {
  const runs = runsForWorkflow(workflow, ctx, options, depth);
  const self = repoRelativePath(workflow.path);
  const out: JobPrediction[] = [];
  for (const job of workflow.jobs) {
    if (job.uses) {
      out.push(...predictCaller(workflow, job, job.uses, runs, ctx, options, depth));
      continue;
    }
    if (!job.logsInToAzure && !options.allJobs) continue;
    const jwr = (run: RunContext) => {
      const sameRepo = run.owner === ctx.owner && run.repo === ctx.repo;
      return `${ctx.owner}/${ctx.repo}/${self}@${sameRepo ? run.ref : UNKNOWN}`;
    };
    out.push({
      jobId: job.id,
      jobLine: job.line,
      file: workflow.path,
      loginStepLines: job.azureLogins.map((m) => m.line),
      loginFile: workflow.path,
      subjects: predictJob(job, workflow.path, runs, ctx, jwr),
      notes: job.azureLogins.map((m) => `Line ${m.line}: ${m.reason}.`),
    });
  }
  return out;
}

/** A job that calls a reusable workflow: the called jobs run with THIS workflow's triggers and context. */
function predictCaller(
  workflow: WorkflowFile,
  job: WorkflowJob,
  call: ReusableCall,
  runs: RunContext[],
  ctx: SubjectContext,
  options: PredictOptions,
  depth: number,
): JobPrediction[] {
  const called = depth < MAX_CALL_DEPTH ? resolveCalledWorkflow(call, ctx) : undefined;
  const calledPath = call.path ? repoRelativePath(call.path) : call.uses;
  const calledRepo = call.local ? `${ctx.owner}/${ctx.repo}` : (call.repository ?? `${ctx.owner}/${ctx.repo}`);
  const jwr = (run: RunContext) => `${calledRepo}/${calledPath}@${call.local ? run.ref : refOfUses(call.ref)}`;
  if (!called) {
    if (!interestingCall(call) && !options.allJobs) return [];
    // The called file is not here: predict from this workflow's triggers, and say that an environment there would win.
    const note = `Job ${code(job.id)} calls ${code(call.uses)} (line ${call.line}), which was not read: its jobs run with this workflow's repository and context, unless they declare an environment.`;
    const uncertainRuns = runs.map((run) => ({ ...withCallerInputs(run, job, call), certain: false, callNote: note }));
    const plain = predictJob({ ...job, environment: undefined, matrix: job.matrix }, workflow.path, uncertainRuns, ctx, jwr);
    const unknownEnv: JobEnvironment = { line: call.line, column: call.column, form: 'string', name: '${{ called workflow }}', isExpression: true, expressions: ['called workflow'] };
    const withEnv = predictJob({ ...job, environment: unknownEnv }, workflow.path, uncertainRuns, ctx, jwr).map((p) => ({
      ...p,
      reason: `If a job of ${code(call.uses)} declares ${code('environment:')}, GitHub sends that environment instead of the ref.`,
    }));
    return [
      {
        jobId: job.id,
        jobLine: job.line,
        file: workflow.path,
        loginStepLines: [],
        loginFile: workflow.path,
        calls: { uses: call.uses, line: call.line, resolved: false },
        subjects: [...plain, ...withEnv],
        notes: [`Job ${code(job.id)} calls ${code(call.uses)}, which was not read: whether it logs in to Azure is unknown.`],
      },
    ];
  }
  const out: JobPrediction[] = [];
  const calledSelf = repoRelativePath(called.path);
  for (const calledJob of called.jobs) {
    const callerRuns = runs.map((run) => ({
      ...withCallerInputs(run, job, call),
      caller: `${ctx.owner}/${ctx.repo}`,
      callNote: `Job ${code(job.id)} (line ${job.line}) calls ${code(call.uses)}: the called job ${code(calledJob.id)} runs with this workflow's repository and context, and ${code('job_workflow_ref')} names ${code(calledSelf)}.`,
    }));
    if (calledJob.uses) {
      // Nested reusable workflow: follow it with the same (outermost caller's) runs.
      for (const p of predictCaller(called, calledJob, calledJob.uses, callerRuns, ctx, options, depth + 1))
        out.push({ ...p, jobId: job.id, jobLine: job.line, file: workflow.path, calls: { ...(p.calls ?? { resolved: true }), uses: call.uses, line: call.line } as JobPrediction['calls'] });
      continue;
    }
    if (!calledJob.logsInToAzure && !options.allJobs) continue;
    out.push({
      jobId: job.id,
      jobLine: job.line,
      file: workflow.path,
      loginStepLines: calledJob.azureLogins.map((m) => m.line),
      loginFile: called.path,
      calls: { uses: call.uses, line: call.line, resolved: true, file: called.path, jobId: calledJob.id, jobLine: calledJob.line },
      subjects: predictJob(calledJob, called.path, callerRuns, ctx, jwr),
      notes: calledJob.azureLogins.map((m) => `${calledSelf} line ${m.line}: ${m.reason}.`),
    });
  }
  return out;
}

function withCallerInputs(run: RunContext, job: WorkflowJob, call: ReusableCall): RunContext {
  return { ...run, inputs: withInputs(job, call, run) };
}

/**
 * The subjects GitHub will send for each job of `workflow` that logs in to Azure
 * (every job with `options.allJobs`). Jobs calling a reusable workflow of the same
 * repository (found in `ctx.workflows`) are predicted from the called jobs.
 */
export function predictSubjects(workflow: WorkflowFile, ctx: SubjectContext, options: PredictOptions = {}): JobPrediction[] {
  try {
    return predictWorkflow(workflow, ctx, options, 0);
  } catch {
    // A hostile file must not break a run; the audit then reports nothing for it.
    return [];
  }
}

/** The subject for one known context part (`ref:refs/heads/main`), in the repository's form. */
export function subjectFor(ctx: SubjectContext, context: string, claims: Record<string, string> = {}): string {
  const run = { owner: ctx.owner, repo: ctx.repo, ownerId: ctx.ownerId, repoId: ctx.repoId } as RunContext;
  return renderSubject(subjectPrefix(run, ctx).prefix, context, claims, ctx).subject;
}
