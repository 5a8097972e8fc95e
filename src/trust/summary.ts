/** The trust audit's job summary (markdown). Pure. */
import { FINDING_IDS, hasErrors, type Finding } from '../diagnose/finding.js';
import { fence, md, mdCode, table } from '../report/markdown.js';
import type { TrustAuditResult } from './audit.js';

/** The trust alerts, in the contract's order (finding.ts); `trust-not-checked` is counted apart. */
const TRUST_ALERT_IDS = FINDING_IDS.filter((id) => id.startsWith('trust-') && id !== 'trust-not-checked');

const MAX_DETAILED = 100;

export function renderTrustSummary(findings: readonly Finding[], result: TrustAuditResult | undefined): string {
  const failed = hasErrors(findings);
  const parts = [`## ${failed ? '❌' : '✅'} Azure federation trust audit: ${failed ? 'fail' : 'pass'}`];
  if (result) {
    const count = (id: string) => String(findings.filter((f) => f.id === id).length);
    parts.push(
      md(
        `${result.credentials} credential(s) of ${result.identities} identity(ies); ${result.notChecked.length} ` +
          `could not be checked against GitHub (not counted as safe).`,
      ),
      table(
        ['finding', 'count'],
        TRUST_ALERT_IDS.map((id) => [mdCode(id), count(id)]),
      ),
    );
  }
  for (const f of findings.slice(0, MAX_DETAILED)) {
    const icon = f.severity === 'error' ? '❌' : f.severity === 'warning' ? '⚠️' : 'ℹ️';
    parts.push(
      `#### ${icon} ${md(f.title, 300)}`,
      `Finding ${mdCode(f.id)}`,
      fence(f.message),
      '**Fix**',
      fence(f.fix),
    );
  }
  if (findings.length > MAX_DETAILED)
    parts.push(
      md(`… ${findings.length - MAX_DETAILED} more findings are in the SARIF file and the 'findings' output.`),
    );
  return `${parts.join('\n\n')}\n`;
}
