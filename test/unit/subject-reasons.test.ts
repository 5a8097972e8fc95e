import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import {
  classifySubjectDifference,
  reusableWorkflowNote,
  whatTheCredentialExpects,
  whyThisSubject,
  yamlScalar,
  type SubjectDifference,
} from '../../src/diagnose/subject-reasons.js';
import type { GitHubClaims } from '../../src/github/claims.js';
import { hostileString } from '../support/hostile-strings.js';

const R = 'repo:octo-org/octo-repo';

describe('whyThisSubject', () => {
  it("environment: the environment replaces the ref, and the run's ref and event are named", () => {
    const s = whyThisSubject(`${R}:environment:production`, { ref: 'refs/heads/main', event_name: 'push' });
    expect(s).toContain('`environment: production`');
    expect(s).toMatch(/branch, tag or pull request does not appear in `sub`/);
    expect(s).toContain('this run was on `refs/heads/main`, event `push`');
  });

  it('environment without claims', () => {
    const s = whyThisSubject(`${R}:environment:staging`);
    expect(s).toContain('`environment: staging`');
    expect(s).not.toContain('this run was on');
  });

  it('pull_request: names the event and the head branch, and says no branch name is in the subject', () => {
    const s = whyThisSubject(`${R}:pull_request`, { event_name: 'pull_request_target', head_ref: 'feature/x' });
    expect(s).toContain('`pull_request_target`');
    expect(s).toContain('declares no environment');
    expect(s).toContain('carries no branch name');
    expect(s).toContain('head branch `feature/x`');
  });

  it('pull_request without claims defaults the event name', () => {
    expect(whyThisSubject(`${R}:pull_request`)).toContain('triggered by `pull_request`');
  });

  it('branch', () => {
    const s = whyThisSubject(`${R}:ref:refs/heads/release/v2`, { event_name: 'workflow_dispatch' });
    expect(s).toContain('on branch `release/v2`');
    expect(s).toContain('(event `workflow_dispatch`)');
    expect(s).not.toContain('merge queue');
  });

  it('merge queue: explains that only a flexible credential can match', () => {
    const s = whyThisSubject(
      `${R}:ref:refs/heads/gh-readonly-queue/main/pr-13-0123456789abcdef0123456789abcdef01234567`,
      { event_name: 'merge_group' },
    );
    expect(s).toContain('merge queue run');
    expect(s).toContain("claims['sub'] matches");
    expect(s).toContain('gh-readonly-queue/*');
  });

  it('tag', () => {
    expect(whyThisSubject(`${R}:ref:refs/tags/v1.2.3`)).toContain('for tag `v1.2.3`');
  });

  it('other refs', () => {
    expect(whyThisSubject(`${R}:ref:refs/pull/7/merge`)).toContain('`refs/pull/7/merge`');
  });

  it('immutable: names the form and the July 15, 2026 rule', () => {
    const s = whyThisSubject('repo:octo-org@1001/octo-repo@2002:ref:refs/heads/main');
    expect(s).toContain('immutable form');
    expect(s).toContain('July 15, 2026');
    expect(s).toContain('on branch `main`');
  });

  it('custom template: lists the claim keys and the customization API', () => {
    const s = whyThisSubject('repository_owner:octo-org:repository_visibility:internal:workflow:deploy');
    expect(s).toContain('does not start with `repo:`');
    expect(s).toContain('`repository_owner`, `repository_visibility`, `workflow`');
    expect(s).toContain('/actions/oidc/customization/sub');
  });

  it('custom template with a context still explains the context', () => {
    const s = whyThisSubject('repository_owner_id:1:repository_id:2:environment:prod');
    expect(s).toContain('`environment: prod`');
    expect(s).toContain('customised subject template');
  });

  it("reusable workflow: the caller's context is in sub, job_workflow_ref names the called file", () => {
    const claims: Partial<GitHubClaims> = {
      repository: 'octo-org/app',
      workflow_ref: 'octo-org/app/.github/workflows/ci.yml@refs/heads/feature',
      job_workflow_ref: 'octo-org/shared/.github/workflows/deploy.yml@refs/heads/main',
    };
    const s = whyThisSubject('repo:octo-org/app:ref:refs/heads/feature', claims);
    expect(s).toContain('reusable workflow `octo-org/shared/.github/workflows/deploy.yml@refs/heads/main`');
    expect(s).toContain("from the caller's repository and trigger (`octo-org/app`)");
    expect(s).toContain('flexible credential can match it');
  });

  it("no reusable-workflow note when the job runs the caller's own file", () => {
    expect(
      reusableWorkflowNote({
        workflow_ref: 'o/r/.github/workflows/ci.yml@refs/heads/main',
        job_workflow_ref: 'o/r/.github/workflows/ci.yml@refs/heads/main',
      }),
    ).toBeUndefined();
    expect(reusableWorkflowNote({ workflow_ref: 'o/r/.github/workflows/ci.yml@refs/heads/main' })).toBeUndefined();
    expect(reusableWorkflowNote({})).toBeUndefined();
  });

  it('same file at another ref is not a reusable workflow', () => {
    expect(
      reusableWorkflowNote({
        workflow_ref: 'o/r/.github/workflows/ci.yml@refs/heads/a',
        job_workflow_ref: 'o/r/.github/workflows/ci.yml@refs/tags/v1',
      }),
    ).toBeUndefined();
  });

  it('never throws on hostile text', () => {
    fc.assert(
      fc.property(hostileString(40), hostileString(10), (sub, ref) => {
        expect(
          typeof whyThisSubject(sub, {
            ref,
            event_name: ref,
            head_ref: ref,
            job_workflow_ref: ref,
            workflow_ref: `${ref}x`,
          }),
        ).toBe('string');
      }),
    );
  });
});

