/**
 * Audit workflow files against an identity's federated credentials before anything runs:
 * which Azure-login jobs will never match (and the exact credential to add), which
 * credentials no job can use, and credentials that are broken on their own (wildcards,
 * typos, the 20-credential limit). Pure.
 *
 * Cost: classic credentials are indexed by subject (one Map lookup per predicted subject);
 * glob predictions and flexible credentials are scanned, which is linear in
 * workflows x credentials. Near-miss explanations are cached per subject.
 */
import { isFlexible, type FederatedCredential } from '../entra/credential.js';
import {
  evaluateClaimsMatchingExpression,
  formatClause,
  parseClaimsMatchingExpression,
  wildcardMatch,
  type Clause,
} from '../entra/flexible-expression.js';
import { parseSubject } from '../github/subject.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import type { Evidence, Finding } from '../diagnose/finding.js';
import {
  CLIENT_ID_PLACEHOLDER,
  azAppCreateCommand,
  azAppUpdateCommand,
  azIdentityCreateCommand,
  credentialNameForSubject,
  type CredentialPatch,
} from '../diagnose/fix-commands.js';
import {
  classifySubjectDifference,
  isNearMiss,
  nearestBySubject,
  subjectDifferenceSentence,
} from '../diagnose/subject-reasons.js';
import { PERMISSIONS_YAML } from '../diagnose/run-findings.js';
import { credentialNameFor, diffLines, shellQuote } from '../diagnose/text-diff.js';
import { globCovers, globsIntersect, hasWildcard } from './glob.js';
import type { WorkflowFile } from './parse.js';
import { effectivePermissions, repoRelativePath } from './parse.js';
import {
  predictSubjects,
  resolveCalledWorkflow,
  type JobPrediction,
  type PredictedSubject,
  type SubjectContext,
} from './predict.js';

export interface AuditContext extends SubjectContext {
  /** The issuer the tokens carry: `https://token.actions.githubusercontent.com` on github.com. */
  issuer: string;
  /** The audience the login asks for: `api://AzureADTokenExchange` in Azure's public cloud. */
  audience: string;
}

/** Entra's limit of federated credentials per application or managed identity. */
const CREDENTIAL_LIMIT = 20;
/** Warn this close to the limit. */
const CREDENTIAL_LIMIT_WARNING = 18;

/** The placeholder used in commands: the user pastes their app's client id. */

interface SubjectMatch {
  subject: PredictedSubject;
  /** Credentials that accept every run behind the prediction. */
  full: FederatedCredential[];
  /** Credentials that accept some runs (a classic credential for one branch of a `release/*` filter). */
  partial: FederatedCredential[];
  /**
   * Credentials that accept a run the prediction only allows for (a workflow_dispatch started on
   * another branch): the credential may be in use, but the predicted subject is not matched.
   */
  maybe: FederatedCredential[];
}

interface WorkflowAudit {
  workflow: WorkflowFile;
  jobs: Array<{ prediction: JobPrediction; matches: SubjectMatch[] }>;
}

export interface AuditResult {
  findings: Finding[];
  workflows: WorkflowAudit[];
}

const code = (s: string) => `\`${s}\``;

interface ClassicEntry {
  credential: FederatedCredential;
  subject: string;
}

interface FlexibleEntry {
  credential: FederatedCredential;
  clauses: Clause[];
}

interface CredentialIndex {
  /** Classic credentials with the right issuer and audience, by exact subject. */
  exact: Map<string, FederatedCredential[]>;
  /** The same, as a list, for glob predictions. */
  usable: ClassicEntry[];
  /** Flexible credentials with the right issuer and audience that parse. */
  flexible: FlexibleEntry[];
  /** Every classic credential, for "nearest" explanations. */
  classic: ClassicEntry[];
}

function acceptsIssuerAndAudience(c: FederatedCredential, ctx: AuditContext): boolean {
  return c.issuer === ctx.issuer && Array.isArray(c.audiences) && c.audiences.includes(ctx.audience);
}

