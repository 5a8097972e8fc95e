/**
 * The trust findings as SARIF 2.1.0 for code scanning (github/codeql-action/upload-sarif):
 * one rule per finding id, one result per finding, and a fingerprint from what identifies the
 * credential (tenant, client id, name, issuer, subject or expression), so the same credential
 * keeps the same alert from run to run. Credentials that could not be checked are tool
 * notifications, not results: they are neither alerts nor passes. Pure.
 */
import { createHash } from 'node:crypto';
import type { FindingId, Severity } from '../diagnose/finding.js';
import type { NotChecked, TrustFinding, TrustItem } from './model.js';
import { credentialLabel } from './model.js';

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** The rules: finding id, one-line description, and GitHub's security-severity (CVSS-like 0-10). */
const RULES: ReadonlyArray<{
  id: FindingId;
  name: string;
  text: string;
  severity: Severity;
  securitySeverity: string;
}> = [
  {
    id: 'trust-name-reusable',
    name: 'NameReusable',
    severity: 'error',
    securitySeverity: '9.1',
    text:
      'A name-form subject names an owner or repository that no longer exists or now has other ids: anyone who ' +
      'registers the name can log in.',
  },
  {
    id: 'trust-renamed',
    name: 'Renamed',
    severity: 'error',
    securitySeverity: '8.1',
    text:
      'The repository or owner a subject names was renamed or transferred: the credential still trusts the old ' +
      'name, which someone else can take.',
  },
  {
    id: 'trust-name-form',
    name: 'NameForm',
    severity: 'warning',
    securitySeverity: '4.3',
    text:
      'A name-form subject on a repository that exists: the immutable form (owner and repository ids) removes ' +
      'the risk of a later rename or deletion.',
  },
  {
    id: 'trust-unprotected-environment',
    name: 'UnprotectedEnvironment',
    severity: 'warning',
    securitySeverity: '6.5',
    text: 'An environment subject whose environment has no required reviewers and no deployment branch or tag policy.',
  },
  {
    id: 'trust-pull-request',
    name: 'PullRequest',
    severity: 'warning',
    securitySeverity: '5.4',
    text: 'A pull_request subject: every pull request of the repository can log in.',
  },
  {
    id: 'trust-broad-expression',
    name: 'BroadExpression',
    severity: 'warning',
    securitySeverity: '7.5',
    text: 'A flexible credential whose expression admits any owner, more than one repository, or every branch.',
  },
  {
    id: 'trust-foreign-issuer',
    name: 'ForeignIssuer',
    severity: 'warning',
    securitySeverity: '5.0',
    text: "An issuer that is not GitHub's public issuer or this enterprise's.",
  },
];

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', notice: 'note' };

/** The same value for the same credential and rule on every run. */
export function credentialFingerprint(ruleId: string, item: TrustItem): string {
  const c = item.credential;
  const parts = [
    ruleId,
    item.identity.tenantId ?? '',
    item.identity.clientId,
    c.name,
    c.issuer,
    c.subject ?? c.claimsMatchingExpression?.value ?? '',
  ];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

interface SarifOptions {
  /** Repository-relative file for findings whose credential has no file of its own (read from Azure). */
  defaultUri: string;
  toolVersion?: string;
}

function location(item: TrustItem, defaultUri: string) {
  const uri = (item.location?.file ?? defaultUri).replace(/\\/g, '/').replace(/^\.\//, '');
  const line = item.location?.line ?? 1;
  const id = item.identity;
  return {
    physicalLocation: { artifactLocation: { uri }, region: { startLine: line } },
    logicalLocations: [
      {
        name: item.credential.name,
        fullyQualifiedName: [
          id.tenantId ?? 'tenant',
          id.clientId || 'client',
          'federatedIdentityCredentials',
          item.credential.name,
        ].join('/'),
        kind: 'resource',
      },
    ],
  };
}

export function toSarif(
  findings: readonly TrustFinding[],
  notChecked: readonly NotChecked[],
  options: SarifOptions,
): object {
  const index = new Map(RULES.map((r, i) => [r.id as string, i]));
  const results = findings
    .filter((f) => index.has(f.id))
    .map((f) => ({
      ruleId: f.id,
      ruleIndex: index.get(f.id)!,
      level: LEVEL[f.severity],
      message: { text: `${f.title}.\n\n${f.message}\n\nFix:\n${f.fix}` },
      locations: [location(f.item, options.defaultUri)],
      partialFingerprints: { 'credentialFingerprint/v1': credentialFingerprint(f.id, f.item) },
      properties: {
        clientId: f.item.identity.clientId,
        credential: f.item.credential.name,
        ...(f.item.identity.tenantId ? { tenantId: f.item.identity.tenantId } : {}),
      },
    }));
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'azure-federation-check',
            ...(options.toolVersion ? { semanticVersion: options.toolVersion } : {}),
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.text },
              fullDescription: { text: r.text },
              help: { text: `${r.text} See README "Trust audit" for the finding id ${r.id}.` },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: ['security', 'azure', 'oidc'],
                'security-severity': r.securitySeverity,
                precision: 'high',
              },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: notChecked.slice(0, 1000).map((n) => ({
              level: 'warning',
              message: { text: `${credentialLabel(n.item)} was not checked: ${n.reason}` },
              descriptor: { id: 'trust-not-checked' },
            })),
          },
        ],
        results,
      },
    ],
  };
}
