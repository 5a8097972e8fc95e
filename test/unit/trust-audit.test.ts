/**
 * The trust audit end to end in-process: credentials → GitHub answers (REST stand-in through
 * Octokit) → one finding per risk, each naming the credential, the evidence and the fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrust } from '../../src/trust/audit.js';
import { GitHubLookupClient, octokitRequest } from '../../src/trust/github-lookups.js';
import type { TrustItem } from '../../src/trust/model.js';
import type { FederatedCredential } from '../../src/entra/credential.js';
import { startGitHubRestStandin, type GitHubRestStandin } from '../support/github-rest-standin.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const identity = {
  clientId: '11111111-2222-3333-4444-555555555555',
  displayName: 'deploy-app',
  tenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
};
const contoso = { login: 'contoso', id: 1001, type: 'Organization' as const };
const fabrikam = { login: 'fabrikam', id: 1002, type: 'Organization' as const };

function cred(name: string, subject: string | null, extra: Partial<FederatedCredential> = {}): TrustItem {
  return {
    identity,
    credential: { name, issuer: GITHUB, subject, audiences: ['api://AzureADTokenExchange'], ...extra },
  };
}

let standin: GitHubRestStandin;
beforeAll(async () => {
  standin = await startGitHubRestStandin({
    accounts: [contoso, fabrikam],
    repositories: [
      {
        id: 2001,
        owner: contoso,
        name: 'app',
        environments: { production: { rules: ['required_reviewers'] }, dev: { rules: ['wait_timer'] } },
      },
      { id: 2002, owner: contoso, name: 'renamed-app', formerNames: ['contoso/old-app'] },
      { id: 2003, owner: fabrikam, name: 'moved', formerNames: ['contoso/moved'] },
      { id: 2004, owner: { login: 'new-owner', id: 1004 }, name: 'tool', formerNames: ['old-owner/tool'] },
      { id: 9999, owner: contoso, name: 'retaken' },
    ],
  });
});
afterAll(() => standin.close());

async function run(items: TrustItem[]) {
  const lookups = new GitHubLookupClient(await octokitRequest('t', standin.url), { reserve: 0 });
  return auditTrust(items, lookups, { ownIssuers: [] });
}

describe('trust audit', () => {
  it('name-form subject on an existing repository: trust-name-form, fix with the real ids', async () => {
    const r = await run([cred('main', 'repo:contoso/app:ref:refs/heads/main')]);
    expect(r.findings.map((f) => f.id)).toEqual(['trust-name-form']);
    const f = r.findings[0]!;
    expect(f.title).toContain(
      "Credential 'main' of 'deploy-app' (client id 11111111-2222-3333-4444-555555555555, tenant " +
        'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee)',
    );
    expect(f.fix).toContain('repo:contoso@1001/app@2001:ref:refs/heads/main');
    expect(f.fix).toContain(
      'az ad app federated-credential update --id 11111111-2222-3333-4444-555555555555 --federated-credential-id main',
    );
    expect(f.evidence?.[0]?.actual).toBe('contoso/app (repository id 2001, owner id 1001)');
  });

  it('owner and repository gone: trust-name-reusable (error)', async () => {
    const r = await run([cred('ghost', 'repo:nobody-here/app:ref:refs/heads/main')]);
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['trust-name-reusable', 'error']]);
    expect(r.findings[0]!.message).toContain('anyone can register the account nobody-here');
  });

  it('repository gone under an existing owner: trust-name-reusable, and says it may be private', async () => {
    const r = await run([cred('gone', 'repo:contoso/deleted:ref:refs/heads/main')]);
    expect(r.findings.map((f) => f.id)).toEqual(['trust-name-reusable']);
    expect(r.findings[0]!.message).toMatch(/does not exist, or it is private/);
  });

  it('a name that now has other ids than the immutable twin: trust-name-reusable', async () => {
    const r = await run([
      cred('name', 'repo:contoso/retaken:environment:prod'),
      cred('ids', 'repo:contoso@1001/retaken@2222:environment:prod'),
    ]);
    const ids = r.findings.map((f) => `${f.id}:${f.item.credential.name}`);
    expect(ids).toContain('trust-name-reusable:name');
    expect(r.findings.find((f) => f.id === 'trust-name-reusable')!.message).toContain(
      'now belongs to other ids (1001/9999)',
    );
  });

  it('renamed within the owner, transferred, owner renamed: trust-renamed says which', async () => {
    const r = await run([
      cred('a', 'repo:contoso/old-app:ref:refs/heads/main'),
      cred('b', 'repo:contoso/moved:ref:refs/heads/main'),
      cred('c', 'repo:old-owner/tool:ref:refs/heads/main'),
    ]);
    const by = (n: string) => r.findings.find((f) => f.item.credential.name === n)!;
    expect(r.findings.every((f) => f.id === 'trust-renamed' && f.severity === 'error')).toBe(true);
    expect(by('a').message).toContain('renamed within contoso to renamed-app');
    expect(by('b').message).toContain('transferred from contoso (still an account, id 1001) to fabrikam');
    expect(by('c').message).toContain('the account name old-owner is free');
    expect(by('c').fix).toContain('repo:new-owner@1004/tool@2004:ref:refs/heads/main');
  });

  it('environments: protected passes, wait timer only or missing is unprotected', async () => {
    const r = await run([
      cred('prod', 'repo:contoso@1001/app@2001:environment:production'),
      cred('dev', 'repo:contoso@1001/app@2001:environment:dev'),
      cred('stage', 'repo:contoso@1001/app@2001:environment:staging'),
    ]);
    expect(r.findings.map((f) => `${f.id}:${f.item.credential.name}`).sort()).toEqual([
      'trust-unprotected-environment:dev',
      'trust-unprotected-environment:stage',
    ]);
    expect(r.findings.find((f) => f.item.credential.name === 'dev')!.message).toContain('(only wait_timer)');
    expect(r.findings.find((f) => f.item.credential.name === 'stage')!.message).toContain(
      'the first job that names it creates it',
    );
  });

  it('pull_request, broad expression and foreign issuer need no GitHub answer', async () => {
    const r = await auditTrust(
      [
        cred('pr', 'repo:contoso@1001/app@2001:pull_request'),
        cred('flex', null, {
          claimsMatchingExpression: {
            value: "claims['sub'] matches 'repo:*/app:ref:refs/heads/*'",
            languageVersion: 1,
          },
        }),
        cred('gitlab', 'project_path:group/project:ref_type:branch:ref:main', { issuer: 'https://gitlab.com' }),
      ],
      undefined,
      { ownIssuers: [] },
    );
    expect(r.findings.map((f) => `${f.id}:${f.severity}`).sort()).toEqual([
      'trust-broad-expression:error',
      'trust-foreign-issuer:warning',
      'trust-pull-request:warning',
    ]);
    // Without a token the GitHub part of the name checks is not done, and it is said.
    expect(r.notChecked.map((n) => n.item.credential.name)).toEqual(['pr']);
  });

  it('an unreadable answer is reported per credential, not counted as safe', async () => {
    const lookups = new GitHubLookupClient(
      async () => ({ status: 502, headers: {}, data: { message: 'Bad gateway' } }),
      { reserve: 0 },
    );
    const r = await auditTrust([cred('main', 'repo:contoso/app:ref:refs/heads/main')], lookups, { ownIssuers: [] });
    expect(r.findings).toEqual([]);
    expect(r.notChecked[0]!.reason).toMatch(/contoso\/app could not be read.*HTTP 502/);
  });
});
