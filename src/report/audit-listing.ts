/**
 * The audit's list of jobs and the subjects each sends, with the credentials that accept them:
 * one text for the CLI's `audit` (coloured on a terminal) and the action's log (a collapsible group).
 */
import type { AuditResult } from '../workflow/audit.js';

/** Text styles: ANSI colours on a terminal, nothing in the runner's log. */
export interface ListingStyle {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
}

interface AuditedJob {
  file: string;
  job: string;
  line: number;
  subjects: Array<{ subject: string; trigger: string; certain: boolean; line: number; matchedBy: string[] }>;
}

/** Plain data, as `audit --json` prints it. */
export function auditedJobs(result: AuditResult): AuditedJob[] {
  return result.workflows.flatMap((w) =>
    w.jobs.map((j) => ({
      file: j.prediction.file,
      job: j.prediction.jobId,
      line: j.prediction.jobLine,
      subjects: j.matches.map((m) => ({
        subject: m.subject.subject,
        trigger: m.subject.trigger,
        certain: m.subject.certain,
        line: m.subject.sourceLine,
        matchedBy: [...m.full, ...m.partial].map((c) => c.name),
      })),
    })),
  );
}

/** A line per job, then one per subject: ✓ with the credentials that accept it, ✗ where none does. */
export function jobListing(jobs: readonly AuditedJob[], s: ListingStyle): string[] {
  const out: string[] = [];
  for (const j of jobs) {
    out.push(`${j.file}:${j.line}  job ${s.bold(j.job)}`);
    for (const sub of j.subjects) {
      const ok = sub.matchedBy.length > 0;
      const mark = ok ? s.green('✓') : s.red('✗');
      const where = s.dim(`(${sub.trigger}${sub.certain ? '' : ', uncertain'}; line ${sub.line})`);
      const by = ok ? s.dim(`  ← ${sub.matchedBy.join(', ')}`) : '';
      out.push(`  ${mark} ${sub.subject}  ${where}${by}`);
    }
  }
  return out;
}
