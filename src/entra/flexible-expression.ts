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
 */

import { GITHUB_COM_ISSUER } from '../github/issuers.js';

export type ExpressionErrorCode =
  | 'EXPR_EMPTY'
  | 'EXPR_LANGUAGE_VERSION'
  | 'EXPR_SYNTAX'
  | 'EXPR_UNTERMINATED_STRING'
  | 'EXPR_UNKNOWN_OPERATOR'
  | 'EXPR_UNSUPPORTED_CLAIM'
  | 'EXPR_OPERATOR_NOT_ALLOWED'
  | 'EXPR_TOO_LONG';

export interface ExpressionError {
  code: ExpressionErrorCode;
  message: string;
  /** 0-based offset in the expression */
  position: number;
}

export interface Clause {
  claim: string;
  operator: 'eq' | 'matches';
  /** The comparand with quotes removed and `''` unescaped to `'`. */
  comparand: string;
  /** offsets of the clause in the source text */
  start: number;
  end: number;
  /** the clause's source text */
  text: string;
}

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

type Operator = 'eq' | 'matches';

/** Entra limits federated credential string properties to 600 characters (UTF-16 code units, as .NET counts). */
export const MAX_EXPRESSION_LENGTH = 600;

type FlexibleIssuerKind = 'github' | 'gitlab' | 'terraform' | 'unknown';

interface IssuerProfile {
  kind: FlexibleIssuerKind | 'any';
  label: string;
  claims: ReadonlyMap<string, readonly Operator[]>;
  /** Claims Microsoft now requires next to `sub` (at least one of them). */
  requiredOneOf: readonly string[];
}

const BOTH: readonly Operator[] = ['eq', 'matches'];
const EQ_ONLY: readonly Operator[] = ['eq'];

// Claims and operators per issuer from Microsoft's current flexible-FIC page. The 2024 version
// listed only sub/job_workflow_ref (GitHub) and sub (GitLab, Terraform Cloud); the 2026 version
// adds the immutable ID claims (eq only) and requires at least one of them next to `sub`.
const GITHUB_CLAIMS = new Map<string, readonly Operator[]>([
  ['sub', BOTH],
  ['job_workflow_ref', BOTH],
  ['repository_id', EQ_ONLY],
  ['repository_owner_id', EQ_ONLY],
]);
const GITLAB_CLAIMS = new Map<string, readonly Operator[]>([
  ['sub', BOTH],
  ['project_id', EQ_ONLY],
  ['namespace_id', EQ_ONLY],
  ['user_id', EQ_ONLY],
]);
const SUB_ONLY = new Map<string, readonly Operator[]>([['sub', BOTH]]);
const ANY_DOCUMENTED = new Map<string, readonly Operator[]>([...GITHUB_CLAIMS, ...GITLAB_CLAIMS]);

const GITHUB_ENTERPRISE_ISSUER = /^https:\/\/token\.actions\.githubusercontent\.com\/[^/\s]+$/;
const GHES_ISSUER = /^https:\/\/[^/\s]+\/_services\/token$/;
// "https://gitlab.example.com and https://gitlab.example.ca where example can be any string"
const GITLAB_SELF_MANAGED_ISSUER = /^https:\/\/gitlab(?:\.[A-Za-z0-9-]+)+\.[A-Za-z]{2,}$/;
const TERRAFORM_ISSUERS = new Set(['https://app.terraform.io', 'https://app.eu.terraform.io']);

/** Which documented flexible-credential issuer family an issuer URL belongs to (exact strings, case-sensitive). */
export function flexibleIssuerKind(issuer: string): FlexibleIssuerKind {
  if (issuer === GITHUB_COM_ISSUER || GITHUB_ENTERPRISE_ISSUER.test(issuer) || GHES_ISSUER.test(issuer))
    return 'github';
  if (issuer === 'https://gitlab.com' || GITLAB_SELF_MANAGED_ISSUER.test(issuer)) return 'gitlab';
  if (TERRAFORM_ISSUERS.has(issuer)) return 'terraform';
  return 'unknown';
}

