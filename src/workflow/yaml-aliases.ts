/**
 * Aliases in workflow files, resolved in one walk. Apart from yaml-guard.ts, which must not load
 * the yaml library (credentials-input.ts loads it only for text that is not JSON).
 */
import { isAlias, visit, type Alias, type Document } from 'yaml';

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
