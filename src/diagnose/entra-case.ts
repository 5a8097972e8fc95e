/**
 * The case a diagnosis reasons about (Entra's incident plus what the context knows) and the
 * helpers every builder shares: assembling a finding, the causes section, fix commands.
 */
import type { FederatedCredential } from '../entra/credential.js';
import { CLOUDS, type Cloud } from '../entra/clouds.js';
import { audiences, type GitHubClaims } from '../github/claims.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import type { AadstsDetails, PresentedValues } from './aadsts-text.js';
import {
  DOCS,
  fillPlaceholders,
  PERMISSIONS_STEP,
  rankCauses,
  type CatalogEntry,
  type CauseContext,
} from './catalog.js';
import { PERMISSIONS_WHERE, PERMISSIONS_YAML } from './run-findings.js';
import { compareWithCredentials, credentialSourceNote, type CompareResult } from './compare.js';
import type { DiagnosisContext } from './context.js';
import type { Evidence, Finding, FindingId } from './finding.js';
import {
  azAppUpdateCommand,
  CLIENT_ID_PLACEHOLDER,
  createCommands,
  credentialNameForSubject,
  type CredentialPatch,
} from './fix-commands.js';
import { shellQuote } from './text-diff.js';

export const TENANT_PLACEHOLDER = '<TENANT-ID>';

