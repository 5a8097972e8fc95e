import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  effectivePermissions,
  expressionsIn,
  parseWorkflow,
  repoRelativePath,
  type WorkflowFile,
} from '../../src/workflow/parse.js';
import {
  filterMatches,
  findRunningJob,
  lineForPermissions,
  lineForStepInput,
  lineForSubjectCause,
  parseWorkflowRef,
} from '../../src/workflow/locate.js';

const fixtures = fileURLToPath(new URL('../fixtures/workflows/', import.meta.url));
function load(name: string): WorkflowFile {
  return parseWorkflow(readFileSync(fixtures + name, 'utf8'), `.github/workflows/${name}`);
}

describe('parseWorkflow: fixtures', () => {
  it('reads name, triggers, permissions, environment map and steps with lines', () => {
    const wf = load('deploy-environment.yml');
    expect(wf.errors).toEqual([]);
    expect(wf.name).toBe('Deploy web app');
    expect(wf.nameLine).toBe(1);
    expect(wf.on).toEqual({ line: 3, column: 1, form: 'map' });
    expect(wf.triggers.map((t) => [t.event, t.line])).toEqual([
      ['push', 4],
      ['workflow_dispatch', 6],
    ]);
    expect(wf.triggers[0]!.branches).toEqual({ line: 5, values: ['main'], valueLines: [5] });
    expect(wf.permissions).toMatchObject({
      line: 8,
      kind: 'map',
      idToken: 'none',
      scopes: [{ scope: 'contents', value: 'read', line: 9 }],
    });
    expect(wf.jobsLine).toBe(11);
    expect(wf.jobs.map((j) => [j.id, j.line, j.logsInToAzure])).toEqual([
      ['build', 12, false],
      ['deploy', 18, true],
    ]);
    const deploy = wf.jobs[1]!;
    expect(deploy.needs).toEqual(['build']);
    expect(deploy.environment).toEqual({
      line: 21,
      column: 5,
      form: 'map',
      name: 'production',
      nameLine: 22,
      url: 'https://contoso.example',
      urlLine: 23,
      isExpression: false,
      expressions: [],
    });
    expect(deploy.permissions).toMatchObject({ line: 24, kind: 'map', idToken: 'write', idTokenLine: 25 });
    expect(effectivePermissions(wf, deploy)?.line).toBe(24);
    expect(effectivePermissions(wf, wf.jobs[0]!)?.line).toBe(8);
    const login = deploy.steps[1]!;
    expect(login).toMatchObject({
      index: 1,
      line: 29,
      name: 'Azure login',
      uses: 'azure/login@v2',
      usesLine: 30,
      withLine: 31,
    });
    expect({ ...login.withLines }).toEqual({ 'client-id': 32, 'tenant-id': 33, 'subscription-id': 34 });
    expect(login.with['client-id']).toBe('${{ vars.AZURE_CLIENT_ID }}');
    expect(login.azureLogin?.kind).toBe('azure-login');
    // azure/webapps-deploy without client-id uses the session of azure/login: not a login itself.
    expect(deploy.steps[2]!.azureLogin).toBeUndefined();
    expect(deploy.azureLogins.map((m) => m.line)).toEqual([29]);
  });

  it('reads pull_request filters and list values with their own lines', () => {
    const wf = load('pr-validation.yml');
    const [pr, push] = wf.triggers;
    expect(pr).toMatchObject({
      event: 'pull_request',
      line: 4,
      branches: { line: 5, values: ['main'], valueLines: [6] },
      paths: { line: 7, values: ['infra/**'], valueLines: [8] },
    });
    expect(push).toMatchObject({
      event: 'push',
      line: 9,
      branches: { line: 10, values: ['main', 'release/**'], valueLines: [11, 12] },
    });
    const job = wf.jobs[0]!;
    // Azure/login in any case and any ref. azure/cli runs commands with that login and requests no token itself.
    expect(job.azureLogins.map((m) => [m.kind, m.line])).toEqual([['azure-login', 24]]);
  });

  it('reads tags and release types', () => {
    const wf = load('tag-release.yml');
    expect(wf.triggers[0]!.tags).toEqual({ line: 5, values: ['v*.*.*'], valueLines: [6] });
    expect(wf.triggers[1]).toMatchObject({
      event: 'release',
      line: 7,
      types: { line: 8, values: ['published'], valueLines: [8] },
    });
    expect(wf.permissions).toBeUndefined();
    expect(wf.jobs[0]!.permissions).toMatchObject({ line: 13, idToken: 'write' });
  });

  it('reads a reusable-workflow call with with/secrets and a remote call', () => {
    const wf = load('reusable-caller.yml');
    const staging = wf.jobs.find((j) => j.id === 'staging')!;
    expect(staging.line).toBe(18);
    expect(staging.uses).toMatchObject({
      uses: './.github/workflows/reusable-deploy.yml',
      line: 20,
      local: true,
      path: '.github/workflows/reusable-deploy.yml',
      secrets: 'inherit',
      secretsLine: 24,
    });
    expect({ ...staging.uses!.with }).toEqual({ environment: 'staging', region: 'westeurope' });
    expect({ ...staging.uses!.withLines }).toEqual({ environment: 22, region: 23 });
    const lint = wf.jobs.find((j) => j.id === 'lint')!;
    expect(lint.uses).toMatchObject({
      local: false,
      repository: 'octo-org/shared-workflows',
      path: '.github/workflows/lint.yml',
      ref: 'v1',
      line: 27,
    });
  });

  it('reads workflow_call inputs and secrets and flags an expression environment', () => {
    const wf = load('reusable-deploy.yml');
    expect(wf.isReusable).toBe(true);
    expect(wf.triggers[0]!.inputs).toEqual([
      { name: 'environment', line: 6, type: 'string', required: true },
      { name: 'region', line: 9, type: 'string', default: 'westeurope' },
    ]);
    expect(wf.triggers[0]!.secrets).toEqual([{ name: 'AZURE_CLIENT_ID', line: 13, required: false }]);
    expect(wf.jobs[0]!.environment).toEqual({
      line: 19,
      column: 5,
      form: 'string',
      name: '${{ inputs.environment }}',
      isExpression: true,
      expressions: ['inputs.environment'],
    });
  });

  it('reads schedule crons, write-all and job-level Terraform OIDC variables', () => {
    const wf = load('schedule-terraform.yml');
    expect(wf.triggers[0]).toMatchObject({
      event: 'schedule',
      line: 4,
      schedules: [{ cron: '17 3 * * 1-5', line: 5 }],
    });
    expect(wf.permissions).toMatchObject({ line: 7, kind: 'write-all', idToken: 'write' });
    const job = wf.jobs[0]!;
    expect(job.env.ARM_USE_OIDC).toBe('true');
    // The job's env line, not every step.
    expect(job.azureLogins).toEqual([
      { kind: 'env-arm-use-oidc', line: 13, stepIndex: 2, reason: expect.stringContaining('ARM_USE_OIDC') },
    ]);
  });

  it('reads the string form of on:, this action by name, and a step-level token file', () => {
    const wf = load('dispatch.yml');
    expect(wf.on).toEqual({ line: 2, column: 1, form: 'string' });
    expect(wf.triggers).toEqual([{ event: 'workflow_dispatch', line: 2, column: 5 }]);
    expect(wf.jobs[0]!.azureLogins.map((m) => [m.kind, m.line])).toEqual([
      ['this-action', 9],
      ['azure-login', 14],
    ]);
    const sdk = load('sdk-token-file.yml');
    // github-script's core.getIDToken requests the token itself; the SDK step then reads it from the file.
    expect(sdk.jobs[0]!.azureLogins.map((m) => [m.kind, m.line])).toEqual([
      ['id-token-request', 14],
      ['env-federated-token-file', 20],
    ]);
  });

  it('reads matrices (dimensions and include) and azd federated logins', () => {
    const wf = load('matrix-environment.yml');
    const job = wf.jobs[0]!;
    expect(job.matrix).toEqual({
      line: 14,
      dimensions: [{ key: 'environment', line: 15, values: ['dev', 'test'] }],
      include: [{ environment: 'prod', approvers: 'required' }],
      exclude: [],
      value: { environment: ['dev', 'test'], include: [{ environment: 'prod', approvers: 'required' }] },
    });
    expect(job.environment).toMatchObject({ line: 20, isExpression: true, expressions: ['matrix.environment'] });
    expect(job.azureLogins.map((m) => [m.kind, m.line])).toEqual([['env-client-id-oidc', 23]]);
  });

  it('reads workflow_dispatch choice inputs', () => {
    const wf = load('expression-environment.yml');
    expect(wf.triggers[0]!.inputs).toEqual([
      { name: 'env', line: 6, type: 'string', required: true },
      { name: 'region', line: 10, type: 'choice', options: ['westeurope', 'northeurope'] },
    ]);
  });

  it('reports bad YAML with lines and keeps what it could read', () => {
    const wf = load('invalid.yml');
    expect(wf.errors.length).toBeGreaterThan(0);
    expect(wf.errors.every((e) => e.kind === 'yaml' && e.line >= 1 && e.column >= 1)).toBe(true);
    expect(wf.errors.map((e) => e.line)).toContain(10);
    expect(wf.errors[0]).toMatchObject({ line: 5, code: 'BAD_INDENT' });
    expect(wf.jobs.map((j) => j.id)).toEqual(['deploy']);
  });
});

