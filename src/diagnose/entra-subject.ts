/**
 * Findings for the subject family (700213, 7002131, 7002138): the nearest credential, why GitHub
 * sent this subject, and what the quoted subject proves by itself.
 */
import { isFlexible, type FederatedCredential } from '../entra/credential.js';
import { evaluateClaimsMatchingExpression, parseClaimsMatchingExpression } from '../entra/flexible-expression.js';
import type { GitHubClaims } from '../github/claims.js';
import { customTemplateKeys, parseSubject, toImmutableForm, toNameForm } from '../github/subject.js';
import { PLACEHOLDER, type CatalogEntry } from './catalog.js';
import type { Evidence, Finding, FindingId } from './finding.js';
import {
  classifySubjectDifference,
  isNearMiss,
  nearestBySubject,
  subjectDifferenceSentence,
  whatTheCredentialExpects,
  whyThisSubject,
  type SubjectDifference,
} from './subject-reasons.js';
import { diffLines } from './text-diff.js';
import {
  SUBJECT_IDS,
  causesSection,
  comparisonFor,
  createFix,
  credentialLabel,
  finding,
  fromCatalog,
  fromComparison,
  listCommand,
  matchedButRefused,
  q,
  tick,
  type Case,
  updateCommand,
} from './entra-case.js';

// ---- subject ----------------------------------------------------------------------------------

/** The credential nearest to the subject, preferring those with the token's issuer. */
export function nearestCredential(
  subject: string,
  creds: readonly FederatedCredential[],
  issuer?: string,
): { cred: FederatedCredential; kind: SubjectDifference } | undefined {
  const cred = nearestBySubject(
    subject,
    creds,
    (k) => (typeof k.subject === 'string' ? k.subject : undefined),
    (k) => (issuer !== undefined && k.issuer !== issuer ? 1000 : 0),
  );
  return cred && { cred, kind: classifySubjectDifference(subject, cred.subject!) };
}

export function subjectFamily(c: Case, entry: CatalogEntry): Finding[] {
  const cmp = comparisonFor(c);
  if (cmp) {
    if (cmp.matched) return [matchedButRefused(c, cmp)];
    const found = fromComparison(c, cmp, SUBJECT_IDS);
    if (found.length) return found;
  }
  const subject = c.subject;
  const flexibleCreds = (c.ctx.credentials ?? []).filter(isFlexible);
  const isExpressionCase = entry.code === 7002131 || flexibleCreds.length > 0;
  const id: FindingId =
    entry.code === 7002138
      ? 'subject-case-mismatch'
      : isExpressionCase && flexibleCreds.length > 0
        ? 'expression-mismatch'
        : entry.findingId;
  if (subject === undefined) return [fromCatalog(c, entry)];

  if (entry.code !== 7002138 && !cmp && !(c.ctx.credentials ?? []).length) {
    const dedicated = subjectFromQuotedEvidence(c, subject);
    if (dedicated) return [dedicated];
  }
  const body: (string | undefined)[] = [];
  const fix: string[] = [];
  const evidence: Evidence[] = [];
  const why = whyThisSubject(subject, c.claims);
  const parts = parseSubject(subject);
  const creds = c.ctx.credentials ?? [];
  const nearest = creds.length ? nearestCredential(subject, creds, c.issuer) : undefined;
  let title =
    entry.code === 7002138
      ? `A credential's subject differs from ${q(subject)} only in letter case`
      : `No federated credential has the subject ${q(subject)}`;

  body.push(
    entry.code === 7002138
      ? `Entra found a credential whose subject equals the token's when case is ignored, but it compares ` +
          `case-sensitively (since August 2024), so it does not match.`
      : entry.code === 7002131
        ? "No classic credential has this subject and no flexible credential's expression matched the token."
        : "A credential names the token's issuer, but none has exactly this subject (exact, case-sensitive, " +
          'no wildcards).',
  );

  if (nearest) {
    const k = nearest.cred;
    const expected = k.subject!;
    evidence.push({ label: 'subject', actual: subject, expected });
    body.push(diffLines('presented sub:', subject, `${credentialLabel(k)}:`, expected));
    // Each fact once: what the credential expects already says how the contexts differ, and for an
    // environment job it is also why GitHub sent this subject.
    const expects = isNearMiss(nearest.kind) ? undefined : whatTheCredentialExpects(subject, expected, c.ctx.jobId);
    if (nearest.kind !== 'context')
      body.push(subjectDifferenceSentence(subject, expected, { reusable: !!c.claims?.job_workflow_ref }));
    if (why && !expects?.explainsWhy) body.push(`Why GitHub sent this subject: ${why}`);
    if (!expects) {
      title = `${credentialLabel(k)} expects ${q(expected)}; GitHub sent ${q(subject)}`;
      fix.push(
        `Set ${credentialLabel(k)}'s subject to exactly what GitHub sends:`,
        updateCommand(c, k.name, { subject }),
      );
      if (nearest.kind === 'case')
        fix.push("or rename the GitHub environment / repository to the credential's spelling.");
      if (
        nearest.kind === 'immutable-vs-name' &&
        parts.form === 'name' &&
        c.claims?.repository_owner_id &&
        c.claims.repository_id
      ) {
        const alt = toImmutableForm(subject, c.claims.repository_owner_id, c.claims.repository_id);
        fix.push(
          `or opt the repository in to immutable subjects (PUT ` +
            `/repos/{owner}/{repo}/actions/oidc/customization/sub with {"use_immutable_subject": true}); ` +
            `GitHub then sends ${q(alt ?? '')}.`,
        );
      }
    } else {
      body.push(expects.sentence);
      title = `${credentialLabel(k)} expects ${q(expected)}; GitHub sent ${q(subject)}`;
      fix.push('Add a credential for the subject this job sends:', createFix(c, subject));
      if (expects.yaml) fix.push("or change the workflow so GitHub sends the credential's subject:", expects.yaml);
      if (expects.alternative) fix.push(expects.alternative);
    }
  } else {
    if (creds.length && flexibleCreds.length === creds.length) {
      // Only flexible credentials: show how each expression fares with what Entra quoted.
      for (const k of flexibleCreds) body.push(expressionVerdict(k, subject, c.claims));
      if (why) body.push(`Why GitHub sent this subject: ${why}`);
    } else {
      if (why) body.push(`Why GitHub sent this subject: ${why}`);
      body.push(...subjectHints(subject, entry.code));
    }
    evidence.push({ label: 'subject', actual: subject });
    if (entry.code === 7002138) {
      fix.push(
        `Find the credential with the other spelling (${listCommand(c)}) and set its subject to exactly ${q(subject)}:`,
        updateCommand(c, '<CREDENTIAL-NAME>', { subject }),
      );
    } else {
      fix.push('Add a credential for the subject this job sends:', createFix(c, subject));
      if (parts.contextKind === 'environment')
        fix.push(
          `or, if the credential should stay on a branch, remove ${tick('environment:')} from the job (the ` +
            `environment then no longer protects it).`,
        );
      if (isExpressionCase)
        fix.push(
          `or widen the flexible credential's expression to cover it; read the expressions with: az rest ` +
            `--method GET --uri ` +
            `"https://graph.microsoft.com/beta/applications(appId='${c.clientId}')/federatedIdentityCredentials"`,
        );
      fix.push(`Compare with the existing credentials: ${listCommand(c)}`);
    }
  }
  for (const k of flexibleCreds) if (nearest) body.push(expressionVerdict(k, subject, c.claims));
  if (!nearest) body.push(...causesSection(c, entry, { omit: hintedCauses(subject) }));
  return [finding(c, { id, title, body, fix, evidence })];
}

