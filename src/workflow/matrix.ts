/**
 * The legs (combinations) of a `strategy.matrix`, as GitHub expands them: the product of the
 * dimensions, minus `exclude` entries (partial matches), then each `include` entry merged into
 * every leg whose original values it does not change, or added as a leg of its own. Values keep
 * their shape (objects: `matrix.target.name`). `${{ }}` dimensions or a whole-matrix expression
 * (`fromJSON(inputs.environments)`) are evaluated in the run's context. Pure.
 */
import { evaluate, isMarker, OPEN, UNKNOWN, type Context, type Json, type Value } from './expression.js';
import type { JobMatrix } from './parse.js';

export type Leg = Record<string, Value>;

interface MatrixLegs {
  legs: Leg[];
  /** Some dimension (or the whole matrix) is only known at run time. */
  unknown: boolean;
}

/** GitHub's own limit of legs per matrix. */
const MAX_LEGS = 256;

function wholeExpression(s: string): string | undefined {
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(s);
  return m && !m[1]!.includes('}}') ? m[1] : undefined;
}

/** A `${{ }}` string evaluated; a plain value as it is. Unknown results are `UNKNOWN`. */
function resolve(v: Json, ctx: Context): Value {
  if (typeof v !== 'string') return v;
  const expr = wholeExpression(v);
  if (expr === undefined) return v;
  const values = evaluate(expr, ctx);
  return values.length === 1 ? values[0]! : UNKNOWN;
}

function same(a: Value, b: Value): boolean {
  if (isMarker(a) || isMarker(b)) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function isRecord(v: Value): v is Record<string, Json> {
  return !isMarker(v) && v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Expand a matrix for one run. No matrix: one empty leg. */
export function matrixLegs(matrix: JobMatrix | undefined, ctx: Context): MatrixLegs {
  if (!matrix || matrix.value === undefined) return { legs: [{}], unknown: false };
  const value = resolve(matrix.value, ctx);
  // Built at run time: any key, any value.
  if (!isRecord(value)) return { legs: [{ [OPEN]: true } as Leg], unknown: true };
  let unknown = false;
  const dims: Array<[string, Value[]]> = [];
  for (const [key, raw] of Object.entries(value)) {
    if (key === 'include' || key === 'exclude') continue;
    const v = resolve(raw, ctx);
    if (Array.isArray(v)) dims.push([key, v]);
    else {
      unknown = true;
      dims.push([key, [UNKNOWN]]);
    }
  }
  let legs: Leg[] = dims.length > 0 ? [{}] : [];
  for (const [key, values] of dims) {
    const next: Leg[] = [];
    for (const leg of legs) for (const v of values) next.push({ ...leg, [key]: v });
    legs = next.slice(0, MAX_LEGS);
  }
  const list = (k: string): Array<Record<string, Json>> => {
    const v = resolve(value[k] ?? null, ctx);
    if (isMarker(v)) unknown = true;
    return Array.isArray(v) ? v.filter((e): e is Record<string, Json> => isRecord(e)) : [];
  };
  const exclude = list('exclude');
  legs = legs.filter((leg) => !exclude.some((x) => Object.entries(x).every(([k, v]) => same(leg[k] ?? null, v))));
  const originalKeys = new Set(dims.map(([k]) => k));
  const originals = legs.length;
  for (const entry of list('include')) {
    let merged = false;
    for (let i = 0; i < originals; i++) {
      const leg = legs[i]!;
      const fits = Object.entries(entry).every(
        ([k, v]) => !originalKeys.has(k) || same(leg[k] ?? null, v) || isMarker(leg[k]),
      );
      if (!fits) continue;
      legs[i] = { ...leg, ...entry };
      merged = true;
    }
    if (!merged && legs.length < MAX_LEGS) legs.push({ ...entry });
  }
  return { legs: legs.length > 0 ? legs : [{}], unknown };
}
