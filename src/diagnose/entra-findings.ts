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
import { parseAadstsMessage, type ParsedAadsts } from './aadsts-text.js';
import { catalogEntry, type BuilderName, type CatalogEntry } from './catalog.js';
import type { DiagnosisContext } from './context.js';
import type { Finding } from './finding.js';
import {
  assertionExpired,
  assertionInvalid,
  issuerUnreachable,
  requestInvalid,
  signingKeyNotFound,
} from './entra-assertion.js';
import { fromCatalog, resolve, type Case, type Incident, unknownCode } from './entra-case.js';
import {
  clientDisabled,
  clientNotFound,
  cloudMismatch,
  cloudOfTenantDomain,
  noCredentials,
  notFederation,
  tenantInOtherCloud,
  tenantNotFound,
  tenantPolicy,
} from './entra-identity.js';
import { audienceMismatch, issuerMismatch, noMatch } from './entra-match.js';
import { subjectFamily } from './entra-subject.js';

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

// ---- dispatch ---------------------------------------------------------------------------------

function diagnose(inc: Incident, ctx: DiagnosisContext, entry: CatalogEntry | undefined): Finding[] {
  const c = resolve(inc, ctx, entry);
  try {
    return build(c);
  } catch {
    // A diagnosis must never take the run down: fall back to the catalog's words.
    return [entry ? fromCatalog(c, entry) : unknownCode(c)];
  }
}

type Builder = (c: Case, entry: CatalogEntry) => Finding[];

/** Each catalog entry names its builder (catalog-base.ts BuilderName). */
const BUILDERS: Record<BuilderName, Builder> = {
  subject: (c, e) => subjectFamily(c, e),
  issuer: (c, e) => issuerMismatch(c, e),
  audience: (c, e) => audienceMismatch(c, e),
  'no-match': (c, e) => noMatch(c, e),
  'no-credentials': (c, e) => [noCredentials(c, e)],
  'client-not-found': (c, e) => [clientNotFound(c, e)],
  tenant: (c, e) => {
    const home = e.code === 90002 ? cloudOfTenantDomain(c.inc.tenant ?? c.tenant) : undefined;
    return [home && home.name !== c.cloud.name ? tenantInOtherCloud(c, home) : tenantNotFound(c, e)];
  },
  'assertion-expired': (c, e) => [assertionExpired(c, e)],
  'signing-key': (c, e) => [signingKeyNotFound(c, e)],
  'issuer-unreachable': (c, e) => [issuerUnreachable(c, e)],
  'tenant-policy': (c, e) => [tenantPolicy(c, e)],
  'client-disabled': (c, e) => [clientDisabled(c, e)],
  'not-federation': (c, e) => [notFederation(c, e)],
  cloud: (c, e) => [cloudMismatch(c, e)],
  'request-invalid': (c, e) => [requestInvalid(c, e)],
  'assertion-invalid': (c, e) => [assertionInvalid(c, e)],
  catalog: (c, e) => [fromCatalog(c, e)],
};

function build(c: Case): Finding[] {
  return c.entry ? BUILDERS[c.entry.builder](c, c.entry) : [unknownCode(c)];
}