describe('parseWorkflow: forms and edge cases', () => {
  it('reads the list form of on: with each item line', () => {
    const wf = parseWorkflow('on: [push, pull_request]\njobs: {}\n', 'x.yml');
    expect(wf.on?.form).toBe('list');
    expect(wf.triggers).toEqual([
      { event: 'push', line: 1, column: 6 },
      { event: 'pull_request', line: 1, column: 12 },
    ]);
    const block = parseWorkflow('on:\n  - push\n  - merge_group\njobs: {}\n', 'x.yml');
    expect(block.triggers.map((t) => [t.event, t.line])).toEqual([
      ['push', 2],
      ['merge_group', 3],
    ]);
  });

  it('reads single-string filters, branches-ignore and tags-ignore', () => {
    const wf = parseWorkflow(
      'on:\n  push:\n    branches-ignore: dependabot/**\n    tags-ignore:\n      - nightly\njobs: {}\n',
      'x.yml',
    );
    expect(wf.triggers[0]).toMatchObject({
      branchesIgnore: { line: 3, values: ['dependabot/**'], valueLines: [3] },
      tagsIgnore: { line: 4, values: ['nightly'], valueLines: [5] },
    });
  });

  it('reads permissions read-all and {} and an empty job block', () => {
    const wf = parseWorkflow(
      'on: push\npermissions: read-all\njobs:\n  a:\n    permissions: {}\n    runs-on: x\n    steps: []\n',
      'x.yml',
    );
    expect(wf.permissions).toMatchObject({ line: 2, kind: 'read-all', idToken: 'read' });
    expect(wf.jobs[0]!.permissions).toMatchObject({ line: 5, kind: 'empty', idToken: 'none', scopes: [] });
  });

  it('flags an expression in an environment map name', () => {
    const wf = parseWorkflow(
      'on: push\njobs:\n  a:\n    environment:\n      name: ${{ github.ref_name }}\n' +
        '      url: ${{ steps.d.outputs.url }}\n    steps: []\n',
      'x.yml',
    );
    expect(wf.jobs[0]!.environment).toMatchObject({
      line: 4,
      form: 'map',
      nameLine: 5,
      isExpression: true,
      expressions: ['github.ref_name'],
    });
  });

  it('accepts YAML anchors and merge keys in steps', () => {
    const text = [
      'on: push',
      'jobs:',
      '  a:',
      '    steps:',
      '      - &login',
      '        uses: azure/login@v2',
      '        with:',
      '          client-id: x',
      '      - *login',
      '      - <<: *login',
      '        name: again',
    ].join('\n');
    const wf = parseWorkflow(text, 'x.yml');
    expect(wf.jobs[0]!.steps.map((s) => [s.uses, s.name, !!s.azureLogin])).toEqual([
      ['azure/login@v2', undefined, true],
      ['azure/login@v2', undefined, true],
      ['azure/login@v2', 'again', true],
    ]);
  });

  it('does not count azure/login with a creds secret or a managed identity as an OIDC login', () => {
    const text =
      'on: push\njobs:\n  a:\n    steps:\n      - uses: azure/login@v2\n        with:\n' +
      '          creds: ${{ secrets.X }}\n      - uses: azure/login@v2\n        with:\n' +
      '          auth-type: IDENTITY\n';
    expect(parseWorkflow(text, 'x.yml').jobs[0]!.logsInToAzure).toBe(false);
  });

  it('accepts extra login action names; azure/* actions other than login request no token', () => {
    const text =
      'on: push\njobs:\n  a:\n    steps:\n      - uses: ./.github/actions/login\n  b:\n' +
      '    steps:\n      - uses: Azure/aks-set-context@v4\n        with:\n' +
      '          client-id: x\n';
    const wf = parseWorkflow(text, 'x.yml', { loginActions: ['./.github/actions/login'] });
    // Azure/aks-set-context uses the job's earlier login; a `client-id:` given to it is ignored
    // (the old model was wrong).
    expect(wf.jobs.map((j) => j.azureLogins.map((m) => m.kind))).toEqual([['extra-action'], []]);
    expect(parseWorkflow(text, 'x.yml').jobs[0]!.logsInToAzure).toBe(false);
    // This action from its own repository (`uses: ./`) or from a local copy.
    const self =
      'on: push\njobs:\n  a:\n    steps:\n      - uses: ./\n  b:\n    steps:\n' +
      '      - uses: ./.github/actions/azure-federation-check\n';
    expect(
      parseWorkflow(self, 'x.yml', { loginActions: ['./'] }).jobs.map((j) => j.azureLogins.map((m) => m.kind)),
    ).toEqual([['extra-action'], ['this-action']]);
  });

  it('keeps prototype-like keys as plain keys', () => {
    const text =
      'on: push\njobs:\n  a:\n    steps:\n      - uses: azure/login@v2\n        with:\n' +
      '          __proto__: polluted\n          constructor: x\n';
    const step = parseWorkflow(text, 'x.yml').jobs[0]!.steps[0]!;
    // biome-ignore lint/suspicious/noProto: the test is that a `__proto__` key stays a plain key
    expect(step.with['__proto__']).toBe('polluted');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reports schema problems with lines instead of throwing', () => {
    const wf = parseWorkflow('on: push\njobs:\n  a: 3\n  b:\n    steps: nope\n', 'x.yml');
    expect(wf.errors.map((e) => [e.kind, e.line])).toEqual([
      ['schema', 3],
      ['schema', 5],
    ]);
    expect(parseWorkflow('', 'x.yml').errors[0]).toMatchObject({ kind: 'schema', line: 1 });
    expect(parseWorkflow('- a\n- b\n', 'x.yml').errors[0]).toMatchObject({ kind: 'schema', line: 1 });
    expect(parseWorkflow('name: x\n', 'x.yml').errors.map((e) => e.message)).toEqual([
      'The workflow has no `on:` key, so nothing triggers it',
      'The workflow has no `jobs:`',
    ]);
  });

  it('reads a YAML 1.1 document where `on` is a boolean key', () => {
    const wf = parseWorkflow('%YAML 1.1\n---\non: push\njobs: {}\n', 'x.yml');
    expect(wf.triggers.map((t) => t.event)).toEqual(['push']);
  });

  it('extracts expressions and repository-relative paths', () => {
    expect(expressionsIn('prod-${{ matrix.region }}-${{inputs.x}}')).toEqual(['matrix.region', 'inputs.x']);
    expect(repoRelativePath('/home/runner/work/r/r/.github/workflows/a.yml')).toBe('.github/workflows/a.yml');
    expect(repoRelativePath('C:\\r\\.github\\workflows\\a.yml')).toBe('.github/workflows/a.yml');
    expect(repoRelativePath('./ci/a.yml')).toBe('ci/a.yml');
  });
});

