/**
 * One entry per AADSTS code this tool explains: what Entra means, the causes ranked from most
 * to least likely for a GitHub → Entra token exchange, and concrete fixes. The texts here are
 * the source of truth for the README table (scripts/catalog-table.ts) and the fallback wording
 * of entra-findings.ts. Sources: docs/entra-matching.md §2–§6, docs/aadsts-texts.md §4 and §7, and Microsoft's
 * error code reference. `name` is Entra's internal name where Microsoft publishes it, else ''.
 *
 * Fix steps may contain placeholders that entra-findings.ts fills in when it knows the value:
 * <APPLICATION-CLIENT-ID>, <TENANT-ID>, <PRESENTED-SUBJECT>, <PRESENTED-ISSUER>, <PRESENTED-AUDIENCE>.
 */
import type { DiagnosisContext } from './context.js';
import type { FindingId, Severity } from './finding.js';
import type { AadstsDetails, PresentedValues } from './aadsts-text.js';
import { audiences } from '../github/claims.js';
import { parseSubject } from '../github/subject.js';
import { cloudOfAudience } from '../entra/clouds.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import { CLIENT_ID_PLACEHOLDER } from './fix-commands.js';

/** What a cause predicate may look at: the diagnosis context plus what Entra's message quoted. */
export interface CauseContext extends DiagnosisContext {
  presented: PresentedValues;
  details: AadstsDetails;
}

interface Cause {
  id: string;
  text: string;
  /** true: the evidence shows this cause; false: the evidence rules it out; undefined: cannot tell. */
  appliesWhen?: (ctx: CauseContext) => boolean | undefined;
}

type Retry = 'never' | 'transient' | 'propagation';

