/**
 * Which federated credentials accept a predicted subject: fully (every run behind it), partly
 * (some runs of a pattern), or maybe (runs the prediction only allows for). Pure.
 *
 * Classic credentials are indexed by subject (one Map lookup per predicted subject); glob
 * predictions and flexible credentials are scanned, linear in predictions x credentials.
 */
import { isFlexible, type FederatedCredential } from '../entra/credential.js';
import {
  evaluateClaimsMatchingExpression,
  parseClaimsMatchingExpression,
  wildcardMatch,
  type Clause,
} from '../entra/flexible-expression.js';
import type { AuditContext } from './audit.js';
import { globCovers, globsIntersect, hasWildcard } from './glob.js';
import type { PredictedSubject } from './predict.js';

export interface SubjectMatch {
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

export interface ClassicEntry {
  credential: FederatedCredential;
  subject: string;
}

interface FlexibleEntry {
  credential: FederatedCredential;
  clauses: Clause[];
}

export interface CredentialIndex {
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

export function buildIndex(credentials: readonly FederatedCredential[], ctx: AuditContext): CredentialIndex {
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

/**
 * Does a flexible credential accept every run behind the prediction? `matches` with the same or a
 * broader glob counts.
 */

function flexibleCovers(clauses: readonly Clause[], claims: Record<string, string>): boolean {
  if (clauses.length === 0) return false;
  const quick = evaluateClaimsMatchingExpression(clauses, claims);
  if (quick.matched) {
    // `evaluate` compares our `*` placeholders literally; re-check `matches` clauses with the exact cover relation.
    return clauses.every((c) => c.operator === 'eq' || globCovers(c.comparand, claims[c.claim] ?? ''));
  }
  return false;
}

export function matchSubject(p: PredictedSubject, index: CredentialIndex): SubjectMatch {
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