describe('parseWorkflow never throws', () => {
  const hostile = fc.oneof(
    fc.string({ maxLength: 400 }),
    fc.string({
      unit: fc.constantFrom(
        '{',
        '}',
        '[',
        ']',
        ':',
        '-',
        ' ',
        '\n',
        '\t',
        '&a',
        '*a',
        '<<',
        '"',
        "'",
        '|',
        '>',
        '#',
        '!',
        '%',
        '?',
        'on',
        'jobs',
        '${{',
        '}}',
      ),
      maxLength: 200,
    }),
    fc
      .array(
        fc.constantFrom(
          'on:',
          'jobs:',
          '  a:',
          '    steps:',
          '      - uses: azure/login@v2',
          '    environment: ${{ x }}',
          '  push:',
          '    branches: [',
          '&x',
          '*x',
          '<<: *x',
          '\t- z',
          '  - ',
          'permissions: 3',
        ),
        { maxLength: 30 },
      )
      .map((lines) => lines.join('\n')),
  );

  it('on random and hostile text', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const wf = parseWorkflow(text, 'x.yml');
        expect(Array.isArray(wf.errors)).toBe(true);
        for (const e of wf.errors) {
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        }
        for (const j of wf.jobs) expect(j.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });

  it('on deep nesting, alias bombs and non-string input', () => {
    expect(() => parseWorkflow('['.repeat(20000), 'x.yml')).not.toThrow();
    const bomb = [
      'a: &a ["x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b]',
      'on: *c',
      'jobs:',
      '  j:',
      '    steps: *c',
    ].join('\n');
    const wf = parseWorkflow(bomb, 'x.yml');
    expect(wf.path).toBe('x.yml');
    expect(() => parseWorkflow(undefined as unknown as string, 'x.yml')).not.toThrow();
    // Nested merge keys that would expand to 10^12 entries if followed naively.
    const merges = ['a0: &a0 {k: v}'];
    for (let i = 1; i <= 12; i++)
      merges.push(`a${i}: &a${i} {<<: [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]}`);
    merges.push('on: push', 'jobs:', '  j:', '    <<: *a12', '    steps: []');
    // No clock: following the merges naively would exceed this test's vitest timeout.
    expect(parseWorkflow(merges.join('\n'), 'x.yml').jobs.map((j) => j.id)).toEqual(['j']);
  });
});

