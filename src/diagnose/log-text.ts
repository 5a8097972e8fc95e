/**
 * The text the AADSTS extractors read (aadsts-text.ts): a log as the runner wrote it, `gh run view` printed
 * it, GitHub's web viewer or an issue copied it, or PowerShell wrapped it, brought back to plain lines.
 * Pure and total: never throws; bounded regexes, input capped at MAX_TEXT characters.
 */

const MAX_TEXT = 4_000_000;

// ESC-based sequences: CSI (colours, cursor), OSC (titles, links), and two-byte escapes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,2000}(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;
// `gh run view --log` prefixes every line with "JOB<TAB>STEP<TAB>" before the timestamp.
const GH_RUN_VIEW_PREFIX = /^[^\t\n]{1,300}\t[^\t\n]{0,300}\t(?=\uFEFF?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/gm;
// GitHub's raw log prefix, with an optional BOM.
const LOG_TIMESTAMP = /^\uFEFF?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z ?/gm;
// Workflow command prefixes the runner turns into annotations: `##[error]` in the runner's log and
// `::error file=…::` commands echoed into it.
const RUNNER_PREFIX = /##\[(?:error|warning|notice|debug|group|endgroup|command|section)\]/;
const COMMAND_PREFIX = /::(?:error|warning|notice|debug)(?: [^:\n]{0,500})?::/;
const WORKFLOW_COMMAND = new RegExp(`^(?:${RUNNER_PREFIX.source}|${COMMAND_PREFIX.source})`, 'gm');
const JSON_ESCAPE = /\\(u[0-9a-fA-F]{4}|[rnt"/\\])/g;
// GitHub's web log viewer turns line numbers into links; copied text keeps them, on lines of
// their own ("[19](https://…#step:2:20)") or inside a value ("AADSTS700[21](https://…)1").
const LINE_LINK_LINE = /^[ \t]*\[\d{1,6}\]\(https?:\/\/[^)\s]{0,600}\)[ \t]*$\n?/gm;
const LINE_LINK = /\[(\d{1,6})\]\(https?:\/\/[^)\s]{0,600}\)/g;
// Markdown escapes a pasted log picks up in an issue (`\_`, `\*`).
const MARKDOWN_ESCAPE = /\\([_*`~#|[\]<>-])/g;
// PowerShell 7's error view prefixes wrapped lines with "     | ".
const POWERSHELL_GUTTER = /^ {2,}\| ?/;

/**
 * PowerShell 7 word-wraps an error under a "     | " gutter: join the lines back into one, with
 * a space at a word break, and without one inside a quoted value (a value longer than the
 * console is cut where the width ends).
 */
function joinPowerShellGutter(text: string): string {
  if (!/^ {2,}\| /m.test(text)) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const g = POWERSHELL_GUTTER.exec(line);
    if (!g || out.length === 0) {
      out.push(line);
      continue;
    }
    const prev = out[out.length - 1]!;
    const rest = line.slice(g[0].length);
    out[out.length - 1] = oddQuotes(prev) ? prev + rest : `${prev.trimEnd()} ${rest}`;
  }
  return out.join('\n');
}
// A code cut by a hard wrap at the console width ("AADSTS7002\n13").
const WRAPPED_CODE = /(AADSTS\d{1,8})\n[ \t]*(\d{1,8})(?=\D)/g;

function unescapeJson(text: string): string {
  return text.replace(JSON_ESCAPE, (_, e: string) => {
    switch (e) {
      case 'r':
        return '\r';
      case 'n':
        return '\n';
      case 't':
        return ' ';
      case '"':
        return '"';
      case '/':
        return '/';
      case '\\':
        return '\\';
      default:
        return String.fromCharCode(parseInt(e.slice(1), 16));
    }
  });
}

/**
 * The text the extractors read: no ANSI codes, no log timestamps or workflow command prefixes,
 * LF line ends, JSON string escapes (`\r\n`, `\u0027`, `\"`) resolved (twice, for double-encoded bodies).
 */
export function normaliseLogText(input: string): string {
  let text = typeof input === 'string' ? input : String(input ?? '');
  if (text.length > MAX_TEXT) text = text.slice(0, MAX_TEXT);
  text = text.replace(ANSI, '');
  text = text.replace(/\r\n?/g, '\n');
  text = text.replace(GH_RUN_VIEW_PREFIX, '');
  text = text.replace(LOG_TIMESTAMP, '');
  text = text.replace(WORKFLOW_COMMAND, '');
  text = text.replace(LINE_LINK_LINE, '').replace(LINE_LINK, '$1');
  text = joinPowerShellGutter(text.replace(MARKDOWN_ESCAPE, '$1'));
  for (let i = 0; i < 2 && JSON_ESCAPE.test(text); i++) {
    JSON_ESCAPE.lastIndex = 0;
    text = unescapeJson(text);
  }
  JSON_ESCAPE.lastIndex = 0;
  return text.replace(/\r\n?/g, '\n').replace(WRAPPED_CODE, '$1$2');
}

/** An odd number of single quotes: the text stops inside a quoted value. */
export function oddQuotes(s: string): boolean {
  return (s.match(/'/g)?.length ?? 0) % 2 === 1;
}
