/**
 * Reading a workflow with the yaml library, for the files the fast reader (fast-yaml.ts) leaves
 * (anchors, tags, multi-line flow collections, anything that looks wrong); the library also
 * reports YAML errors. Its parser is most of the CLI's code by size, so the audit loads this module
 * only when a file needs it (read-workflows.ts): loading code costs start-up time in proportion to
 * its size, and most repositories' workflows are plain block YAML.
 */
import { parseDocument } from 'yaml';
import { aliasTargets, duplicateKeys, LINEAR_PARSE_OPTIONS, MAX_YAML_ALIASES } from './yaml-aliases.js';
import type { Reader } from './yaml-reader.js';

/** `r.doc` from the yaml library, with duplicate keys as errors and aliases resolved in one walk. */
export function libraryDocument(r: Reader): void {
  r.doc = parseDocument(r.text, { lineCounter: r.lc, prettyErrors: false, ...LINEAR_PARSE_OPTIONS });
  // The library's own duplicate-key check and alias resolution are quadratic (yaml-aliases.ts).
  for (const key of duplicateKeys(r.doc)) {
    const p = r.start(key);
    r.errors.push({
      kind: 'yaml',
      message: 'Map keys must be unique',
      line: p.line,
      column: p.column,
      code: 'DUPLICATE_KEY',
    });
  }
  const { aliases, targets } = aliasTargets(r.doc);
  if (aliases > MAX_YAML_ALIASES)
    throw new Error(`the document uses ${aliases} aliases (*name); more than ${MAX_YAML_ALIASES} are refused`);
  r.aliases = targets;
}
