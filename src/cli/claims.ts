/**
 * `claims [--file F | -]`: decode a GitHub OIDC token and print its header, claims and
 * lifetime. Never prints the signature or the token itself, and does not verify it.
 */
import type { Finding } from '../diagnose/finding.js';
import { whyThisSubject } from '../diagnose/subject-reasons.js';
import { CLOUDS, CLOUD_NAMES, cloudOfAudience } from '../entra/clouds.js';
import { audiences, type GitHubClaims } from '../github/claims.js';
import type { JwtHeader } from '../github/jwt.js';
import { PROGRAM, type Command } from './command.js';
import { loadToken } from './context-options.js';
import { CliError, parseArgs, stringFlag, styleFor, type CliIo } from './io.js';
import { renderFindings } from './render.js';

const USAGE =
  `Usage: ${PROGRAM} claims [--file FILE | -] [--json]

Decodes a GitHub Actions OIDC token (without verifying it) and prints its header (alg, kid,
typ), its claims and its lifetime. The signature and the token itself are never printed.
Reads stdin unless --file is given. Accepts a bare JWT, the runner's {"value": "..."} answer
or "Bearer <jwt>", with whitespace around.

Options:
  -f, --file FILE  read the token from FILE ('-' for stdin)
      --json       print {"findings": [...], "header": {...}, "claims": {...}, "lifetime": {...}}
  -h, --help       this help

Exit codes: 0 decoded (warnings such as an expired token do not change it), 2 not a token or bad usage.

Example (inside a job with id-token: write):
  curl -sH "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" ` +
  `"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange" | ${PROGRAM} claims
`;

const FLAGS = { file: { value: true, short: 'f' }, json: {} };

/** Claims in the order people read them; the rest follow alphabetically. */
const ORDER = [
  'iss',
  'sub',
  'aud',
  'jti',
  'ref',
  'ref_type',
  'ref_protected',
  'sha',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'repository_visibility',
  'environment',
  'environment_node_id',
  'event_name',
  'head_ref',
  'base_ref',
  'workflow',
  'workflow_ref',
  'workflow_sha',
  'job_workflow_ref',
  'job_workflow_sha',
  'actor',
  'actor_id',
  'run_id',
  'run_number',
  'run_attempt',
  'runner_environment',
  'enterprise',
  'enterprise_id',
];
const TIMES = new Set(['iat', 'nbf', 'exp']);

interface Lifetime {
  issuedAt?: string;
  notBefore?: string;
  expiresAt?: string;
  lifetimeSeconds?: number;
  /** Seconds until exp (negative once expired). */
  remainingSeconds?: number;
  expired?: boolean;
  now: string;
}

export const claimsCommand: Command = {
  summary: 'Decode a token',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    const file = stringFlag(args, 'file');
    const extra = args.positionals.filter((p) => p !== '-');
    if (extra.length)
      throw new CliError(
        'pass the token on stdin or with --file, not as an argument (arguments end up in shell history and ' +
          'process lists)',
        2,
        true,
      );
    if (file !== undefined && args.positionals.length)
      throw new CliError("give either --file or '-', not both", 2, true);
    const { header, claims } = await loadToken(io, file ?? '-');
    const now = io.now?.() ?? Date.now();
    const lifetime = lifetimeOf(claims, now);
    const findings = tokenFindings(claims, lifetime);
    if (args.flags.has('json')) {
      const report = { findings, header: safeHeader(header), claims: orderedClaims(claims), lifetime };
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const s = styleFor(io);
    const out: string[] = [];
    const h = safeHeader(header);
    out.push(s.bold('Header'), ...table(Object.entries(h)));
    out.push('', s.bold('Claims'), ...table(Object.entries(orderedClaims(claims)).filter(([k]) => !TIMES.has(k))));
    out.push('', s.bold('Lifetime'));
    const rows: Array<[string, unknown]> = [];
    if (lifetime.issuedAt) rows.push(['issued (iat)', `${lifetime.issuedAt}  (${claims.iat})`]);
    if (lifetime.notBefore) rows.push(['not before (nbf)', `${lifetime.notBefore}  (${claims.nbf})`]);
    if (lifetime.expiresAt) rows.push(['expires (exp)', `${lifetime.expiresAt}  (${claims.exp})`]);
    if (lifetime.lifetimeSeconds !== undefined) rows.push(['lifetime', duration(lifetime.lifetimeSeconds)]);
    if (lifetime.remainingSeconds !== undefined)
      rows.push(
        lifetime.expired
          ? ['expired', s.red(`${duration(-lifetime.remainingSeconds)} ago`)]
          : ['remaining', duration(lifetime.remainingSeconds)],
      );
    rows.push(['now', lifetime.now]);
    out.push(...table(rows));
    const why = whyThisSubject(claims.sub, claims);
    if (why) out.push('', s.bold('Why this subject'), ...wrap(why, 96).map((l) => `  ${l}`));
    if (findings.length) out.push('', renderFindings(findings, s).trimEnd());
    io.stdout(`${out.join('\n')}\n`);
    return 0;
  },
};

