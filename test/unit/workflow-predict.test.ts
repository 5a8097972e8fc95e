import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, type WorkflowFile } from '../../src/workflow/parse.js';
import {
  filterToWildcard,
  predictSubjects,
  subjectFor,
  type JobPrediction,
  type SubjectContext,
} from '../../src/workflow/predict.js';

const fixtures = fileURLToPath(new URL('../fixtures/workflows/', import.meta.url));
function load(name: string): WorkflowFile {
  return parseWorkflow(readFileSync(fixtures + name, 'utf8'), `.github/workflows/${name}`);
}

const ctx: SubjectContext = { owner: 'contoso', repo: 'web', defaultBranch: 'main' };

/** subject → [certain, pattern, sourceLine] for compact assertions. */
function table(predictions: JobPrediction[]): Record<string, [boolean, boolean, number]> {
  const out: Record<string, [boolean, boolean, number]> = {};
  for (const jp of predictions)
    for (const s of jp.subjects) out[`${jp.jobId} ${s.subject}`] = [s.certain, s.pattern, s.sourceLine];
  return out;
}

function one(predictions: JobPrediction[], subject: string) {
  const s = predictions.flatMap((p) => p.subjects).find((x) => x.subject === subject);
  if (!s)
    throw new Error(
      `no prediction ${subject}; got ${predictions.flatMap((p) => p.subjects.map((x) => x.subject)).join(', ')}`,
    );
  return s;
}

describe('predictSubjects: default subjects', () => {
  it('environment wins for every trigger, on the environment: line', () => {
    const p = predictSubjects(load('deploy-environment.yml'), ctx);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({
      jobId: 'deploy',
      jobLine: 18,
      loginStepLines: [29],
      file: '.github/workflows/deploy-environment.yml',
    });
    expect(p[0]!.subjects).toHaveLength(1);
    const s = p[0]!.subjects[0]!;
    expect(s).toMatchObject({
      subject: 'repo:contoso/web:environment:production',
      trigger: 'push, workflow_dispatch',
      triggerLine: 4,
      certain: true,
      pattern: false,
      sourceLine: 21,
      environment: 'production',
      context: 'environment:production',
    });
    expect(s.reason).toContain('environment: production');
    expect(s.reason).toContain('for every trigger (push, workflow_dispatch)');
    expect(s.claims).toMatchObject({
      environment: 'production',
      repository: 'contoso/web',
      workflow: 'Deploy web app',
      event_name: 'push',
      ref: 'refs/heads/main',
    });
  });

  it('pull requests send pull_request; pushes send the branch, globs are patterns', () => {
    const p = predictSubjects(load('pr-validation.yml'), ctx);
    expect(table(p)).toEqual({
      'what-if repo:contoso/web:pull_request': [true, false, 4],
      'what-if repo:contoso/web:ref:refs/heads/main': [true, false, 11],
      'what-if repo:contoso/web:ref:refs/heads/release/*': [true, true, 12],
    });
    const pr = one(p, 'repo:contoso/web:pull_request');
    expect(pr.reason).toMatch(/never the branch name/);
    expect(pr.reason).toMatch(/forks get no OIDC token/);
    expect(pr.claims.job_workflow_ref).toBe('contoso/web/.github/workflows/pr-validation.yml@refs/pull/*/merge');
    // Only azure/login requests a token; the azure/cli step after it (line 29) uses that login.
    expect(p[0]!.loginStepLines).toEqual([24]);
  });

  it('tags and releases send tag refs as patterns', () => {
    const p = predictSubjects(load('tag-release.yml'), ctx);
    expect(table(p)).toEqual({
      'publish repo:contoso/web:ref:refs/tags/v*.*.*': [true, true, 6],
      'publish repo:contoso/web:ref:refs/tags/*': [true, true, 7],
    });
    expect(one(p, 'repo:contoso/web:ref:refs/tags/*').claims).toMatchObject({ ref_type: 'tag', event_name: 'release' });
  });

  it('merge queues send gh-readonly-queue refs, never certain', () => {
    const p = predictSubjects(load('merge-queue.yml'), ctx);
    expect(table(p)).toEqual({
      'integration repo:contoso/web:ref:refs/heads/gh-readonly-queue/main/*': [false, true, 5],
      'integration repo:contoso/web:pull_request': [true, false, 6],
    });
    expect(one(p, 'repo:contoso/web:ref:refs/heads/gh-readonly-queue/main/*').reason).toContain('pr-<number>-<sha>');
  });

  it('schedule runs on the default branch: certain only when it is known', () => {
    const wf = load('schedule-terraform.yml');
    expect(table(predictSubjects(wf, ctx))).toEqual({ 'drift repo:contoso/web:ref:refs/heads/main': [true, false, 4] });
    const guessed = one(predictSubjects(wf, { owner: 'contoso', repo: 'web' }), 'repo:contoso/web:ref:refs/heads/main');
    expect(guessed.certain).toBe(false);
    expect(guessed.reason).toContain('assumed `main`');
    expect(table(predictSubjects(wf, { ...ctx, defaultBranch: 'trunk' }))).toEqual({
      'drift repo:contoso/web:ref:refs/heads/trunk': [true, false, 4],
    });
  });

  it('workflow_dispatch: the default branch, not certain, any ref possible', () => {
    const p = predictSubjects(load('dispatch.yml'), ctx);
    const s = one(p, 'repo:contoso/web:ref:refs/heads/main');
    expect(s).toMatchObject({ certain: false, pattern: false, sourceLine: 2, possible: 'repo:contoso/web:ref:refs/*' });
    expect(s.reason).toContain('picked when the run is started');
    expect(p[0]!.loginStepLines).toEqual([9, 14]);
  });

  it('an environment shared by schedule and dispatch is still one certain subject', () => {
    const p = predictSubjects(load('sdk-token-file.yml'), ctx);
    expect(table(p)).toEqual({ 'export repo:contoso/web:environment:data-prod': [true, false, 11] });
    expect(p[0]!.subjects[0]!.trigger).toBe('schedule, workflow_dispatch');
  });
});

