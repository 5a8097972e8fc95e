/**
 * The yaml library's node checks (isMap, ...) and line counter, for the code that reads nodes but does not
 * parse: the fast reader's nodes and the library's carry the same marks (fast-yaml.ts). Importing any name
 * from the library's package brings its whole parser (about 100 KB, the largest part of the audit's code) into
 * the chunk: esbuild cannot split one package's index between chunks (scripts/bundle.mjs). So the audit path
 * checks the library's marks here and imports the library only in yaml-library.ts, loaded when a file needs it.
 * Same tests and same results as yaml's src/nodes/identity.ts and src/parse/line-counter.ts.
 */
import type { Alias, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

export const NODE_TYPE = Symbol.for('yaml.node.type');
const ALIAS = Symbol.for('yaml.alias');
export const MAP = Symbol.for('yaml.map');
export const PAIR = Symbol.for('yaml.pair');
export const SCALAR = Symbol.for('yaml.scalar');
export const SEQ = Symbol.for('yaml.seq');

function marked(node: unknown, type: symbol): boolean {
  return !!node && typeof node === 'object' && (node as Record<symbol, unknown>)[NODE_TYPE] === type;
}

export const isAlias = (node: unknown): node is Alias => marked(node, ALIAS);
export const isMap = (node: unknown): node is YAMLMap<unknown, unknown> => marked(node, MAP);
export const isPair = (node: unknown): node is Pair<unknown, unknown> => marked(node, PAIR);
export const isScalar = (node: unknown): node is Scalar<unknown> => marked(node, SCALAR);
export const isSeq = (node: unknown): node is YAMLSeq<unknown> => marked(node, SEQ);

/**
 * 1-based `{ line, col }` of an offset from the offsets where lines start; the yaml library fills it
 * while parsing (its `lineCounter` option), the fast reader's caller from the text.
 */
export class LineCounter {
  readonly lineStarts: number[] = [];
  /** Called in ascending order. */
  readonly addNewLine = (offset: number): number => this.lineStarts.push(offset);
  /** `line` 0 when no line starts at or before `offset`. */
  readonly linePos = (offset: number): { line: number; col: number } => {
    let low = 0;
    let high = this.lineStarts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.lineStarts[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    if (this.lineStarts[low] === offset) return { line: low + 1, col: 1 };
    if (low === 0) return { line: 0, col: offset };
    const start = this.lineStarts[low - 1]!;
    return { line: low, col: offset - start + 1 };
  };
}
