/**
 * Scanner of the claimsMatchingExpression syntax (grammar in src/entra/flexible-expression.ts):
 * turns the text into clauses or throws a ParseFailure that says what was found and what Entra
 * expects instead.
 */

import { expectSingleSpace, failClauseStart, readWord, scanConnector } from './expression-clause-edges.js';
import { describeChar, describeFound, fail, quoteHint, TYPOGRAPHIC_QUOTES } from './expression-errors.js';

export type Operator = 'eq' | 'matches';

export interface Clause {
  claim: string;
  operator: Operator;
  /** The comparand with quotes removed and `''` unescaped to `'`. */
  comparand: string;
  /** offsets of the clause in the source text */
  start: number;
  end: number;
  /** the clause's source text */
  text: string;
}

export const LOOKUP_OPEN = "claims['";

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

export function scanExpression(src: string): Clause[] {
  const clauses: Clause[] = [];
  let pos = 0;
  for (;;) {
    const clause = scanClause(src, pos, clauses.length === 0 ? 'at the start of the expression' : "after 'and'");
    clauses.push(clause);
    if (clause.end >= src.length) return clauses;
    pos = scanConnector(src, clause.end);
  }
}

function scanClause(src: string, start: number, context: string): Clause {
  if (!src.startsWith(LOOKUP_OPEN, start)) failClauseStart(src, start, context);
  const { claim, end: lookupEnd } = scanClaimName(src, start);
  const lookupText = src.slice(start, lookupEnd);
  const { operator, end: operatorEnd } = scanOperator(src, lookupEnd, lookupText);
  const { comparand, end } = scanComparand(src, operatorEnd, operator);
  return { claim, operator, comparand, start, end, text: src.slice(start, end) };
}

/** The name in `claims['<name>']` that starts at `start`, and where the lookup ends. */
function scanClaimName(src: string, start: number): { claim: string; end: number } {
  const nameStart = start + LOOKUP_OPEN.length;
  const nameEnd = src.indexOf("'", nameStart);
  if (nameEnd === -1) {
    fail(
      'EXPR_UNTERMINATED_STRING',
      nameStart - 1,
      `The claim name that starts at position ${nameStart - 1} has no closing single quote;` +
        " Entra expects claims['<claimName>'].",
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
  return { claim, end: nameEnd + 2 };
}

/** The operator after the space at `spacePos`, and where it ends. */
function scanOperator(src: string, spacePos: number, lookupText: string): { operator: Operator; end: number } {
  const opExpectation = 'an operator (eq or matches)';
  expectSingleSpace(src, spacePos, lookupText, opExpectation);
  const opPos = spacePos + 1;
  const expected = `Expected a single space and ${opExpectation} after ${lookupText} at position ${opPos}`;
  const word = readWord(src, opPos);
  if (word === '') {
    const ch = src[opPos]!;
    if (ch === "'" || ch === '"' || TYPOGRAPHIC_QUOTES.has(ch)) {
      fail(
        'EXPR_SYNTAX',
        opPos,
        `The operator is missing after ${lookupText}: expected eq or matches at position ${opPos},` +
          ` found the comparand ${describeFound(src, opPos)}.`,
      );
    }
    fail('EXPR_SYNTAX', opPos, `${expected}, found ${describeFound(src, opPos)}.`);
  }
  if (word !== 'eq' && word !== 'matches') {
    fail('EXPR_UNKNOWN_OPERATOR', opPos, `${expected}, found '${word}'.${unknownOperatorHint(word)}`);
  }
  return { operator: word, end: opPos + word.length };
}

function unknownOperatorHint(word: string): string {
  const lower = word.toLowerCase();
  if (lower === 'eq' || lower === 'matches') return ` Operators are case-sensitive: write '${lower}'.`;
  if (EQUALITY_SPELLINGS.has(lower)) return ' For an exact comparison write eq.';
  if (UNSUPPORTED_OPERATORS.has(lower))
    return (
      ` languageVersion 1 has no '${word}' operator: only eq and matches` +
      ' (use matches with * for prefix, suffix or substring tests).'
    );
  return ' Entra only knows eq (exact) and matches (wildcards * and ?).';
}

/** The quoted comparand after the space at `spacePos` (unescaped), and where the clause ends. */
function scanComparand(src: string, spacePos: number, operator: Operator): { comparand: string; end: number } {
  expectSingleSpace(src, spacePos, `'${operator}'`, 'a comparand in single quotes');
  const quotePos = spacePos + 1;
  const q = src[quotePos]!;
  if (q !== "'") {
    if (q === '"' || TYPOGRAPHIC_QUOTES.has(q)) {
      fail(
        'EXPR_SYNTAX',
        quotePos,
        `The comparand at position ${quotePos} must be enclosed in single quotes,` +
          ` found ${describeChar(q)}.${quoteHint(q)}`,
      );
    }
    fail(
      'EXPR_SYNTAX',
      quotePos,
      `Expected a comparand in single quotes after '${operator}' at position ${quotePos},` +
        ` found ${describeFound(src, quotePos)}.`,
    );
  }
  let comparand = '';
  let k = quotePos + 1;
  for (;;) {
    const close = src.indexOf("'", k);
    if (close === -1) failUnterminatedComparand(src, quotePos);
    comparand += src.slice(k, close);
    if (src[close + 1] !== "'") return { comparand, end: close + 1 };
    comparand += "'";
    k = close + 2;
  }
}

function failUnterminatedComparand(src: string, quotePos: number): never {
  const escapedTail = src.endsWith("''") && src.length - 2 > quotePos;
  const hint = escapedTail
    ? " The final '' is read as an escaped quote (a literal ' inside the comparand), not as the end of the comparand."
    : " A literal ' inside a comparand is written as two single quotes ('').";
  fail(
    'EXPR_UNTERMINATED_STRING',
    quotePos,
    `The comparand that starts at position ${quotePos} is not closed:` +
      ` Entra expects a closing single quote before the end of the expression.${hint}`,
  );
}
