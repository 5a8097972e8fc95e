/**
 * Finding Microsoft Entra (AADSTS) errors in arbitrary text: an azure/login log (raw with
 * timestamps and ANSI colours, or copied from the web UI), an Entra error JSON body, MSAL's
 * error string, Azure CLI output, or a message pasted into an issue with `***` masking.
 * Pure and total: never throws, and runs in time linear in the input (bounded regexes,
 * capped number of matches).
 *
 * Also reads the context azure/login prints ("Federated token details: issuer - … subject
 * claim - … audience - … job_workflow_ref - …", the step's `with:` inputs) so `explain` can
 * use it as evidence.
 */
import { descriptionWithoutTail } from '../entra/entra-error.js';
import { normaliseLogText, oddQuotes } from './log-text.js';

// The unit tests read the normalisation through this module, next to the extractors it feeds.
export { normaliseLogText };

/** The values Entra quotes from the presented assertion. */
export interface PresentedValues {
  issuer?: string;
  subject?: string;
  audience?: string;
}

/** Other values some messages carry, by code. */
export interface AadstsDetails {
  /** 700024: Entra's clock, the assertion's nbf and exp, as Entra printed them. */
  currentTime?: string;
  validFrom?: string;
  expiresAt?: string;
  /** 7000272: the key id of the token and the issuer whose metadata lacks it. */
  kid?: string;
  keyIssuer?: string;
  /** 7002381: the claim a tenant policy requires, the values it allows and the token's value. */
  requiredClaim?: string;
  allowedValues?: string[];
  actualValue?: string;
  /** 90014 / 900144 / 7000218: the missing field or request parameter. */
  field?: string;
  /** 500011: the resource Entra could not find. */
  resource?: string;
  /** 70011: the rejected scope. */
  scope?: string;
  /** 70025 / 7000112: the app's display name. */
  appName?: string;
  /** 7002137: the subject Entra says the credential must have. */
  expectedSubject?: string;
  /** 700027: thumbprint of the key the client used. */
  thumbprint?: string;
}

export interface ParsedAadsts {
  code: number;
  /** Entra's text (starting `AADSTSnnn:`) without the Trace ID / Correlation ID / Timestamp tail. */
  message: string;
  presented: PresentedValues;
  /** The application (client) id the message names, when it names one and it is not masked. */
  clientId?: string;
  /** The tenant (id, domain or directory name) the message names, when not masked. */
  tenant?: string;
  traceId?: string;
  correlationId?: string;
  timestamp?: string;
  /** The OAuth error class (`invalid_client`, …) when the text carries it (JSON body, MSAL string). */
  error?: string;
  details: AadstsDetails;
  /** Fields whose value the runner masked as `***` (clientId, tenant, subject, issuer, audience). */
  masked: string[];
  /** The text the error was read from (normalised: no ANSI codes or log timestamps). */
  raw: string;
  /** Offset of the error in the normalised text; relates errors to the log context before them. */
  index: number;
}

/** One "Federated token details" block azure/login printed. */
interface TokenDetails {
  issuer?: string;
  subject?: string;
  audience?: string;
  jobWorkflowRef?: string;
  /** Offset in the normalised text. */
  index: number;
}

/** What azure/login printed around the errors. */
export interface LogContext {
  /** Every "Federated token details" block, in order. */
  tokens: TokenDetails[];
  /** The azure/login step's inputs (`with:` block), when they are not masked. */
  clientId?: string;
  tenantId?: string;
  subscriptionId?: string;
  /** azure/login's `environment` input (azurecloud, azureusgovernment, …). */
  environment?: string;
  /** azure/login's `audience` input. */
  audience?: string;
  authType?: string;
  /** "Attempting Azure CLI login by using OIDC..." → 'OIDC'; 'service principal with secret' on the secret path. */
  loginMethod?: string;
  /** True when the log shows azure/login took the client-secret path. */
  usedClientSecret?: boolean;
  /** The step header, e.g. 'azure/login@v2'. */
  action?: string;
  /** Inputs the log shows as `***`. */
  masked: string[];
}

