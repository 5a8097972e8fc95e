/**
 * Set relations between Entra wildcard patterns (`*` any run, `?` one character), used to
 * compare predicted subject patterns with credentials. Pure, no regular expressions.
 */
import { wildcardMatch } from '../entra/flexible-expression.js';

export function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/**
 * Is there a string both patterns match? Product of the two patterns' automata, explored
 * without recursion: O(|a| x |b|) states.
 */
export function globsIntersect(a: string, b: string): boolean {
  const n = a.length;
  const m = b.length;
  const width = m + 1;
  const seen = new Uint8Array((n + 1) * width);
  const stack: number[] = [0];
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (seen[k]) continue;
    seen[k] = 1;
    const i = Math.floor(k / width);
    const j = k % width;
    if (i === n && j === m) return true;
    const ca = i < n ? a[i] : undefined;
    const cb = j < m ? b[j] : undefined;
    if (ca === '*') stack.push((i + 1) * width + j);
    if (cb === '*') stack.push(i * width + j + 1);
    if (ca !== undefined && cb !== undefined) {
      const anyA = ca === '*' || ca === '?';
      const anyB = cb === '*' || cb === '?';
      if (anyA || anyB || ca === cb) {
        const ni = ca === '*' ? i : i + 1;
        const nj = cb === '*' ? j : j + 1;
        if (ni !== i || nj !== j) stack.push(ni * width + nj);
      }
    }
  }
  return false;
}

/**
 * Does pattern `outer` match every string pattern `inner` matches? `inner` is read as text in
 * which its `*` can only be absorbed by a `*` of `outer`, and its `?` by a `?` or `*`.
 * Exact for the shapes subjects take; greedy, linear in practice.
 */
export function globCovers(outer: string, inner: string): boolean {
  if (!hasWildcard(inner)) return wildcardMatch(outer, inner);
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  const same = (pc: string, vc: string) => (pc === '?' ? vc !== '*' : pc === vc);
  while (v < inner.length) {
    const pc = outer[p];
    if (pc !== undefined && pc !== '*' && same(pc, inner[v]!)) {
      p++;
      v++;
    } else if (pc === '*') {
      starP = p++;
      starV = v;
    } else if (starP !== -1) {
      p = starP + 1;
      v = ++starV;
    } else return false;
  }
  while (outer[p] === '*') p++;
  return p === outer.length;
}
