/**
 * The CLI's I/O seam: everything a command touches goes through CliIo, so tests run commands
 * in-process with strings. Also: the guard every printed byte passes, reading an input (argument,
 * file, or stdin) with one-line errors, and the small argument parser the commands share.
 */
import { neutralizeRunnerLines, stripTerminalControls } from '../report/neutralize.js';

export interface CliIo {
  /** A stream (process.stdin) or the whole input as a string (tests). */
  stdin: NodeJS.ReadableStream | string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  readFile: (path: string) => Promise<string>;
  /** Whether stdout is a terminal (colour only then). Default false. */
  isTTY?: boolean;
  /** The clock, for token lifetimes. Default Date.now. */
  now?: () => number;
}

/** A failure that ends the command with one line on stderr and this exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = 2,
    /** Print the command's usage after the message. */
    readonly showUsage = false,
  ) {
    super(message);
  }
}

/**
 * A CliError from any copy of this module: each command is bundled apart from the CLI's entry
 * (scripts/bundle.mjs), so an error a command throws is not an instance of the entry's class.
 */
export function isCliError(e: unknown): e is CliError {
  return e instanceof Error && e.name === 'CliError' && typeof (e as CliError).exitCode === 'number';
}

/**
 * The one place the CLI's output passes on its way to stdout and stderr: the values it prints (log
 * lines, tokens' claims, file names) come from outside. Terminal control sequences and characters
 * are removed (the CLI's own colours kept); under GITHUB_ACTIONS=true (the CLI in a workflow step)
 * no line can be a workflow command either (src/report/neutralize.ts). Output is passed on by whole
 * lines, so a marker split across two writes is still seen; `flush` writes the rest.
 */
export function guardOutput(io: CliIo): { io: CliIo; flush: () => void } {
  const inWorkflow = io.env['GITHUB_ACTIONS'] === 'true';
  const clean = (text: string) => {
    const visible = stripTerminalControls(text, true);
    return inWorkflow ? neutralizeRunnerLines(visible) : visible;
  };
  const stream = (write: (s: string) => void) => {
    let pending = '';
    return {
      write: (s: string) => {
        pending += s;
        const end = pending.lastIndexOf('\n');
        if (end < 0) return;
        write(clean(pending.slice(0, end + 1)));
        pending = pending.slice(end + 1);
      },
      flush: () => {
        if (pending) write(clean(pending));
        pending = '';
      },
    };
  };
  const out = stream(io.stdout);
  const err = stream(io.stderr);
  return {
    // Copied with its getters, not their values: `isTTY` is asked only when needed (main.ts).
    io: Object.defineProperties(Object.defineProperties({}, Object.getOwnPropertyDescriptors(io)), {
      stdout: { value: out.write, enumerable: true },
      stderr: { value: err.write, enumerable: true },
    }) as CliIo,
    flush: () => {
      out.flush();
      err.flush();
    },
  };
}

const MAX_INPUT = 50 * 1024 * 1024;

/** Read all of stdin. Refuses an interactive terminal: the user meant to pass something else. */
export async function readStdin(io: CliIo, what: string): Promise<string> {
  const stdin = io.stdin;
  if (typeof stdin === 'string') return stdin;
  if ((stdin as { isTTY?: boolean }).isTTY)
    throw new CliError(`no ${what} given: pass it as an argument, with --file FILE, or pipe it on stdin`, 2, true);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_INPUT) throw new CliError(`stdin is larger than ${MAX_INPUT / 1024 / 1024} MB`, 2);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Read a file ('-' is stdin) with a one-line error naming the file. */
export async function readInputFile(io: CliIo, path: string, what: string): Promise<string> {
  if (path === '-') return readStdin(io, what);
  try {
    return await io.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : ((e as Error).message ?? String(e)).split('\n')[0];
    throw new CliError(`cannot read ${what} from ${path}: ${reason}`, 2);
  }
}

// ---- arguments ----------------------------------------------------------------------------------

export interface FlagSpec {
  /** Takes a value (`--file F`, `--file=F`). */
  value?: boolean;
  /** Short alias without the dash, e.g. 'f'. */
  short?: string;
}

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

/**
 * Parse argv against the command's flags. `-` is a positional; `--` ends the flags. Throws CliError on unknown
 * flags.
 */
export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.short) byShort.set(s.short, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (eq !== -1) inline = arg.slice(eq + 1);
      if (!(name in spec)) throw new CliError(`unknown option --${name}`, 2, true);
    } else {
      const short = arg.slice(1);
      name = byShort.get(short);
      if (!name) throw new CliError(`unknown option ${arg}`, 2, true);
    }
    const s = spec[name]!;
    if (s.value) {
      let v = inline;
      if (v === undefined) {
        v = argv[i + 1];
        if (v === undefined || (v.startsWith('-') && v !== '-'))
          throw new CliError(`option --${name} needs a value`, 2, true);
        i++;
      }
      if (flags.has(name)) throw new CliError(`option --${name} given twice`, 2, true);
      flags.set(name, v);
    } else {
      if (inline !== undefined) throw new CliError(`option --${name} takes no value`, 2, true);
      flags.set(name, true);
    }
  }
  return { flags, positionals };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

// ---- colour -----------------------------------------------------------------------------------

export interface Style {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
  cyan: (s: string) => string;
}

const identity = (s: string) => s;
const PLAIN: Style = {
  bold: identity,
  dim: identity,
  red: identity,
  yellow: identity,
  green: identity,
  cyan: identity,
};

/** Colour only on a terminal, never with NO_COLOR (any value) or TERM=dumb; FORCE_COLOR forces it. */
export function styleFor(io: CliIo): Style {
  const env = io.env;
  const force = env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false';
  const off = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  if (off || (!force && (!io.isTTY || env['TERM'] === 'dumb'))) return PLAIN;
  const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
  };
}