function profileFor(issuer: string | undefined): IssuerProfile {
  // No issuer given: accept every claim documented for any issuer, with the operators allowed for it.
  if (issuer === undefined)
    return { kind: 'any', label: 'any documented issuer', claims: ANY_DOCUMENTED, requiredOneOf: [] };
  switch (flexibleIssuerKind(issuer)) {
    case 'github':
      return {
        kind: 'github',
        label: `GitHub Actions (${issuer})`,
        claims: GITHUB_CLAIMS,
        requiredOneOf: ['repository_id', 'repository_owner_id'],
      };
    case 'gitlab':
      return {
        kind: 'gitlab',
        label: `GitLab (${issuer})`,
        claims: GITLAB_CLAIMS,
        requiredOneOf: ['project_id', 'namespace_id', 'user_id'],
      };
    case 'terraform':
      return { kind: 'terraform', label: `Terraform Cloud (${issuer})`, claims: SUB_ONLY, requiredOneOf: [] };
    default:
      return { kind: 'unknown', label: `the issuer '${issuer}'`, claims: SUB_ONLY, requiredOneOf: [] };
  }
}

/** The claims (and operators) Entra accepts in an expression for this issuer. */
export function supportedClaims(issuer?: string): ReadonlyMap<string, readonly Operator[]> {
  return profileFor(issuer).claims;
}

// ---------------------------------------------------------------------------------------------
// Scanner

class ParseFailure {
  constructor(readonly error: ExpressionError) {}
}

function fail(code: ExpressionErrorCode, position: number, message: string): never {
  throw new ParseFailure({ code, position, message });
}

const LOOKUP_OPEN = "claims['";
const TYPOGRAPHIC_QUOTES = new Set(['\u2018', '\u2019', '\u201A', '\u201B', '\u201C', '\u201D', '\u00B4', '\u0060']);
const UNSUPPORTED_OPERATORS = new Set([
  'startswith',
  'endswith',
  'contains',
  'like',
  'has',
  'in',
  'ne',
  'neq',
  'gt',
  'lt',
  'ge',
  'le',
  'regex',
  '!=',
  '<>',
  '~',
]);
const EQUALITY_SPELLINGS = new Set(['==', '=', '===', 'equals', 'equal', 'is', 'eql']);

function isWhitespace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

