import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareWithCredentials, suggestCredential, type CompareResult } from '../../src/diagnose/compare.js';
import type { Finding, FindingId } from '../../src/diagnose/finding.js';
import { CLOUDS, type Cloud } from '../../src/entra/clouds.js';
import type { FederatedCredential } from '../../src/entra/credential.js';
import { parseClaimsMatchingExpression } from '../../src/entra/flexible-expression.js';
import type { GitHubClaims } from '../../src/github/claims.js';
import { hostileArgument } from '../support/hostile-strings.js';
import { bashCalls, commandIn } from '../support/shell-words.js';

const ISS = 'https://token.actions.githubusercontent.com';
const AUD = 'api://AzureADTokenExchange';
const AUD_USGOV = 'api://AzureADTokenExchangeUSGov';
const AUD_CHINA = 'api://AzureADTokenExchangeChina';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const R = 'repo:octo-org/octo-repo';

function claims(over: Partial<GitHubClaims> = {}): GitHubClaims {
  return {
    iss: ISS,
    sub: `${R}:ref:refs/heads/main`,
    aud: AUD,
    ref: 'refs/heads/main',
    ref_type: 'branch',
    event_name: 'push',
    repository: 'octo-org/octo-repo',
    repository_id: '2002',
    repository_owner: 'octo-org',
    repository_owner_id: '1001',
    workflow_ref: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
    job_workflow_ref: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
    iat: 1767225600,
    exp: 1767225900,
    ...over,
  };
}

function cred(name: string, subject: string | null, over: Partial<FederatedCredential> = {}): FederatedCredential {
  return { name, issuer: ISS, subject, audiences: [AUD], ...over };
}

function flex(name: string, expression: string, over: Partial<FederatedCredential> = {}): FederatedCredential {
  return cred(name, null, { claimsMatchingExpression: { value: expression, languageVersion: 1 }, ...over });
}

function compare(
  c: GitHubClaims,
  credentials: FederatedCredential[],
  cloud: Cloud = CLOUDS.azurecloud,
  jobId?: string,
): CompareResult {
  return compareWithCredentials({ claims: c, credentials, clientId: CLIENT, cloud, jobId });
}

function only(result: CompareResult, id: FindingId): Finding {
  expect(result.findings.map((f) => f.id)).toEqual([id]);
  return result.findings[0]!;
}

/** Run the `az ...` command that starts at `prefix` in the fix text through bash; return its arguments. */
function azArgs(text: string, prefix = 'az ad app federated-credential update'): string[] {
  const { words, source } = commandIn(text, prefix);
  const calls = bashCalls(source);
  expect(calls).toHaveLength(1);
  expect(calls[0]).toEqual(words.slice(1));
  return calls[0]!;
}

function parametersOf(args: string[]): unknown {
  const i = args.indexOf('--parameters');
  expect(i).toBeGreaterThan(0);
  return JSON.parse(args[i + 1]!);
}

describe('exact match', () => {
  it('matches the credential with the same issuer, subject and audience', () => {
    const c = claims();
    const r = compare(c, [cred('main', c.sub)]);
    expect(r.matched?.name).toBe('main');
    expect(r.nearest?.credential.name).toBe('main');
    expect(r.findings).toEqual([]);
    expect(r.comparisons[0]).toMatchObject({
      matched: true,
      issuer: { equal: true },
      subject: { equal: true },
      audience: { equal: true },
    });
  });

  it('finds the match among many credentials, wherever it is', () => {
    const c = claims({ sub: `${R}:environment:prod`, environment: 'prod' });
    const creds = [
      cred('a', `${R}:ref:refs/heads/main`),
      cred('b', `${R}:pull_request`),
      cred('prod', c.sub),
      cred('c', `${R}:environment:staging`),
    ];
    const r = compare(c, creds);
    expect(r.matched?.name).toBe('prod');
    expect(r.findings).toEqual([]);
    expect(r.comparisons.map((x) => x.matched)).toEqual([false, false, true, false]);
  });

  it('still reports an invalid expression on another credential when one matches', () => {
    const c = claims();
    const r = compare(c, [cred('main', c.sub), flex('broken', "claims['sub'] matches repo:*")]);
    expect(r.matched?.name).toBe('main');
    expect(r.findings.map((f) => f.id)).toEqual(['expression-invalid']);
  });

  it('no credentials: no finding, but a suggestion', () => {
    const r = compare(claims(), []);
    expect(r.findings).toEqual([]);
    expect(r.nearest).toBeUndefined();
    expect(r.suggestion.subject).toBe(`${R}:ref:refs/heads/main`);
  });

  it('a token with two audiences never matches (Entra needs exactly one)', () => {
    const c = claims({ aud: [AUD, 'https://github.com/octo-org'] });
    const r = compare(c, [cred('main', c.sub)]);
    expect(r.matched).toBeUndefined();
    const f = only(r, 'audience-mismatch');
    expect(f.message).toContain('carries 2 audiences');
  });
});

