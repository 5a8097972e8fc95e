/**
 * `mode: trust` end to end: dist/index.js (run as the runner does) against the GitHub REST
 * stand-in. Each finding id with its evidence, the SARIF file (valid 2.1.0, stable fingerprints),
 * and a spent rate limit reported as not checked. Needs `npm run bundle` first.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// Both packages are CommonJS with the class on `default`.
import AjvDraft04 from 'ajv-draft-04';
import AjvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionResult } from '../support/run-action.js';
import { startGitHubRestStandin, type GitHubRestStandin } from '../support/github-rest-standin.js';
import { startTenantStandin } from '../support/tenant-standin.js';
import { assertNoSecrets, useWorld } from './world.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const AUD = ['api://AzureADTokenExchange'];
const TOKEN = 'ghs_trustAuditTokenThatMustNeverBePrinted0001';
const contoso = { login: 'contoso', id: 1001, type: 'Organization' as const };
const fabrikam = { login: 'fabrikam', id: 1002, type: 'Organization' as const };

const identities = {
  identities: [
    {
      clientId: '11111111-2222-3333-4444-555555555555',
      displayName: 'deploy-app',
      tenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      kind: 'application',
      credentials: [
        { name: 'main-by-name', issuer: GITHUB, subject: 'repo:contoso/app:ref:refs/heads/main', audiences: AUD },
        { name: 'ghost', issuer: GITHUB, subject: 'repo:vanished-owner/app:ref:refs/heads/main', audiences: AUD },
        { name: 'old-name', issuer: GITHUB, subject: 'repo:contoso/old-app:environment:production', audiences: AUD },
        { name: 'prod', issuer: GITHUB, subject: 'repo:contoso@1001/app@2001:environment:production', audiences: AUD },
        { name: 'dev', issuer: GITHUB, subject: 'repo:contoso@1001/app@2001:environment:dev', audiences: AUD },
        { name: 'prs', issuer: GITHUB, subject: 'repo:contoso@1001/app@2001:pull_request', audiences: AUD },
      ],
    },
    {
      clientId: '99999999-8888-7777-6666-555555555555',
      displayName: 'shared-identity',
      kind: 'managed-identity',
      resourceId:
        '/subscriptions/s/resourceGroups/rg-ci/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ci',
      credentials: [
        {
          name: 'any-owner',
          issuer: GITHUB,
          subject: null,
          audiences: AUD,
          claimsMatchingExpression: {
            value: "claims['sub'] matches 'repo:*/infra:ref:refs/heads/main'",
            languageVersion: 1,
          },
        },
        {
          name: 'gitlab',
          issuer: 'https://gitlab.example.com',
          subject: 'project_path:group/infra:ref_type:branch:ref:main',
          audiences: AUD,
        },
        { name: 'moved', issuer: GITHUB, subject: 'repo:contoso/moved:ref:refs/heads/main', audiences: AUD },
      ],
    },
  ],
};

let standin: GitHubRestStandin;
beforeAll(async () => {
  standin = await startGitHubRestStandin({
    accounts: [contoso, fabrikam],
    tokens: [TOKEN],
    repositories: [
      {
        id: 2001,
        owner: contoso,
        name: 'app',
        environments: {
          production: {
            rules: ['required_reviewers'],
            branchPolicy: { protected_branches: true, custom_branch_policies: false },
          },
          dev: {},
        },
      },
      {
        id: 2002,
        owner: contoso,
        name: 'new-app',
        formerNames: ['contoso/old-app'],
        environments: { production: { rules: ['required_reviewers'] } },
      },
      { id: 2003, owner: fabrikam, name: 'moved', formerNames: ['contoso/moved'] },
    ],
  });
});
afterAll(() => standin.close());

interface OutFinding {
  id: string;
  severity: string;
  title: string;
  message: string;
  fix: string;
  location?: { file: string; line?: number };
}
const findings = (r: ActionResult) => JSON.parse(r.outputs.findings ?? '[]') as OutFinding[];