const MAX_MATCHES = 2_000;
const MAX_MESSAGE = 4_000;

/** One message's lines joined back: a space at a word break, none inside a quoted value. */
function joinWrapped(message: string): string {
  if (!message.includes('\n')) return message;
  let out = '';
  for (const line of message.split('\n')) {
    if (!out) out = line;
    else if (TAIL_LINE.test(line)) out += `\n${line}`;
    else out = oddQuotes(out) ? out + line.trim() : `${out.trimEnd()} ${line.trim()}`;
  }
  return out;
}

const isMasked = (v: string | undefined): boolean => v?.includes('***') === true;

/** A quoted value after a prefix: 'x', `x`, or ‘x’. Bounded, no backtracking across quotes. */
function quoted(text: string, prefix: RegExp): string | undefined {
  // A value may be broken across lines (hard wrap, pasted from a narrow console): read it whole.
  const part = (q: string) => `[^${q}\\n]{0,1200}(?:\\n[^${q}\\n]{0,1200}){0,2}`;
  const m = new RegExp(`${prefix.source}\\s*(?:'(${part("'")})'|\`(${part('`')})\`|‘(${part('’')})’)`, 'i').exec(text);
  if (!m) return undefined;
  return (m[1] ?? m[2] ?? m[3])?.replace(/[ \t]*\n[ \t]*/g, '');
}

const TRACE = /Trace ID:\s*([0-9A-Za-z-]{1,100})/;
const CORRELATION = /Correlation ID:\s*([0-9A-Za-z-]{1,100})/;
const TIMESTAMP = /Timestamp:\s*(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z?)/;

/**
 * Read the values one AADSTS message carries. `text` is Entra's description (with or without
 * the tail). Used for error_description from the token endpoint as well as for text found in logs.
 */
export function parseAadstsMessage(
  code: number,
  text: string,
): Pick<
  ParsedAadsts,
  'presented' | 'clientId' | 'tenant' | 'traceId' | 'correlationId' | 'timestamp' | 'details' | 'masked' | 'message'
> {
  const t = text.length > 20_000 ? text.slice(0, 20_000) : text;
  const presented: PresentedValues = {};
  const details: AadstsDetails = {};
  const masked: string[] = [];
  const keep = (field: string, v: string | undefined): string | undefined => {
    if (v === undefined) return undefined;
    if (isMasked(v)) {
      if (!masked.includes(field)) masked.push(field);
      return field === 'clientId' || field === 'tenant' ? undefined : v;
    }
    return v;
  };

  presented.subject = keep('subject', quoted(t, /presented assertion subject/) ?? quoted(t, /Assertion Subject:/));
  presented.issuer = keep(
    'issuer',
    quoted(t, /presented assertion issuer/) ??
      quoted(t, /Assertion Issuer:/) ??
      (code === 7002381 || /must contain the \w+ claim/.test(t) ? quoted(t, /issued by/) : undefined),
  );
  presented.audience = keep('audience', quoted(t, /presented assertion audience/) ?? quoted(t, /Assertion Audience:/));
  for (const k of Object.keys(presented) as (keyof PresentedValues)[])
    if (presented[k] === undefined) delete presented[k];

  let clientId: string | undefined;
  let tenant: string | undefined;
  const app = /Application with identifier '([^'\n]{0,200})' was not found in the directory '([^'\n]{0,300})'/.exec(t);
  if (app) {
    clientId = keep('clientId', app[1]);
    tenant = keep('tenant', app[2]);
  }
  const disabled = /Application '([^'\n]{0,200})'\s*\(([^)\n]{0,300})\) is disabled/.exec(t);
  if (disabled) {
    clientId = keep('clientId', disabled[1]);
    details.appName = disabled[2];
  }
  const client =
    /The client '([^'\n]{0,300})'(?:\s*\(([^)\n]{0,200})\))? has no configured federated identity credentials/.exec(t);
  if (client) {
    details.appName = client[1];
    if (client[2]) clientId = keep('clientId', client[2]);
  }
  const secretApp = quoted(t, /(?:secret added to app|client secret keys for app|configured keys for app Id)/);
  if (secretApp !== undefined) clientId = keep('clientId', secretApp);
  // Quoted today; older messages (ADAL era) named the tenant bare.
  const tenantNotFound = /Tenant (?:'([^'\n]{0,300})'|([^\s'"]{1,300})) not found/.exec(t);
  if (tenantNotFound) tenant = keep('tenant', tenantNotFound[1] ?? tenantNotFound[2]);
  const tenantId = quoted(t, /Specified tenant identifier/);
  if (tenantId !== undefined) tenant = keep('tenant', tenantId);
  const resource =
    /resource principal named (\S{1,500}?) was not found in the tenant named (\S{1,300}?)\.(?:\s|$)/.exec(t);
  if (resource) {
    details.resource = resource[1];
    tenant = keep('tenant', resource[2]);
  }

  // 700024, current and 2021 forms.
  const time = new RegExp(
    /Current time:\s*([^,\n]{1,60}),\s*(?:assertion valid from\s*([^,\n]{1,60}),\s*)?/.source +
      /expiry time of assertion\s*([^\s,\n]{1,60}?)\.?(?:\s|$)/.source,
  ).exec(t);
  if (time) {
    details.currentTime = time[1]!.trim();
    if (time[2]) details.validFrom = time[2].trim();
    details.expiresAt = time[3]!.trim();
  }
  // 7000272.
  const kid = new RegExp(
    /certificate with identifier\s+(\S{0,200}?)\s+used to sign the federated credential /.source +
      /could not be found in the metadata of identity provider\s+(\S{1,600}?)\.?(?:\s|$)/.source,
  ).exec(t);
  if (kid) {
    if (kid[1]) details.kid = kid[1];
    details.keyIssuer = kid[2];
  }
  // 7002381.
  const claim = /must contain the (\w{1,100}) claim with value (.{0,600}?) but actual value is '([^'\n]{0,300})'/.exec(
    t,
  );
  if (claim) {
    details.requiredClaim = claim[1];
    details.allowedValues = [...claim[2]!.matchAll(/'([^'\n]{0,200})'/g)].map((m) => m[1]!);
    details.actualValue = claim[3];
  }
  const field = quoted(t, /The required field/) ?? quoted(t, /must contain the following parameter:/);
  if (field !== undefined) details.field = field;
  const scope = /The scope (\S{1,800}?) (?:isn't|is not) valid/.exec(t);
  if (scope) details.scope = scope[1];
  const expected = quoted(t, /federated identity credential Subject is/);
  if (expected !== undefined) details.expectedSubject = expected;
  const thumb = quoted(t, /Thumbprint of key used by client:/);
  if (thumb !== undefined) details.thumbprint = thumb;

  const traceId = TRACE.exec(t)?.[1];
  const correlationId = CORRELATION.exec(t)?.[1];
  const timestamp = TIMESTAMP.exec(t)?.[1];
  const message = descriptionWithoutTail(t).replace(/\s+/g, ' ').trim();
  const out: ReturnType<typeof parseAadstsMessage> = { presented, details, masked, message };
  if (clientId !== undefined) out.clientId = clientId;
  if (tenant !== undefined) out.tenant = tenant;
  if (traceId) out.traceId = traceId;
  if (correlationId) out.correlationId = correlationId;
  if (timestamp) out.timestamp = timestamp;
  return out;
}

