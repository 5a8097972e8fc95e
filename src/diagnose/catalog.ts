/**
 * One entry per AADSTS code this tool explains: what Entra means, the causes ranked from most
 * to least likely for a GitHub → Entra token exchange, and concrete fixes. The source of truth
 * for the README table (scripts/catalog-table.ts) and the fallback wording of entra-findings.ts.
 * The entries live by family of failure in catalog-match.ts, catalog-assertion.ts,
 * catalog-tenant.ts and catalog-request.ts; each names the builder that turns it into a finding.
 */
import { PLACEHOLDER, type Cause, type CatalogEntry, type CauseContext } from './catalog-base.js';
import { isMaskedOrEmpty } from './catalog-causes.js';
import { MATCH_ENTRIES } from './catalog-match.js';
import { ASSERTION_ENTRIES } from './catalog-assertion.js';
import { TENANT_ENTRIES } from './catalog-tenant.js';
import { REQUEST_ENTRIES } from './catalog-request.js';

export {
  DOCS,
  PLACEHOLDER,
  PERMISSIONS_STEP,
  type BuilderName,
  type CatalogEntry,
  type Cause,
  type CauseContext,
} from './catalog-base.js';

export const CATALOG: readonly CatalogEntry[] = [
  ...MATCH_ENTRIES,
  ...ASSERTION_ENTRIES,
  ...TENANT_ENTRIES,
  ...REQUEST_ENTRIES,
];

const BY_CODE = new Map<number, CatalogEntry>(CATALOG.map((entry) => [entry.code, entry]));

export function catalogEntry(code: number): CatalogEntry | undefined {
  return BY_CODE.get(code);
}

/** The codes this catalog explains, ascending. */
export function catalogCodes(): number[] {
  return [...BY_CODE.keys()].sort((a, b) => a - b);
}

interface RankedCause {
  cause: Cause;
  /** true: shown by the evidence; false: ruled out; undefined: cannot tell. */
  applies: boolean | undefined;
}

/**
 * The entry's causes with the evidence applied: shown first, then unknown, then ruled out; catalog order within
 * each.
 */
export function rankCauses(entry: CatalogEntry, ctx: CauseContext): RankedCause[] {
  const rank = (a: boolean | undefined) => (a === true ? 0 : a === undefined ? 1 : 2);
  return entry.causes
    .map((cause, i) => {
      let applies: boolean | undefined;
      try {
        applies = cause.appliesWhen ? cause.appliesWhen(ctx) : undefined;
      } catch {
        applies = undefined;
      }
      return { cause, applies, i };
    })
    .sort((a, b) => rank(a.applies) - rank(b.applies) || a.i - b.i)
    .map(({ cause, applies }) => ({ cause, applies }));
}

/**
 * Fill the placeholders the caller knows. Values with quotes, backslashes, `$` or newlines are left as
 * placeholders.
 */
export function fillPlaceholders(step: string, values: Partial<Record<keyof typeof PLACEHOLDER, string>>): string {
  let out = step;
  for (const [k, placeholder] of Object.entries(PLACEHOLDER) as [keyof typeof PLACEHOLDER, string][]) {
    const v = values[k];
    // Only values that cannot break the surrounding quotes; others keep the placeholder.
    if (v !== undefined && !isMaskedOrEmpty(v) && !/['"\\`$\n\r]/.test(v)) out = out.split(placeholder).join(v);
  }
  return out;
}
