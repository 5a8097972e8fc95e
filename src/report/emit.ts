/**
 * Writing a run's report where the runner reads it: annotations and the verdict in the log,
 * outputs to GITHUB_OUTPUT, Markdown to GITHUB_STEP_SUMMARY, all through src/report/runner-log.ts.
 */
import type { Finding } from '../diagnose/finding.js';
import { audiences } from '../github/claims.js';
import { renderSummary } from './summary.js';
import type { RunReport } from './run-report.js';
import { annotate, logLine, setOutputs, writeSummary } from './runner-log.js';

export function findingsJson(findings: readonly Finding[]): string {
  return JSON.stringify(
    findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      title: f.title,
      message: f.message,
      fix: f.fix,
      ...(f.code ? { code: f.code } : {}),
      ...(f.location ? { location: f.location } : {}),
    })),
  );
}

/** One finding as one annotation: the message, then its fix. */
export function annotateFinding(f: Finding): void {
  annotate(f.severity, f.code ? `${f.title} (${f.code})` : f.title, `${f.message}\n\nFix:\n${f.fix}`, f.location);
}

export async function emitReport(report: RunReport): Promise<void> {
  for (const f of report.findings) annotateFinding(f);
  const c = report.claims;
  setOutputs({
    result: report.result,
    findings: findingsJson(report.findings),
    issuer: c?.iss ?? '',
    subject: c?.sub ?? '',
    audience: c ? audiences(c).join(',') : '',
    'matched-credential': report.matchedCredential ?? '',
  });
  await writeSummary(renderSummary(report));
  logLine(`Azure federation check: ${report.result}. ${report.verdict}`);
}
