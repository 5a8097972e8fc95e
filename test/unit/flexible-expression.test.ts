import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_EXPRESSION_LENGTH,
  evaluateClaimsMatchingExpression,
  flexibleIssuerKind,
  formatClause,
  parseClaimsMatchingExpression,
  supportedClaims,
  wildcardMatch,
  type Clause,
  type ExpressionErrorCode,
  type ParseResult,
} from '../../src/entra/flexible-expression.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const GITLAB = 'https://gitlab.com';
const TFC = 'https://app.terraform.io';

function ok(
  value: string,
  options: { languageVersion?: number; issuer?: string } = {},
): { clauses: Clause[]; warnings: string[] } {
  const r = parseClaimsMatchingExpression(value, options);
  if (!r.ok)
    throw new Error(
      `expected ${JSON.stringify(value)} to parse, got ${r.error.code} at ${r.error.position}: ${r.error.message}`,
    );
  return r;
}

function err(value: string, options: { languageVersion?: number; issuer?: string } = {}) {
  const r = parseClaimsMatchingExpression(value, options);
  if (r.ok) throw new Error(`expected ${JSON.stringify(value)} to be rejected, got ${JSON.stringify(r.clauses)}`);
  return r.error;
}

function expectError(
  value: string,
  code: ExpressionErrorCode,
  position: number,
  options: { languageVersion?: number; issuer?: string } = {},
) {
  const e = err(value, options);
  expect({ code: e.code, position: e.position }, e.message).toEqual({ code, position });
  expect(e.message).toContain(`position ${position}`);
  return e;
}

