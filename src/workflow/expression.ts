/**
 * GitHub Actions expressions (`if:`, `${{ }}`), evaluated over what a workflow file tells about
 * one run: the values an expression can take, with markers for what is only known at run time.
 * Follows GitHub's documented rules (docs/github-oidc.md links them): loose `==` that ignores
 * case for strings and coerces other types to numbers, `&&`/`||` returning an operand,
 * `startsWith`/`endsWith`/`contains` ignoring case. Pure; never throws (a parse error is unknown).
 * Hand-written because no runtime package evaluates Actions expressions.
 */

/** A value only known at run time: any value, a truthy one, or a falsy one. */
export const UNKNOWN = Symbol('unknown');
const UNKNOWN_TRUTHY = Symbol('unknown-truthy');
const UNKNOWN_FALSY = Symbol('unknown-falsy');
type Marker = typeof UNKNOWN | typeof UNKNOWN_TRUTHY | typeof UNKNOWN_FALSY;

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A string known only as a pattern (`refs/pull/*\/merge`, `refs/heads/*`): `*` is any text. */
export class Pattern {
  constructor(readonly glob: string) {}
  /** The parts between the wildcards, lower-cased (comparisons ignore case). */
  get parts(): string[] {
    return this.glob.toLowerCase().split('*');
  }
  matches(text: string): boolean {
    const re = new RegExp(`^${this.parts.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`);
    return re.test(text.toLowerCase());
  }
}

export type Value = Json | Marker | Pattern;

/** A context object whose missing keys are unknown (e.g. `github.event`), not null. */
export const OPEN = Symbol('open');
export interface Context {
  [key: string]: Value | Context;
}

const MAX_VALUES = 32;

export function isMarker(v: unknown): v is Marker | Pattern {
  return v === UNKNOWN || v === UNKNOWN_TRUTHY || v === UNKNOWN_FALSY || v instanceof Pattern;
}

/** `yes` when every possible value is truthy, `no` when every one is falsy. */
function truthiness(values: readonly Value[]): 'yes' | 'no' | 'maybe' {
  let t = false;
  let f = false;
  for (const v of values) {
    const x = truthy(v);
    if (x === undefined) return 'maybe';
    if (x) t = true;
    else f = true;
  }
  return t && f ? 'maybe' : t ? 'yes' : 'no';
}

function truthy(v: Value): boolean | undefined {
  if (v === UNKNOWN) return undefined;
  if (v === UNKNOWN_TRUTHY) return true;
  if (v === UNKNOWN_FALSY) return false;
  if (v instanceof Pattern) return v.glob.replace(/\*/g, '') !== '' ? true : undefined;
  if (v === null || v === false || v === 0 || v === '') return false;
  if (typeof v === 'number' && Number.isNaN(v)) return false;
  return true;
}

