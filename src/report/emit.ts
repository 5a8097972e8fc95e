/**
 * Writing a run's report where the runner reads it: annotations and log lines on stdout,
 * outputs to GITHUB_OUTPUT, markdown to GITHUB_STEP_SUMMARY. The only place that writes.
 */
import type { Finding } from '../diagnose/finding.js';
import { audiences } from '../github/claims.js';
import { renderSummary } from './summary.js';
import type { RunReport } from './run-report.js';
import { annotation, appendFileCommand, formatFileCommandValue, safeLogLine } from './workflow-commands.js';

interface Sink {
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
  const outFile = sink.env.GITHUB_OUTPUT;
  for (const [name, value] of Object.entries(outputs)) {
    if (!appendFileCommand(outFile, formatFileCommandValue(name, value))) break;
  }
  appendFileCommand(sink.env.GITHUB_STEP_SUMMARY, renderSummary(report));
  sink.stdout(safeLogLine(`Azure federation check: ${report.result}. ${report.verdict}`));
}