function describeChar(ch: string): string {
  switch (ch) {
    case ' ':
      return 'a space';
    case '\t':
      return 'a tab';
    case '\n':
    case '\r':
      return 'a line break';
    default:
      return isWhitespace(ch)
        ? `the whitespace character U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
        : `'${ch}'`;
  }
}

/** What sits at `pos`, for "found ..." in messages: the end, a whitespace character, or up to 20 characters up to the next space. */
function describeFound(src: string, pos: number): string {
  if (pos >= src.length) return 'the end of the expression';
  const ch = src[pos]!;
  if (isWhitespace(ch)) return describeChar(ch);
  let end = pos;
  while (end < src.length && !isWhitespace(src[end]) && end - pos < 20) end++;
  const word = src.slice(pos, end);
  return `'${word}'${end < src.length && !isWhitespace(src[end]) ? '...' : ''}`;
}

function quoteHint(ch: string | undefined): string {
  if (ch === undefined) return '';
  if (ch === '"') return " Entra only accepts single quotes (').";
  if (TYPOGRAPHIC_QUOTES.has(ch))
    return ` ${describeChar(ch)} is a typographic quote; use the plain ASCII single quote (') instead (copying from Microsoft's older docs pages introduces these).`;
  return '';
}

/** Require exactly one space at `pos` followed by a non-whitespace character. */
function expectSingleSpace(src: string, pos: number, after: string, expected: string): void {
  if (pos >= src.length) {
    fail(
      'EXPR_SYNTAX',
      pos,
      `Expected a single space and ${expected} after ${after} at position ${pos}, found the end of the expression.`,
    );
  }
  const ch = src[pos]!;
  if (ch !== ' ') {
    fail(
      'EXPR_SYNTAX',
      pos,
      `Expected a single space and ${expected} after ${after} at position ${pos}, found ${describeFound(src, pos)}.${isWhitespace(ch) ? ' Entra requires exactly one ordinary space here.' : ''}`,
    );
  }
  if (isWhitespace(src[pos + 1])) {
    fail(
      'EXPR_SYNTAX',
      pos + 1,
      `Expected a single space and ${expected} after ${after}, found ${describeChar(src[pos + 1]!)} at position ${pos + 1} after the space at position ${pos}; Entra requires exactly one space between the parts of an expression.`,
    );
  }
  if (pos + 1 >= src.length) {
    fail(
      'EXPR_SYNTAX',
      pos + 1,
      `Expected ${expected} at position ${pos + 1}, after ${after} and a space, found the end of the expression.`,
    );
  }
}

/** A run of operator-like characters (letters and symbols, not quotes, brackets or whitespace). */
function readWord(src: string, pos: number): string {
  const re = /[^\s'"()[\]\u2018\u2019\u201C\u201D]+/y;
  re.lastIndex = pos;
  const m = re.exec(src);
  return m ? m[0] : '';
}

function failClauseStart(src: string, p: number, context: string): never {
  const expected = `a claim lookup claims['<claimName>'] ${context}`;
  if (p >= src.length)
    fail('EXPR_SYNTAX', p, `Expected ${expected} at position ${p}, found the end of the expression.`);
  const ch = src[p]!;
  if (isWhitespace(ch)) {
    if (p === 0)
      fail(
        'EXPR_SYNTAX',
        0,
        `The expression starts with ${describeChar(ch)} at position 0; Entra expects it to start directly with claims['<claimName>'].`,
      );
    fail('EXPR_SYNTAX', p, `Expected ${expected} at position ${p}, found ${describeChar(ch)}.`);
  }
  if (ch === '(' || ch === ')') {
    fail(
      'EXPR_SYNTAX',
      p,
      `Found '${ch}' at position ${p}: Entra's expression language has no parentheses; write clauses joined by ' and ', e.g. claims['sub'] eq '...' and claims['job_workflow_ref'] matches '...'.`,
    );
  }
  if (src.startsWith('not ', p) || ch === '!') {
    fail(
      'EXPR_UNKNOWN_OPERATOR',
      p,
      `Found ${describeFound(src, p)} at position ${p}: Entra's expression language has no negation (only eq, matches and and).`,
    );
  }
  if (src.startsWith('claims[', p)) {
    const q = src[p + 7];
    if (q === '"' || (q !== undefined && TYPOGRAPHIC_QUOTES.has(q))) {
      fail(
        'EXPR_SYNTAX',
        p + 7,
        `The claim name at position ${p + 7} must be in single quotes, as in claims['sub']; found ${describeChar(q)}.${quoteHint(q)}`,
      );
    }
    fail(
      'EXPR_SYNTAX',
      p + 7,
      `Expected a single quote at position ${p + 7} to start the claim name, as in claims['sub']; found ${describeFound(src, p + 7)}.`,
    );
  }
  if (src.startsWith('claims.', p)) {
    fail(
      'EXPR_SYNTAX',
      p,
      `Found ${describeFound(src, p)} at position ${p}: Entra looks claims up with claims['<claimName>'], not with a dot.`,
    );
  }
  if (src.slice(p, p + 7).toLowerCase() === 'claims[' || src.slice(p, p + 7).toLowerCase() === 'claims.') {
    fail(
      'EXPR_SYNTAX',
      p,
      `Found ${describeFound(src, p)} at position ${p}: the lookup is case-sensitive and must be written claims['<claimName>'] in lowercase.`,
    );
  }
  fail('EXPR_SYNTAX', p, `Expected ${expected} at position ${p}, found ${describeFound(src, p)}.`);
}