describe('issuer', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['trailing slash on the credential', ISS, `${ISS}/`, /trailing slash/],
    ['trailing slash on the token', `${ISS}/`, ISS, /trailing slash/],
    ['whitespace in the credential', ISS, ` ${ISS} `, /leading or trailing whitespace/],
    ['letter case', ISS, 'https://Token.Actions.GitHubUserContent.com', /only in letter case/],
    [
      'enterprise slug on the token',
      `${ISS}/octo-enterprise`,
      ISS,
      /enterprise-specific issuer.*include_enterprise_slug/,
    ],
    [
      'enterprise slug on the credential',
      ISS,
      `${ISS}/octo-enterprise`,
      /credential names an enterprise-specific issuer/,
    ],
    [
      'GitHub Enterprise Server',
      'https://ghes.example.com/_services/token',
      ISS,
      /GitHub Enterprise Server.*reach that host/,
    ],
  ];
  it.each(cases)('%s', (_label, tokenIss, credIss, reason) => {
    const c = claims({ iss: tokenIss });
    const r = compare(c, [cred('gh', c.sub, { issuer: credIss })]);
    const f = only(r, 'issuer-mismatch');
    expect(f.severity).toBe('error');
    expect(f.title).toBe("Issuer differs from credential 'gh'");
    expect(f.message).toContain('byte for byte');
    expect(f.message).toMatch(reason);
    expect(f.message).toContain(`token iss:   ${tokenIss}`);
    expect(f.evidence).toEqual([{ label: 'issuer', actual: tokenIss, expected: credIss }]);
    const args = azArgs(f.fix);
    expect(args.slice(0, 8)).toEqual([
      'ad',
      'app',
      'federated-credential',
      'update',
      '--id',
      CLIENT,
      '--federated-credential-id',
      'gh',
    ]);
    expect(parametersOf(args)).toEqual({ issuer: tokenIss });
  });

  it('an unrelated issuer gets no made-up reason, and says none of the credentials uses it', () => {
    const c = claims({ iss: 'https://gitlab.com' });
    const r = compare(c, [cred('a', c.sub), cred('b', `${R}:pull_request`)]);
    const f = only(r, 'issuer-mismatch');
    expect(f.message).not.toMatch(/trailing slash|whitespace|letter case|enterprise|Enterprise Server/);
    expect(f.message).toContain('None of the 2 credentials uses this issuer');
  });

  it('issuer and audience both wrong: one finding each', () => {
    const c = claims();
    const r = compare(c, [cred('x', c.sub, { issuer: `${ISS}/`, audiences: [AUD_USGOV] })]);
    expect(r.findings.map((f) => f.id)).toEqual(['issuer-mismatch', 'audience-mismatch']);
  });

  it('labels credentials by source', () => {
    const c = claims();
    expect(compare(c, [cred('g', c.sub, { issuer: `${ISS}/`, source: 'graph' })]).findings[0]!.title).toContain(
      "credential 'g' (read from Microsoft Graph)",
    );
    expect(compare(c, [cred('a', c.sub, { issuer: `${ISS}/`, source: 'arm' })]).findings[0]!.title).toContain(
      "credential 'a' (read from Azure Resource Manager)",
    );
  });
});