function buildIndex(credentials: readonly FederatedCredential[], ctx: AuditContext): CredentialIndex {
  const index: CredentialIndex = { exact: new Map(), usable: [], flexible: [], classic: [] };
  for (const credential of credentials) {
    if (isFlexible(credential)) {
      if (!acceptsIssuerAndAudience(credential, ctx)) continue;
      const parsed = parseClaimsMatchingExpression(credential.claimsMatchingExpression!.value, {
        languageVersion: credential.claimsMatchingExpression!.languageVersion,
        issuer: credential.issuer,
      });
      if (parsed.ok) index.flexible.push({ credential, clauses: parsed.clauses });
      continue;
    }
    const subject = typeof credential.subject === 'string' ? credential.subject : '';
    const entry = { credential, subject };
    index.classic.push(entry);
    // A classic subject with `*` or `?` is compared literally and GitHub never sends those characters.
    if (!acceptsIssuerAndAudience(credential, ctx) || hasWildcard(subject)) continue;
    index.usable.push(entry);
    const list = index.exact.get(subject);
    if (list) list.push(credential);
    else index.exact.set(subject, [credential]);
  }
  return index;
}

/** Can a flexible credential accept some run behind a (pattern) prediction? Clause by clause. */
function flexibleIntersects(clauses: readonly Clause[], claims: Record<string, string>): boolean {
  if (clauses.length === 0) return false;
  return clauses.every((c) => {
    const actual = claims[c.claim];
    if (actual === undefined) return false;
    if (c.operator === 'eq') return hasWildcard(actual) ? wildcardMatch(actual, c.comparand) : actual === c.comparand;
    return globsIntersect(c.comparand, actual);
  });
}

/** Does a flexible credential accept every run behind the prediction? `matches` with the same or a broader glob counts. */
function flexibleCovers(clauses: readonly Clause[], claims: Record<string, string>): boolean {
  if (clauses.length === 0) return false;
  const quick = evaluateClaimsMatchingExpression(clauses, claims);
  if (quick.matched) {
    // `evaluate` compares our `*` placeholders literally; re-check `matches` clauses with the exact cover relation.
    return clauses.every((c) => c.operator === 'eq' || globCovers(c.comparand, claims[c.claim] ?? ''));
  }
  return false;
}

function matchSubject(p: PredictedSubject, index: CredentialIndex): SubjectMatch {
  const full: FederatedCredential[] = [];
  const partial: FederatedCredential[] = [];
  const maybe: FederatedCredential[] = [];
  if (!p.pattern) full.push(...(index.exact.get(p.subject) ?? []));
  else for (const e of index.usable) if (wildcardMatch(p.subject, e.subject)) partial.push(e.credential);
  if (p.possible)
    for (const e of index.usable)
      if (wildcardMatch(p.possible, e.subject) && !full.includes(e.credential) && !partial.includes(e.credential))
        maybe.push(e.credential);
  const claims = p.claims.sub === p.subject ? p.claims : { ...p.claims, sub: p.subject };
  for (const f of index.flexible) {
    if (flexibleCovers(f.clauses, claims)) full.push(f.credential);
    else if (flexibleIntersects(f.clauses, claims)) partial.push(f.credential);
    else if (p.possible && flexibleIntersects(f.clauses, { ...claims, sub: p.possible, ref: '*' }))
      maybe.push(f.credential);
  }
  return { subject: p, full, partial, maybe };
}

// ---------------------------------------------------------------------------------------------
// Commands

/** Names for new credentials: unique among the identity's, and the same for the same subject. */
class Names {
  private readonly taken: Set<string>;
  private readonly bySubject = new Map<string, string>();
  constructor(credentials: readonly FederatedCredential[]) {
    this.taken = new Set(credentials.map((c) => c.name));
  }
  for(subject: string, base: string): string {
    const known = this.bySubject.get(subject);
    if (known) return known;
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = credentialNameFor(`${base.slice(0, 115)}-${i}`);
    this.taken.add(name);
    this.bySubject.set(subject, name);
    return name;
  }
}

