/**
 * The trust audit: for every credential, the findings that need no GitHub answer, then the ones
 * GitHub's answers give. Without lookups (no token) every GitHub check is reported as not done.
 */
import { sortFindings, type Finding } from '../diagnose/finding.js';
import { checkWithGitHub, collectTwins } from './github-checks.js';
import { isGitHubIssuer, staticFindings, type StaticContext } from './static-checks.js';
import { credentialLabel, type GitHubLookups, type NotChecked, type TrustFinding, type TrustItem } from './model.js';

export interface TrustAuditResult {
  findings: TrustFinding[];
  notChecked: NotChecked[];
  credentials: number;
  identities: number;
}

export async function auditTrust(
  items: readonly TrustItem[],
  lookups: GitHubLookups | undefined,
  ctx: StaticContext,
): Promise<TrustAuditResult> {
  const twins = collectTwins(items);
  const results = await Promise.all(
    items.map(async (item) => {
      const own = staticFindings(item, ctx);
      if (!isGitHubIssuer(item.credential.issuer, ctx) || !item.credential.subject) return { findings: own };
      if (!lookups)
        return {
          findings: own,
          notChecked: { item, reason: 'no GitHub token was given, so GitHub was not asked about its repository' },
        };
      const checked = await checkWithGitHub(item, lookups, twins);
      return {
        findings: [...own, ...checked.findings],
        ...(checked.notChecked ? { notChecked: checked.notChecked } : {}),
      };
    }),
  );
  const findings = results.flatMap((r) => r.findings);
  return {
    findings: sortFindings(findings) as TrustFinding[],
    notChecked: results.flatMap((r) => (r.notChecked ? [r.notChecked] : [])),
    credentials: items.length,
    identities: new Set(items.map((i) => `${i.identity.tenantId ?? ''}/${i.identity.clientId}`)).size,
  };
}

/** The credentials not checked, as one notice: said, never counted as safe. */
export function notCheckedFinding(notChecked: readonly NotChecked[]): Finding | undefined {
  if (!notChecked.length) return undefined;
  const lines = notChecked.slice(0, 50).map((n) => `- ${credentialLabel(n.item)}: ${n.reason}`);
  if (notChecked.length > 50)
    lines.push(`- … and ${notChecked.length - 50} more (see the 'findings' output and the job summary)`);
  return {
    id: 'trust-not-checked',
    severity: 'notice',
    title: `${notChecked.length} credential(s) could not be checked against GitHub; they are not counted as safe`,
    message: lines.join('\n'),
    fix:
      "Give 'github-token' a token that can read the repositories these credentials name (a fine-grained token " +
      "with 'metadata: read', or 'actions: read' for environments), and run again after the rate limit resets.",
  };
}
