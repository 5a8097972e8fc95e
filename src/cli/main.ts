/**
 * The CLI: `explain`, `claims`, `check`, `audit`, `trust`. Kept light: each command's module is imported only
 * when that command runs, so `--help` is instant. Exit codes: 0 nothing wrong, 1 problems
 * found, 2 bad usage or unreadable input. Never prints a stack trace.
 */
import { readFileSync, writeSync } from 'node:fs';
import { PROGRAM, type Command } from './command.js';
import { guardOutput, isCliError, type CliIo } from './io.js';

export type { CliIo } from './io.js';
export { PROGRAM } from './command.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  explain: {
    summary: 'Explain every Microsoft Entra (AADSTS) error in a log, JSON body or message, with its cause and fix',
    load: async () => (await import('./explain.js')).explainCommand,
  },
  claims: {
    summary: 'Decode a GitHub OIDC token: header, claims and lifetime (never the signature)',
    load: async () => (await import('./claims.js')).claimsCommand,
  },
  check: {
    summary: 'Compare a token with federated identity credentials offline, as Entra would',
    load: async () => (await import('./check.js')).checkCommand,
  },
  audit: {
    summary:
      'Audit every workflow in .github/workflows against the credentials: ' +
      'jobs that can never log in, unused credentials',
    load: async () => (await import('./audit.js')).auditCommand,
  },
  trust: {
    summary: 'Who can become these identities: each credential checked against GitHub, SARIF for code scanning',
    load: async () => (await import('./trust.js')).trustCommand,
  },
};

export const USAGE = `${PROGRAM}: explain and check GitHub Actions → Microsoft Entra workload identity federation

Usage:
  ${PROGRAM} explain [TEXT | --file FILE | -] [--json]
  ${PROGRAM} claims [--file FILE | -] [--json]
  ${PROGRAM} check --token-file FILE|- --credentials FILE [--audience A] [--environment CLOUD] [--client-id ID] [--json]
  ${PROGRAM} audit --credentials FILE [--dir DIR] [--repository O/R] [--template FILE] [--json]
  ${PROGRAM} trust --credentials FILE [--client-id ID] [--sarif FILE] [--json]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`)
  .join('\n')}

Options:
  --json      machine-readable output ({"findings": [...], ...})
  -h, --help  help for a command: ${PROGRAM} <command> --help

Exit codes: 0 nothing wrong, 1 problems found, 2 bad usage or unreadable input.
`;

function isHelp(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h' || arg === 'help';
}

/** Run the CLI in-process. Returns the exit code; all output goes through `io`, guarded (guardOutput). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const guarded = guardOutput(io);
  try {
    return await runCommand(argv, guarded.io);
  } finally {
    guarded.flush();
  }
}

async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || isHelp(name)) {
    if (name === 'help' && rest[0] && rest[0] in COMMANDS) return runCommand([rest[0], '--help'], io);
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr(
      `${PROGRAM}: ${name.startsWith('-') ? `unknown option ${name}` : `unknown command '${name}'`}\n\n${USAGE}`,
    );
    return 2;
  }
  let command: Command | undefined;
  try {
    command = await entry.load();
    if (rest.some(isHelpFlag)) {
      io.stdout(command.usage);
      return 0;
    }
    return await command.run(rest, io);
  } catch (e) {
    if (isCliError(e)) {
      io.stderr(`${PROGRAM} ${name}: ${e.message}\n${e.showUsage && command ? `\n${command.usage}` : ''}`);
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(`${PROGRAM} ${name}: ${(msg.split('\n')[0] ?? '').trim() || 'unexpected error'}\n`);
    return 2;
  }
}

function isHelpFlag(a: string): boolean {
  return a === '--help' || a === '-h';
}

/**
 * process.stdin, opened only when a command reads it: the getter builds a stream at once (a file
 * stream when stdin is /dev/null), which most runs (audit, --file) never need.
 */
function lazyStdin(): NodeJS.ReadableStream {
  const lazy = {
    get isTTY() {
      return process.stdin.isTTY;
    },
    [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator](),
  };
  return lazy as unknown as NodeJS.ReadableStream;
}

/**
 * Output to file descriptor 1 or 2 with fs.writeSync. Touching process.stdout or process.stderr loads
 * Node's stream and net modules (about 30) first, as much start-up as reading a small repository's
 * workflows. A descriptor that would block (EAGAIN: a full non-blocking pipe) gets the rest through the
 * stream, which queues it. `… | head` closing the pipe (EPIPE) drops the rest quietly, not with a trace.
 */
function directWriter(fd: 1 | 2): (s: string) => void {
  let stream: NodeJS.WriteStream | undefined;
  let closed = false;
  return (s) => {
    if (closed) return;
    if (stream) {
      stream.write(s);
      return;
    }
    const bytes = Buffer.from(s, 'utf8');
    let at = 0;
    try {
      while (at < bytes.length) at += writeSync(fd, bytes, at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        closed = true;
        return;
      }
      if (code !== 'EAGAIN') throw e;
      stream = fd === 1 ? process.stdout : process.stderr;
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      });
      stream.write(bytes.subarray(at));
    }
  };
}

/** The process entry: real stdin/stdout/stderr, environment and files. */
export async function main(argv: string[]): Promise<number> {
  return runCli(argv, {
    stdin: lazyStdin(),
    stdout: directWriter(1),
    stderr: directWriter(2),
    env: process.env,
    // Read at once: fs/promises loads about 20 more modules, and a CLI has nothing to do meanwhile.
    readFile: async (path) => readFileSync(path, 'utf8'),
    // Asked only when a command renders for a terminal: it builds the stdout stream (directWriter).
    get isTTY() {
      return process.stdout.isTTY === true;
    },
  });
}
