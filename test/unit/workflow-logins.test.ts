/**
 * Issue 9, causes 3, 4, 7, 8, 9, 10, 11: which steps request a token (not azure/cli or
 * azure/powershell; yes github-script getIDToken, curl to ACTIONS_ID_TOKEN_REQUEST_URL,
 * az login --federated-token, Terraform with use_oidc in its .tf files), object matrices,
 * local and remote composite actions, reusable workflows (missing file, called file's lines,
 * several login jobs), matrices from inputs via fromJSON, and advice only as strong as the
 * evidence. Small workflows written for the test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FederatedCredential } from '../../src/entra/credential.js';
import { auditWorkflowsDetailed, type AuditContext } from '../../src/workflow/audit.js';
import { parseWorkflow } from '../../src/workflow/parse.js';
import { predictSubjects } from '../../src/workflow/predict.js';
import { readWorkflows } from '../../src/workflow/read-workflows.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'api://AzureADTokenExchange';
const ctx: AuditContext = { owner: 'contoso', repo: 'web', defaultBranch: 'main', issuer: ISSUER, audience: AUDIENCE };
const classic = (name: string, subject: string): FederatedCredential => ({
  name,
  issuer: ISSUER,
  subject,
  audiences: [AUDIENCE],
});
const kinds = (text: string) =>
  parseWorkflow(text, '.github/workflows/w.yml').jobs.map((j) => j.azureLogins.map((m) => m.kind));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'afc-logins-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('logins are steps that request a token', () => {
  it('azure/cli and azure/powershell use an earlier login; given client-id they still request nothing', () => {
    const text =
      'on: push\njobs:\n  a:\n    steps:\n      - uses: azure/CLI@v2\n        with:\n' +
      '          client-id: x\n          inlineScript: az group list\n' +
      '      - uses: azure/powershell@v2\n        with:\n          inlineScript: Get-AzContext\n' +
      '      - run: az group list\n';
    expect(kinds(text)).toEqual([[]]);
  });

  it('core.getIDToken, curl to ACTIONS_ID_TOKEN_REQUEST_URL and az login --federated-token each request one', () => {
    const text = [
      'on: push',
      'jobs:',
      '  script:',
      '    steps:',
      '      - uses: actions/github-script@v7',
      '        with:',
      "          script: const t = await core.getIDToken('api://AzureADTokenExchange')",
      '  curl:',
      '    steps:',
      '      - run: |',
      '          TOKEN=$(curl -sH "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" ' +
        '"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange" | jq -r .value)',
      '          az login --service-principal -u "$CLIENT" -t "$TENANT" --federated-token "$TOKEN"',
      '  cli-only:',
      '    steps:',
      '      - run: az login --service-principal -u "$C" -t "$T" --federated-token "$(cat ' +
        '$AZURE_FEDERATED_TOKEN_FILE)"',
      '',
    ].join('\n');
    expect(kinds(text)).toEqual([['id-token-request'], ['id-token-request'], ['id-token-request']]);
  });

  it('a workflow-level ARM_USE_OIDC makes only the jobs that run Terraform login jobs', () => {
    const text =
      'on: push\nenv:\n  ARM_USE_OIDC: true\n  ARM_CLIENT_ID: x\njobs:\n  plan:\n    steps:\n' +
      '      - run: terraform init && terraform plan\n  lint:\n    steps:\n' +
      '      - run: npm run lint\n';
    const wf = parseWorkflow(text, '.github/workflows/w.yml');
    expect(wf.jobs.map((j) => [j.id, j.logsInToAzure, j.azureLogins.map((m) => m.line)])).toEqual([
      ['plan', true, [3]],
      ['lint', false, []],
    ]);
  });

  it('Terraform with only ARM_CLIENT_ID logs in when a .tf file in its working dir sets use_oidc = true', async () => {
    const workflow =
      'on: push\njobs:\n  infra:\n    env:\n      ARM_CLIENT_ID: x\n    defaults:\n      run:\n' +
      '        working-directory: infra\n    steps:\n      - run: terraform init\n  other:\n' +
      '    env:\n      ARM_CLIENT_ID: x\n    steps:\n      - run: terraform init\n' +
      '        working-directory: elsewhere\n';
    const root = repo({
      '.github/workflows/tf.yml': workflow,
      'infra/providers.tf': 'provider "azurerm" {\n  features {}\n  use_oidc = true\n}\n',
      'elsewhere/main.tf': 'provider "azurerm" {\n  features {}\n}\n',
    });
    const { workflows } = await readWorkflows(root);
    const jobs = workflows[0]!.jobs;
    expect(jobs.map((j) => j.azureLogins.map((m) => m.kind))).toEqual([['terraform-use-oidc'], []]);
    expect(jobs[0]!.azureLogins[0]!.reason).toContain('infra/providers.tf line 3');
  });
});

describe('composite actions', () => {
  it('a login inside a local composite action is a login of the job, with the action file and line', async () => {
    const root = repo({
      '.github/workflows/deploy.yml':
        'on: push\njobs:\n  deploy:\n    environment: prod\n    steps:\n      - uses: ./.github/actions/Login\n',
      '.github/actions/Login/action.yml':
        'name: login\nruns:\n  using: composite\n  steps:\n    - uses: actions/checkout@v4\n' +
        '    - uses: azure/login@v2\n      with:\n        client-id: ${{ inputs.client-id }}\n',
    });
    const { workflows } = await readWorkflows(root);
    const marker = workflows[0]!.jobs[0]!.azureLogins[0]!;
    expect(marker).toMatchObject({
      kind: 'composite-action',
      line: 6,
      file: '.github/actions/Login/action.yml',
      innerLine: 6,
    });
    expect(predictSubjects(workflows[0]!, ctx)[0]!.subjects.map((s) => s.subject)).toEqual([
      'repo:contoso/web:environment:prod',
    ]);
  });

  it('a remote action given Azure inputs may log in: uncertain predictions, no "delete it" for the credentials', () => {
    const wf = parseWorkflow(
      'on: push\njobs:\n  plan:\n    steps:\n      - uses: someorg/terraform-plan@v1\n' +
        '        with:\n          arm_client_id: x\n',
      '.github/workflows/w.yml',
    );
    expect(wf.jobs[0]).toMatchObject({ logsInToAzure: false, mayLogInToAzure: true });
    const result = auditWorkflowsDetailed([wf], [classic('prod', 'repo:contoso/web:environment:prod')], ctx);
    const subjects = result.workflows[0]!.jobs[0]!.prediction.subjects;
    expect(subjects.every((s) => !s.certain)).toBe(true);
    const unused = result.findings.find((f) => f.id === 'credential-unused')!;
    expect(unused.message).toContain('Not understood: job `plan`');
    expect(unused.fix).not.toContain('delete');
  });
});

describe('matrices', () => {
  it('a matrix of objects expands like a list: matrix.target.name per leg', () => {
    const text =
      'on: pull_request\njobs:\n  check:\n    strategy:\n      matrix:\n        target:\n' +
      '          - name: dev\n            sub: a\n          - name: prod\n            sub: b\n' +
      '    environment: ${{ matrix.target.name }}\n    steps:\n      - uses: azure/login@v2\n' +
      '        with:\n          client-id: x\n';
    expect(predictSubjects(parseWorkflow(text, 'w.yml'), ctx)[0]!.subjects.map((s) => [s.subject, s.certain])).toEqual([
      ['repo:contoso/web:environment:dev', true],
      ['repo:contoso/web:environment:prod', true],
    ]);
  });

  it('include entries with several keys add their legs; a login step gated on a matrix value follows its leg', () => {
    const text =
      'on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        os: [linux, windows]\n' +
      '        include:\n          - os: linux\n            integration: true\n' +
      '            environment: integration\n    environment: ${{ matrix.environment }}\n' +
      '    steps:\n      - if: matrix.integration\n        uses: azure/login@v2\n        with:\n' +
      '          client-id: x\n';
    expect(predictSubjects(parseWorkflow(text, 'w.yml'), ctx)[0]!.subjects.map((s) => s.subject)).toEqual([
      'repo:contoso/web:environment:integration',
    ]);
  });
});

describe('reusable workflows', () => {
  const called = parseWorkflow(
    'on:\n  workflow_call:\n    inputs:\n      environments:\n        type: string\njobs:\n' +
      '  deploy:\n    strategy:\n      matrix:\n' +
      '        environment: ${{ fromJSON(inputs.environments) }}\n' +
      '    environment: ${{ matrix.environment }}\n    steps:\n      - uses: azure/login@v2\n' +
      '        with:\n          client-id: x\n  smoke:\n    environment: smoke\n    steps:\n' +
      '      - uses: azure/login@v2\n        with:\n          client-id: x\n',
    '.github/workflows/deploy.yml',
  );
  const caller = parseWorkflow(
    'on:\n  push:\n    branches: [main]\njobs:\n  ship:\n' +
      '    uses: ./.github/workflows/deploy.yml\n    with:\n' +
      '      environments: \'["dev", "prod"]\'\n  lost:\n    uses: ./.github/workflows/gone.yml\n',
    '.github/workflows/ship.yml',
  );

  it("a fromJSON(inputs.x) matrix is expanded with each caller's literal JSON; each called login job is listed", () => {
    const p = predictSubjects(caller, { ...ctx, workflows: [caller, called] }).filter((j) => j.calls?.resolved);
    expect(p.map((j) => [j.jobId, j.calls?.jobId, j.subjects.map((s) => s.subject)])).toEqual([
      ['ship', 'deploy', ['repo:contoso/web:environment:dev', 'repo:contoso/web:environment:prod']],
      ['ship', 'smoke', ['repo:contoso/web:environment:smoke']],
    ]);
  });

  it("findings about a called job carry the called file's path and line; a missing called file is reported", () => {
    const result = auditWorkflowsDetailed([caller, called], [classic('dev', 'repo:contoso/web:environment:dev')], ctx);
    const never = result.findings.filter((f) => f.id === 'job-never-matches');
    expect(never.map((f) => [f.title, f.location?.file, f.location?.line])).toEqual([
      ['Job ship will not match any federated credential when run by push', '.github/workflows/deploy.yml', 11],
      ['Job ship will not match any federated credential when run by push', '.github/workflows/deploy.yml', 17],
    ]);
    const missing = result.findings.find((f) => f.id === 'workflow-call-missing')!;
    expect(missing).toMatchObject({ severity: 'error', location: { file: '.github/workflows/ship.yml', line: 10 } });
    expect(missing.title).toBe('Job lost calls ./.github/workflows/gone.yml, which is not in the repository');
  });
});

describe('advice only as strong as the evidence', () => {
  it('"delete it" when every job that could use the credential is understood', () => {
    const wf = parseWorkflow(
      'on:\n  push:\n    branches: [main]\njobs:\n  a:\n    steps:\n' +
        '      - uses: azure/login@v2\n        with:\n          client-id: x\n',
      '.github/workflows/w.yml',
    );
    const unused = auditWorkflowsDetailed(
      [wf],
      [classic('old', 'repo:contoso/web:ref:refs/heads/old')],
      ctx,
    ).findings.find((f) => f.id === 'credential-unused')!;
    expect(unused.fix).toContain('az ad app federated-credential delete');
  });

  it('not when a job calls a workflow of another repository that was not read', () => {
    const wf = parseWorkflow(
      'on: push\njobs:\n  a:\n    uses: other/repo/.github/workflows/deploy.yml@v1\n    secrets: inherit\n',
      '.github/workflows/w.yml',
    );
    const unused = auditWorkflowsDetailed(
      [wf],
      [classic('old', 'repo:contoso/web:ref:refs/heads/old')],
      ctx,
    ).findings.find((f) => f.id === 'credential-unused');
    expect(unused?.fix ?? '').not.toContain('delete');
  });
});