const CODE = /AADSTS(\d{4,9})(?!\d)/g;
const TAIL_LINE = /^\s*(?:Trace ID|Correlation ID|Timestamp):/;
// Ends of an Entra description inside JSON, a Python dict, or MSAL's "… - Correlation ID: …" string.
const TERMINATORS = [
  /"/,
  /'\s*,\s*'(?:error|error_codes|timestamp|trace_id|correlation_id|error_uri|suberror|claims)'\s*:/,
  /\s-\s(?:Correlation ID|Trace ID|Timestamp):/,
];
const OAUTH_ERROR_CODES = [
  'invalid_client',
  'invalid_request',
  'invalid_grant',
  'unauthorized_client',
  'invalid_scope',
  'invalid_resource',
  'invalid_tenant',
  'invalid_instance',
  'interaction_required',
  'temporarily_unavailable',
  'unsupported_grant_type',
  'access_denied',
];
const OAUTH_ERROR = new RegExp(`\\b(${OAUTH_ERROR_CODES.join('|')})\\b`, 'g');

function lineEnd(text: string, from: number, limit: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 || nl > limit ? limit : nl;
}

/** Where the message that starts at `start` ends (exclusive), not beyond `limit`. */
function messageEnd(text: string, start: number, limit: number): number {
  let end = lineEnd(text, start, limit);
  // A quoted value broken across lines (pasted from a narrow console) continues on the next, and so
  // does a sentence hard-wrapped mid-way (the next line starts lower-case or with a quote).
  for (let n = 0; n < 2 && end < limit && oddQuotes(text.slice(start, end)); n++) end = lineEnd(text, end + 1, limit);
  for (let n = 0; n < 8 && end < limit; n++) {
    const next = text.slice(end + 1, lineEnd(text, end + 1, limit));
    if (/[.!?]\s*$/.test(text.slice(start, end)) || !/^\s*['"‘a-z]/.test(next)) break;
    end = lineEnd(text, end + 1, limit);
  }
  // Entra's "\r\n" form puts the tail on the next lines.
  while (end < limit) {
    const next = lineEnd(text, end + 1, limit);
    if (!TAIL_LINE.test(text.slice(end + 1, next))) break;
    end = next;
  }
  if (end - start > MAX_MESSAGE) end = start + MAX_MESSAGE;
  let segment = text.slice(start, end);
  const ts = TIMESTAMP.exec(segment);
  if (ts) segment = segment.slice(0, ts.index + ts[0].length);
  for (const t of TERMINATORS) {
    const m = t.exec(segment);
    if (m) segment = segment.slice(0, m.index);
  }
  return start + segment.length;
}

function lastMatch(re: RegExp, text: string): string | undefined {
  let last: string | undefined;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m[1];
  re.lastIndex = 0;
  return last;
}

function jsonField(window: string, name: string): string | undefined {
  return new RegExp(`["']${name}["']\\s*:\\s*["']([^"'\\n]{1,200})["']`).exec(window)?.[1];
}

function dedupeKey(p: ParsedAadsts): string {
  return [
    p.code,
    p.presented.issuer ?? '',
    p.presented.subject ?? '',
    p.presented.audience ?? '',
    p.clientId ?? '',
    p.tenant ?? '',
  ].join('\u0000');
}

/**
 * Every AADSTS error in `text`, in order of first appearance, de-duplicated by code and the
 * presented values (a later copy fills in ids the first lacked). Never throws.
 */
export function extractAadstsErrors(text: string): ParsedAadsts[] {
  try {
    return extract(text);
  } catch {
    return [];
  }
}

/**
 * Entra's own sentences, for tools that quote them without the AADSTS number. Most specific
 * first; each names the code Entra pairs it with (docs: Entra error codes reference).
 */
const ENTRA_PHRASES: ReadonlyArray<readonly [RegExp, number]> = [
  [
    new RegExp(
      /No matching federated identity record found for presented assertion subject/.source +
        /[^\n]{0,1400}case-insensitive comparison/.source,
    ),
    7002138,
  ],
  [/No matching federated identity record found for presented assertion subject/, 700213],
  [/No matching federated identity record found for presented assertion issuer/, 700211],
  [/No matching federated identity record found for presented assertion audience/, 700212],
  [/No matching federated identity record found for presented assertion\./, 70021],
  [/has no configured federated identity credentials/, 70025],
  [/Application with identifier '[^'\n]{0,200}' was not found in the directory/, 700016],
  [/Client assertion is not within its valid time range/, 700024],
  [/Request to External OIDC endpoint failed/, 50166],
  [/Invalid client secret provided/, 7000215],
  [/AAD-issued tokens may not be used for federated identity flows/, 700222],
  [/Tenant '[^'\n]{1,300}' not found/, 90002],
];

/** The first of Entra's sentences in the text, read as if its code stood before it. */
function phraseMatches(text: string): Array<{ index: number; code: number; colon: boolean; after: number }> {
  for (const [re, code] of ENTRA_PHRASES) {
    const m = re.exec(text);
    if (!m) continue;
    return [{ index: m.index, code, colon: true, after: m.index }];
  }
  return [];
}

function extract(input: string): ParsedAadsts[] {
  const text = normaliseLogText(input);
  const matches: Array<{ index: number; code: number; colon: boolean; after: number }> = [];
  CODE.lastIndex = 0;
  for (let m = CODE.exec(text); m && matches.length < MAX_MATCHES; m = CODE.exec(text)) {
    const after = m.index + m[0].length;
    const colon = /^\s{0,3}:/.test(text.slice(after, after + 4));
    matches.push({ index: m.index, code: Number(m[1]), colon, after });
  }
  CODE.lastIndex = 0;
  if (matches.length === 0) matches.push(...phraseMatches(text));
  const withColon = new Set(matches.filter((m) => m.colon).map((m) => m.code));
  const byKey = new Map<string, ParsedAadsts>();
  const order: ParsedAadsts[] = [];

  for (let i = 0; i < matches.length; i++) {
    const m = matches[i]!;
    if (!Number.isSafeInteger(m.code)) continue;
    const limit = i + 1 < matches.length ? matches[i + 1]!.index : text.length;
    let start = m.index;
    let end: number;
    if (m.colon) {
      end = messageEnd(text, start, limit);
    } else {
      // A bare mention ("… with error code AADSTS700238"): the line is the message, unless the
      // full message for this code is elsewhere in the text.
      if (withColon.has(m.code)) continue;
      start = text.lastIndexOf('\n', m.index) + 1;
      if (m.index - start > 400) start = m.index - 400;
      end = Math.min(lineEnd(text, m.index, text.length), m.index + 600);
    }
    const raw = joinWrapped(text.slice(start, end).trim());
    const parsed = parseAadstsMessage(m.code, raw);
    const before = text.slice(Math.max(0, m.index - 1500), m.index);
    const afterWindow = text.slice(end, Math.min(limit, end + 1500));
    const error = jsonField(before, 'error') ?? lastMatch(OAUTH_ERROR, text.slice(Math.max(0, m.index - 300), m.index));
    const p: ParsedAadsts = {
      code: m.code,
      message: m.colon ? parsed.message : parsed.message || `AADSTS${m.code}`,
      presented: parsed.presented,
      details: parsed.details,
      masked: parsed.masked,
      raw,
      index: m.index,
    };
    if (parsed.clientId !== undefined) p.clientId = parsed.clientId;
    if (parsed.tenant !== undefined) p.tenant = parsed.tenant;
    const traceId = parsed.traceId ?? jsonField(afterWindow, 'trace_id');
    const correlationId = parsed.correlationId ?? jsonField(afterWindow, 'correlation_id');
    const timestamp = parsed.timestamp ?? jsonField(afterWindow, 'timestamp');
    if (traceId) p.traceId = traceId;
    if (correlationId) p.correlationId = correlationId;
    if (timestamp) p.timestamp = timestamp;
    if (error) p.error = error;

    const key = dedupeKey(p);
    const seen = byKey.get(key);
    if (seen) {
      for (const k of ['traceId', 'correlationId', 'timestamp', 'error'] as const)
        if (seen[k] === undefined && p[k] !== undefined) seen[k] = p[k];
      continue;
    }
    byKey.set(key, p);
    order.push(p);
  }
  return order;
}

const TOKEN_FIELD = /^[ \t]*(issuer|subject claim|audience|job_workflow_ref)[ \t]+-[ \t]+(.*)$/;
const LOGIN_INPUT = /^[ \t]+(client-id|tenant-id|subscription-id|environment|audience|auth-type)[ \t]*:(.*)$/;

/** What azure/login printed: token details blocks and the step's inputs. Never throws. */
export function extractLogContext(input: string): LogContext {
  const ctx: LogContext = { tokens: [], masked: [] };
  try {
    const text = normaliseLogText(input);
    // Token details blocks.
    const marker = /Federated token details:/g;
    for (let m = marker.exec(text); m && ctx.tokens.length < 100; m = marker.exec(text)) {
      const details: TokenDetails = { index: m.index };
      let pos = m.index + m[0].length;
      // The first field may follow on the same line (older logs, pasted text).
      const rest = text.slice(pos, lineEnd(text, pos, text.length));
      const lines = [rest];
      for (let n = 0; n < 6 && pos < text.length; n++) {
        const next = text.indexOf('\n', pos);
        if (next === -1) break;
        const end = lineEnd(text, next + 1, text.length);
        lines.push(text.slice(next + 1, end));
        pos = end;
      }
      for (const line of lines) {
        const f = TOKEN_FIELD.exec(line);
        if (!f) continue;
        const value = f[2]!.trim();
        if (!value) continue;
        if (f[1] === 'issuer') details.issuer ??= value;
        else if (f[1] === 'subject claim') details.subject ??= value;
        else if (f[1] === 'audience') details.audience ??= value;
        else details.jobWorkflowRef ??= value;
      }
      ctx.tokens.push(details);
    }
    // The azure/login step's inputs: the `with:` block of a "Run azure/login@…" group.
    const run = /^Run (azure\/login@\S+)/im.exec(text);
    const inputLines: string[] = [];
    if (run) {
      ctx.action = run[1];
      for (const line of text.slice(run.index).split('\n', 60).slice(1)) {
        if (line.trim() === '' || /^\s/.test(line) || /^(?:with|env):\s*$/.test(line)) inputLines.push(line);
        else break;
      }
    } else {
      // Copied from the web UI without the group header: only the unambiguous inputs.
      for (const m of text.matchAll(/^[ \t]+(?:client-id|tenant-id)[ \t]*:.*$/gm)) inputLines.push(m[0]);
    }
    for (const line of inputLines) {
      const f = LOGIN_INPUT.exec(line);
      if (!f) continue;
      const value = f[2]!.trim();
      const key = f[1]!;
      if (isMasked(value)) {
        if (!ctx.masked.includes(key)) ctx.masked.push(key);
        continue;
      }
      if (!value) continue;
      if (key === 'client-id') ctx.clientId ??= value;
      else if (key === 'tenant-id') ctx.tenantId ??= value;
      else if (key === 'subscription-id') ctx.subscriptionId ??= value;
      else if (key === 'environment') ctx.environment ??= value.toLowerCase();
      else if (key === 'audience') ctx.audience ??= value;
      else if (key === 'auth-type') ctx.authType ??= value;
    }
    const method =
      /Attempting Azure CLI login by using ([^\n]{1,80}?)\.\.\./.exec(text) ??
      /Attempting Azure PowerShell login by using ([^\n]{1,80}?)\.\.\./.exec(text);
    if (method) ctx.loginMethod = method[1];
    if (
      /Azure\/login action also supports OIDC login mechanism/i.test(text) ||
      /login by using service principal with secret/i.test(text)
    )
      ctx.usedClientSecret = true;
  } catch {
    /* best effort */
  }
  return ctx;
}

/** The token details printed last before `index` (the login attempt an error belongs to). */
export function tokenDetailsBefore(ctx: LogContext, index: number): TokenDetails | undefined {
  let found: TokenDetails | undefined;
  for (const t of ctx.tokens) if (t.index <= index) found = t;
  return found;
}