describe('subject', () => {
  it('environment job vs branch credential: explains that the environment replaces the ref', () => {
    const c = claims({ sub: `${R}:environment:production`, environment: 'production' });
    const f = only(
      compare(c, [cred('main', `${R}:ref:refs/heads/main`)], CLOUDS.azurecloud, 'deploy'),
      'subject-mismatch',
    );
    expect(f.title).toBe("Subject differs from credential 'main'");
    expect(f.message).toContain(`token sub:   ${R}:environment:production`);
    expect(f.message).toContain(`credential:  ${R}:ref:refs/heads/main`);
    expect(f.message).toContain('`environment: production`');
    expect(f.message).toContain('replaces the ref in the subject');
    expect(f.evidence).toEqual([{ label: 'subject', actual: c.sub, expected: `${R}:ref:refs/heads/main` }]);
    expect(f.fix).toContain('Add a credential for the subject this job sends');
    const args = azArgs(f.fix, 'az ad app federated-credential create');
    expect(parametersOf(args)).toEqual({
      name: 'github-env-production',
      issuer: ISS,
      subject: c.sub,
      audiences: [AUD],
    });
    expect(f.fix).not.toContain('environment: main');
  });

  it('branch job vs environment credential: offers the YAML that declares the environment', () => {
    const c = claims();
    const f = only(
      compare(c, [cred('prod', `${R}:environment:production`)], CLOUDS.azurecloud, 'deploy'),
      'subject-mismatch',
    );
    expect(f.message).toContain('only sends an environment subject when the job declares that environment');
    expect(f.fix).toContain('jobs:\n  deploy:\n    environment: production');
  });

  it('pull request run vs branch credential', () => {
    const c = claims({
      sub: `${R}:pull_request`,
      event_name: 'pull_request',
      ref: 'refs/pull/7/merge',
      head_ref: 'feature/x',
    });
    const f = only(compare(c, [cred('main', `${R}:ref:refs/heads/main`)]), 'subject-mismatch');
    expect(f.message).toContain('carries no branch name (head branch `feature/x`)');
    expect(f.message).toContain('never the branch name');
    expect(parametersOf(azArgs(f.fix, 'az ad app federated-credential create'))).toMatchObject({
      name: 'github-pull-request',
      subject: c.sub,
    });
  });

  it('tag run vs branch credential', () => {
    const c = claims({ sub: `${R}:ref:refs/tags/v1.2.0`, ref: 'refs/tags/v1.2.0', ref_type: 'tag' });
    const f = only(compare(c, [cred('main', `${R}:ref:refs/heads/main`)]), 'subject-mismatch');
    expect(f.message).toContain('for tag `v1.2.0`');
    expect(f.message).toContain('Tags and branches give different subjects');
  });

  it('another branch', () => {
    const c = claims({ sub: `${R}:ref:refs/heads/feature/login`, ref: 'refs/heads/feature/login' });
    const f = only(compare(c, [cred('main', `${R}:ref:refs/heads/main`)]), 'subject-mismatch');
    expect(f.message).toContain('this run is on branch `feature/login`');
  });

  it('case-only difference → subject-case-mismatch with the update command', () => {
    const c = claims({ sub: `${R}:environment:Production`, environment: 'Production' });
    const f = only(compare(c, [cred('prod', `${R}:environment:production`)]), 'subject-case-mismatch');
    expect(f.title).toBe("Subject differs from credential 'prod' only in letter case");
    expect(f.message).toContain('case-sensitively');
    expect(f.message).toMatch(/\n {13}\s*\^/);
    const args = azArgs(f.fix);
    expect(args).toContain('prod');
    expect(parametersOf(args)).toEqual({ subject: c.sub });
  });

  it('case-only difference in the repository name', () => {
    const c = claims({ sub: 'repo:Octo-Org/Octo-Repo:ref:refs/heads/main' });
    only(compare(c, [cred('main', `${R}:ref:refs/heads/main`)]), 'subject-case-mismatch');
  });

  it('token in name form, credential with ids (portal-made) → subject-immutable-format, opt-in named', () => {
    const c = claims();
    const f = only(
      compare(c, [cred('portal', 'repo:octo-org@1001/octo-repo@2002:ref:refs/heads/main')]),
      'subject-immutable-format',
    );
    expect(f.title).toContain("uses GitHub's immutable subject");
    expect(f.title).toContain('the token uses names');
    expect(f.message).toContain('still sends the name form');
    expect(f.fix).toContain('use_immutable_subject');
    expect(f.fix).toContain("GitHub will send 'repo:octo-org@1001/octo-repo@2002:ref:refs/heads/main'");
    expect(parametersOf(azArgs(f.fix))).toEqual({ subject: c.sub });
  });

  it('token with ids, credential in name form → subject-immutable-format, the other way round', () => {
    const c = claims({ sub: 'repo:octo-org@1001/octo-repo@2002:environment:prod', environment: 'prod' });
    const f = only(compare(c, [cred('names', `${R}:environment:prod`)]), 'subject-immutable-format');
    expect(f.title).toContain("Token uses GitHub's immutable subject");
    expect(f.message).toContain('sends immutable subjects');
    expect(parametersOf(azArgs(f.fix))).toEqual({ subject: c.sub });
  });

  it('immutable vs name that also differ in case says so', () => {
    const c = claims({ sub: 'repo:Octo-Org@1001/octo-repo@2002:environment:prod' });
    const f = only(compare(c, [cred('names', `${R}:environment:prod`)]), 'subject-immutable-format');
    expect(f.message).toContain('apart from letter case');
  });

  it('without the id claims, the opt-in fix does not invent the immutable subject', () => {
    const c = claims({ repository_id: undefined, repository_owner_id: undefined });
    const f = only(
      compare(c, [cred('portal', 'repo:octo-org@1001/octo-repo@2002:ref:refs/heads/main')]),
      'subject-immutable-format',
    );
    expect(f.fix).not.toContain('GitHub will send');
  });

  it('custom subject template → subject-custom-template', () => {
    const c = claims({ sub: 'repository_owner:octo-org:repository_visibility:internal:workflow:deploy' });
    const f = only(compare(c, [cred('main', `${R}:ref:refs/heads/main`)]), 'subject-custom-template');
    expect(f.title).toContain('customised template');
    expect(f.message).toContain('`repository_owner`, `repository_visibility`, `workflow`');
    expect(parametersOf(azArgs(f.fix, 'az ad app federated-credential create'))).toMatchObject({
      subject: c.sub,
      name: 'github-actions',
    });
  });

  it("'pull-request' typo in the credential", () => {
    const c = claims({ sub: `${R}:pull_request`, event_name: 'pull_request' });
    const f = only(compare(c, [cred('pr', `${R}:pull-request`)]), 'subject-mismatch');
    expect(f.title).toBe("credential 'pr' says 'pull-request'; GitHub sends 'pull_request'");
    expect(f.message).toContain('underscore');
    expect(parametersOf(azArgs(f.fix))).toEqual({ subject: `${R}:pull_request` });
  });

  it('wildcard in a classic credential → credential-wildcard with a flexible credential to create instead', () => {
    const c = claims({ sub: `${R}:ref:refs/heads/feature/x` });
    const f = only(compare(c, [cred('all-branches', `${R}:ref:refs/heads/*`)]), 'credential-wildcard');
    expect(f.title).toBe("credential 'all-branches' uses a wildcard, which classic credentials never match");
    const args = azArgs(f.fix, 'az rest');
    expect(args.slice(0, 4)).toEqual(['rest', '--method', 'POST', '--uri']);
    expect(args[4]).toBe(
      `https://graph.microsoft.com/beta/applications(appId='${CLIENT}')/federatedIdentityCredentials`,
    );
    expect(args[5]).toBe('--body');
    const body = JSON.parse(args[6]!) as {
      name: string;
      issuer: string;
      audiences: string[];
      claimsMatchingExpression: { value: string; languageVersion: number };
    };
    expect(body).toEqual({
      name: 'all-branches-flex',
      issuer: ISS,
      audiences: [AUD],
      claimsMatchingExpression: { value: `claims['sub'] matches '${R}:ref:refs/heads/*'`, languageVersion: 1 },
    });
    expect(parseClaimsMatchingExpression(body.claimsMatchingExpression.value, { issuer: ISS }).ok).toBe(true);
    // And the exact-subject alternative.
    expect(parametersOf(azArgs(f.fix, 'az ad app federated-credential create'))).toMatchObject({ subject: c.sub });
  });

  it('wildcard with a quote in the pattern: the flexible expression doubles it', () => {
    const c = claims({ sub: `${R}:environment:it's-prod` });
    const f = only(compare(c, [cred('q', `${R}:environment:it's-*`)]), 'credential-wildcard');
    const body = JSON.parse(azArgs(f.fix, 'az rest')[6]!) as { claimsMatchingExpression: { value: string } };
    expect(body.claimsMatchingExpression.value).toBe(`claims['sub'] matches '${R}:environment:it''s-*'`);
    const parsed = parseClaimsMatchingExpression(body.claimsMatchingExpression.value, { issuer: ISS });
    expect(parsed.ok && parsed.clauses[0]!.comparand).toBe(`${R}:environment:it's-*`);
  });
});

