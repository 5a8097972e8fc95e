/**
 * Issue 9, causes 1, 2, 5, 6: each trigger keeps its own subjects and verdict; `if:` of the job and
 * of the login step is evaluated per trigger; inputs are empty on events without inputs;
 * expressions over github.event_name are evaluated per trigger. Small workflows written for the test.
 */
import { describe, expect, it } from 'vitest';
import type { FederatedCredential } from '../../src/entra/credential.js';
import type { Finding } from '../../src/diagnose/finding.js';
import { auditWorkflows, type AuditContext } from '../../src/workflow/audit.js';
import { evaluate, evaluateCondition, OPEN, Pattern, UNKNOWN } from '../../src/workflow/expression.js';
import { parseWorkflow } from '../../src/workflow/parse.js';
import { predictSubjects } from '../../src/workflow/predict.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'api://AzureADTokenExchange';
const ctx: AuditContext = { owner: 'contoso', repo: 'web', defaultBranch: 'main', issuer: ISSUER, audience: AUDIENCE };
const classic = (name: string, subject: string): FederatedCredential => ({
  name,
  issuer: ISSUER,
  subject,
  audiences: [AUDIENCE],
});
const wf = (text: string) => parseWorkflow(text, '.github/workflows/w.yml');
const subjects = (text: string) =>
  predictSubjects(wf(text), ctx).flatMap((p) =>
    p.subjects.map((s) => `${s.trigger} ${s.subject} ${s.certain ? 'certain' : 'uncertain'}`),
  );
const never = (findings: Finding[]) =>
  findings.filter((f) => f.id === 'job-never-matches').map((f) => `${f.severity} ${f.location?.line} ${f.title}`);
const LOGIN = '    steps:\n      - uses: azure/login@v2\n        with:\n          client-id: x\n';

describe('triggers do not interfere', () => {
  it('schedule beside workflow_dispatch runs on the default branch: a credential for another branch errs', () => {
    const text = `on:\n  workflow_dispatch:\n  schedule:\n    - cron: '0 1 * * *'\njobs:\n  nightly:\n${LOGIN}`;
    const findings = auditWorkflows([wf(text)], [classic('master', 'repo:contoso/web:ref:refs/heads/master')], ctx);
    expect(never(findings)).toEqual([
      'error 2 Job nightly will not match any federated credential when run by workflow_dispatch, schedule',
    ]);
  });

  it('a dispatch-only job on main with only a master credential gets a finding; the credential is not unused', () => {
    const findings = auditWorkflows(
      [wf(`on: workflow_dispatch\njobs:\n  run:\n${LOGIN}`)],
      [classic('master', 'repo:contoso/web:ref:refs/heads/master')],
      ctx,
    );
    expect(never(findings)).toEqual([
      'warning 1 Job run may not match any federated credential when run by workflow_dispatch',
    ]);
    // A dispatch can be started on master: the credential may be in use.
    expect(findings.filter((f) => f.id === 'credential-unused')).toEqual([]);
  });
});

describe('if: per trigger', () => {
  it('a login step guarded by event_name requests no token on the other triggers', () => {
    const text =
      'on:\n  pull_request:\n  merge_group:\njobs:\n  images:\n    steps:\n' +
      "      - if: github.event_name == 'merge_group'\n        uses: azure/login@v2\n" +
      '        with:\n          client-id: x\n';
    expect(subjects(text)).toEqual(['merge_group repo:contoso/web:ref:refs/heads/gh-readonly-queue/*/* uncertain']);
  });

  it('a job if on the ref: a pull request (refs/pull/N/merge) never equals refs/heads/main', () => {
    const text =
      'on:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  deploy:\n' +
      "    if: github.ref == 'refs/heads/main'\n" +
      LOGIN;
    expect(subjects(text)).toEqual(['push repo:contoso/web:ref:refs/heads/main certain']);
  });

  it('startsWith(github.ref, refs/tags/) keeps tag pushes only; !cancelled() && ... is decided by the rest', () => {
    const text =
      "on:\n  push:\n    branches: [main]\n    tags: ['v*']\njobs:\n  release:\n" +
      "    if: ${{ !cancelled() && startsWith(github.ref, 'refs/tags/') }}\n" +
      LOGIN;
    expect(subjects(text)).toEqual(['push repo:contoso/web:ref:refs/tags/v* certain']);
  });

  it('what the file cannot decide stays possible, the condition in the reason; the subject keeps its certainty', () => {
    const text =
      'on:\n  issues:\n  pull_request_target:\njobs:\n  triage:\n' +
      "    if: github.event_name == 'issues' && github.event.action == 'opened'\n" +
      LOGIN;
    const p = predictSubjects(wf(text), ctx)[0]!;
    expect(p.subjects.map((s) => [s.trigger, s.subject, s.certain])).toEqual([
      ['issues', 'repo:contoso/web:ref:refs/heads/main', true],
    ]);
    expect(p.subjects[0]!.reason).toContain(
      "runs only if `github.event_name == 'issues' && github.event.action == 'opened'`",
    );
  });

  it('an event with one action type decides github.event.action', () => {
    const on = 'on:\n  issues:\n    types: [opened]\n';
    const text = `${on}jobs:\n  triage:\n    if: github.event.action == 'closed'\n${LOGIN}`;
    expect(subjects(text)).toEqual([]);
  });
});

