import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hostileString } from '../support/hostile-strings.js';
import {
  parseSubject,
  subjectPrefix,
  toImmutableForm,
  toNameForm,
  type SubjectParts,
} from '../../src/github/subject.js';

describe('parseSubject: name form', () => {
  const cases: Array<[string, Partial<SubjectParts>]> = [
    [
      'repo:octo-org/octo-repo:environment:production',
      {
        form: 'name',
        owner: 'octo-org',
        repo: 'octo-repo',
        repository: 'octo-org/octo-repo',
        context: 'environment:production',
        contextKind: 'environment',
        environment: 'production',
      },
    ],
    [
      'repo:octo-org/octo-repo:pull_request',
      { form: 'name', repository: 'octo-org/octo-repo', context: 'pull_request', contextKind: 'pull_request' },
    ],
    [
      'repo:octo-org/octo-repo:ref:refs/heads/main',
      { form: 'name', context: 'ref:refs/heads/main', contextKind: 'branch', ref: 'refs/heads/main' },
    ],
    [
      'repo:octo-org/octo-repo:ref:refs/heads/feature/login-page',
      { contextKind: 'branch', ref: 'refs/heads/feature/login-page' },
    ],
    ['repo:octo-org/octo-repo:ref:refs/tags/v1.2.3', { contextKind: 'tag', ref: 'refs/tags/v1.2.3' }],
    [
      'repo:octo-org/octo-repo:ref:refs/heads/gh-readonly-queue/main/pr-13-0123456789abcdef0123456789abcdef01234567',
      {
        contextKind: 'branch',
        ref: 'refs/heads/gh-readonly-queue/main/pr-13-0123456789abcdef0123456789abcdef01234567',
      },
    ],
    ['repo:octo-org/octo-repo:ref:refs/pull/42/merge', { contextKind: 'ref', ref: 'refs/pull/42/merge' }],
    ['repo:octo-org/octo-repo:pull-request', { form: 'name', context: 'pull-request', contextKind: 'other' }],
    ['repo:octo-org/octo-repo:workflow:deploy', { form: 'name', context: 'workflow:deploy', contextKind: 'other' }],
    [
      'repo:My.Org_1/My-Repo.js:environment:Prod East',
      { owner: 'My.Org_1', repo: 'My-Repo.js', environment: 'Prod East' },
    ],
    // An environment name may itself contain ':'; everything after `environment:` is the name.
    ['repo:o/r:environment:a:b', { contextKind: 'environment', environment: 'a:b' }],
    ['repo:o/r:environment:', { contextKind: 'environment', environment: '' }],
    ['repo:o/r:', { form: 'name', context: '', contextKind: 'other' }],
  ];
  it.each(cases)('%s', (sub, expected) => {
    const p = parseSubject(sub);
    expect(p).toMatchObject(expected);
    expect(p.ownerId).toBeUndefined();
    expect(p.repoId).toBeUndefined();
  });

  it('keeps newlines inside the context (the s flag)', () => {
    const p = parseSubject('repo:o/r:environment:line1\nline2');
    expect(p).toMatchObject({ form: 'name', environment: 'line1\nline2' });
  });
});

