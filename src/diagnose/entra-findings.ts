/**
 * Entra's answer (an EntraError from the token endpoint, or an AADSTS error found in text)
 * turned into findings that say what is wrong, show the evidence, say why and give the exact
 * fix. Keyed on the numeric code (Microsoft: never on the text); the text is only read for
 * the values Entra quotes (presented subject/issuer/audience, client id, tenant, times, kid).
 *
 * Evidence-driven: what the context knows (the token's claims, the credentials, the local
 * comparison) decides which cause is named; without it, the presented values are reasoned
 * about on their own. Every finding carries `code: 'AADSTS<n>'` and ends its message with
 * Entra's trace id / correlation id / timestamp when known (support needs them).
 */
import type { EntraError } from '../entra/entra-error.js';
import { isFlexible, type FederatedCredential } from '../entra/credential.js';
import { CLOUDS, CLOUD_NAMES, cloudOfAudience, type Cloud } from '../entra/clouds.js';
import { evaluateClaimsMatchingExpression, parseClaimsMatchingExpression } from '../entra/flexible-expression.js';
import { audiences, type GitHubClaims } from '../github/claims.js';
import { parseSubject, toImmutableForm, toNameForm } from '../github/subject.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import { parseAadstsMessage, type AadstsDetails, type ParsedAadsts, type PresentedValues } from './aadsts-text.js';
import { catalogEntry, DOCS, fillPlaceholders, PERMISSIONS_YAML, rankCauses, type CatalogEntry, type CauseContext } from './catalog.js';
import { compareWithCredentials, type CompareResult } from './compare.js';
import type { DiagnosisContext } from './context.js';
import type { Evidence, Finding, FindingId } from './finding.js';
import { CLIENT_ID_PLACEHOLDER, createCommands, credentialNameForSubject } from './fix-commands.js';
import { classifySubjectDifference, whatTheCredentialExpects, whyThisSubject } from './subject-reasons.js';
import { diffLines, editDistance, shellQuote } from './text-diff.js';

const TENANT_PLACEHOLDER = '<TENANT-ID>';

/** Everything Entra said about one failure, from either source. */
interface Incident {
  code?: number;
  error?: string;
  /** Entra's text without the tail. */
  message: string;
  presented: PresentedValues;
  details: AadstsDetails;
  clientId?: string;
  tenant?: string;
  traceId?: string;
  correlationId?: string;
  timestamp?: string;
  masked: string[];
  suberror?: string;
}

/** The incident with the context resolved: what is known, from where. */
interface Case {
  inc: Incident;
  entry?: CatalogEntry;
  ctx: DiagnosisContext;
  cause: CauseContext;
  /** The token's claims when they describe the same token Entra saw. */
  claims?: GitHubClaims;
  /** Set when the given token is not the one Entra quotes. */
  claimsConflict?: string;
  clientId: string;
  clientIdKnown: boolean;
  tenant?: string;
  cloud: Cloud;
  subject?: string;
  issuer?: string;
  audience?: string;
}

// ---- entry points -----------------------------------------------------------------------------

/** Findings for an error answer from Entra's token endpoint (or discovery). */
export function diagnoseEntraError(err: EntraError, ctx: DiagnosisContext): Finding[] {
  const codes = err.codes ?? [];
  const known = codes.find((c) => catalogEntry(c) !== undefined);
  let code: number | undefined = known ?? codes[0];
  if (code === undefined) {
    const m = /AADSTS(\d{4,9})(?!\d)/.exec(err.description ?? '');
    if (m) code = Number(m[1]);
  }
  const parsed = parseAadstsMessage(code ?? 0, err.description ?? '');
  const inc: Incident = {
    error: err.error,
    message: parsed.message,
    presented: parsed.presented,
    details: parsed.details,
    masked: parsed.masked,
  };
  if (code !== undefined) inc.code = code;
  if (parsed.clientId !== undefined) inc.clientId = parsed.clientId;
  if (parsed.tenant !== undefined) inc.tenant = parsed.tenant;
  const traceId = err.traceId ?? parsed.traceId;
  const correlationId = err.correlationId ?? parsed.correlationId;
  const timestamp = err.timestamp ?? parsed.timestamp;
  if (traceId) inc.traceId = traceId;
  if (correlationId) inc.correlationId = correlationId;
  if (timestamp) inc.timestamp = timestamp;
  if (err.suberror) inc.suberror = err.suberror;
  if (code === undefined && err.error === 'invalid_tenant') return diagnose(inc, ctx, catalogEntry(90002));
  return diagnose(inc, ctx, code === undefined ? undefined : catalogEntry(code));
}

/** Findings for an AADSTS error found in text (see extractAadstsErrors). */
export function diagnoseParsedAadsts(parsed: ParsedAadsts, ctx: DiagnosisContext): Finding[] {
  const inc: Incident = {
    code: parsed.code,
    message: parsed.message,
    presented: parsed.presented,
    details: parsed.details,
    masked: parsed.masked,
  };
  for (const k of ['error', 'clientId', 'tenant', 'traceId', 'correlationId', 'timestamp'] as const) {
    const v = parsed[k];
    if (v !== undefined) inc[k] = v;
  }
  return diagnose(inc, ctx, catalogEntry(parsed.code));
}

// ---- resolution -------------------------------------------------------------------------------

function resolve(inc: Incident, ctx: DiagnosisContext, entry: CatalogEntry | undefined): Case {
  const cloud = ctx.cloud ?? CLOUDS.azurecloud;
  const p = inc.presented;
  let claims = ctx.claims;
  let claimsConflict: string | undefined;
  if (claims) {
    const diffs: string[] = [];
    if (p.subject !== undefined && !p.subject.includes('***') && p.subject !== claims.sub) diffs.push(`subject ${q(p.subject)} (the token given has ${q(claims.sub)})`);
    if (p.issuer !== undefined && !p.issuer.includes('***') && p.issuer !== claims.iss && !(inc.code === 7002381 && p.issuer === `${claims.iss}/`))
      diffs.push(`issuer ${q(p.issuer)} (the token given has ${q(claims.iss)})`);
    if (p.audience !== undefined && !p.audience.includes('***') && !audiences(claims).includes(p.audience)) diffs.push(`audience ${q(p.audience)} (the token given has ${q(audiences(claims).join(', '))})`);
    if (diffs.length) {
      claimsConflict = `Entra quotes ${diffs.join(', ')}: the error belongs to another token than the one given, so the reasoning below uses Entra's values.`;
      claims = undefined;
    }
  }
  const ctxClient = ctx.clientId && !ctx.clientId.includes('***') ? ctx.clientId : undefined;
  const clientId = ctxClient ?? inc.clientId;
  const tenant = (ctx.tenantId && !ctx.tenantId.includes('***') ? ctx.tenantId : undefined) ?? inc.tenant;
  const c: Case = {
    inc,
    ctx,
    cause: { ...ctx, claims, presented: p, details: inc.details },
    clientId: clientId ?? CLIENT_ID_PLACEHOLDER,
    clientIdKnown: clientId !== undefined,
    cloud,
  };
  if (entry) c.entry = entry;
  if (claims) c.claims = claims;
  if (claimsConflict) c.claimsConflict = claimsConflict;
  if (tenant) c.tenant = tenant;
  const subject = p.subject ?? claims?.sub;
  const issuer = p.issuer ?? claims?.iss;
  const audience = p.audience ?? (claims ? audiences(claims)[0] : undefined);
  if (subject !== undefined) c.subject = subject;
  if (issuer !== undefined) c.issuer = issuer;
  if (audience !== undefined) c.audience = audience;
  return c;
}

function diagnose(inc: Incident, ctx: DiagnosisContext, entry: CatalogEntry | undefined): Finding[] {
  const c = resolve(inc, ctx, entry);
  try {
    return build(c);
  } catch {
    // A diagnosis must never take the run down: fall back to the catalog's words.
    return [entry ? fromCatalog(c, entry) : unknownCode(c)];
  }
}