/** The header without anything but its own fields (there is no signature in it; this is belt and braces). */
function safeHeader(header: JwtHeader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(header)) if (k !== 'signature') out[k] = v;
  return out;
}

function orderedClaims(claims: GitHubClaims): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ORDER) if (k in claims) out[k] = claims[k];
  for (const k of Object.keys(claims).sort()) if (!(k in out)) out[k] = claims[k];
  return out;
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ');
  return JSON.stringify(v);
}

function table(rows: Array<[string, unknown]>): string[] {
  const width = Math.min(24, Math.max(0, ...rows.map(([k]) => k.length)));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${show(v)}`);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function duration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} days`;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function lifetimeOf(claims: GitHubClaims, nowMs: number): Lifetime {
  const iat = num(claims.iat);
  const nbf = num(claims.nbf);
  const exp = num(claims.exp);
  const now = nowMs / 1000;
  const out: Lifetime = { now: iso(Math.floor(now)) };
  if (iat !== undefined) out.issuedAt = iso(iat);
  if (nbf !== undefined) out.notBefore = iso(nbf);
  if (exp !== undefined) {
    out.expiresAt = iso(exp);
    out.remainingSeconds = Math.round(exp - now);
    out.expired = now >= exp;
    const start = iat ?? nbf;
    if (start !== undefined) out.lifetimeSeconds = exp - start;
  }
  return out;
}

function tokenFindings(claims: GitHubClaims, life: Lifetime): Finding[] {
  const out: Finding[] = [];
  if (life.expired && life.remainingSeconds !== undefined) {
    out.push({
      id: 'assertion-expired',
      severity: 'warning',
      title: `The token expired ${duration(-life.remainingSeconds)} ago`,
      message:
        `exp is ${life.expiresAt}; now is ${life.now}. Entra refuses an expired token with ` +
        `AADSTS700024. GitHub tokens are valid for about 5 minutes from issue.`,
      fix:
        'Fetch a fresh token for every exchange attempt, right before it (core.getIDToken(), or another ' +
        'azure/login step).',
      evidence: [{ label: 'exp', actual: life.now, expected: `before ${life.expiresAt}` }],
    });
  }
  const nbf = num(claims.nbf);
  if (nbf !== undefined && Date.parse(life.now) / 1000 < nbf - 60) {
    out.push({
      id: 'assertion-expired',
      severity: 'warning',
      title: 'The token is not valid yet (clock skew)',
      message:
        `nbf is ${life.notBefore}; this machine's clock says ${life.now}. Either clock is off; Entra ` +
        `would refuse the token (AADSTS700024).`,
      fix: 'Sync the clock: sudo timedatectl set-ntp true (Linux) or w32tm /resync (Windows).',
      evidence: [{ label: 'nbf', actual: life.now, expected: `after ${life.notBefore}` }],
    });
  }
  const auds = audiences(claims);
  if (auds.length > 1) {
    out.push({
      id: 'audience-not-exchange',
      severity: 'warning',
      title: `The token has ${auds.length} audiences; Entra needs exactly one`,
      message:
        `aud is ${auds.join(', ')}. Entra compares a single audience with the credential's and ` +
        `refuses multi-audience tokens.`,
      fix:
        `Request one audience: core.getIDToken('${CLOUDS.azurecloud.exchangeAudience}') or the ` +
        `azure/login input audience: ${CLOUDS.azurecloud.exchangeAudience}.`,
      evidence: [{ label: 'aud', actual: auds.join(', '), expected: CLOUDS.azurecloud.exchangeAudience }],
    });
  } else if (auds.length === 1 && !cloudOfAudience(auds[0]!)) {
    out.push({
      id: 'audience-not-exchange',
      severity: 'warning',
      title: `The token's audience ${auds[0]} is not an Azure token-exchange audience`,
      message:
        `Federated credentials normally use ${CLOUD_NAMES.map((n) => CLOUDS[n].exchangeAudience).join(', ')} ` +
        `(public, US Government, China). ` +
        (/^https:\/\/github\.com\//i.test(auds[0]!)
          ? "This is GitHub's default audience (the owner's URL): the token was requested without an audience."
          : 'The credential must name exactly this audience for the exchange to work.'),
      fix:
        `Request the exchange audience: in azure/login set audience: ` +
        `${CLOUDS.azurecloud.exchangeAudience}; with curl add ` +
        `&audience=${CLOUDS.azurecloud.exchangeAudience} to ACTIONS_ID_TOKEN_REQUEST_URL.`,
      evidence: [{ label: 'aud', actual: auds[0]!, expected: CLOUDS.azurecloud.exchangeAudience }],
    });
  }
  return out;
}