function scanClause(src: string, start: number, context: string): Clause {
  if (!src.startsWith(LOOKUP_OPEN, start)) failClauseStart(src, start, context);
  const nameStart = start + LOOKUP_OPEN.length;
  const nameEnd = src.indexOf("'", nameStart);
  if (nameEnd === -1) {
    fail(
      'EXPR_UNTERMINATED_STRING',
      nameStart - 1,
      `The claim name that starts at position ${nameStart - 1} has no closing single quote; Entra expects claims['<claimName>'].`,
    );
  }
  const claim = src.slice(nameStart, nameEnd);
  if (claim === '')
    fail(
      'EXPR_SYNTAX',
      nameStart,
      `The claim name at position ${nameStart} is empty; Entra expects claims['<claimName>'], e.g. claims['sub'].`,
    );
  if (src[nameEnd + 1] !== ']') {
    fail(
      'EXPR_SYNTAX',
      nameEnd + 1,
      `Expected ']' at position ${nameEnd + 1} to close claims['${claim}'], found ${describeFound(src, nameEnd + 1)}.`,
    );
  }
  const lookupText = src.slice(start, nameEnd + 2);

  // Operator.
  const spaceBeforeOp = nameEnd + 2;
  const opExpectation = 'an operator (eq or matches)';
  expectSingleSpace(src, spaceBeforeOp, lookupText, opExpectation);
  const opPos = spaceBeforeOp + 1;
  const word = readWord(src, opPos);
  if (word === '') {
    const ch = src[opPos]!;
    if (ch === "'" || ch === '"' || TYPOGRAPHIC_QUOTES.has(ch)) {
      fail(
        'EXPR_SYNTAX',
        opPos,
        `The operator is missing after ${lookupText}: expected eq or matches at position ${opPos}, found the comparand ${describeFound(src, opPos)}.`,
      );
    }
    fail(
      'EXPR_SYNTAX',
      opPos,
      `Expected a single space and ${opExpectation} after ${lookupText} at position ${opPos}, found ${describeFound(src, opPos)}.`,
    );
  }
  if (word !== 'eq' && word !== 'matches') {
    const lower = word.toLowerCase();
    let hint = ' Entra only knows eq (exact) and matches (wildcards * and ?).';
    if (lower === 'eq' || lower === 'matches') hint = ` Operators are case-sensitive: write '${lower}'.`;
    else if (EQUALITY_SPELLINGS.has(lower)) hint = ' For an exact comparison write eq.';
    else if (UNSUPPORTED_OPERATORS.has(lower))
      hint = ` languageVersion 1 has no '${word}' operator: only eq and matches (use matches with * for prefix, suffix or substring tests).`;
    fail(
      'EXPR_UNKNOWN_OPERATOR',
      opPos,
      `Expected a single space and ${opExpectation} after ${lookupText} at position ${opPos}, found '${word}'.${hint}`,
    );
  }
  const operator: Operator = word;

  // Comparand.
  const spaceBeforeComparand = opPos + operator.length;
  expectSingleSpace(src, spaceBeforeComparand, `'${operator}'`, 'a comparand in single quotes');
  const quotePos = spaceBeforeComparand + 1;
  const q = src[quotePos]!;
  if (q !== "'") {
    if (q === '"' || TYPOGRAPHIC_QUOTES.has(q)) {
      fail(
        'EXPR_SYNTAX',
        quotePos,
        `The comparand at position ${quotePos} must be enclosed in single quotes, found ${describeChar(q)}.${quoteHint(q)}`,
      );
    }
    fail(
      'EXPR_SYNTAX',
      quotePos,
      `Expected a comparand in single quotes after '${operator}' at position ${quotePos}, found ${describeFound(src, quotePos)}.`,
    );
  }
  let comparand = '';
  let k = quotePos + 1;
  let end: number;
  for (;;) {
    const close = src.indexOf("'", k);
    if (close === -1) {
      const escapedTail = src.endsWith("''") && src.length - 2 > quotePos;
      fail(
        'EXPR_UNTERMINATED_STRING',
        quotePos,
        `The comparand that starts at position ${quotePos} is not closed: Entra expects a closing single quote before the end of the expression.` +
          (escapedTail
            ? " The final '' is read as an escaped quote (a literal ' inside the comparand), not as the end of the comparand."
            : " A literal ' inside a comparand is written as two single quotes ('')."),
      );
    }
    comparand += src.slice(k, close);
    if (src[close + 1] === "'") {
      comparand += "'";
      k = close + 2;
      continue;
    }
    end = close + 1;
    break;
  }
  return { claim, operator, comparand, start, end, text: src.slice(start, end) };
}