describe('predictSubjects: expression environments', () => {
  it('an input environment is unknown: a pattern that names the expression', () => {
    const p = predictSubjects(load('expression-environment.yml'), ctx);
    const s = one(p, 'repo:contoso/web:environment:*');
    expect(s).toMatchObject({ certain: false, pattern: true, sourceLine: 19 });
    expect(s.reason).toContain('${{ inputs.env }}');
    expect(s.reason).toContain('only known when the run starts');
  });

  it('a choice input gives one subject per option, not certain', () => {
    const p = predictSubjects(load('expression-environment.yml'), ctx);
    const regional = p.find((j) => j.jobId === 'regional')!;
    expect(regional.subjects.map((s) => [s.subject, s.certain, s.sourceLine])).toEqual([
      ['repo:contoso/web:environment:prod-westeurope', false, 30],
      ['repo:contoso/web:environment:prod-northeurope', false, 30],
    ]);
    expect(regional.subjects[0]!.reason).toContain('choice options of input `region` (line 10)');
  });

  it('a matrix environment gives one certain subject per value, include counted', () => {
    const p = predictSubjects(load('matrix-environment.yml'), ctx);
    expect(table(p)).toEqual({
      'deploy repo:contoso/web:environment:dev': [true, false, 20],
      'deploy repo:contoso/web:environment:test': [true, false, 20],
      'deploy repo:contoso/web:environment:prod': [true, false, 20],
    });
    expect(p[0]!.loginStepLines).toEqual([23]);
  });

  it('a matrix is expanded leg by leg (exclude included); one built by an expression is not certain', () => {
    const excl = parseWorkflow(
      'on: push\njobs:\n  d:\n    strategy:\n      matrix:\n        env: [a, b]\n' +
        '        os: [x, y]\n        exclude:\n          - env: a\n            os: x\n' +
        '    environment: ${{ matrix.env }}\n    steps:\n      - uses: azure/login@v2\n',
      'x.yml',
    );
    // The legs are expanded as GitHub does: env a still runs with os y, so both are certain
    // (the old model could not tell).
    expect(predictSubjects(excl, ctx)[0]!.subjects.map((s) => [s.subject, s.certain])).toEqual([
      ['repo:contoso/web:environment:a', true],
      ['repo:contoso/web:environment:b', true],
    ]);
    const dyn = parseWorkflow(
      'on: push\njobs:\n  d:\n    strategy:\n      matrix: ${{ fromJSON(needs.a.outputs.m) }}\n' +
        '    environment: ${{ matrix.env }}\n    steps:\n      - uses: azure/login@v2\n',
      'x.yml',
    );
    const s = predictSubjects(dyn, ctx)[0]!.subjects[0]!;
    expect(s).toMatchObject({ subject: 'repo:contoso/web:environment:*', certain: false, pattern: true });
    expect(s.reason).toContain('matrix built by an expression (line 5)');
  });

  it('github.ref_name follows the trigger; a ternary gives its literals', () => {
    const byRef = parseWorkflow(
      'on:\n  push:\n    branches: [dev, main]\njobs:\n  d:\n' +
        '    environment: ${{ github.ref_name }}\n    steps:\n      - uses: azure/login@v2\n',
      'x.yml',
    );
    expect(table(predictSubjects(byRef, ctx))).toEqual({
      'd repo:contoso/web:environment:dev': [true, false, 6],
      'd repo:contoso/web:environment:main': [true, false, 6],
    });
    const ternary = parseWorkflow(
      "on: push\njobs:\n  d:\n    environment: ${{ github.ref == 'refs/heads/main' && " +
        "'production' || 'staging' }}\n    steps:\n      - uses: azure/login@v2\n",
      'x.yml',
    );
    // Pushes to any branch may give either; tag pushes (github.ref is refs/tags/...) certainly give staging.
    expect(predictSubjects(ternary, ctx)[0]!.subjects.map((s) => [s.subject, s.certain])).toEqual([
      ['repo:contoso/web:environment:staging', true],
      ['repo:contoso/web:environment:production', false],
    ]);
    const vars = parseWorkflow(
      'on: push\njobs:\n  d:\n    environment: ${{ vars.TARGET }}\n    steps:\n      - uses: azure/login@v2\n',
      'x.yml',
    );
    expect(predictSubjects(vars, ctx)[0]!.subjects[0]!.reason).toContain('a configuration variable');
  });
});

