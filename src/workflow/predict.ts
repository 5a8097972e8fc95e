/**
 * Predict the `sub` claim GitHub will put in each Azure-login job's OIDC token, from the
 * workflow file alone (docs/github-oidc.md "The default subject", "Immutable subjects",
 * "Customization API"). Each trigger gives its own runs (runs.ts); in each run the job's and the
 * login steps' `if:` are evaluated (a job skipped on a trigger requests no token there), the
 * matrix is expanded (matrix.ts) and the environment evaluated; what the file cannot decide
 * stays possible and is marked uncertain. Pure. Every prediction says why.
 */
import { evaluateCondition, interpolate, OPEN, type Context } from './expression.js';
import { matrixLegs } from './matrix.js';
import type { JobEnvironment, ReusableCall, WorkflowFile, WorkflowJob } from './parse.js';
import { repoRelativePath } from './parse-core.js';
import type { JobPrediction, PredictedSubject, PredictOptions, SubjectContext } from './predict-types.js';
import type { RunContext } from './run-context.js';
import {
  callInputs,
  contextFor,
  inputChoices,
  inputNames,
  inputsFromTrigger,
  inputsReadBy,
  readsMatrix,
  type InputChoice,
} from './run-inputs.js';
import { MAX_CALL_DEPTH, runsForTrigger } from './runs.js';
import { buildClaims, renderSubject, subjectPrefix, templateUsesRun } from './subject-render.js';

export type {
  CallerContext,
  JobPrediction,
  PredictedSubject,
  SubjectContext,
  SubjectTemplate,
} from './predict-types.js';
export { filterToWildcard } from './runs.js';
export { subjectFor } from './subject-render.js';

const UNKNOWN = '*';
const code = (s: string) => `\`${s}\``;

type Level = 'yes' | 'maybe' | 'no';
const lower = (a: Level, b: Level): Level =>
  a === 'no' || b === 'no' ? 'no' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'yes';
const higher = (a: Level, b: Level): Level =>
  a === 'yes' || b === 'yes' ? 'yes' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'no';

/**
 * Does the job request a token in this context? Undefined = no (its `if:` or every login step's
 * is false). An `if:` the file cannot decide leaves the subject as certain as it was (GitHub sends it
 * whenever the login runs) and adds a note; `level` is `maybe` only for a login that may not be one
 * (an action that was not read).
 */
function loginGate(
  job: WorkflowJob,
  file: string,
  ctx: Context,
  trigger: string,
): { level: Level; notes: string[] } | undefined {
  const where = (line: number) => `${code(repoRelativePath(file))} line ${line}`;
  const jobIf = evaluateCondition(job.condition, ctx);
  if (jobIf === 'no') return undefined;
  let steps: Level = 'no';
  const notes: string[] = [];
  if (jobIf === 'maybe')
    notes.push(
      `Job ${code(job.id)} runs only if ${code(job.condition ?? '')} (${where(job.line)}), ` +
        `which the file cannot decide for ${trigger}.`,
    );
  const inner = { ...ctx, inputs: Object.assign(Object.create(null) as Context, { [OPEN]: true }) };
  for (const m of job.azureLogins) {
    const step = m.stepIndex !== undefined ? job.steps[m.stepIndex] : undefined;
    const stepIf = evaluateCondition(step?.condition, ctx);
    const innerIf = m.innerCondition !== undefined ? evaluateCondition(m.innerCondition, inner) : 'yes';
    if (lower(stepIf, innerIf) === 'no') continue;
    if (stepIf === 'maybe')
      notes.push(
        `The login step (${where(m.line)}) runs only if ${code(step?.condition ?? '')}, ` +
          `which the file cannot decide for ${trigger}.`,
      );
    if (m.uncertain) notes.push(`Line ${m.line} ${m.reason}.`);
    steps = higher(steps, m.uncertain ? 'maybe' : 'yes');
  }
  if (steps === 'no') return undefined;
  return { level: steps, notes };
}

interface EnvVariant {
  /** undefined = the job sends no environment. */
  name?: string;
  certain: boolean;
  reason: string;
}