describe('classifySubjectDifference', () => {
  const cases: Array<[SubjectDifference, string, string]> = [
    ['equal', `${R}:pull_request`, `${R}:pull_request`],
    ['case', `${R}:environment:Production`, `${R}:environment:production`],
    ['case', 'repo:Octo-Org/Octo-Repo:ref:refs/heads/main', `${R}:ref:refs/heads/main`],
    ['whitespace', `${R}:environment:prod`, `${R}:environment:prod `],
    ['whitespace', `${R}:environment:prod`, `\t${R}:environment:prod\n`],
    ['wildcard', `${R}:ref:refs/heads/main`, `${R}:ref:refs/heads/*`],
    ['wildcard', `${R}:ref:refs/heads/main`, 'repo:octo-org/*'],
    ['wildcard', `${R}:ref:refs/tags/v1`, `${R}:ref:refs/tags/v?`],
    ['pull-request-typo', `${R}:pull_request`, `${R}:pull-request`],
    ['pull-request-typo', 'repo:o@1/r@2:pull_request', 'repo:o@1/r@2:pull-request'],
    ['immutable-vs-name', `${R}:ref:refs/heads/main`, 'repo:octo-org@1001/octo-repo@2002:ref:refs/heads/main'],
    ['immutable-vs-name', 'repo:octo-org@1001/octo-repo@2002:environment:prod', `${R}:environment:prod`],
    ['immutable-vs-name', 'repo:Octo-Org@1001/octo-repo@2002:environment:prod', `${R}:environment:prod`],
    [
      'custom-template',
      'repository_owner:octo-org:repository_visibility:internal:workflow:deploy',
      `${R}:ref:refs/heads/main`,
    ],
    ['custom-template', `${R}:ref:refs/heads/main`, 'repository_owner_id:1:repository_id:2:ref:refs/heads/main'],
    ['repository', `${R}:ref:refs/heads/main`, 'repo:octo-org/other-repo:ref:refs/heads/main'],
    ['repository', `${R}:pull_request`, 'repo:someone/octo-repo:pull_request'],
    ['context', `${R}:environment:prod`, `${R}:ref:refs/heads/main`],
    ['context', `${R}:pull_request`, `${R}:ref:refs/heads/main`],
    ['context', `${R}:ref:refs/heads/main`, `${R}:ref:refs/tags/v1`],
    ['context', `${R}:environment:prod`, `${R}:environment:staging`],
    ['other', 'repo:octo-org@1/octo-repo@2:pull_request', 'repo:octo-org@3/octo-repo@4:pull_request'],
  ];
  it.each(cases)('%s: %j vs credential %j', (kind, actual, expected) => {
    expect(classifySubjectDifference(actual, expected)).toBe(kind);
  });

  it('a credential with the pull-request typo is not blamed for a token that is not a pull request', () => {
    expect(classifySubjectDifference(`${R}:ref:refs/heads/main`, `${R}:pull-request`)).toBe('context');
    expect(classifySubjectDifference(`${R}:environment:prod`, `${R}:pull-request`)).toBe('context');
  });

  it('property: equal only for equal strings; never throws', () => {
    fc.assert(
      fc.property(hostileString(30), hostileString(30), (a, b) => {
        const k = classifySubjectDifference(a, b);
        expect(k === 'equal').toBe(a === b);
      }),
    );
  });
});