describe('predictSubjects: reusable workflows', () => {
  const caller = load('reusable-caller.yml');
  const callee = load('reusable-deploy.yml');

  it('a caller job is predicted from the called job with the caller triggers and inputs', () => {
    const p = predictSubjects(caller, { ...ctx, workflows: [caller, callee] });
    expect(p).toHaveLength(1);
    const jp = p[0]!;
    expect(jp).toMatchObject({
      jobId: 'staging',
      jobLine: 18,
      file: '.github/workflows/reusable-caller.yml',
      loginFile: '.github/workflows/reusable-deploy.yml',
      loginStepLines: [22],
      calls: {
        uses: './.github/workflows/reusable-deploy.yml',
        line: 20,
        resolved: true,
        file: '.github/workflows/reusable-deploy.yml',
        jobId: 'deploy',
        jobLine: 17,
      },
    });
    expect(jp.subjects).toHaveLength(1);
    const s = jp.subjects[0]!;
    expect(s).toMatchObject({
      subject: 'repo:contoso/web:environment:staging',
      trigger: 'push, pull_request',
      certain: true,
      sourceFile: '.github/workflows/reusable-deploy.yml',
      sourceLine: 19,
    });
    expect(s.reason).toContain('`environment: staging`, line 22');
    expect(s.reason).toContain('job_workflow_ref');
    expect(s.claims).toMatchObject({
      workflow: 'Ship',
      workflow_ref: 'contoso/web/.github/workflows/reusable-caller.yml@refs/heads/main',
      job_workflow_ref: 'contoso/web/.github/workflows/reusable-deploy.yml@refs/heads/main',
    });
  });

  it('without the called file, a caller passing Azure secrets is predicted, uncertain, with an env pattern', () => {
    const p = predictSubjects(caller, ctx);
    const jp = p.find((j) => j.jobId === 'staging')!;
    // The file is of this repository and is not there: the audit reports the call.
    expect(jp.calls).toEqual({
      uses: './.github/workflows/reusable-deploy.yml',
      line: 20,
      resolved: false,
      missing: true,
    });
    expect(jp.subjects.map((s) => [s.subject, s.certain, s.pattern])).toEqual([
      ['repo:contoso/web:ref:refs/heads/main', false, false],
      ['repo:contoso/web:pull_request', false, false],
      ['repo:contoso/web:environment:*', false, true],
    ]);
    // The remote `lint` call passes nothing Azure-like: not predicted.
    expect(p.map((j) => j.jobId)).toEqual(['staging']);
  });

  it('the reusable file alone: the caller context is unknown and the reason says whose it is', () => {
    const p = predictSubjects(callee, ctx);
    const s = p[0]!.subjects[0]!;
    expect(s).toMatchObject({
      subject: 'repo:contoso/web:environment:*',
      trigger: 'workflow_call',
      certain: false,
      pattern: true,
      sourceLine: 19,
    });
    expect(s.reason).toContain("CALLING workflow's repository and context");
    expect(s.reason).toContain('`job_workflow_ref` names this file');
    const noEnv = parseWorkflow(
      'on: workflow_call\njobs:\n  d:\n    steps:\n      - uses: azure/login@v2\n',
      '.github/workflows/r.yml',
    );
    expect(
      predictSubjects(noEnv, ctx)[0]!.subjects.map((x) => [x.subject, x.certain, x.pattern, x.sourceLine]),
    ).toEqual([['repo:contoso/web:*', false, true, 1]]);
  });

  it('the reusable file with known callers: their repositories and contexts', () => {
    const p = predictSubjects(callee, {
      ...ctx,
      callerContexts: [
        { workflow: caller },
        { owner: 'fabrikam', repo: 'app', eventName: 'push', ref: 'refs/heads/main', inputs: { environment: 'prod' } },
      ],
    });
    expect(p[0]!.subjects.map((s) => [s.subject, s.certain])).toEqual([
      ['repo:contoso/web:environment:staging', true],
      ['repo:fabrikam/app:environment:prod', true],
    ]);
    expect(p[0]!.subjects[1]!.reason).toContain('Called from `fabrikam/app`');
    expect(p[0]!.subjects[1]!.claims.repository).toBe('fabrikam/app');
  });

  it('skipWorkflowCall leaves the workflow_call trigger to the callers', () => {
    expect(predictSubjects(callee, ctx, { skipWorkflowCall: true })[0]!.subjects).toEqual([]);
  });
});

