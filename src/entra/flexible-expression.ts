/**
 * Parser and evaluator for the `claimsMatchingExpression` of Microsoft Entra flexible federated
 * identity credentials (languageVersion 1). See docs/entra-matching.md §3 and Microsoft's pages
 * "Flexible federated identity credentials" and "Migrate GitHub Actions federated credentials to
 * immutable subjects".
 *
 * Grammar, as documented (quoted parts) and, where the docs are silent, as strict as Entra is
 * likely to be (marked "strict"):
 *
 *   expression := clause ( " and " clause )*
 *   clause     := "claims['" name "']" " " operator " " comparand
 *   operator   := "eq" | "matches"
 *   comparand  := "'" ( any character except "'" | "''" )* "'"
 *
 * - "The claim lookup must follow the pattern of claims['<claimName>']". Strict: `claims` is
 *   lowercase, the name is in single quotes, nothing else (no dot access, no double quotes).
 * - "The operator ... separated from the claim lookup and comparand by a single space". Strict:
 *   exactly one U+0020 space around every operator including `and` (the docs list `and` in the same
 *   operator table); no tabs or newlines; no leading or trailing whitespace.
 * - Operators and `and` are lowercase and case-sensitive (strict: the docs only show lowercase).
 *   There is no `or`, `not` or parentheses.
 * - "Single quotes are interpreted as escape characters": a quote inside a comparand is written as
 *   two quotes (`'it''s'`). Backslash has no meaning. There is no escape for `*` or `?`, so in a
 *   `matches` comparand they are always wildcards (the docs are silent on literal wildcards).
 * - Syntax is checked over the whole expression first, then claims and operators per issuer, in
 *   clause order (Entra reports parse failures and "expression not allowed" separately).
 *
 * This module is the entry point; the parts live next to it: expression-scanner.ts (syntax),
 * expression-clause-edges.ts (spaces, clause starts, ' and '), expression-errors.ts (error values
 * and how messages name what was found), expression-issuers.ts and expression-checks.ts (claims and
 * operators per issuer, warnings).
 */

import { checkClaims, collectWarnings } from './expression-checks.js';
import { type ExpressionError, ParseFailure } from './expression-errors.js';
import { profileFor } from './expression-issuers.js';
import { type Clause, LOOKUP_OPEN, type Operator, scanExpression } from './expression-scanner.js';

// Importers use this module only.
export type { ExpressionError, ExpressionErrorCode } from './expression-errors.js';
export { flexibleIssuerKind, supportedClaims } from './expression-issuers.js';
export type { Clause } from './expression-scanner.js';

export type ParseResult = { ok: true; clauses: Clause[]; warnings: string[] } | { ok: false; error: ExpressionError };

interface ClauseResult {
  clause: Clause;
  /** the token's value for the claim, undefined when absent */
  actual: string | undefined;
  passed: boolean;
}

export interface EvaluationResult {
  matched: boolean;
  results: ClauseResult[];
  firstFailure?: ClauseResult;
}

/** Entra limits federated credential string properties to 600 characters (UTF-16 code units, as .NET counts). */
export const MAX_EXPRESSION_LENGTH = 600;

const EXAMPLE = "Entra expects an expression such as claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'.";

/**
 * Parse and validate a `claimsMatchingExpression.value`. Never throws.
 * `languageVersion`, when given, must be 1. `issuer` selects the claims Entra supports for it;
 * without an issuer every claim documented for any issuer is accepted (with its operators).
 */
export function parseClaimsMatchingExpression(
  value: string,
  options: { languageVersion?: number; issuer?: string } = {},
): ParseResult {
  const { languageVersion, issuer } = options;
  const refused = refuseWhole(value, languageVersion);
  if (refused) return { ok: false, error: refused };
  try {
    const clauses = scanExpression(value);
    const profile = profileFor(issuer);
    checkClaims(clauses, profile);
    return { ok: true, clauses, warnings: collectWarnings(clauses, profile, issuer) };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.error };
    throw e;
  }
}

