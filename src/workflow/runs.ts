/**
 * The ways a workflow can start (one `RunContext` per trigger, branch/tag filter value, caller),
 * with the `ref` GitHub sends for each (docs/github-oidc.md, "The default subject"), the inputs
 * each run knows, and the expression context (`github.*`, `inputs.*`, `matrix.*`) its jobs see.
 * Pure.
 */
import type { WorkflowFile, WorkflowJob, WorkflowTrigger } from './parse.js';
import { repoRelativePath } from './parse-core.js';
import type { SubjectContext } from './predict-types.js';
import { UNKNOWN, type RunContext, type ValueSet } from './run-context.js';
import { callInputs, inputsFromTrigger, inputsReadBy } from './run-inputs.js';

export const MAX_CALL_DEPTH = 4;
const code = (s: string) => `\`${s}\``;

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
