/**
 * The GitHub lookups through @actions/github's Octokit against the REST stand-in: redirects of
 * renamed repositories are seen, each question is asked once, at most N requests are in flight,
 * and a spent rate limit stops the asking (reported, never counted as safe).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubLookupClient, octokitRequest } from '../../src/trust/github-lookups.js';
import { startGitHubRestStandin, type GitHubRestStandin } from '../support/github-rest-standin.js';

const contoso = { login: 'contoso', id: 1001, type: 'Organization' as const };
let standin: GitHubRestStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function client(options: Parameters<typeof startGitHubRestStandin>[0], concurrency = 4) {
  standin = await startGitHubRestStandin(options);
  return new GitHubLookupClient(await octokitRequest('test-token', standin.url), { concurrency, reserve: 0 });
}

describe('GitHub lookups', () => {
  it('reads a repository by name and by id, and an account', async () => {
    const c = await client({ repositories: [{ id: 2002, owner: contoso, name: 'app' }] });
    expect(await c.repoByName('contoso', 'app')).toEqual({
      status: 'found',
      id: '2002',
      fullName: 'contoso/app',
      ownerLogin: 'contoso',
      ownerId: '1001',
      ownerType: 'Organization',
      private: false,
      redirected: false,
    });
    expect(await c.repoById('2002')).toMatchObject({ status: 'found', fullName: 'contoso/app', redirected: false });
    expect(await c.owner('contoso')).toEqual({ status: 'found', id: '1001', login: 'contoso', type: 'Organization' });
    expect(await c.owner('nobody')).toEqual({ status: 'not-found', httpStatus: 404 });
    expect(await c.repoByName('contoso', 'gone')).toEqual({ status: 'not-found', httpStatus: 404 });
  });

  it('sees the 301 GitHub sends for a renamed repository', async () => {
    const c = await client({
      repositories: [{ id: 2002, owner: contoso, name: 'new-app', formerNames: ['contoso/old-app'] }],
    });
    expect(await c.repoByName('contoso', 'old-app')).toMatchObject({
      status: 'found',
      fullName: 'contoso/new-app',
      id: '2002',
      redirected: true,
    });
    expect(standin!.requests.map((r) => r.path)).toEqual(['/repos/contoso/old-app', '/repositories/2002']);
  });

  it('reads environments with and without protection', async () => {
    const c = await client({
      repositories: [
        {
          id: 2002,
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
      ],
    });
    expect(await c.environment('contoso/app', 'production')).toEqual({
      status: 'found',
      ruleTypes: ['required_reviewers'],
      branchPolicy: { protectedBranches: true, customBranchPolicies: false },
    });
    expect(await c.environment('contoso/app', 'dev')).toEqual({ status: 'found', ruleTypes: [], branchPolicy: null });
    expect(await c.environment('contoso/app', 'staging')).toEqual({ status: 'not-found', httpStatus: 404 });
  });

  it('asks each question once and keeps at most N requests in flight', async () => {
    const repositories = Array.from({ length: 30 }, (_, i) => ({ id: 3000 + i, owner: contoso, name: `r${i}` }));
    const c = await client({ repositories, latencyMs: 5 }, 3);
    const answers = await Promise.all(
      repositories.flatMap((r) => [c.repoByName('contoso', r.name), c.repoByName('CONTOSO', r.name)]),
    );
    expect(answers.every((a) => a.status === 'found')).toBe(true);
    expect(standin!.requests).toHaveLength(30);
    expect(c.stats).toMatchObject({ requests: 30, shared: 30 });
    expect(standin!.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('stops asking when x-ratelimit-remaining runs out, and says so', async () => {
    const repositories = Array.from({ length: 10 }, (_, i) => ({ id: 4000 + i, owner: contoso, name: `r${i}` }));
    standin = await startGitHubRestStandin({ repositories, rateLimit: 6 });
    const c = new GitHubLookupClient(await octokitRequest('test-token', standin.url), { concurrency: 1, reserve: 2 });
    const answers = [];
    for (const r of repositories) answers.push(await c.repoByName('contoso', r.name));
    // 6 in the budget, 2 kept in reserve: the fifth answer says 1 remains, and the asking stops.
    expect(answers.filter((a) => a.status === 'found')).toHaveLength(5);
    const rest = answers.slice(5);
    expect(rest.every((a) => a.status === 'unreadable' && /rate limit/.test(a.reason))).toBe(true);
    expect(standin.requests).toHaveLength(5);
    expect(c.stats.stopped).toMatch(/x-ratelimit-remaining 1/);
  });

  it('reports a refused token as unreadable, not as missing', async () => {
    standin = await startGitHubRestStandin({ tokens: ['right'] });
    const c = new GitHubLookupClient(await octokitRequest('wrong', standin.url), { reserve: 0 });
    expect(await c.repoByName('contoso', 'app')).toMatchObject({ status: 'unreadable', httpStatus: 401 });
  });
});