/** The text an expression value takes inside a string (`${{ }}` interpolation); undefined when unknown. */
function asText(v: Value): string | undefined {
  if (isMarker(v)) return undefined;
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------
// Parsing

type Node =
  | { t: 'lit'; v: Json }
  | { t: 'path'; head: string; parts: Array<string | Node | '*'> }
  | { t: 'call'; name: string; args: Node[] }
  | { t: 'not'; a: Node }
  | { t: 'bin'; op: string; a: Node; b: Node }
  | { t: 'index'; obj: Node; parts: Array<string | Node | '*'> };

type Tok = { k: 'str' | 'num' | 'id' | 'op'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error('unterminated string');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ k: 'str', v: s });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      out.push({ k: 'op', v: two });
      i += 2;
      continue;
    }
    if ('()[],.!<>*'.includes(c)) {
      out.push({ k: 'op', v: c });
      i++;
      continue;
    }
    const num = /^(?:0x[0-9a-fA-F]+|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/.exec(src.slice(i));
    if (num && (out.length === 0 || out[out.length - 1]!.v !== '.')) {
      out.push({ k: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][\w-]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    throw new Error(`unexpected ${c}`);
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private eat(v?: string): Tok {
    const t = this.toks[this.i];
    if (!t || (v !== undefined && t.v !== v)) throw new Error(`expected ${v ?? 'a token'}`);
    this.i++;
    return t;
  }
  parse(): Node {
    const n = this.or();
    if (this.i < this.toks.length) throw new Error('trailing tokens');
    return n;
  }
  private or(): Node {
    let a = this.and();
    while (this.peek()?.v === '||') {
      this.i++;
      a = { t: 'bin', op: '||', a, b: this.and() };
    }
    return a;
  }
  private and(): Node {
    let a = this.cmp();
    while (this.peek()?.v === '&&') {
      this.i++;
      a = { t: 'bin', op: '&&', a, b: this.cmp() };
    }
    return a;
  }
  private cmp(): Node {
    let a = this.unary();
    for (;;) {
      const op = this.peek();
      if (op?.k !== 'op' || !['==', '!=', '<', '>', '<=', '>='].includes(op.v)) return a;
      this.i++;
      a = { t: 'bin', op: op.v, a, b: this.unary() };
    }
  }
  private unary(): Node {
    if (this.peek()?.v === '!') {
      this.i++;
      return { t: 'not', a: this.unary() };
    }
    return this.postfix(this.primary());
  }
  private postfix(n: Node): Node {
    const parts: Array<string | Node | '*'> = [];
    for (;;) {
      const t = this.peek();
      if (t?.v === '.') {
        this.i++;
        const nx = this.eat();
        parts.push(nx.v === '*' ? '*' : nx.v);
      } else if (t?.v === '[') {
        this.i++;
        if (this.peek()?.v === '*') {
          this.i++;
          parts.push('*');
        } else parts.push(this.or());
        this.eat(']');
      } else break;
    }
    if (parts.length === 0) return n;
    if (n.t === 'path') return { ...n, parts: [...n.parts, ...parts] };
    return { t: 'index', obj: n, parts };
  }
  private primary(): Node {
    const t = this.eat();
    if (t.k === 'str') return { t: 'lit', v: t.v };
    if (t.k === 'num') return { t: 'lit', v: Number(t.v) };
    if (t.v === '(') {
      const n = this.or();
      this.eat(')');
      return n;
    }
    if (t.k === 'id') {
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true' };
      if (t.v === 'null') return { t: 'lit', v: null };
      if (this.peek()?.v === '(') {
        this.i++;
        const args: Node[] = [];
        if (this.peek()?.v !== ')') {
          args.push(this.or());
          while (this.peek()?.v === ',') {
            this.i++;
            args.push(this.or());
          }
        }
        this.eat(')');
        return { t: 'call', name: t.v.toLowerCase(), args };
      }
      return { t: 'path', head: t.v, parts: [] };
    }
    throw new Error(`unexpected ${t.v}`);
  }
}

const parsed = new Map<string, Node | null>();

function parseExpression(src: string): Node | null {
  const hit = parsed.get(src);
  if (hit !== undefined) return hit;
  let node: Node | null;
  try {
    node = new Parser(tokenize(src)).parse();
  } catch {
    node = null;
  }
  if (parsed.size > 5000) parsed.clear();
  parsed.set(src, node);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function uniq(values: Value[]): Value[] {
  const out: Value[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    const key = v instanceof Pattern ? `pattern:${v.glob}` : isMarker(v) ? v.toString() : JSON.stringify(v);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out.length > MAX_VALUES ? [UNKNOWN] : out;
}

function toNumber(v: Json): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return NaN;
}

function looseEquals(a: Json, b: Json): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && typeof a !== 'object') return a === b;
  if (a === null && b === null) return true;
  // Objects and arrays are equal only to themselves; null, booleans and strings become numbers.
  if ((a !== null && typeof a === 'object') || (b !== null && typeof b === 'object')) return a === b;
  return toNumber(a) === toNumber(b);
}

function compare(op: string, a: Value, b: Value): Value {
  const pattern = a instanceof Pattern ? a : b instanceof Pattern ? b : undefined;
  const other = pattern === a ? b : a;
  if (pattern && typeof other === 'string' && (op === '==' || op === '!=')) {
    // A text the pattern cannot produce is certainly different.
    if (!pattern.matches(other)) return op === '!=';
    return UNKNOWN;
  }
  if (isMarker(a) || isMarker(b)) return UNKNOWN;
  if (op === '==') return looseEquals(a, b);
  if (op === '!=') return !looseEquals(a, b);
  const x =
    typeof a === 'string' && typeof b === 'string'
      ? a.toLowerCase().localeCompare(b.toLowerCase())
      : toNumber(a) - toNumber(b);
  if (Number.isNaN(x)) return false;
  return op === '<' ? x < 0 : op === '>' ? x > 0 : op === '<=' ? x <= 0 : x >= 0;
}

function member(obj: Value | Context, key: string): Value | Context {
  if (isMarker(obj)) return UNKNOWN;
  if (obj === null || typeof obj !== 'object') return null;
  if (Array.isArray(obj)) {
    const n = Number(key);
    return Number.isInteger(n) ? ((obj[n] as Json | undefined) ?? null) : null;
  }
  const rec = obj as Record<string | symbol, unknown>;
  // Own keys only, matched case-insensitively as GitHub does.
  const own = Object.hasOwn(rec, key) ? key : Object.keys(rec).find((k) => k.toLowerCase() === key.toLowerCase());
  if (own !== undefined) return rec[own] as Value | Context;
  return rec[OPEN] ? UNKNOWN : null;
}

function asValue(v: Value | Context): Value {
  if (isMarker(v) || v === null || typeof v !== 'object') return v as Value;
  if ((v as Record<symbol, unknown>)[OPEN]) return UNKNOWN;
  return v as Json;
}

/** `startsWith`/`endsWith`/`contains` of a pattern: decided when its fixed parts decide it. */
function patternTest(name: string, p: Pattern, t: string): Value {
  const parts = p.parts;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (name === 'startswith') {
    if (first.startsWith(t)) return true;
    return t.startsWith(first) ? UNKNOWN : false;
  }
  if (name === 'endswith') {
    if (last.endsWith(t)) return true;
    return t.endsWith(last) ? UNKNOWN : false;
  }
  return parts.some((x) => x.includes(t)) ? true : UNKNOWN;
}

class Evaluator {
  constructor(private readonly ctx: Context) {}

  eval(n: Node): Value[] {
    switch (n.t) {
      case 'lit':
        return [n.v];
      case 'path':
        return this.path(this.ctx[n.head] ?? (Object.hasOwn(this.ctx, n.head) ? null : UNKNOWN), n.parts);
      case 'index':
        return uniq(this.eval(n.obj).flatMap((v) => this.path(v, n.parts)));
      case 'not':
        return uniq(this.eval(n.a).map((v) => (v === UNKNOWN ? UNKNOWN : !truthy(v))));
      case 'bin':
        return this.binary(n.op, n.a, n.b);
      case 'call':
        return this.call(n.name, n.args);
    }
  }

  private path(start: Value | Context, parts: Array<string | Node | '*'>): Value[] {
    let cur: Array<Value | Context> = [start];
    for (const p of parts) {
      if (p === '*') return [UNKNOWN];
      const keys: Value[] = typeof p === 'string' ? [p] : this.eval(p);
      const next: Array<Value | Context> = [];
      for (const c of cur)
        for (const k of keys) next.push(isMarker(k) ? UNKNOWN : member(c, typeof k === 'string' ? k : String(k)));
      cur = next;
    }
    return uniq(cur.map(asValue));
  }

  private binary(op: string, an: Node, bn: Node): Value[] {
    const a = this.eval(an);
    if (op === '&&' || op === '||') {
      const out: Value[] = [];
      let b: Value[] | undefined;
      const right = () => (b ??= this.eval(bn));
      for (const v of a) {
        const t = truthy(v);
        if (t === undefined) {
          // Unknown left: the result is the left value (when it decides) or the right one.
          out.push(op === '&&' ? UNKNOWN_FALSY : UNKNOWN_TRUTHY, ...right());
        } else if ((op === '&&') === t) out.push(...right());
        else out.push(v);
      }
      return uniq(out);
    }
    const b = this.eval(bn);
    const out: Value[] = [];
    for (const x of a) for (const y of b) out.push(compare(op, x, y));
    return uniq(out);
  }

  private call(name: string, args: Node[]): Value[] {
    switch (name) {
      case 'success':
      case 'always':
        return [true];
      case 'cancelled':
        return [false];
      case 'failure':
        return [UNKNOWN];
      case 'startswith':
      case 'endswith':
      case 'contains':
        return this.stringTest(name, args);
      case 'format':
        return this.format(args);
      case 'fromjson':
        return uniq(
          this.arg(args, 0).map((v) => {
            if (typeof v !== 'string') return UNKNOWN;
            try {
              return JSON.parse(v) as Json;
            } catch {
              return UNKNOWN;
            }
          }),
        );
      case 'tojson':
        return uniq(this.arg(args, 0).map((v) => (isMarker(v) ? UNKNOWN : JSON.stringify(v))));
      default:
        return [UNKNOWN];
    }
  }

  private arg(args: Node[], i: number): Value[] {
    const n = args[i];
    return n ? this.eval(n) : [null];
  }

  private stringTest(name: string, args: Node[]): Value[] {
    const out: Value[] = [];
    for (const a of this.arg(args, 0))
      for (const b of this.arg(args, 1)) {
        if (a instanceof Pattern && typeof b === 'string') {
          out.push(patternTest(name, a, b.toLowerCase()));
          continue;
        }
        if (isMarker(a) || isMarker(b)) {
          out.push(UNKNOWN);
          continue;
        }
        if (name === 'contains' && Array.isArray(a)) {
          out.push(a.some((x) => looseEquals(x, b)));
          continue;
        }
        const s = (asText(a) ?? '').toLowerCase();
        const t = (asText(b) ?? '').toLowerCase();
        out.push(name === 'startswith' ? s.startsWith(t) : name === 'endswith' ? s.endsWith(t) : s.includes(t));
      }
    return uniq(out);
  }

  private format(args: Node[]): Value[] {
    let results: Value[] = this.arg(args, 0);
    const rest = args.slice(1).map((a) => this.eval(a));
    const out: Value[] = [];
    for (const f of results) {
      if (typeof f !== 'string') {
        out.push(UNKNOWN);
        continue;
      }
      let combos: string[] | undefined = [f];
      rest.forEach((vals, i) => {
        if (!combos) return;
        const texts = vals.map(asText);
        if (texts.some((t) => t === undefined)) combos = undefined;
        else combos = combos.flatMap((c) => texts.map((t) => c.split(`{${i}}`).join(t!)));
      });
      if (combos) out.push(...combos);
      else out.push(UNKNOWN);
    }
    results = out;
    return uniq(results);
  }
}

/** The possible values of an expression (without `${{ }}`) in a context; `[UNKNOWN]` when it does not parse. */
export function evaluate(expression: string, ctx: Context): Value[] {
  const node = parseExpression(expression.trim());
  if (!node) return [UNKNOWN];
  try {
    return new Evaluator(ctx).eval(node);
  } catch {
    return [UNKNOWN];
  }
}

/** An `if:` condition: `${{ }}` around it is optional; empty is true. */
export function evaluateCondition(condition: string | undefined, ctx: Context): 'yes' | 'no' | 'maybe' {
  if (condition === undefined) return 'yes';
  let c = condition.trim();
  if (c === '') return 'yes';
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(c);
  if (whole && !whole[1]!.includes('}}')) c = whole[1]!;
  else if (c.includes('${{')) {
    // Text around `${{ }}` makes a non-empty string: always true (a well-known GitHub pitfall).
    return 'yes';
  }
  return truthiness(evaluate(c, ctx));
}

/** One text a `${{ }}` string can become; unknown parts are `*`. */
interface Text {
  text: string;
  /** No part was unknown. */
  known: boolean;
  /** Every part had one possible value (not one of several an unknown condition picks from). */
  certain: boolean;
}

/** A string with `${{ }}` parts: every text it can become (up to a limit). */
export function interpolate(template: string, ctx: Context): Text[] {
  let variants: Text[] = [{ text: '', known: true, certain: true }];
  const re = /\$\{\{([\s\S]*?)\}\}/g;
  let last = 0;
  const append = (parts: Text[]) => {
    const next = new Map<string, Text>();
    for (const v of variants)
      for (const p of parts) {
        const text = (v.text + p.text).replace(/\*+/g, '*');
        const prev = next.get(text);
        next.set(text, {
          text,
          known: (v.known && p.known) || (prev?.known ?? false),
          certain: (v.certain && p.certain) || (prev?.certain ?? false),
        });
      }
    variants = [...next.values()];
    if (variants.length > MAX_VALUES) variants = [{ text: '*', known: false, certain: false }];
  };
  for (const m of template.matchAll(re)) {
    if (m.index > last) append([{ text: template.slice(last, m.index), known: true, certain: true }]);
    const values = evaluate(m[1] ?? '', ctx);
    append(
      values.map((v) => {
        const t = asText(v);
        return t === undefined
          ? { text: '*', known: false, certain: false }
          : { text: t, known: true, certain: values.length === 1 };
      }),
    );
    last = m.index + m[0].length;
  }
  if (last < template.length) append([{ text: template.slice(last), known: true, certain: true }]);
  return variants;
}
