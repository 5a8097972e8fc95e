/**
 * The job summary: a pure function from the run's report to markdown. User values go through
 * md()/mdCode()/fence(); the size is bounded well under GitHub's 1 MiB summary limit.
 */
import { audiences } from '../github/claims.js';
import { createCommands } from '../diagnose/fix-commands.js';
import type { CredentialComparison } from '../diagnose/compare.js';
import type { Finding } from '../diagnose/finding.js';
import { fence, md, mdCode, table } from './markdown.js';
import type { RunReport } from './run-report.js';

export const SUMMARY_MAX_BYTES = 256 * 1024;

const ICON = { error: '❌', warning: '⚠️', notice: 'ℹ️' } as const;

function time(sec: number | undefined): string {
  return sec === undefined ? '—' : new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
}

function lifetimeRow(r: RunReport): string {
  const c = r.claims!;
  if (c.exp === undefined) return 'no `exp` claim';
  const life = c.iat !== undefined ? `${c.exp - c.iat} s lifetime` : '';
  const left = c.exp - r.now;
  const state = left >= 0 ? `${left} s left` : `expired ${-left} s ago`;
  return `issued ${time(c.iat)}, not before ${time(c.nbf)}, expires ${time(c.exp)} (${[life, state].filter(Boolean).join(', ')})`;
}

function claimsTable(r: RunReport): string {
  const c = r.claims!;
  const rows: Array<[string, string | undefined]> = [
    ['iss', c.iss],
    ['sub', c.sub],
    ['aud', audiences(c).join(', ')],
    ['ref', c.ref],
    ['environment', c.environment],
    ['event_name', c.event_name],
    ['job_workflow_ref', c.job_workflow_ref],
    ['repository', c.repository && `${c.repository}${c.repository_id ? ` (id ${c.repository_id})` : ''}`],
    ['repository_owner', c.repository_owner && `${c.repository_owner}${c.repository_owner_id ? ` (id ${c.repository_owner_id})` : ''}`],
    ['enterprise', c.enterprise],
  ];
  const body = rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [`\`${k}\``, mdCode(String(v))]);
  body.push(['lifetime', md(lifetimeRow(r))]);
  if (r.tokenHeader) body.push(['signature', md(`${r.tokenHeader.alg ?? '?'}, kid ${r.tokenHeader.kid ?? '?'}`)]);
  if (r.verification)
    body.push(['verified', r.verification.ok ? `✅ against the issuer's JWKS` : `⚠️ ${md(r.verification.message, 400)}`]);
  return table(['claim', 'value'], body);
}

function cell(ok: boolean, value: string): string {
  return `${ok ? '✅' : '❌'} ${mdCode(value, 300)}`;
}

function comparisonTable(comparisons: CredentialComparison[]): string {
  const rows = comparisons.slice(0, 50).map((c) => {
    const subjectCell = c.expression
      ? c.expression.error
        ? `❌ ${md('invalid expression: ')}${mdCode(c.credential.claimsMatchingExpression?.value ?? '', 300)}`
        : cell(!!c.expression.evaluation?.matched, c.credential.claimsMatchingExpression?.value ?? '')
      : cell(!!c.subject?.equal, c.subject?.expected ?? '');
    return [c.matched ? '✅' : '❌', mdCode(c.credential.name, 120), cell(c.issuer.equal, c.issuer.expected), subjectCell, cell(c.audience.equal, c.audience.expected)];
  });
  return table(['', 'credential', 'issuer', 'subject / expression', 'audience'], rows);
}

function findingBlock(f: Finding): string {
  return [
    `#### ${ICON[f.severity]} ${md(f.title, 300)}${f.code ? ` (${md(f.code)})` : ''}`,
    `Finding ${mdCode(f.id)}${f.location ? ` at ${mdCode(`${f.location.file}${f.location.line ? `:${f.location.line}` : ''}`)}` : ''}`,
    fence(f.message),
    '**Fix**',
    fence(f.fix),
  ].join('\n\n');
}

export function renderSummary(r: RunReport): string {
  const parts: string[] = [];
  parts.push(`## ${r.result === 'pass' ? '✅' : '❌'} Azure federation check: ${r.result}`);
  parts.push(md(r.verdict, 1000));
  if (r.claims) parts.push('### Token presented by this job', claimsTable(r));
  if (r.comparisons && r.comparisons.length) {
    parts.push('### Federated credentials compared');
    parts.push(comparisonTable(r.comparisons));
    if (r.comparisons.length > 50) parts.push(md(`(${r.comparisons.length - 50} more not shown)`));
  }
  if (r.exchange) {
    const e = r.exchange;
    const text =
      e.status === 'skipped' ? `Exchange skipped: ${e.reason}` :
      e.status === 'success' ? `Entra issued an access token${e.attempts > 1 ? ` after ${e.attempts} attempts` : ''}.` :
      e.status === 'rejected' ? `Entra rejected the token${e.code ? ` with ${e.code}` : ''}.` :
      `Entra could not be asked: ${e.reason} (${e.attempts} attempt${e.attempts === 1 ? '' : 's'}).`;
    parts.push('### Token exchange', md(text, 1000));
  }
  if (r.findings.length) {
    parts.push(`### Findings (${r.findings.length})`);
    let size = parts.join('\n\n').length;
    for (const [i, f] of r.findings.entries()) {
      const block = findingBlock(f);
      if (size + block.length > SUMMARY_MAX_BYTES - 8 * 1024) {
        parts.push(md(`… ${r.findings.length - i} more findings are in the 'findings' output.`));
        break;
      }
      parts.push(block);
      size += block.length;
    }
  }
  if (r.suggestion && r.clientId && r.result === 'fail' && r.suggestion.subject) {
    parts.push('### A credential this token would match', fence(createCommands(r.clientId, r.suggestion), 'sh'));
  }
  const out = `${parts.join('\n\n')}\n`;
  return Buffer.byteLength(out) > SUMMARY_MAX_BYTES ? `${out.slice(0, SUMMARY_MAX_BYTES / 2)}\n\n(summary truncated)\n` : out;
}