describe('audience', () => {
  it('token has the public audience, credential the US Government one', () => {
    const c = claims();
    const f = only(
      compare(c, [cred('gov', c.sub, { audiences: [AUD_USGOV] })], CLOUDS.azureusgovernment),
      'audience-mismatch',
    );
    expect(f.title).toBe("Audience differs from credential 'gov'");
    expect(f.message).toContain('token aud:');
    expect(f.message).toContain(
      'The credential uses the Azure US Government audience, the token the Azure public cloud one.',
    );
    expect(f.fix).toContain(`audience: ${AUD_USGOV}`);
    expect(f.fix).toContain(`the default for Azure US Government is ${AUD_USGOV}`);
    expect(f.evidence).toEqual([{ label: 'audience', actual: AUD, expected: AUD_USGOV }]);
  });

  it('token has the China audience, credential the public one', () => {
    const c = claims({ aud: AUD_CHINA });
    const f = only(compare(c, [cred('pub', c.sub)]), 'audience-mismatch');
    expect(f.message).toContain(
      'The credential uses the Azure public cloud audience, the token the Azure China (21Vianet) one.',
    );
    expect(f.fix).toContain(`audience: ${AUD}`);
  });

  it('token without a requested audience (GitHub defaults to the owner URL)', () => {
    const c = claims({ aud: 'https://github.com/octo-org' });
    const f = only(compare(c, [cred('pub', c.sub)]), 'audience-mismatch');
    expect(f.message).toContain('not an Azure exchange audience');
  });

  it('a credential with a non-standard audience: fix the credential', () => {
    const c = claims();
    const f = only(
      compare(c, [cred('custom', c.sub, { audiences: ['api://my-custom-audience'] })]),
      'audience-mismatch',
    );
    const args = azArgs(f.fix);
    expect(parametersOf(args)).toEqual({ audiences: [AUD] });
    expect(args).toContain('custom');
  });

  it('in the China cloud the non-standard-audience fix names the China audience', () => {
    const c = claims({ aud: AUD_CHINA });
    const f = only(
      compare(c, [cred('custom', c.sub, { audiences: ['custom'] })], CLOUDS.azurechinacloud),
      'audience-mismatch',
    );
    expect(parametersOf(azArgs(f.fix))).toEqual({ audiences: [AUD_CHINA] });
  });
});