describe('parseSubject: immutable form', () => {
  it('reads both ids', () => {
    expect(parseSubject('repo:octocat@123456/my-repo@456789:ref:refs/heads/main')).toMatchObject({
      form: 'immutable',
      owner: 'octocat',
      ownerId: '123456',
      repo: 'my-repo',
      repoId: '456789',
      repository: 'octocat/my-repo',
      context: 'ref:refs/heads/main',
      contextKind: 'branch',
      ref: 'refs/heads/main',
    });
  });

  it.each([
    ['repo:contoso@5544123/payments-api@821093847:environment:prod', 'environment'],
    ['repo:OWNER@1/REPO@2:pull_request', 'pull_request'],
    ['repo:o@1/r@2:ref:refs/tags/v1', 'tag'],
  ])('%s is immutable with context kind %s', (sub, kind) => {
    const p = parseSubject(sub);
    expect(p.form).toBe('immutable');
    expect(p.contextKind).toBe(kind);
  });

  it('treats a subject with only one id as immutable', () => {
    expect(parseSubject('repo:o@1/r:pull_request')).toMatchObject({
      form: 'immutable',
      ownerId: '1',
      repoId: undefined,
    });
    expect(parseSubject('repo:o/r@2:pull_request')).toMatchObject({
      form: 'immutable',
      ownerId: undefined,
      repoId: '2',
    });
  });

  it('does not take a non-numeric @ suffix as an id', () => {
    expect(parseSubject('repo:o@abc/r@2:pull_request').form).toBe('custom');
  });
});

describe('parseSubject: custom templates', () => {
  it('splits repository_owner / visibility / workflow pairs', () => {
    const p = parseSubject('repository_owner:octo-org:repository_visibility:internal:workflow:deploy');
    expect(p.form).toBe('custom');
    expect(p.pairs).toEqual([
      ['repository_owner', 'octo-org'],
      ['repository_visibility', 'internal'],
      ['workflow', 'deploy'],
    ]);
    expect(p.contextKind).toBe('other');
    expect(p.repository).toBeUndefined();
  });

  it('reads the ids and the ref context (Azure/login#468 shape)', () => {
    const p = parseSubject('repository_owner_id:1844662:repository_id:599293758:ref:refs/heads/main');
    expect(p.pairs).toEqual([
      ['repository_owner_id', '1844662'],
      ['repository_id', '599293758'],
      ['ref', 'refs/heads/main'],
    ]);
    expect(p).toMatchObject({ form: 'custom', contextKind: 'branch', ref: 'refs/heads/main' });
  });

  it('recognises a pull_request context', () => {
    const p = parseSubject('repository_owner_id:1:repository_id:2:pull_request');
    expect(p.pairs).toEqual([
      ['repository_owner_id', '1'],
      ['repository_id', '2'],
      ['context', 'pull_request'],
    ]);
    expect(p.contextKind).toBe('pull_request');
  });

  it('recognises an environment context', () => {
    const p = parseSubject(
      'repository_owner:acme:environment:prod:job_workflow_ref:acme/wf/.github/workflows/d.yml@refs/heads/main',
    );
    expect(p).toMatchObject({ form: 'custom', contextKind: 'environment', environment: 'prod' });
    expect(p.pairs).toContainEqual(['job_workflow_ref', 'acme/wf/.github/workflows/d.yml@refs/heads/main']);
  });

  it('recognises a tag context', () => {
    expect(parseSubject('repository_id:2:ref:refs/tags/v2.0.0')).toMatchObject({
      contextKind: 'tag',
      ref: 'refs/tags/v2.0.0',
    });
  });

  it('keeps a value containing ":" together until the next known key', () => {
    expect(parseSubject('workflow:deploy:prod:repository_visibility:private').pairs).toEqual([
      ['workflow', 'deploy:prod'],
      ['repository_visibility', 'private'],
    ]);
  });

  it('treats a subject without the repo: prefix, or a malformed one, as custom', () => {
    for (const s of [
      '',
      'repo:o/r',
      'repo:/r:pull_request',
      'repo:o/:pull_request',
      'REPO:o/r:pull_request',
      'rep:o/r:x',
      'repo:o/r/x:pull_request',
    ]) {
      expect(parseSubject(s).form, s).toBe('custom');
    }
  });
});

