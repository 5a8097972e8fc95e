/**
 * Findings about the assertion itself: its lifetime, signing keys, the issuer's discovery, and
 * malformed requests or tokens.
 */
import { audiences } from '../github/claims.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import type { CatalogEntry } from './catalog.js';
import type { Evidence, Finding } from './finding.js';
import { shellQuote } from './text-diff.js';
import { catalogFix, causesSection, finding, q, tick, type Case } from './entra-case.js';
import { issuerReasons } from './entra-match.js';

// ---- lifetime, keys, discovery ----------------------------------------------------------------

/** Entra prints "2024-05-15T20:01:36.3934298Z" or "2024-05-15 20:01:36Z"; Date.parse wants at most ms. */
function parseEntraTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const norm = s
    .trim()
    .replace(' ', 'T')
    .replace(/(\.\d{3})\d+/, '$1');
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

export function assertionExpired(c: Case, entry: CatalogEntry): Finding {
  const d = c.inc.details;
  const now = parseEntraTime(d.currentTime) ?? parseEntraTime(c.inc.timestamp);
  const from = parseEntraTime(d.validFrom);
  const exp = parseEntraTime(d.expiresAt) ?? (c.claims?.exp !== undefined ? c.claims.exp * 1000 : undefined);
  const iat = c.claims?.iat !== undefined ? c.claims.iat * 1000 : undefined;
  const nbf =
    c.claims?.nbf !== undefined ? c.claims.nbf * 1000 : from !== undefined && from > 86_400_000 ? from : undefined;
  const body: (string | undefined)[] = [];
  const evidence: Evidence[] = [];
  const rows: string[] = [];
  if (iat !== undefined) rows.push(`  issued (iat)       ${iso(iat)}`);
  if (nbf !== undefined) rows.push(`  valid from (nbf)   ${iso(nbf)}`);
  else if (from !== undefined && from <= 86_400_000)
    rows.push('  valid from         (no nbf in the token: Entra printed 1970-01-01)');
  if (exp !== undefined) rows.push(`  expires (exp)      ${iso(exp)}`);
  if (now !== undefined) rows.push(`  Entra's clock      ${iso(now)}`);
  let title = 'The GitHub token had expired when Entra received it';
  let verdict: string | undefined;
  if (now !== undefined && exp !== undefined && now >= exp) {
    const late = (now - exp) / 1000;
    verdict =
      late <= 90
        ? `The token expired ${duration(late)} before Entra received it: a slow step between fetching and ` +
          `using it, a retry reusing the token, or the runner's clock running behind.`
        : `The token was used ${duration(late)} after it expired: it was fetched once and reused (a long job ` +
          `logging in again later, a retry loop, or a token stored in a variable or file).`;
    title = `The GitHub token expired ${duration(late)} before Entra received it`;
    evidence.push({ label: 'expires (exp)', actual: iso(now), expected: `before ${iso(exp)}` });
  } else if (now !== undefined && nbf !== undefined && now < nbf) {
    verdict =
      `Entra's clock is ${duration((nbf - now) / 1000)} before the token's not-before time: the ` +
      `runner's clock (which stamped the request) or the issuer's clock is ahead. On a self-hosted ` +
      `runner, sync the clock.`;
    title = 'The GitHub token was not yet valid when Entra received it (clock skew)';
    evidence.push({ label: 'valid from (nbf)', actual: iso(now), expected: `after ${iso(nbf)}` });
  }
  const lifetime =
    iat !== undefined && exp !== undefined
      ? (exp - iat) / 1000
      : nbf !== undefined && exp !== undefined
        ? (exp - nbf) / 1000
        : undefined;
  body.push(
    "Entra checks the assertion's exp (and nbf). GitHub OIDC tokens are valid for about 5 minutes, so every " +
      'exchange attempt needs a freshly fetched token.',
  );
  if (rows.length) body.push('Times:', ...rows);
  if (lifetime !== undefined) body.push(`Token lifetime: ${duration(lifetime)}.`);
  if (verdict) body.push(verdict);
  else body.push(...causesSection(c, entry, { skipRuledOut: true }));
  const fix = [
    'Fetch a new GitHub token right before every exchange attempt; never reuse one. With azure/login, put a ' +
      'login step right before the step that needs Azure:',
    '    - uses: azure/login@v2\n      with:\n        client-id: ${{ vars.AZURE_CLIENT_ID }}\n        ' +
      'tenant-id: ${{ vars.AZURE_TENANT_ID }}\n        subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
    'In a long job, log in again before later Azure steps (the OIDC login session lasts about an hour and ' +
      'cannot refresh itself). In your own code, call core.getIDToken() on each attempt.',
    'On a self-hosted runner, keep the clock in sync: sudo timedatectl set-ntp true (Linux) or w32tm /resync ' +
      '(Windows).',
  ];
  return finding(c, { id: entry.findingId, title, body, fix, evidence });
}