describe('nearest credential among many', () => {
  const c = claims({ sub: `${R}:environment:Production`, environment: 'Production' });
  const creds = [
    cred('wrong-issuer-right-subject', c.sub, { issuer: 'https://gitlab.com' }),
    cred('branch-main', `${R}:ref:refs/heads/main`),
    cred('pr', `${R}:pull-request`),
    cred('other-repo', 'repo:octo-org/other:environment:Production'),
    cred('case', `${R}:environment:production`),
    cred('staging', `${R}:environment:staging`),
    flex('flex', `claims['sub'] matches '${R}:ref:refs/heads/*'`),
  ];

  it('explains the credential that is nearest (case-only beats other edits and other issuers)', () => {
    const r = compare(c, creds);
    expect(r.nearest?.credential.name).toBe('case');
    only(r, 'subject-case-mismatch');
  });

  it('the order of the credentials does not change the choice', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(creds, { minLength: creds.length, maxLength: creds.length }), (shuffled) => {
        expect(compare(c, shuffled).nearest?.credential.name).toBe('case');
      }),
      { numRuns: 30 },
    );
  });

  it('a right-issuer credential is nearer than a wrong-issuer one with the right subject', () => {
    const r = compare(
      c,
      creds.filter((x) => x.name !== 'case'),
    );
    expect(r.nearest?.credential.name).not.toBe('wrong-issuer-right-subject');
    expect(r.findings.map((f) => f.id)).not.toContain('issuer-mismatch');
  });

  it('the pull-request typo credential is not taken as nearest for a branch token', () => {
    const b = claims({ sub: `${R}:ref:refs/heads/mian` });
    const r = compare(b, [cred('pr', `${R}:pull-request`), cred('main', `${R}:ref:refs/heads/main`)]);
    expect(r.nearest?.credential.name).toBe('main');
  });

  it('a smaller edit is nearer', () => {
    const b = claims({ sub: `${R}:ref:refs/heads/release-2` });
    const r = compare(b, [cred('far', `${R}:ref:refs/heads/main`), cred('near', `${R}:ref:refs/heads/release-1`)]);
    expect(r.nearest?.credential.name).toBe('near');
  });

  it('ties keep the first credential', () => {
    const b = claims({ sub: `${R}:ref:refs/heads/x` });
    const r = compare(b, [cred('first', `${R}:ref:refs/heads/y`), cred('second', `${R}:ref:refs/heads/z`)]);
    expect(r.nearest?.credential.name).toBe('first');
  });

  it('every comparison is returned in input order', () => {
    expect(compare(c, creds).comparisons.map((x) => x.credential.name)).toEqual(creds.map((x) => x.name));
  });
});