/** After a clause that ends at `pos` (< length): require " and " and return where the next clause starts. */
function scanConnector(src: string, pos: number): number {
  const ch = src[pos]!;
  if (isWhitespace(ch) && src.slice(pos).trim() === '') {
    fail(
      'EXPR_SYNTAX',
      pos,
      `Found ${describeChar(ch)} at position ${pos} after the last comparand (trailing whitespace); Entra expects the expression to end right after the closing quote.`,
    );
  }
  const expected = "' and ' and another clause, or the end of the expression,";
  if (ch !== ' ') {
    fail(
      'EXPR_SYNTAX',
      pos,
      `Expected ${expected} after the comparand that ends at position ${pos - 1}, found ${describeFound(src, pos)} at position ${pos}.` +
        (isWhitespace(ch)
          ? ' Entra requires exactly one ordinary space here.'
          : " If the comparand itself contains a single quote, write it as two single quotes ('')."),
    );
  }
  if (isWhitespace(src[pos + 1])) {
    fail(
      'EXPR_SYNTAX',
      pos + 1,
      `Expected ${expected} after the comparand that ends at position ${pos - 1}, found ${describeChar(src[pos + 1]!)} at position ${pos + 1} after the space; Entra requires exactly one space around 'and'.`,
    );
  }
  const wordPos = pos + 1;
  const word = readWord(src, wordPos);
  if (word === 'and') {
    const after = wordPos + 3;
    expectSingleSpace(src, after, "'and'", "another clause claims['<claimName>'] ...");
    return after + 1;
  }
  if (word.startsWith('and') && src.startsWith('claims', wordPos + 3)) {
    fail(
      'EXPR_SYNTAX',
      wordPos + 3,
      `Expected a single space after 'and' at position ${wordPos + 3}, found ${describeFound(src, wordPos + 3)}.`,
    );
  }
  const lower = word.toLowerCase();
  if (lower === 'and') {
    fail(
      'EXPR_UNKNOWN_OPERATOR',
      wordPos,
      `Expected 'and' at position ${wordPos}, found '${word}': keywords are case-sensitive; write 'and' in lowercase.`,
    );
  }
  if (lower === 'or' || word === '||') {
    fail(
      'EXPR_UNKNOWN_OPERATOR',
      wordPos,
      `Found '${word}' at position ${wordPos}: Entra's expression language has no 'or' (only eq, matches and 'and'). Use one flexible credential per alternative, or a matches wildcard that covers both.`,
    );
  }
  if (word === '&&' || word === '&') {
    fail(
      'EXPR_UNKNOWN_OPERATOR',
      wordPos,
      `Found '${word}' at position ${wordPos}: clauses are joined with the word 'and'.`,
    );
  }
  if (lower === 'not') {
    fail(
      'EXPR_UNKNOWN_OPERATOR',
      wordPos,
      `Found '${word}' at position ${wordPos}: Entra's expression language has no negation; clauses can only be joined with 'and'.`,
    );
  }
  const c = src[wordPos];
  if (c === '(' || c === ')') {
    fail(
      'EXPR_SYNTAX',
      wordPos,
      `Found '${c}' at position ${wordPos}: Entra's expression language has no parentheses; join clauses with ' and '.`,
    );
  }
  if (word.startsWith('claims')) {
    fail(
      'EXPR_SYNTAX',
      wordPos,
      `Expected 'and' between clauses at position ${wordPos}, found ${describeFound(src, wordPos)}: clauses must be joined with ' and '.`,
    );
  }
  if (word !== '' && /^[A-Za-z|&!=<>~]+$/.test(word)) {
    fail(
      'EXPR_UNKNOWN_OPERATOR',
      wordPos,
      `Expected 'and' at position ${wordPos} to join another clause, found '${word}'. Clauses can only be joined with 'and'.`,
    );
  }
  fail(
    'EXPR_SYNTAX',
    wordPos,
    `Expected ${expected} after the comparand that ends at position ${pos - 1}, found ${describeFound(src, wordPos)} at position ${wordPos}. If the comparand itself contains a single quote, write it as two single quotes ('').`,
  );
}