async function trust(inputs: Record<string, string>, files: Record<string, string> = {}) {
  const workspace = mkdtempSync(join(tmpdir(), 'afc-trust-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, name)), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
  const r = await runAction({
    inputs: { mode: 'trust', 'github-token': TOKEN, ...inputs },
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: standin.url,
      GITHUB_WORKFLOW_REF: 'contoso/security/.github/workflows/trust.yml@refs/heads/main',
    },
  });
  return { r, workspace };
}

describe('mode: trust', () => {
  let r: ActionResult;
  let workspace: string;
  beforeAll(async () => {
    ({ r, workspace } = await trust(
      { 'federated-credentials-file': 'azure/credentials.json', 'sarif-file': 'results/trust.sarif' },
      { 'azure/credentials.json': JSON.stringify(identities, null, 2) },
    ));
  }, 30_000);

  it('reads the identities file, reports every finding id with its evidence and fails on errors', () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.outputs.result).toBe('fail');
    const by = (name: string, id: string) => findings(r).find((f) => f.id === id && f.title.includes(`'${name}'`));
    const nameForm = by('main-by-name', 'trust-name-form')!;
    expect(nameForm.fix).toContain(
      'az ad app federated-credential update --id 11111111-2222-3333-4444-555555555555 --federated-credential-id ' +
        'main-by-name',
    );
    expect(nameForm.fix).toContain('repo:contoso@1001/app@2001:ref:refs/heads/main');
    expect(nameForm.location).toEqual({ file: 'azure/credentials.json', line: expect.any(Number) });
    expect(by('ghost', 'trust-name-reusable')!.message).toContain(
      'GitHub knows neither the repository vanished-owner/app (HTTP 404) nor the account vanished-owner (HTTP 404)',
    );
    expect(by('old-name', 'trust-renamed')!.message).toContain('renamed within contoso to new-app');
    expect(by('moved', 'trust-renamed')!.message).toContain(
      'transferred from contoso (still an account, id 1001) to fabrikam',
    );
    expect(by('moved', 'trust-renamed')!.fix).toContain(
      'az identity federated-credential update --name moved --identity-name id-ci --resource-group rg-ci',
    );
    expect(by('dev', 'trust-unprotected-environment')!.message).toContain(
      "The environment 'dev' of contoso/app has no required reviewers and no deployment branch or tag policy",
    );
    expect(by('prod', 'trust-unprotected-environment')).toBeUndefined();
    expect(by('prs', 'trust-pull-request')!.severity).toBe('warning');
    const broad = by('any-owner', 'trust-broad-expression')!;
    expect(broad.severity).toBe('error');
    expect(broad.message).toContain('repo:someone-else/infra:ref:refs/heads/main');
    expect(by('gitlab', 'trust-foreign-issuer')!.message).toContain("'https://gitlab.example.com'");
    expect(r.summary).toContain('Azure federation trust audit: fail');
    expect(r.summary).toContain('9 credential(s) of 2 identity(ies)');
  });

  it('writes SARIF 2.1.0 that the schema accepts, with the same fingerprints on the next run', async () => {
    const path = join(workspace, 'results/trust.sarif');
    expect(r.outputs['sarif-file']).toBe(path);
    const sarif = JSON.parse(readFileSync(path, 'utf8')) as {
      runs: Array<{ results: Array<{ ruleId: string; partialFingerprints: Record<string, string> }> }>;
    };
    const schema = JSON.parse(
      readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
    ) as object;
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
    AjvFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const ids = new Set(sarif.runs[0]!.results.map((x) => x.ruleId));
    for (const id of [
      'trust-name-reusable',
      'trust-renamed',
      'trust-name-form',
      'trust-unprotected-environment',
      'trust-pull-request',
      'trust-broad-expression',
      'trust-foreign-issuer',
    ])
      expect(ids).toContain(id);

    const again = await runAction({
      inputs: {
        mode: 'trust',
        'github-token': TOKEN,
        'federated-credentials-file': 'azure/credentials.json',
        'sarif-file': 'results/again.sarif',
      },
      env: { GITHUB_WORKSPACE: workspace, GITHUB_API_URL: standin.url },
    });
    expect(again.code).toBe(1);
    const second = JSON.parse(readFileSync(join(workspace, 'results/again.sarif'), 'utf8')) as typeof sarif;
    const prints = (s: typeof sarif) =>
      s.runs[0]!.results.map((x) => x.partialFingerprints['credentialFingerprint/v1']).sort();
    expect(prints(second)).toEqual(prints(sarif));
  }, 30_000);

  it('never prints the token', () => {
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(r.stdout.split(`::add-mask::${TOKEN}`).join('')).not.toContain(TOKEN);
    expect(r.summary).not.toContain(TOKEN);
  });
});

