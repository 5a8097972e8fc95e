/** What a flexible credential's expression admits: any owner, several repositories, every branch. */
import { describe, expect, it } from 'vitest';
import { expressionBreadth } from '../../src/trust/expression-breadth.js';
import { wildcardMatch } from '../../src/entra/flexible-expression.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const sub = (pattern: string, op = 'matches') => `claims['sub'] ${op} '${pattern}'`;

describe('expressionBreadth', () => {
  it.each([
    ['repo:*', { anyOwner: true, severalRepositories: true, everyBranch: true }],
    ['repo:*/app:ref:refs/heads/main', { anyOwner: true, severalRepositories: true, everyBranch: false }],
    ['repo:contoso/*', { anyOwner: false, severalRepositories: true, everyBranch: true }],
    ['repo:contoso/app-*:environment:prod', { anyOwner: false, severalRepositories: true, everyBranch: false }],
    ['repo:contoso/app:ref:refs/heads/*', { anyOwner: false, severalRepositories: false, everyBranch: true }],
    ['repo:contoso/app:ref:refs/heads/release/*', { anyOwner: false, severalRepositories: false, everyBranch: false }],
    ['repo:contoso/app:*', { anyOwner: false, severalRepositories: false, everyBranch: true }],
  ])('%s', (pattern, expected) => {
    const b = expressionBreadth(sub(pattern), GITHUB)!;
    expect({ anyOwner: b.anyOwner, severalRepositories: b.severalRepositories, everyBranch: b.everyBranch }).toEqual(
      expected,
    );
    // Every example is really admitted by the pattern.
    for (const e of b.examples) expect(wildcardMatch(pattern, e), e).toBe(true);
  });

  it('gives an example from another owner when any owner is admitted', () => {
    expect(expressionBreadth(sub('repo:*/app:ref:refs/heads/main'), GITHUB)!.examples).toContain(
      'repo:someone-else/app:ref:refs/heads/main',
    );
  });

  it('an eq clause on the owner or repository id pins them', () => {
    const pinned = expressionBreadth(
      `claims['repository_owner_id'] eq '1001' and ${sub('repo:*/app:ref:refs/heads/*')}`,
      GITHUB,
    )!;
    expect(pinned).toMatchObject({ anyOwner: false, severalRepositories: false, everyBranch: true });
    const both = expressionBreadth(
      `claims['repository_owner_id'] eq '1001' and claims['repository_id'] eq '2001' and ` +
        `${sub('repo:*:ref:refs/heads/main')}`,
      GITHUB,
    )!;
    expect(both).toMatchObject({ anyOwner: false, severalRepositories: false, everyBranch: false });
  });

  it('a narrow sub clause next to a broad one narrows the whole expression', () => {
    const b = expressionBreadth(`${sub('repo:*')} and ${sub('repo:contoso/app:environment:prod', 'eq')}`, GITHUB)!;
    expect(b).toMatchObject({ anyOwner: false, severalRepositories: false, everyBranch: false });
  });

  it('reads job_workflow_ref when there is no sub clause', () => {
    const b = expressionBreadth(
      `claims['job_workflow_ref'] matches 'contoso/*/.github/workflows/deploy.yml@refs/heads/main' and ` +
        `claims['repository_owner_id'] eq '1001'`,
      GITHUB,
    )!;
    expect(b).toMatchObject({ anyOwner: false, severalRepositories: true, everyBranch: false });
  });

  it('an expression that does not parse is left to the check mode', () => {
    expect(expressionBreadth("claims['sub'] like 'x'", GITHUB)).toBeUndefined();
  });
});