export function signingKeyNotFound(c: Case, entry: CatalogEntry): Finding {
  const kid = c.inc.details.kid;
  const iss = (c.inc.details.keyIssuer ?? c.issuer)?.replace(/\.$/, '');
  const base = iss?.replace(/\/+$/, '');
  const body: (string | undefined)[] = [
    (
      `The token's signing key ${kid ? `(kid ${q(kid)}) ` : ''}is not in the keys Entra has for the issuer ` +
      `${iss ? q(iss) : ''}.`
    )
      .replace(' .', '.')
      .replace('issuer .', 'issuer.'),
    "Entra caches each issuer's metadata and keys: a new issuer, or a key the issuer just rotated in, can be " +
      'unknown to Entra for a while (reports say 20–30 minutes or more for new issuers).',
  ];
  if (iss && /\/_services\/token\/?$/.test(iss))
    body.push(
      'This is a GitHub Enterprise Server issuer: its JWKS must be publicly reachable and must list the key ' +
        'the server signs with.',
    );
  else if (iss === GITHUB_COM_ISSUER)
    body.push(
      "github.com rotates its keys rarely and publishes them ahead of use; this is most likely Entra's cache " +
        'lagging, so a retry in a few minutes usually works.',
    );
  body.push("Entra keeps only the first 100 keys of an issuer's JWKS.");
  const fix = [
    'Check that the issuer publishes the key:',
    `  curl -s ${shellQuote(`${base ?? '<ISSUER>'}/.well-known/openid-configuration`)} | jq -r .jwks_uri | ` +
      `xargs curl -s | jq -r '.keys[].kid'${kid ? `   # look for ${kid}` : ''}`,
    "If the kid is listed, Entra's cached metadata is stale: wait and retry with a fresh token. If it is not " +
      "listed, fix the issuer's JWKS (for GHES: the token service's signing keys).",
  ];
  const evidence: Evidence[] = [];
  if (kid) evidence.push({ label: 'kid', actual: kid });
  if (iss) evidence.push({ label: 'issuer', actual: iss });
  return finding(c, {
    id: entry.findingId,
    title: `Signing key ${kid ? `${q(kid)} ` : ''}not found in the issuer's metadata`,
    body,
    fix,
    evidence,
  });
}

export function issuerUnreachable(c: Case, entry: CatalogEntry): Finding {
  const iss = c.issuer?.trim();
  const base = iss?.replace(/\/+$/, '');
  const discovery = base ? `${base}/.well-known/openid-configuration` : '<ISSUER>/.well-known/openid-configuration';
  const body: (string | undefined)[] = [
    `To validate the token Entra downloads ${discovery} and the jwks_uri it names, from the internet. That ` +
      `request failed.`,
  ];
  if (iss && /\/_services\/token\/?$/.test(iss))
    body.push(
      `${q(iss)} is a GitHub Enterprise Server issuer: the server must be reachable from the internet (at ` +
        `least that path), because Entra has no private connectivity.`,
    );
  else if (iss === GITHUB_COM_ISSUER)
    body.push(
      "The issuer is github.com's, which is public: this is most likely a transient failure on GitHub's or " +
        "Entra's side (https://www.githubstatus.com). Retry with a fresh token.",
    );
  else if (iss) body.push(`Make sure ${q(iss)} is the exact issuer and that its discovery document is public.`);
  else body.push(...causesSection(c, entry, { skipRuledOut: true }));
  const fix = [
    'From a machine outside your network, both must answer 200 with JSON:',
    `  curl -si ${shellQuote(discovery)}`,
    `  curl -si "$(curl -s ${shellQuote(discovery)} | jq -r .jwks_uri)"`,
    'For GitHub Enterprise Server, publish https://HOSTNAME/_services/token/.well-known/openid-configuration ' +
      'and its JWKS to the internet (reverse proxy or firewall rule for those paths).',
  ];
  return finding(c, {
    id: entry.findingId,
    title: `Entra could not fetch ${discovery}`,
    body,
    fix,
    evidence: iss ? [{ label: 'issuer', actual: iss }] : [],
  });
}

