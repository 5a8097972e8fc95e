/**
 * What the claimsMatchingExpression scanner (src/entra/expression-scanner.ts) requires around a
 * clause: exactly one space between the parts, `claims['` where a clause starts, and ` and `
 * between clauses. Most of this module explains what was found instead (docs/entra-matching.md §3).
 */

import { describeChar, describeFound, fail, isWhitespace, quoteHint, TYPOGRAPHIC_QUOTES } from './expression-errors.js';

/** Require exactly one space at `pos` followed by a non-whitespace character. */
export function expectSingleSpace(src: string, pos: number, after: string, expected: string): void {
  const wanted = `Expected a single space and ${expected} after ${after}`;
  if (pos >= src.length) {
    fail('EXPR_SYNTAX', pos, `${wanted} at position ${pos}, found the end of the expression.`);
  }
  const ch = src[pos]!;
  if (ch !== ' ') {
    const why = isWhitespace(ch) ? ' Entra requires exactly one ordinary space here.' : '';
    fail('EXPR_SYNTAX', pos, `${wanted} at position ${pos}, found ${describeFound(src, pos)}.${why}`);
  }
  if (isWhitespace(src[pos + 1])) {
    fail(
      'EXPR_SYNTAX',
      pos + 1,
      `${wanted}, found ${describeChar(src[pos + 1]!)} at position ${pos + 1} after the space at position ${pos};` +
        ' Entra requires exactly one space between the parts of an expression.',
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
export function readWord(src: string, pos: number): string {
  const re = /[^\s'"()[\]\u2018\u2019\u201C\u201D]+/y;
  re.lastIndex = pos;
  const m = re.exec(src);
  return m ? m[0] : '';
}

/** Explain what stands where a clause should start (`context` says where that is). */
export function failClauseStart(src: string, p: number, context: string): never {
  const expected = `a claim lookup claims['<claimName>'] ${context}`;
  if (p >= src.length)
    fail('EXPR_SYNTAX', p, `Expected ${expected} at position ${p}, found the end of the expression.`);
  const ch = src[p]!;
  if (isWhitespace(ch)) {
    if (p === 0)
      fail(
        'EXPR_SYNTAX',
        0,
        `The expression starts with ${describeChar(ch)} at position 0;` +
          " Entra expects it to start directly with claims['<claimName>'].",
      );
    fail('EXPR_SYNTAX', p, `Expected ${expected} at position ${p}, found ${describeChar(ch)}.`);
  }
  if (ch === '(' || ch === ')') {
    fail(
      'EXPR_SYNTAX',
      p,
      `Found '${ch}' at position ${p}: Entra's expression language has no parentheses; write clauses joined by` +
        " ' and ', e.g. claims['sub'] eq '...' and claims['job_workflow_ref'] matches '...'.",
    );
  }
  if (src.startsWith('not ', p) || ch === '!') {
    fail(
      'EXPR_UNKNOWN_OPERATOR',
      p,
      `Found ${describeFound(src, p)} at position ${p}:` +
        " Entra's expression language has no negation (only eq, matches and and).",
    );
  }
  if (src.startsWith('claims[', p)) failLookupQuote(src, p + 7);
  if (src.startsWith('claims.', p)) {
    fail(
      'EXPR_SYNTAX',
      p,
      `Found ${describeFound(src, p)} at position ${p}:` +
        " Entra looks claims up with claims['<claimName>'], not with a dot.",
    );
  }
  if (src.slice(p, p + 7).toLowerCase() === 'claims[' || src.slice(p, p + 7).toLowerCase() === 'claims.') {
    fail(
      'EXPR_SYNTAX',
      p,
      `Found ${describeFound(src, p)} at position ${p}:` +
        " the lookup is case-sensitive and must be written claims['<claimName>'] in lowercase.",
    );
  }
  fail('EXPR_SYNTAX', p, `Expected ${expected} at position ${p}, found ${describeFound(src, p)}.`);
}

/** `claims[` without the single quote that starts the claim name at `pos`. */
function failLookupQuote(src: string, pos: number): never {
  const q = src[pos];
  if (q === '"' || (q !== undefined && TYPOGRAPHIC_QUOTES.has(q))) {
    fail(
      'EXPR_SYNTAX',
      pos,
      `The claim name at position ${pos} must be in single quotes, as in claims['sub'];` +
        ` found ${describeChar(q)}.${quoteHint(q)}`,
    );
  }
  fail(
    'EXPR_SYNTAX',
    pos,
    `Expected a single quote at position ${pos} to start the claim name, as in claims['sub'];` +
      ` found ${describeFound(src, pos)}.`,
  );
}

const CONNECTOR_EXPECTED = "' and ' and another clause, or the end of the expression,";
const DOUBLE_THE_QUOTE = " If the comparand itself contains a single quote, write it as two single quotes ('').";

/** After a clause that ends at `pos` (< length): require " and " and return where the next clause starts. */
export function scanConnector(src: string, pos: number): number {
  const ch = src[pos]!;
  if (isWhitespace(ch) && src.slice(pos).trim() === '') {
    fail(
      'EXPR_SYNTAX',
      pos,
      `Found ${describeChar(ch)} at position ${pos} after the last comparand (trailing whitespace);` +
        ' Entra expects the expression to end right after the closing quote.',
    );
  }
  const afterComparand = `Expected ${CONNECTOR_EXPECTED} after the comparand that ends at position ${pos - 1}`;
  if (ch !== ' ') {
    fail(
      'EXPR_SYNTAX',
      pos,
      `${afterComparand}, found ${describeFound(src, pos)} at position ${pos}.` +
        (isWhitespace(ch) ? ' Entra requires exactly one ordinary space here.' : DOUBLE_THE_QUOTE),
    );
  }
  if (isWhitespace(src[pos + 1])) {
    fail(
      'EXPR_SYNTAX',
      pos + 1,
      `${afterComparand}, found ${describeChar(src[pos + 1]!)} at position ${pos + 1} after the space;` +
        " Entra requires exactly one space around 'and'.",
    );
  }
  const wordPos = pos + 1;
  const word = readWord(src, wordPos);
  if (word === 'and') {
    const after = wordPos + 3;
    expectSingleSpace(src, after, "'and'", "another clause claims['<claimName>'] ...");
    return after + 1;
  }
  failConnectorWord(src, wordPos, word);
  fail(
    'EXPR_SYNTAX',
    wordPos,
    `${afterComparand}, found ${describeFound(src, wordPos)} at position ${wordPos}.${DOUBLE_THE_QUOTE}`,
  );
}

/** Explain a word at `wordPos` that stands where ' and ' should (returns when it is no known mistake). */
function failConnectorWord(src: string, wordPos: number, word: string): void {
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
      `Found '${word}' at position ${wordPos}: Entra's expression language has no 'or' (only eq, matches and 'and').` +
        ' Use one flexible credential per alternative, or a matches wildcard that covers both.',
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
      `Found '${word}' at position ${wordPos}:` +
        " Entra's expression language has no negation; clauses can only be joined with 'and'.",
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
      `Expected 'and' between clauses at position ${wordPos}, found ${describeFound(src, wordPos)}:` +
        " clauses must be joined with ' and '.",
    );
  }
  if (word !== '' && /^[A-Za-z|&!=<>~]+$/.test(word)) {
    fail(
      'EXPR_UNKNOWN_OPERATOR',
      wordPos,
      `Expected 'and' at position ${wordPos} to join another clause, found '${word}'.` +
        " Clauses can only be joined with 'and'.",
    );
  }
}