function scanExpression(src: string): Clause[] {
  const clauses: Clause[] = [];
  let pos = 0;
  for (;;) {
    const clause = scanClause(src, pos, clauses.length === 0 ? 'at the start of the expression' : "after 'and'");
    clauses.push(clause);
    if (clause.end >= src.length) return clauses;
    pos = scanConnector(src, clause.end);
  }
}

// ---------------------------------------------------------------------------------------------
// Semantic checks and warnings

function operatorPosition(c: Clause): number {
  return c.start + LOOKUP_OPEN.length + c.claim.length + 3; // "']" and the space
}

function checkClaims(clauses: readonly Clause[], profile: IssuerProfile): void {
  for (const c of clauses) {
    const ops = profile.claims.get(c.claim);
    const namePos = c.start + LOOKUP_OPEN.length;
    if (!ops) {
      const list = [...profile.claims.keys()].join(', ');
      const why =
        profile.kind === 'unknown'
          ? `${profile.label} is not one Microsoft documents for flexible credentials (GitHub Actions, GitLab, Terraform Cloud), so only 'sub' is accepted`
          : `${profile.label} supports only: ${list}`;
      fail(
        'EXPR_UNSUPPORTED_CLAIM',
        namePos,
        `Claim '${c.claim}' at position ${namePos} can't be used in a flexible credential: ${why}.`,
      );
    }
    if (!ops.includes(c.operator)) {
      const pos = operatorPosition(c);
      fail(
        'EXPR_OPERATOR_NOT_ALLOWED',
        pos,
        `Operator '${c.operator}' at position ${pos} isn't allowed for claim '${c.claim}': ${profile.kind === 'any' ? 'Entra' : profile.label} only accepts ${ops.join(' or ')} for it${ops.length === 1 && ops[0] === 'eq' ? ` (write claims['${c.claim}'] eq '<exact value>'; wildcards are not available for this claim)` : ''}.`,
      );
    }
  }
}

// `@<digits>` right after an owner or repository name, as in GitHub's immutable subjects
// (`repo:owner@123/repo@456:...`), ending at a separator, a wildcard or the end.
const IMMUTABLE_ID_SHAPE = /@\d+(?=[/:*?]|$)/;