/** Reference implementation: translate to an anchored regex (fine for the small inputs of the property test). */
function regexMatch(pattern: string, value: string): boolean {
  const src = [...pattern]
    .map((ch) => (ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${src}$`).test(value);
}

describe('parseClaimsMatchingExpression: Microsoft documented examples', () => {
  const github: string[] = [
    // docs/entra-matching.md §3, structure and operator tables [DOC S8]
    "claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*'",
    "claims['sub'] matches 'repo:contoso/contoso-repo-*:ref:refs/heads/????'",
    "claims['sub'] eq 'repo:contoso/contoso-repo:ref:refs/heads/main'",
    "claims['sub'] eq 'repo:contoso/contoso-repo:ref:refs/heads/main' and " +
      "claims['job_workflow_ref'] matches 'foo-org/bar-repo /.github/workflows/*@refs/heads/main'",
    // [DOC S9] set-up page
    "claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*' and " +
      "claims['job_workflow_ref'] matches " +
      "'contoso/contoso-prod/.github/workflows/*.yml@refs/heads/main'",
    // current Microsoft page: immutable ID claims next to sub
    "claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*' and claims['repository_id'] eq '456789'",
    "claims['sub'] eq 'repo:contoso/contoso-repo:ref:refs/heads/main' and " +
      "claims['repository_id'] eq '456789' and claims['job_workflow_ref'] matches " +
      "'foo-org/bar-repo/.github/workflows/*@refs/heads/main'",
    "claims['sub'] matches 'repo:contoso/contoso-repo-*:ref:refs/heads/????' and " +
      "claims['repository_owner_id'] eq '123456'",
  ];
  it.each(github)('accepts the GitHub example %s', (value) => {
    const { clauses } = ok(value, { issuer: GITHUB, languageVersion: 1 });
    expect(clauses.map((c) => c.text).join(' and ')).toBe(value);
  });

  it('accepts the GitLab examples', () => {
    ok("claims['sub'] matches 'project_path:contoso/contoso-project:ref_type:branch:ref:main'", {
      issuer: 'https://gitlab.example.com',
    });
    ok("claims['sub'] matches 'project_id:57382910:*'", { issuer: GITLAB });
    ok(
      "claims['sub'] matches 'project_id:57382910:*' and claims['project_id'] eq '57382910' and " +
        "claims['namespace_id'] eq '42' and claims['user_id'] eq '7'",
      { issuer: GITLAB },
    );
  });

  it('accepts the Terraform Cloud example', () => {
    const { clauses, warnings } = ok(
      "claims['sub'] matches 'organization:contoso:project:contoso-proj:workspace:wrk-1:run_phase:*'",
      { issuer: TFC },
    );
    expect(clauses).toHaveLength(1);
    expect(warnings).toEqual([]);
    ok("claims['sub'] eq 'organization:contoso:project:p:workspace:w:run_phase:apply'", {
      issuer: 'https://app.eu.terraform.io',
    });
  });

  it('rejects the trailing period of the older docs page example', () => {
    const value = "claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*'.";
    const e = expectError(value, 'EXPR_SYNTAX', value.length - 1);
    expect(e.message).toContain("found '.'");
  });

  it('rejects the typographic quotes of the older docs page with a hint', () => {
    const e = expectError('claims[‘sub’] eq ‘repo:contoso/contoso-repo:ref:refs/heads/main’', 'EXPR_SYNTAX', 7);
    expect(e.message).toMatch(/typographic quote/);
    const e2 = expectError("claims['sub'] eq ‘main’", 'EXPR_SYNTAX', 17);
    expect(e2.message).toMatch(/typographic quote/);
  });
});

describe('parseClaimsMatchingExpression: clauses', () => {
  it('returns claim, operator, unescaped comparand, offsets and source text', () => {
    const value =
      "claims['sub'] eq 'a''b' and claims['job_workflow_ref'] matches 'o/r/.github/workflows/*.yml@refs/heads/main'";
    const { clauses } = ok(value, { issuer: GITHUB });
    expect(clauses).toHaveLength(2);
    expect(clauses[0]).toEqual({
      claim: 'sub',
      operator: 'eq',
      comparand: "a'b",
      start: 0,
      end: 23,
      text: "claims['sub'] eq 'a''b'",
    });
    const second = clauses[1]!;
    expect(second.claim).toBe('job_workflow_ref');
    expect(second.operator).toBe('matches');
    expect(second.comparand).toBe('o/r/.github/workflows/*.yml@refs/heads/main');
    expect(second.start).toBe(28);
    expect(second.end).toBe(value.length);
    expect(value.slice(second.start, second.end)).toBe(second.text);
  });

  it('accepts an empty comparand (with a warning)', () => {
    const { clauses, warnings } = ok("claims['sub'] eq ''", { issuer: TFC });
    expect(clauses[0]!.comparand).toBe('');
    expect(warnings.join('\n')).toMatch(/empty comparand/);
  });

  it('unescapes doubled quotes anywhere in the comparand', () => {
    expect(ok("claims['sub'] eq ''''", { issuer: TFC }).clauses[0]!.comparand).toBe("'");
    expect(ok("claims['sub'] eq 'x'''", { issuer: TFC }).clauses[0]!.comparand).toBe("x'");
    expect(ok("claims['sub'] eq '''x'", { issuer: TFC }).clauses[0]!.comparand).toBe("'x");
    expect(ok("claims['sub'] matches 'it''s ''*'''", { issuer: TFC }).clauses[0]!.comparand).toBe("it's '*'");
  });

  it('keeps backslashes, and and-like text inside comparands literal', () => {
    const { clauses } = ok("claims['sub'] eq 'a\\b and claims[''x''] eq y'", { issuer: TFC });
    expect(clauses).toHaveLength(1);
    expect(clauses[0]!.comparand).toBe("a\\b and claims['x'] eq y");
  });

  it('accepts many clauses joined with and', () => {
    const value = [
      "claims['sub'] matches 'repo:o/r:*'",
      "claims['job_workflow_ref'] eq 'o/r/.github/workflows/d.yml@refs/heads/main'",
      "claims['repository_id'] eq '1'",
      "claims['repository_owner_id'] eq '2'",
    ].join(' and ');
    const { clauses, warnings } = ok(value, { issuer: GITHUB });
    expect(clauses.map((c) => c.claim)).toEqual(['sub', 'job_workflow_ref', 'repository_id', 'repository_owner_id']);
    expect(warnings).toEqual([]);
  });
});

describe('parseClaimsMatchingExpression: rejections', () => {
  it('rejects an empty or blank expression', () => {
    expect(err('')).toMatchObject({ code: 'EXPR_EMPTY', position: 0 });
    expect(err('').message).toMatch(/empty; Entra expects an expression such as claims\['sub'\]/);
    expect(err('   ').code).toBe('EXPR_EMPTY');
    expect(err(undefined as unknown as string).code).toBe('EXPR_EMPTY');
  });

  it('rejects languageVersion other than 1', () => {
    const e = err("claims['sub'] eq 'x'", { languageVersion: 2 });
    expect(e.code).toBe('EXPR_LANGUAGE_VERSION');
    expect(e.position).toBe(0);
    expect(e.message).toContain('languageVersion is 2');
    expect(err("claims['sub'] eq 'x'", { languageVersion: 0 }).code).toBe('EXPR_LANGUAGE_VERSION');
    expect(ok("claims['sub'] eq 'x'", { languageVersion: 1 }).clauses).toHaveLength(1);
  });

  it(`rejects expressions longer than ${MAX_EXPRESSION_LENGTH} characters`, () => {
    const prefix = "claims['sub'] matches '";
    const exact = `${prefix + 'a'.repeat(MAX_EXPRESSION_LENGTH - prefix.length - 1)}'`;
    expect(exact).toHaveLength(MAX_EXPRESSION_LENGTH);
    ok(exact, { issuer: TFC });
    const e = err(`${prefix + 'a'.repeat(MAX_EXPRESSION_LENGTH)}'`);
    expect(e.code).toBe('EXPR_TOO_LONG');
    expect(e.position).toBe(MAX_EXPRESSION_LENGTH);
    expect(e.message).toContain('600');
  });

  it('names the unknown operator, its position and what Entra expects', () => {
    const e = expectError("claims['sub'] equals 'x'", 'EXPR_UNKNOWN_OPERATOR', 14);
    expect(e.message).toBe(
      "Expected a single space and an operator (eq or matches) after claims['sub'] at position " +
        "14, found 'equals'. For an exact comparison write eq.",
    );
    expect(expectError("claims['sub'] EQ 'x'", 'EXPR_UNKNOWN_OPERATOR', 14).message).toMatch(
      /case-sensitive: write 'eq'/,
    );
    expect(expectError("claims['sub'] Matches 'x*'", 'EXPR_UNKNOWN_OPERATOR', 14).message).toMatch(/write 'matches'/);
    expect(expectError("claims['sub'] startswith 'x'", 'EXPR_UNKNOWN_OPERATOR', 14).message).toMatch(
      /only eq and matches/,
    );
    expectError("claims['sub'] == 'x'", 'EXPR_UNKNOWN_OPERATOR', 14);
    expectError("claims['sub'] ne 'x'", 'EXPR_UNKNOWN_OPERATOR', 14);
  });

  it('rejects extra spaces', () => {
    expectError("claims['sub']  eq 'x'", 'EXPR_SYNTAX', 14);
    expectError("claims['sub'] eq  'x'", 'EXPR_SYNTAX', 17);
    const value = "claims['sub'] eq 'x'  and claims['job_workflow_ref'] eq 'y'";
    expectError(value, 'EXPR_SYNTAX', 21);
    expectError("claims['sub'] eq 'x' and  claims['job_workflow_ref'] eq 'y'", 'EXPR_SYNTAX', 25);
    expect(expectError(" claims['sub'] eq 'x'", 'EXPR_SYNTAX', 0).message).toMatch(/starts with a space/);
    expect(expectError("claims['sub'] eq 'x' ", 'EXPR_SYNTAX', 20).message).toMatch(/trailing whitespace/);
    expect(expectError("claims['sub']\teq 'x'", 'EXPR_SYNTAX', 13).message).toMatch(/a tab/);
    expectError("claims['sub'] eq 'x'\nand claims['job_workflow_ref'] eq 'y'", 'EXPR_SYNTAX', 20);
  });

  it('rejects missing spaces', () => {
    const e = expectError("claims['sub']eq 'x'", 'EXPR_SYNTAX', 13);
    expect(e.message).toBe(
      "Expected a single space and an operator (eq or matches) after claims['sub'] at position 13, found 'eq'.",
    );
    expectError("claims['sub'] eq'x'", 'EXPR_SYNTAX', 16);
    expectError("claims['sub'] eq 'x'and claims['job_workflow_ref'] eq 'y'", 'EXPR_SYNTAX', 20);
    expectError("claims['sub'] eq 'x' andclaims['job_workflow_ref'] eq 'y'", 'EXPR_SYNTAX', 24);
    expectError("claims['sub'] eq 'x' and", 'EXPR_SYNTAX', 24);
    expectError("claims['sub'] eq 'x' and ", 'EXPR_SYNTAX', 25);
    expectError("claims['sub'] eq", 'EXPR_SYNTAX', 16);
    expectError("claims['sub']", 'EXPR_SYNTAX', 13);
  });

  it('rejects AND in uppercase', () => {
    const e = expectError("claims['sub'] eq 'x' AND claims['job_workflow_ref'] eq 'y'", 'EXPR_UNKNOWN_OPERATOR', 21, {
      issuer: GITHUB,
    });
    expect(e.message).toMatch(/case-sensitive; write 'and'/);
  });

  it('rejects or, ||, && and not', () => {
    const e = expectError("claims['sub'] eq 'x' or claims['sub'] eq 'y'", 'EXPR_UNKNOWN_OPERATOR', 21);
    expect(e.message).toMatch(/no 'or'/);
    expectError("claims['sub'] eq 'x' || claims['sub'] eq 'y'", 'EXPR_UNKNOWN_OPERATOR', 21);
    expectError("claims['sub'] eq 'x' && claims['sub'] eq 'y'", 'EXPR_UNKNOWN_OPERATOR', 21);
    expectError("not claims['sub'] eq 'x'", 'EXPR_UNKNOWN_OPERATOR', 0);
    expectError("claims['sub'] eq 'x' and not claims['sub'] eq 'y'", 'EXPR_UNKNOWN_OPERATOR', 25);
  });

  it('rejects a missing and between clauses', () => {
    expect(expectError("claims['sub'] eq 'x' claims['job_workflow_ref'] eq 'y'", 'EXPR_SYNTAX', 21).message).toMatch(
      /joined with ' and '/,
    );
  });

  it('rejects parentheses', () => {
    expect(expectError("(claims['sub'] eq 'x')", 'EXPR_SYNTAX', 0).message).toMatch(/no parentheses/);
    expectError("claims['sub'] eq 'x' and (claims['job_workflow_ref'] eq 'y')", 'EXPR_SYNTAX', 25);
  });

  it('rejects double quotes', () => {
    expect(expectError('claims["sub"] eq \'x\'', 'EXPR_SYNTAX', 7).message).toMatch(/single quotes/);
    expect(expectError('claims[\'sub\'] eq "x"', 'EXPR_SYNTAX', 17).message).toMatch(/single quotes/);
  });

  it('rejects other claim lookup shapes', () => {
    expect(expectError("claims.sub eq 'x'", 'EXPR_SYNTAX', 0).message).toMatch(/not with a dot/);
    expect(expectError("Claims['sub'] eq 'x'", 'EXPR_SYNTAX', 0).message).toMatch(/lowercase/);
    expectError("claims[sub] eq 'x'", 'EXPR_SYNTAX', 7);
    expectError("claims['sub' ] eq 'x'", 'EXPR_SYNTAX', 12);
    expectError("claims[''] eq 'x'", 'EXPR_SYNTAX', 8);
    expectError("sub eq 'x'", 'EXPR_SYNTAX', 0);
    expect(expectError("claims['sub'] 'x'", 'EXPR_SYNTAX', 14).message).toMatch(/operator is missing/);
    expectError("claims['sub'] eq x", 'EXPR_SYNTAX', 17);
  });

  it('rejects unterminated strings at the opening quote', () => {
    const e = expectError("claims['sub'] eq 'repo:o/r:ref:refs/heads/main", 'EXPR_UNTERMINATED_STRING', 17);
    expect(e.message).toMatch(/not closed/);
    expect(expectError("claims['sub'] eq 'abc''", 'EXPR_UNTERMINATED_STRING', 17).message).toMatch(/escaped quote/);
    expectError("claims['sub'] eq 'x' and claims['job_workflow_ref'] eq 'y", 'EXPR_UNTERMINATED_STRING', 55);
    expectError("claims['sub", 'EXPR_UNTERMINATED_STRING', 7);
  });

  it('hints at doubling a single quote that ends a comparand early', () => {
    const value = "claims['sub'] eq 'it's'";
    expect(expectError(value, 'EXPR_SYNTAX', 21).message).toMatch(/two single quotes/);
    expect(ok("claims['sub'] eq 'it''s'", { issuer: TFC }).clauses[0]!.comparand).toBe("it's");
  });

  it('rejects an unknown claim for every issuer', () => {
    const e = expectError("claims['ref'] eq 'refs/heads/main'", 'EXPR_UNSUPPORTED_CLAIM', 8, { issuer: GITHUB });
    expect(e.message).toContain("Claim 'ref' at position 8");
    expect(e.message).toContain('sub, job_workflow_ref, repository_id, repository_owner_id');
    expectError("claims['ref'] eq 'x'", 'EXPR_UNSUPPORTED_CLAIM', 8);
    expectError("claims['constructor'] eq 'x'", 'EXPR_UNSUPPORTED_CLAIM', 8);
  });

  it('rejects GitHub claims for GitLab and Terraform Cloud', () => {
    const value = "claims['sub'] matches 'project_path:g/p:*' and claims['job_workflow_ref'] eq 'x'";
    const e = expectError(value, 'EXPR_UNSUPPORTED_CLAIM', value.indexOf('job_workflow_ref'), {
      issuer: 'https://gitlab.example.com',
    });
    expect(e.message).toMatch(/GitLab \(https:\/\/gitlab\.example\.com\) supports only: sub/);
    expectError("claims['project_id'] eq '1'", 'EXPR_UNSUPPORTED_CLAIM', 8, { issuer: TFC });
    expectError("claims['repository_id'] eq '1'", 'EXPR_UNSUPPORTED_CLAIM', 8, { issuer: GITLAB });
  });

  it('accepts only sub for an unknown issuer and says so', () => {
    const e = expectError("claims['job_workflow_ref'] eq 'x'", 'EXPR_UNSUPPORTED_CLAIM', 8, {
      issuer: 'https://example.com/oidc',
    });
    expect(e.message).toMatch(/not one Microsoft documents/);
    const { warnings } = ok("claims['sub'] eq 'x'", { issuer: 'https://example.com/oidc' });
    expect(warnings.join('\n')).toMatch(
      /Issuer 'https:\/\/example\.com\/oidc' is not one Microsoft documents.*only claims\['sub'\] was accepted/,
    );
  });

  it('rejects matches on claims that only support eq', () => {
    const value = "claims['sub'] matches 'repo:o/r:*' and claims['repository_id'] matches '12*'";
    const e = expectError(value, 'EXPR_OPERATOR_NOT_ALLOWED', value.lastIndexOf('matches'), { issuer: GITHUB });
    expect(e.message).toMatch(
      /Operator 'matches' at position \d+ isn't allowed for claim 'repository_id'.*only accepts eq/,
    );
    expectError("claims['project_id'] matches '1*'", 'EXPR_OPERATOR_NOT_ALLOWED', 21, { issuer: GITLAB });
  });

  it('reports syntax errors before claim errors', () => {
    expect(err("claims['ref'] eq 'x' AND claims['sub'] eq 'y'", { issuer: GITHUB }).code).toBe('EXPR_UNKNOWN_OPERATOR');
  });
});

