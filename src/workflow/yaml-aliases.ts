/**
 * Linear walks over a parsed workflow that replace two quadratic parts of the yaml library:
 * alias resolution and the duplicate-key check. Apart from yaml-guard.ts, which must not load
 * the yaml library (credentials-input.ts loads it only for text that is not JSON).
 */
import { isAlias, isScalar, visit, type Alias, type Document, type Node } from 'yaml';

/**
 * Aliases (`*name`) a workflow may use. The yaml library resolves an alias by walking the whole
 * document (Alias.resolve), so N aliases cost N full walks: 4,000 aliases in 68 KB took 30–40 s.
 * Real workflows use a handful (GitHub accepts anchors since 2025); more is refused.
 */
export const MAX_YAML_ALIASES = 1000;

/**
 * Every alias of a parsed document and the node it names, found in one walk: the nearest
 * anchor with that name before the alias, as Alias.resolve decides. `aliases` is the count,
 * so a caller can refuse a document before resolving anything.
 */
export function aliasTargets(doc: Document.Parsed): { aliases: number; targets: Map<Alias, unknown> } {
  const anchors = new Map<string, unknown>();
  const targets = new Map<Alias, unknown>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return { aliases: targets.size, targets };
}

/**
 * Options for parseDocument: the library's own duplicate-key check compares each key with every
 * earlier key of its map (one map of 20,000 keys took 16 s), so it is off and duplicateKeys()
 * does the same check with a set.
 */
export const LINEAR_PARSE_OPTIONS = { uniqueKeys: false } as const;

/** Keys that repeat a scalar key earlier in their map ("Map keys must be unique"), in one walk. */
export function duplicateKeys(doc: Document.Parsed): Node[] {
  const repeated: Node[] = [];
  visit(doc, {
    Map: (_key, map) => {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        const id = `${typeof key.value}:${String(key.value)}`;
        if (seen.has(id)) repeated.push(key);
        else seen.add(id);
      }
    },
  });
  return repeated;
}
