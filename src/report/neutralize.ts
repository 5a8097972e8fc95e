/**
 * Text from outside the code (inputs, files, claims, HTTP answers, workflow files, logs) on its way
 * to a log or a terminal. @actions/core escapes a command's own data (`%`, CR, LF) and nothing else,
 * so the runner's other ways in are closed here, for every writer at once (src/report/runner-log.ts
 * for the action, src/cli/main.ts for the CLI). How actions/runner reads a step's output
 * (src/Runner.Common/ActionCommand.cs and src/Runner.Worker/ActionCommandManager.cs in actions/runner):
 * - it reads stdout and stderr line by line, lines ending at `\n`, `\r` or `\r\n`;
 * - `::command::data` is a command when the line starts with `::` after leading white space (TryParseV2);
 * - otherwise the legacy `##[command]data` is a command wherever `##[` appears in the line (TryParse);
 * - `stop-commands` turns every later command off, `add-mask` included, until its token comes back.
 * A space after `##` and between the two colons keeps the text readable and makes it no command.
 */

/** Breaks as the runner splits lines, plus those a log viewer or terminal shows as one. */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029\u0085]/g;

/** The legacy marker, wherever it is in a line. */
function breakLegacyMarkers(line: string): string {
  return line.replace(/##\[/g, '## [');
}

/** `::` at the start of a runner line (after white space, as the runner's TrimStart). */
function breakLineStartMarker(line: string): string {
  return line.replace(/^(\s*):(?=:)/, '$1: ');
}

/**
 * One log line that cannot speak to the runner: line breaks shown as ` ⏎ `, never printed,
 * and no command marker left.
 */
export function neutralizeLine(text: string): string {
  return breakLineStartMarker(breakLegacyMarkers(stripTerminalControls(text.replace(LINE_BREAK, ' ⏎ '))));
}

/** Text of several lines (an annotation's message): each line neutralised, breaks kept as `\n`. */
export function neutralizeText(text: string): string {
  return stripTerminalControls(text.replace(LINE_BREAK, '\n'))
    .split('\n')
    .map((line) => breakLineStartMarker(breakLegacyMarkers(line)))
    .join('\n');
}

/**
 * Output under GITHUB_ACTIONS=true (the CLI in a workflow step): every runner line neutralised, the
 * line breaks themselves kept. `\r` alone ends a runner line too, so it becomes `\n`.
 */
export function neutralizeRunnerLines(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => breakLineStartMarker(breakLegacyMarkers(line)))
    .join('\n');
}

// Escape sequences a terminal acts on: CSI (cursor moves, clear screen), OSC (title, clipboard
// write, hyperlinks) up to BEL or ST, DCS/SOS/PM/APC strings, any other two-character ESC
// sequence, and their 8-bit C1 forms. An unterminated string ends at the line's end, not the text's.
const ESCAPE_SEQUENCE = new RegExp(
  [
    '\\x1b\\[[0-?]*[ -/]*[@-~]?', // CSI
    '\\x1b\\][^\\x07\\x1b\\x9c\\n]*(?:\\x07|\\x1b\\\\|\\x9c)?', // OSC
    '\\x1b[PX^_][^\\x1b\\x9c\\n]*(?:\\x1b\\\\|\\x9c)?', // DCS, SOS, PM, APC
    '\\x1b[\\s\\S]?', // any other ESC sequence
    '\\x9b[0-?]*[ -/]*[@-~]?', // 8-bit CSI
    '[\\x90\\x98\\x9d\\x9e\\x9f][^\\x07\\x1b\\x9c\\n]*(?:\\x07|\\x1b\\\\|\\x9c)?', // 8-bit strings
  ].join('|'),
  'g',
);
// Other C0 and C1 controls (tab and line feed are text), DEL, and the bidirectional controls that
// make a terminal or a log viewer show text in another order than it is read.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The only sequences kept: the CLI's own colours (styleFor in src/cli/io.ts). */
const OWN_STYLE = /^\x1b\[(?:1|2|22|31|32|33|36|39)m$/;

/** Remove terminal control sequences and characters; `keepOwnStyle` keeps the CLI's colour codes. */
export function stripTerminalControls(text: string, keepOwnStyle = false): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(ESCAPE_SEQUENCE, (seq) => (keepOwnStyle && OWN_STYLE.test(seq) ? seq : ''))
    .replace(CONTROL, (c) => (keepOwnStyle && c === '\x1b' ? c : ''));
}

/**
 * A short quote of text from outside (an HTTP answer's error message, a file's content) for a
 * message: its first line, without control characters, at most `max` characters, with any of
 * `secrets` (such as the token the request carried, which a server may echo) replaced by `***`.
 */
export function outsideExcerpt(text: string, max = 200, secrets: readonly string[] = []): string {
  let line = stripTerminalControls(text.split(/\r\n|[\r\n\u2028\u2029\u0085]/)[0] ?? '').trim();
  for (const secret of secrets) if (secret) line = line.split(secret).join('***');
  return line.length > max ? `${line.slice(0, max)}… (${line.length - max} more characters)` : line;
}