function collectWarnings(clauses: readonly Clause[], profile: IssuerProfile, issuer: string | undefined): string[] {
  const warnings: string[] = [];
  if (profile.kind === 'unknown') {
    warnings.push(
      `Issuer '${issuer}' is not one Microsoft documents for flexible federated identity credentials (GitHub Actions, GitLab, Terraform Cloud): only claims['sub'] was accepted, and Entra may refuse expression matching for this issuer altogether (AADSTS7002241, unconfirmed).`,
    );
  }
  const seen = new Set<string>();
  for (const c of clauses) {
    const where = `${c.text} (position ${c.start})`;
    if (seen.has(c.claim)) {
      warnings.push(
        `claims['${c.claim}'] is tested more than once (again at position ${c.start}). Microsoft describes 'and' as combining expressions against multiple claims; Entra may reject repeated claims, and all of them must hold at once.`,
      );
    }
    seen.add(c.claim);
    if (c.operator === 'eq' && /[*?]/.test(c.comparand)) {
      warnings.push(
        `${where} uses eq with '*' or '?' in the comparand; eq compares literally, so these are not wildcards. Use matches if wildcards are meant.`,
      );
    }
    if (c.comparand === '') {
      warnings.push(
        `${where} has an empty comparand; it can only match an empty claim value, so no real token will match it.`,
      );
    } else if (c.comparand.trim() !== c.comparand) {
      warnings.push(
        `${where}: the comparand starts or ends with whitespace, which is compared literally (case- and space-sensitive) and is almost certainly a typo.`,
      );
    }
    if (c.claim === 'sub' && (profile.kind === 'github' || profile.kind === 'any')) {
      const m = IMMUTABLE_ID_SHAPE.exec(c.comparand);
      if (m) {
        warnings.push(
          `${where}: the comparand contains the GitHub immutable-ID shape '${m[0]}'. A third-party report (unconfirmed) says Entra's flexible-expression validator rejects '@<id>' shapes (InvalidFederatedIdentityCredentialValue), although Microsoft's immutable-subject guide shows such an expression. If Entra refuses the credential, use a standard credential with the exact subject, or match claims['repository_id'] / claims['repository_owner_id'] with eq instead.`,
        );
      }
    }
  }
  if (profile.requiredOneOf.length > 0) {
    const family = profile.kind === 'github' ? 'GitHub' : 'GitLab';
    if (!seen.has('sub')) {
      warnings.push(
        `The expression does not test claims['sub']; Microsoft's documentation says ${family} flexible credentials must match the sub claim.`,
      );
    }
    if (!profile.requiredOneOf.some((c) => seen.has(c))) {
      const names = profile.requiredOneOf.map((c) => `claims['${c}']`).join(', ');
      warnings.push(
        `The expression tests none of the immutable ID claims ${names}. Microsoft's current documentation says a ${family} flexible credential must match sub and at least one of them (with eq), to resist repository or project renames and re-use; Entra may refuse to create or update such a credential.`,
      );
    }
  }
  return warnings;
}

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
  if (languageVersion !== undefined && languageVersion !== 1) {
    return {
      ok: false,
      error: {
        code: 'EXPR_LANGUAGE_VERSION',
        position: 0,
        message: `claimsMatchingExpression.languageVersion is ${String(languageVersion)}; Entra only supports languageVersion 1.`,
      },
    };
  }
  if (typeof value !== 'string' || value.trim() === '') {
    return {
      ok: false,
      error: {
        code: 'EXPR_EMPTY',
        position: 0,
        message:
          typeof value !== 'string'
            ? "claimsMatchingExpression.value is missing; Entra expects an expression such as claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'."
            : `claimsMatchingExpression.value is ${value === '' ? 'empty' : 'only whitespace'}; Entra expects an expression such as claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'.`,
      },
    };
  }
  if (value.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      error: {
        code: 'EXPR_TOO_LONG',
        position: MAX_EXPRESSION_LENGTH,
        message: `The expression is ${value.length} characters long; Entra limits federated credential values to ${MAX_EXPRESSION_LENGTH} characters (the excess starts at position ${MAX_EXPRESSION_LENGTH}).`,
      },
    };
  }
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
export function formatClause(claim: string, operator: 'eq' | 'matches', comparand: string): string {
  return `${LOOKUP_OPEN}${claim}'] ${operator} '${comparand.replaceAll("'", "''")}'`;
}
