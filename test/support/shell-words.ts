/**
 * Two ways to check that a command line we print survives hostile values: run it through real
 * bash with a stub for the program (so nothing is executed, and any `$()`/backtick that escaped
 * its quotes would show up as a changed argument), or split it with a small pure POSIX word
 * splitter.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Run `script` in bash with `stub` defined as a function that records its arguments, and return
 * the argument lists of every call. Runs in an empty temporary directory, with no rc files.
 */
export function bashCalls(script: string, stub = 'az'): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'afc-shell-'));
  try {
    const prelude = `${stub}() { printf '%s\\0' "$#" "$@"; }\n`;
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', prelude + script], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const fields = out.split('\0');
    fields.pop();
    const calls: string[][] = [];
    for (let i = 0; i < fields.length; ) {
      const n = Number(fields[i]);
      calls.push(fields.slice(i + 1, i + 1 + n));
      i += 1 + n;
    }
    return calls;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `bash -c 'printf %s "$1"' _ <word>`: what bash makes of one quoted word. */
export function bashWord(word: string): string {
  return execFileSync('bash', ['--norc', '--noprofile', '-c', `printf %s ${word}`], { encoding: 'utf8' });
}

/**
 * A POSIX shell word splitter for the subset our commands use: unquoted words, '…', "…" (with
 * \\, \", \$, \` escapes) and backslash escapes. Throws on anything that would make the shell do
 * more than split words: an unquoted or double-quoted `$` or backtick, or an unquoted operator.
 * Reads from `start` to the end of the text, or (with `stopAtNewline`) to the first unquoted
 * newline; returns the words and where it stopped.
 */
function scanShellWords(text: string, start = 0, stopAtNewline = false): { words: string[]; end: number } {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n' && stopAtNewline) break;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote at ${i}`);
      cur += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated double quote');
        const d = text[i]!;
        if (d === '"') break;
        if (d === '$' || d === '`') throw new Error(`expansion inside double quotes at ${i}`);
        if (d === '\\' && '\\"$`\n'.includes(text[i + 1] ?? '')) {
          cur += text[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        i++;
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('trailing backslash');
      cur += text[i + 1];
      i += 2;
    } else if ('$`;&|<>()\n\r*?[]{}~#'.includes(c)) {
      throw new Error(`unquoted shell metacharacter ${JSON.stringify(c)} at ${i}`);
    } else {
      cur += c;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return { words, end: i };
}

export function splitShellWords(line: string): string[] {
  return scanShellWords(line).words;
}

/**
 * The command in `text` (prose around it) that starts with `prefix`: its words as the shell
 * would split them, and its source text (which may span lines inside quotes).
 */
export function commandIn(text: string, prefix: string): { words: string[]; source: string } {
  const at = text.indexOf(prefix);
  if (at < 0) throw new Error(`no ${JSON.stringify(prefix)} in ${JSON.stringify(text.slice(0, 200))}`);
  const { words, end } = scanShellWords(text, at, true);
  return { words, source: text.slice(at, end) };
}
