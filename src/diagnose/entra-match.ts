/**
 * Findings for the issuer (700211), the audience (700212) and the generic no-match (70021).
 */
import { CLOUDS, CLOUD_NAMES, cloudOfAudience } from '../entra/clouds.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import type { CatalogEntry } from './catalog.js';
import type { Evidence, Finding } from './finding.js';
import { subjectDifferenceSentence, whyThisSubject } from './subject-reasons.js';
import { diffLines, editDistance, shellQuote } from './text-diff.js';
import {
  AUDIENCE_IDS,
  ISSUER_IDS,
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
import { hintedCauses, nearestCredential, subjectHints } from './entra-subject.js';

// ---- issuer, audience, generic no-match -------------------------------------------------------

const ENTRA_HOSTS =
  /login\.microsoftonline\.|sts\.windows\.net|login\.windows\.net|login\.chinacloudapi\.cn|login\.microsoft\.com/;
// An issuer on one of Entra's own hosts: the assertion came from Entra (a managed identity or app), not GitHub.
const ENTRA_AUTHORITY = new RegExp(`^https:\\/\\/(?:${ENTRA_HOSTS.source})`, 'i');

export function issuerReasons(iss: string): string[] {
  const out: string[] = [];
  const trimmed = iss.trim();
  if (trimmed !== iss) out.push('The presented issuer has leading or trailing whitespace, which Entra refuses.');
  if (trimmed === GITHUB_COM_ISSUER)
    out.push(
      `This is github.com's issuer. A credential with ${tick(`${GITHUB_COM_ISSUER}/`)} (trailing slash, as ` +
        `some Microsoft docs show it), with other capitals, or with an enterprise slug does not match it.`,
    );
  else if (trimmed === `${GITHUB_COM_ISSUER}/`)
    out.push(
      `Entra has quoted GitHub's issuer both with and without a trailing slash over the years, so this slash ` +
        `alone does not tell which the token has; GitHub's is ${tick(GITHUB_COM_ISSUER)}, and the credential's ` +
        `issuer must be exactly that.`,
    );
  else if (trimmed.startsWith(`${GITHUB_COM_ISSUER}/`))
    out.push(
      `The token comes from an enterprise-specific issuer (the enterprise enabled include_enterprise_slug), ` +
        `so the credential must name ${tick(trimmed)}, not ${tick(GITHUB_COM_ISSUER)}.`,
    );
  else if (/\/_services\/token\/?$/.test(trimmed))
    out.push(
      'The token comes from GitHub Enterprise Server; the credential must name this exact issuer, and Entra ' +
        'must reach it from the internet.',
    );
  else if (ENTRA_AUTHORITY.test(trimmed))
    out.push(
      'This is an Entra issuer: an Azure access token or managed-identity token was passed as the federated ' +
        'token, not the GitHub OIDC token (e.g. `az login --federated-token "$(az account get-access-token ' +
        '…)"`).',
    );
  return out;
}

export function issuerMismatch(c: Case, entry: CatalogEntry): Finding[] {
  const cmp = comparisonFor(c);
  if (cmp) {
    if (cmp.matched) return [matchedButRefused(c, cmp)];
    const found = fromComparison(c, cmp, ISSUER_IDS);
    if (found.length) return found;
  }
  const iss = c.issuer;
  if (iss === undefined) return [fromCatalog(c, entry)];
  const creds = c.ctx.credentials ?? [];
  const body: string[] = [
    'No federated credential on this app or managed identity names the issuer this token carries (compared ' +
      'byte for byte).',
  ];
  const fix: string[] = [];
  const evidence: Evidence[] = [];
  if (creds.length) {
    const nearest = [...creds].sort((a, b) => editDistance(iss, a.issuer) - editDistance(iss, b.issuer))[0]!;
    body.push(diffLines('presented iss:', iss, `${credentialLabel(nearest)}:`, nearest.issuer));
    evidence.push({ label: 'issuer', actual: iss, expected: nearest.issuer });
    if (nearest.issuer === `${iss}/` || `${nearest.issuer}/` === iss)
      body.push('The two differ only by a trailing slash; Entra compares issuers byte for byte.');
    else if (nearest.issuer.toLowerCase() === iss.toLowerCase())
      body.push('The two differ only in letter case; Entra compares issuers case-sensitively.');
    else if (nearest.issuer.trim() === iss) body.push("The credential's issuer has leading or trailing whitespace.");
    body.push(...issuerReasons(iss).filter((r) => !r.startsWith('This is github.com')));
    fix.push(
      `Set ${credentialLabel(nearest)}'s issuer to exactly the token's:`,
      updateCommand(c, nearest.name, { issuer: iss.trim() }),
    );
  } else {
    evidence.push({ label: 'issuer', actual: iss });
    body.push(`presented iss:  ${iss}`);
    body.push(...issuerReasons(iss));
    fix.push(
      `Set the credential's issuer to exactly ${q(iss.trim())} (find its name with: az ad app ` +
        `federated-credential list --id ${shellQuote(c.clientId)} --query "[].{name:name, issuer:issuer}" -o ` +
        `table):`,
      updateCommand(c, '<CREDENTIAL-NAME>', { issuer: iss.trim() }),
    );
    if (c.subject) fix.push('or add a credential for this issuer and subject:', createFix(c, c.subject, iss));
  }
  body.push(...causesSection(c, entry, { skipRuledOut: true }));
  return [
    finding(c, { id: entry.findingId, title: `No federated credential has the issuer ${q(iss)}`, body, fix, evidence }),
  ];
}

export function audienceMismatch(c: Case, entry: CatalogEntry): Finding[] {
  const cmp = comparisonFor(c);
  if (cmp) {
    if (cmp.matched) return [matchedButRefused(c, cmp)];
    const found = fromComparison(c, cmp, AUDIENCE_IDS);
    if (found.length) return found;
  }
  const aud = c.audience;
  if (aud === undefined) return [fromCatalog(c, entry)];
  const body: string[] = [
    "A credential has the token's issuer and subject, but its audience differs from the token's `aud`.",
  ];
  const fix: string[] = [];
  const evidence: Evidence[] = [];
  const tokenCloud = cloudOfAudience(aud);
  const creds = (c.ctx.credentials ?? []).filter(
    (k) => (c.subject === undefined || k.subject === c.subject) && (c.issuer === undefined || k.issuer === c.issuer),
  );
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
    body.push(
      `${tick(aud)} is GitHub's default audience (the owner's URL): the token was requested without ` +
        `${tick('audience')}. Azure expects ${tick(c.cloud.exchangeAudience)}.`,
    );
  else if (tokenCloud && expectedCloud && tokenCloud !== expectedCloud)
    body.push(
      `The token carries the ${tokenCloud.label} exchange audience; the credential uses the ` +
        `${expectedCloud.label} one. The audience follows the cloud of the tenant.`,
    );
  else if (tokenCloud && !expected) {
    const otherAudiences = CLOUD_NAMES.filter((n) => n !== tokenCloud.name).map((n) =>
      tick(CLOUDS[n].exchangeAudience),
    );
    body.push(
      `This is the ${tokenCloud.label} exchange audience. If the tenant is in another cloud, its credentials use ` +
        `${otherAudiences.join(' or ')}; a credential with a custom audience also differs.`,
    );
  } else if (!tokenCloud)
    body.push(
      'This is not an Azure exchange audience; GitHub puts whatever audience the login step requests into `aud`.',
    );
  // The audience both sides should use: the tenant's cloud decides (when known), else the credential's standard one.
  const want = c.ctx.cloud
    ? c.cloud.exchangeAudience
    : expected && cloudOfAudience(expected)
      ? expected
      : tokenCloud
        ? aud
        : c.cloud.exchangeAudience;
  const credentialAudience = k?.audiences[0];
  if (aud !== want)
    fix.push(
      `Request ${tick(want)} in the login step:`,
      `    - uses: azure/login@v2\n      with:\n        audience: ${want}`,
    );
  if (credentialAudience !== undefined && credentialAudience !== want)
    fix.push(
      `${aud !== want ? 'and set' : 'Set'} ${credentialLabel(k!)}'s audience to ${tick(want)}:`,
      updateCommand(c, k!.name, { audiences: [want] }),
    );
  else if (credentialAudience === undefined)
    fix.push(
      aud === want
        ? `Set the credential's audience to ${tick(want)} (the audience of ${c.cloud.label}):`
        : `and make sure the credential's audience is ${tick(want)}; if it is not:`,
      updateCommand(c, '<CREDENTIAL-NAME>', { audiences: [want] }),
    );
  body.push(...causesSection(c, entry, { skipRuledOut: true }));
  return [
    finding(c, {
      id: entry.findingId,
      title: `No federated credential has the audience ${q(aud)}`,
      body,
      fix,
      evidence,
    }),
  ];
}

export function noMatch(c: Case, entry: CatalogEntry): Finding[] {
  const cmp = comparisonFor(c);
  if (cmp) {
    if (cmp.matched) return [matchedButRefused(c, cmp)];
    const found = fromComparison(c, cmp, [...ISSUER_IDS, ...SUBJECT_IDS, ...AUDIENCE_IDS]);
    if (found.length) return found;
  }
  const body: (string | undefined)[] = [
    "Entra found no federated credential whose issuer, subject and audience all equal the token's (exact, " +
      'case-sensitive).',
  ];
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
    const nearest = nearestCredential(c.subject, creds, c.issuer);
    if (nearest) {
      const k = nearest.cred;
      body.push(`Nearest credential, ${credentialLabel(k)}:`);
      body.push(diffLines('  presented sub:', c.subject, '  credential:', k.subject ?? ''));
      if (c.issuer !== undefined && k.issuer !== c.issuer)
        body.push(diffLines('  presented iss:', c.issuer, '  credential:', k.issuer));
      if (c.audience !== undefined && k.audiences[0] !== c.audience)
        body.push(diffLines('  presented aud:', c.audience, '  credential:', k.audiences[0] ?? ''));
      const s = subjectDifferenceSentence(c.subject, k.subject ?? '', { reusable: !!c.claims?.job_workflow_ref });
      if (s) body.push(s);
      evidence.find((e) => e.label === 'subject')!.expected = k.subject ?? '';
    }
  } else {
    if (c.issuer !== undefined)
      body.push(...issuerReasons(c.issuer).filter((r) => !r.startsWith('This is github.com')));
    if (c.issuer === GITHUB_COM_ISSUER)
      body.push(`The issuer is github.com's; check that the credential's issuer has no trailing slash.`);
    if (c.subject !== undefined) {
      const why = whyThisSubject(c.subject, c.claims);
      if (why) body.push(`Why GitHub sent this subject: ${why}`);
      body.push(...subjectHints(c.subject, entry.code));
    }
  }
  if (c.subject !== undefined) fix.push('Add a credential with exactly the presented values:', createFix(c, c.subject));
  fix.push(`Compare all three values with the credentials: ${listCommand(c)}`);
  body.push(
    ...causesSection(c, entry, { omit: c.subject !== undefined && !creds.length ? hintedCauses(c.subject) : [] }),
  );
  const title =
    c.subject !== undefined ? `No federated credential matches the token (subject ${q(c.subject)})` : entry.title;
  return [finding(c, { id: entry.findingId, title, body, fix, evidence })];
}