/**
 * The subject Entra quotes proves the cause by itself: masked by the runner, a customised
 * template, or GitHub's immutable form. No credentials needed.
 */
function subjectFromQuotedEvidence(c: Case, subject: string): Finding | undefined {
  if (subject.includes('***')) {
    return finding(c, {
      id: 'subject-mismatch',
      title: 'No federated credential matches the subject, which the log shows as ***',
      body: [
        'The runner replaced the subject with *** because it contains the value of a secret (often an owner, ' +
          'repository or environment name also stored as a secret), so the log cannot tell which credential is ' +
          'missing.',
        'To see it: print the claims in the job (this tool: `azure-federation-check claims`), or run this ' +
          'check with `client-id` and `tenant-id` so it compares the token with the credentials itself. On ' +
          'Azure DevOps the subject is shown on the service connection (Workload Identity federation details).',
      ],
      fix: [
        "Add a credential whose subject is exactly the token's (once seen):",
        createFix(c, PLACEHOLDER.subject),
        `Compare with the existing credentials: ${listCommand(c)}`,
      ],
      evidence: [{ label: 'subject', actual: subject }],
    });
  }
  const keys = customTemplateKeys(subject);
  if (keys) {
    return finding(c, {
      id: 'subject-custom-template',
      title: `GitHub sends a customised subject (${keys.join(', ')}), not the default repo:OWNER/REPO:…`,
      body: [
        `The subject ${q(subject)} does not start with \`repo:\`: the repository or its organisation set a ` +
          `subject template (include_claim_keys: ${keys.map(tick).join(', ')}). A credential in the default ` +
          `form never matches it.`,
      ],
      fix: [
        'Add a credential with exactly this subject:',
        createFix(c, subject),
        'or, if the template is not wanted, make the repository use the default subject again: gh api ' +
          '--method PUT repos/OWNER/REPO/actions/oidc/customization/sub -F use_default=true',
      ],
      evidence: [{ label: 'subject', actual: subject, expected: 'repo:OWNER/REPO:…' }],
    });
  }
  const parts = parseSubject(subject);
  if (parts.form === 'immutable') {
    const name = toNameForm(subject);
    return finding(c, {
      id: 'subject-immutable-format',
      title: `GitHub sends the immutable subject ${q(subject)}`,
      body: [
        diffLines('presented sub:', subject, 'name form:', name),
        'This repository sends owner and repository ids (created, renamed or transferred since July 15, ' +
          '2026, or opted in), so a credential written with names never matches.',
      ],
      fix: [
        `Set the credential's subject to the immutable form (find it with: ${listCommand(c)}):`,
        updateCommand(c, '<CREDENTIAL-NAME>', { subject }),
      ],
      evidence: [{ label: 'subject', actual: subject, expected: name }],
    });
  }
  return undefined;
}

