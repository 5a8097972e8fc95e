/**
 * Errors of the claimsMatchingExpression parser (src/entra/flexible-expression.ts) and the words
 * its messages use for what it found: a character, a word, the end of the expression.
 */

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

/** Thrown by the scanner and the claim checks; parseClaimsMatchingExpression turns it into a result. */
export class ParseFailure {
  constructor(readonly error: ExpressionError) {}
}

export function fail(code: ExpressionErrorCode, position: number, message: string): never {
  throw new ParseFailure({ code, position, message });
}

export const TYPOGRAPHIC_QUOTES = new Set([
  '\u2018',
  '\u2019',
  '\u201A',
  '\u201B',
  '\u201C',
  '\u201D',
  '\u00B4',
  '\u0060',
]);

export function isWhitespace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

export function describeChar(ch: string): string {
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

/**
 * What sits at `pos`, for "found ..." in messages: the end, a whitespace character, or up to 20
 * characters up to the next space.
 */
export function describeFound(src: string, pos: number): string {
  if (pos >= src.length) return 'the end of the expression';
  const ch = src[pos]!;
  if (isWhitespace(ch)) return describeChar(ch);
  let end = pos;
  while (end < src.length && !isWhitespace(src[end]) && end - pos < 20) end++;
  const word = src.slice(pos, end);
  return `'${word}'${end < src.length && !isWhitespace(src[end]) ? '...' : ''}`;
}

export function quoteHint(ch: string | undefined): string {
  if (ch === undefined) return '';
  if (ch === '"') return " Entra only accepts single quotes (').";
  if (TYPOGRAPHIC_QUOTES.has(ch))
    return (
      ` ${describeChar(ch)} is a typographic quote; use the plain ASCII single quote (') instead` +
      " (copying from Microsoft's older docs pages introduces these)."
    );
  return '';
}
