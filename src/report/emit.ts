/**
 * Writing a run's report where the runner reads it: annotations and log lines on stdout,
 * outputs to GITHUB_OUTPUT, markdown to GITHUB_STEP_SUMMARY. The only place that writes.
 */
import type { Finding } from '../diagnose/finding.js';
import { audiences } from '../github/claims.js';
import { renderSummary } from './summary.js';
import { capSummary } from './summary-cap.js';
import type { RunReport } from './run-report.js';
import { annotation, appendFileCommand, formatFileCommandValue, safeLogLine } from './workflow-commands.js';

export interface Sink {
  stdout: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export function findingsJson(findings: readonly Finding[]): string {
  return JSON.stringify(
    findings.map((f) => ({ id: f.id, severity: f.severity, title: f.title, message: f.message, fix: f.fix, ...(f.code ? { code: f.code } : {}), ...(f.location ? { location: f.location } : {}) })),
  );
}

export function annotationFor(f: Finding): string {
  return annotation(f.severity, f.code ? `${f.title} (${f.code})` : f.title, `${f.message}\n\nFix:\n${f.fix}`, f.location);
}

/**
 * Appends to a file the runner names (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). A path that is a
 * directory or in a missing folder is the runner's setup, not our bug: one warning naming the
 * variable and the file, and the run goes on. False when nothing was written. The summary is
 * capped under the runner's 1 MiB (summary-cap.ts).
 */
export function appendRunnerFile(sink: Sink, variable: 'GITHUB_OUTPUT' | 'GITHUB_STEP_SUMMARY', text: string): boolean {
  const file = sink.env[variable];
  try {
    return appendFileCommand(file, variable === 'GITHUB_STEP_SUMMARY' ? capSummary(text) : text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const what = variable === 'GITHUB_OUTPUT' ? 'the outputs were not set' : 'there is no job summary';
    const message =
      `${variable} names ${file}, which could not be written (${code}), so ${what}. ` +
      'The runner sets this variable; a step before this one may have changed it.';
    sink.stdout(annotation('warning', `${variable} could not be written`, message));
    return false;
  }
}

/** Every output, in the GITHUB_OUTPUT file; stops at the first that cannot be written. */
export function writeOutputs(sink: Sink, outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs))
    if (!appendRunnerFile(sink, 'GITHUB_OUTPUT', formatFileCommandValue(name, value))) break;
}

export function emitReport(report: RunReport, sink: Sink): void {
  for (const f of report.findings) sink.stdout(annotationFor(f));
  const c = report.claims;
  const outputs: Record<string, string> = {
    result: report.result,
    findings: findingsJson(report.findings),
    issuer: c?.iss ?? '',
    subject: c?.sub ?? '',
    audience: c ? audiences(c).join(',') : '',
    'matched-credential': report.matchedCredential ?? '',
  };
  writeOutputs(sink, outputs);
  appendRunnerFile(sink, 'GITHUB_STEP_SUMMARY', renderSummary(report));
  sink.stdout(safeLogLine(`Azure federation check: ${report.result}. ${report.verdict}`));
}