function build(c: Case): Finding[] {
  const entry = c.entry;
  if (!entry) return [unknownCode(c)];
  switch (entry.code) {
    case 700213:
    case 7002131:
    case 7002138:
      return subjectFamily(c, entry);
    case 700211:
      return issuerMismatch(c, entry);
    case 700212:
      return audienceMismatch(c, entry);
    case 70021:
      return noMatch(c, entry);
    case 70025:
      return [noCredentials(c, entry)];
    case 700016:
      return [clientNotFound(c, entry)];
    case 90002:
    case 900023:
      return [tenantNotFound(c, entry)];
    case 700024:
      return [assertionExpired(c, entry)];
    case 7000272:
      return [signingKeyNotFound(c, entry)];
    case 90061:
    case 50166:
    case 501661:
      return [issuerUnreachable(c, entry)];
    case 53003:
    case 700223:
    case 700238:
    case 7002381:
      return [tenantPolicy(c, entry)];
    case 7000112:
      return [clientDisabled(c, entry)];
    case 7000215:
    case 7000222:
      return [notFederation(c, entry)];
    case 900439:
    case 900440:
    case 900382:
    case 900432:
    case 90038:
    case 50049:
      return [cloudMismatch(c, entry)];
    case 90014:
    case 900144:
    case 7000218:
    case 7000216:
    case 500011:
    case 70011:
      return [requestInvalid(c, entry)];
    default:
      return [entry.findingId === 'assertion-invalid' ? assertionInvalid(c, entry) : fromCatalog(c, entry)];
  }
}

// ---- text helpers -----------------------------------------------------------------------------

function q(s: string): string {
  return `'${s}'`;
}

function tick(s: string): string {
  return `\`${s}\``;
}

function codeLabel(c: Case): string | undefined {
  return c.inc.code === undefined ? undefined : `AADSTS${c.inc.code}`;
}

/** "Trace ID: … · Correlation ID: … · Timestamp: …", or undefined when Entra gave none. */
function traceLine(inc: Incident): string | undefined {
  const parts: string[] = [];
  if (inc.traceId) parts.push(`Trace ID: ${inc.traceId}`);
  if (inc.correlationId) parts.push(`Correlation ID: ${inc.correlationId}`);
  if (inc.timestamp) parts.push(`Timestamp: ${inc.timestamp}`);
  return parts.length ? `For Microsoft support: ${parts.join(' · ')}` : undefined;
}

function entraSaid(inc: Incident): string | undefined {
  if (!inc.message) return undefined;
  const text = inc.message.length > 900 ? `${inc.message.slice(0, 900)}…` : inc.message;
  return `Entra said: ${text}`;
}

function causesSection(c: Case, entry: CatalogEntry, opts: { skipRuledOut?: boolean; omit?: readonly string[] } = {}): string[] {
  const ranked = rankCauses(entry, c.cause).filter((r) => !opts.omit?.includes(r.cause.id));
  const shown = ranked.filter((r) => r.applies === true);
  const open = ranked.filter((r) => r.applies === undefined);
  const out = ranked.filter((r) => r.applies === false);
  const lines: string[] = [];
  if (shown.length) lines.push(shown.length === 1 ? 'Cause shown by the evidence:' : 'Causes shown by the evidence:', ...shown.map((r) => `  - ${r.cause.text}`));
  if (open.length) lines.push(shown.length ? 'Also possible:' : 'Possible causes, most likely first:', ...open.map((r) => `  - ${r.cause.text}`));
  if (out.length && !opts.skipRuledOut) lines.push('Ruled out by the evidence:', ...out.map((r) => `  - ${firstClause(r.cause.text)}`));
  return lines;
}

/** A cause's text up to its first semicolon: enough to name a ruled-out cause. */
function firstClause(text: string): string {
  const i = text.indexOf('; ');
  return i > 0 ? `${text.slice(0, i)}.` : text;
}

/** Assemble the finding: message ends with Entra's words, the docs and the trace ids. */
function finding(
  c: Case,
  f: { id: FindingId; title: string; body: (string | undefined | false)[]; fix: (string | undefined | false)[]; evidence?: Evidence[]; severity?: Finding['severity'] },
): Finding {
  const body = f.body.filter((l): l is string => typeof l === 'string' && l.length > 0);
  if (c.claimsConflict) body.unshift(c.claimsConflict);
  const said = entraSaid(c.inc);
  if (said) body.push(said);
  if (c.entry) body.push(`Docs: ${c.entry.docs}`);
  else if (c.inc.code !== undefined) body.push(`Docs: ${DOCS.errorLookup(c.inc.code)}`);
  const trace = traceLine(c.inc);
  if (trace) body.push(trace);
  const fix = f.fix.filter((l): l is string => typeof l === 'string' && l.length > 0);
  if (c.entry?.retry === 'propagation') fix.push('Retry: a credential created or changed in the last minutes can take 1–5 minutes to apply; re-run the job then.');
  else if (c.entry?.retry === 'transient') fix.push('Retry: this can be transient; one retry after a minute is reasonable, with a freshly fetched GitHub token.');
  const out: Finding = {
    id: f.id,
    severity: f.severity ?? c.entry?.severity ?? 'error',
    title: f.title,
    message: body.join('\n'),
    fix: fix.join('\n'),
  };
  const code = codeLabel(c);
  if (code) out.code = code;
  if (f.evidence?.length) out.evidence = f.evidence;
  return out;
}

/** The catalog's fix steps with what is known filled in (backticks removed: plain text). */
function catalogFix(c: Case, entry: CatalogEntry, steps = entry.fix): string[] {
  return steps.map((s) =>
    s === PERMISSIONS_YAML
      ? 'Add to the job (or the workflow; a reusable workflow\'s caller must grant it too):\npermissions:\n  id-token: write\n  contents: read'
      : plain(
      fillPlaceholders(s, {
        clientId: c.clientIdKnown ? c.clientId : undefined,
        tenant: c.tenant,
        subject: c.subject,
        issuer: c.issuer?.replace(/\/+$/, ''),
        audience: c.audience,
      }),
    ),
  );
}

