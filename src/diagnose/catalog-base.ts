/**
 * The catalog's types and shared text (docs, placeholders, command snippets). The entries live in
 * catalog-*.ts by family of failure; catalog.ts assembles them.
 *
 * One entry per AADSTS code this tool explains: what Entra means, the causes ranked from most
 * to least likely for a GitHub → Entra token exchange, and concrete fixes. The texts here are
 * the source of truth for the README table (scripts/catalog-table.ts) and the fallback wording
 * of entra-findings.ts. Sources: docs/entra-matching.md §2–§6, docs/aadsts-texts.md and Microsoft's
 * error code reference. `name` is Entra's internal name where Microsoft publishes it, else ''.
 *
 * Fix steps may contain placeholders that entra-findings.ts fills in when it knows the value:
 * <APPLICATION-CLIENT-ID>, <TENANT-ID>, <PRESENTED-SUBJECT>, <PRESENTED-ISSUER>, <PRESENTED-AUDIENCE>.
 */
import type { DiagnosisContext } from './context.js';
import type { FindingId, Severity } from './finding.js';
import type { AadstsDetails, PresentedValues } from './aadsts-text.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import { azAppUpdateCommand, CLIENT_ID_PLACEHOLDER, type CredentialPatch } from './fix-commands.js';
import { PERMISSIONS_ONE_LINE } from './run-findings.js';

/** What a cause predicate may look at: the diagnosis context plus what Entra's message quoted. */
export interface CauseContext extends DiagnosisContext {
  presented: PresentedValues;
  details: AadstsDetails;
}

export interface Cause {
  id: string;
  text: string;
  /** true: the evidence shows this cause; false: the evidence rules it out; undefined: cannot tell. */
  appliesWhen?: (ctx: CauseContext) => boolean | undefined;
}

/** The finding builders (entra-findings.ts BUILDERS), by family of failure. */
export type BuilderName =
  | 'assertion-expired'
  | 'assertion-invalid'
  | 'audience'
  | 'catalog'
  | 'client-disabled'
  | 'client-not-found'
  | 'cloud'
  | 'issuer'
  | 'issuer-unreachable'
  | 'no-credentials'
  | 'no-match'
  | 'not-federation'
  | 'request-invalid'
  | 'signing-key'
  | 'subject'
  | 'tenant'
  | 'tenant-policy';

type Retry = 'never' | 'transient' | 'propagation';

export interface CatalogEntry {
  code: number;
  /** Entra's internal name (e.g. UnauthorizedClient_DoesNotMatchRequest) when Microsoft publishes it, else ''. */
  name: string;
  findingId: FindingId;
  /** The function in entra-findings.ts that turns this entry and the evidence into findings. */
  builder: BuilderName;
  severity: Severity;
  /** One line, no trailing period. */
  title: string;
  /** What Entra means by this code, for this flow. */
  meaning: string;
  /** Ranked: most likely first. */
  causes: Cause[];
  /** Concrete steps: az command, workflow YAML, portal path. The first is the README's "First fix". */
  fix: string[];
  docs: string;
  /** Whether retrying can help: never; transient (Entra or the network); propagation (wait for a change to spread). */
  retry?: Retry;
  /** Codes Entra has used for the same condition (older or newer sub-codes). */
  related?: number[];
}

export const PLACEHOLDER = {
  clientId: CLIENT_ID_PLACEHOLDER,
  tenant: '<TENANT-ID>',
  subject: '<PRESENTED-SUBJECT>',
  issuer: '<PRESENTED-ISSUER>',
  audience: '<PRESENTED-AUDIENCE>',
} as const;

export const DOCS = {
  createTrust: 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust',
  considerations: 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations',
  caseSensitive: 'https://learn.microsoft.com/entra/identity-platform/reference-breaking-changes#august-2024',
  flexible: 'https://learn.microsoft.com/entra/workload-id/workload-identities-flexible-federated-identity-credentials',
  githubOidc: 'https://docs.github.com/en/actions/reference/security/oidc',
  conditionalAccess: 'https://learn.microsoft.com/entra/identity/conditional-access/workload-identity',
  nationalClouds: 'https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud',
  clientCredentials: 'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow',
  certificateCredentials: 'https://learn.microsoft.com/entra/identity-platform/certificate-credentials',
  azureLoginOidc: 'https://github.com/Azure/login#login-with-openid-connect-oidc-recommended',
  managedIdentityAsFic:
    'https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity',
  errorLookup: (code: number) => `https://login.microsoftonline.com/error?code=${code}`,
} as const;

export const C = PLACEHOLDER.clientId;

export const LIST_CREDENTIALS =
  `\`az ad app federated-credential list --id ${C} --query "[].{name:name, issuer:issuer, ` +
  `subject:subject, audience:audiences[0]}" -o table\``;
export const LIST_CREDENTIALS_UAMI =
  '`az identity federated-credential list --identity-name <IDENTITY-NAME> --resource-group <RESOURCE-GROUP> -o table`';
export const createFor = (subject: string, issuer = GITHUB_COM_ISSUER, audience = 'api://AzureADTokenExchange') =>
  `\`az ad app federated-credential create --id ${C} --parameters ` +
  `'${JSON.stringify({ name: 'github-actions', issuer, subject, audiences: [audience] })}'\``;
export const PERMISSIONS_STEP = `In the workflow: ${PERMISSIONS_ONE_LINE}.`;
export const OIDC_LOGIN_YAML =
  'Use OIDC in the login step: `uses: azure/login@v2` with `client-id: ${{ vars.AZURE_CLIENT_ID }}`, ' +
  '`tenant-id: ${{ vars.AZURE_TENANT_ID }}`, `subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}` and no ' +
  '`creds:`; and `permissions: { id-token: write }` on the job.';

export function e(entry: CatalogEntry): CatalogEntry {
  return entry;
}

/** The update command (fix-commands.ts owns its shape) for a credential the reader names. */
export const updateFor = (patch: CredentialPatch) => azAppUpdateCommand(C, '<CREDENTIAL-NAME>', patch);
