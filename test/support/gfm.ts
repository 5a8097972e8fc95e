/**
 * The job summary as GitHub renders it: GitHub-flavoured Markdown through micromark with its GFM
 * extension (an implementation of the GFM spec that passes the cmark-gfm test suite: tables, literal
 * autolinks such as `www.x` and e-mail addresses, strikethrough, tag filter), raw HTML let through so a
 * test sees it. GitHub then turns `@name` in text (outside code) into a mention. `summaryProblems` lists
 * what in the rendered summary did not come from the action's own Markdown.
 */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

function renderGfm(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/** Elements the action's Markdown produces; any other element came from a value. */
const OWN_ELEMENTS = new Set([
  'p',
  'h2',
  'h3',
  'h4',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'code',
  'pre',
  'strong',
  'em',
  'ul',
  'li',
  'br',
]);
/** The action's headings: the verdict, its sections, one per finding. */
const OWN_HEADING = /^<h([234])>(?:✅|❌|⚠️|ℹ️|Token|Federated|Findings|A credential|Azure|Jobs)/;

function decode(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Problems in the rendered summary: links, images, foreign HTML, mentions, foreign headings, uneven tables. */
export function summaryProblems(markdown: string): string[] {
  const html = renderGfm(markdown);
  const problems: string[] = [];
  for (const m of html.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)[^>]*>/g)) {
    const name = m[1]!.toLowerCase();
    if (name === 'a') problems.push(`a link: ${m[0]}`);
    else if (name === 'img') problems.push(`an image: ${m[0]}`);
    else if (!OWN_ELEMENTS.has(name)) problems.push(`HTML from a value: ${m[0]}`);
  }
  for (const m of html.matchAll(/<h[1-6]>[^\n]*/g))
    if (!OWN_HEADING.test(m[0])) problems.push(`a heading from a value: ${m[0].slice(0, 120)}`);
  // Mentions: GitHub links `@name` in text, not inside code or pre.
  const text = decode(html.replace(/<pre>[\s\S]*?<\/pre>|<code>[\s\S]*?<\/code>/g, ' ').replace(/<[^>]+>/g, ' '));
  for (const m of text.matchAll(/(?:^|[^\w`])@([A-Za-z0-9][A-Za-z0-9-]*)/g)) problems.push(`a mention: @${m[1]}`);
  // Tables: every body row has the header's cells (GFM pads or drops cells silently, so count the source too).
  for (const table of html.matchAll(/<table>[\s\S]*?<\/table>/g)) {
    const header = (table[0].match(/<th[ >]/g) ?? []).length;
    for (const row of table[0].matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
      const cells = (row[1]!.match(/<t[dh][ >]/g) ?? []).length;
      if (cells !== header) problems.push(`a table row of ${cells} cells under ${header} headers`);
    }
  }
  problems.push(...unevenSourceRows(markdown));
  return problems;
}

/** Source table rows whose unescaped pipes differ from their header's (a value added or removed a cell). */
function unevenSourceRows(markdown: string): string[] {
  const problems: string[] = [];
  let columns: number | undefined;
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && line.trim() === fence) fence = undefined;
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    if (!line.startsWith('|')) {
      columns = undefined;
      continue;
    }
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/).length;
    if (columns === undefined) columns = cells;
    else if (cells !== columns)
      problems.push(`a source table row of ${cells} cells under ${columns}: ${line.slice(0, 120)}`);
  }
  return problems;
}