/** Why parts of an expression are what they are (or are unknown): inputs, matrix, variables. */
function expressionNotes(
  expressions: readonly string[],
  job: WorkflowJob,
  run: RunContext,
  matrixUnknown: boolean,
): string[] {
  const notes: string[] = [];
  for (const name of inputNames(expressions)) {
    const vs = run.inputs.get(name) ?? run.eventInputs?.get(name);
    notes.push(
      vs
        ? `${code(`inputs.${name}`)} is ${vs.note}`
        : `${code(`inputs.${name}`)} is empty: ` +
            `${run.trigger} ${run.hasInputs ? 'does not declare it' : 'has no inputs'}`,
    );
  }
  const text = expressions.join(' ');
  if (/\bmatrix\b/.test(text) && job.matrix && matrixUnknown)
    notes.push(`${code('matrix')} comes from a matrix built by an expression (line ${job.matrix.line})`);
  else if (/\bmatrix\b/.test(text) && job.matrix)
    notes.push(`${code('matrix')} takes the value of each leg of the matrix (line ${job.matrix.line})`);
  if (/\bvars\./.test(text)) notes.push('a configuration variable (`vars`) is only known at run time');
  if (/\bsecrets\./.test(text)) notes.push('a secret is only known at run time');
  if (/\b(needs|steps)\./.test(text)) notes.push('the output of another job or step is only known at run time');
  return notes;
}

function environmentVariants(
  env: JobEnvironment | undefined,
  job: WorkflowJob,
  file: string,
  run: RunContext,
  ctx: Context,
  certainty: { inputs: boolean; matrixUnknown: boolean },
): EnvVariant[] {
  if (!env || env.name === undefined) return [{ certain: true, reason: '' }];
  const where = `${file === run.triggerFile ? '' : `${code(repoRelativePath(file))} `}line ${env.line}`;
  const declared = `Job ${code(job.id)} declares ${code(`environment: ${env.name}`)} (${where})`;
  if (!env.isExpression) {
    if (env.name === '')
      return [
        {
          certain: false,
          reason: `Job ${code(job.id)} declares an empty environment (${where}); assumed to mean no environment.`,
        },
      ];
    return [
      {
        name: env.name,
        certain: true,
        reason: `${declared}; the environment replaces the ref or pull_request part of the subject for every trigger.`,
      },
    ];
  }
  const notes = expressionNotes(env.expressions, job, run, certainty.matrixUnknown);
  const why = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  const valuesCertain = certainty.inputs && !certainty.matrixUnknown;
  return interpolate(env.name, ctx).map((t) => {
    if (t.text === '')
      return { certain: t.certain && valuesCertain, reason: `${declared}, which is empty here${why}: no environment.` };
    const known = t.known && !t.text.includes(UNKNOWN);
    return {
      name: t.text,
      certain: known && t.certain && valuesCertain,
      reason: known
        ? `${declared}, which gives ${code(t.text)}` +
          `${valuesCertain && t.certain ? '' : ', one of the values it can take'}${why}.`
        : `${declared}: part of it is only known when the run starts${why}.`,
    };
  });
}

interface Draft extends PredictedSubject {
  triggers: string[];
  reasons: string[];
}

function pushUnique(list: string[], value: string | undefined): void {
  if (value && !list.includes(value)) list.push(value);
}

function subjectNotes(run: RunContext, ctx: SubjectContext, missing: string[], unknownKeys: string[]): string[] {
  const extra: string[] = [];
  if (missing.length > 0)
    extra.push(
      `The repository sends immutable subjects (${code('repo:OWNER@OWNER_ID/REPO@REPO_ID:...')}), ` +
        `but the ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not known ` +
        `(${code(`GET /repos/${run.owner}/${run.repo}`)} gives ${code('owner.id')} and ${code('id')}).`,
    );
  else if (ctx.immutable) extra.push('The repository sends immutable subjects, with the owner and repository ids.');
  if (unknownKeys.length > 0)
    extra.push(
      `The custom subject template includes ${unknownKeys.map(code).join(', ')}, ` +
        `whose value${unknownKeys.length > 1 ? 's are' : ' is'} not known from the workflow file.`,
    );
  else if (ctx.template && !ctx.template.useDefault && ctx.template.includeClaimKeys?.length)
    extra.push(
      `The repository uses a custom subject template (${ctx.template.includeClaimKeys.map(code).join(', ')}).`,
    );
  return extra;
}

