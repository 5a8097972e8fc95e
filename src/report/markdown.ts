/**
 * Markdown for the job summary, where every user-controlled string (branch, environment,
 * repository, credential names, Entra's text) is hostile: it must not add a table column,
 * a link, an HTML element or a heading.
 */

/**
 * Inline text: every character that could start a link, an image, HTML, an entity, code,
 * emphasis, math or a table cell becomes a numeric entity. Line breaks become spaces, so
 * nothing can start a heading, a list or a setext underline.
 */
export function md(text: string, max = 2000): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return clipped.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\\`*_{}[\]<>&|!~$#@:]/g, (c) => `&#${c.charCodeAt(0)};`);
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