describe('whatTheCredentialExpects', () => {
  it('credential wants an environment the job does not declare → YAML to add it', () => {
    const r = whatTheCredentialExpects(`${R}:ref:refs/heads/main`, `${R}:environment:production`, 'deploy');
    expect(r.sentence).toContain('expects environment `production` in `octo-org/octo-repo`');
    expect(r.sentence).toContain('only sends an environment subject when the job declares that environment');
    expect(r.yaml).toBe('jobs:\n  deploy:\n    environment: production');
  });

  it('job declares an environment, credential wants a branch → no YAML, explain the replacement', () => {
    const r = whatTheCredentialExpects(`${R}:environment:prod`, `${R}:ref:refs/heads/main`);
    expect(r.sentence).toContain('expects branch `main`');
    expect(r.sentence).toContain('declares `environment: prod`');
    expect(r.sentence).toContain('replaces the ref in the subject');
    expect(r.yaml).toBeUndefined();
  });

  it('job declares an environment, credential wants pull requests', () => {
    const r = whatTheCredentialExpects(`${R}:environment:prod`, `${R}:pull_request`);
    expect(r.sentence).toContain('expects pull requests');
    expect(r.sentence).toContain('replaces the pull request in the subject');
  });

  it("two different environments → YAML with the credential's environment, default job id", () => {
    const r = whatTheCredentialExpects(`${R}:environment:staging`, `${R}:environment:Prod East`);
    expect(r.sentence).toContain('declares `environment: staging`');
    expect(r.yaml).toBe('jobs:\n  <job-id>:\n    environment: Prod East');
  });

  it('environment names that YAML would misread are quoted', () => {
    expect(whatTheCredentialExpects(`${R}:pull_request`, `${R}:environment:prod: eu # x`).yaml).toBe(
      'jobs:\n  <job-id>:\n    environment: "prod: eu # x"',
    );
  });

  it('credential wants pull requests, run is a push', () => {
    const r = whatTheCredentialExpects(`${R}:ref:refs/heads/main`, `${R}:pull_request`);
    expect(r.sentence).toContain('only for runs triggered by pull request events');
    expect(r.yaml).toBeUndefined();
  });

  it('run is a pull request, credential wants a branch', () => {
    const r = whatTheCredentialExpects(`${R}:pull_request`, `${R}:ref:refs/heads/main`);
    expect(r.sentence).toContain('never the branch name');
  });

  it('run is a pull request, credential wants a tag', () => {
    expect(whatTheCredentialExpects(`${R}:pull_request`, `${R}:ref:refs/tags/v1`).sentence).toContain(
      'never the branch name',
    );
  });

  it('two branches: suggests a flexible credential for many branches', () => {
    const r = whatTheCredentialExpects(`${R}:ref:refs/heads/feature`, `${R}:ref:refs/heads/main`);
    expect(r.sentence).toContain('this run is on branch `feature`');
    expect(r.sentence).toContain('flexible credential');
  });

  it('tag vs branch, both directions', () => {
    expect(whatTheCredentialExpects(`${R}:ref:refs/tags/v1`, `${R}:ref:refs/heads/main`).sentence).toContain(
      'Tags and branches give different subjects',
    );
    expect(whatTheCredentialExpects(`${R}:ref:refs/heads/main`, `${R}:ref:refs/tags/v1`).sentence).toContain(
      'this run is for branch `main`',
    );
  });

  it('custom credential subject: just says what it expects', () => {
    const r = whatTheCredentialExpects(`${R}:ref:refs/heads/main`, 'repository_owner:octo-org:workflow:deploy');
    expect(r.sentence).toBe('The credential expects `repository_owner:octo-org:workflow:deploy`.');
  });

  it('property: any environment name survives the YAML snippet', () => {
    fc.assert(
      fc.property(hostileString(20), (env) => {
        const r = whatTheCredentialExpects(`${R}:ref:refs/heads/main`, `${R}:environment:${env}`, 'deploy');
        expect(parseYaml(r.yaml!)).toEqual({ jobs: { deploy: { environment: env } } });
      }),
    );
  });
});

describe('yamlScalar', () => {
  it.each([
    ['production', 'production'],
    ['Prod East', 'Prod East'],
    ['eu-west/1.blue', 'eu-west/1.blue'],
    ['', '""'],
    ['trailing ', '"trailing "'],
    [' leading', '" leading"'],
    ['a: b', '"a: b"'],
    ['a #b', '"a #b"'],
    ['*alias', '"*alias"'],
    ['&anchor', '"&anchor"'],
    ['!tag', '"!tag"'],
    ['- item', '"- item"'],
    ['{a}', '"{a}"'],
    ["it's", '"it\'s"'],
    ['line\nbreak', '"line\\nbreak"'],
    // Plain scalars YAML would read as something other than a string.
    ['true', '"true"'],
    ['False', '"False"'],
    ['yes', '"yes"'],
    ['off', '"off"'],
    ['null', '"null"'],
    ['Null', '"Null"'],
    ['123', '"123"'],
    ['1.5', '"1.5"'],
    ['1e3', '"1e3"'],
    ['0x1F', '"0x1F"'],
    ['0o17', '"0o17"'],
  ])('yamlScalar(%j) = %s', (value, scalar) => {
    expect(yamlScalar(value)).toBe(scalar);
  });

  it('property: YAML 1.2 and 1.1 both read back the same string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileString(20),
          fc.constantFrom(
            'true',
            'no',
            'Y',
            'NULL',
            '~',
            '12',
            '-1',
            '.5',
            '1_000',
            '0b11',
            '.inf',
            '2026-07-15',
            '12:30',
          ),
        ),
        (v) => {
          const doc = `k: ${yamlScalar(v)}`;
          expect(parseYaml(doc)).toEqual({ k: v });
          expect(parseYaml(doc, { version: '1.1' })).toEqual({ k: v });
        },
      ),
      { numRuns: 300 },
    );
  });
});
