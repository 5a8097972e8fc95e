/**
 * Checks of a syntactically valid claimsMatchingExpression against what Entra accepts for the
 * issuer (claims and operators: errors), and what is likely a mistake (warnings).
 */

import { fail } from './expression-errors.js';
import type { IssuerProfile } from './expression-issuers.js';
import { type Clause, LOOKUP_OPEN } from './expression-scanner.js';

function operatorPosition(c: Clause): number {
  return c.start + LOOKUP_OPEN.length + c.claim.length + 3; // "']" and the space
}

/** Fail on the first clause whose claim or operator Entra does not accept for the issuer. */
export function checkClaims(clauses: readonly Clause[], profile: IssuerProfile): void {
  for (const c of clauses) {
    const ops = profile.claims.get(c.claim);
    const namePos = c.start + LOOKUP_OPEN.length;
    if (!ops) {
      const list = [...profile.claims.keys()].join(', ');
      const why =
        profile.kind === 'unknown'
          ? `${profile.label} is not one Microsoft documents for flexible credentials` +
            " (GitHub Actions, GitLab, Terraform Cloud), so only 'sub' is accepted"
          : `${profile.label} supports only: ${list}`;
      fail(
        'EXPR_UNSUPPORTED_CLAIM',
        namePos,
        `Claim '${c.claim}' at position ${namePos} can't be used in a flexible credential: ${why}.`,
      );
    }
    if (!ops.includes(c.operator)) {
      const pos = operatorPosition(c);
      const who = profile.kind === 'any' ? 'Entra' : profile.label;
      const eqOnly =
        ops.length === 1 && ops[0] === 'eq'
          ? ` (write claims['${c.claim}'] eq '<exact value>'; wildcards are not available for this claim)`
          : '';
      fail(
        'EXPR_OPERATOR_NOT_ALLOWED',
        pos,
        `Operator '${c.operator}' at position ${pos} isn't allowed for claim '${c.claim}':` +
          ` ${who} only accepts ${ops.join(' or ')} for it${eqOnly}.`,
      );
    }
  }
}

// `@<digits>` right after an owner or repository name, as in GitHub's immutable subjects
// (`repo:owner@123/repo@456:...`), ending at a separator, a wildcard or the end.
const IMMUTABLE_ID_SHAPE = /@\d+(?=[/:*?]|$)/;

export function collectWarnings(
  clauses: readonly Clause[],
  profile: IssuerProfile,
  issuer: string | undefined,
): string[] {
  const warnings: string[] = [];
  if (profile.kind === 'unknown') {
    warnings.push(
      `Issuer '${issuer}' is not one Microsoft documents for flexible federated identity credentials` +
        " (GitHub Actions, GitLab, Terraform Cloud): only claims['sub'] was accepted," +
        ' and Entra may refuse expression matching for this issuer altogether (AADSTS7002241, unconfirmed).',
    );
  }
  const seen = new Set<string>();
  for (const c of clauses) {
    if (seen.has(c.claim)) {
      warnings.push(
        `claims['${c.claim}'] is tested more than once (again at position ${c.start}).` +
          " Microsoft describes 'and' as combining expressions against multiple claims;" +
          ' Entra may reject repeated claims, and all of them must hold at once.',
      );
    }
    seen.add(c.claim);
    warnings.push(...clauseWarnings(c, profile));
  }
  if (profile.requiredOneOf.length > 0) warnings.push(...missingClaimWarnings(profile, seen));
  return warnings;
}

function clauseWarnings(c: Clause, profile: IssuerProfile): string[] {
  const warnings: string[] = [];
  const where = `${c.text} (position ${c.start})`;
  if (c.operator === 'eq' && /[*?]/.test(c.comparand)) {
    warnings.push(
      `${where} uses eq with '*' or '?' in the comparand; eq compares literally, so these are not wildcards.` +
        ' Use matches if wildcards are meant.',
    );
  }
  if (c.comparand === '') {
    warnings.push(
      `${where} has an empty comparand; it can only match an empty claim value, so no real token will match it.`,
    );
  } else if (c.comparand.trim() !== c.comparand) {
    warnings.push(
      `${where}: the comparand starts or ends with whitespace, which is compared literally` +
        ' (case- and space-sensitive) and is almost certainly a typo.',
    );
  }
  if (c.claim === 'sub' && (profile.kind === 'github' || profile.kind === 'any')) {
    const m = IMMUTABLE_ID_SHAPE.exec(c.comparand);
    if (m) {
      warnings.push(
        `${where}: the comparand contains the GitHub immutable-ID shape '${m[0]}'.` +
          " A third-party report (unconfirmed) says Entra's flexible-expression validator rejects '@<id>' shapes" +
          " (InvalidFederatedIdentityCredentialValue), although Microsoft's immutable-subject guide shows such" +
          ' an expression. If Entra refuses the credential, use a standard credential with the exact subject,' +
          " or match claims['repository_id'] / claims['repository_owner_id'] with eq instead.",
      );
    }
  }
  return warnings;
}

/** Microsoft requires `sub` and one of the immutable ID claims in GitHub and GitLab expressions. */
function missingClaimWarnings(profile: IssuerProfile, seen: ReadonlySet<string>): string[] {
  const warnings: string[] = [];
  const family = profile.kind === 'github' ? 'GitHub' : 'GitLab';
  if (!seen.has('sub')) {
    warnings.push(
      "The expression does not test claims['sub'];" +
        ` Microsoft's documentation says ${family} flexible credentials must match the sub claim.`,
    );
  }
  if (!profile.requiredOneOf.some((c) => seen.has(c))) {
    const names = profile.requiredOneOf.map((c) => `claims['${c}']`).join(', ');
    warnings.push(
      `The expression tests none of the immutable ID claims ${names}.` +
        ` Microsoft's current documentation says a ${family} flexible credential must match sub and at least` +
        ' one of them (with eq), to resist repository or project renames and re-use;' +
        ' Entra may refuse to create or update such a credential.',
    );
  }
  return warnings;
}