describe('parseClaimsMatchingExpression: warnings', () => {
  it('warns about GitHub immutable @<digits> shapes (unconfirmed rejection)', () => {
    const { warnings } = ok(
      "claims['sub'] matches 'repo:octo-org@123456/octo-repo@456789:*' and claims['repository_id'] eq '456789'",
      { issuer: GITHUB },
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/'@123456'.*unconfirmed/);
    const plain = ok(
      "claims['sub'] matches 'repo:o/r:*' and claims['job_workflow_ref'] matches " +
        "'o/r/.github/workflows/a.yml@refs/heads/*' and claims['repository_id'] eq '1'",
      { issuer: GITHUB },
    );
    expect(plain.warnings).toEqual([]);
  });

  it('warns when a GitHub or GitLab expression has no immutable ID claim', () => {
    const gh = ok("claims['sub'] matches 'repo:o/r:*'", { issuer: GITHUB }).warnings;
    expect(gh.join('\n')).toMatch(
      /none of the immutable ID claims claims\['repository_id'\], claims\['repository_owner_id'\]/,
    );
    const gl = ok("claims['sub'] matches 'project_path:g/p:*'", { issuer: GITLAB }).warnings;
    expect(gl.join('\n')).toMatch(/claims\['project_id'\]/);
    const noSub = ok("claims['job_workflow_ref'] eq 'x' and claims['repository_id'] eq '1'", {
      issuer: GITHUB,
    }).warnings;
    expect(noSub.join('\n')).toMatch(/does not test claims\['sub'\]/);
  });

  it('warns about eq with wildcards, repeated claims and padded comparands', () => {
    const w = ok("claims['sub'] eq 'repo:o/r:*' and claims['sub'] matches ' repo:o/r:*'", {
      issuer: TFC,
    }).warnings.join('\n');
    expect(w).toMatch(/eq compares literally/);
    expect(w).toMatch(/tested more than once/);
    expect(w).toMatch(/whitespace/);
  });
});