describe('flexible credentials', () => {
  it('match by expression', () => {
    const c = claims({ sub: `${R}:ref:refs/heads/feature/x` });
    const r = compare(c, [
      flex('branches', `claims['sub'] matches '${R}:ref:refs/heads/*' and claims['repository_id'] eq '2002'`),
    ]);
    expect(r.matched?.name).toBe('branches');
    expect(r.findings).toEqual([]);
    expect(r.comparisons[0]!.expression?.evaluation?.matched).toBe(true);
    expect(r.comparisons[0]!.subject).toBeUndefined();
  });

  it('merge queue refs are matched by a gh-readonly-queue pattern', () => {
    const c = claims({
      sub: `${R}:ref:refs/heads/gh-readonly-queue/main/pr-13-0123456789abcdef0123456789abcdef01234567`,
    });
    const r = compare(c, [
      flex(
        'mq',
        `claims['sub'] matches '${R}:ref:refs/heads/gh-readonly-queue/*' and claims['repository_owner_id'] eq '1001'`,
      ),
    ]);
    expect(r.matched?.name).toBe('mq');
  });

  it("a failing clause is named with the token's value", () => {
    const c = claims({ sub: `${R}:environment:prod`, environment: 'prod' });
    const expr = `claims['sub'] matches '${R}:ref:refs/heads/*' and claims['repository_id'] eq '2002'`;
    const f = only(compare(c, [flex('branches', expr)]), 'expression-mismatch');
    expect(f.title).toBe(
      `The expression of credential 'branches' does not match: claims['sub'] matches '${R}:ref:refs/heads/*'`,
    );
    expect(f.message).toContain(`Flexible credential expression: ${expr}`);
    expect(f.message).toContain(
      `the token's sub is '${R}:environment:prod', which does not match '${R}:ref:refs/heads/*'`,
    );
    expect(f.message).toContain("'*' is any run of characters");
    expect(f.evidence).toEqual([
      { label: `claims['sub'] matches '${R}:ref:refs/heads/*'`, actual: c.sub, expected: `${R}:ref:refs/heads/*` },
      { label: "claims['repository_id'] eq '2002'", actual: '2002', expected: '2002' },
    ]);
    expect(f.fix).toContain(`covers '${c.sub}'`);
  });

  it('an eq clause on an absent claim says the claim is absent', () => {
    const c = claims({ repository_id: undefined });
    const f = only(
      compare(c, [flex('ids', `claims['sub'] eq '${c.sub}' and claims['repository_id'] eq '2002'`)]),
      'expression-mismatch',
    );
    expect(f.message).toContain("the token's repository_id is absent, which does not equal '2002'");
    expect(f.message).not.toContain('any run of characters');
  });

  it('the failing clause on job_workflow_ref (reusable workflow from another repository)', () => {
    const c = claims({ job_workflow_ref: 'evil-org/x/.github/workflows/d.yml@refs/heads/main' });
    const f = only(
      compare(c, [
        flex(
          'wf',
          `claims['sub'] eq '${c.sub}' and claims['job_workflow_ref'] matches ` +
            `'octo-org/octo-repo/.github/workflows/*@refs/heads/main'`,
        ),
      ]),
      'expression-mismatch',
    );
    expect(f.title).toContain("claims['job_workflow_ref'] matches");
  });

  it('an invalid expression → expression-invalid with a caret under the position', () => {
    const expr = "claims['sub'] matches repo:octo-org/*";
    const r = compare(claims(), [flex('broken', expr)]);
    const f = only(r, 'expression-invalid');
    expect(f.title).toBe("credential 'broken' has an expression Entra would reject");
    const lines = f.message.split('\n');
    expect(lines).toContain(`Expression: ${expr}`);
    const caret = lines[lines.length - 1]!;
    expect(caret.trim()).toBe('^');
    const parsed = parseClaimsMatchingExpression(expr, { issuer: ISS });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(caret.indexOf('^')).toBe('Expression: '.length + parsed.error.position);
    expect(f.fix).toContain("claims['sub'] matches");
    expect(r.comparisons[0]!.matched).toBe(false);
  });

  it('languageVersion other than 1 is invalid', () => {
    const c = claims();
    const r = compare(c, [
      cred('v2', null, { claimsMatchingExpression: { value: `claims['sub'] eq '${c.sub}'`, languageVersion: 2 } }),
    ]);
    const f = only(r, 'expression-invalid');
    expect(f.message).toContain('languageVersion');
  });

  it('a classic credential with a small subject edit is nearer than a failing expression far away', () => {
    const c = claims({ sub: `${R}:ref:refs/heads/mainn` });
    const r = compare(c, [
      flex('flex', "claims['sub'] matches 'repo:somewhere-else/entirely:environment:*'"),
      cred('main', `${R}:ref:refs/heads/main`),
    ]);
    expect(r.nearest?.credential.name).toBe('main');
  });
});