describe('predictSubjects: subject forms', () => {
  const pr = load('pr-validation.yml');

  it('immutable subjects with both ids are certain', () => {
    const p = predictSubjects(pr, { ...ctx, immutable: true, ownerId: '1001', repoId: '2002' });
    expect(table(p)).toEqual({
      'what-if repo:contoso@1001/web@2002:pull_request': [true, false, 4],
      'what-if repo:contoso@1001/web@2002:ref:refs/heads/main': [true, false, 11],
      'what-if repo:contoso@1001/web@2002:ref:refs/heads/release/*': [true, true, 12],
    });
  });

  it('immutable subjects with a missing id are uncertain and say which id', () => {
    const p = predictSubjects(pr, { ...ctx, immutable: true, ownerId: '1001' });
    const s = one(p, 'repo:contoso@1001/web@*:pull_request');
    expect(s).toMatchObject({ certain: false, pattern: true });
    expect(s.reason).toContain('the repository id is not known');
    expect(one(predictSubjects(pr, { ...ctx, immutable: true }), 'repo:contoso@*/web@*:pull_request').reason).toContain(
      'owner id and repository id are not known',
    );
  });

  it('a custom template joins key:value pairs, with context standing for the default part', () => {
    const deploy = load('deploy-environment.yml');
    const p = predictSubjects(deploy, {
      ...ctx,
      repositoryVisibility: 'internal',
      template: {
        useDefault: false,
        includeClaimKeys: ['repository_owner', 'repository_visibility', 'workflow', 'context'],
      },
    });
    expect(table(p)).toEqual({
      'deploy repository_owner:contoso:repository_visibility:internal:workflow:Deploy web app:environment:production': [
        true,
        false,
        21,
      ],
    });
    const ids = predictSubjects(pr, {
      ...ctx,
      ownerId: '1844662',
      repoId: '599293758',
      template: { useDefault: false, includeClaimKeys: ['repository_owner_id', 'repository_id', 'context'] },
    });
    expect(Object.keys(table(ids))).toEqual([
      'what-if repository_owner_id:1844662:repository_id:599293758:pull_request',
      'what-if repository_owner_id:1844662:repository_id:599293758:ref:refs/heads/main',
      'what-if repository_owner_id:1844662:repository_id:599293758:ref:refs/heads/release/*',
    ]);
    const repoKey = predictSubjects(pr, {
      ...ctx,
      template: { useDefault: false, includeClaimKeys: ['repo', 'context', 'job_workflow_ref'] },
    });
    expect(
      one(
        repoKey,
        'repo:contoso/web:ref:refs/heads/main:job_workflow_ref:contoso/web/.github/' +
          'workflows/pr-validation.yml@refs/heads/main',
      ).certain,
    ).toBe(true);
  });

  it('a custom template with an unknown claim is a pattern and says which key', () => {
    const p = predictSubjects(load('deploy-environment.yml'), {
      ...ctx,
      template: { useDefault: false, includeClaimKeys: ['repository_owner', 'repository_visibility', 'context'] },
    });
    const s = p[0]!.subjects[0]!;
    expect(s).toMatchObject({
      subject: 'repository_owner:contoso:repository_visibility:*:environment:production',
      certain: false,
      pattern: true,
    });
    expect(s.reason).toContain('`repository_visibility`');
    // useDefault wins over a stale key list.
    expect(
      predictSubjects(load('deploy-environment.yml'), {
        ...ctx,
        template: { useDefault: true, includeClaimKeys: ['x'] },
      })[0]!.subjects[0]!.subject,
    ).toBe('repo:contoso/web:environment:production');
  });

  it('subjectFor builds one subject in the repository form', () => {
    expect(subjectFor(ctx, 'pull_request')).toBe('repo:contoso/web:pull_request');
    expect(subjectFor({ ...ctx, immutable: true, ownerId: '1', repoId: '2' }, 'ref:refs/heads/main')).toBe(
      'repo:contoso@1/web@2:ref:refs/heads/main',
    );
  });
});

