/** Small, pure string comparisons used to explain a mismatch. */

/**
 * Part of two values' differing middle the edit distance looks at. A hostile token (a 150 KB
 * subject) against 1,000 long credentials took 59 s with 2,000 characters; the distance only
 * ranks credentials by nearness, and 200 characters past the common prefix decide that.
 */
const DISTANCE_SPAN = 200;

/**
 * Levenshtein distance of the values after their common prefix and suffix, exact when what
 * differs fits in DISTANCE_SPAN characters; beyond that an upper bound (the distance of the first
 * DISTANCE_SPAN characters plus the longer rest). Zero exactly when the values are equal.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let start = 0;
  const shorter = Math.min(a.length, b.length);
  while (start < shorter && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && a.charCodeAt(a.length - 1 - end) === b.charCodeAt(b.length - 1 - end)) end++;
  const restA = a.length - start - end;
  const restB = b.length - start - end;
  const n = Math.min(restA, DISTANCE_SPAN);
  const m = Math.min(restB, DISTANCE_SPAN);
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(start + i - 1);
    for (let j = 1; j <= m; j++) {
      const cost = ca === b.charCodeAt(start + j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m]! + Math.max(restA - n, restB - m);
}

/** Index of the first differing character, or -1 when equal. */
export function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Positions where two equal-length strings differ only in letter case. */
export function caseDifferences(a: string, b: string): number[] {
  if (a.length !== b.length) return [];
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

/** Values longer than this are shown as a window around their first difference. */
const SHOWN_CHARS = 160;
/** Characters of the window before the first difference. */
const SHOWN_BEFORE = 60;

/**
 * Three lines that show where two values part: both values and a caret under the
 * first difference. Used in messages and in the summary's code blocks. Long values show only
 * the part around the difference, marked with `…`: a message shows what can be read.
 */
export function diffLines(actualLabel: string, actual: string, expectedLabel: string, expected: string): string {
  const width = Math.max(actualLabel.length, expectedLabel.length);
  const at = firstDifference(actual, expected);
  const long = Math.max(actual.length, expected.length) > SHOWN_CHARS;
  const from = long ? Math.max(0, Math.min(at, actual.length, expected.length) - SHOWN_BEFORE) : 0;
  const shown = (v: string) => {
    if (from === 0 && v.length <= SHOWN_CHARS) return v;
    return `${from > 0 ? '…' : ''}${v.slice(from, from + SHOWN_CHARS)}${v.length > from + SHOWN_CHARS ? '…' : ''}`;
  };
  const lines = [
    `${actualLabel.padEnd(width)}  ${shown(actual)}`,
    `${expectedLabel.padEnd(width)}  ${shown(expected)}`,
  ];
  if (at >= 0) {
    const lead = from > 0 ? 1 : 0;
    const a = actual.slice(from, from + SHOWN_CHARS);
    const e = expected.slice(from, from + SHOWN_CHARS);
    const cases = caseDifferences(a, e);
    const marks =
      cases.length > 0 && actual.toLowerCase() === expected.toLowerCase()
        ? ' '.repeat(lead) +
          Array.from(a, (_, i) => (cases.includes(i) ? '^' : ' '))
            .join('')
            .trimEnd()
        : `${' '.repeat(at - from + lead)}^`;
    lines.push(`${' '.repeat(width)}  ${marks}`);
  }
  return lines.join('\n');
}

/** Quote a value for a POSIX shell (bash on runners, zsh/bash on laptops). */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@=-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A credential name Entra accepts: 3–120 chars, alphanumeric, dash or underscore, alphanumeric first. */
export function credentialNameFor(hint: string): string {
  let name = hint
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
  if (name.length < 3) name = `github-${name}`.replace(/-+$/, '') || 'github-actions';
  return name.slice(0, 120);
}
