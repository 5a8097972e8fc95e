/**
 * A thin reader over the yaml library's document: scalars as written, maps with `<<` merges,
 * aliases followed with a depth limit, and 1-based positions for every node. Throws only when
 * merge keys expand past their budget (the caller reports the file as not read).
 */
import type { Document, Node } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter } from './yaml-nodes.js';
import type { Json } from './expression.js';
import type { TriggerFilter, WorkflowError } from './parse.js';

const MAX_ALIAS_DEPTH = 16;
/**
 * Entries `<<` merges may bring into one workflow. A 270 KB file whose 999 jobs each merge a map
 * of 20,000 keys took 81 s; real workflows merge a few small maps (tens of entries).
 */
const MAX_MERGED_ENTRIES = 100_000;

export type Any = Node | null | undefined;

/** A record with no prototype, so keys like `__proto__` stay plain keys. */
export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export class Reader {
  readonly lc = new LineCounter();
  readonly errors: WorkflowError[] = [];
  doc!: Document.Parsed;
  /** Each alias's node, found once (see yaml-aliases.ts). */
  aliases = new Map<unknown, unknown>();
  /** Each map's entries with merges expanded, by map. */
  private readonly entryCache = new Map<unknown, Array<[string, Any, Node]>>();
  /** Entries merge keys have brought in so far, each map counted once (MAX_MERGED_ENTRIES). */
  private mergedEntries = 0;

  constructor(readonly text: string) {}

  pos(offset: number | undefined): { line: number; column: number } {
    if (offset === undefined || !Number.isFinite(offset)) return { line: 1, column: 1 };
    const p = this.lc.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line: p.line || 1, column: p.col || 1 };
  }

  start(node: unknown): { line: number; column: number } {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return this.pos(range?.[0]);
  }

  line(node: unknown): number {
    return this.start(node).line;
  }

  schema(node: unknown, message: string): void {
    const p = this.start(node);
    this.errors.push({ kind: 'schema', message, line: p.line, column: p.column });
  }

  /** Follow aliases to the node they name. */
  deref(node: Any, depth = 0): Any {
    let n: unknown = node;
    let d = depth;
    while (isAlias(n)) {
      if (d++ > MAX_ALIAS_DEPTH) return undefined;
      n = this.aliases.get(n);
    }
    return n as Any;
  }

  /** A scalar's text: strings as they are, other scalars as written in the source. */
  str(node: Any): string | undefined {
    const n = this.deref(node);
    if (!isScalar(n)) return undefined;
    const v = n.value;
    if (typeof v === 'string') return v;
    if (v === null || v === undefined) return '';
    if (n.range) {
      const raw = this.text.slice(n.range[0], n.range[1]).trim();
      if (raw && !/^[&!*]/.test(raw)) return raw;
    }
    return String(v);
  }

  /**
   * The entries of a map as [key, value node, key node]; `<<` merges are expanded
   * (own keys win), keys that are not scalars are skipped.
   */
  entries(node: Any, depth = 0, visited: Set<unknown> = new Set()): Array<[string, Any, Node]> {
    const map = this.deref(node);
    if (!isMap(map) || visited.has(map)) return [];
    // A lookup from the top is the same every time: expanded once per map, whatever asks again.
    const top = depth === 0;
    const cached = top ? this.entryCache.get(map) : undefined;
    if (cached) return cached;
    // Each map is expanded once per lookup: nested `<<: [*a, *a, ...]` cannot blow up.
    visited.add(map);
    const own: Array<[string, Any, Node]> = [];
    const merged: Array<[string, Any, Node]> = [];
    for (const item of map.items) {
      if (!isPair(item)) continue;
      const keyNode = item.key as Node;
      const key = this.str(keyNode as Any);
      if (key === undefined) continue;
      if (key === '<<' && isScalar(keyNode) && depth < MAX_ALIAS_DEPTH) {
        const src = this.deref(item.value as Any);
        const sources = isSeq(src) ? src.items.map((i) => i as Any) : [src];
        for (const s of sources) for (const e of this.entries(s, depth + 1, visited)) merged.push(e);
        continue;
      }
      own.push([key, item.value as Any, keyNode]);
    }
    this.mergedEntries += merged.length;
    if (this.mergedEntries > MAX_MERGED_ENTRIES)
      throw new Error(`merge keys (<<) expand to more than ${MAX_MERGED_ENTRIES} entries; this workflow is not read`);
    if (merged.length === 0) {
      if (top) this.entryCache.set(map, own);
      return own;
    }
    const seen = new Set(own.map(([k]) => k));
    const out = [...own];
    for (const e of merged) {
      if (seen.has(e[0])) continue;
      seen.add(e[0]);
      out.push(e);
    }
    if (top) this.entryCache.set(map, out);
    return out;
  }

  get(node: Any, key: string): { value: Any; keyNode: Node } | undefined {
    for (const [k, value, keyNode] of this.entries(node)) if (k === key) return { value, keyNode };
    return undefined;
  }

  items(node: Any): Any[] {
    const seq = this.deref(node);
    return isSeq(seq) ? seq.items.map((i) => i as Any) : [];
  }

  isMap(node: Any): boolean {
    return isMap(this.deref(node));
  }

  isSeq(node: Any): boolean {
    return isSeq(this.deref(node));
  }

  isScalar(node: Any): boolean {
    return isScalar(this.deref(node));
  }

  /** A string or a list of strings (`branches: main` or `branches: [main, dev]`). */
  filter(keyNode: Node, value: Any): TriggerFilter {
    const line = this.line(keyNode);
    const values: string[] = [];
    const valueLines: number[] = [];
    if (this.isSeq(value)) {
      for (const item of this.items(value)) {
        const s = this.str(item);
        if (s === undefined) {
          this.schema(item ?? keyNode, 'Filter values must be strings');
          continue;
        }
        values.push(s);
        valueLines.push(this.line(item));
      }
    } else {
      const s = this.str(value);
      if (s !== undefined && s !== '') {
        values.push(s);
        valueLines.push(this.line(value));
      } else if (s === undefined) this.schema(value ?? keyNode, 'A filter must be a string or a list of strings');
    }
    return { line, values, valueLines };
  }

  /** A node as plain data (maps with `<<` merges, lists, typed scalars); bounded in depth and size. */
  json(node: Any, depth = 0, budget = { left: 10_000 }): Json {
    const n = this.deref(node);
    if (--budget.left < 0 || depth > MAX_ALIAS_DEPTH) return null;
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
      if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
      return this.str(n) ?? null;
    }
    if (isSeq(n)) return n.items.map((i) => this.json(i as Any, depth + 1, budget));
    if (isMap(n)) {
      const out = record<Json>();
      for (const [k, v] of this.entries(n)) out[k] = this.json(v, depth + 1, budget);
      return out;
    }
    return null;
  }

  /** `key: value` pairs of scalars with their lines (`with:`, `env:`). */
  scalarMap(node: Any, what: string): { values: Record<string, string>; lines: Record<string, number> } {
    const values = record<string>();
    const lines = record<number>();
    const n = this.deref(node);
    if (n === undefined || n === null) return { values, lines };
    if (isScalar(n)) {
      // `env: ${{ fromJSON(...) }}` is allowed; there is nothing to read statically.
      if (typeof n.value === 'string' && /\$\{\{/.test(n.value)) return { values, lines };
      if (n.value === null) return { values, lines };
    }
    if (!isMap(n)) {
      this.schema(n, `${what} must be a map`);
      return { values, lines };
    }
    for (const [k, v, keyNode] of this.entries(n)) {
      const s = this.str(v);
      values[k] = s ?? '';
      lines[k] = this.line(keyNode);
    }
    return { values, lines };
  }
}
