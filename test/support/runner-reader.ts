/**
 * Reads a step's output the way actions/runner does, so tests see what a user would see and what
 * the runner would do. Faithful to actions/runner (https://github.com/actions/runner):
 * - src/Runner.Sdk/ProcessInvoker.cs hands stdout and stderr to the worker line by line
 *   (StreamReader.ReadLine: a line ends at `\n`, `\r` or `\r\n`), both through the same command manager;
 * - src/Runner.Common/ActionCommand.cs, TryParseV2: after TrimStart the line starts with `::`, the command
 *   info runs to the next `::`, its name (up to a space) must be registered (case-insensitive),
 *   properties are `k=v` split at `,` (empty entries dropped), data and properties unescaped
 *   (`%0D`, `%0A`, and `%3A`, `%2C` in properties, then `%25`);
 * - the same file, TryParse (legacy, tried when V2 fails): `##[` ANYWHERE in the line, the command info
 *   runs to the next `]`, properties split at `;`, values unescaped (`%3B`, `%0D`, `%0A`, `%5D`, `%25`);
 * - src/Runner.Worker/ActionCommandManager.cs, TryProcessCommand: `stop-commands` stops all processing
 *   (and registers its data as a command) until a line whose command is that token; while stopped
 *   every line, `::add-mask::` included, is printed as it is;
 * - AddMaskCommandExtension: a non-blank value is added to the secret masker, which replaces it by
 *   `***` in every LATER line of the log (and in annotations); the command line itself is not shown.
 * Other lines (and processed annotations, shown as `Error: message`) go to the log, masked.
 */

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface RunnerReading {
  /** Commands the runner processed, in order (stop-commands and its resume token are in `stops`). */
  commands: WorkflowCommand[];
  /** Each `stop-commands` token, when processing was stopped. */
  stops: string[];
  /** The log as the runner shows it: lines after masking. */
  log: string[];
  /** Values registered with add-mask. */
  masks: string[];
}

/** Commands actions/runner registers (its IActionCommandExtension implementations), plus stop-commands. */
const REGISTERED = [
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
  'stop-commands',
];

function replaceAll(s: string, pairs: readonly (readonly [string, string])[]): string {
  return pairs.reduce((acc, [from, to]) => acc.split(from).join(to), s);
}
const DATA_V2 = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%'],
] as const;
const PROPERTY_V2 = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
] as const;
const LEGACY = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%'],
] as const;

function parseProperties(info: string, separator: string, decode: (s: string) => string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const entry of info.split(separator).filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    const pair = (eq < 0 ? [entry] : [entry.slice(0, eq), entry.slice(eq + 1)]).filter((p) => p !== '');
    if (pair.length === 2) properties[pair[0]!] = decode(pair[1]!);
  }
  return properties;
}

function parseV2(line: string, registered: Set<string>): WorkflowCommand | undefined {
  const message = line.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!registered.has(command.toLowerCase())) return undefined;
  const properties =
    space > 0 ? parseProperties(info.slice(space + 1).trim(), ',', (s) => replaceAll(s, PROPERTY_V2)) : {};
  return { command, properties, message: replaceAll(message.slice(end + 2), DATA_V2) };
}

function parseLegacy(line: string, registered: Set<string>): WorkflowCommand | undefined {
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const rb = line.indexOf(']', prefix);
  if (rb < 0) return undefined;
  const info = line.slice(prefix + 3, rb);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!registered.has(command.toLowerCase())) return undefined;
  const decode = (s: string) => replaceAll(s, LEGACY);
  const properties = space > 0 ? parseProperties(info.slice(space + 1), ';', decode) : {};
  return { command, properties, message: decode(line.slice(rb + 1)) };
}

/** Lines as StreamReader.ReadLine gives them: split at `\r\n`, `\r` or `\n`; no empty last line. */
export function runnerLines(output: string): string[] {
  const lines = output.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** How the runner labels a processed annotation in the log. */
const LABEL: Record<string, string> = { error: 'Error', warning: 'Warning', notice: 'Notice' };

/**
 * Splits one stream's chunks into lines as they complete, so stdout and stderr lines can be
 * interleaved in arrival order, as the runner sees them. A `\r` at a chunk's end waits for the next
 * chunk: it may be the first half of `\r\n`.
 */
export class LineSplitter {
  private pending = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: string): void {
    this.pending += chunk;
    const lines = this.pending.split(/\r\n|\r(?!$)|\n/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }
  end(): void {
    const rest = this.pending;
    this.pending = '';
    for (const line of runnerLines(rest)) this.onLine(line);
  }
}

/** Reads the output's lines (runnerLines of each stream, or LineSplitter's in arrival order). */
export function readAsRunner(lines: readonly string[]): RunnerReading {
  const registered = new Set(REGISTERED);
  const commands: WorkflowCommand[] = [];
  const log: string[] = [];
  const masks: string[] = [];
  const stops: string[] = [];
  let stopToken: string | undefined;
  const show = (text: string) => {
    let shown = text;
    // Longest first, as the masker replaces overlapping values as one.
    for (const m of [...masks].sort((a, b) => b.length - a.length)) shown = shown.split(m).join('***');
    log.push(shown);
  };
  for (const line of lines) {
    const command = parseV2(line, registered) ?? parseLegacy(line, registered);
    if (!command) {
      show(line);
      continue;
    }
    const name = command.command.toLowerCase();
    if (stopToken !== undefined) {
      if (name === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase());
        stopToken = undefined;
      }
      show(line);
      continue;
    }
    if (name === 'stop-commands') {
      show(line);
      stopToken = command.message;
      stops.push(command.message);
      if (command.message) registered.add(command.message.toLowerCase());
      continue;
    }
    commands.push(command);
    if (name === 'add-mask') {
      if (command.message.trim()) masks.push(command.message);
    } else if (LABEL[name]) {
      show(
        `${LABEL[name]}: ${command.properties['title'] ? `${command.properties['title']}: ` : ''}${command.message}`,
      );
    } else if (name === 'debug') {
      show(`##[debug]${command.message}`);
    } else if (name === 'group' || name === 'endgroup') {
      show(name === 'group' ? `▸ ${command.message}` : '');
    }
  }
  return { commands, stops, log, masks };
}
