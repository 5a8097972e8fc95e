import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FederatedCredential } from '../../src/entra/credential.js';
import { FINDING_IDS, type Finding } from '../../src/diagnose/finding.js';
import { parseWorkflow, type WorkflowFile } from '../../src/workflow/parse.js';
import { auditWorkflows, auditWorkflowsDetailed, type AuditContext } from '../../src/workflow/audit.js';
import { globCovers, globsIntersect } from '../../src/workflow/glob.js';

const fixtures = fileURLToPath(new URL('../fixtures/workflows/', import.meta.url));
function load(name: string): WorkflowFile {
  return parseWorkflow(readFileSync(fixtures + name, 'utf8'), `.github/workflows/${name}`);
}

const ISSUER = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'api://AzureADTokenExchange';
const ctx: AuditContext = { owner: 'contoso', repo: 'web', defaultBranch: 'main', issuer: ISSUER, audience: AUDIENCE };

function classic(name: string, subject: string, extra: Partial<FederatedCredential> = {}): FederatedCredential {
  return { name, issuer: ISSUER, subject, audiences: [AUDIENCE], ...extra };
}
function flexible(name: string, value: string): FederatedCredential {
  return {
    name,
    issuer: ISSUER,
    subject: null,
    audiences: [AUDIENCE],
    claimsMatchingExpression: { value, languageVersion: 1 },
  };
}
const byId = (findings: Finding[], id: Finding['id']) => findings.filter((f) => f.id === id);
const where = (f: Finding) => `${f.location?.file}:${f.location?.line}`;