// ---- request and assertion problems -------------------------------------------------------------

export function requestInvalid(c: Case, entry: CatalogEntry): Finding {
  const d = c.inc.details;
  const body: (string | undefined)[] = [entry.meaning];
  const evidence: Evidence[] = [];
  const omit: string[] = [];
  let title = entry.title;
  if (d.field) {
    evidence.push({ label: 'missing', actual: d.field });
    title = `${entry.code === 90014 ? 'Required field' : 'Request parameter'} ${q(d.field)} is missing`;
    if (d.field === 'client_id') {
      body.push(
        'The client id was empty: the `client-id` input came from a secret or variable with no value in this ' +
          'run (fork pull requests and Dependabot runs get no secrets; a misspelled name gives an empty ' +
          'string).',
      );
      omit.push('empty-client-id', 'empty-input', 'hand-written-request');
    } else if (['iss', 'sub', 'aud', 'exp'].includes(d.field)) {
      body.push(
        `The assertion has no ${tick(d.field)} claim; GitHub's tokens always carry it, so this was not a ` +
          `GitHub OIDC token (or it was truncated).`,
      );
      omit.push('missing-claim', 'empty-input');
    } else if (d.field.includes('client_assertion') && entry.code !== 7000218)
      body.push(
        'No GitHub token was sent: the job could not fetch one (missing `permissions: id-token: write`) or ' +
          'passed an empty value.',
      );
  }
  if (d.scope) {
    evidence.push({ label: 'scope', actual: d.scope, expected: `${c.cloud.resourceManager}/.default` });
    title = `Scope ${q(d.scope)} is not valid for a client-credentials request`;
  }
  if (d.resource) {
    evidence.push({ label: 'resource', actual: d.resource });
    title = `Resource ${q(d.resource)} was not found in the tenant`;
    if (/\/\/\.default$|\/\/$/.test(d.resource))
      body.push('The resource has a double slash: the scope was built as `<resource>/` + `/.default`.');
  }
  if (entry.code === 7000218) title = 'No GitHub token was sent with the request';
  body.push(...causesSection(c, entry, { skipRuledOut: true, omit }));
  return finding(c, { id: entry.findingId, title, body, fix: catalogFix(c, entry), evidence });
}

export function assertionInvalid(c: Case, entry: CatalogEntry): Finding {
  const body: (string | undefined)[] = [entry.meaning];
  const evidence: Evidence[] = [];
  if (c.issuer) {
    evidence.push({ label: 'issuer', actual: c.issuer });
    const r = issuerReasons(c.issuer).filter((x) => !x.startsWith('This is github.com'));
    body.push(...r);
  }
  if (c.claims && audiences(c.claims).length > 1 && entry.code === 50027)
    body.push(
      `The token has ${audiences(c.claims).length} audiences (${audiences(c.claims).join(', ')}); Entra ` +
        `needs exactly one.`,
    );
  if (entry.code === 50027 && c.inc.masked.length)
    body.push(
      'The text contains *** where values were masked; if the token itself was copied from a log, it is ' +
        'masked and cannot be used.',
    );
  body.push(...causesSection(c, entry));
  return finding(c, { id: entry.findingId, title: entry.title, body, fix: catalogFix(c, entry), evidence });
}