function appCreateCommand(spec: { name: string; issuer: string; subject: string; audience: string }): string {
  return azAppCreateCommand(CLIENT_ID_PLACEHOLDER, spec);
}

function appUpdateCommand(
  _c: FederatedCredential,
  changes: { issuer?: string; subject?: string; audience?: string },
): string {
  const patch: CredentialPatch = {};
  if (changes.issuer !== undefined) patch.issuer = changes.issuer;
  if (changes.subject !== undefined) patch.subject = changes.subject;
  if (changes.audience !== undefined) patch.audiences = [changes.audience];
  return azAppUpdateCommand(CLIENT_ID_PLACEHOLDER, _c.name, patch);
}

function flexibleExpressionFor(subjectPattern: string, ctx: SubjectContext): string {
  const id = ctx.repoId ?? '<REPOSITORY-ID>';
  return `${formatClause('sub', 'matches', subjectPattern)} and ${formatClause('repository_id', 'eq', id)}`;
}

function flexibleCreateCommands(name: string, expression: string, ctx: AuditContext): string {
  const body = JSON.stringify({
    name,
    issuer: ctx.issuer,
    audiences: [ctx.audience],
    claimsMatchingExpression: { value: expression, languageVersion: 1 },
  });
  return [
    `cat > fic.json <<'JSON'`,
    body,
    'JSON',
    `az rest --method POST --uri "https://graph.microsoft.com/beta/applications(appId='${CLIENT_ID_PLACEHOLDER}')/federatedIdentityCredentials" --headers Content-Type=application/json --body @fic.json`,
  ].join('\n');
}

function flexibleNotes(ctx: SubjectContext): string {
  return [
    'Flexible credentials exist only on app registrations (not managed identities), only through Microsoft Graph beta, and Azure CLI/PowerShell/Terraform cannot read them.',
    ctx.repoId
      ? `Microsoft asks for an immutable id clause next to ${code("claims['sub']")}; ${code(`repository_id ${ctx.repoId}`)} is this repository's.`
      : `Microsoft asks for an immutable id clause next to ${code("claims['sub']")}: replace ${code('<REPOSITORY-ID>')} with the repository's numeric id (${code(`gh api repos/${ctx.owner}/${ctx.repo} --jq .id`)}).`,
  ].join(' ');
}

// ---------------------------------------------------------------------------------------------
// Explanations

function differenceSentence(predicted: string, credential: string): string {
  return subjectDifferenceSentence(predicted, credential, { forThisJob: true });
}