/** The inputs whose values decide something for the job, and whether those values are certain. */
function relevantInputs(job: WorkflowJob, run: RunContext): { names: Set<string>; certain: boolean; legs: boolean } {
  const stepIfs = job.azureLogins.map((m) =>
    m.stepIndex !== undefined ? job.steps[m.stepIndex]?.condition : undefined,
  );
  const matrix = job.matrix?.value === undefined ? undefined : JSON.stringify(job.matrix.value);
  const decisive = [job.condition, job.environment?.name, ...stepIfs];
  const legs = readsMatrix(decisive);
  const names = inputNames(legs ? [...decisive, matrix] : decisive);
  const certain = [...names].every((n) => (run.inputs.get(n) ?? run.eventInputs?.get(n))?.certain ?? true);
  return { names, certain, legs };
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
  const add = (run: RunContext, env: EnvVariant, gateNotes: string[], gateCertain: boolean) => {
    const usesEnv = env.name !== undefined;
    const context = usesEnv ? `environment:${env.name}` : run.refContext;
    const { prefix, missing } = subjectPrefix(run, ctx);
    const claims = buildClaims(run, ctx, env, jobWorkflowRefFor(run));
    const { subject, unknownKeys } = renderSubject(prefix, context, claims, ctx);
    claims.sub = subject;
    const runOk = usesEnv && !runMattersWithEnv ? true : run.certain;
    const certain =
      gateCertain && runOk && run.repoCertain && env.certain && missing.length === 0 && unknownKeys.length === 0;
    const possible =
      run.possible && (!usesEnv || runMattersWithEnv)
        ? renderSubject(prefix, usesEnv ? context : run.possible, { ...claims, ref: UNKNOWN }, ctx).subject
        : undefined;
    const reasons = [
      env.reason,
      usesEnv && !runMattersWithEnv ? undefined : run.reason,
      ...gateNotes,
      run.callNote,
      ...subjectNotes(run, ctx, missing, unknownKeys),
    ];
    const prev = drafts.get(subject);
    if (prev) {
      pushUnique(prev.triggers, run.trigger);
      prev.certain = prev.certain || certain;
      for (const r of reasons) pushUnique(prev.reasons, r);
      if (possible && !prev.possible && possible !== subject) prev.possible = possible;
      return;
    }
    const fromEnv = usesEnv && job.environment;
    drafts.set(subject, {
      subject,
      trigger: run.trigger,
      ...(run.triggerLine !== undefined ? { triggerLine: run.triggerLine } : {}),
      certain,
      pattern: /[*?]/.test(subject),
      reason: '',
      sourceLine: fromEnv ? job.environment!.line : run.sourceLine,
      sourceFile: fromEnv ? file : run.triggerFile,
      context,
      ...(usesEnv ? { environment: env.name } : {}),
      claims,
      ...(possible && possible !== subject ? { possible } : {}),
      triggers: [run.trigger],
      reasons: [],
    });
    for (const r of reasons) pushUnique(drafts.get(subject)!.reasons, r);
  };
  for (const run of runs) {
    const { names, certain: inputsCertain, legs: useLegs } = relevantInputs(job, run);
    for (const choice of inputChoices(run, names)) {
      // Legs only matter when a condition or the environment reads the matrix.
      const { legs, unknown } = useLegs
        ? matrixLegs(job.matrix, contextFor(run, {}, choice))
        : { legs: [{}], unknown: false };
      for (const leg of legs)
        predictLeg(job, file, run, choice, leg, { inputs: inputsCertain, matrixUnknown: unknown }, add);
    }
  }
  return [...drafts.values()].map((d) => {
    const { triggers, reasons, ...rest } = d;
    const trigger = triggers.join(', ');
    const reason = reasons.map((r) => r.replace(/for every trigger\.$/, `for every trigger (${trigger}).`)).join(' ');
    return { ...rest, trigger, reason };
  });
}

