/**
 * The action's only way to its log and the runner, through @actions/core: log lines, debug lines,
 * annotations, masks, outputs, the job summary and failure. Every text passes the neutralisation of
 * src/report/neutralize.ts here, whoever calls, because core escapes only a command's `%`, CR and LF
 * (a `##[stop-commands]` inside a value would still switch every later mask off).
 */
import * as core from '@actions/core';
import type { SourceLocation } from '../diagnose/finding.js';
import { neutralizeLine, neutralizeText } from './neutralize.js';
import { capSummary } from './summary-cap.js';

type AnnotationLevel = 'error' | 'warning' | 'notice';

/** The runner limits an annotation's title; a longer one is cut here rather than by the runner. */
const TITLE_LIMIT = 255;

/** A plain log line with outside values in it. */
export function logLine(text: string): void {
  core.info(neutralizeLine(text));
}

/** Lines the log shows folded under a title (the runner's group), for long lists. */
export async function logGroup(title: string, lines: readonly string[]): Promise<void> {
  await core.group(neutralizeLine(title), async () => {
    for (const line of lines) logLine(line);
  });
}

/** Whether the run is debugged (RUNNER_DEBUG=1): debug lines show, and so do ruled-out causes. */
export function debugEnabled(): boolean {
  return core.isDebug();
}

/** A line shown only when the run is debugged (RUNNER_DEBUG=1). */
export function debugLine(text: string): void {
  if (core.isDebug()) core.debug(neutralizeLine(text));
}

/** An annotation on the run (and on a workflow line when `location` names one). */
export function annotate(level: AnnotationLevel, title: string, message: string, location?: SourceLocation): void {
  const properties: core.AnnotationProperties = {
    title: neutralizeLine(title).slice(0, TITLE_LIMIT),
    ...(location?.file ? { file: location.file } : {}),
    ...(location?.line !== undefined ? { startLine: location.line } : {}),
    ...(location?.endLine !== undefined ? { endLine: location.endLine } : {}),
    ...(location?.column !== undefined ? { startColumn: location.column } : {}),
  };
  ANNOUNCE[level](neutralizeText(message), properties);
}

// Named, not `core[level]`: indexing the namespace would keep every export of core (and its HTTP client) in the bundle.
const ANNOUNCE: Record<AnnotationLevel, (message: string, properties: core.AnnotationProperties) => void> = {
  error: core.error,
  warning: core.warning,
  notice: core.notice,
};

/**
 * Registers a secret with the runner before anything can print it: each line on its own, since the
 * runner masks a value line by line. Everything that holds a token calls this the moment it exists.
 */
export function maskSecret(secret: string): void {
  for (const line of secret.split(/\r\n|[\r\n]/)) if (line.trim()) core.setSecret(line);
}

/** Step outputs (GITHUB_OUTPUT). Without the file there is nowhere to put them: nothing is printed instead. */
export function setOutputs(outputs: Record<string, string>): void {
  if (!process.env['GITHUB_OUTPUT']) return;
  try {
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  } catch (e) {
    fileCommandFailed('GITHUB_OUTPUT', 'The step outputs could not be written', e);
  }
}

/**
 * Appends Markdown the caller escaped (src/report/markdown.ts) to the job summary; core escapes nothing.
 * Capped under the runner's 1 MiB in every mode (summary-cap.ts).
 */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  try {
    await core.summary.addRaw(capSummary(markdown)).write();
  } catch (e) {
    core.summary.emptyBuffer();
    fileCommandFailed('GITHUB_STEP_SUMMARY', 'The job summary could not be written', e);
  }
}

/**
 * A runner file that cannot be written (a directory, a missing folder) is the runner's setup, not a
 * reason to lose the annotations: one warning that names the variable and the file.
 */
function fileCommandFailed(variable: string, title: string, e: unknown): void {
  const reason = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
  const message =
    `${variable} names ${process.env[variable] ?? ''}, which this step cannot write (${reason}); the annotations ` +
    'above are the result. The runner sets this variable; a step before this one may have changed it.';
  annotate('warning', title, message);
}

/** The step fails, with this error annotation (core.setFailed, with a title it cannot take). */
export function failStep(title: string, message: string): void {
  annotate('error', title, message);
  process.exitCode = core.ExitCode.Failure;
}

/** The action's input `name` as the runner passes it (INPUT_<NAME>), trimmed. */
export function readInput(name: string): string {
  return core.getInput(name);
}

/** An input that is a secret (a token): masked before it can be printed. */
export function readSecretInput(name: string): string {
  const value = core.getInput(name);
  if (value) maskSecret(value);
  return value;
}