describe('locate', () => {
  it('puts subject causes on the environment, the trigger, or the matching filter value', () => {
    const deploy = load('deploy-environment.yml');
    expect(
      lineForSubjectCause(deploy, 'deploy', {
        sub: 'repo:contoso/web:environment:production',
        environment: 'production',
      }),
    ).toMatchObject({ line: 21, anchor: 'environment' });
    const pr = load('pr-validation.yml');
    expect(
      lineForSubjectCause(pr, 'what-if', { sub: 'repo:contoso/web:pull_request', event_name: 'pull_request' }),
    ).toMatchObject({ line: 4, anchor: 'trigger' });
    expect(
      lineForSubjectCause(pr, 'what-if', { sub: 'repo:contoso/web:ref:refs/heads/release/v2', event_name: 'push' }),
    ).toMatchObject({ line: 12, anchor: 'filter' });
    expect(lineForSubjectCause(pr, 'what-if', { sub: 'repo:contoso/web:ref:refs/heads/main' })).toMatchObject({
      line: 11,
      anchor: 'filter',
    });
    expect(lineForSubjectCause(pr, 'what-if', { sub: 'repo:contoso/web:ref:refs/heads/feature' })).toMatchObject({
      line: 10,
      anchor: 'filter',
    });
    const tags = load('tag-release.yml');
    expect(lineForSubjectCause(tags, 'publish', { sub: 'repo:contoso/web:ref:refs/tags/v1.2.3' })).toMatchObject({
      line: 6,
      anchor: 'filter',
    });
    expect(
      lineForSubjectCause(tags, 'publish', { sub: 'repo:contoso/web:ref:refs/tags/v1.2.3', event_name: 'release' }),
    ).toMatchObject({ line: 7, anchor: 'trigger' });
    const schedule = load('schedule-terraform.yml');
    expect(
      lineForSubjectCause(schedule, 'drift', { sub: 'repo:contoso/web:ref:refs/heads/main', event_name: 'schedule' }),
    ).toMatchObject({ line: 4, anchor: 'trigger' });
    // A custom subject: no environment or ref to point at, so the job.
    expect(lineForSubjectCause(schedule, 'drift', { sub: 'repository_owner:contoso:workflow:x' })).toMatchObject({
      line: 10,
      anchor: 'job',
    });
  });

  it('puts permissions on the job block, the workflow block, or the job', () => {
    const deploy = load('deploy-environment.yml');
    expect(lineForPermissions(deploy, 'deploy')).toMatchObject({ line: 24, anchor: 'permissions' });
    expect(lineForPermissions(deploy, 'build')).toMatchObject({ line: 8, anchor: 'permissions' });
    const noPerms = parseWorkflow('on: push\njobs:\n  a:\n    steps: []\n', 'x.yml');
    expect(lineForPermissions(noPerms, 'a')).toMatchObject({ line: 3, anchor: 'job' });
  });

  it('puts step inputs on the input, the with: line, or the step', () => {
    const deploy = load('deploy-environment.yml');
    expect(lineForStepInput(deploy, 'deploy', 'azure/login', 'client-id')).toMatchObject({
      line: 32,
      anchor: 'step-input',
    });
    expect(lineForStepInput(deploy, 'deploy', 'Azure/Login@v1', 'audience')).toMatchObject({
      line: 31,
      anchor: 'step-input',
    });
    expect(lineForStepInput(deploy, 'deploy', 0, 'audience')).toMatchObject({ line: 28, anchor: 'step' });
    expect(lineForStepInput(deploy, 'deploy', (s) => s.name === 'Azure login', 'tenant-id')).toMatchObject({
      line: 33,
    });
    expect(lineForStepInput(deploy, 'nope', 0, 'x')).toMatchObject({ anchor: 'workflow' });
  });

  it('finds the running job, and both files for a reusable workflow', () => {
    const caller = load('reusable-caller.yml');
    const callee = load('reusable-deploy.yml');
    const deploy = load('deploy-environment.yml');
    const plain = findRunningJob([caller, callee, deploy], {
      workflowRef: 'contoso/web/.github/workflows/deploy-environment.yml@refs/heads/main',
      job: 'deploy',
    });
    expect(plain).toMatchObject({
      path: '.github/workflows/deploy-environment.yml',
      repository: 'contoso/web',
      ref: 'refs/heads/main',
      job: { id: 'deploy', line: 18 },
    });
    expect(plain?.called).toBeUndefined();
    const reusable = findRunningJob([caller, callee], {
      workflowRef: 'contoso/web/.github/workflows/reusable-caller.yml@refs/heads/main',
      job: 'deploy',
      jobWorkflowRef: 'contoso/web/.github/workflows/reusable-deploy.yml@refs/heads/main',
    });
    expect(reusable?.path).toBe('.github/workflows/reusable-caller.yml');
    expect(reusable?.called).toMatchObject({
      path: '.github/workflows/reusable-deploy.yml',
      job: { id: 'deploy', line: 17 },
    });
    expect(reusable?.called?.callerJobs.map((j) => [j.id, j.line])).toEqual([['staging', 18]]);
    expect(reusable?.note).toContain("CALLER's context");
    const remote = findRunningJob([caller], {
      workflowRef: 'contoso/web/.github/workflows/reusable-caller.yml@refs/heads/main',
      job: 'lint',
      jobWorkflowRef: 'octo-org/shared-workflows/.github/workflows/lint.yml@refs/tags/v1',
    });
    expect(remote?.called).toMatchObject({
      repository: 'octo-org/shared-workflows',
      path: '.github/workflows/lint.yml',
      ref: 'refs/tags/v1',
    });
    expect(remote?.called?.callerJobs.map((j) => j.id)).toEqual(['lint']);
    expect(findRunningJob([caller], { workflowRef: 'nonsense' })).toBeUndefined();
    expect(parseWorkflowRef('o/r/.github/workflows/a.yml@refs/pull/3/merge')).toEqual({
      repository: 'o/r',
      path: '.github/workflows/a.yml',
      ref: 'refs/pull/3/merge',
    });
  });

  it('matches GitHub filter patterns', () => {
    expect(filterMatches('release/**', 'release/v1/hotfix')).toBe(true);
    expect(filterMatches('release/*', 'release/v1/hotfix')).toBe(false);
    expect(filterMatches('v*.*.*', 'v1.2.3')).toBe(true);
    expect(filterMatches('v[12].*', 'v3.0')).toBe(false);
    expect(filterMatches('feature-?x', 'feature-x')).toBe(true);
  });
});
