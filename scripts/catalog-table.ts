/**
 * The README's table of AADSTS codes, generated from src/diagnose/catalog.ts.
 *
 *   catalogMarkdownTable()  → the table (Code | Finding id | Meaning | First fix)
 *   replaceCatalogBlock()   → README text with the block between the markers replaced
 *
 * Run from the repository root (rewrites only the block between <!-- catalog:start --> and
 * <!-- catalog:end --> in README.md, if both markers exist):
 *   node scripts/run-ts.mjs scripts/catalog-table.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CATALOG } from '../src/diagnose/catalog.js';

export const START_MARKER = '<!-- catalog:start -->';
export const END_MARKER = '<!-- catalog:end -->';

/**
 * One table cell: no line breaks; `|` escaped everywhere (GFM splits cells before parsing code
 * spans, so `\|` is needed inside them too); outside code spans, `<`, `>`, `*`, `_`, `[` and `]`
 * and backslashes are escaped; an unpaired backtick is escaped so it cannot open a code span.
 */
export function markdownCell(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  // Split into code spans (balanced single-backtick pairs) and plain text.
  const out: string[] = [];
  let i = 0;
  while (i < flat.length) {
    const open = flat.indexOf('`', i);
    if (open === -1) {
      out.push(escapePlain(flat.slice(i)));
      break;
    }
    const close = flat.indexOf('`', open + 1);
    if (close === -1) {
      out.push(escapePlain(flat.slice(i, open)), '\\`', escapePlain(flat.slice(open + 1)));
      break;
    }
    out.push(escapePlain(flat.slice(i, open)));
    out.push(codeSpan(flat.slice(open + 1, close)));
    i = close + 1;
  }
  return out.join('');
}

function escapePlain(s: string): string {
  return s.replace(/[\\|<>*_[\]]/g, (c) => `\\${c}`);
}

function codeSpan(content: string): string {
  const body = content.replace(/\|/g, '\\|');
  return body.length === 0 ? '` `' : `\`${body}\``;
}

/** The table, one row per catalog entry in catalog order. */
export function catalogMarkdownTable(): string {
  const rows = [
    '| Code | Finding id | Meaning | First fix |',
    '| --- | --- | --- | --- |',
    ...CATALOG.map((e) => {
      const code = `[AADSTS${e.code}](https://login.microsoftonline.com/error?code=${e.code})`;
      const cells = [`\`${e.findingId}\``, `${e.title}. ${e.meaning}`, e.fix[0] ?? ''];
      return `| ${code} | ${cells.map((cell) => markdownCell(cell)).join(' | ')} |`;
    }),
  ];
  return rows.join('\n');
}

/** README text with the marked block replaced by `table`; undefined when the markers are missing. */
export function replaceCatalogBlock(readme: string, table: string = catalogMarkdownTable()): string | undefined {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER, start + START_MARKER.length);
  if (start === -1 || end === -1) return undefined;
  return `${readme.slice(0, start + START_MARKER.length)}\n${table}\n${readme.slice(end)}`;
}

/** The block currently between the markers (trimmed), or undefined. */
export function currentCatalogBlock(readme: string): string | undefined {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER, start + START_MARKER.length);
  if (start === -1 || end === -1) return undefined;
  return readme.slice(start + START_MARKER.length, end).trim();
}

/** Rewrite the catalog block of README.md in the current directory (scripts/run-ts.mjs calls this). */
export async function main(): Promise<number> {
  const path = resolve(process.cwd(), 'README.md');
  let readme: string;
  try {
    readme = await readFile(path, 'utf8');
  } catch {
    process.stderr.write(`catalog-table: cannot read ${path}\n`);
    return 1;
  }
  const next = replaceCatalogBlock(readme.replace(/\r\n/g, '\n'));
  if (next === undefined) {
    process.stderr.write(`catalog-table: ${path} has no ${START_MARKER} … ${END_MARKER} block; nothing changed.\n`);
    return 0;
  }
  if (next === readme) {
    process.stdout.write(`catalog-table: ${path} is up to date.\n`);
    return 0;
  }
  await writeFile(path, next);
  process.stdout.write(`catalog-table: rewrote the catalog block in ${path} (${CATALOG.length} codes).\n`);
  return 0;
}