describe('job-never-matches', () => {
  it('a pull request job with only a branch credential: error on the pull_request line, exact create command', () => {
    const findings = auditWorkflows(
      [load('pr-validation.yml')],
      [classic('main', 'repo:contoso/web:ref:refs/heads/main')],
      ctx,
    );
    const jobs = byId(findings, 'job-never-matches');
    expect(jobs.map((f) => [f.severity, where(f)])).toEqual([
      ['error', '.github/workflows/pr-validation.yml:4'],
      ['error', '.github/workflows/pr-validation.yml:12'],
    ]);
    const pr = jobs[0]!;
    expect(pr.title).toBe('Job what-if will not match any federated credential when run by pull_request');
    expect(pr.message).toContain('GitHub will send `repo:contoso/web:pull_request` for job `what-if`');
    expect(pr.message).toContain(
      "The nearest credential is 'main' (`repo:contoso/web:ref:refs/heads/main`). The credential " +
        'is for branch `main`, but GitHub sends pull requests for this job.',
    );
    // Character-level difference with a caret under the first differing character.
    expect(pr.message).toContain(
      [
        'predicted  repo:contoso/web:pull_request',
        "'main'     repo:contoso/web:ref:refs/heads/main",
        '                            ^',
      ].join('\n'),
    );
    expect(pr.message).toContain("Other runs of this job do match: `repo:contoso/web:ref:refs/heads/main` → 'main'");
    expect(pr.fix).toContain(
      `az ad app federated-credential create --id '<APPLICATION-CLIENT-ID>' --parameters ` +
        `'{"name":"github-pull-request","issuer":"https://` +
        `token.actions.githubusercontent.com","subject":"repo:contoso/web:pull_request",` +
        `"audiences":["api://AzureADTokenExchange"]}'`,
    );
    expect(pr.fix).toContain('az identity federated-credential create --name github-pull-request');
    expect(pr.evidence).toEqual([
      {
        label: 'Predicted subject',
        actual: 'repo:contoso/web:pull_request',
        expected: 'repo:contoso/web:ref:refs/heads/main',
      },
    ]);
    // The release/** branches need a wildcard: a flexible credential.
    const release = jobs[1]!;
    expect(release.message).toContain('`repo:contoso/web:ref:refs/heads/release/*` (a pattern');
    expect(release.fix).toContain(
      "claims['sub'] matches 'repo:contoso/web:ref:refs/heads/release/*' and " +
        "claims['repository_id'] eq '<REPOSITORY-ID>'",
    );
    expect(release.fix).toContain(
      `az rest --method POST --uri ` +
        `"https://graph.microsoft.com/beta/applications(appId='<APPLICATION-CLIENT-ID>')/federatedIdentityCredentials"`,
    );
    expect(release.fix).toContain(
      '"claimsMatchingExpression":{"value":"claims[\'sub\'] matches \'repo:contoso/web:ref:refs/heads/release/*\'',
    );
  });

  it('an environment job with a branch credential (the most common failure): error on the environment: line', () => {
    const findings = auditWorkflows(
      [load('deploy-environment.yml')],
      [classic('main', 'repo:contoso/web:ref:refs/heads/main')],
      ctx,
    );
    const [f, ...rest] = byId(findings, 'job-never-matches');
    expect(rest).toEqual([]);
    expect(where(f!)).toBe('.github/workflows/deploy-environment.yml:21');
    expect(f!.message).toContain('declares `environment: production` (line 21)');
    expect(f!.message).toContain(
      'The credential is for branch `main`, but GitHub sends environment `production` for this job.',
    );
    expect(f!.fix).toContain('"name":"github-env-production"');
    expect(f!.fix).toContain('remove `environment:` (`.github/workflows/deploy-environment.yml` line 21)');
  });

  it('a case-only difference is explained and the credential update is offered', () => {
    const findings = auditWorkflows(
      [load('deploy-environment.yml')],
      [classic('prod', 'repo:contoso/web:environment:Production')],
      ctx,
    );
    const f = byId(findings, 'job-never-matches')[0]!;
    expect(f.message).toContain('The two differ only in letter case; Entra compares subjects case-sensitively.');
    expect(f.message).toContain('                                        ^');
    expect(f.fix).toContain(
      `Or correct credential 'prod':\n` +
        `az ad app federated-credential update --id '<APPLICATION-CLIENT-ID>' ` +
        `--federated-credential-id prod --parameters ` +
        `'{"subject":"repo:contoso/web:environment:production"}'`,
    );
  });

  it('a credential with the right subject but the wrong issuer or audience is named as such', () => {
    const slash = auditWorkflows(
      [load('deploy-environment.yml')],
      [classic('prod', 'repo:contoso/web:environment:production', { issuer: `${ISSUER}/` })],
      ctx,
    );
    const f = byId(slash, 'job-never-matches')[0]!;
    expect(f.message).toContain(
      "Credential 'prod' has this subject, but its issuer " +
        "`https://token.actions.githubusercontent.com/` is not the token's",
    );
    expect(f.evidence).toContainEqual({ label: 'Issuer', actual: ISSUER, expected: `${ISSUER}/` });
    expect(byId(slash, 'credential-lint')).toHaveLength(1);
    const gov = auditWorkflows(
      [load('deploy-environment.yml')],
      [classic('prod', 'repo:contoso/web:environment:production', { audiences: ['api://AzureADTokenExchangeUSGov'] })],
      ctx,
    );
    expect(byId(gov, 'job-never-matches')[0]!.message).toContain(
      'its audience `api://AzureADTokenExchangeUSGov` is not the one the login asks for',
    );
  });

  it('nothing to report when every job matches', () => {
    const workflows = [
      'deploy-environment.yml',
      'pr-validation.yml',
      'schedule-terraform.yml',
      'matrix-environment.yml',
    ].map(load);
    const credentials = [
      classic('prod', 'repo:contoso/web:environment:production'),
      classic('pr', 'repo:contoso/web:pull_request'),
      classic('main', 'repo:contoso/web:ref:refs/heads/main'),
      classic('dev', 'repo:contoso/web:environment:dev'),
      classic('test', 'repo:contoso/web:environment:test'),
      classic('prod2', 'repo:contoso/web:environment:prod'),
      flexible(
        'release',
        "claims['sub'] matches 'repo:contoso/web:ref:refs/heads/release/*' and claims['repository_id'] eq '2002'",
      ),
    ];
    expect(auditWorkflows(workflows, credentials, { ...ctx, repoId: '2002' })).toEqual([]);
  });

  it('matrix environments: one error per missing environment, all on the environment line', () => {
    const findings = auditWorkflows(
      [load('matrix-environment.yml')],
      [classic('dev', 'repo:contoso/web:environment:dev')],
      ctx,
    );
    expect(byId(findings, 'job-never-matches').map((f) => [f.evidence?.[0]?.actual, where(f)])).toEqual([
      ['repo:contoso/web:environment:test', '.github/workflows/matrix-environment.yml:20'],
      ['repo:contoso/web:environment:prod', '.github/workflows/matrix-environment.yml:20'],
    ]);
  });

  it('flexible credentials: the same or a broader glob covers a pattern; a narrower one only partly', () => {
    const wf = load('pr-validation.yml');
    const base = [
      classic('pr', 'repo:contoso/web:pull_request'),
      classic('main', 'repo:contoso/web:ref:refs/heads/main'),
    ];
    const release = (value: string) => {
      const r = auditWorkflowsDetailed([wf], [...base, flexible('f', value)], { ...ctx, repoId: '2002' });
      return r.workflows[0]!.jobs[0]!.matches.find((m) => m.subject.pattern)!;
    };
    expect(
      release(
        "claims['sub'] matches 'repo:contoso/web:ref:refs/heads/release/*' and claims['repository_id'] eq '2002'",
      ).full.map((c) => c.name),
    ).toEqual(['f']);
    expect(
      release(
        "claims['sub'] matches 'repo:contoso/web:ref:refs/heads/*' and claims['repository_id'] eq '2002'",
      ).full.map((c) => c.name),
    ).toEqual(['f']);
    const narrow = release(
      "claims['sub'] matches 'repo:contoso/web:ref:refs/heads/release/v1*' and claims['repository_id'] eq '2002'",
    );
    expect([narrow.full.length, narrow.partial.map((c) => c.name)]).toEqual([0, ['f']]);
    const other = release(
      "claims['sub'] matches 'repo:contoso/web:ref:refs/tags/*' and claims['repository_id'] eq '2002'",
    );
    expect([other.full.length, other.partial.length]).toEqual([0, 0]);
    // The expression also covers exact predictions.
    const exact = auditWorkflowsDetailed([wf], [flexible('any', "claims['sub'] matches 'repo:contoso/web:*'")], ctx);
    expect(exact.workflows[0]!.jobs[0]!.matches.every((m) => m.full.length === 1)).toBe(true);
  });

  it('a classic credential for one tag partly covers a tag pattern: no error', () => {
    const findings = auditWorkflows(
      [load('tag-release.yml')],
      [classic('v1', 'repo:contoso/web:ref:refs/tags/v1.0.0')],
      ctx,
    );
    expect(byId(findings, 'job-never-matches')).toEqual([]);
  });

  it('merge queue refs without a flexible credential: a warning with the flexible fix', () => {
    const findings = auditWorkflows([load('merge-queue.yml')], [classic('pr', 'repo:contoso/web:pull_request')], ctx);
    const [f, ...rest] = byId(findings, 'job-never-matches');
    expect(rest).toEqual([]);
    expect([f!.severity, where(f!)]).toEqual(['warning', '.github/workflows/merge-queue.yml:5']);
    expect(f!.title).toBe('Job integration may not match any federated credential when run by merge_group');
    expect(f!.fix).toContain("claims['sub'] matches 'repo:contoso/web:ref:refs/heads/gh-readonly-queue/main/*'");
  });

  it('an unknown (input) environment: a warning only when no environment credential exists', () => {
    const wf = load('expression-environment.yml');
    const none = auditWorkflows([wf], [classic('main', 'repo:contoso/web:ref:refs/heads/main')], ctx);
    const f = byId(none, 'job-never-matches').find((x) => x.location?.line === 19)!;
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('${{ inputs.env }}');
    expect(f.fix).toContain('repo:contoso/web:environment:<ENVIRONMENT>');
    const some = auditWorkflows([wf], [classic('staging', 'repo:contoso/web:environment:staging')], ctx);
    expect(byId(some, 'job-never-matches').filter((x) => x.location?.line === 19)).toEqual([]);
  });

  it('reusable workflows: reported once, on the called job environment, for the caller job', () => {
    const workflows = [load('reusable-caller.yml'), load('reusable-deploy.yml')];
    const findings = auditWorkflows(workflows, [classic('main', 'repo:contoso/web:ref:refs/heads/main')], ctx);
    const jobs = byId(findings, 'job-never-matches');
    expect(jobs.map((f) => [f.title, where(f)])).toEqual([
      [
        'Job staging will not match any federated credential when run by push, pull_request',
        '.github/workflows/reusable-deploy.yml:19',
      ],
    ]);
    expect(jobs[0]!.message).toContain('`staging` (→ `deploy` in `.github/workflows/reusable-deploy.yml`)');
    expect(jobs[0]!.fix).toContain('"subject":"repo:contoso/web:environment:staging"');
    expect(auditWorkflows(workflows, [classic('staging', 'repo:contoso/web:environment:staging')], ctx)).toEqual([]);
  });

  it('immutable subjects: a name-form credential is explained as such', () => {
    const findings = auditWorkflows(
      [load('deploy-environment.yml')],
      [classic('prod', 'repo:contoso/web:environment:production')],
      { ...ctx, immutable: true, ownerId: '1001', repoId: '2002' },
    );
    const f = byId(findings, 'job-never-matches')[0]!;
    expect(f.evidence?.[0]).toEqual({
      label: 'Predicted subject',
      actual: 'repo:contoso@1001/web@2002:environment:production',
      expected: 'repo:contoso/web:environment:production',
    });
    expect(f.message).toContain('The repository sends immutable subjects');
    expect(f.fix).toContain("Or correct credential 'prod'");
    // And the reverse: the portal wrote ids, the repository sends names.
    const reverse = auditWorkflows(
      [load('deploy-environment.yml')],
      [classic('prod', 'repo:contoso@1001/web@2002:environment:production')],
      ctx,
    );
    expect(byId(reverse, 'job-never-matches')[0]!.message).toContain('The credential uses the immutable form');
  });

  it('immutable subjects with an unknown id: a warning whose fix fills the ids in, not a wildcard', () => {
    const findings = auditWorkflows([load('deploy-environment.yml')], [], { ...ctx, immutable: true, ownerId: '1001' });
    const f = byId(findings, 'job-never-matches')[0]!;
    expect([f.severity, where(f)]).toEqual(['warning', '.github/workflows/deploy-environment.yml:21']);
    expect(f.message).toContain('the repository id is not known');
    expect(f.fix).toContain('"subject":"repo:contoso@1001/web@<REPOSITORY-ID>:environment:production"');
    expect(f.fix).not.toContain('claimsMatchingExpression');
    // A credential with the ids is a possible match: nothing to report.
    expect(
      auditWorkflows(
        [load('deploy-environment.yml')],
        [classic('p', 'repo:contoso@1001/web@2002:environment:production')],
        { ...ctx, immutable: true, ownerId: '1001' },
      ),
    ).toEqual([]);
  });

  it('custom templates are matched as GitHub would send them', () => {
    const template = {
      useDefault: false,
      includeClaimKeys: ['repository_owner', 'repository_visibility', 'workflow', 'context'],
    };
    const c = { ...ctx, template, repositoryVisibility: 'internal' };
    const good = classic(
      'custom',
      'repository_owner:contoso:repository_visibility:internal:workflow:Deploy web app:environment:production',
    );
    expect(auditWorkflows([load('deploy-environment.yml')], [good], c)).toEqual([]);
    const f = byId(
      auditWorkflows(
        [load('deploy-environment.yml')],
        [classic('default', 'repo:contoso/web:environment:production')],
        c,
      ),
      'job-never-matches',
    )[0]!;
    expect(f.message).toContain('custom subject template');
  });
});