/** A cheap similarity used to pick candidates before computing edit distances. */
function affinity(a: string, b: string): number {
  let p = 0;
  const n = Math.min(a.length, b.length);
  while (p < n && a[p] === b[p]) p++;
  let s = 0;
  while (s < n - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return p + s;
}

const NEAREST_CANDIDATES = 24;

function nearestOf<T>(target: string, items: readonly T[], text: (t: T) => string): T | undefined {
  if (items.length === 0) return undefined;
  let candidates = items;
  if (items.length > NEAREST_CANDIDATES) {
    candidates = [...items]
      .sort((x, y) => affinity(target, text(y)) - affinity(target, text(x)))
      .slice(0, NEAREST_CANDIDATES);
  }
  return nearestBySubject(target, candidates, text);
}

// ---------------------------------------------------------------------------------------------
// Credential checks (independent of workflows)

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

function credentialChecks(
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
        'Delete credentials no workflow uses (see credential-unused findings), or replace several branch or tag credentials with one flexible credential, e.g. ' +
        `${code(`${formatClause('sub', 'matches', `repo:${ctx.owner}/${ctx.repo}:ref:refs/heads/*`)} and ${formatClause('repository_id', 'eq', ctx.repoId ?? '<REPOSITORY-ID>')}`)}.\n` +
        `az ad app federated-credential delete --id '${CLIENT_ID_PLACEHOLDER}' --federated-credential-id '<NAME>'`,
      evidence: [{ label: 'Federated credentials', actual: String(n), expected: `at most ${CREDENTIAL_LIMIT}` }],
    });
  }
  for (const c of credentials) {
    const subject = typeof c.subject === 'string' ? c.subject : '';
    if (!isFlexible(c) && hasWildcard(subject)) {
      reported.add(c);
      const expression = `${formatClause('sub', 'matches', subject.trim())} and ${formatClause('repository_id', 'eq', ctx.repoId ?? '<REPOSITORY-ID>')}`;
      findings.push({
        id: 'credential-wildcard',
        severity: 'error',
        title: `Credential '${c.name}' has a wildcard in its subject, which never matches`,
        message:
          `The subject ${code(subject)} contains ${subject.includes('*') ? code('*') : code('?')}. Classic federated credentials compare the subject exactly; ` +
          'wildcards are only supported in flexible credentials (claimsMatchingExpression), so this credential can never match a token.' +
          (/@\d+/.test(subject)
            ? " A third-party report says Entra rejects `@<id>` shapes in flexible expressions; match claims['repository_id'] with eq instead if it does."
            : ''),
        fix: [
          `Replace it with a flexible credential: ${expression}`,
          flexibleCreateCommands(
            names.for(`flexible:${subject}`, credentialNameFor(`${c.name}-flexible`)),
            expression,
            ctx,
          ),
          `az ad app federated-credential delete --id '${CLIENT_ID_PLACEHOLDER}' --federated-credential-id ${shellQuote(c.name)}`,
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
        title:
          issues.length === 1
            ? `Credential '${c.name}': ${issues[0]!.what.replace(/`/g, '')}`
            : `Credential '${c.name}' has ${issues.length} problems that stop it matching`,
        message: `${issues.map((i) => `- ${i.what}.`).join('\n')}\nGitHub never sends such a value, so the credential cannot match as it is.`,
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
// Job findings

function jobLabel(jp: JobPrediction): string {
  return jp.calls?.jobId
    ? `${code(jp.jobId)} (→ ${code(jp.calls.jobId)} in ${code(repoRelativePath(jp.calls.file ?? ''))})`
    : code(jp.jobId);
}

interface NearestInfo {
  entry?: ClassicEntry;
  sentence: string;
  diff?: string;
}

function explainNearest(
  p: PredictedSubject,
  index: CredentialIndex,
  ctx: AuditContext,
  cache: Map<string, NearestInfo>,
): NearestInfo {
  const cached = cache.get(p.subject);
  if (cached) return cached;
  const entry = nearestOf(p.subject, index.classic, (e) => e.subject);
  let info: NearestInfo;
  if (!entry) {
    info = {
      sentence: index.flexible.length > 0 ? '' : 'The identity has no classic federated credential to compare with.',
    };
  } else {
    const c = entry.credential;
    const parts: string[] = [];
    if (entry.subject === p.subject) {
      if (c.issuer !== ctx.issuer)
        parts.push(
          `Credential '${c.name}' has this subject, but its issuer ${code(c.issuer)} is not the token's ${code(ctx.issuer)}.`,
        );
      if (!c.audiences?.includes(ctx.audience))
        parts.push(
          `Credential '${c.name}' has this subject, but its audience ${code(c.audiences?.[0] ?? '')} is not the one the login asks for (${code(ctx.audience)}).`,
        );
      info = { entry, sentence: parts.join(' ') };
    } else {
      const diff = diffLines('predicted', p.subject, `'${c.name}'`, entry.subject);
      const why = differenceSentence(p.subject, entry.subject);
      info = {
        entry,
        diff,
        sentence: `The nearest credential is '${c.name}' (${code(entry.subject)}).${why ? ` ${why}` : ''}`,
      };
    }
  }
  cache.set(p.subject, info);
  return info;
}