/** Drop the markdown code marks the catalog uses for the README; terminals show them literally. */
function plain(s: string): string {
  return s.replace(/`([^`]+)`/g, '$1');
}

function audienceFor(c: Case): string {
  return c.audience ?? c.cloud.exchangeAudience;
}

function createFix(c: Case, subject: string, issuer = c.issuer ?? GITHUB_COM_ISSUER): string {
  return createCommands(c.clientId, { name: credentialNameForSubject(subject), issuer: issuer.trim(), subject, audience: audienceFor(c) });
}

function updateCommand(c: Case, credentialName: string, patch: Record<string, unknown>): string {
  return `az ad app federated-credential update --id ${shellQuote(c.clientId)} --federated-credential-id ${shellQuote(credentialName)} --parameters ${shellQuote(JSON.stringify(patch))}`;
}

function listCommand(c: Case): string {
  return `az ad app federated-credential list --id ${shellQuote(c.clientId)} --query "[].{name:name, issuer:issuer, subject:subject, audience:audiences[0]}" -o table`;
}

function credentialLabel(k: FederatedCredential): string {
  return `credential '${k.name}'`;
}

function maskedNote(c: Case): string | undefined {
  if (!c.inc.masked.length) return undefined;
  const names = c.inc.masked.map((m) => (m === 'clientId' ? 'the client id' : m === 'tenant' ? 'the tenant' : `the ${m}`)).join(' and ');
  const stillUnknown = c.inc.masked.some((m) => (m === 'clientId' ? !c.clientIdKnown : m === 'tenant' ? !c.tenant : true));
  return `The log masks ${names} as ***; ${stillUnknown ? 'commands below use placeholders where a value is masked.' : 'the values given to this tool are used instead.'}`;
}

// ---- the comparison's findings --------------------------------------------------------------

const SUBJECT_IDS: readonly FindingId[] = ['subject-mismatch', 'subject-case-mismatch', 'subject-immutable-format', 'subject-custom-template', 'credential-wildcard', 'expression-mismatch', 'expression-invalid'];
const ISSUER_IDS: readonly FindingId[] = ['issuer-mismatch'];
const AUDIENCE_IDS: readonly FindingId[] = ['audience-mismatch'];

/** The local comparison: given, or computed when the token and credentials are both known. */
function comparisonFor(c: Case): CompareResult | undefined {
  if (c.ctx.comparison && !c.claimsConflict) return c.ctx.comparison;
  if (c.claims && c.ctx.credentials && c.ctx.credentials.length > 0) {
    const input: Parameters<typeof compareWithCredentials>[0] = { claims: c.claims, credentials: c.ctx.credentials, clientId: c.clientId, cloud: c.cloud };
    if (c.ctx.jobId) input.jobId = c.ctx.jobId;
    return compareWithCredentials(input);
  }
  return undefined;
}

/** The comparison's findings for these fields, with Entra's code, words and trace attached. */
function fromComparison(c: Case, cmp: CompareResult, ids: readonly FindingId[]): Finding[] {
  const picked = cmp.findings.filter((f) => ids.includes(f.id));
  return picked.map((f) => {
    const lines = [f.message];
    if (c.claimsConflict) lines.unshift(c.claimsConflict);
    const said = entraSaid(c.inc);
    if (said) lines.push(said);
    if (c.entry) lines.push(`Docs: ${c.entry.docs}`);
    const trace = traceLine(c.inc);
    if (trace) lines.push(trace);
    const out: Finding = { ...f, message: lines.join('\n') };
    const code = codeLabel(c);
    if (code) out.code = code;
    return out;
  });
}

/** The local comparison says the token matches, yet Entra refused: stale cache or another identity. */
function matchedButRefused(c: Case, cmp: CompareResult): Finding {
  const k = cmp.matched!;
  return finding(c, {
    id: 'propagation-delay',
    title: `${credentialLabel(k)} matches the token exactly, yet Entra refused it`,
    body: [
      `Issuer, subject and audience of the token equal ${credentialLabel(k)}${k.source === 'graph' ? ' (read from Microsoft Graph)' : k.source === 'arm' ? ' (read from Azure Resource Manager)' : ''}:`,
      `  issuer    ${k.issuer}`,
      k.subject ? `  subject   ${k.subject}` : `  expression ${k.claimsMatchingExpression?.value ?? ''}`,
      `  audience  ${k.audiences[0] ?? ''}`,
      'So either Entra has not picked the credential up yet (created or changed in the last minutes; Entra caches credentials), ' +
        `or the credential belongs to another app or managed identity than client id ${c.clientIdKnown ? c.clientId : 'the workflow sends'}.`,
    ],
    fix: [
      'Wait 1–5 minutes and re-run the job. If it still fails against this byte-identical credential, delete and recreate it:',
      `az ad app federated-credential delete --id ${shellQuote(c.clientId)} --federated-credential-id ${shellQuote(k.name)}`,
      createFix(c, k.subject ?? c.subject ?? '', k.issuer),
      `Confirm the client id is the identity that holds it: ${listCommand(c)}`,
    ],
    evidence: [{ label: 'credential', actual: c.subject ?? '', expected: k.subject ?? k.claimsMatchingExpression?.value ?? '' }],
  });
}

// ---- subject ----------------------------------------------------------------------------------

function nearestBySubject(subject: string, creds: readonly FederatedCredential[], issuer?: string): { cred: FederatedCredential; kind: ReturnType<typeof classifySubjectDifference> } | undefined {
  let best: { cred: FederatedCredential; kind: ReturnType<typeof classifySubjectDifference>; d: number } | undefined;
  for (const k of creds) {
    if (typeof k.subject !== 'string') continue;
    const kind = classifySubjectDifference(subject, k.subject);
    const near = kind === 'equal' ? 0 : kind === 'case' || kind === 'immutable-vs-name' || kind === 'whitespace' || kind === 'pull-request-typo' ? 1 : 10 + editDistance(subject, k.subject);
    const d = near + (issuer !== undefined && k.issuer !== issuer ? 1000 : 0);
    if (!best || d < best.d) best = { cred: k, kind, d };
  }
  return best && { cred: best.cred, kind: best.kind };
}

function subjectFamily(c: Case, entry: CatalogEntry): Finding[] {
  const cmp = comparisonFor(c);
  if (cmp) {
    if (cmp.matched) return [matchedButRefused(c, cmp)];
    const found = fromComparison(c, cmp, SUBJECT_IDS);
    if (found.length) return found;
  }
  const subject = c.subject;
  const flexibleCreds = (c.ctx.credentials ?? []).filter(isFlexible);
  const isExpressionCase = entry.code === 7002131 || flexibleCreds.length > 0;
  const id: FindingId = entry.code === 7002138 ? 'subject-case-mismatch' : isExpressionCase && flexibleCreds.length > 0 ? 'expression-mismatch' : entry.findingId;
  if (subject === undefined) return [fromCatalog(c, entry)];

  const body: (string | undefined)[] = [];
  const fix: string[] = [];
  const evidence: Evidence[] = [];
  const why = whyThisSubject(subject, c.claims);
  const parts = parseSubject(subject);
  const creds = c.ctx.credentials ?? [];
  const nearest = creds.length ? nearestBySubject(subject, creds, c.issuer) : undefined;
  let title = entry.code === 7002138
    ? `A credential's subject differs from ${q(subject)} only in letter case`
    : `No federated credential has the subject ${q(subject)}`;

  body.push(
    entry.code === 7002138
      ? `Entra found a credential whose subject equals the token's when case is ignored, but it compares case-sensitively (since August 2024), so it does not match.`
      : entry.code === 7002131
        ? 'No classic credential has this subject and no flexible credential\'s expression matched the token.'
        : 'A credential names the token\'s issuer, but none has exactly this subject (exact, case-sensitive, no wildcards).',
  );

  if (nearest) {
    const k = nearest.cred;
    const expected = k.subject!;
    evidence.push({ label: 'subject', actual: subject, expected });
    body.push(diffLines('presented sub:', subject, `${credentialLabel(k)}:`, expected));
    body.push(subjectDifferenceSentence(c, subject, expected, nearest.kind));
    if (why) body.push(`Why GitHub sent this subject: ${why}`);
    if (nearest.kind === 'case' || nearest.kind === 'immutable-vs-name' || nearest.kind === 'pull-request-typo' || nearest.kind === 'whitespace') {
      title = `${credentialLabel(k)} expects ${q(expected)}; GitHub sent ${q(subject)}`;
      fix.push(`Set ${credentialLabel(k)}'s subject to exactly what GitHub sends:`, updateCommand(c, k.name, { subject }));
      if (nearest.kind === 'case') fix.push('or rename the GitHub environment / repository to the credential\'s spelling.');
      if (nearest.kind === 'immutable-vs-name' && parts.form === 'name' && c.claims?.repository_owner_id && c.claims.repository_id) {
        const alt = toImmutableForm(subject, c.claims.repository_owner_id, c.claims.repository_id);
        fix.push(`or opt the repository in to immutable subjects (PUT /repos/{owner}/{repo}/actions/oidc/customization/sub with {"use_immutable_subject": true}); GitHub then sends ${q(alt ?? '')}.`);
      }
    } else {
      const expects = whatTheCredentialExpects(subject, expected, c.ctx.jobId);
      body.push(expects.sentence);
      title = `${credentialLabel(k)} expects ${q(expected)}; GitHub sent ${q(subject)}`;
      fix.push('Add a credential for the subject this job sends:', createFix(c, subject));
      if (expects.yaml) fix.push('or change the workflow so GitHub sends the credential\'s subject:', expects.yaml);
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
        fix.push(`or, if the credential should stay on a branch, remove ${tick('environment:')} from the job (the environment then no longer protects it).`);
      if (isExpressionCase)
        fix.push(
          `or widen the flexible credential's expression to cover it; read the expressions with: az rest --method GET --uri "https://graph.microsoft.com/beta/applications(appId='${c.clientId}')/federatedIdentityCredentials"`,
        );
      fix.push(`Compare with the existing credentials: ${listCommand(c)}`);
    }
  }
  for (const k of flexibleCreds) if (nearest) body.push(expressionVerdict(k, subject, c.claims));
  if (!nearest) body.push(...causesSection(c, entry, { omit: hintedCauses(subject) }));
  return [finding(c, { id, title, body, fix, evidence })];
}

/** One sentence on how the presented subject differs from a credential's. */
function subjectDifferenceSentence(c: Case, actual: string, expected: string, kind: ReturnType<typeof classifySubjectDifference>): string {
  const a = parseSubject(actual);
  const e = parseSubject(expected);
  switch (kind) {
    case 'case':
      return 'The two differ only in letter case; GitHub writes owner, repository and environment names exactly as spelled on GitHub, and Entra compares case-sensitively.';
    case 'whitespace':
      return 'The credential\'s subject has leading or trailing whitespace, which never matches.';
    case 'immutable-vs-name':
      return a.form === 'immutable'
        ? 'GitHub sends the immutable form (owner@id/repo@id: repositories created, renamed or transferred since July 15, 2026, or opted in); the credential uses names.'
        : 'The credential uses GitHub\'s immutable form (owner@id/repo@id, which the Entra portal now proposes); this repository still sends names because it has not opted in.';
    case 'pull-request-typo':
      return 'GitHub\'s pull request subject is `pull_request` with an underscore; `pull-request` (from old Microsoft docs) never matches.';
    case 'wildcard':
      return 'The credential contains `*` or `?`: classic credentials compare exactly, so these are literal characters. Only a flexible credential (claimsMatchingExpression) supports patterns.';
    case 'custom-template':
      return a.form === 'custom'
        ? 'GitHub sends a customised subject (the repository or organisation changed the template), but the credential has the default `repo:` form.'
        : 'The credential has a customised-template subject, but this repository sends the default `repo:` form.';
    case 'repository':
      return `The credential is for repository ${tick(e.repository ?? '?')}; this token comes from ${tick(a.repository ?? '?')}${c.claims?.job_workflow_ref ? ' (for a reusable workflow, the subject carries the caller\'s repository)' : ''}.`;
    default:
      return '';
  }
}

