/** Small, pure string comparisons used to explain a mismatch. */

/** Levenshtein distance; inputs are bounded (credential values are at most 600 chars). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, 2000);
  const m = Math.min(b.length, 2000);
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m]!;
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

/**
 * Three lines that show where two values part: both values and a caret under the
 * first difference. Used in messages and in the summary's code blocks.
 */
export function diffLines(actualLabel: string, actual: string, expectedLabel: string, expected: string): string {
  const width = Math.max(actualLabel.length, expectedLabel.length);
  const at = firstDifference(actual, expected);
  const lines = [`${actualLabel.padEnd(width)}  ${actual}`, `${expectedLabel.padEnd(width)}  ${expected}`];
  if (at >= 0) {
    const cases = caseDifferences(actual, expected);
    const marks = cases.length > 0 && actual.toLowerCase() === expected.toLowerCase()
      ? Array.from({ length: actual.length }, (_, i) => (cases.includes(i) ? '^' : ' ')).join('').trimEnd()
      : `${' '.repeat(at)}^`;
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
  let name = hint.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '');
  if (name.length < 3) name = `github-${name}`.replace(/-+$/, '') || 'github-actions';
  return name.slice(0, 120);
}