function flexibleSummary(p: PredictedSubject, index: CredentialIndex): string {
  if (index.flexible.length === 0) return '';
  const first = index.flexible[0]!;
  const ev = evaluateClaimsMatchingExpression(first.clauses, { ...p.claims, sub: p.subject });
  const failure = ev.firstFailure;
  const detail = failure
    ? `; for '${first.credential.name}', ${code(failure.clause.text)} fails against ${code(failure.actual ?? '(absent)')}`
    : '';
  return `${index.flexible.length} flexible credential${index.flexible.length > 1 ? 's do' : ' does'} not match either${detail}.`;
}

function withIdPlaceholders(subject: string, ctx: SubjectContext): string {
  return subject
    .replace(`repo:${ctx.owner}@*/`, `repo:${ctx.owner}@<OWNER-ID>/`)
    .replace(`/${ctx.repo}@*:`, `/${ctx.repo}@<REPOSITORY-ID>:`);
}

function missingIdsOnly(subject: string, ctx: SubjectContext): boolean {
  return !!ctx.immutable && subject.includes('@*') && !hasWildcard(withIdPlaceholders(subject, ctx));
}

function jobNeverMatches(
  jp: JobPrediction,
  p: PredictedSubject,
  matched: SubjectMatch[],
  index: CredentialIndex,
  ctx: AuditContext,
  credentials: readonly FederatedCredential[],
  names: Names,
  cache: Map<string, NearestInfo>,
): Finding {
  const file = repoRelativePath(jp.file);
  const nearest = explainNearest(p, index, ctx, cache);
  const lines: string[] = [];
  const set = p.pattern ? ' (a pattern: the actual name takes the place of the wildcard)' : '';
  lines.push(
    p.certain
      ? `GitHub will send ${code(p.subject)}${set} for job ${jobLabel(jp)} in ${code(file)} when it runs for ${p.trigger}.`
      : `GitHub may send ${code(p.subject)}${set} for job ${jobLabel(jp)} in ${code(file)} when it runs for ${p.trigger}; this is a prediction, not a certainty.`,
  );
  lines.push(`Why: ${p.reason}`);
  lines.push(
    'No federated credential accepts it: Entra compares issuer, subject and audience exactly and case-sensitively, and classic credentials have no wildcards.',
  );
  if (nearest.sentence) lines.push(nearest.sentence);
  if (nearest.diff) lines.push(nearest.diff);
  const flex = flexibleSummary(p, index);
  if (flex) lines.push(flex);
  const ok = matched.filter((m) => m.full.length > 0 || m.partial.length > 0);
  if (ok.length > 0)
    lines.push(
      `Other runs of this job do match: ${ok.map((m) => `${code(m.subject.subject)} → '${[...m.full, ...m.partial][0]!.name}'`).join(', ')}.`,
    );
  if (credentials.length >= CREDENTIAL_LIMIT)
    lines.push(
      `The identity already has ${credentials.length} credentials, the limit: delete one first, or use a flexible credential.`,
    );

  const fix: string[] = [];
  if (!p.pattern) {
    const name = names.for(p.subject, credentialNameForSubject(p.subject));
    const spec = { name, issuer: ctx.issuer, subject: p.subject, audience: ctx.audience };
    fix.push(
      `Add a credential for ${code(p.subject)}:`,
      appCreateCommand(spec),
      '# or, for a user-assigned managed identity:',
      azIdentityCreateCommand(spec),
    );
    const e = nearest.entry;
    if (e && e.subject !== p.subject) {
      if (isNearMiss(classifySubjectDifference(p.subject, e.subject)))
        fix.push(
          `Or correct credential '${e.credential.name}':`,
          appUpdateCommand(e.credential, { subject: p.subject }),
        );
      const ep = parseSubject(e.subject);
      if (p.environment !== undefined && ep.contextKind !== 'environment' && ep.contextKind !== 'other')
        fix.push(
          `Or, if job ${code(jp.calls?.jobId ?? jp.jobId)} should not use an environment, remove ${code('environment:')} (${code(repoRelativePath(p.sourceFile))} line ${p.sourceLine}); GitHub then sends the ref or pull_request subject.`,
        );
      if (p.environment === undefined && ep.contextKind === 'environment' && ep.environment)
        fix.push(
          `Or declare the environment the credential expects on the job: ${code(`environment: ${ep.environment}`)}.`,
        );
    }
  } else if (missingIdsOnly(p.subject, ctx)) {
    // The only unknown parts are the immutable ids: a classic credential with the ids filled in.
    const subject = withIdPlaceholders(p.subject, ctx);
    const name = names.for(subject, credentialNameForSubject(subject));
    fix.push(
      `Find the ids (${code(`gh api repos/${ctx.owner}/${ctx.repo} --jq '.owner.id, .id'`)}), put them in place of the placeholders, and add a credential:`,
      appCreateCommand({ name, issuer: ctx.issuer, subject, audience: ctx.audience }),
    );
  } else {
    const expression = flexibleExpressionFor(p.subject, ctx);
    const name = names.for(`flexible:${p.subject}`, credentialNameForSubject(p.subject.replace(/[*?]+/g, 'any')));
    const unknownEnv = p.environment !== undefined && hasWildcard(p.environment);
    fix.push(
      unknownEnv
        ? `Add a credential for each environment the job deploys to (${code(p.subject.replace(/\*/g, '<ENVIRONMENT>'))}), or one flexible credential for all of them:`
        : 'A classic credential matches one name only; to trust every run of this pattern, add a flexible credential:',
      expression,
      flexibleCreateCommands(name, expression, ctx),
      flexibleNotes(ctx),
    );
    if (unknownEnv)
      fix.push(
        appCreateCommand({
          name: 'github-env-ENVIRONMENT',
          issuer: ctx.issuer,
          subject: p.subject.replace(/\*/g, '<ENVIRONMENT>'),
          audience: ctx.audience,
        }),
      );
  }
  const evidence: Evidence[] = [
    { label: 'Predicted subject', actual: p.subject, ...(nearest.entry ? { expected: nearest.entry.subject } : {}) },
  ];
  if (nearest.entry && nearest.entry.credential.issuer !== ctx.issuer)
    evidence.push({ label: 'Issuer', actual: ctx.issuer, expected: nearest.entry.credential.issuer });
  if (nearest.entry && !nearest.entry.credential.audiences?.includes(ctx.audience))
    evidence.push({ label: 'Audience', actual: ctx.audience, expected: nearest.entry.credential.audiences?.[0] ?? '' });
  return {
    id: 'job-never-matches',
    severity: p.certain ? 'error' : 'warning',
    title: `Job ${jp.jobId} ${p.certain ? 'will not' : 'may not'} match any federated credential when run by ${p.trigger}`,
    message: lines.join('\n'),
    fix: fix.join('\n'),
    evidence,
    location: { file: p.sourceFile, line: p.sourceLine },
  };
}