/** Cause ids that subjectHints already explains concretely for this subject. */
function hintedCauses(subject: string): string[] {
  const p = parseSubject(subject);
  const out: string[] = [];
  if (p.contextKind === 'environment') out.push('environment-vs-branch');
  if (p.contextKind === 'pull_request') out.push('pull-request');
  if (p.form === 'immutable') out.push('immutable-vs-name');
  if (p.form === 'custom') out.push('custom-template');
  return out;
}

/** Reasons from the presented subject alone: what a credential that fails to match it usually looks like. */
function subjectHints(subject: string, code: number): string[] {
  const p = parseSubject(subject);
  const hints: string[] = [];
  const name = p.form === 'immutable' ? toNameForm(subject) : undefined;
  if (code === 7002138) {
    hints.push(
      `Look for a credential spelled ${q(subject)} with other capitals${p.environment ? ` — typically the environment (${tick(p.environment)} vs ${tick(p.environment === p.environment.toLowerCase() ? p.environment.charAt(0).toUpperCase() + p.environment.slice(1) : p.environment.toLowerCase())})` : ''} or the owner/repository name.`,
    );
    return hints;
  }
  switch (p.contextKind) {
    case 'environment':
      hints.push(
        `A credential for ${tick(`${p.form === 'custom' ? '…' : `repo:${p.repository}`}:ref:refs/heads/<branch>`)} or ${tick(`…:pull_request`)} does not match while the job declares ${tick(`environment: ${p.environment}`)}: the credential must name ${tick(subject)}.`,
      );
      break;
    case 'pull_request':
      hints.push(`A credential with ${tick('…:pull-request')} (hyphen) or with the pull request's branch never matches: GitHub sends ${tick(subject)} for every pull request.`);
      break;
    case 'branch':
    case 'tag':
    case 'ref':
      if (subject.includes(':ref:refs/heads/gh-readonly-queue/'))
        hints.push('Merge queue refs change for every queued pull request, so no classic credential can match them; use a flexible credential (claims[\'sub\'] matches \'…:ref:refs/heads/gh-readonly-queue/*\' and claims[\'repository_id\'] eq \'<REPOSITORY-ID>\').');
      else hints.push(`Classic credentials name one exact ref; a credential for another branch or tag (or with a wildcard) does not match ${tick(p.ref ?? '')}.`);
      break;
    default:
      break;
  }
  if (p.form === 'immutable')
    hints.push(`The subject has GitHub's immutable ids; a credential written with names (${tick(name ?? '')}) does not match it.`);
  else if (p.form === 'name')
    hints.push('If the credential was made in the Entra portal recently, it may use the immutable form `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`, which this repository does not send.');
  else hints.push('A credential in the default `repo:OWNER/REPO:…` form does not match a customised subject.');
  return hints;
}

/** How one flexible credential's expression fares against what is known of the token. */
function expressionVerdict(k: FederatedCredential, subject: string, claims?: GitHubClaims): string {
  const value = k.claimsMatchingExpression?.value ?? '';
  const parsed = parseClaimsMatchingExpression(value, { languageVersion: k.claimsMatchingExpression?.languageVersion ?? 1, issuer: k.issuer });
  if (!parsed.ok) return `${credentialLabel(k)} (flexible): ${value} — does not parse: ${parsed.error.message}`;
  const ev = evaluateClaimsMatchingExpression(parsed.clauses, { ...(claims ?? {}), sub: subject });
  if (ev.matched) return `${credentialLabel(k)} (flexible): ${value} — matches what Entra quotes, so its issuer or audience must differ.`;
  const f = ev.firstFailure;
  if (!f) return `${credentialLabel(k)} (flexible): ${value} — does not match.`;
  return (
    `${credentialLabel(k)} (flexible): ${value} — the clause ${tick(f.clause.text)} fails: ` +
    (f.actual === undefined ? `the token's ${f.clause.claim} is not known here.` : `${f.clause.claim} is ${q(f.actual)}, which does not ${f.clause.operator === 'eq' ? 'equal' : 'match'} ${q(f.clause.comparand)}.`)
  );
}

// ---- issuer, audience, generic no-match -------------------------------------------------------

function issuerReasons(iss: string): string[] {
  const out: string[] = [];
  const trimmed = iss.trim();
  if (trimmed !== iss) out.push('The presented issuer has leading or trailing whitespace, which Entra refuses.');
  if (trimmed === GITHUB_COM_ISSUER)
    out.push(`This is github.com's issuer. A credential with ${tick(`${GITHUB_COM_ISSUER}/`)} (trailing slash, as some Microsoft docs show it), with other capitals, or with an enterprise slug does not match it.`);
  else if (trimmed === `${GITHUB_COM_ISSUER}/`) out.push('The presented issuer ends with a slash; GitHub\'s issuer has none, so this token did not come straight from GitHub Actions (or was re-issued).');
  else if (trimmed.startsWith(`${GITHUB_COM_ISSUER}/`))
    out.push(`The token comes from an enterprise-specific issuer (the enterprise enabled include_enterprise_slug), so the credential must name ${tick(trimmed)}, not ${tick(GITHUB_COM_ISSUER)}.`);
  else if (/\/_services\/token\/?$/.test(trimmed)) out.push('The token comes from GitHub Enterprise Server; the credential must name this exact issuer, and Entra must reach it from the internet.');
  else if (/^https:\/\/(?:login\.microsoftonline\.|sts\.windows\.net|login\.windows\.net|login\.chinacloudapi\.cn|login\.microsoft\.com)/i.test(trimmed))
    out.push('This is an Entra issuer: an Azure access token or managed-identity token was passed as the federated token, not the GitHub OIDC token (e.g. `az login --federated-token "$(az account get-access-token …)"`).');
  return out;
}

function issuerMismatch(c: Case, entry: CatalogEntry): Finding[] {
  const cmp = comparisonFor(c);
  if (cmp) {
    if (cmp.matched) return [matchedButRefused(c, cmp)];
    const found = fromComparison(c, cmp, ISSUER_IDS);
    if (found.length) return found;
  }
  const iss = c.issuer;
  if (iss === undefined) return [fromCatalog(c, entry)];
  const creds = c.ctx.credentials ?? [];
  const body: string[] = ['No federated credential on this app or managed identity names the issuer this token carries (compared byte for byte).'];
  const fix: string[] = [];
  const evidence: Evidence[] = [];
  if (creds.length) {
    const nearest = [...creds].sort((a, b) => editDistance(iss, a.issuer) - editDistance(iss, b.issuer))[0]!;
    body.push(diffLines('presented iss:', iss, `${credentialLabel(nearest)}:`, nearest.issuer));
    evidence.push({ label: 'issuer', actual: iss, expected: nearest.issuer });
    if (nearest.issuer === `${iss}/` || `${nearest.issuer}/` === iss) body.push('The two differ only by a trailing slash; Entra compares issuers byte for byte.');
    else if (nearest.issuer.toLowerCase() === iss.toLowerCase()) body.push('The two differ only in letter case; Entra compares issuers case-sensitively.');
    else if (nearest.issuer.trim() === iss) body.push('The credential\'s issuer has leading or trailing whitespace.');
    body.push(...issuerReasons(iss).filter((r) => !r.startsWith('This is github.com')));
    fix.push(`Set ${credentialLabel(nearest)}'s issuer to exactly the token's:`, updateCommand(c, nearest.name, { issuer: iss.trim() }));
  } else {
    evidence.push({ label: 'issuer', actual: iss });
    body.push(`presented iss:  ${iss}`);
    body.push(...issuerReasons(iss));
    fix.push(
      `Set the credential's issuer to exactly ${q(iss.trim())} (find its name with: az ad app federated-credential list --id ${shellQuote(c.clientId)} --query "[].{name:name, issuer:issuer}" -o table):`,
      updateCommand(c, '<CREDENTIAL-NAME>', { issuer: iss.trim() }),
    );
    if (c.subject) fix.push('or add a credential for this issuer and subject:', createFix(c, c.subject, iss));
  }
  body.push(...causesSection(c, entry, { skipRuledOut: true }));
  return [finding(c, { id: entry.findingId, title: `No federated credential has the issuer ${q(iss)}`, body, fix, evidence })];
}

