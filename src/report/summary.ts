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
  if (sec === undefined) return '—';
  // A hand-made or hostile token may carry any JSON here; toISOString throws outside ±8.64e15 ms.
  const d = new Date(Number(sec) * 1000);
  return Number.isFinite(d.getTime()) ? d.toISOString().replace('.000Z', 'Z') : String(sec);
}

function lifetimeRow(r: RunReport): string {
  const c = r.claims!;
  if (c.exp === undefined) return 'no `exp` claim';
  const life = c.iat !== undefined ? `${c.exp - c.iat} s lifetime` : '';
  const left = c.exp - r.now;
  const state = left >= 0 ? `${left} s left` : `expired ${-left} s ago`;
  const times = `issued ${time(c.iat)}, not before ${time(c.nbf)}, expires ${time(c.exp)}`;
  return `${times} (${[life, state].filter(Boolean).join(', ')})`;
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
    [
      'repository_owner',
      c.repository_owner && `${c.repository_owner}${c.repository_owner_id ? ` (id ${c.repository_owner_id})` : ''}`,
    ],
    ['enterprise', c.enterprise],
  ];
  // 600 characters: Entra's limit for credential values, so nothing longer can matter.
  const body = rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => [`\`${k}\``, mdCode(String(v), 600)]);
  body.push(['lifetime', md(lifetimeRow(r), 600)]);
  if (r.tokenHeader) body.push(['signature', md(`${r.tokenHeader.alg ?? '?'}, kid ${r.tokenHeader.kid ?? '?'}`, 300)]);
  // Entra's acceptance is the proof of the signature: the row then says so whether or not our own
  // check finished first (it is cut short once Entra accepts), so the summary does not depend on a race.
  if (r.exchange?.status === 'success') body.push(['verified', '✅ by Entra, which accepted the token']);
  else if (r.verification)
    body.push([
      'verified',
      r.verification.ok ? `✅ against the issuer's JWKS` : `⚠️ ${md(r.verification.message, 400)}`,
    ]);
  return table(['claim', 'value'], body);
}

function cell(ok: boolean, value: string): string {
  return `${ok ? '✅' : '❌'} ${mdCode(value, 300)}`;
}

const COMPARISON_HEADER = ['', 'credential', 'issuer', 'subject / expression', 'audience'];

function comparisonRows(comparisons: CredentialComparison[]): string[][] {
  return comparisons.slice(0, 50).map((c) => {
    const subjectCell = c.expression
      ? c.expression.error
        ? `❌ ${md('invalid expression: ')}${mdCode(c.credential.claimsMatchingExpression?.value ?? '', 300)}`
        : cell(!!c.expression.evaluation?.matched, c.credential.claimsMatchingExpression?.value ?? '')
      : cell(!!c.subject?.equal, c.subject?.expected ?? '');
    const source =
      c.credential.source === 'graph'
        ? ' (Microsoft Graph)'
        : c.credential.source === 'arm'
          ? ' (Azure Resource Manager)'
          : '';
    return [
      c.matched ? '✅' : '❌',
      `${mdCode(c.credential.name, 120)}${source}`,
      cell(c.issuer.equal, c.issuer.expected),
      subjectCell,
      cell(c.audience.equal, c.audience.expected),
    ];
  });
}

function findingBlock(f: Finding, max = 20_000): string {
  const where = f.location ? `${f.location.file}${f.location.line ? `:${f.location.line}` : ''}` : undefined;
  return [
    `#### ${ICON[f.severity]} ${md(f.title, 300)}${f.code ? ` (${md(f.code, 100)})` : ''}`,
    `Finding ${mdCode(f.id)}${where !== undefined ? ` at ${mdCode(where, 300)}` : ''}`,
    fence(f.message, 'text', max),
    '**Fix**',
    fence(f.fix, 'text', max),
  ].join('\n\n');
}

const bytes = (s: string): number => Buffer.byteLength(s);

/** Room kept for the findings when the credentials table is large. */
const FINDINGS_RESERVE = 64 * 1024;

/**
 * Sizes are counted in UTF-8 bytes, and whatever does not fit is left out whole (table rows,
 * findings, sections), so a cut can never leave a fence, a <code> element or a row open.
 */
export function renderSummary(r: RunReport): string {
  const limit = SUMMARY_MAX_BYTES - 4 * 1024; // room for the notes saying what was left out
  const parts: string[] = [];
  let size = 0;
  const add = (...ps: string[]) => {
    for (const p of ps) {
      parts.push(p);
      size += bytes(p) + 2;
    }
  };
  const fits = (p: string, reserve = 0) => size + bytes(p) + 2 + reserve <= limit;

  add(`## ${r.result === 'pass' ? '✅' : '❌'} Azure federation check: ${r.result}`, md(r.verdict, 1000));
  if (r.claims) add('### Token presented by this job', claimsTable(r));
  if (r.comparisons?.length) {
    add('### Federated credentials compared');
    const rows = comparisonRows(r.comparisons);
    let shown = rows.length;
    let text = table(COMPARISON_HEADER, rows);
    while (shown > 0 && !fits(text, FINDINGS_RESERVE)) text = table(COMPARISON_HEADER, rows.slice(0, --shown));
    add(text);
    if (r.comparisons.length > shown) add(md(`(${r.comparisons.length - shown} more not shown)`));
  }
  if (r.exchange) {
    const e = r.exchange;
    const text =
      e.status === 'skipped'
        ? `Exchange skipped: ${e.reason}`
        : e.status === 'success'
          ? `Entra issued an access token${e.attempts > 1 ? ` after ${e.attempts} attempts` : ''}.`
          : e.status === 'rejected'
            ? `Entra rejected the token${e.code ? ` with ${e.code}` : ''}.`
            : `Entra could not be asked: ${e.reason} (${e.attempts} attempt${e.attempts === 1 ? '' : 's'}).`;
    add('### Token exchange', md(text, 1000));
  }
  const suggestion =
    r.suggestion && r.clientId && r.result === 'fail' && r.suggestion.subject
      ? ['### A credential this token would match', fence(createCommands(r.clientId, r.suggestion), 'sh')].join('\n\n')
      : undefined;
  const keep = suggestion && fits(suggestion) ? bytes(suggestion) + 2 : 0;
  if (r.findings.length) {
    add(`### Findings (${r.findings.length})`);
    for (const [i, f] of r.findings.entries()) {
      let block = findingBlock(f);
      // A long message or fix is shortened before the finding is given up.
      if (!fits(block, keep)) block = findingBlock(f, 2000);
      if (!fits(block, keep)) {
        add(md(`… ${r.findings.length - i} more findings are in the 'findings' output.`));
        break;
      }
      add(block);
    }
  }
  if (suggestion && fits(suggestion)) add(suggestion);
  return `${parts.join('\n\n')}\n`;
}