function predictLeg(
  job: WorkflowJob,
  file: string,
  run: RunContext,
  choice: InputChoice,
  leg: Record<string, unknown>,
  certainty: { inputs: boolean; matrixUnknown: boolean },
  add: (run: RunContext, env: EnvVariant, notes: string[], certain: boolean) => void,
): void {
  const ectx = contextFor(run, leg as never, choice);
  const gate = loginGate(job, file, ectx, run.trigger);
  if (!gate) return;
  for (const env of environmentVariants(job.environment, job, file, run, ectx, certainty))
    add(run, env, gate.notes, gate.level === 'yes');
}

/** Find the workflow a `uses:` names, among the repository's files. */
export function resolveCalledWorkflow(
  call: ReusableCall,
  ctx: Pick<SubjectContext, 'owner' | 'repo' | 'workflows'>,
): WorkflowFile | undefined {
  if (!call.path || !sameRepository(call, ctx)) return undefined;
  const want = repoRelativePath(call.path);
  return (ctx.workflows ?? []).find((w) => repoRelativePath(w.path) === want);
}

function sameRepository(call: ReusableCall, ctx: Pick<SubjectContext, 'owner' | 'repo'>): boolean {
  return call.local || (call.repository ?? '').toLowerCase() === `${ctx.owner}/${ctx.repo}`.toLowerCase();
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

function runsForWorkflow(
  workflow: WorkflowFile,
  ctx: SubjectContext,
  options: PredictOptions,
  depth: number,
): RunContext[] {
  const owner = { owner: ctx.owner, repo: ctx.repo, ownerId: ctx.ownerId, repoId: ctx.repoId };
  const runs: RunContext[] = [];
  for (const t of workflow.triggers) {
    if (t.event === 'workflow_call' && options.skipWorkflowCall) continue;
    runs.push(...runsForTrigger(t, workflow, ctx, owner, inputsFromTrigger(t), depth));
  }
  return runs;
}

function predictWorkflow(
  workflow: WorkflowFile,
  ctx: SubjectContext,
  options: PredictOptions,
  depth: number,
): JobPrediction[] {
  const runs = runsForWorkflow(workflow, ctx, options, depth);
  const self = repoRelativePath(workflow.path);
  const out: JobPrediction[] = [];
  for (const job of workflow.jobs) {
    if (job.uses) {
      out.push(...predictCaller(workflow, job, job.uses, runs, ctx, options, depth));
      continue;
    }
    if (!job.mayLogInToAzure && !options.allJobs) continue;
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
      ...(job.logsInToAzure ? {} : { uncertainLogin: true }),
    });
  }
  return out;
}