describe('predictSubjects: triggers', () => {
  const job = '\njobs:\n  d:\n    steps:\n      - uses: azure/login@v2\n';
  const subjects = (on: string, c: SubjectContext = ctx) =>
    predictSubjects(parseWorkflow(`on:${on}${job}`, 'x.yml'), c).flatMap((p) =>
      p.subjects.map((s) => [s.subject, s.certain, s.pattern]),
    );

  it('push without filters runs for any branch and any tag', () => {
    expect(subjects(' push')).toEqual([
      ['repo:contoso/web:ref:refs/heads/*', false, true],
      ['repo:contoso/web:ref:refs/tags/*', false, true],
    ]);
  });

  it('branches-ignore is any other branch; tags alone means no branch runs', () => {
    expect(subjects('\n  push:\n    branches-ignore: [wip/**]')).toEqual([
      ['repo:contoso/web:ref:refs/heads/*', false, true],
    ]);
    expect(subjects('\n  push:\n    tags: [v1]')).toEqual([['repo:contoso/web:ref:refs/tags/v1', true, false]]);
    expect(subjects('\n  push:\n    branches: [main, "!main-old", "feature/*"]')).toEqual([
      ['repo:contoso/web:ref:refs/heads/main', true, false],
      ['repo:contoso/web:ref:refs/heads/feature/*', true, true],
    ]);
  });

  it('pull_request_target is documented as pull_request; review events are assumed so', () => {
    expect(subjects(' pull_request_target')).toEqual([['repo:contoso/web:pull_request', true, false]]);
    expect(subjects(' pull_request_review')).toEqual([['repo:contoso/web:pull_request', false, false]]);
  });

  it('default-branch events, any-ref events and unknown events', () => {
    expect(subjects(' [workflow_run, repository_dispatch]')).toEqual([
      ['repo:contoso/web:ref:refs/heads/main', true, false],
    ]);
    expect(subjects(' deployment')).toEqual([['repo:contoso/web:ref:refs/*', false, true]]);
    expect(subjects(' some_future_event')).toEqual([['repo:contoso/web:ref:refs/heads/main', false, false]]);
  });

  it('predicts only Azure-login jobs unless asked for all', () => {
    const wf = load('deploy-environment.yml');
    expect(predictSubjects(wf, ctx).map((p) => p.jobId)).toEqual(['deploy']);
    expect(predictSubjects(wf, ctx, { allJobs: true }).map((p) => p.jobId)).toEqual(['build', 'deploy']);
  });

  it('converts GitHub filter globs to Entra wildcards without narrowing them', () => {
    expect(filterToWildcard('release/**')).toBe('release/*');
    expect(filterToWildcard('v[0-9]+.*')).toBe('v?*.*');
    expect(filterToWildcard('feature-?x')).toBe('feature*x');
  });

  it('never throws on hostile workflows', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'on:',
            'jobs:',
            '  a:',
            '    uses: ./x.yml',
            '    environment: ${{ matrix.e }}',
            '    strategy:',
            '      matrix:',
            '        e: [a, b]',
            '    steps:',
            '      - uses: azure/login@v2',
            '  push:',
            '    branches: [',
            'x',
            '  workflow_call:',
          ),
          { maxLength: 25 },
        ),
        (lines) => {
          const wf = parseWorkflow(lines.join('\n'), '.github/workflows/x.yml');
          expect(Array.isArray(predictSubjects(wf, { ...ctx, workflows: [wf] }))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
