/**
 * Markdown for the job summary, where every user-controlled string (branch, environment,
 * repository, credential names, Entra's text) is hostile: it must not add a table column,
 * a link, an HTML element or a heading.
 */

/**
 * Inline text: every character that could start a link, an image, HTML, an entity, code,
 * emphasis, math or a table cell becomes a numeric entity. Line breaks become spaces, so
 * nothing can start a heading, a list or a setext underline.
 * GFM's literal autolinks read the source (`www.` must be there as such: its dot becomes an entity),
 * except e-mail addresses, which cmark-gfm finds in decoded text, as GitHub finds `@name` mentions:
 * a word joiner (U+2060, invisible) after `@` breaks both. A list marker a value starts with is escaped.
 */
export function md(text: string, max = 2000): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return clipped
    .replace(/[\r\n\u2028\u2029\u0085]+/g, ' ')
    .replace(/[\\`*_{}[\]<>&|!~$#@:]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/&#64;(?=[\p{L}\p{N}_-])/gu, '&#64;\u2060')
    .replace(/\b(www)\./gi, '$1&#46;')
    .replace(
      /^(\s*)(?:([-+])|(\d{1,9})([.)]))/,
      (_m, space: string, bullet?: string, digits?: string, mark?: string) =>
        `${space}${bullet ? `&#${bullet.charCodeAt(0)};` : `${digits}&#${mark!.charCodeAt(0)};`}`,
    );
}

/** Inline code for a user value, safe inside table cells. */
export function mdCode(text: string, max = 2000): string {
  return `<code>${md(text, max)}</code>`;
}

/** A fenced block whose fence no run of backticks in the content can close. */
export function fence(content: string, info = 'text', max = 20_000): string {
  const body = content.length > max ? `${content.slice(0, max)}\n… (${content.length - max} more characters)` : content;
  const longest = Math.max(2, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${info}\n${body}\n${f}`;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