function audienceMismatch(c: Case, entry: CatalogEntry): Finding[] {
  const cmp = comparisonFor(c);
  if (cmp) {
    if (cmp.matched) return [matchedButRefused(c, cmp)];
    const found = fromComparison(c, cmp, AUDIENCE_IDS);
    if (found.length) return found;
  }
  const aud = c.audience;
  if (aud === undefined) return [fromCatalog(c, entry)];
  const body: string[] = ['A credential has the token\'s issuer and subject, but its audience differs from the token\'s `aud`.'];
  const fix: string[] = [];
  const evidence: Evidence[] = [];
  const tokenCloud = cloudOfAudience(aud);
  const creds = (c.ctx.credentials ?? []).filter((k) => (c.subject === undefined || k.subject === c.subject) && (c.issuer === undefined || k.issuer === c.issuer));
  const k = creds[0] ?? c.ctx.credentials?.[0];
  const expected = k?.audiences[0] ?? (c.ctx.cloud ? c.cloud.exchangeAudience : undefined);
  if (expected !== undefined && expected !== aud) {
    body.push(diffLines('presented aud:', aud, k ? `${credentialLabel(k)}:` : `${c.cloud.label}:`, expected));
    evidence.push({ label: 'audience', actual: aud, expected });
  } else {
    body.push(`presented aud:  ${aud}`);
    evidence.push({ label: 'audience', actual: aud });
  }
  const expectedCloud = expected ? cloudOfAudience(expected) : undefined;
  if (/^https:\/\/github\.com\//i.test(aud))
    body.push(`${tick(aud)} is GitHub's default audience (the owner's URL): the token was requested without ${tick('audience')}. Azure expects ${tick(c.cloud.exchangeAudience)}.`);
  else if (tokenCloud && expectedCloud && tokenCloud !== expectedCloud)
    body.push(`The token carries the ${tokenCloud.label} exchange audience; the credential uses the ${expectedCloud.label} one. The audience follows the cloud of the tenant.`);
  else if (tokenCloud && !expected)
    body.push(
      `This is the ${tokenCloud.label} exchange audience. If the tenant is in another cloud, its credentials use ${CLOUD_NAMES.filter((n) => n !== tokenCloud.name).map((n) => tick(CLOUDS[n].exchangeAudience)).join(' or ')}; a credential with a custom audience also differs.`,
    );
  else if (!tokenCloud) body.push('This is not an Azure exchange audience; GitHub puts whatever audience the login step requests into `aud`.');
  // The audience both sides should use: the tenant's cloud decides (when known), else the credential's standard one.
  const want = c.ctx.cloud ? c.cloud.exchangeAudience : expected && cloudOfAudience(expected) ? expected : tokenCloud ? aud : c.cloud.exchangeAudience;
  const credentialAudience = k?.audiences[0];
  if (aud !== want) fix.push(`Request ${tick(want)} in the login step:`, `    - uses: azure/login@v2\n      with:\n        audience: ${want}`);
  if (credentialAudience !== undefined && credentialAudience !== want)
    fix.push(`${aud !== want ? 'and set' : 'Set'} ${credentialLabel(k!)}'s audience to ${tick(want)}:`, updateCommand(c, k!.name, { audiences: [want] }));
  else if (credentialAudience === undefined)
    fix.push(
      aud === want
        ? `Set the credential's audience to ${tick(want)} (the audience of ${c.cloud.label}):`
        : `and make sure the credential's audience is ${tick(want)}; if it is not:`,
      updateCommand(c, '<CREDENTIAL-NAME>', { audiences: [want] }),
    );
  body.push(...causesSection(c, entry, { skipRuledOut: true }));
  return [finding(c, { id: entry.findingId, title: `No federated credential has the audience ${q(aud)}`, body, fix, evidence })];
}

function noMatch(c: Case, entry: CatalogEntry): Finding[] {
  const cmp = comparisonFor(c);
  if (cmp) {
    if (cmp.matched) return [matchedButRefused(c, cmp)];
    const found = fromComparison(c, cmp, [...ISSUER_IDS, ...SUBJECT_IDS, ...AUDIENCE_IDS]);
    if (found.length) return found;
  }
  const body: (string | undefined)[] = ['Entra found no federated credential whose issuer, subject and audience all equal the token\'s (exact, case-sensitive).'];
  const evidence: Evidence[] = [];
  const fix: string[] = [];
  const creds = c.ctx.credentials ?? [];
  if (c.issuer !== undefined) evidence.push({ label: 'issuer', actual: c.issuer });
  if (c.subject !== undefined) evidence.push({ label: 'subject', actual: c.subject });
  if (c.audience !== undefined) evidence.push({ label: 'audience', actual: c.audience });
  if (evidence.length) {
    body.push('Presented by the token:');
    for (const e of evidence) body.push(`  ${e.label.padEnd(9)} ${e.actual}`);
  }
  if (creds.length && c.subject !== undefined) {
    const nearest = nearestBySubject(c.subject, creds, c.issuer);
    if (nearest) {
      const k = nearest.cred;
      body.push(`Nearest credential, ${credentialLabel(k)}:`);
      body.push(diffLines('  presented sub:', c.subject, '  credential:', k.subject ?? ''));
      if (c.issuer !== undefined && k.issuer !== c.issuer) body.push(diffLines('  presented iss:', c.issuer, '  credential:', k.issuer));
      if (c.audience !== undefined && k.audiences[0] !== c.audience) body.push(diffLines('  presented aud:', c.audience, '  credential:', k.audiences[0] ?? ''));
      const s = subjectDifferenceSentence(c, c.subject, k.subject ?? '', nearest.kind);
      if (s) body.push(s);
      evidence.find((e) => e.label === 'subject')!.expected = k.subject ?? '';
    }
  } else {
    if (c.issuer !== undefined) body.push(...issuerReasons(c.issuer).filter((r) => !r.startsWith('This is github.com')));
    if (c.issuer === GITHUB_COM_ISSUER) body.push(`The issuer is github.com's; check that the credential's issuer has no trailing slash.`);
    if (c.subject !== undefined) {
      const why = whyThisSubject(c.subject, c.claims);
      if (why) body.push(`Why GitHub sent this subject: ${why}`);
      body.push(...subjectHints(c.subject, entry.code));
    }
  }
  if (c.subject !== undefined) fix.push('Add a credential with exactly the presented values:', createFix(c, c.subject));
  fix.push(`Compare all three values with the credentials: ${listCommand(c)}`);
  body.push(...causesSection(c, entry, { omit: c.subject !== undefined && !creds.length ? hintedCauses(c.subject) : [] }));
  const title = c.subject !== undefined ? `No federated credential matches the token (subject ${q(c.subject)})` : entry.title;
  return [finding(c, { id: entry.findingId, title, body, fix, evidence })];
}

// ---- identity, tenant, cloud ------------------------------------------------------------------

function noCredentials(c: Case, entry: CatalogEntry): Finding {
  const name = c.inc.details.appName;
  const body: (string | undefined)[] = [
    `The identity ${name ? q(name) : ''}${c.clientIdKnown ? ` (client id ${c.clientId})` : ''} has no federated identity credentials at all, so no token can match.`.replace('identity  ', 'identity '),
    maskedNote(c),
  ];
  const given = c.ctx.credentials ?? [];
  if (given.length)
    body.push(
      `You gave ${given.length} credential(s) (${given.map((k) => q(k.name)).join(', ')}), but Entra says this client has none: they belong to another app or managed identity than this client id, or they were created moments ago.`,
    );
  body.push(...causesSection(c, entry));
  const fix = [
    `See which credentials the client id has: ${listCommand(c)}`,
    `For a user-assigned managed identity: az identity federated-credential list --identity-name <IDENTITY-NAME> --resource-group <RESOURCE-GROUP> -o table`,
    `Find whose client id this is: az ad app show --id ${shellQuote(c.clientId)} --query "{name:displayName, appId:appId}"  or  az identity list --query "[?clientId=='${c.clientId}'].{name:name, resourceGroup:resourceGroup}"`,
  ];
  if (c.subject) fix.push('Add the credential this job needs:', createFix(c, c.subject));
  return finding(c, {
    id: entry.findingId,
    title: `${name ? q(name) : 'The app'} has no federated credentials`,
    body,
    fix,
    evidence: [{ label: 'client id', actual: c.clientIdKnown ? c.clientId : '(unknown)' }],
  });
}

function clientNotFound(c: Case, entry: CatalogEntry): Finding {
  const directory = c.inc.tenant ?? c.tenant;
  const msgClient = c.inc.clientId;
  const body: (string | undefined)[] = [
    `No application or managed identity with client id ${c.clientIdKnown ? c.clientId : '(masked)'} exists in the tenant ${directory ? q(directory) : '(masked)'}.`,
    maskedNote(c),
  ];
  if (c.ctx.clientId && msgClient && c.ctx.clientId !== msgClient) body.push(`Note: the request sent client id ${msgClient}, but the workflow's client-id is ${c.ctx.clientId}.`);
  const looksGuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(c.clientId);
  if (c.clientIdKnown && !looksGuid) body.push(`${q(c.clientId)} is not a GUID: an application (client) id always is. The input probably holds a name, a secret name or an empty value.`);
  body.push(...causesSection(c, entry));
  const id = shellQuote(c.clientId);
  const fix = [
    `Find out what the id is (run in the tenant you expect it in):`,
    `  az ad app show --id ${id} --query "{name:displayName, appId:appId, signInAudience:signInAudience}"   # an app registration?`,
    `  az ad sp show --id ${id} --query "{name:displayName, appOwnerOrganizationId:appOwnerOrganizationId}"   # its service principal (tenant that owns the app)`,
    `  az identity list --query "[?clientId=='${c.clientId}'].{name:name, resourceGroup:resourceGroup, tenantId:tenantId}"   # a user-assigned managed identity?`,
    `Then set the workflow's tenant-id to the tenant where it exists (az account show --query tenantId -o tsv), and client-id to its Application (client) ID (not the object id).`,
  ];
  const evidence: Evidence[] = [{ label: 'client id', actual: c.clientIdKnown ? c.clientId : '(masked)' }];
  if (directory) evidence.push({ label: 'tenant', actual: directory });
  return finding(c, {
    id: entry.findingId,
    title: `Client id ${c.clientIdKnown ? c.clientId : '(masked)'} was not found in ${directory && !directory.includes('***') ? `tenant ${q(directory)}` : 'the tenant'}`,
    body,
    fix,
    evidence,
  });
}

function tenantNotFound(c: Case, entry: CatalogEntry): Finding {
  const tenant = c.inc.tenant ?? c.tenant;
  const host = (c.ctx.authorityHost ?? c.cloud.authorityHost).replace(/\/+$/, '');
  const current = CLOUD_NAMES.map((n) => CLOUDS[n]).find((k) => k.authorityHost === host) ?? c.cloud;
  const others = CLOUD_NAMES.map((n) => CLOUDS[n]).filter((k) => k.authorityHost !== host);
  const body: (string | undefined)[] = [];
  const t = tenant ?? TENANT_PLACEHOLDER;
  if (entry.code === 900023) {
    body.push(`The tenant identifier ${tenant !== undefined ? q(tenant) : '(masked)'} is neither a GUID nor a domain name, so Entra cannot look it up.`);
    if (tenant !== undefined) {
      if (tenant === '' || tenant === 'undefined' || tenant === 'null')
        body.push('It is empty or "undefined": the secret or variable that should hold it has no value in this run (fork pull requests and Dependabot runs get no secrets; a misspelled secret name gives an empty string).');
      else if (/[{}<>$]/.test(tenant)) body.push('It still contains a template placeholder.');
      else if (/\s|["']|^https?:/.test(tenant)) body.push('It carries extra characters (spaces, quotes or a URL); the tenant input must be the bare GUID or domain.');
    }
  } else {
    body.push(
      `${host} does not know the tenant ${tenant !== undefined ? q(tenant) : '(masked)'} (${current.label}). Either the tenant id is wrong, or the tenant lives in another Azure cloud.`,
    );
    if (tenant && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenant))
      body.push('It is a well-formed GUID; make sure it is the Directory (tenant) ID, not a subscription id or the app\'s object id.');
    else if (tenant && /\./.test(tenant)) body.push('It is a domain name: it must be a domain verified in the tenant (e.g. contoso.onmicrosoft.com).');
    body.push(
      `If the tenant is in another cloud: ${others.map((k) => `${k.label} — environment: ${k.name}, authority ${k.authorityHost}, audience ${k.exchangeAudience}`).join('; ')}.`,
    );
  }
  body.push(maskedNote(c));
  body.push(...causesSection(c, entry, { skipRuledOut: true }));
  const fix = [
    'Ask each cloud whether it knows the tenant (an answer with "issuer" means yes):',
    ...[current, ...others].map((k) => `  curl -s ${k.authorityHost}/${shellQuote(t)}/v2.0/.well-known/openid-configuration | jq -r '.issuer // .error_description'`),
    'Then set the login step to the tenant and its cloud, e.g.:',
    `    - uses: azure/login@v2\n      with:\n        tenant-id: \${{ vars.AZURE_TENANT_ID }}\n        environment: ${others[0]?.name ?? 'azurecloud'}   # only for a tenant in ${others[0]?.label ?? 'another cloud'}\n        audience: ${others[0]?.exchangeAudience ?? c.cloud.exchangeAudience}`,
  ];
  const evidence: Evidence[] = [{ label: 'tenant', actual: tenant ?? '(masked)' }, { label: 'authority host', actual: host }];
  return finding(c, {
    id: entry.findingId,
    title: entry.code === 900023 ? `Tenant identifier ${tenant !== undefined ? q(tenant) : ''} is malformed`.replace('  ', ' ') : `Tenant ${tenant !== undefined ? q(tenant) : '(masked)'} was not found at ${host}`,
    body,
    fix,
    evidence,
  });
}

function cloudMismatch(c: Case, entry: CatalogEntry): Finding {
  const host = (c.ctx.authorityHost ?? c.cloud.authorityHost).replace(/\/+$/, '');
  const body: (string | undefined)[] = [entry.meaning, `Authority used: ${host} (${c.cloud.label}).`];
  if (c.audience) {
    const ac = cloudOfAudience(c.audience);
    body.push(`Token audience: ${c.audience}${ac ? ` (${ac.label})` : ''}.`);
  }
  body.push(...causesSection(c, entry, { skipRuledOut: true }));
  const target = entry.code === 900440 ? CLOUDS.azurecloud : entry.code === 50049 ? c.cloud : CLOUDS.azureusgovernment;
  const fix = [
    ...catalogFix(c, entry),
    'In the workflow:',
    `    - uses: azure/login@v2\n      with:\n        environment: ${target.name}\n        audience: ${target.exchangeAudience}`,
    `and the federated credential's audience must be ${target.exchangeAudience}.`,
  ];
  return finding(c, { id: entry.findingId, title: entry.title, body, fix, evidence: [{ label: 'authority host', actual: host }] });
}

function clientDisabled(c: Case, entry: CatalogEntry): Finding {
  const name = c.inc.details.appName;
  const id = shellQuote(c.clientId);
  return finding(c, {
    id: entry.findingId,
    title: `Application ${name ? q(name) : c.clientIdKnown ? c.clientId : ''} is disabled`.replace('  ', ' '),
    body: [
      `The service principal of ${name ? q(name) : 'the app'}${c.clientIdKnown ? ` (client id ${c.clientId})` : ''} has sign-in disabled; the federated credential is not the problem.`,
      maskedNote(c),
      ...causesSection(c, entry, { skipRuledOut: true }),
    ],
    fix: [
      `Check: az ad sp show --id ${id} --query "{name:displayName, accountEnabled:accountEnabled}"`,
      `Re-enable (needs Cloud Application Administrator or the owner): az ad sp update --id ${id} --set accountEnabled=true`,
      'Portal: Entra admin center → Enterprise applications → the app → Properties → "Enabled for users to sign-in?" → Yes. If Microsoft disabled it, only Microsoft support can re-enable it.',
    ],
    evidence: [{ label: 'client id', actual: c.clientIdKnown ? c.clientId : '(masked)' }],
  });
}

function notFederation(c: Case, entry: CatalogEntry): Finding {
  const body: (string | undefined)[] = [
    `Entra received a client secret${c.clientIdKnown ? ` for app ${c.clientId}` : ''}, not the GitHub OIDC token: this run did not use workload identity federation at all${entry.code === 7000222 ? ', and the secret has expired' : ''}.`,
    maskedNote(c),
    ...causesSection(c, entry, { skipRuledOut: true }),
  ];
  const fix = [
    'Switch the login to OIDC (no secret):',
    [
      'permissions:',
      '  id-token: write',
      '  contents: read',
      'steps:',
      '  - uses: azure/login@v2',
      '    with:',
      '      client-id: ${{ vars.AZURE_CLIENT_ID }}',
      '      tenant-id: ${{ vars.AZURE_TENANT_ID }}',
      '      subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
      '      # remove `creds: ${{ secrets.AZURE_CREDENTIALS }}`',
    ].join('\n'),
  ];
  if (c.subject) fix.push('and give the app a federated credential for this job:', createFix(c, c.subject));
  else fix.push(`and give the app a federated credential for the job's subject: az ad app federated-credential create --id ${shellQuote(c.clientId)} --parameters '{"name":"github-actions","issuer":"${GITHUB_COM_ISSUER}","subject":"repo:OWNER/REPO:environment:NAME","audiences":["${c.cloud.exchangeAudience}"]}'`);
  return finding(c, { id: entry.findingId, title: entry.title, body, fix, evidence: [{ label: 'client id', actual: c.clientIdKnown ? c.clientId : '(masked)' }] });
}

// ---- lifetime, keys, discovery ----------------------------------------------------------------

/** Entra prints "2024-05-15T20:01:36.3934298Z" or "2024-05-15 20:01:36Z"; Date.parse wants at most ms. */
function parseEntraTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const norm = s.trim().replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(norm) ? norm : `${norm}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

function duration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const r = s % 60;
  if (m < 60) return r ? `${m} min ${r} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

function assertionExpired(c: Case, entry: CatalogEntry): Finding {
  const d = c.inc.details;
  const now = parseEntraTime(d.currentTime) ?? parseEntraTime(c.inc.timestamp);
  const from = parseEntraTime(d.validFrom);
  const exp = parseEntraTime(d.expiresAt) ?? (c.claims?.exp !== undefined ? c.claims.exp * 1000 : undefined);
  const iat = c.claims?.iat !== undefined ? c.claims.iat * 1000 : undefined;
  const nbf = c.claims?.nbf !== undefined ? c.claims.nbf * 1000 : from !== undefined && from > 86_400_000 ? from : undefined;
  const body: (string | undefined)[] = [];
  const evidence: Evidence[] = [];
  const rows: string[] = [];
  if (iat !== undefined) rows.push(`  issued (iat)       ${iso(iat)}`);
  if (nbf !== undefined) rows.push(`  valid from (nbf)   ${iso(nbf)}`);
  else if (from !== undefined && from <= 86_400_000) rows.push('  valid from         (no nbf in the token: Entra printed 1970-01-01)');
  if (exp !== undefined) rows.push(`  expires (exp)      ${iso(exp)}`);
  if (now !== undefined) rows.push(`  Entra's clock      ${iso(now)}`);
  let title = 'The GitHub token had expired when Entra received it';
  let verdict: string | undefined;
  if (now !== undefined && exp !== undefined && now >= exp) {
    const late = (now - exp) / 1000;
    verdict =
      late <= 90
        ? `The token expired ${duration(late)} before Entra received it: a slow step between fetching and using it, a retry reusing the token, or the runner's clock running behind.`
        : `The token was used ${duration(late)} after it expired: it was fetched once and reused (a long job logging in again later, a retry loop, or a token stored in a variable or file).`;
    title = `The GitHub token expired ${duration(late)} before Entra received it`;
    evidence.push({ label: 'expires (exp)', actual: iso(now), expected: `before ${iso(exp)}` });
  } else if (now !== undefined && nbf !== undefined && now < nbf) {
    verdict = `Entra's clock is ${duration((nbf - now) / 1000)} before the token's not-before time: the runner's clock (which stamped the request) or the issuer's clock is ahead. On a self-hosted runner, sync the clock.`;
    title = 'The GitHub token was not yet valid when Entra received it (clock skew)';
    evidence.push({ label: 'valid from (nbf)', actual: iso(now), expected: `after ${iso(nbf)}` });
  }
  const lifetime = iat !== undefined && exp !== undefined ? (exp - iat) / 1000 : nbf !== undefined && exp !== undefined ? (exp - nbf) / 1000 : undefined;
  body.push('Entra checks the assertion\'s exp (and nbf). GitHub OIDC tokens are valid for about 5 minutes, so every exchange attempt needs a freshly fetched token.');
  if (rows.length) body.push('Times:', ...rows);
  if (lifetime !== undefined) body.push(`Token lifetime: ${duration(lifetime)}.`);
  if (verdict) body.push(verdict);
  else body.push(...causesSection(c, entry, { skipRuledOut: true }));
  const fix = [
    'Fetch a new GitHub token right before every exchange attempt; never reuse one. With azure/login, put a login step right before the step that needs Azure:',
    '    - uses: azure/login@v2\n      with:\n        client-id: ${{ vars.AZURE_CLIENT_ID }}\n        tenant-id: ${{ vars.AZURE_TENANT_ID }}\n        subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
    'In a long job, log in again before later Azure steps (the OIDC login session lasts about an hour and cannot refresh itself). In your own code, call core.getIDToken() on each attempt.',
    'On a self-hosted runner, keep the clock in sync: sudo timedatectl set-ntp true (Linux) or w32tm /resync (Windows).',
  ];
  return finding(c, { id: entry.findingId, title, body, fix, evidence });
}

function signingKeyNotFound(c: Case, entry: CatalogEntry): Finding {
  const kid = c.inc.details.kid;
  const iss = (c.inc.details.keyIssuer ?? c.issuer)?.replace(/\.$/, '');
  const base = iss?.replace(/\/+$/, '');
  const body: (string | undefined)[] = [
    `The token's signing key ${kid ? `(kid ${q(kid)}) ` : ''}is not in the keys Entra has for the issuer ${iss ? q(iss) : ''}.`.replace(' .', '.').replace('issuer .', 'issuer.'),
    'Entra caches each issuer\'s metadata and keys: a new issuer, or a key the issuer just rotated in, can be unknown to Entra for a while (reports say 20–30 minutes or more for new issuers).',
  ];
  if (iss && /\/_services\/token\/?$/.test(iss)) body.push('This is a GitHub Enterprise Server issuer: its JWKS must be publicly reachable and must list the key the server signs with.');
  else if (iss === GITHUB_COM_ISSUER) body.push('github.com rotates its keys rarely and publishes them ahead of use; this is most likely Entra\'s cache lagging, so a retry in a few minutes usually works.');
  body.push('Entra keeps only the first 100 keys of an issuer\'s JWKS.');
  const fix = [
    'Check that the issuer publishes the key:',
    `  curl -s ${shellQuote(`${base ?? '<ISSUER>'}/.well-known/openid-configuration`)} | jq -r .jwks_uri | xargs curl -s | jq -r '.keys[].kid'${kid ? `   # look for ${kid}` : ''}`,
    'If the kid is listed, Entra\'s cached metadata is stale: wait and retry with a fresh token. If it is not listed, fix the issuer\'s JWKS (for GHES: the token service\'s signing keys).',
  ];
  const evidence: Evidence[] = [];
  if (kid) evidence.push({ label: 'kid', actual: kid });
  if (iss) evidence.push({ label: 'issuer', actual: iss });
  return finding(c, { id: entry.findingId, title: `Signing key ${kid ? `${q(kid)} ` : ''}not found in the issuer's metadata`, body, fix, evidence });
}

function issuerUnreachable(c: Case, entry: CatalogEntry): Finding {
  const iss = c.issuer?.trim();
  const base = iss?.replace(/\/+$/, '');
  const discovery = base ? `${base}/.well-known/openid-configuration` : '<ISSUER>/.well-known/openid-configuration';
  const body: (string | undefined)[] = [
    `To validate the token Entra downloads ${discovery} and the jwks_uri it names, from the internet. That request failed.`,
  ];
  if (iss && /\/_services\/token\/?$/.test(iss))
    body.push(`${q(iss)} is a GitHub Enterprise Server issuer: the server must be reachable from the internet (at least that path), because Entra has no private connectivity.`);
  else if (iss === GITHUB_COM_ISSUER) body.push('The issuer is github.com\'s, which is public: this is most likely a transient failure on GitHub\'s or Entra\'s side (https://www.githubstatus.com). Retry with a fresh token.');
  else if (iss) body.push(`Make sure ${q(iss)} is the exact issuer and that its discovery document is public.`);
  else body.push(...causesSection(c, entry, { skipRuledOut: true }));
  const fix = [
    'From a machine outside your network, both must answer 200 with JSON:',
    `  curl -si ${shellQuote(discovery)}`,
    `  curl -si "$(curl -s ${shellQuote(discovery)} | jq -r .jwks_uri)"`,
    'For GitHub Enterprise Server, publish https://HOSTNAME/_services/token/.well-known/openid-configuration and its JWKS to the internet (reverse proxy or firewall rule for those paths).',
  ];
  return finding(c, { id: entry.findingId, title: `Entra could not fetch ${discovery}`, body, fix, evidence: iss ? [{ label: 'issuer', actual: iss }] : [] });
}

// ---- tenant policy ----------------------------------------------------------------------------

function tenantPolicy(c: Case, entry: CatalogEntry): Finding {
  const body: (string | undefined)[] = [];
  const evidence: Evidence[] = [];
  let title = entry.title;
  const adminOnly = 'This is a tenant-wide policy: no change to the federated credential or the workflow fixes it; a tenant administrator must.';
  if (entry.code === 7002381) {
    const d = c.inc.details;
    const claim = d.requiredClaim ?? 'enterprise';
    const allowed = d.allowedValues ?? [];
    const tokenValue = c.claims ? (c.claims[claim] === undefined ? undefined : String(c.claims[claim])) : d.actualValue;
    title = `The tenant requires the token's ${tick(claim)} claim to be ${allowed.length ? allowed.map(q).join(', ') : 'an allowed value'}`;
    body.push(
      `A tenant policy accepts GitHub tokens only when their ${tick(claim)} claim is one of ${allowed.length ? allowed.map(q).join(', ') : '(the allowed values)'}. ` +
        (tokenValue === undefined || tokenValue === ''
          ? `This token has ${c.claims ? `no ${tick(claim)} claim` : `an empty ${tick(claim)} claim`}: ${c.claims?.repository_owner ? `the repository owner ${tick(c.claims.repository_owner)} is` : 'the repository is owned by'} a personal account or an organisation outside a GitHub Enterprise (GitHub sets ${tick('enterprise')} only for enterprise-owned organisations).`
          : `This token's ${tick(claim)} is ${q(tokenValue)}, which is not allowed.`),
    );
    if (c.inc.presented.issuer?.endsWith('/')) body.push('(Entra prints the issuer with a trailing slash in this message; that is not an issuer mismatch.)');
    const row: Evidence = { label: `${claim} claim`, actual: tokenValue === undefined ? '(absent)' : tokenValue === '' ? "''" : tokenValue };
    if (allowed.length) row.expected = allowed.join(' | ');
    evidence.push(row);
    body.push(adminOnly);
  } else if (entry.code === 53003) {
    body.push(
      'A Conditional Access policy for workload identities blocked this sign-in. The federated credential matched; the policy refused the token (named locations: GitHub-hosted runners use changing IP addresses; or service principal risk).',
      adminOnly,
    );
    if (c.inc.correlationId) body.push(`The admin can find the sign-in by correlation id ${c.inc.correlationId}.`);
  } else {
    body.push(entry.meaning, adminOnly);
    if (c.issuer) body.push(`Presented issuer: ${c.issuer}.`);
  }
  body.push(...causesSection(c, entry, { skipRuledOut: true, omit: ['tenant-admin-policy'] }));
  // The sign-in log step, with the ids filled in, where the catalog has its generic one.
  const signIn =
    `For the admin: Entra admin center → Monitoring & health → Sign-in logs → Service principal sign-ins` +
    `${c.clientIdKnown ? `, application id ${c.clientId}` : ''}${c.inc.correlationId ? `, correlation id ${c.inc.correlationId}` : ''}: the entry names the policy that refused the sign-in.`;
  const steps = catalogFix(c, entry);
  const at = steps.findIndex((step) => step.includes('Sign-in logs'));
  const fix = steps.filter((step) => !step.includes('Sign-in logs'));
  fix.splice(at === -1 ? fix.length : at, 0, signIn);
  return finding(c, { id: entry.findingId, title, body, fix, evidence });
}

// ---- request and assertion problems -------------------------------------------------------------

function requestInvalid(c: Case, entry: CatalogEntry): Finding {
  const d = c.inc.details;
  const body: (string | undefined)[] = [entry.meaning];
  const evidence: Evidence[] = [];
  const omit: string[] = [];
  let title = entry.title;
  if (d.field) {
    evidence.push({ label: 'missing', actual: d.field });
    title = `${entry.code === 90014 ? 'Required field' : 'Request parameter'} ${q(d.field)} is missing`;
    if (d.field === 'client_id') {
      body.push('The client id was empty: the `client-id` input came from a secret or variable with no value in this run (fork pull requests and Dependabot runs get no secrets; a misspelled name gives an empty string).');
      omit.push('empty-client-id', 'empty-input', 'hand-written-request');
    } else if (['iss', 'sub', 'aud', 'exp'].includes(d.field)) {
      body.push(`The assertion has no ${tick(d.field)} claim; GitHub's tokens always carry it, so this was not a GitHub OIDC token (or it was truncated).`);
      omit.push('missing-claim', 'empty-input');
    } else if (d.field.includes('client_assertion') && entry.code !== 7000218)
      body.push('No GitHub token was sent: the job could not fetch one (missing `permissions: id-token: write`) or passed an empty value.');
  }
  if (d.scope) {
    evidence.push({ label: 'scope', actual: d.scope, expected: `${c.cloud.resourceManager}/.default` });
    title = `Scope ${q(d.scope)} is not valid for a client-credentials request`;
  }
  if (d.resource) {
    evidence.push({ label: 'resource', actual: d.resource });
    title = `Resource ${q(d.resource)} was not found in the tenant`;
    if (/\/\/\.default$|\/\/$/.test(d.resource)) body.push('The resource has a double slash: the scope was built as `<resource>/` + `/.default`.');
  }
  if (entry.code === 7000218) title = 'No GitHub token was sent with the request';
  body.push(...causesSection(c, entry, { skipRuledOut: true, omit }));
  return finding(c, { id: entry.findingId, title, body, fix: catalogFix(c, entry), evidence });
}

function assertionInvalid(c: Case, entry: CatalogEntry): Finding {
  const body: (string | undefined)[] = [entry.meaning];
  const evidence: Evidence[] = [];
  if (c.issuer) {
    evidence.push({ label: 'issuer', actual: c.issuer });
    const r = issuerReasons(c.issuer).filter((x) => !x.startsWith('This is github.com'));
    body.push(...r);
  }
  if (c.claims && audiences(c.claims).length > 1 && entry.code === 50027) body.push(`The token has ${audiences(c.claims).length} audiences (${audiences(c.claims).join(', ')}); Entra needs exactly one.`);
  if (entry.code === 50027 && c.inc.masked.length) body.push('The text contains *** where values were masked; if the token itself was copied from a log, it is masked and cannot be used.');
  body.push(...causesSection(c, entry));
  return finding(c, { id: entry.findingId, title: entry.title, body, fix: catalogFix(c, entry), evidence });
}

// ---- generic -----------------------------------------------------------------------------------

function fromCatalog(c: Case, entry: CatalogEntry): Finding {
  const evidence: Evidence[] = [];
  if (c.issuer !== undefined) evidence.push({ label: 'issuer', actual: c.issuer });
  if (c.subject !== undefined) evidence.push({ label: 'subject', actual: c.subject });
  if (c.audience !== undefined) evidence.push({ label: 'audience', actual: c.audience });
  const body: (string | undefined)[] = [entry.meaning, maskedNote(c)];
  if (evidence.length) body.push('Presented by the token:', ...evidence.map((e) => `  ${e.label.padEnd(9)} ${e.actual}`));
  body.push(...causesSection(c, entry));
  return finding(c, { id: entry.findingId, title: entry.title, body, fix: catalogFix(c, entry), evidence });
}

function unknownCode(c: Case): Finding {
  const code = c.inc.code;
  const federated = /federated|assertion/i.test(c.inc.message);
  const body: (string | undefined)[] = [
    code !== undefined
      ? `Entra answered AADSTS${code}${c.inc.error ? ` (${c.inc.error})` : ''}, a code this tool has no explanation for yet. Entra's own text is below.`
      : `Entra answered ${c.inc.error ? tick(c.inc.error) : 'an error'} without an AADSTS code.`,
  ];
  if (c.subject !== undefined || c.issuer !== undefined || c.audience !== undefined) {
    body.push('Presented by the token:');
    if (c.issuer !== undefined) body.push(`  issuer    ${c.issuer}`);
    if (c.subject !== undefined) body.push(`  subject   ${c.subject}`);
    if (c.audience !== undefined) body.push(`  audience  ${c.audience}`);
  }
  const fix: string[] = [];
  if (code !== undefined) fix.push(`Look the code up: ${DOCS.errorLookup(code)}`);
  if (federated) fix.push(`The text is about the federated assertion; compare the presented values with the credentials: ${listCommand(c)}`);
  fix.push('If it persists, open a Microsoft support request with the trace id, correlation id and timestamp below.');
  return finding(c, {
    id: 'aadsts-unknown',
    title: code !== undefined ? `Entra refused the exchange with AADSTS${code}` : `Entra refused the exchange (${c.inc.error ?? 'no code'})`,
    body,
    fix,
    evidence: code !== undefined ? [{ label: 'code', actual: `AADSTS${code}` }] : [],
  });
}