describe('inputs on events without inputs, and expressions over event_name', () => {
  it('inputs.environment || dev is dev on push; the choice options on workflow_dispatch', () => {
    const text =
      'on:\n  push:\n    branches: [main]\n  workflow_dispatch:\n    inputs:\n' +
      '      environment:\n        type: choice\n        options: [test, prod]\njobs:\n' +
      "  deploy:\n    environment: ${{ inputs.environment || 'dev' }}\n" +
      LOGIN;
    expect(subjects(text)).toEqual([
      'push repo:contoso/web:environment:dev certain',
      'workflow_dispatch repo:contoso/web:environment:test uncertain',
      'workflow_dispatch repo:contoso/web:environment:prod uncertain',
    ]);
  });

  it('an environment that evaluates to empty means no environment', () => {
    const text =
      'on:\n  pull_request:\n  workflow_dispatch:\n    inputs:\n      environment:\n' +
      '        type: environment\njobs:\n  validate:\n' +
      '    environment: ${{ github.event.inputs.environment }}\n' +
      LOGIN;
    expect(subjects(text)).toEqual([
      'pull_request repo:contoso/web:pull_request certain',
      'workflow_dispatch repo:contoso/web:environment:* uncertain',
    ]);
  });

  it("github.event_name == 'schedule' && 'A' || 'B' per trigger; a branch for a missing trigger gives nothing", () => {
    const text =
      'on:\n  push:\n    branches: [main]\njobs:\n  d:\n' +
      "    environment: ${{ github.event_name == 'schedule' && 'nightly' || 'ci' }}\n" +
      LOGIN;
    expect(subjects(text)).toEqual(['push repo:contoso/web:environment:ci certain']);
  });
});

describe('the expression evaluator', () => {
  const context = {
    github: { [OPEN]: true, event_name: 'push', ref: new Pattern('refs/heads/*') },
    inputs: {},
    needs: { [OPEN]: true },
  } as never;

  it('compares strings ignoring case and coerces other types to numbers, as GitHub does', () => {
    expect(evaluate("'ABC' == 'abc'", context)).toEqual([true]);
    expect(evaluate("1 == '1'", context)).toEqual([true]);
    expect(evaluate('null == 0', context)).toEqual([true]);
    expect(evaluate("format('{0}-{1}', 'a', github.event_name)", context)).toEqual(['a-push']);
  });

  it('three-valued logic: unknown && false is false, unknown || true is true', () => {
    expect(evaluateCondition("needs.a.outputs.x == 'y' && github.event_name == 'pull_request'", context)).toBe('no');
    expect(evaluateCondition("needs.a.outputs.x == 'y' || github.event_name == 'push'", context)).toBe('yes');
    expect(evaluateCondition("needs.a.outputs.x == 'y'", context)).toBe('maybe');
    expect(evaluate('needs.a.outputs.x', context)).toEqual([UNKNOWN]);
  });

  it('a ref pattern decides prefixes and texts it cannot produce', () => {
    expect(evaluateCondition("startsWith(github.ref, 'refs/tags/')", context)).toBe('no');
    expect(evaluateCondition("startsWith(github.ref, 'refs/heads/')", context)).toBe('yes');
    expect(evaluateCondition("github.ref == 'refs/heads/main'", context)).toBe('maybe');
    expect(evaluateCondition("github.ref != 'refs/tags/v1'", context)).toBe('yes');
  });

  it('text around ${{ }} in an if: is always true; a bad expression is unknown', () => {
    expect(evaluateCondition("x ${{ github.event_name == 'pull_request' }}", context)).toBe('yes');
    expect(evaluateCondition('github.event_name ==', context)).toBe('maybe');
  });
});