describe('credential findings', () => {
  it('credential-unused: only credentials of this repository that no prediction can match', () => {
    const workflows = ['pr-validation.yml', 'tag-release.yml', 'matrix-environment.yml'].map(load);
    const credentials = [
      classic('pr', 'repo:contoso/web:pull_request'),
      classic('legacy', 'repo:contoso/web:ref:refs/heads/legacy'),
      classic('dev-case', 'repo:contoso/web:environment:Dev'),
      classic('other-repo', 'repo:contoso/api:ref:refs/heads/main'),
      classic('v1', 'repo:contoso/web:ref:refs/tags/v1.0.0'),
      classic('release', 'repo:contoso/web:ref:refs/heads/release/2024'),
    ];
    const unused = byId(auditWorkflows(workflows, credentials, ctx), 'credential-unused');
    expect(unused.map((f) => [f.title, f.severity, f.location ? where(f) : undefined])).toEqual([
      ["Credential 'legacy' matches no job in the workflows read", 'warning', undefined],
      [
        "Credential 'dev-case' matches no job in the workflows read",
        'warning',
        '.github/workflows/matrix-environment.yml:20',
      ],
    ]);
    expect(unused[0]!.fix).toContain(
      `az ad app federated-credential delete --id '<APPLICATION-CLIENT-ID>' --federated-credential-id legacy`,
    );
    expect(unused[1]!.message).toContain('The two differ only in letter case');
    expect(unused[1]!.fix).toContain('"subject":"repo:contoso/web:environment:dev"');
  });

  it('credential-unused: a workflow_dispatch job may run on any ref, so branch credentials are not unused', () => {
    const findings = auditWorkflows(
      [load('dispatch.yml')],
      [
        classic('main', 'repo:contoso/web:ref:refs/heads/main'),
        classic('legacy', 'repo:contoso/web:ref:refs/heads/legacy'),
      ],
      ctx,
    );
    expect(byId(findings, 'credential-unused')).toEqual([]);
  });

  it('credential-wildcard: error with the flexible expression to use instead, and not also unused', () => {
    const findings = auditWorkflows(
      [load('pr-validation.yml')],
      [classic('wild', 'repo:contoso/web:ref:refs/heads/*')],
      { ...ctx, repoId: '2002' },
    );
    const [f, ...rest] = byId(findings, 'credential-wildcard');
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('error');
    expect(f!.title).toBe("Credential 'wild' has a wildcard in its subject, which never matches");
    expect(f!.fix).toContain(
      "claims['sub'] matches 'repo:contoso/web:ref:refs/heads/*' and claims['repository_id'] eq '2002'",
    );
    expect(f!.fix).toContain(
      `az ad app federated-credential delete --id '<APPLICATION-CLIENT-ID>' --federated-credential-id wild`,
    );
    expect(byId(findings, 'credential-unused')).toEqual([]);
    // It matches nothing, so the jobs are still reported.
    expect(byId(findings, 'job-never-matches').length).toBe(3);
  });

  it('credential-limit: nothing below 18, a warning at 18, an error at 20', () => {
    const n = (count: number) =>
      Array.from({ length: count }, (_, i) => classic(`c${i}`, `repo:contoso/api:environment:e${i}`));
    expect(byId(auditWorkflows([], n(17), ctx), 'credential-limit')).toEqual([]);
    expect(byId(auditWorkflows([], n(18), ctx), 'credential-limit').map((f) => [f.severity, f.title])).toEqual([
      ['warning', 'The identity has 18 of at most 20 federated credentials'],
    ]);
    expect(byId(auditWorkflows([], n(20), ctx), 'credential-limit').map((f) => [f.severity, f.title])).toEqual([
      ['error', 'The identity has 20 federated credentials, the limit of 20'],
    ]);
  });

  it('credential-lint: typos, trailing slash, missing ref:, clone URLs and whitespace', () => {
    const lint = (c: FederatedCredential) => byId(auditWorkflows([], [c], ctx), 'credential-lint');
    const cases: Array<[FederatedCredential, string, string]> = [
      [classic('a', 'repo:contoso/web:pull-request'), 'pull_request', '"subject":"repo:contoso/web:pull_request"'],
      [
        classic('b', 'repo:contoso/web:environment/prod'),
        'environment:NAME',
        '"subject":"repo:contoso/web:environment:prod"',
      ],
      [
        classic('c', 'repo:contoso/web:ref:refs/heads/main', { issuer: `${ISSUER}/` }),
        'ends with a slash',
        `"issuer":"${ISSUER}"`,
      ],
      [
        classic('d', 'repo:contoso/web:refs/heads/main'),
        'without `ref:`',
        '"subject":"repo:contoso/web:ref:refs/heads/main"',
      ],
      [
        classic('e', 'repo:git@github.com:contoso/web.git:ref:refs/heads/main'),
        'clone URL',
        '"subject":"repo:contoso/web:ref:refs/heads/main"',
      ],
      [classic('f', 'repo:contoso/web.git:pull_request'), 'clone URL', '"subject":"repo:contoso/web:pull_request"'],
      [classic('g', ' repo:contoso/web:pull_request '), 'whitespace', '"subject":"repo:contoso/web:pull_request"'],
      [
        classic('h', 'repo:contoso/web:ref:main'),
        'without `refs/heads/`',
        '"subject":"repo:contoso/web:ref:refs/heads/main"',
      ],
      [
        classic('i', 'repo:contoso/web:pull_request', { audiences: ['api://azureadtokenexchange'] }),
        'only in case',
        '"audiences":["api://AzureADTokenExchange"]',
      ],
    ];
    for (const [c, what, fix] of cases) {
      const found = lint(c);
      expect(found, c.name).toHaveLength(1);
      expect(found[0]!.severity).toBe('warning');
      expect(found[0]!.message, c.name).toContain(what);
      expect(found[0]!.fix, c.name).toContain(
        `az ad app federated-credential update --id '<APPLICATION-CLIENT-ID>' ` +
          `--federated-credential-id ${c.name} --parameters`,
      );
      expect(found[0]!.fix, c.name).toContain(fix);
    }
    expect(lint(classic('ok', 'repo:contoso/web:ref:refs/heads/main'))).toEqual([]);
    // Several problems in one credential: one finding, every fix applied.
    const both = lint(classic('both', ' repo:contoso/web:pull-request', { issuer: `${ISSUER}/` }))[0]!;
    expect(both.title).toBe("Credential 'both' has 3 problems that stop it matching");
    // One shape of the update command everywhere (issue 10): only the fields that change.
    expect(both.fix).toContain(
      `--federated-credential-id both --parameters '{"issuer":"${ISSUER}","subject":"repo:contoso/web:pull_request"}'`,
    );
  });

  it('every finding uses a public id, a one-line title without a period, and lines inside the file', () => {
    const workflows = [
      'deploy-environment.yml',
      'pr-validation.yml',
      'tag-release.yml',
      'reusable-caller.yml',
      'reusable-deploy.yml',
      'merge-queue.yml',
      'schedule-terraform.yml',
      'dispatch.yml',
      'expression-environment.yml',
      'matrix-environment.yml',
      'sdk-token-file.yml',
    ].map(load);
    const credentials = [
      classic('wild', 'repo:contoso/web:*'),
      classic('typo', 'repo:contoso/web:pull-request'),
      classic('x', 'repo:contoso/web:environment:nothing'),
    ];
    const findings = auditWorkflows(workflows, credentials, ctx);
    expect(findings.length).toBeGreaterThan(5);
    for (const f of findings) {
      expect(FINDING_IDS).toContain(f.id);
      expect(f.title).not.toMatch(/\.$|\n/);
      expect(f.fix.length).toBeGreaterThan(0);
      if (f.location?.line !== undefined) {
        const text = readFileSync(fixtures + f.location.file.replace('.github/workflows/', ''), 'utf8');
        expect(f.location.line).toBeLessThanOrEqual(text.split('\n').length);
      }
    }
  });
});