describe('issuers', () => {
  it('classifies documented issuers', () => {
    expect(flexibleIssuerKind(GITHUB)).toBe('github');
    expect(flexibleIssuerKind('https://token.actions.githubusercontent.com/octo-enterprise')).toBe('github');
    expect(flexibleIssuerKind('https://ghes.example.com/_services/token')).toBe('github');
    expect(flexibleIssuerKind('https://token.actions.githubusercontent.com/')).toBe('unknown');
    expect(flexibleIssuerKind(GITLAB)).toBe('gitlab');
    expect(flexibleIssuerKind('https://gitlab.example.com')).toBe('gitlab');
    expect(flexibleIssuerKind('https://gitlab.contoso.ca')).toBe('gitlab');
    expect(flexibleIssuerKind('https://git.example.com')).toBe('unknown');
    expect(flexibleIssuerKind(TFC)).toBe('terraform');
    expect(flexibleIssuerKind('https://app.eu.terraform.io')).toBe('terraform');
    expect(flexibleIssuerKind('https://example.com')).toBe('unknown');
  });

  it('treats GitHub enterprise and GHES issuers like github.com', () => {
    ok("claims['job_workflow_ref'] matches 'o/r/*' and claims['sub'] eq 'x'", {
      issuer: 'https://token.actions.githubusercontent.com/octo-enterprise',
    });
    ok("claims['job_workflow_ref'] matches 'o/r/*' and claims['sub'] eq 'x'", {
      issuer: 'https://ghes.example.com/_services/token',
    });
  });

  it('lists supported claims', () => {
    expect([...supportedClaims(TFC).keys()]).toEqual(['sub']);
    expect(supportedClaims(GITHUB).get('repository_id')).toEqual(['eq']);
    expect(supportedClaims(GITHUB).get('sub')).toEqual(['eq', 'matches']);
  });
});

