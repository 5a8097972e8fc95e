/**
 * Findings about the identity's credentials: broken on their own (the 20-credential limit,
 * wildcards in a classic subject, typos GitHub never sends) and unused by every job read. Pure.
 */
import { isFlexible, type FederatedCredential } from '../entra/credential.js';
import { formatClause } from '../entra/flexible-expression.js';
import { parseSubject } from '../github/subject.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import type { Finding } from '../diagnose/finding.js';
import { CLIENT_ID_PLACEHOLDER } from '../diagnose/fix-commands.js';
import { classifySubjectDifference, isNearMiss } from '../diagnose/subject-reasons.js';
import { credentialNameFor, diffLines, shellQuote } from '../diagnose/text-diff.js';
import type { AuditContext } from './audit.js';
import type { ClassicEntry } from './audit-match.js';
import {
  type Names,
  appUpdateCommand,
  code,
  differenceSentence,
  flexibleCreateCommands,
  flexibleNotes,
  nearestOf,
} from './audit-text.js';
import { hasWildcard } from './glob.js';
import { repoRelativePath } from './parse-core.js';
import type { PredictedSubject } from './predict.js';

/** Entra's limit of federated credentials per application or managed identity. */
export const CREDENTIAL_LIMIT = 20;
/** Warn this close to the limit. */
const CREDENTIAL_LIMIT_WARNING = 18;

interface LintIssue {
  what: string;
  fixed: { issuer?: string; subject?: string; audience?: string };
}