describe('toNameForm / toImmutableForm', () => {
  it.each([
    ['repo:octocat@123456/my-repo@456789:ref:refs/heads/main', 'repo:octocat/my-repo:ref:refs/heads/main'],
    ['repo:o@1/r@2:environment:prod', 'repo:o/r:environment:prod'],
    ['repo:o@1/r:pull_request', 'repo:o/r:pull_request'],
    ['repo:o/r:pull_request', 'repo:o/r:pull_request'],
    ['repository_owner_id:1:repository_id:2:pull_request', 'repository_owner_id:1:repository_id:2:pull_request'],
  ])('toNameForm(%s) = %s', (input, output) => {
    expect(toNameForm(input)).toBe(output);
  });

  it.each([
    [
      'repo:octocat/my-repo:ref:refs/heads/main',
      '123456',
      '456789',
      'repo:octocat@123456/my-repo@456789:ref:refs/heads/main',
    ],
    ['repo:o@9/r@9:environment:prod', '1', '2', 'repo:o@1/r@2:environment:prod'],
  ])('toImmutableForm(%s, %s, %s)', (sub, ownerId, repoId, expected) => {
    expect(toImmutableForm(sub, ownerId, repoId)).toBe(expected);
  });

  it('has no immutable form for a custom template', () => {
    expect(toImmutableForm('repository_owner:o:workflow:w', '1', '2')).toBeUndefined();
  });
});

describe('subjectPrefix', () => {
  it.each([
    ['repo:o/r:pull_request', 'repo:o/r'],
    ['repo:octocat@123456/my-repo@456789:ref:refs/heads/main', 'repo:octocat@123456/my-repo@456789'],
    ['repo:o@1/r:pull_request', 'repo:o@1/r'],
    ['repo:o/r@2:pull_request', 'repo:o/r@2'],
  ])('%s → %s', (sub, prefix) => {
    expect(subjectPrefix(parseSubject(sub))).toBe(prefix);
  });

  it('is undefined for a custom template', () => {
    expect(subjectPrefix(parseSubject('repository_owner:o:workflow:w'))).toBeUndefined();
  });
});

describe('properties', () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/);
  const id = fc.integer({ min: 1, max: 2 ** 40 }).map(String);
  const context = fc.oneof(
    fc.constant('pull_request'),
    fc.string({ maxLength: 30 }).map((e) => `environment:${e}`),
    fc.stringMatching(/^[A-Za-z0-9._/-]{1,30}$/).map((b) => `ref:refs/heads/${b}`),
    fc.stringMatching(/^[A-Za-z0-9._/-]{1,30}$/).map((t) => `ref:refs/tags/${t}`),
  );

  it('parseSubject never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileString(60),
          hostileString(20).map((s) => `repo:${s}`),
        ),
        (s) => {
          const p = parseSubject(s);
          expect(['name', 'immutable', 'custom']).toContain(p.form);
        },
      ),
    );
  });

  it('name form: parse gives back owner, repo and context; prefix + context rebuilds the subject', () => {
    fc.assert(
      fc.property(segment, segment, context, (owner, repo, ctx) => {
        const sub = `repo:${owner}/${repo}:${ctx}`;
        const p = parseSubject(sub);
        expect(p).toMatchObject({ form: 'name', owner, repo, context: ctx, repository: `${owner}/${repo}` });
        expect(`${subjectPrefix(p)}:${p.context}`).toBe(sub);
        expect(toNameForm(sub)).toBe(sub);
      }),
    );
  });

  it('immutable and name forms convert into each other', () => {
    fc.assert(
      fc.property(segment, segment, id, id, context, (owner, repo, ownerId, repoId, ctx) => {
        const name = `repo:${owner}/${repo}:${ctx}`;
        const immutable = toImmutableForm(name, ownerId, repoId)!;
        expect(immutable).toBe(`repo:${owner}@${ownerId}/${repo}@${repoId}:${ctx}`);
        const p = parseSubject(immutable);
        expect(p).toMatchObject({ form: 'immutable', owner, ownerId, repo, repoId, context: ctx });
        expect(toNameForm(immutable)).toBe(name);
        expect(`${subjectPrefix(p)}:${p.context}`).toBe(immutable);
      }),
    );
  });
});