describe('mode: trust when GitHub cannot answer', () => {
  it('a spent rate limit: says which credentials were not checked, never counts them as safe', async () => {
    const limited = await startGitHubRestStandin({
      rateLimit: 1,
      repositories: [{ id: 2001, owner: contoso, name: 'app' }],
    });
    try {
      const creds = [
        { name: 'a', issuer: GITHUB, subject: 'repo:contoso/app:ref:refs/heads/main', audiences: AUD },
        { name: 'b', issuer: GITHUB, subject: 'repo:contoso/other:ref:refs/heads/main', audiences: AUD },
      ];
      const res = await runAction({
        inputs: {
          mode: 'trust',
          'github-token': TOKEN,
          'client-id': 'abc',
          'federated-credentials': JSON.stringify(creds),
        },
        env: { GITHUB_API_URL: limited.url },
      });
      const notChecked = findings(res).find((f) => f.id === 'trust-not-checked')!;
      expect(notChecked.severity).toBe('notice');
      expect(notChecked.message).toMatch(
        /Credential '(a|b)' .*could not be read: GitHub's rate limit is (nearly )?spent \(x-ratelimit-remaining 0/,
      );
      expect(res.summary).toContain('1 could not be checked against GitHub (not counted as safe)');
      expect(res.stdout).toContain('stopped: GitHub');
    } finally {
      await limited.close();
    }
  }, 30_000);

  it('without credentials: a clear input error, no stack trace', async () => {
    const res = await runAction({ inputs: { mode: 'trust' } });
    expect(res.code).toBe(1);
    expect(findings(res).map((f) => f.id)).toEqual(['input-invalid']);
    expect(res.stdout).not.toMatch(/at .*\.js:\d+/);
  });
});

describe('mode: trust reading the tenant from Azure', () => {
  const world = useWorld();

  it('exchanges the job token for the reader, lists every app registration, then checks GitHub', async () => {
    const tenant = await startTenantStandin({
      tls: true,
      throttle: 1,
      retryAfter: 0,
      apps: [
        {
          appId: 'app-1',
          displayName: 'deploy',
          credentials: [
            { name: 'main', issuer: GITHUB, subject: 'repo:contoso/app:ref:refs/heads/main', audiences: AUD },
          ],
        },
        {
          appId: 'app-2',
          displayName: 'legacy',
          credentials: [
            { name: 'old', issuer: GITHUB, subject: 'repo:contoso/old-app:environment:production', audiences: AUD },
          ],
        },
        { appId: 'app-3', displayName: 'no-federation', credentials: [] },
      ],
    });
    try {
      const res = await world.run({
        inputs: { mode: 'trust', 'github-token': TOKEN, 'graph-host': tenant.url },
        env: { GITHUB_API_URL: standin.url },
      });
      expect(res.stderr).toBe('');
      const ids = findings(res).map((f) => `${f.id}:${f.title.split("'")[1]}`);
      expect(ids.sort()).toEqual(['trust-name-form:main', 'trust-renamed:old']);
      expect(tenant.requests[0]).toBe('/v1.0/applications?$select=id,appId,displayName&$top=999');
      expect(tenant.requests).toHaveLength(1 + 1 + 3); // throttled once, the listing, three apps
      expect(res.stdout).toContain(
        'Azure: 3 identity(ies), 2 credential(s) read in 5 request(s), 1 throttled and retried.',
      );
      // The reader exchanged the job's token for a Graph token, which never shows.
      expect(world.entra.requests.some((r) => JSON.stringify(r).includes('graph'))).toBe(true);
      assertNoSecrets(res, world.secrets());
    } finally {
      await tenant.close();
    }
  }, 30_000);
});