/** What rules out the expression before it is scanned: the language version, no text, too much text. */
function refuseWhole(value: string, languageVersion: number | undefined): ExpressionError | undefined {
  if (languageVersion !== undefined && languageVersion !== 1) {
    return {
      code: 'EXPR_LANGUAGE_VERSION',
      position: 0,
      message:
        `claimsMatchingExpression.languageVersion is ${String(languageVersion)};` +
        ' Entra only supports languageVersion 1.',
    };
  }
  if (typeof value !== 'string' || value.trim() === '') {
    return {
      code: 'EXPR_EMPTY',
      position: 0,
      message:
        typeof value !== 'string'
          ? `claimsMatchingExpression.value is missing; ${EXAMPLE}`
          : `claimsMatchingExpression.value is ${value === '' ? 'empty' : 'only whitespace'}; ${EXAMPLE}`,
    };
  }
  if (value.length > MAX_EXPRESSION_LENGTH) {
    return {
      code: 'EXPR_TOO_LONG',
      position: MAX_EXPRESSION_LENGTH,
      message:
        `The expression is ${value.length} characters long; Entra limits federated credential values` +
        ` to ${MAX_EXPRESSION_LENGTH} characters (the excess starts at position ${MAX_EXPRESSION_LENGTH}).`,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/**
 * The token's value for a claim as a string. Strings are used as they are; finite numbers and
 * booleans are stringified (GitHub and GitLab send their IDs as strings; the docs don't say how
 * Entra treats JSON numbers). Anything else (absent, null, arrays, objects) counts as absent.
 */
function claimValue(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (claims === null || typeof claims !== 'object' || !Object.hasOwn(claims, name)) return undefined;
  const v = claims[name];
  if (typeof v === 'string') return v;
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Evaluate parsed clauses against a token's claims. Every clause is evaluated (so the report can
 * list them all); a missing claim fails its clause. An empty clause list never matches.
 */
export function evaluateClaimsMatchingExpression(
  clauses: readonly Clause[],
  claims: Readonly<Record<string, unknown>>,
): EvaluationResult {
  const results: ClauseResult[] = clauses.map((clause) => {
    const actual = claimValue(claims, clause.claim);
    const passed =
      actual !== undefined &&
      (clause.operator === 'eq' ? actual === clause.comparand : wildcardMatch(clause.comparand, actual));
    return { clause, actual, passed };
  });
  const firstFailure = results.find((r) => !r.passed);
  const out: EvaluationResult = { matched: results.length > 0 && firstFailure === undefined, results };
  if (firstFailure) out.firstFailure = firstFailure;
  return out;
}

/**
 * `*` and `?` wildcards, case-sensitive, whole string; linear-time (no regex backtracking blow-up).
 *
 * Iterative greedy two-pointer matching: on a mismatch, only the most recent `*` is retried one
 * character further, so the cost is O(|pattern| + |value|) for typical patterns and
 * O(|pattern| x |value|) at worst, never exponential. `*` matches any run of characters including
 * the empty one, `?` exactly one character; characters are UTF-16 code units, as in .NET.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let starP = -1; // index of the last '*' seen in the pattern
  let starV = 0; // position in value that '*' is currently extended to
  while (v < value.length) {
    const pc = pattern.charCodeAt(p);
    if (p < pattern.length && pc !== 42 /* * */ && (pc === 63 /* ? */ || pc === value.charCodeAt(v))) {
      p++;
      v++;
    } else if (p < pattern.length && pc === 42) {
      starP = p++;
      starV = v;
    } else if (starP !== -1) {
      p = starP + 1;
      v = ++starV;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++;
  return p === pattern.length;
}

/** Render a clause back to Entra's syntax, quoting/escaping the comparand. */
export function formatClause(claim: string, operator: Operator, comparand: string): string {
  return `${LOOKUP_OPEN}${claim}'] ${operator} '${comparand.replaceAll("'", "''")}'`;
}