describe('suggestion', () => {
  it.each([
    [`${R}:environment:production`, 'github-env-production'],
    [`${R}:pull_request`, 'github-pull-request'],
    [`${R}:ref:refs/heads/main`, 'github-branch-main'],
    [`${R}:ref:refs/tags/v1.0.0`, 'github-tag-v1-0-0'],
    ['repository_owner:o:workflow:w', 'github-actions'],
  ])('for %s it is named %s', (sub, name) => {
    const c = claims({ sub, aud: AUD_USGOV });
    expect(suggestCredential(c)).toEqual({ name, issuer: ISS, subject: sub, audience: AUD_USGOV });
    expect(compare(c, []).suggestion).toEqual(suggestCredential(c));
  });

  it('takes the first audience of a list', () => {
    expect(suggestCredential(claims({ aud: [AUD_CHINA, AUD] })).audience).toBe(AUD_CHINA);
  });
});

describe('client id in fix commands', () => {
  // The CLI's `check` passes a placeholder when no --client-id is given.
  it.each(['<APPLICATION-CLIENT-ID>', "it's $(echo INJECTED)"])(
    'every az command carries %j as one argument',
    (clientId) => {
      const c = claims({ sub: `${R}:ref:refs/heads/feature` });
      const creds = [
        cred('case', `${R}:ref:refs/heads/FEATURE`),
        cred('slash', c.sub, { issuer: `${ISS}/` }),
        cred('aud', c.sub, { audiences: ['api://custom'] }),
        cred('wild', `${R}:ref:refs/heads/*`),
      ];
      const fixes = creds.map(
        (x) =>
          compareWithCredentials({ claims: c, credentials: [x], clientId, cloud: CLOUDS.azurecloud }).findings[0]!.fix,
      );
      for (const fix of fixes.slice(0, 3)) {
        const args = azArgs(fix);
        expect(args[args.indexOf('--id') + 1]).toBe(clientId);
      }
      expect(azArgs(fixes[3]!, 'az rest')[4]).toBe(
        `https://graph.microsoft.com/beta/applications(appId='${clientId}')/federatedIdentityCredentials`,
      );
      const create = azArgs(fixes[3]!, 'az ad app federated-credential create');
      expect(create[create.indexOf('--id') + 1]).toBe(clientId);
    },
  );
});