describe('globs', () => {
  it('intersect and cover', () => {
    expect(globsIntersect('repo:o/r:*', 'repo:o/r:ref:refs/heads/*')).toBe(true);
    expect(globsIntersect('repo:o/r:ref:refs/tags/*', 'repo:o/r:ref:refs/heads/*')).toBe(false);
    expect(globsIntersect('a?c', 'a*')).toBe(true);
    expect(globsIntersect('abc', 'abd')).toBe(false);
    expect(globCovers('repo:o/r:ref:refs/heads/*', 'repo:o/r:ref:refs/heads/release/*')).toBe(true);
    expect(globCovers('repo:o/r:ref:refs/heads/release/*', 'repo:o/r:ref:refs/heads/*')).toBe(false);
    expect(globCovers('a?c', 'a*c')).toBe(false);
    expect(globCovers('a*c', 'a?c')).toBe(true);
    expect(globCovers('abc', 'abc')).toBe(true);
  });
});

describe('permissions-missing', () => {
  const wf = (text: string) => parseWorkflow(text, '.github/workflows/deploy.yml');
  const ctx = {
    owner: 'contoso',
    repo: 'web',
    issuer: 'https://token.actions.githubusercontent.com',
    audience: 'api://AzureADTokenExchange',
  };
  const login = `    steps:\n      - uses: azure/login@v2\n        with:\n          client-id: x\n`;

  it('a job block without id-token: write is an error on the block', () => {
    const w = wf(
      `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n${login}`,
    );
    const f = auditWorkflows([w], [], ctx).find((x) => x.id === 'permissions-missing');
    expect(f?.location).toEqual({ file: '.github/workflows/deploy.yml', line: 5 });
    expect(f?.fix).toContain('id-token: write');
  });

  it('a workflow-level read-all block counts too; write-all and id-token: write do not', () => {
    const bad = wf(`on: push\npermissions: read-all\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n${login}`);
    expect(auditWorkflows([bad], [], ctx).map((x) => x.id)).toContain('permissions-missing');
    const ok1 = wf(`on: push\npermissions: write-all\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n${login}`);
    const ok2 = wf(`on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n${login}`);
    expect(auditWorkflows([ok1, ok2], [], ctx).map((x) => x.id)).not.toContain('permissions-missing');
  });

  it('no block at all is not reported: the repository default decides', () => {
    const w = wf(`on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n${login}`);
    expect(auditWorkflows([w], [], ctx).map((x) => x.id)).not.toContain('permissions-missing');
  });
});