export interface CatalogEntry {
  code: number;
  /** Entra's internal name (e.g. UnauthorizedClient_DoesNotMatchRequest) when Microsoft publishes it, else ''. */
  name: string;
  findingId: FindingId;
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

const PLACEHOLDER = {
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
  managedIdentityAsFic: 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity',
  errorLookup: (code: number) => `https://login.microsoftonline.com/error?code=${code}`,
} as const;

const C = PLACEHOLDER.clientId;

// ---- predicates over the evidence -------------------------------------------------------------

const subjectOf = (c: CauseContext): string | undefined => c.presented.subject ?? c.claims?.sub;
const issuerOf = (c: CauseContext): string | undefined => c.presented.issuer ?? c.claims?.iss;
const audienceOf = (c: CauseContext): string | undefined => c.presented.audience ?? (c.claims ? audiences(c.claims)[0] : undefined);
const classic = (c: CauseContext) => (c.credentials ?? []).filter((x) => typeof x.subject === 'string');

/** A predicate that is undefined when the value it needs is unknown. */
function whenKnown<T>(get: (c: CauseContext) => T | undefined, test: (v: T, c: CauseContext) => boolean | undefined) {
  return (c: CauseContext): boolean | undefined => {
    const v = get(c);
    return v === undefined ? undefined : test(v, c);
  };
}

/** Over the credentials when they are known; undefined otherwise. */
function credentialsShow(test: (c: CauseContext) => boolean) {
  return (c: CauseContext): boolean | undefined => (c.credentials && c.credentials.length > 0 ? test(c) : undefined);
}

const contextKind = (c: CauseContext) => {
  const s = subjectOf(c);
  return s === undefined ? undefined : parseSubject(s).contextKind;
};

const isGitHubIssuer = (iss: string) => iss === GITHUB_COM_ISSUER || iss.startsWith(`${GITHUB_COM_ISSUER}/`) || /\/_services\/token\/?$/.test(iss);
const isEntraIssuer = (iss: string) => /^https:\/\/(?:login\.microsoftonline\.(?:com|us)|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn|sts\.windows\.net|login\.windows\.net|login\.microsoft\.com)\//i.test(iss);
const isMaskedOrEmpty = (v: string | undefined) => v === undefined || v.trim() === '' || v.includes('***');

// ---- causes shared by several codes -----------------------------------------------------------

const causeEnvironmentVsBranch: Cause = {
  id: 'environment-vs-branch',
  text: 'Environment and branch are mixed up: a job that declares `environment:` sends `repo:OWNER/REPO:environment:NAME` and never its branch, and a job without one never sends an environment subject; a credential written for the other form does not match.',
  appliesWhen: (c) => {
    const kind = contextKind(c);
    if (kind === undefined) return undefined;
    if (kind === 'environment') return true;
    // The reverse: the credential expects an environment the job does not declare.
    return credentialsShow((x) => classic(x).some((k) => parseSubject(k.subject!).contextKind === 'environment'))(c);
  },
};

const causePullRequest: Cause = {
  id: 'pull-request',
  text: 'Runs triggered by `pull_request` send `repo:OWNER/REPO:pull_request` (underscore, no branch); a credential with `pull-request` (hyphen, from old Microsoft docs) or with the PR branch never matches.',
  appliesWhen: (c) => {
    const kind = contextKind(c);
    if (kind === undefined) return undefined;
    return kind === 'pull_request';
  },
};

const causeImmutable: Cause = {
  id: 'immutable-vs-name',
  text: 'One side uses GitHub\'s immutable subject `repo:OWNER@OWNER_ID/REPO@REPO_ID:…` (new, renamed or transferred repositories since July 15, 2026, and subjects the Entra portal now proposes) and the other the name form `repo:OWNER/REPO:…`.',
  appliesWhen: (c) => {
    const s = subjectOf(c);
    if (s === undefined) return undefined;
    const form = parseSubject(s).form;
    if (form === 'custom') return false;
    const creds = classic(c);
    if (creds.length > 0) return creds.some((k) => parseSubject(k.subject!).form !== 'custom' && parseSubject(k.subject!).form !== form);
    return form === 'immutable' ? true : undefined;
  },
};

const causeCustomTemplate: Cause = {
  id: 'custom-template',
  text: 'The repository or organisation customised the subject template (the subject does not start with `repo:`), so GitHub sends the listed claims instead of the default subject.',
  appliesWhen: whenKnown(subjectOf, (s) => parseSubject(s).form === 'custom'),
};

const causeOtherRef: Cause = {
  id: 'other-ref',
  text: 'The run is on another branch or tag than the credential names (feature branch, tag build, merge queue `refs/heads/gh-readonly-queue/…`); classic credentials have no wildcards.',
  appliesWhen: (c) => {
    const kind = contextKind(c);
    if (kind === undefined) return undefined;
    if (kind !== 'branch' && kind !== 'tag' && kind !== 'ref') return false;
    const s = subjectOf(c)!;
    const repo = parseSubject(s).repository?.toLowerCase();
    if (s.includes(':ref:refs/heads/gh-readonly-queue/')) return true;
    return credentialsShow((x) =>
      classic(x).some((k) => {
        const p = parseSubject(k.subject!);
        return p.repository?.toLowerCase() === repo && (p.contextKind === 'branch' || p.contextKind === 'tag') && k.subject !== s;
      }),
    )(c);
  },
};

const causeReusable: Cause = {
  id: 'reusable-workflow',
  text: 'The job runs a reusable workflow: the subject carries the caller\'s repository and trigger, not the reusable workflow\'s; only `job_workflow_ref` names the called file.',
  appliesWhen: (c) => {
    const jwr = c.claims?.job_workflow_ref;
    const wr = c.claims?.workflow_ref;
    if (!jwr || !wr) return undefined;
    return jwr.split('@')[0] !== wr.split('@')[0];
  },
};

const causeWrongApp: Cause = {
  id: 'wrong-identity',
  text: 'The credential exists, but on another app registration or managed identity than the client id the workflow sends (`client-id` points at a different identity).',
};

const causePropagation: Cause = {
  id: 'propagation',
  text: 'The credential was created or changed in the last few minutes and Entra\'s cache still has the old data; this clears by itself (retry after 1–5 minutes; if it persists against a byte-identical credential, delete and recreate it).',
  appliesWhen: credentialsShow((c) => {
    const s = subjectOf(c);
    const i = issuerOf(c);
    const a = audienceOf(c);
    return classic(c).some((k) => k.subject === s && (i === undefined || k.issuer === i) && (a === undefined || k.audiences[0] === a));
  }),
};

const causeTrailingSlash: Cause = {
  id: 'issuer-trailing-slash',
  text: 'The credential\'s issuer has a trailing slash (`https://token.actions.githubusercontent.com/`); GitHub\'s issuer has none and Entra compares issuers byte for byte.',
  appliesWhen: (c) => {
    const iss = issuerOf(c);
    if (iss === undefined) return undefined;
    if (c.credentials?.length) return c.credentials.some((k) => k.issuer === `${iss}/` || `${k.issuer}/` === iss);
    return iss === GITHUB_COM_ISSUER ? undefined : iss === `${GITHUB_COM_ISSUER}/`;
  },
};

const causeEnterpriseIssuer: Cause = {
  id: 'enterprise-issuer',
  text: 'The enterprise enabled GitHub\'s enterprise-specific issuer (`https://token.actions.githubusercontent.com/<enterprise-slug>`, include_enterprise_slug), so the token\'s issuer has the slug and the credential must too (or the reverse).',
  appliesWhen: whenKnown(issuerOf, (iss, c) =>
    iss.startsWith(`${GITHUB_COM_ISSUER}/`) && iss.length > GITHUB_COM_ISSUER.length + 1
      ? true
      : c.credentials?.length
        ? c.credentials.some((k) => k.issuer.startsWith(`${GITHUB_COM_ISSUER}/`) && k.issuer.length > GITHUB_COM_ISSUER.length + 1)
        : undefined,
  ),
};

const causeGhes: Cause = {
  id: 'ghes-issuer',
  text: 'The token comes from GitHub Enterprise Server, whose issuer is `https://HOSTNAME/_services/token`; the credential must name that issuer, and Entra must reach it from the internet.',
  appliesWhen: whenKnown(issuerOf, (iss) => /\/_services\/token\/?$/.test(iss)),
};

const causeNotGitHubToken: Cause = {
  id: 'not-a-github-token',
  text: 'The assertion is not a GitHub OIDC token: an Entra access token or a managed-identity token was passed (e.g. to `az login --federated-token`).',
  appliesWhen: whenKnown(issuerOf, (iss) => (isEntraIssuer(iss) ? true : isGitHubIssuer(iss) ? false : undefined)),
};

const causeSovereignAudience: Cause = {
  id: 'sovereign-audience',
  text: 'The tenant is in a national cloud: US Government credentials expect `api://AzureADTokenExchangeUSGov`, China `api://AzureADTokenExchangeChina`, but the workflow requested the public `api://AzureADTokenExchange` (or the reverse).',
  appliesWhen: (c) => {
    const aud = audienceOf(c);
    if (aud === undefined) return undefined;
    const tokenCloud = cloudOfAudience(aud);
    if (c.credentials?.length) return c.credentials.some((k) => {
      const kc = cloudOfAudience(k.audiences[0] ?? '');
      return !!kc && !!tokenCloud && kc !== tokenCloud;
    });
    if (c.cloud && tokenCloud) return c.cloud.name !== tokenCloud.name;
    return undefined;
  },
};

const causeDefaultGitHubAudience: Cause = {
  id: 'github-default-audience',
  text: 'The token was requested without an audience, so GitHub set `aud` to the owner\'s URL (`https://github.com/OWNER`); the login step must request `api://AzureADTokenExchange`.',
  appliesWhen: whenKnown(audienceOf, (aud) => /^https:\/\/github\.com\//i.test(aud) || /^https:\/\/[^/]+\/[^/]+$/.test(aud) && !cloudOfAudience(aud)),
};

const causeCustomAudience: Cause = {
  id: 'custom-audience',
  text: 'The credential or the workflow uses a custom audience; the token\'s `aud` and the credential\'s single audience must be the same string.',
  appliesWhen: (c) => {
    const aud = audienceOf(c);
    if (aud === undefined) return undefined;
    const githubDefault = /^https:\/\/github\.com\//i.test(aud);
    if (c.credentials?.length) return c.credentials.some((k) => !cloudOfAudience(k.audiences[0] ?? '')) || (!cloudOfAudience(aud) && !githubDefault);
    return !cloudOfAudience(aud) && !githubDefault ? true : undefined;
  },
};

const causeAdminOnly: Cause = {
  id: 'tenant-admin-policy',
  text: 'A tenant-wide policy decides this; nothing in the federated credential or the workflow can change it. Only a tenant administrator can.',
  appliesWhen: () => true,
};

const causeSecretPath: Cause = {
  id: 'client-secret-path',
  text: 'The login used a client secret, not OIDC: azure/login takes the secret path when `creds` (JSON with `clientSecret`) is set and `client-id`/`tenant-id` are not; other tools take it when `AZURE_CLIENT_SECRET` or `--password` is set.',
  appliesWhen: () => true,
};

const causeSelfSigned: Cause = {
  id: 'self-signed-assertion',
  text: 'Entra validated the assertion as a self-signed client assertion (certificate credential: `iss` = `sub` = client id, `aud` = the token endpoint), not as a federated one. That happens when a tool signs its own JWT with a certificate, or when the client id does not belong to the identity that has the federated credential.',
  appliesWhen: whenKnown(issuerOf, (iss) => (isGitHubIssuer(iss) ? undefined : true)),
};

const causeMissingIdTokenPermission: Cause = {
  id: 'no-id-token-permission',
  text: 'The job had no `permissions: id-token: write`, so no OIDC token was fetched and an empty or placeholder value was sent (older azure/login versions went on to call Entra anyway).',
  appliesWhen: (c) => (c.claims ? false : undefined),
};

// ---- the entries ------------------------------------------------------------------------------

const LIST_CREDENTIALS = `\`az ad app federated-credential list --id ${C} --query "[].{name:name, issuer:issuer, subject:subject, audience:audiences[0]}" -o table\``;
const LIST_CREDENTIALS_UAMI = '`az identity federated-credential list --identity-name <IDENTITY-NAME> --resource-group <RESOURCE-GROUP> -o table`';
const createFor = (subject: string, issuer = GITHUB_COM_ISSUER, audience = 'api://AzureADTokenExchange') =>
  `\`az ad app federated-credential create --id ${C} --parameters '${JSON.stringify({ name: 'github-actions', issuer, subject, audiences: [audience] })}'\``;
export const PERMISSIONS_YAML = 'In the workflow: `permissions: { id-token: write, contents: read }` at workflow or job level (a reusable workflow\'s caller must grant it too).';
const OIDC_LOGIN_YAML =
  'Use OIDC in the login step: `uses: azure/login@v2` with `client-id: ${{ vars.AZURE_CLIENT_ID }}`, `tenant-id: ${{ vars.AZURE_TENANT_ID }}`, `subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}` and no `creds:`; and `permissions: { id-token: write }` on the job.';

function e(entry: CatalogEntry): CatalogEntry {
  return entry;
}

export const CATALOG: readonly CatalogEntry[] = [
  // ---- federated credential matching -----------------------------------------------------------
  e({
    code: 70021,
    name: '',
    findingId: 'credential-not-found',
    severity: 'error',
    title: 'No federated credential matches the presented token',
    meaning:
      'Entra found no federated identity credential on this app or managed identity whose issuer, subject and audience all equal the token\'s (exact, case-sensitive). Older wording of 700211/700212/700213; still returned while a new credential propagates.',
    causes: [causeEnvironmentVsBranch, causePullRequest, causeTrailingSlash, causeImmutable, causeSovereignAudience, causePropagation, causeOtherRef, causeWrongApp],
    fix: [
      `Compare the issuer, subject and audience Entra quotes with the credentials: ${LIST_CREDENTIALS}`,
      `Add a credential with exactly the presented values: ${createFor(PLACEHOLDER.subject)}`,
      'If a credential with exactly these values was created or edited in the last minutes, wait 1–5 minutes and re-run the job; if it keeps failing, delete and recreate it.',
    ],
    docs: DOCS.considerations,
    retry: 'propagation',
    related: [700211, 700212, 700213],
  }),
  e({
    code: 70025,
    name: '',
    findingId: 'credential-not-found',
    severity: 'error',
    title: 'The app or managed identity has no federated credentials at all',
    meaning:
      'The client id names an app registration or user-assigned managed identity that has zero federated identity credentials, so no token can match.',
    causes: [
      { id: 'wrong-client-id', text: 'The `client-id` is another identity\'s (the app used with a client secret, the managed identity instead of the app, or the reverse): the credentials were added elsewhere.' },
      { id: 'just-created', text: 'The first credential was added moments ago; Entra reports 70025 for a few minutes after creation (wait 1–5 minutes).' },
      { id: 'deleted', text: 'The credentials were deleted (clean-up script, Terraform drift, someone recreated the app).' },
    ],
    fix: [
      `See which credentials this client id has: ${LIST_CREDENTIALS} (for a managed identity: ${LIST_CREDENTIALS_UAMI})`,
      `Find whose client id it is: \`az ad app show --id ${C} --query "{name:displayName, appId:appId}"\` or \`az identity list --query "[?clientId=='${C}'].{name:name, resourceGroup:resourceGroup}"\``,
      `Add the credential the job needs: ${createFor(PLACEHOLDER.subject)}`,
    ],
    docs: DOCS.createTrust,
    retry: 'propagation',
  }),
  e({
    code: 700211,
    name: '',
    findingId: 'issuer-mismatch',
    severity: 'error',
    title: 'No federated credential has the token\'s issuer',
    meaning: 'No federated identity credential on this app or managed identity names the issuer (`iss`) of the presented token, compared byte for byte.',
    causes: [causeTrailingSlash, causeEnterpriseIssuer, causeGhes, causeNotGitHubToken, causeWrongApp],
    fix: [
      `Set the credential's issuer to the token's exactly (GitHub: \`${GITHUB_COM_ISSUER}\`, no trailing slash): \`az ad app federated-credential update --id ${C} --federated-credential-id <CREDENTIAL-NAME> --parameters '{"issuer":"${PLACEHOLDER.issuer}"}'\``,
      `List the issuers the credentials name: \`az ad app federated-credential list --id ${C} --query "[].{name:name, issuer:issuer}" -o table\``,
    ],
    docs: DOCS.createTrust,
    retry: 'never',
  }),
  e({
    code: 700212,
    name: '',
    findingId: 'audience-mismatch',
    severity: 'error',
    title: 'No federated credential has the token\'s audience',
    meaning: 'Issuer and subject match a credential, but its single audience differs from the token\'s `aud`.',
    causes: [causeSovereignAudience, causeDefaultGitHubAudience, causeCustomAudience],
    fix: [
      'Request the credential\'s audience in the login step: `with: { audience: api://AzureADTokenExchange }` (US Government `api://AzureADTokenExchangeUSGov`, China `api://AzureADTokenExchangeChina`)',
      `Or set the credential's audience to the token's: \`az ad app federated-credential update --id ${C} --federated-credential-id <CREDENTIAL-NAME> --parameters '{"audiences":["${PLACEHOLDER.audience}"]}'\``,
    ],
    docs: DOCS.createTrust,
    retry: 'never',
  }),
  e({
    code: 700213,
    name: 'NoMatchingFederatedIdentityRecordFoundForSubject',
    findingId: 'subject-mismatch',
    severity: 'error',
    title: 'No federated credential has the token\'s subject',
    meaning: 'A credential names the token\'s issuer, but none has exactly the subject (`sub`) GitHub sent. Matching is exact and case-sensitive; classic credentials have no wildcards.',
    causes: [causeEnvironmentVsBranch, causePullRequest, causeImmutable, causeCustomTemplate, causeOtherRef, causeReusable, causeWrongApp, causePropagation],
    fix: [
      `Add a credential for the subject Entra quotes: ${createFor(PLACEHOLDER.subject)}`,
      'Or change the workflow so GitHub sends the credential\'s subject (`environment:` on the job for `…:environment:NAME`, run on the credential\'s branch or tag for `…:ref:refs/…`).',
      `For many branches or pull requests, use a flexible credential: \`claims['sub'] matches 'repo:OWNER/REPO:ref:refs/heads/*' and claims['repository_id'] eq '<REPOSITORY-ID>'\` (Graph beta; see ${DOCS.flexible}).`,
    ],
    docs: DOCS.createTrust,
    retry: 'never',
    related: [7002138, 7002131],
  }),
  e({
    code: 7002138,
    name: '',
    findingId: 'subject-case-mismatch',
    severity: 'error',
    title: 'A federated credential\'s subject differs from the token\'s only in letter case',
    meaning:
      'Entra found a credential whose subject equals the token\'s when case is ignored. Since the August 2024 change Entra compares case-sensitively, so it does not match.',
    causes: [
      { id: 'environment-case', text: 'The GitHub environment is spelled differently (`Production` vs `production`); GitHub writes the name exactly as it is defined in the repository settings.' },
      { id: 'owner-repo-case', text: 'The owner or repository name is spelled with other capitals than on GitHub (`Octo-Org/App` vs `octo-org/app`), or the repository was renamed.' },
      { id: 'branch-case', text: 'The branch or tag name differs in case (`Main` vs `main`).' },
      { ...causePropagation, text: 'The credential was just corrected and Entra still has the old spelling cached (retry after a few minutes; if it persists against a byte-identical subject, delete and recreate the credential).' },
    ],
    fix: [
      `Set the credential's subject to the token's exact spelling: \`az ad app federated-credential update --id ${C} --federated-credential-id <CREDENTIAL-NAME> --parameters '{"subject":"${PLACEHOLDER.subject}"}'\``,
      'Or rename the GitHub environment (Settings → Environments) to the credential\'s spelling.',
    ],
    docs: DOCS.caseSensitive,
    retry: 'never',
    related: [700213],
  }),
  e({
    code: 7002131,
    name: '',
    findingId: 'subject-mismatch',
    severity: 'error',
    title: 'No credential subject or flexible expression matches the token',
    meaning:
      'The app has flexible federated credentials (claimsMatchingExpression); neither a classic credential\'s subject nor any expression matched the token.',
    causes: [
      { id: 'expression-too-narrow', text: 'The expression does not cover this run: another branch pattern, a `job_workflow_ref` clause for another workflow file or ref, or a merge-queue ref (`refs/heads/gh-readonly-queue/…`).' },
      causeEnvironmentVsBranch,
      causePullRequest,
      causeImmutable,
      { id: 'matches-is-case-sensitive', text: '`matches` and `eq` are case-sensitive, and `*`/`?` are the only wildcards (no regular expressions, no `or`).' },
    ],
    fix: [
      `Read the expressions (Azure CLI cannot show flexible credentials): \`az rest --method GET --uri "https://graph.microsoft.com/beta/applications(appId='${C}')/federatedIdentityCredentials"\``,
      `Widen the expression to cover the subject Entra quotes, or add a classic credential for it: ${createFor(PLACEHOLDER.subject)}`,
    ],
    docs: DOCS.flexible,
    retry: 'never',
    related: [700213],
  }),
  e({
    code: 7002137,
    name: '',
    findingId: 'subject-mismatch',
    severity: 'error',
    title: 'The Entra-issued assertion\'s subject does not match the credential',
    meaning:
      'An Entra-issued token (managed identity or agent) was presented and no credential has its subject; the message names the subject the credential must have. Not a GitHub token problem.',
    causes: [
      { id: 'wrong-principal-id', text: 'The credential\'s subject is not the managed identity\'s object (principal) id, or is the client id instead.' },
      causeNotGitHubToken,
    ],
    fix: [`Set the credential's subject to the value Entra names: \`az ad app federated-credential update --id ${C} --federated-credential-id <CREDENTIAL-NAME> --parameters '{"subject":"<EXPECTED-SUBJECT>"}'\``],
    docs: DOCS.managedIdentityAsFic,
    retry: 'never',
  }),
  // ---- assertion lifetime, keys and discovery -------------------------------------------------
  e({
    code: 700024,
    name: '',
    findingId: 'assertion-expired',
    severity: 'error',
    title: 'The GitHub token was expired (or not yet valid) when Entra received it',
    meaning:
      'Entra checks the assertion\'s `exp` (and `nbf`). GitHub OIDC tokens are valid for about 5 minutes from issue, so a token reused later, or sent from a runner whose clock is off, is refused.',
    causes: [
      { id: 'token-reused', text: 'The token was fetched once and used again after it expired: a long job that logs in again later, a retry loop reusing the first token, or a token stored in a variable or file.' },
      { id: 'clock-skew', text: 'The runner\'s clock is off (self-hosted runners): the token looks not-yet-valid or expired to Entra.' },
      { id: 'no-nbf', text: '"assertion valid from 1970-01-01" means the token has no `nbf`; only `exp` matters then.' },
    ],
    fix: [
      'Fetch a fresh GitHub token for every exchange attempt, right before it: run `azure/login` again before the step that needs Azure, instead of reusing one token.',
      'For a long job, log in again before later Azure steps (the Azure CLI session from OIDC lasts about an hour and cannot refresh itself).',
      'On a self-hosted runner, sync the clock: `sudo timedatectl set-ntp true` (Linux) or `w32tm /resync` (Windows).',
    ],
    docs: DOCS.considerations,
    retry: 'never',
  }),
  e({
    code: 7000272,
    name: '',
    findingId: 'signing-key-not-found',
    severity: 'error',
    title: 'Entra cannot find the token\'s signing key in the issuer\'s metadata',
    meaning:
      'The key id (`kid`) in the token header is not in the JWKS Entra has for the issuer. Entra caches issuer metadata, so a new issuer or a rotated key can be unknown for a while.',
    causes: [
      { id: 'metadata-cache', text: 'The issuer is new to Entra or rotated its keys: Entra\'s cached metadata lags (reported as 20–30 minutes or more for new issuers).' },
      { id: 'jwks-missing-key', text: 'The issuer\'s JWKS does not publish the key (custom or GitHub Enterprise Server issuer misconfigured, or more than 100 keys: Entra keeps only the first 100).' },
      causeGhes,
    ],
    fix: [
      `Check the key is published: \`curl -s "${PLACEHOLDER.issuer}/.well-known/openid-configuration" | jq -r .jwks_uri | xargs curl -s | jq -r '.keys[].kid'\` and look for the token's kid.`,
      'If it is listed, wait and retry (Entra refreshes its metadata cache); if not, fix the issuer\'s JWKS.',
    ],
    docs: DOCS.considerations,
    retry: 'propagation',
  }),
  e({
    code: 90061,
    name: '',
    findingId: 'issuer-unreachable',
    severity: 'error',
    title: 'Entra could not fetch the issuer\'s OIDC discovery document or keys',
    meaning:
      'To validate the token Entra downloads `<issuer>/.well-known/openid-configuration` and its `jwks_uri` from the internet. That request failed.',
    causes: [
      { id: 'private-issuer', text: 'The issuer is not reachable from the internet: GitHub Enterprise Server behind a firewall or VPN, or storage hosting the discovery documents with network restrictions.' },
      causeGhes,
      { id: 'outage', text: 'A transient failure on the issuer\'s side (for github.com, check https://www.githubstatus.com).' },
    ],
    fix: [
      `From outside your network, check that both answer 200 with JSON: \`curl -si "${PLACEHOLDER.issuer}/.well-known/openid-configuration"\` and the \`jwks_uri\` it names.`,
      'For GitHub Enterprise Server, expose `https://HOSTNAME/_services/token/.well-known/openid-configuration` and the JWKS publicly (Entra has no private connectivity).',
    ],
    docs: DOCS.createTrust,
    retry: 'transient',
    related: [50166, 501661],
  }),
  e({
    code: 50166,
    name: 'ExternalClaimsProviderThrottled',
    findingId: 'issuer-unreachable',
    severity: 'error',
    title: 'Entra\'s request to the issuer\'s OIDC endpoint failed',
    meaning:
      'Same as 90061: Entra could not download the issuer\'s discovery document or JWKS (Microsoft\'s older reference called this code ExternalClaimsProviderThrottled).',
    causes: [
      { id: 'private-issuer', text: 'The issuer\'s discovery document or JWKS is not publicly reachable (private GitHub Enterprise Server, network-restricted storage).' },
      { id: 'outage', text: 'A transient failure or throttling on the issuer\'s side.' },
    ],
    fix: [
      `From outside your network: \`curl -si "${PLACEHOLDER.issuer}/.well-known/openid-configuration"\` and the \`jwks_uri\` it names must both answer 200.`,
      'Retry once after a minute; if it persists, make the issuer\'s endpoints public.',
    ],
    docs: DOCS.createTrust,
    retry: 'transient',
    related: [90061, 501661],
  }),
  e({
    code: 501661,
    name: '',
    findingId: 'issuer-unreachable',
    severity: 'error',
    title: 'Entra\'s request to the issuer\'s OIDC endpoint failed',
    meaning: 'Sub-code of 50166: Entra could not download the issuer\'s discovery document or JWKS.',
    causes: [{ id: 'private-issuer', text: 'The issuer\'s discovery document or JWKS is not publicly reachable (private GitHub Enterprise Server, firewall, restricted storage).' }],
    fix: [`From outside your network: \`curl -si "${PLACEHOLDER.issuer}/.well-known/openid-configuration"\` must answer 200, and so must its \`jwks_uri\`.`],
    docs: DOCS.createTrust,
    retry: 'transient',
    related: [90061, 50166],
  }),
  // ---- malformed or wrong kind of assertion ---------------------------------------------------
  e({
    code: 50027,
    name: 'InvalidJwtToken',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'Entra could not read the assertion as a valid JWT',
    meaning: 'The client_assertion is not a well-formed, correctly signed JWT: empty, truncated, masked (`***`), with several audiences, or failing signature verification.',
    causes: [
      causeMissingIdTokenPermission,
      { id: 'masked-or-truncated', text: 'A masked (`***`), truncated or quoted token was passed (copied from a log, a variable with a newline, an `echo` of the token).' },
      { id: 'multiple-audiences', text: 'The token has several audiences; Entra needs exactly one.' },
      { id: 'bad-signature', text: 'The signature does not verify against the issuer\'s keys (token altered, or signed by another key than the JWKS publishes).' },
    ],
    fix: [
      PERMISSIONS_YAML,
      'Pass the token straight from the runner (`core.getIDToken(audience)` or `azure/login`), never from a log or an echoed variable.',
    ],
    docs: DOCS.githubOidc,
    retry: 'never',
  }),
  e({
    code: 5002730,
    name: '',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'The token is signed with an algorithm or key Entra does not accept',
    meaning: 'Entra supports only RS256-signed tokens for workload identity federation.',
    causes: [{ id: 'non-rs256', text: 'The issuer signs with another algorithm (ES256, PS256, HS256) or a key type Entra does not support; GitHub signs with RS256, so this points at a non-GitHub issuer.' }],
    fix: [
      'See the algorithm the token is signed with: `azure-federation-check claims --file token.jwt` (header `alg` must be `RS256`).',
      'Use an issuer that signs with RS256 (GitHub does); for a custom issuer, switch its signing key to RSA / RS256.',
    ],
    docs: DOCS.considerations,
    retry: 'never',
  }),
  e({
    code: 700027,
    name: '',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'The client assertion\'s signature did not validate',
    meaning:
      'Entra validated the assertion as a certificate credential (a JWT the client signs with its own key) and the signature failed. For federated tokens a missing key is reported as 7000272 instead.',
    causes: [
      causeSelfSigned,
      { id: 'cert-not-uploaded', text: 'A certificate-based login is configured and the certificate (thumbprint) is not uploaded to the app.' },
    ],
    fix: [
      OIDC_LOGIN_YAML,
      `For a certificate login, compare the thumbprint with the app's keys: \`az ad app credential list --id ${C} --cert\``,
    ],
    docs: DOCS.certificateCredentials,
    retry: 'never',
  }),
  e({
    code: 50048,
    name: 'SubjectMismatchesIssuer',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'Entra treated the assertion as a self-signed certificate assertion',
    meaning: 'In a self-signed client assertion `iss` must equal `sub` (both the client id). A GitHub token never has that shape, so Entra did not take the federated path.',
    causes: [causeSelfSigned, causeWrongApp],
    fix: [
      `Make sure the client id is the identity that has the federated credential: ${LIST_CREDENTIALS}`,
      OIDC_LOGIN_YAML,
    ],
    docs: DOCS.certificateCredentials,
    retry: 'never',
  }),
  e({
    code: 700021,
    name: '',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'The client assertion\'s application id does not match client_id',
    meaning: 'Certificate-assertion check: the assertion\'s `iss`/`sub` must be the `client_id` sent with it. Entra did not treat the token as a federated credential.',
    causes: [causeSelfSigned, causeWrongApp],
    fix: [
      `Check that the client id sent is the one with the federated credential: ${LIST_CREDENTIALS}`,
      OIDC_LOGIN_YAML,
    ],
    docs: DOCS.certificateCredentials,
    retry: 'never',
  }),
  e({
    code: 700023,
    name: 'InvalidResourcelessScope',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'The client assertion\'s audience does not match the token endpoint (or the scope names no resource)',
    meaning:
      'Azure SDKs report this as "Client assertion audience claim does not match Realm issuer" (a self-signed assertion whose `aud` is not the tenant\'s token endpoint); Microsoft\'s reference names it InvalidResourcelessScope (a scope without a resource).',
    causes: [
      causeSelfSigned,
      { id: 'resourceless-scope', text: 'The `scope` has no resource, e.g. `.default` alone instead of `https://management.azure.com/.default`.' },
    ],
    fix: [
      'Request a scope of the form `<resource>/.default`, e.g. `https://management.azure.com/.default`.',
      OIDC_LOGIN_YAML,
    ],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 240002,
    name: 'RequiredClaimIsMissing',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'An id_token was used as a jwt-bearer (on-behalf-of) grant',
    meaning:
      'The request used `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` (on-behalf-of) with an ID token. Workload identity federation uses the client-credentials grant with the token as `client_assertion`.',
    causes: [{ id: 'wrong-grant', text: 'The code or tool sends the GitHub token as an OBO `assertion` instead of `client_assertion`.' }],
    fix: [
      'Send `grant_type=client_credentials`, `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, `client_assertion=<GitHub token>`, `scope=https://management.azure.com/.default` (or use azure/login or `ClientAssertionCredential`).',
    ],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 700222,
    name: '',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'An Entra-issued token was presented where only external tokens are accepted',
    meaning: 'The assertion was issued by Microsoft Entra itself (an access token or managed-identity token), not by GitHub.',
    causes: [causeNotGitHubToken, { id: 'unsupported-entra-issuer', text: 'The credential trusts an Entra issuer form that is not supported for federation (only `https://login.microsoftonline.com/<tenant>/v2.0` with a user-assigned managed identity\'s token).' }],
    fix: [
      'Pass the GitHub OIDC token (from `ACTIONS_ID_TOKEN_REQUEST_URL`, `core.getIDToken()` or azure/login), not an Azure access token, as the federated token.',
      `To federate a managed identity instead, create the credential with issuer \`https://login.microsoftonline.com/${PLACEHOLDER.tenant}/v2.0\` and the identity's principal id as subject (see ${DOCS.managedIdentityAsFic}).`,
    ],
    docs: DOCS.managedIdentityAsFic,
    retry: 'never',
  }),
  e({
    code: 700229,
    name: 'ForbiddenTokenType',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'A user-delegated Entra token was used as a federated credential',
    meaning: 'Only app-only Entra tokens (client credentials or managed identity) may be federated credentials for an Entra issuer. Never applies to GitHub tokens.',
    causes: [causeNotGitHubToken, { id: 'user-token', text: 'A token obtained for a signed-in user (it has `scp`) was passed; a managed identity\'s or app\'s token is needed.' }],
    fix: ['Get the assertion with a managed identity or client credentials for `api://AzureADTokenExchange/.default`; for GitHub Actions pass the GitHub OIDC token instead.'],
    docs: DOCS.managedIdentityAsFic,
    retry: 'never',
  }),
  e({
    code: 50013,
    name: 'InvalidAssertion',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'The assertion is invalid (expired, malformed or failed signature validation)',
    meaning: 'Mostly seen with on-behalf-of user assertions; for workload identity federation it means the token could not be validated.',
    causes: [{ id: 'wrong-grant', text: 'The GitHub token was sent as an on-behalf-of `assertion` rather than as `client_assertion`.' }, causeSelfSigned],
    fix: ['Send `grant_type=client_credentials` with `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and the GitHub token as `client_assertion` (azure/login does this), not `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`.'],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 900384,
    name: '',
    findingId: 'assertion-invalid',
    severity: 'error',
    title: 'The JWT failed signature validation',
    meaning: 'Entra could not verify the token\'s signature with the issuer\'s published keys.',
    causes: [{ id: 'bad-signature', text: 'The token was altered, truncated, or signed by a key the issuer does not publish.' }],
    fix: [
      'See which key signed the token: `azure-federation-check claims --file token.jwt` (header `kid`), then look for it in the issuer\'s keys: `curl -s "<PRESENTED-ISSUER>/.well-known/openid-configuration" | jq -r .jwks_uri | xargs curl -s | jq -r \'.keys[].kid\'`',
      'Pass the token exactly as GitHub issued it; for a custom issuer, make its JWKS publish the signing key.',
    ],
    docs: DOCS.considerations,
    retry: 'never',
  }),
  // ---- client, tenant and cloud ---------------------------------------------------------------
  e({
    code: 700016,
    name: 'UnauthorizedClient_DoesNotMatchRequest',
    findingId: 'client-not-found',
    severity: 'error',
    title: 'The client id was not found in the tenant',
    meaning: 'No application or managed identity with this client id exists in the tenant the request went to.',
    causes: [
      { id: 'wrong-tenant', text: 'The app lives in another tenant than `tenant-id` (a second directory, a test tenant, or a multi-tenant app not provisioned in this one).' },
      { id: 'wrong-id-kind', text: 'The value is not an application (client) id: the object id, a managed identity\'s principal id, a subscription id, or a secret name.' },
      { id: 'deleted', text: 'The app registration or managed identity was deleted (or recreated with a new client id).' },
    ],
    fix: [
      `Look the id up: \`az ad app show --id ${C} --query "{name:displayName, appId:appId}"\`, \`az ad sp show --id ${C} --query appOwnerOrganizationId\`, \`az identity list --query "[?clientId=='${C}'].{name:name, tenantId:tenantId}"\``,
      'Use the tenant where it exists: `az account show --query tenantId -o tsv` (in that directory), and set the workflow\'s `tenant-id` to it.',
    ],
    docs: DOCS.errorLookup(700016),
    retry: 'never',
  }),
  e({
    code: 7000112,
    name: 'UnauthorizedClientApplicationDisabled',
    findingId: 'client-disabled',
    severity: 'error',
    title: 'The application is disabled',
    meaning: 'The service principal of the app has sign-in disabled (`accountEnabled = false`), or Microsoft disabled the app.',
    causes: [
      { id: 'sign-in-disabled', text: 'An administrator set "Enabled for users to sign-in?" to No on the enterprise application.' },
      { id: 'disabled-by-microsoft', text: 'Microsoft disabled the application (e.g. after suspicious activity); only support can re-enable it.' },
    ],
    fix: [
      `Check and re-enable: \`az ad sp show --id ${C} --query accountEnabled\` then \`az ad sp update --id ${C} --set accountEnabled=true\` (Entra admin center → Enterprise applications → the app → Properties → Enabled for users to sign-in? → Yes)`,
    ],
    docs: DOCS.errorLookup(7000112),
    retry: 'never',
  }),
  e({
    code: 90002,
    name: 'InvalidTenantName',
    findingId: 'tenant-not-found',
    severity: 'error',
    title: 'The tenant was not found in this cloud',
    meaning: 'The authority host does not know the tenant id or domain: wrong tenant, or a tenant of another Azure cloud.',
    causes: [
      { id: 'wrong-tenant-id', text: 'The `tenant-id` is wrong: a subscription id, a typo, a deleted tenant, or a domain that is not verified in any tenant.' },
      {
        id: 'wrong-cloud',
        text: 'The tenant is in another cloud (Azure US Government, China): set the login step\'s `environment:` and the matching audience.',
        appliesWhen: (c) => (c.cloud && c.cloud.name !== 'azurecloud' ? true : undefined),
      },
    ],
    fix: [
      `Ask each cloud whether it knows the tenant: \`curl -s https://login.microsoftonline.com/${PLACEHOLDER.tenant}/v2.0/.well-known/openid-configuration | jq .tenant_region_scope\` (US Government: login.microsoftonline.us, China: login.chinacloudapi.cn)`,
      'Set the tenant (and for a national cloud, `environment: azureusgovernment` or `azurechinacloud` plus `audience: api://AzureADTokenExchangeUSGov` / `…China`) in the login step.',
    ],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  e({
    code: 900023,
    name: '',
    findingId: 'tenant-not-found',
    severity: 'error',
    title: 'The tenant identifier is not a GUID or a domain',
    meaning: 'The tenant part of the authority URL is malformed, so Entra cannot even look it up.',
    causes: [
      { id: 'empty-secret', text: 'The `tenant-id` came from a secret or variable that is empty in this run (fork pull requests and Dependabot get no secrets), leaving `undefined` or an empty value.' },
      { id: 'template-left', text: 'A template placeholder was left in (`{{tenantid}}`, `<TENANT-ID>`), or extra characters (quotes, spaces, a URL) surround the id.' },
    ],
    fix: [
      'Set `tenant-id: ${{ vars.AZURE_TENANT_ID }}` (a variable, visible to fork PRs) or a secret that exists, holding a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47 or a verified domain.',
    ],
    docs: DOCS.errorLookup(900023),
    retry: 'never',
  }),
  e({
    code: 900439,
    name: 'USGClientNotSupportedOnPublicEndpoint',
    findingId: 'cloud-mismatch',
    severity: 'error',
    title: 'A US Government tenant or app was used against the public cloud endpoint',
    meaning: 'The request went to login.microsoftonline.com, but the tenant or application lives in Azure US Government.',
    causes: [{ id: 'missing-environment', text: 'The login step has no `environment: azureusgovernment`, so it used the public authority and audience.' }],
    fix: ['In the login step: `environment: azureusgovernment` and `audience: api://AzureADTokenExchangeUSGov` (and the credential\'s audience must be the same).'],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  e({
    code: 900440,
    name: 'PublicTenantNotSupportedOnUSGovEndpoint',
    findingId: 'cloud-mismatch',
    severity: 'error',
    title: 'A public-cloud tenant was used against the US Government endpoint',
    meaning: 'The request went to login.microsoftonline.us, but the tenant lives in the public Azure cloud.',
    causes: [{ id: 'wrong-environment', text: 'The login step sets `environment: azureusgovernment` for a public-cloud tenant.' }],
    fix: ['Remove `environment:` from the login step (or set `azurecloud`) and use `audience: api://AzureADTokenExchange`.'],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  e({
    code: 900382,
    name: '',
    findingId: 'cloud-mismatch',
    severity: 'error',
    title: 'Confidential client is not supported in a cross-cloud request',
    meaning: 'The app and the authority are in different Azure clouds; confidential clients (including federated credentials) cannot sign in across clouds.',
    causes: [{ id: 'cross-cloud', text: 'The tenant, the app and the authority host are not all in the same cloud (e.g. a US Government tenant through the public endpoint).' }],
    fix: ['Use the authority and audience of the app\'s cloud: `environment: azureusgovernment` / `azurechinacloud` and `audience: api://AzureADTokenExchangeUSGov` / `…China` in the login step.'],
    docs: DOCS.nationalClouds,
    retry: 'never',
    related: [900432],
  }),
  e({
    code: 900432,
    name: '',
    findingId: 'cloud-mismatch',
    severity: 'error',
    title: 'Confidential client is not supported in a cross-cloud request',
    meaning: 'Same as 900382: the app and the authority are in different Azure clouds.',
    causes: [{ id: 'cross-cloud', text: 'The tenant, the app and the authority host are not all in the same cloud.' }],
    fix: ['Use the authority and audience of the app\'s cloud (`environment:` and `audience:` in the login step).'],
    docs: DOCS.nationalClouds,
    retry: 'never',
    related: [900382],
  }),
  e({
    code: 90038,
    name: 'NationalCloudTenantRedirection',
    findingId: 'cloud-mismatch',
    severity: 'error',
    title: 'The tenant belongs to another national cloud',
    meaning: 'The tenant lives in a national cloud that the requested cloud does not federate with.',
    causes: [{ id: 'wrong-environment', text: 'The login step uses the wrong `environment:` for this tenant.' }],
    fix: ['Set the login step\'s `environment:` to the tenant\'s cloud and use that cloud\'s audience.'],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  e({
    code: 50049,
    name: 'NoSuchInstanceForDiscovery',
    findingId: 'cloud-mismatch',
    severity: 'error',
    title: 'Unknown or invalid authority instance',
    meaning: 'Instance discovery failed: the authority host is not an Entra host Entra knows (typo, proxy, or an Azure Stack endpoint).',
    causes: [
      { id: 'bad-authority', text: 'A custom authority host or `AZURE_AUTHORITY_HOST` with a typo, a path, or a host of another cloud.' },
      { id: 'azure-stack', text: '`environment: azurestack` without the right `resourceManagerEndpointUrl`.' },
    ],
    fix: ['Use a known authority host: https://login.microsoftonline.com (public), https://login.microsoftonline.us (US Government), https://login.chinacloudapi.cn (China); remove custom `AZURE_AUTHORITY_HOST` values.'],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  // ---- tenant policy (admin only) -------------------------------------------------------------
  e({
    code: 53003,
    name: 'BlockedByConditionalAccess',
    findingId: 'tenant-policy',
    severity: 'error',
    title: 'Conditional Access blocked the sign-in',
    meaning:
      'A Conditional Access policy for workload identities blocked the token. The federated credential is fine; the tenant\'s policy refused this sign-in (location or service-principal risk).',
    causes: [
      { id: 'location-policy', text: 'A location policy allows only named IP ranges; GitHub-hosted runners use changing Azure IP addresses.' },
      { id: 'risk-policy', text: 'A service principal risk policy flagged the app.' },
      causeAdminOnly,
    ],
    fix: [
      'Ask a tenant admin: Entra admin center → Monitoring & health → Sign-in logs → Service principal sign-ins, filter by the application id and the correlation id below, and read which policy applied.',
      'Then exclude this service principal from the policy, allow the runners\' egress IPs (larger runners with static IPs, or self-hosted runners), or use a managed identity (Conditional Access does not cover managed identities).',
    ],
    docs: DOCS.conditionalAccess,
    retry: 'never',
  }),
  e({
    code: 700223,
    name: '',
    findingId: 'tenant-policy',
    severity: 'error',
    title: 'Workload identity federation is disabled or constrained in this tenant',
    meaning: 'A tenant-wide Microsoft Entra policy disables or restricts federated identity credentials. Not fixable in the credential.',
    causes: [causeAdminOnly],
    fix: [
      'Ask a tenant admin to allow workload identity federation for this issuer (Entra app management policy), or use a user-assigned managed identity\'s federated credential if the policy allows those.',
      'For the admin, the failing sign-in: Entra admin center → Monitoring & health → Sign-in logs → Service principal sign-ins, filtered by the application id and the correlation id below.',
    ],
    docs: DOCS.considerations,
    retry: 'never',
  }),
  e({
    code: 700238,
    name: '',
    findingId: 'tenant-policy',
    severity: 'error',
    title: 'The tenant does not allow workload identity federation for this issuer',
    meaning: 'A tenant policy restricts which issuers may be used in federated credentials, and this token\'s issuer is not allowed.',
    causes: [causeAdminOnly, causeEnterpriseIssuer],
    fix: ['Ask a tenant admin to allow this issuer (the tenant\'s federated identity credential policy); the credential itself cannot fix it.', 'For the admin, the failing sign-in: Entra admin center → Monitoring & health → Sign-in logs → Service principal sign-ins, filtered by the application id and the correlation id below.'],
    docs: DOCS.considerations,
    retry: 'never',
    related: [7002381],
  }),
  e({
    code: 7002381,
    name: '',
    findingId: 'tenant-policy',
    severity: 'error',
    title: 'The tenant requires the token\'s `enterprise` claim to have an allowed value',
    meaning:
      'A tenant policy only accepts GitHub tokens whose `enterprise` claim has one of the listed values. The claim is present only for repositories owned by an organisation in a GitHub Enterprise; personal-account repositories never have it.',
    causes: [
      {
        id: 'no-enterprise',
        text: 'The repository is owned by a personal account or an organisation outside an enterprise, so the token has no `enterprise` claim.',
        appliesWhen: (c) => (c.claims ? c.claims.enterprise === undefined || c.claims.enterprise === '' : c.details.actualValue !== undefined ? c.details.actualValue === '' : undefined),
      },
      {
        id: 'other-enterprise',
        text: 'The repository belongs to another enterprise than the policy allows.',
        appliesWhen: (c) => {
          const v = c.claims ? (c.claims.enterprise ?? '') : c.details.actualValue;
          if (v === undefined) return undefined;
          return v !== '' && !(c.details.allowedValues ?? []).includes(String(v));
        },
      },
      causeAdminOnly,
    ],
    fix: [
      'Move the repository into an organisation of an allowed enterprise, or ask the tenant admin for an exception; nothing in the federated credential can change it.',
      'See the token\'s value: `azure-federation-check claims --file token.jwt` (the `enterprise` claim; absent for personal-account repositories).',
      'For the admin, the failing sign-in: Entra admin center → Monitoring & health → Sign-in logs → Service principal sign-ins, filtered by the application id and the correlation id below.',
    ],
    docs: DOCS.githubOidc,
    retry: 'never',
    related: [700238],
  }),
  // ---- request problems -----------------------------------------------------------------------
  e({
    code: 90014,
    name: 'MissingRequiredField',
    findingId: 'request-invalid',
    severity: 'error',
    title: 'A required field is missing from the request or the token',
    meaning: 'A field Entra needs is absent: a request parameter (`client_id`, `scope`) or a token claim (`iss`, `sub`, `aud`, `exp`).',
    causes: [
      { id: 'empty-input', text: 'An input was empty in this run (`client-id` from a secret that fork PRs and Dependabot do not get).' },
      { id: 'missing-claim', text: 'The assertion lacks a claim Entra requires (a hand-made or non-GitHub token).' },
    ],
    fix: [
      'Give every input a value that exists in this run: `client-id: ${{ vars.AZURE_CLIENT_ID }}`, `tenant-id: ${{ vars.AZURE_TENANT_ID }}` (variables are visible to fork PRs; secrets are not).',
    ],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 900144,
    name: '',
    findingId: 'request-invalid',
    severity: 'error',
    title: 'The token request is missing a parameter',
    meaning: 'The request body lacks a parameter the client-credentials grant needs (`client_id`, `grant_type`, `scope`, `client_assertion_type`).',
    causes: [
      { id: 'empty-client-id', text: 'The client id was empty (secret missing in this run: fork PR, Dependabot, or a misspelled secret name).' },
      { id: 'hand-written-request', text: 'A hand-written token request omits `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` or `scope`.' },
    ],
    fix: [
      'In a workflow, give `client-id` a value that exists in every run: `client-id: ${{ vars.AZURE_CLIENT_ID }}` (variables reach fork PRs and Dependabot runs; secrets do not).',
      'By hand, send all of `client_id`, `grant_type=client_credentials`, `scope=https://management.azure.com/.default`, `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and `client_assertion`.',
    ],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 7000218,
    name: '',
    findingId: 'request-invalid',
    severity: 'error',
    title: 'The request carried neither a client assertion nor a secret',
    meaning: 'Entra got a confidential-client request without `client_assertion`: the GitHub token was not passed (empty federated token).',
    causes: [
      causeMissingIdTokenPermission,
      { id: 'empty-federated-token', text: 'The federated token variable or file was empty (`az login --federated-token ""`, `AZURE_FEDERATED_TOKEN_FILE` pointing at an empty file).' },
    ],
    fix: [PERMISSIONS_YAML, 'Pass the token the runner issues (azure/login does it; by hand: `az login --service-principal -u <APPLICATION-CLIENT-ID> -t <TENANT-ID> --federated-token "$TOKEN"`).'],
    docs: DOCS.githubOidc,
    retry: 'never',
  }),
  e({
    code: 7000216,
    name: '',
    findingId: 'request-invalid',
    severity: 'error',
    title: 'The client-credentials request carried no credential',
    meaning: "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    causes: [causeMissingIdTokenPermission],
    fix: [PERMISSIONS_YAML],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 700025,
    name: 'InvalidClientPublicClientWithCredential',
    findingId: 'request-invalid',
    severity: 'error',
    title: 'The client is a public client, so no credential may be presented',
    meaning: 'Entra treats this client id as a public client (not to be confused with 70025, "no federated credentials").',
    causes: [{ id: 'public-client', text: 'The client id belongs to a public client application (mobile/desktop) rather than a confidential app or managed identity.' }],
    fix: [`Use the client id of the app registration that has the federated credential (${LIST_CREDENTIALS}).`],
    docs: DOCS.errorLookup(700025),
    retry: 'never',
  }),
  e({
    code: 500011,
    name: 'InvalidResourceServicePrincipalNotFound',
    findingId: 'request-invalid',
    severity: 'error',
    title: 'The requested resource was not found in the tenant',
    meaning: 'The scope names a resource (API) that has no service principal in this tenant.',
    causes: [
      { id: 'scope-typo', text: 'The scope is wrong: a typo, a trailing slash before `/.default` (`https://management.azure.com//.default`), or another cloud\'s endpoint.' },
      { id: 'resource-not-provisioned', text: 'The API is not provisioned in this tenant (a custom API registered in another tenant).' },
    ],
    fix: ['Request a resource that exists in the tenant, e.g. `https://management.azure.com/.default` (US Government `https://management.usgovcloudapi.net/.default`).'],
    docs: DOCS.errorLookup(500011),
    retry: 'never',
  }),
  e({
    code: 70011,
    name: 'InvalidScope',
    findingId: 'request-invalid',
    severity: 'error',
    title: 'The requested scope is not valid',
    meaning: 'The client-credentials grant needs exactly one scope of the form `<resource>/.default`.',
    causes: [{ id: 'scope-shape', text: 'The scope lacks `/.default`, names several resources, or names a delegated permission (`user.read`).' }],
    fix: ['Request `https://management.azure.com/.default` (or `<resource>/.default` for another API), one resource per request.'],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  // ---- the secret path was used, not federation ------------------------------------------------
  e({
    code: 7000215,
    name: '',
    findingId: 'not-federation',
    severity: 'error',
    title: 'A client secret was used, not the OIDC token, and it is invalid',
    meaning: 'Entra received `client_secret`, not a federated `client_assertion`. This run did not use workload identity federation.',
    causes: [
      causeSecretPath,
      { id: 'secret-id-not-value', text: 'The secret\'s ID was stored instead of its value, or the secret was rotated.' },
    ],
    fix: [OIDC_LOGIN_YAML, 'Then delete the stored client secret (`AZURE_CREDENTIALS`) and the app\'s secret: `az ad app credential delete --id <APPLICATION-CLIENT-ID> --key-id <KEY-ID>`.'],
    docs: DOCS.azureLoginOidc,
    retry: 'never',
  }),
  e({
    code: 7000222,
    name: 'InvalidClientSecretExpiredKeysProvided',
    findingId: 'not-federation',
    severity: 'error',
    title: 'An expired client secret was used, not the OIDC token',
    meaning: 'Entra received a client secret whose key has expired. This run did not use workload identity federation.',
    causes: [causeSecretPath],
    fix: [OIDC_LOGIN_YAML, `Add the federated credential the job needs: ${createFor(PLACEHOLDER.subject)}`],
    docs: DOCS.azureLoginOidc,
    retry: 'never',
  }),
  // ---- flexible credential expressions ---------------------------------------------------------
  e({
    code: 700233,
    name: '',
    findingId: 'expression-invalid',
    severity: 'error',
    title: 'A flexible credential\'s expression does not parse',
    meaning: 'Entra could not parse a claimsMatchingExpression.',
    causes: [{ id: 'syntax', text: 'The expression is not `claims[\'<name>\'] <eq|matches> \'<value>\'` clauses joined by ` and ` (single spaces, single quotes, a quote inside a value doubled).' }],
    fix: [`Rewrite it as \`claims['sub'] matches 'repo:OWNER/REPO:ref:refs/heads/*' and claims['repository_id'] eq '<REPOSITORY-ID>'\` via \`az rest --method PATCH --uri "https://graph.microsoft.com/beta/applications(appId='${C}')/federatedIdentityCredentials/<CREDENTIAL-ID>" --body @credential.json\``],
    docs: DOCS.flexible,
    retry: 'never',
  }),
  e({
    code: 700234,
    name: '',
    findingId: 'expression-invalid',
    severity: 'error',
    title: 'A flexible credential\'s expression could not be evaluated',
    meaning: 'Entra failed evaluating a claimsMatchingExpression against the token.',
    causes: [{ id: 'evaluation', text: 'The expression refers to a claim or operator Entra does not support for this issuer (GitHub: `sub` and `job_workflow_ref` with eq or matches; `repository_id` and `repository_owner_id` with eq).' }],
    fix: [`For GitHub issuers use \`sub\` and \`job_workflow_ref\` (\`eq\`/\`matches\`) and \`repository_id\`/\`repository_owner_id\` (\`eq\` only): \`az rest --method PATCH --uri "https://graph.microsoft.com/beta/applications(appId='${C}')/federatedIdentityCredentials/<CREDENTIAL-ID>" --body @credential.json\` with \`{"claimsMatchingExpression": {"value": "claims['sub'] matches 'repo:OWNER/REPO:ref:refs/heads/*' and claims['repository_id'] eq '<REPOSITORY-ID>'", "languageVersion": 1}}\``],
    docs: DOCS.flexible,
    retry: 'never',
  }),
  e({
    code: 700237,
    name: '',
    findingId: 'expression-invalid',
    severity: 'error',
    title: 'Flexible credential expressions are not allowed here',
    meaning: 'The credential uses a claimsMatchingExpression where Entra does not allow one.',
    causes: [{ id: 'not-allowed', text: 'The issuer or claim is not supported for expressions (GitHub: `sub`, `job_workflow_ref`, `repository_id`, `repository_owner_id`).' }],
    fix: [`Use an expression over \`sub\`, \`job_workflow_ref\`, \`repository_id\` or \`repository_owner_id\` only: \`az rest --method PATCH --uri "https://graph.microsoft.com/beta/applications(appId='${C}')/federatedIdentityCredentials/<CREDENTIAL-ID>" --body @credential.json\` with \`{"claimsMatchingExpression": {"value": "claims['sub'] matches 'repo:OWNER/REPO:ref:refs/heads/*' and claims['repository_id'] eq '<REPOSITORY-ID>'", "languageVersion": 1}}\`, or a classic credential for the exact subject: ${createFor(PLACEHOLDER.subject)}`],
    docs: DOCS.flexible,
    retry: 'never',
  }),
  e({
    code: 700235,
    name: '',
    findingId: 'expression-invalid',
    severity: 'error',
    title: 'This identity type does not support flexible credentials',
    meaning: 'Flexible federated credentials are supported on application objects only, not on managed identities.',
    causes: [{ id: 'managed-identity', text: 'The expression is on a user-assigned managed identity.' }],
    fix: [
      'On the managed identity, add one classic credential per exact subject: `az identity federated-credential create --name github-actions --identity-name <IDENTITY-NAME> --resource-group <RESOURCE-GROUP> --issuer https://token.actions.githubusercontent.com --subject <PRESENTED-SUBJECT> --audiences api://AzureADTokenExchange`',
      'Or put the flexible credential on an app registration.',
    ],
    docs: DOCS.flexible,
    retry: 'never',
  }),
  e({
    code: 7002241,
    name: '',
    findingId: 'expression-invalid',
    severity: 'error',
    title: 'This issuer may not use expression matching',
    meaning: 'Entra blocks claimsMatchingExpression for the credential\'s issuer.',
    causes: [{ id: 'issuer-blocked', text: 'Only documented issuers (GitHub, GitLab, Terraform Cloud) support flexible credentials; GitHub Enterprise Server issuers are not among them.' }],
    fix: [`Use classic credentials with exact subjects for this issuer: ${createFor(PLACEHOLDER.subject, PLACEHOLDER.issuer)}`],
    docs: DOCS.flexible,
    retry: 'never',
  }),
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

/** The entry's causes with the evidence applied: shown first, then unknown, then ruled out; catalog order within each. */
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

/** Fill the placeholders the caller knows. Values with quotes, backslashes, `$` or newlines are left as placeholders. */
export function fillPlaceholders(step: string, values: Partial<Record<keyof typeof PLACEHOLDER, string>>): string {
  let out = step;
  for (const [k, placeholder] of Object.entries(PLACEHOLDER) as [keyof typeof PLACEHOLDER, string][]) {
    const v = values[k];
    // Only values that cannot break the surrounding quotes; others keep the placeholder.
    if (v !== undefined && !isMaskedOrEmpty(v) && !/['"\\`$\n\r]/.test(v)) out = out.split(placeholder).join(v);
  }
  return out;
}