// ---------------------------------------------------------------------------------------------
// Unused credentials

function targetsRepository(subject: string, ctx: AuditContext): boolean {
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

function unusedFinding(
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
      ? `No job in the ${workflowCount} workflow file${workflowCount === 1 ? '' : 's'} read sends ${code(e.subject)}, so credential '${c.name}' is never used by this repository's workflows as they are.`
      : `No job that was understood in the ${workflowCount} workflow file${workflowCount === 1 ? '' : 's'} read sends ${code(e.subject)}. Not understood: ${unread.slice(0, 5).join('; ')}${unread.length > 5 ? `; and ${unread.length - 5} more` : ''}. Those may still use credential '${c.name}'.`,
  ];
  // "Delete it" only when every job that could use the credential was understood.
  let fix = understood
    ? `If no other branch or workflow needs it, delete it:\naz ad app federated-credential delete --id '${CLIENT_ID_PLACEHOLDER}' --federated-credential-id ${shellQuote(c.name)}`
    : `Check what the jobs that were not understood send before deleting credential '${c.name}'.`;
  let location: Finding['location'];
  if (nearest) {
    const why = differenceSentence(nearest.subject, e.subject);
    lines.push(
      `The nearest predicted subject is ${code(nearest.subject)} (job in ${code(repoRelativePath(nearest.sourceFile))}, ${nearest.trigger}).${why ? ` ${why}` : ''}`,
    );
    lines.push(diffLines('predicted', nearest.subject, `'${c.name}'`, e.subject));
    if (!nearest.pattern && isNearMiss(classifySubjectDifference(nearest.subject, e.subject))) {
      fix = `Correct its subject to what GitHub sends:\n${appUpdateCommand(c, { subject: nearest.subject })}\n${fix}`;
      location = { file: nearest.sourceFile, line: nearest.sourceLine };
    }
  }
  lines.push(
    'Workflows on other branches, or runs the files do not show (another repository calling a reusable workflow), may still use it.',
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

// ---------------------------------------------------------------------------------------------

/** A job calls a workflow file of this repository that is not there: GitHub fails the run. */
function missingCallFinding(jp: JobPrediction): Finding {
  const uses = jp.calls?.uses ?? '';
  return {
    id: 'workflow-call-missing',
    severity: 'error',
    title: `Job ${jp.jobId} calls ${uses}, which is not in the repository`,
    message:
      `Job ${code(jp.jobId)} in ${code(repoRelativePath(jp.file))} (line ${jp.calls?.line}) calls ${code(uses)}, but no such workflow file was found in ${code('.github/workflows')}. ` +
      'GitHub rejects the workflow when the called file does not exist at that ref, so none of its jobs log in.',
    fix: `Correct the path in ${code('uses:')} (line ${jp.calls?.line}), or add the reusable workflow file with ${code('on: workflow_call')}.`,
    location: { file: jp.file, line: jp.calls?.line ?? jp.jobLine },
  };
}

function calledPaths(workflows: readonly WorkflowFile[], ctx: SubjectContext): Set<string> {
  const called = new Set<string>();
  for (const w of workflows)
    for (const j of w.jobs) {
      if (!j.uses) continue;
      const target = resolveCalledWorkflow(j.uses, ctx);
      if (target) called.add(repoRelativePath(target.path));
    }
  return called;
}

/** The audit with the predictions and per-subject matches, for reports that list them. */
/**
 * A job that logs in to Azure under a `permissions:` block without `id-token: write` can never
 * get a token: a block that names any scope sets every other one to none. Only certain cases:
 * with no block at all, the repository's default decides, which the workflow does not show.
 */
function permissionsMissing(workflows: readonly WorkflowFile[]): Finding[] {
  const findings: Finding[] = [];
  for (const workflow of workflows) {
    for (const job of workflow.jobs) {
      if (!job.logsInToAzure || job.uses) continue;
      const block = effectivePermissions(workflow, job);
      if (!block || block.kind === 'expression' || block.kind === 'invalid' || block.idToken === 'write') continue;
      const where = job.permissions ? `job ${code(job.id)}'s` : "the workflow's";
      const grants =
        block.kind === 'read-all'
          ? code('read-all')
          : block.kind === 'empty'
            ? code('{}')
            : block.idToken === 'read'
              ? code('id-token: read')
              : 'no `id-token`';
      findings.push({
        id: 'permissions-missing',
        severity: 'error',
        title: `Job '${job.id}' logs in to Azure without 'id-token: write'`,
        message:
          `${where[0]!.toUpperCase()}${where.slice(1)} ${code('permissions:')} block (line ${block.line}) grants ${grants}. A block that names any permission sets the others to none, ` +
          `so the runner gives this job no OIDC token and the login fails (azure/login: "Failed to fetch federated token from GitHub").` +
          (!job.permissions && workflow.permissions ? ' A job-level block would replace it for this job.' : ''),
        fix: job.permissions ? `jobs:\n  ${job.id}:\n${PERMISSIONS_YAML.replace(/^/gm, '    ')}` : PERMISSIONS_YAML,
        location: { file: workflow.path, line: block.idTokenLine ?? block.line },
      });
    }
  }
  return findings;
}

export function auditWorkflowsDetailed(
  workflows: readonly WorkflowFile[],
  credentials: readonly FederatedCredential[],
  ctx: AuditContext,
): AuditResult {
  const names = new Names(credentials);
  const reported = new Set<FederatedCredential>();
  const findings: Finding[] = [
    ...permissionsMissing(workflows),
    ...credentialChecks(credentials, ctx, names, reported),
  ];
  const index = buildIndex(credentials, ctx);
  const subjectCtx: SubjectContext = { ...ctx, workflows: ctx.workflows ?? workflows };
  const called = calledPaths(workflows, subjectCtx);
  const used = new Set<FederatedCredential>();
  const predicted = new Map<string, PredictedSubject>();
  const cache = new Map<string, NearestInfo>();
  const seenFindings = new Set<string>();
  const audits: WorkflowAudit[] = [];
  /** What could use a credential but was not understood: no "delete it" while this is not empty. */
  const unread: string[] = [];

  for (const workflow of workflows) {
    const predictions = predictSubjects(workflow, subjectCtx, {
      skipWorkflowCall: called.has(repoRelativePath(workflow.path)),
    });
    const audit: WorkflowAudit = { workflow, jobs: [] };
    audits.push(audit);
    for (const jp of predictions) {
      const matches = jp.subjects.map((s) => matchSubject(s, index));
      audit.jobs.push({ prediction: jp, matches });
      for (const m of matches) {
        if (!predicted.has(m.subject.subject)) predicted.set(m.subject.subject, m.subject);
        for (const c of m.full) used.add(c);
        for (const c of m.partial) used.add(c);
        for (const c of m.maybe) used.add(c);
      }
      if (jp.calls?.missing) {
        const key = `missing:${jp.file}:${jp.calls.line}`;
        if (!seenFindings.has(key)) {
          seenFindings.add(key);
          findings.push(missingCallFinding(jp));
        }
      }
      // A call to a workflow that was not read: nothing is known about its logins.
      if (jp.calls && !jp.calls.resolved) {
        unread.push(
          `job ${code(jp.jobId)} in ${code(repoRelativePath(jp.file))} calls ${code(jp.calls.uses)}, which was not read`,
        );
        continue;
      }
      if (jp.uncertainLogin)
        unread.push(
          `job ${code(jp.jobId)} in ${code(repoRelativePath(jp.file))} ${jp.notes[0]?.replace(/^Line \d+: /, 'at ').replace(/\.$/, '') ?? 'may log in through an action that was not read'}`,
        );
      const unmatched = matches.filter((m) => m.full.length === 0 && m.partial.length === 0);
      const matched = matches.filter((m) => m.full.length > 0 || m.partial.length > 0);
      for (const m of unmatched) {
        const key = `${m.subject.subject}@${m.subject.sourceFile}:${m.subject.sourceLine}:${jp.jobId}`;
        if (seenFindings.has(key)) continue;
        seenFindings.add(key);
        findings.push(jobNeverMatches(jp, m.subject, matched, index, ctx, credentials, names, cache));
      }
    }
  }

  if (workflows.length > 0) {
    const distinct = [...predicted.values()];
    for (const e of index.usable) {
      if (used.has(e.credential) || reported.has(e.credential) || !targetsRepository(e.subject, ctx)) continue;
      findings.push(unusedFinding(e, distinct, workflows.length, unread));
    }
  }
  return { findings, workflows: audits };
}

/**
 * Findings for the workflows and the identity's credentials: `job-never-matches`,
 * `permissions-missing`, `credential-unused`, `credential-wildcard`, `credential-limit`, `credential-lint`.
 */
export function auditWorkflows(
  workflows: readonly WorkflowFile[],
  credentials: readonly FederatedCredential[],
  ctx: AuditContext,
): Finding[] {
  return auditWorkflowsDetailed(workflows, credentials, ctx).findings;
}