/** Everything Entra said about one failure, from either source. */
export interface Incident {
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
export interface Case {
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

// ---- resolution -------------------------------------------------------------------------------

export function resolve(inc: Incident, ctx: DiagnosisContext, entry: CatalogEntry | undefined): Case {
  const cloud = ctx.cloud ?? CLOUDS.azurecloud;
  const p = inc.presented;
  let claims = ctx.claims;
  let claimsConflict: string | undefined;
  if (claims) {
    const diffs: string[] = [];
    if (p.subject !== undefined && !p.subject.includes('***') && p.subject !== claims.sub)
      diffs.push(`subject ${q(p.subject)} (the token given has ${q(claims.sub)})`);
    if (
      p.issuer !== undefined &&
      !p.issuer.includes('***') &&
      p.issuer !== claims.iss &&
      !(inc.code === 7002381 && p.issuer === `${claims.iss}/`)
    )
      diffs.push(`issuer ${q(p.issuer)} (the token given has ${q(claims.iss)})`);
    if (p.audience !== undefined && !p.audience.includes('***') && !audiences(claims).includes(p.audience))
      diffs.push(`audience ${q(p.audience)} (the token given has ${q(audiences(claims).join(', '))})`);
    if (diffs.length) {
      claimsConflict =
        `Entra quotes ${diffs.join(', ')}: the error belongs to another token than the one given, so ` +
        `the reasoning below uses Entra's values.`;
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

// ---- text helpers -----------------------------------------------------------------------------

export function q(s: string): string {
  return `'${s}'`;
}

export function tick(s: string): string {
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

export function causesSection(
  c: Case,
  entry: CatalogEntry,
  opts: { skipRuledOut?: boolean; omit?: readonly string[] } = {},
): string[] {
  const ranked = rankCauses(entry, c.cause).filter((r) => !opts.omit?.includes(r.cause.id));
  const shown = ranked.filter((r) => r.applies === true);
  const open = ranked.filter((r) => r.applies === undefined);
  const out = ranked.filter((r) => r.applies === false);
  const lines: string[] = [];
  if (shown.length)
    lines.push(
      shown.length === 1 ? 'Cause shown by the evidence:' : 'Causes shown by the evidence:',
      ...shown.map((r) => `  - ${r.cause.text}`),
    );
  if (open.length)
    lines.push(
      shown.length ? 'Also possible:' : 'Possible causes, most likely first:',
      ...open.map((r) => `  - ${r.cause.text}`),
    );
  if (out.length && !opts.skipRuledOut && c.ctx.verbose)
    lines.push('Ruled out by the evidence:', ...out.map((r) => `  - ${firstClause(r.cause.text)}`));
  return lines;
}

/** A cause's text up to its first semicolon: enough to name a ruled-out cause. */
function firstClause(text: string): string {
  const i = text.indexOf('; ');
  return i > 0 ? `${text.slice(0, i)}.` : text;
}

/** Assemble the finding: message ends with Entra's words, the docs and the trace ids. */
export function finding(
  c: Case,
  f: {
    id: FindingId;
    title: string;
    body: (string | undefined | false)[];
    fix: (string | undefined | false)[];
    evidence?: Evidence[];
    severity?: Finding['severity'];
  },
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
  if (c.entry?.retry === 'propagation')
    fix.push(
      'Retry: a credential created or changed in the last minutes can take 1–5 minutes to apply; re-run the job then.',
    );
  else if (c.entry?.retry === 'transient')
    fix.push(
      'Retry: this can be transient; one retry after a minute is reasonable, with a freshly fetched GitHub token.',
    );
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
export function catalogFix(c: Case, entry: CatalogEntry, steps = entry.fix): string[] {
  return steps.map((s) =>
    s === PERMISSIONS_STEP
      ? `Add ${PERMISSIONS_WHERE}:\n${PERMISSIONS_YAML}`
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

export function createFix(c: Case, subject: string, issuer = c.issuer ?? GITHUB_COM_ISSUER): string {
  return createCommands(c.clientId, {
    name: credentialNameForSubject(subject),
    issuer: issuer.trim(),
    subject,
    audience: audienceFor(c),
  });
}

export function updateCommand(c: Case, credentialName: string, patch: CredentialPatch): string {
  return azAppUpdateCommand(c.clientId, credentialName, patch);
}

export function listCommand(c: Case): string {
  return (
    `az ad app federated-credential list --id ${shellQuote(c.clientId)} --query "[].{name:name, ` +
    `issuer:issuer, subject:subject, audience:audiences[0]}" -o table`
  );
}

export function credentialLabel(k: FederatedCredential): string {
  return `credential '${k.name}'`;
}

export function maskedNote(c: Case): string | undefined {
  if (!c.inc.masked.length) return undefined;
  const names = c.inc.masked
    .map((m) => (m === 'clientId' ? 'the client id' : m === 'tenant' ? 'the tenant' : `the ${m}`))
    .join(' and ');
  const stillUnknown = c.inc.masked.some((m) =>
    m === 'clientId' ? !c.clientIdKnown : m === 'tenant' ? !c.tenant : true,
  );
  const consequence = stillUnknown
    ? 'commands below use placeholders where a value is masked.'
    : 'the values given to this tool are used instead.';
  return `The log masks ${names} as ***; ${consequence}`;
}

// ---- the comparison's findings --------------------------------------------------------------

export const SUBJECT_IDS: readonly FindingId[] = [
  'subject-mismatch',
  'subject-case-mismatch',
  'subject-immutable-format',
  'subject-custom-template',
  'credential-wildcard',
  'expression-mismatch',
  'expression-invalid',
];
export const ISSUER_IDS: readonly FindingId[] = ['issuer-mismatch'];
export const AUDIENCE_IDS: readonly FindingId[] = ['audience-mismatch'];

/** The local comparison: given, or computed when the token and credentials are both known. */
export function comparisonFor(c: Case): CompareResult | undefined {
  if (c.ctx.comparison && !c.claimsConflict) return c.ctx.comparison;
  if (c.claims && c.ctx.credentials && c.ctx.credentials.length > 0) {
    const input: Parameters<typeof compareWithCredentials>[0] = {
      claims: c.claims,
      credentials: c.ctx.credentials,
      clientId: c.clientId,
      cloud: c.cloud,
    };
    if (c.ctx.jobId) input.jobId = c.ctx.jobId;
    return compareWithCredentials(input);
  }
  return undefined;
}

/** The comparison's findings for these fields, with Entra's code, words and trace attached. */
export function fromComparison(c: Case, cmp: CompareResult, ids: readonly FindingId[]): Finding[] {
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
export function matchedButRefused(c: Case, cmp: CompareResult): Finding {
  const k = cmp.matched!;
  return finding(c, {
    id: 'propagation-delay',
    title: `${credentialLabel(k)} matches the token exactly, yet Entra refused it`,
    body: [
      `Issuer, subject and audience of the token equal ${credentialLabel(k)}${credentialSourceNote(k)}:`,
      `  issuer    ${k.issuer}`,
      k.subject ? `  subject   ${k.subject}` : `  expression ${k.claimsMatchingExpression?.value ?? ''}`,
      `  audience  ${k.audiences[0] ?? ''}`,
      'So either Entra has not picked the credential up yet (created or changed in the last minutes; Entra ' +
        'caches credentials), ' +
        `or the credential belongs to another app or managed identity than client id ` +
        `${c.clientIdKnown ? c.clientId : 'the workflow sends'}.`,
    ],
    fix: [
      'Wait 1–5 minutes and re-run the job. If it still fails against this byte-identical credential, delete ' +
        'and recreate it:',
      `az ad app federated-credential delete --id ${shellQuote(c.clientId)} --federated-credential-id ` +
        `${shellQuote(k.name)}`,
      createFix(c, k.subject ?? c.subject ?? '', k.issuer),
      `Confirm the client id is the identity that holds it: ${listCommand(c)}`,
    ],
    evidence: [
      { label: 'credential', actual: c.subject ?? '', expected: k.subject ?? k.claimsMatchingExpression?.value ?? '' },
    ],
  });
}

// ---- generic -----------------------------------------------------------------------------------

export function fromCatalog(c: Case, entry: CatalogEntry): Finding {
  const evidence: Evidence[] = [];
  if (c.issuer !== undefined) evidence.push({ label: 'issuer', actual: c.issuer });
  if (c.subject !== undefined) evidence.push({ label: 'subject', actual: c.subject });
  if (c.audience !== undefined) evidence.push({ label: 'audience', actual: c.audience });
  const body: (string | undefined)[] = [entry.meaning, maskedNote(c)];
  if (evidence.length)
    body.push('Presented by the token:', ...evidence.map((e) => `  ${e.label.padEnd(9)} ${e.actual}`));
  body.push(...causesSection(c, entry));
  return finding(c, { id: entry.findingId, title: entry.title, body, fix: catalogFix(c, entry), evidence });
}

export function unknownCode(c: Case): Finding {
  const code = c.inc.code;
  const federated = /federated|assertion/i.test(c.inc.message);
  const body: (string | undefined)[] = [
    code !== undefined
      ? `Entra answered AADSTS${code}${c.inc.error ? ` (${c.inc.error})` : ''}, a code this tool has no ` +
        `explanation for yet. Entra's own text is below.`
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
  if (federated)
    fix.push(
      `The text is about the federated assertion; compare the presented values with the credentials: ${listCommand(c)}`,
    );
  fix.push('If it persists, open a Microsoft support request with the trace id, correlation id and timestamp below.');
  return finding(c, {
    id: 'aadsts-unknown',
    title:
      code !== undefined
        ? `Entra refused the exchange with AADSTS${code}`
        : `Entra refused the exchange (${c.inc.error ?? 'no code'})`,
    body,
    fix,
    evidence: code !== undefined ? [{ label: 'code', actual: `AADSTS${code}` }] : [],
  });
}