/** Cause ids that subjectHints already explains concretely for this subject. */
export function hintedCauses(subject: string): string[] {
  const p = parseSubject(subject);
  const out: string[] = [];
  if (p.contextKind === 'environment') out.push('environment-vs-branch');
  if (p.contextKind === 'pull_request') out.push('pull-request');
  // subjectHints names the other subject form for every subject, so the generic cause would repeat it.
  out.push('immutable-vs-name');
  if (p.form === 'custom') out.push('custom-template');
  return out;
}

/** The spelling a credential most likely has instead: `prod` → `Prod`, anything with capitals → lower case. */
function otherCase(name: string): string {
  return name === name.toLowerCase() ? name.charAt(0).toUpperCase() + name.slice(1) : name.toLowerCase();
}

/** Reasons from the presented subject alone: what a credential that fails to match it usually looks like. */
export function subjectHints(subject: string, code: number): string[] {
  const p = parseSubject(subject);
  const hints: string[] = [];
  const name = p.form === 'immutable' ? toNameForm(subject) : undefined;
  if (code === 7002138) {
    const environmentHint = p.environment
      ? ` — typically the environment (${tick(p.environment)} vs ${tick(otherCase(p.environment))})`
      : '';
    hints.push(
      `Look for a credential spelled ${q(subject)} with other ` +
        `capitals${environmentHint} ` +
        `or the owner/repository name.`,
    );
    return hints;
  }
  switch (p.contextKind) {
    case 'environment':
      hints.push(
        `So a credential for ` +
          `${tick(`${p.form === 'custom' ? '…' : `repo:${p.repository}`}:ref:refs/heads/<branch>`)} or ` +
          `${tick(`…:pull_request`)} does not match; the credential must name exactly this subject.`,
      );
      break;
    case 'pull_request':
      hints.push(
        `A credential with ${tick('…:pull-request')} (hyphen) or with the pull request's branch never ` +
          `matches: GitHub sends ${tick(subject)} for every pull request.`,
      );
      break;
    case 'branch':
    case 'tag':
    case 'ref':
      if (subject.includes(':ref:refs/heads/gh-readonly-queue/'))
        hints.push(
          'Merge queue refs change for every queued pull request, so no classic credential can match them; ' +
            "use a flexible credential (claims['sub'] matches '…:ref:refs/heads/gh-readonly-queue/*' and " +
            "claims['repository_id'] eq '<REPOSITORY-ID>').",
        );
      else
        hints.push(
          `Classic credentials name one exact ref; a credential for another branch or tag (or with a ` +
            `wildcard) does not match ${tick(p.ref ?? '')}.`,
        );
      break;
    default:
      break;
  }
  if (p.form === 'immutable')
    hints.push(
      `The subject has GitHub's immutable ids; a credential written with names (${tick(name ?? '')}) does ` +
        `not match it.`,
    );
  else if (p.form === 'name')
    hints.push(
      'If the credential was made in the Entra portal recently, it may use the immutable form ' +
        '`repo:OWNER@OWNER_ID/REPO@REPO_ID:…`, which this repository does not send.',
    );
  else hints.push('A credential in the default `repo:OWNER/REPO:…` form does not match a customised subject.');
  return hints;
}

/** How one flexible credential's expression fares against what is known of the token. */
function expressionVerdict(k: FederatedCredential, subject: string, claims?: GitHubClaims): string {
  const value = k.claimsMatchingExpression?.value ?? '';
  const parsed = parseClaimsMatchingExpression(value, {
    languageVersion: k.claimsMatchingExpression?.languageVersion ?? 1,
    issuer: k.issuer,
  });
  if (!parsed.ok) return `${credentialLabel(k)} (flexible): ${value} — does not parse: ${parsed.error.message}`;
  const ev = evaluateClaimsMatchingExpression(parsed.clauses, { ...(claims ?? {}), sub: subject });
  if (ev.matched)
    return (
      `${credentialLabel(k)} (flexible): ${value} — matches what Entra quotes, so its issuer or ` +
      `audience must differ.`
    );
  const f = ev.firstFailure;
  if (!f) return `${credentialLabel(k)} (flexible): ${value} — does not match.`;
  return (
    `${credentialLabel(k)} (flexible): ${value} — the clause ${tick(f.clause.text)} fails: ` +
    (f.actual === undefined
      ? `the token's ${f.clause.claim} is not known here.`
      : `${f.clause.claim} is ${q(f.actual)}, which does not ` +
        `${f.clause.operator === 'eq' ? 'equal' : 'match'} ${q(f.clause.comparand)}.`)
  );
}
