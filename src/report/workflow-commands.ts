/**
 * The runner's stdout protocol (`::command prop=value::data`) and file commands, written
 * directly: @actions/core 3 pulls an HTTP stack (undici) we do not need for this.
 * Escaping matches @actions/core, so no user-controlled value can end a command early
 * or start a new one.
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { SourceLocation } from '../diagnose/finding.js';

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatCommand(command: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/**
 * A plain log line with a user value in it: a newline there could start a forged
 * `::command::` line, so line breaks are shown, not printed.
 */
export function safeLogLine(s: string): string {
  return s.replace(/\r?\n|\r/g, ' ⏎ ');
}

type AnnotationLevel = 'error' | 'warning' | 'notice';

export function annotation(level: AnnotationLevel, title: string, message: string, location?: SourceLocation): string {
  return formatCommand(level, { title: title.slice(0, 255), file: location?.file, line: location?.line, endLine: location?.endLine, col: location?.column }, message);
}

export function addMask(secret: string): string {
  // A secret with a line break would only be masked up to it: mask each line.
  return secret
    .split(/\r?\n/)
    .filter((s) => s.length > 0)
    .map((s) => `::add-mask::${escapeData(s)}`)
    .join('\n');
}

/** GITHUB_OUTPUT's heredoc form, with a delimiter the value cannot contain. */
export function formatFileCommandValue(name: string, value: string): string {
  let delimiter = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delimiter) || name.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

export function appendFileCommand(file: string | undefined, text: string): boolean {
  if (!file) return false;
  appendFileSync(file, text, 'utf8');
  return true;
}