describe('hostile names in fix commands', () => {
  it.each([
    ["prod'; echo INJECTED; '", `${R}:environment:prod'; echo INJECTED; '`],
    ['$(echo INJECTED)', `${R}:environment:$(echo INJECTED)`],
    ['`echo INJECTED`', `${R}:environment:\`echo INJECTED\``],
    ['multi\nline', `${R}:environment:multi\nline`],
  ])('credential %j and subject %j reach az unchanged', (name, sub) => {
    const c = claims({ sub });
    const caseF = only(compare(c, [cred(name, sub.toUpperCase())]), 'subject-case-mismatch');
    const args = azArgs(caseF.fix);
    expect(args[args.indexOf('--federated-credential-id') + 1]).toBe(name);
    expect(parametersOf(args)).toEqual({ subject: sub });

    const issuerF = only(compare(c, [cred(name, sub, { issuer: `${ISS}/` })]), 'issuer-mismatch');
    expect(azArgs(issuerF.fix)[7]).toBe(name);
  });

  it('property: the update and create commands carry exactly the token subject and credential name', () => {
    fc.assert(
      fc.property(hostileArgument(25), hostileArgument(15), (env, name) => {
        const sub = `${R}:environment:${env}`;
        const c = claims({ sub, environment: env });
        const r = compare(c, [cred(name, `${R}:environment:${env}x`)]);
        for (const f of r.findings) {
          if (f.fix.includes('az ad app federated-credential update')) {
            const args = azArgs(f.fix);
            expect(args[args.indexOf('--federated-credential-id') + 1]).toBe(name);
            expect(parametersOf(args)).toEqual({ subject: sub });
          }
          if (f.fix.includes('az ad app federated-credential create')) {
            expect(parametersOf(azArgs(f.fix, 'az ad app federated-credential create'))).toMatchObject({
              subject: sub,
            });
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