function lintCredential(c: FederatedCredential, ctx: AuditContext): LintIssue[] {
  const issues: LintIssue[] = [];
  const issuer = typeof c.issuer === 'string' ? c.issuer : '';
  const audience = c.audiences?.[0] ?? '';
  if (issuer !== issuer.trim())
    issues.push({
      what: `The issuer ${code(JSON.stringify(issuer))} has leading or trailing whitespace; Entra blocks the exchange`,
      fixed: { issuer: issuer.trim() },
    });
  else if (/\/+$/.test(issuer) && (issuer.replace(/\/+$/, '') === ctx.issuer || issuer.startsWith(GITHUB_COM_ISSUER)))
    issues.push({
      what: `The issuer ends with a slash (${code(issuer)}); GitHub's issuer has none and Entra compares byte for byte`,
      fixed: { issuer: issuer.replace(/\/+$/, '') },
    });
  if (audience !== audience.trim())
    issues.push({
      what: `The audience ${code(JSON.stringify(audience))} has leading or trailing whitespace`,
      fixed: { audience: audience.trim() },
    });
  else if (audience !== ctx.audience && audience.replace(/\/+$/, '').toLowerCase() === ctx.audience.toLowerCase())
    issues.push({
      what: `The audience ${code(audience)} differs from ${code(ctx.audience)} only in case or a trailing slash`,
      fixed: { audience: ctx.audience },
    });
  if (isFlexible(c)) return issues;
  const subject = typeof c.subject === 'string' ? c.subject : '';
  let fixed = subject;
  const add = (what: string, next: string) => {
    issues.push({ what, fixed: { subject: next } });
    fixed = next;
  };
  if (fixed !== fixed.trim())
    add(
      `The subject ${code(JSON.stringify(subject))} has leading or trailing whitespace, which Entra compares too`,
      fixed.trim(),
    );
  if (/:pull-request(?=$|:)/.test(fixed))
    add(
      `The subject has ${code(':pull-request')}; GitHub sends ${code(':pull_request')} (underscore)`,
      fixed.replace(/:pull-request(?=$|:)/, ':pull_request'),
    );
  if (/:environment\//.test(fixed))
    add(
      `The subject has ${code('environment/')}; GitHub sends ${code('environment:NAME')}`,
      fixed.replace(/:environment\//, ':environment:'),
    );
  if (/(^|:)refs\/(heads|tags)\//.test(fixed) && !/:ref:refs\//.test(fixed))
    add(
      `The subject has ${code('refs/...')} without ${code('ref:')}; GitHub sends ${code('ref:refs/heads/BRANCH')}`,
      fixed.replace(/(^|:)(refs\/(?:heads|tags)\/)/, '$1ref:$2'),
    );
  else if (/:ref:(?!refs\/)/.test(fixed) && /^repo:/.test(fixed)) {
    const m = /:ref:(?:heads\/)?(.*)$/.exec(fixed);
    add(
      `The subject has ${code('ref:')} without ${code('refs/heads/')}; GitHub sends the full ref`,
      fixed.replace(/:ref:(?:heads\/)?(.*)$/, `:ref:refs/heads/${m?.[1] ?? ''}`),
    );
  }
  const repoPart = /^repo:(.*?)(:(?:environment|ref|pull_request|pull-request)(?::|$).*)?$/.exec(fixed);
  if (repoPart) {
    const raw = repoPart[1] ?? '';
    const repo = raw
      .replace(/^git@github\.com:/, '')
      .replace(/^(https?:\/\/|ssh:\/\/git@)github\.com\//, '')
      .replace(/\.git$/, '')
      .replace(/\/+$/, '');
    if (repo !== raw)
      add(
        `The repository part ${code(raw)} is a clone URL; GitHub sends ${code('OWNER/REPO')}`,
        `repo:${repo}${repoPart[2] ?? ''}`,
      );
  }
  return issues;
}

export function credentialChecks(
  credentials: readonly FederatedCredential[],
  ctx: AuditContext,
  names: Names,
  reported: Set<FederatedCredential>,
): Finding[] {
  const findings: Finding[] = [];
  const n = credentials.length;
  if (n >= CREDENTIAL_LIMIT_WARNING) {
    const full = n >= CREDENTIAL_LIMIT;
    findings.push({
      id: 'credential-limit',
      severity: full ? 'error' : 'warning',
      title: full
        ? `The identity has ${n} federated credentials, the limit of ${CREDENTIAL_LIMIT}`
        : `The identity has ${n} of at most ${CREDENTIAL_LIMIT} federated credentials`,
      message:
        `Entra allows ${CREDENTIAL_LIMIT} federated credentials per application or user-assigned managed identity. ` +
        (full
          ? 'No credential can be added until one is deleted, so a new branch, tag or environment cannot be trusted.'
          : `Only ${CREDENTIAL_LIMIT - n} more can be added.`),
      fix:
        'Delete credentials no workflow uses (see credential-unused findings), ' +
        'or replace several branch or tag credentials with one flexible credential, e.g. ' +
        `${code(
          `${formatClause('sub', 'matches', `repo:${ctx.owner}/${ctx.repo}:ref:refs/heads/*`)} and ` +
            `${formatClause('repository_id', 'eq', ctx.repoId ?? '<REPOSITORY-ID>')}`,
        )}.\n` +
        `az ad app federated-credential delete --id '${CLIENT_ID_PLACEHOLDER}' --federated-credential-id '<NAME>'`,
      evidence: [{ label: 'Federated credentials', actual: String(n), expected: `at most ${CREDENTIAL_LIMIT}` }],
    });
  }
  for (const c of credentials) {
    const subject = typeof c.subject === 'string' ? c.subject : '';
    if (!isFlexible(c) && hasWildcard(subject)) {
      reported.add(c);
      const expression =
        `${formatClause('sub', 'matches', subject.trim())} and ` +
        `${formatClause('repository_id', 'eq', ctx.repoId ?? '<REPOSITORY-ID>')}`;
      findings.push({
        id: 'credential-wildcard',
        severity: 'error',
        title: `Credential '${c.name}' has a wildcard in its subject, which never matches`,
        message:
          `The subject ${code(subject)} contains ${subject.includes('*') ? code('*') : code('?')}. ` +
          'Classic federated credentials compare the subject exactly; ' +
          'wildcards are only supported in flexible credentials (claimsMatchingExpression), ' +
          'so this credential can never match a token.' +
          (/@\d+/.test(subject)
            ? ' A third-party report says Entra rejects `@<id>` shapes in flexible expressions; ' +
              "match claims['repository_id'] with eq instead if it does."
            : ''),
        fix: [
          `Replace it with a flexible credential: ${expression}`,
          flexibleCreateCommands(
            names.for(`flexible:${subject}`, credentialNameFor(`${c.name}-flexible`)),
            expression,
            ctx,
          ),
          `az ad app federated-credential delete --id '${CLIENT_ID_PLACEHOLDER}' ` +
            `--federated-credential-id ${shellQuote(c.name)}`,
          flexibleNotes(ctx),
        ].join('\n'),
        evidence: [{ label: `Subject of '${c.name}'`, actual: subject }],
      });
    }
    const issues = lintCredential(c, ctx);
    if (issues.length > 0) {
      reported.add(c);
      const fixed = Object.assign({}, ...issues.map((i) => i.fixed)) as LintIssue['fixed'];
      const last = [...issues].reverse();
      const subjectFix = last.find((i) => i.fixed.subject !== undefined)?.fixed.subject;
      findings.push({
        id: 'credential-lint',
        severity: 'warning',
        // The title names the credential, the message the problem: each said once.
        title:
          issues.length === 1
            ? `Credential '${c.name}' can never match as it is`
            : `Credential '${c.name}' has ${issues.length} problems that stop it matching`,
        message:
          (issues.length === 1 ? `${issues[0]!.what}.` : issues.map((i) => `- ${i.what}.`).join('\n')) +
          '\nGitHub never sends such a value, so the credential cannot match as it is.',
        fix: appUpdateCommand(c, { ...fixed, ...(subjectFix !== undefined ? { subject: subjectFix } : {}) }),
        evidence: [
          ...(fixed.issuer !== undefined ? [{ label: 'Issuer', actual: c.issuer, expected: fixed.issuer }] : []),
          ...(subjectFix !== undefined ? [{ label: 'Subject', actual: subject, expected: subjectFix }] : []),
          ...(fixed.audience !== undefined
            ? [{ label: 'Audience', actual: c.audiences?.[0] ?? '', expected: fixed.audience }]
            : []),
        ],
      });
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Unused credentials

export function targetsRepository(subject: string, ctx: AuditContext): boolean {
  const p = parseSubject(subject);
  if (p.form !== 'custom') {
    const byName =
      (p.owner ?? '').toLowerCase() === ctx.owner.toLowerCase() &&
      (p.repo ?? '').toLowerCase() === ctx.repo.toLowerCase();
    const byId = !!ctx.repoId && p.repoId === ctx.repoId;
    return byName || byId;
  }
  if (!ctx.template || ctx.template.useDefault) return false;
  const s = subject.toLowerCase();
  return (
    s.includes(`${ctx.owner}/${ctx.repo}`.toLowerCase()) ||
    (!!ctx.repoId && s.includes(`repository_id:${ctx.repoId}`)) ||
    !(ctx.template.includeClaimKeys ?? []).some((k) => ['repo', 'repository', 'repository_id'].includes(k))
  );
}

export function unusedFinding(
  e: ClassicEntry,
  predicted: readonly PredictedSubject[],
  workflowCount: number,
  unread: readonly string[],
): Finding {
  const c = e.credential;
  const nearest = nearestOf(e.subject, predicted, (s) => s.subject);
  const understood = unread.length === 0;
  const lines = [
    understood
      ? `No job in the ${workflowCount} workflow file${workflowCount === 1 ? '' : 's'} ` +
        `read sends ${code(e.subject)}, so credential '${c.name}' is never used ` +
        "by this repository's workflows as they are."
      : `No job that was understood in the ${workflowCount} workflow file${workflowCount === 1 ? '' : 's'} ` +
        `read sends ${code(e.subject)}. Not understood: ${unread.slice(0, 5).join('; ')}` +
        `${unread.length > 5 ? `; and ${unread.length - 5} more` : ''}. Those may still use credential '${c.name}'.`,
  ];
  // "Delete it" only when every job that could use the credential was understood.
  let fix = understood
    ? 'If no other branch or workflow needs it, delete it:\n' +
      `az ad app federated-credential delete --id '${CLIENT_ID_PLACEHOLDER}' ` +
      `--federated-credential-id ${shellQuote(c.name)}`
    : `Check what the jobs that were not understood send before deleting credential '${c.name}'.`;
  let location: Finding['location'];
  if (nearest) {
    const why = differenceSentence(nearest.subject, e.subject);
    lines.push(
      `The nearest predicted subject is ${code(nearest.subject)} ` +
        `(job in ${code(repoRelativePath(nearest.sourceFile))}, ${nearest.trigger}).${why ? ` ${why}` : ''}`,
    );
    lines.push(diffLines('predicted', nearest.subject, `'${c.name}'`, e.subject));
    if (!nearest.pattern && isNearMiss(classifySubjectDifference(nearest.subject, e.subject))) {
      fix = `Correct its subject to what GitHub sends:\n${appUpdateCommand(c, { subject: nearest.subject })}\n${fix}`;
      location = { file: nearest.sourceFile, line: nearest.sourceLine };
    }
  }
  lines.push(
    'Workflows on other branches, or runs the files do not show ' +
      '(another repository calling a reusable workflow), may still use it.',
  );
  return {
    id: 'credential-unused',
    severity: 'warning',
    title: `Credential '${c.name}' matches no job in the workflows read`,
    message: lines.join('\n'),
    fix,
    evidence: [
      { label: `Subject of '${c.name}'`, actual: e.subject, ...(nearest ? { expected: nearest.subject } : {}) },
    ],
    ...(location ? { location } : {}),
  };
}
