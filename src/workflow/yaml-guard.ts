/**
 * A guard in front of the YAML parser. The yaml library composes nested collections
 * recursively: a few thousand levels (`- - - - x`, `[[[[`) exhaust the stack, and when V8
 * happens to compile a regular expression that deep, the process dies with a fatal
 * "RegExpCompiler Allocation failed", which no try/catch can catch. Credentials and workflows
 * are never nested more than a handful of levels, so deeper text is refused before parsing.
 * Pure, linear in the text, never throws.
 */
export const MAX_YAML_DEPTH = 64;

/** True when the text nests deeper than `max` levels (flow brackets, indentation, `- `/`? ` indicators). */
export function yamlTooDeep(text: string, max = MAX_YAML_DEPTH): boolean {
  // Flow collections: brackets are counted without regard to quoting, which can only over-count.
  // Found by a regular expression, not a loop over every character: the guard runs once per file, before
  // the JIT has compiled anything, and interpreted loops over 250 KB cost tens of milliseconds.
  let flow = 0;
  const brackets = /[[\]{}]/g;
  for (let m = brackets.exec(text); m !== null; m = brackets.exec(text)) {
    const c = m[0];
    if (c === '[' || c === '{') {
      if (++flow > max) return true;
    } else if (flow > 0) flow--;
  }
  // Block collections: a stack of the columns that opened a level on the lines so far.
  const stack: number[] = [];
  const blanks = /[ \t]*/y;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    blanks.lastIndex = pos;
    let col = Math.min(end, pos + (blanks.exec(text)?.[0].length ?? 0));
    if (col < end && text[col] !== '#' && text[col] !== '\r') {
      for (;;) {
        const indent = col - pos;
        while (stack.length && stack[stack.length - 1]! >= indent) stack.pop();
        stack.push(indent);
        if (stack.length > max) return true;
        // A compact nested entry on the same line (`- - x`, `? - x`) opens another level.
        const ch = text[col];
        if ((ch === '-' || ch === '?') && (text[col + 1] === ' ' || text[col + 1] === '\t')) {
          blanks.lastIndex = col + 2;
          col = Math.min(end, col + 2 + (blanks.exec(text)?.[0].length ?? 0));
          if (col < end) continue;
        }
        break;
      }
    }
    pos = end + 1;
  }
  return false;
}