describe('evaluateClaimsMatchingExpression', () => {
  const token = {
    iss: GITHUB,
    sub: 'repo:contoso/contoso-repo:ref:refs/heads/main',
    job_workflow_ref: 'contoso/contoso-prod/.github/workflows/deploy.yml@refs/heads/main',
    repository_id: '456789',
  };
  const parse = (v: string) => ok(v, { issuer: GITHUB }).clauses;

  it('matches the documented GitHub example', () => {
    const clauses = parse(
      "claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*' and " +
        "claims['job_workflow_ref'] matches " +
        "'contoso/contoso-prod/.github/workflows/*.yml@refs/heads/main'",
    );
    const r = evaluateClaimsMatchingExpression(clauses, token);
    expect(r.matched).toBe(true);
    expect(r.firstFailure).toBeUndefined();
    expect(r.results.map((x) => [x.actual, x.passed])).toEqual([
      [token.sub, true],
      [token.job_workflow_ref, true],
    ]);
  });

  it('names the failing clause and the actual value, evaluating every clause', () => {
    const clauses = parse(
      "claims['sub'] eq 'repo:contoso/contoso-repo:ref:refs/heads/dev' and claims['repository_id'] eq '456789'",
    );
    const r = evaluateClaimsMatchingExpression(clauses, token);
    expect(r.matched).toBe(false);
    expect(r.results).toHaveLength(2);
    expect(r.results[1]!.passed).toBe(true);
    expect(r.firstFailure?.clause.text).toBe("claims['sub'] eq 'repo:contoso/contoso-repo:ref:refs/heads/dev'");
    expect(r.firstFailure?.actual).toBe(token.sub);
  });

  it('distinguishes eq from matches', () => {
    const star = { ...token, sub: 'repo:o/r:ref:refs/heads/*' };
    expect(evaluateClaimsMatchingExpression(parse("claims['sub'] eq 'repo:o/r:ref:refs/heads/*'"), star).matched).toBe(
      true,
    );
    expect(
      evaluateClaimsMatchingExpression(parse("claims['sub'] eq 'repo:o/r:ref:refs/heads/*'"), {
        sub: 'repo:o/r:ref:refs/heads/main',
      }).matched,
    ).toBe(false);
    expect(
      evaluateClaimsMatchingExpression(parse("claims['sub'] matches 'repo:o/r:ref:refs/heads/*'"), {
        sub: 'repo:o/r:ref:refs/heads/main',
      }).matched,
    ).toBe(true);
  });

  it('is case-sensitive', () => {
    const clauses = parse("claims['sub'] matches 'repo:contoso/*:environment:production'");
    expect(evaluateClaimsMatchingExpression(clauses, { sub: 'repo:contoso/app:environment:Production' }).matched).toBe(
      false,
    );
    expect(evaluateClaimsMatchingExpression(clauses, { sub: 'repo:contoso/app:environment:production' }).matched).toBe(
      true,
    );
  });

  it('fails a clause whose claim is missing or not a string, without throwing', () => {
    const clauses = parse("claims['sub'] matches '*' and claims['job_workflow_ref'] matches '*'");
    const r = evaluateClaimsMatchingExpression(clauses, { sub: 'x' });
    expect(r.matched).toBe(false);
    expect(r.firstFailure?.clause.claim).toBe('job_workflow_ref');
    expect(r.firstFailure?.actual).toBeUndefined();
    expect(evaluateClaimsMatchingExpression(clauses, { sub: 'x', job_workflow_ref: null }).matched).toBe(false);
    expect(evaluateClaimsMatchingExpression(clauses, { sub: 'x', job_workflow_ref: ['a'] }).matched).toBe(false);
    expect(evaluateClaimsMatchingExpression(clauses, {}).results.every((x) => !x.passed)).toBe(true);
    expect(evaluateClaimsMatchingExpression(clauses, null as unknown as Record<string, unknown>).matched).toBe(false);
  });

  it('does not read inherited properties', () => {
    const clause: Clause = { claim: 'constructor', operator: 'matches', comparand: '*', start: 0, end: 0, text: '' };
    expect(evaluateClaimsMatchingExpression([clause], {}).matched).toBe(false);
  });

  it('stringifies numeric claims', () => {
    const clauses = parse("claims['repository_id'] eq '456789' and claims['sub'] eq 's'");
    expect(evaluateClaimsMatchingExpression(clauses, { repository_id: 456789, sub: 's' }).matched).toBe(true);
  });

  it('never matches an empty clause list', () => {
    expect(evaluateClaimsMatchingExpression([], token)).toEqual({ matched: false, results: [] });
  });
});