/** A call to a workflow that was not read (another repository, or a file that is not there). */
function unreadCall(
  workflow: WorkflowFile,
  job: WorkflowJob,
  call: ReusableCall,
  runs: RunContext[],
  ctx: SubjectContext,
  jwr: (run: RunContext) => string,
): JobPrediction {
  // `./` names a file at the same commit: if it is not among the files read, it does not exist.
  const missing = call.local && !!call.path;
  const note =
    `Job ${code(job.id)} calls ${code(call.uses)} (line ${call.line}), which was not read: ` +
    "its jobs run with this workflow's repository and context, unless they declare an environment.";
  const callerRuns = runs.flatMap((run) =>
    callInputs(job, call, run, new Set()).map(() => ({ ...run, certain: false, callNote: note })),
  );
  const plain = predictJob(
    {
      ...job,
      environment: undefined,
      condition: undefined,
      azureLogins: [{ kind: 'remote-action', line: call.line, reason: note, uncertain: true }],
    },
    workflow.path,
    callerRuns,
    ctx,
    jwr,
  );
  const unknownEnv: JobEnvironment = {
    line: call.line,
    column: call.column,
    form: 'string',
    name: '${{ called workflow }}',
    isExpression: true,
    expressions: ['called workflow'],
  };
  const withEnv = predictJob(
    {
      ...job,
      environment: unknownEnv,
      condition: undefined,
      azureLogins: [{ kind: 'remote-action', line: call.line, reason: note, uncertain: true }],
    },
    workflow.path,
    callerRuns,
    ctx,
    jwr,
  ).map((p) => ({
    ...p,
    reason:
      `If a job of ${code(call.uses)} declares ${code('environment:')}, ` +
      'GitHub sends that environment instead of the ref.',
  }));
  return {
    jobId: job.id,
    jobLine: job.line,
    file: workflow.path,
    loginStepLines: [],
    loginFile: workflow.path,
    calls: { uses: call.uses, line: call.line, resolved: false, ...(missing ? { missing: true } : {}) },
    subjects: [...plain, ...withEnv],
    notes: [
      `Job ${code(job.id)} calls ${code(call.uses)}, which was not read: whether it logs in to Azure is unknown.`,
    ],
  };
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
    if (!interestingCall(call) && !options.allJobs && !sameRepository(call, ctx)) return [];
    return [unreadCall(workflow, job, call, runs, ctx, jwr)];
  }
  // Only the called jobs that may log in (or call further) are predicted: the others need no caller inputs.
  const calledJobs = called.jobs.filter((j) => j.uses || j.mayLogInToAzure || options.allJobs);
  if (calledJobs.length === 0) return [];
  const out: JobPrediction[] = [];
  const calledSelf = repoRelativePath(called.path);
  const declared = inputsFromTrigger(
    called.triggers.find((t) => t.event === 'workflow_call') ?? { event: 'workflow_call', line: 0, column: 0 },
  );
  const wanted = inputsReadBy(called);
  const given = runs.flatMap((run) => callInputs(job, call, run, wanted).map((inputs) => ({ run, inputs })));
  for (const calledJob of calledJobs) {
    const callerRuns: RunContext[] = given.map(({ run, inputs }) => ({
      ...run,
      inputs: new Map([...declared, ...inputs]),
      hasInputs: true,
      caller: `${ctx.owner}/${ctx.repo}`,
      callNote:
        `Job ${code(job.id)} (line ${job.line}) calls ${code(call.uses)}: ` +
        `the called job ${code(calledJob.id)} runs with this workflow's repository and context, ` +
        `and ${code('job_workflow_ref')} names ${code(calledSelf)}.`,
    }));
    if (calledJob.uses) {
      // Nested reusable workflow: follow it with the same (outermost caller's) runs.
      for (const p of predictCaller(called, calledJob, calledJob.uses, callerRuns, ctx, options, depth + 1))
        out.push({
          ...p,
          jobId: job.id,
          jobLine: job.line,
          file: workflow.path,
          calls: { ...(p.calls ?? { resolved: true }), uses: call.uses, line: call.line } as JobPrediction['calls'],
        });
      continue;
    }
    out.push({
      jobId: job.id,
      jobLine: job.line,
      file: workflow.path,
      loginStepLines: calledJob.azureLogins.map((m) => m.line),
      loginFile: called.path,
      calls: {
        uses: call.uses,
        line: call.line,
        resolved: true,
        file: called.path,
        jobId: calledJob.id,
        jobLine: calledJob.line,
      },
      subjects: predictJob(calledJob, called.path, callerRuns, ctx, jwr),
      notes: calledJob.azureLogins.map((m) => `${calledSelf} line ${m.line}: ${m.reason}.`),
      ...(calledJob.logsInToAzure ? {} : { uncertainLogin: true }),
    });
  }
  return out;
}

/**
 * The subjects GitHub will send for each job of `workflow` that logs in to Azure
 * (every job with `options.allJobs`). Jobs calling a reusable workflow of the same
 * repository (found in `ctx.workflows`) are predicted from the called jobs.
 */
export function predictSubjects(
  workflow: WorkflowFile,
  ctx: SubjectContext,
  options: PredictOptions = {},
): JobPrediction[] {
  try {
    return predictWorkflow(workflow, ctx, options, 0);
  } catch {
    // A hostile file must not break a run; the audit then reports nothing for it.
    return [];
  }
}
