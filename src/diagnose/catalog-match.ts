/** Federated credential matching: which credential, and why none matched. */
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import {
  C,
  DOCS,
  LIST_CREDENTIALS,
  LIST_CREDENTIALS_UAMI,
  PLACEHOLDER,
  createFor,
  e,
  updateFor,
} from './catalog-base.js';
import type { CatalogEntry } from './catalog-base.js';
import {
  causeCustomAudience,
  causeCustomTemplate,
  causeDefaultGitHubAudience,
  causeEnterpriseIssuer,
  causeEnvironmentVsBranch,
  causeGhes,
  causeImmutable,
  causeNotGitHubToken,
  causeOtherRef,
  causePropagation,
  causePullRequest,
  causeReusable,
  causeSovereignAudience,
  causeTrailingSlash,
  causeWrongApp,
} from './catalog-causes.js';

export const MATCH_ENTRIES: readonly CatalogEntry[] = [
  // ---- federated credential matching -----------------------------------------------------------
  e({
    code: 70021,
    name: '',
    findingId: 'credential-not-found',
    builder: 'no-match',
    severity: 'error',
    title: 'No federated credential matches the presented token',
    meaning:
      'Entra found no federated identity credential on this app or managed identity whose issuer, subject ' +
      "and audience all equal the token's (exact, case-sensitive). Older wording of 700211/700212/700213; " +
      'still returned while a new credential propagates.',
    causes: [
      causeEnvironmentVsBranch,
      causePullRequest,
      causeTrailingSlash,
      causeImmutable,
      causeSovereignAudience,
      causePropagation,
      causeOtherRef,
      causeWrongApp,
    ],
    fix: [
      `Compare the issuer, subject and audience Entra quotes with the credentials: ${LIST_CREDENTIALS}`,
      `Add a credential with exactly the presented values: ${createFor(PLACEHOLDER.subject)}`,
      'If a credential with exactly these values was created or edited in the last minutes, wait 1–5 minutes ' +
        'and re-run the job; if it keeps failing, delete and recreate it.',
    ],
    docs: DOCS.considerations,
    retry: 'propagation',
    related: [700211, 700212, 700213],
  }),
  e({
    code: 70025,
    name: '',
    findingId: 'credential-not-found',
    builder: 'no-credentials',
    severity: 'error',
    title: 'The app or managed identity has no federated credentials at all',
    meaning:
      'The client id names an app registration or user-assigned managed identity that has zero federated ' +
      'identity credentials, so no token can match.',
    causes: [
      {
        id: 'wrong-client-id',
        text:
          "The `client-id` is another identity's (the app used with a client secret, the managed " +
          'identity instead of the app, or the reverse): the credentials were added elsewhere.',
      },
      {
        id: 'just-created',
        text:
          'The first credential was added moments ago; Entra reports 70025 for a few minutes after ' +
          'creation (wait 1–5 minutes).',
      },
      {
        id: 'deleted',
        text: 'The credentials were deleted (clean-up script, Terraform drift, someone recreated the app).',
      },
    ],
    fix: [
      `See which credentials this client id has: ${LIST_CREDENTIALS} (for a managed identity: ` +
        `${LIST_CREDENTIALS_UAMI})`,
      `Find whose client id it is: \`az ad app show --id ${C} --query "{name:displayName, appId:appId}"\` or ` +
        `\`az identity list --query "[?clientId=='${C}'].{name:name, resourceGroup:resourceGroup}"\``,
      `Add the credential the job needs: ${createFor(PLACEHOLDER.subject)}`,
    ],
    docs: DOCS.createTrust,
    retry: 'propagation',
  }),
  e({
    code: 700211,
    name: '',
    findingId: 'issuer-mismatch',
    builder: 'issuer',
    severity: 'error',
    title: "No federated credential has the token's issuer",
    meaning:
      'No federated identity credential on this app or managed identity names the issuer (`iss`) of the ' +
      'presented token, compared byte for byte.',
    causes: [causeTrailingSlash, causeEnterpriseIssuer, causeGhes, causeNotGitHubToken, causeWrongApp],
    fix: [
      `Set the credential's issuer to the token's exactly (GitHub: \`${GITHUB_COM_ISSUER}\`, no trailing ` +
        `slash): \`${updateFor({ issuer: PLACEHOLDER.issuer })}\``,
      `List the issuers the credentials name: \`az ad app federated-credential list --id ${C} --query ` +
        `"[].{name:name, issuer:issuer}" -o table\``,
    ],
    docs: DOCS.createTrust,
    retry: 'never',
  }),
  e({
    code: 700212,
    name: '',
    findingId: 'audience-mismatch',
    builder: 'audience',
    severity: 'error',
    title: "No federated credential has the token's audience",
    meaning: "Issuer and subject match a credential, but its single audience differs from the token's `aud`.",
    causes: [causeSovereignAudience, causeDefaultGitHubAudience, causeCustomAudience],
    fix: [
      "Request the credential's audience in the login step: `with: { audience: api://AzureADTokenExchange }` " +
        '(US Government `api://AzureADTokenExchangeUSGov`, China `api://AzureADTokenExchangeChina`)',
      `Or set the credential's audience to the token's: \`${updateFor({ audiences: [PLACEHOLDER.audience] })}\``,
    ],
    docs: DOCS.createTrust,
    retry: 'never',
  }),
  e({
    code: 700213,
    name: 'NoMatchingFederatedIdentityRecordFoundForSubject',
    findingId: 'subject-mismatch',
    builder: 'subject',
    severity: 'error',
    title: "No federated credential has the token's subject",
    meaning:
      "A credential names the token's issuer, but none has exactly the subject (`sub`) GitHub sent. Matching " +
      'is exact and case-sensitive; classic credentials have no wildcards.',
    causes: [
      causeEnvironmentVsBranch,
      causePullRequest,
      causeImmutable,
      causeCustomTemplate,
      causeOtherRef,
      causeReusable,
      causeWrongApp,
      causePropagation,
    ],
    fix: [
      `Add a credential for the subject Entra quotes: ${createFor(PLACEHOLDER.subject)}`,
      "Or change the workflow so GitHub sends the credential's subject (`environment:` on the job for " +
        "`…:environment:NAME`, run on the credential's branch or tag for `…:ref:refs/…`).",
      `For many branches or pull requests, use a flexible credential: \`claims['sub'] matches ` +
        `'repo:OWNER/REPO:ref:refs/heads/*' and claims['repository_id'] eq '<REPOSITORY-ID>'\` (Graph beta; ` +
        `see ${DOCS.flexible}).`,
    ],
    docs: DOCS.createTrust,
    retry: 'never',
    related: [7002138, 7002131],
  }),
  e({
    code: 7002138,
    name: '',
    findingId: 'subject-case-mismatch',
    builder: 'subject',
    severity: 'error',
    title: "A federated credential's subject differs from the token's only in letter case",
    meaning:
      "Entra found a credential whose subject equals the token's when case is ignored. Since the August 2024 " +
      'change Entra compares case-sensitively, so it does not match.',
    causes: [
      {
        id: 'environment-case',
        text:
          'The GitHub environment is spelled differently (`Production` vs `production`); GitHub writes ' +
          'the name exactly as it is defined in the repository settings.',
      },
      {
        id: 'owner-repo-case',
        text:
          'The owner or repository name is spelled with other capitals than on GitHub (`Octo-Org/App` vs ' +
          '`octo-org/app`), or the repository was renamed.',
      },
      { id: 'branch-case', text: 'The branch or tag name differs in case (`Main` vs `main`).' },
      {
        ...causePropagation,
        text:
          'The credential was just corrected and Entra still has the old spelling cached (retry after a ' +
          'few minutes; if it persists against a byte-identical subject, delete and recreate the ' +
          'credential).',
      },
    ],
    fix: [
      `Set the credential's subject to the token's exact spelling: \`${updateFor({ subject: PLACEHOLDER.subject })}\``,
      "Or rename the GitHub environment (Settings → Environments) to the credential's spelling.",
    ],
    docs: DOCS.caseSensitive,
    retry: 'never',
    related: [700213],
  }),
  e({
    code: 7002131,
    name: '',
    findingId: 'subject-mismatch',
    builder: 'subject',
    severity: 'error',
    title: 'No credential subject or flexible expression matches the token',
    meaning:
      "The app has flexible federated credentials (claimsMatchingExpression); neither a classic credential's " +
      'subject nor any expression matched the token.',
    causes: [
      {
        id: 'expression-too-narrow',
        text:
          'The expression does not cover this run: another branch pattern, a `job_workflow_ref` clause ' +
          'for another workflow file or ref, or a merge-queue ref (`refs/heads/gh-readonly-queue/…`).',
      },
      causeEnvironmentVsBranch,
      causePullRequest,
      causeImmutable,
      {
        id: 'matches-is-case-sensitive',
        text:
          '`matches` and `eq` are case-sensitive, and `*`/`?` are the only wildcards (no regular ' +
          'expressions, no `or`).',
      },
    ],
    fix: [
      `Read the expressions (Azure CLI cannot show flexible credentials): \`az rest --method GET --uri ` +
        `"https://graph.microsoft.com/beta/applications(appId='${C}')/federatedIdentityCredentials"\``,
      `Widen the expression to cover the subject Entra quotes, or add a classic credential for it: ` +
        `${createFor(PLACEHOLDER.subject)}`,
    ],
    docs: DOCS.flexible,
    retry: 'never',
    related: [700213],
  }),
  e({
    code: 7002137,
    name: '',
    findingId: 'subject-mismatch',
    builder: 'catalog',
    severity: 'error',
    title: "The Entra-issued assertion's subject does not match the credential",
    meaning:
      'An Entra-issued token (managed identity or agent) was presented and no credential has its subject; ' +
      'the message names the subject the credential must have. Not a GitHub token problem.',
    causes: [
      {
        id: 'wrong-principal-id',
        text:
          "The credential's subject is not the managed identity's object (principal) id, or is the " +
          'client id instead.',
      },
      causeNotGitHubToken,
    ],
    fix: [`Set the credential's subject to the value Entra names: \`${updateFor({ subject: '<EXPECTED-SUBJECT>' })}\``],
    docs: DOCS.managedIdentityAsFic,
    retry: 'never',
  }),
];