describe('wildcardMatch', () => {
  it.each<[string, string, boolean]>([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'ABC', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['*', 'anything: at all/', true],
    ['**', 'x', true],
    ['?', '', false],
    ['?', 'a', true],
    ['?', 'ab', false],
    ['????', 'main', true],
    ['????', 'master', false],
    ['*main', 'refs/heads/main', true],
    ['*main', 'refs/heads/main2', false],
    ['refs/heads/*', 'refs/heads/', true],
    ['refs/heads/*', 'refs/heads/feature/x', true],
    ['refs/heads/*', 'refs/tags/v1', false],
    ['repo:o/*:ref:*', 'repo:o/r:ref:refs/heads/main', true],
    ['repo:o/*:ref:*', 'repo:o/r:environment:prod', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbYcZ', false],
    ['a*bc', 'abcbc', true],
    ['*?', '', false],
    ['*?', 'x', true],
    ['a.c', 'abc', false],
    ['[a]', 'a', false],
    ['[a]', '[a]', true],
  ])('wildcardMatch(%j, %j) === %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it('answers adversarial inputs (no backtracking)', () => {
    // No clock: a backtracking matcher would exceed this test's vitest timeout on these.
    const pattern = `${'*a'.repeat(300)}b`;
    const value = 'a'.repeat(100_000);
    expect(wildcardMatch(pattern, value)).toBe(false);
    expect(wildcardMatch('*'.repeat(600), value)).toBe(true);
  });
});

describe('property tests', () => {
  const small = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', ':', '/'), maxLength: 8 });
  const smallValue = fc.string({ unit: fc.constantFrom('a', 'b', ':', '/', '*', '?'), maxLength: 10 });
  const claimName = fc.constantFrom('sub', 'job_workflow_ref');
  const operator = fc.constantFrom('eq' as const, 'matches' as const);
  const comparand = fc.string({
    unit: fc.oneof(
      fc.constantFrom("'", "''", ' ', '*', '?', 'and', '\\', '"'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 25,
  });

  it('parse never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.option(fc.constantFrom(GITHUB, GITLAB, TFC, 'https://x.test'), { nil: undefined }),
        (s, issuer) => {
          const r = parseClaimsMatchingExpression(s, issuer === undefined ? {} : { issuer });
          if (!r.ok) {
            expect(r.error.position).toBeGreaterThanOrEqual(0);
            expect(r.error.position).toBeLessThanOrEqual(Math.max(s.length, MAX_EXPRESSION_LENGTH));
            expect(r.error.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('parse never throws on expression-like and very long strings', () => {
    const piece = fc.constantFrom(
      "claims['",
      "']",
      ' ',
      '  ',
      'eq',
      'matches',
      'and',
      "'",
      "''",
      'sub',
      'job_workflow_ref',
      '(',
      '"',
      'x',
      '*',
      'AND',
      'or',
      '\t',
      '‘',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const r: ParseResult = parseClaimsMatchingExpression(parts.join(''), { issuer: GITHUB });
        if (r.ok) {
          for (const c of r.clauses) expect(formatClause(c.claim, c.operator, c.comparand)).toBe(c.text);
        }
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 601, maxLength: 5000 }), (s) => {
        const r = parseClaimsMatchingExpression(s);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 50 },
    );
    expect(parseClaimsMatchingExpression(`claims['sub'] eq '${"'".repeat(1_000_000)}`).ok).toBe(false);
  });

  it('wildcardMatch agrees with a reference regex implementation', () => {
    fc.assert(
      fc.property(small, smallValue, (pattern, value) => {
        expect(wildcardMatch(pattern, value)).toBe(regexMatch(pattern, value));
      }),
      { numRuns: 5000 },
    );
  });

  it('wildcardMatch without wildcards is string equality', () => {
    const literal = fc.string({ maxLength: 12 }).map((s) => s.replace(/[*?]/g, ''));
    fc.assert(
      fc.property(literal, fc.string({ maxLength: 12 }), (pattern, s) => {
        expect(wildcardMatch(pattern, s)).toBe(pattern === s);
        expect(wildcardMatch(pattern, pattern)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('a pattern always matches the value it was made from by replacing characters with wildcards', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.boolean(),
        (s, idx, useStar) => {
          const chars = [...s.replace(/[*?]/g, '')];
          for (const i of idx) if (chars.length > 0) chars[i % chars.length] = useStar ? '*' : '?';
          const value = s.replace(/[*?]/g, '');
          expect(wildcardMatch(chars.join(''), value)).toBe(true);
        },
      ),
    );
  });

  it('formatClause round-trips through parse', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(claimName, operator, comparand), { minLength: 1, maxLength: 4 }), (triples) => {
        const text = triples.map(([c, o, v]) => formatClause(c, o, v)).join(' and ');
        fc.pre(text.length <= MAX_EXPRESSION_LENGTH);
        const r = parseClaimsMatchingExpression(text, { issuer: GITHUB, languageVersion: 1 });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.clauses.map((c) => [c.claim, c.operator, c.comparand])).toEqual(triples);
        expect(r.clauses.map((c) => c.text).join(' and ')).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('formatClause escapes quotes', () => {
    expect(formatClause('sub', 'eq', "it's")).toBe("claims['sub'] eq 'it''s'");
    expect(formatClause('sub', 'matches', '')).toBe("claims['sub'] matches ''");
  });
});
