/** Request problems, the secret path, and flexible credential expressions. */
import {
  C,
  DOCS,
  LIST_CREDENTIALS,
  OIDC_LOGIN_YAML,
  PERMISSIONS_STEP,
  PLACEHOLDER,
  createFor,
  e,
} from './catalog-base.js';
import type { CatalogEntry } from './catalog-base.js';
import { causeMissingIdTokenPermission, causeSecretPath } from './catalog-causes.js';

export const REQUEST_ENTRIES: readonly CatalogEntry[] = [
  // ---- request problems -----------------------------------------------------------------------
  e({
    code: 90014,
    name: 'MissingRequiredField',
    findingId: 'request-invalid',
    builder: 'request-invalid',
    severity: 'error',
    title: 'A required field is missing from the request or the token',
    meaning:
      'A field Entra needs is absent: a request parameter (`client_id`, `scope`) or a token claim (`iss`, ' +
      '`sub`, `aud`, `exp`).',
    causes: [
      {
        id: 'empty-input',
        text: 'An input was empty in this run (`client-id` from a secret that fork PRs and Dependabot do not get).',
      },
      { id: 'missing-claim', text: 'The assertion lacks a claim Entra requires (a hand-made or non-GitHub token).' },
    ],
    fix: [
      'Give every input a value that exists in this run: `client-id: ${{ vars.AZURE_CLIENT_ID }}`, ' +
        '`tenant-id: ${{ vars.AZURE_TENANT_ID }}` (variables are visible to fork PRs; secrets are not).',
    ],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 900144,
    name: '',
    findingId: 'request-invalid',
    builder: 'request-invalid',
    severity: 'error',
    title: 'The token request is missing a parameter',
    meaning:
      'The request body lacks a parameter the client-credentials grant needs (`client_id`, `grant_type`, ' +
      '`scope`, `client_assertion_type`).',
    causes: [
      {
        id: 'empty-client-id',
        text: 'The client id was empty (secret missing in this run: fork PR, Dependabot, or a misspelled secret name).',
      },
      {
        id: 'hand-written-request',
        text:
          'A hand-written token request omits ' +
          '`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` or `scope`.',
      },
    ],
    fix: [
      'In a workflow, give `client-id` a value that exists in every run: `client-id: ${{ ' +
        'vars.AZURE_CLIENT_ID }}` (variables reach fork PRs and Dependabot runs; secrets do not).',
      'By hand, send all of `client_id`, `grant_type=client_credentials`, ' +
        '`scope=https://management.azure.com/.default`, ' +
        '`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and `client_assertion`.',
    ],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 7000218,
    name: '',
    findingId: 'request-invalid',
    builder: 'request-invalid',
    severity: 'error',
    title: 'The request carried neither a client assertion nor a secret',
    meaning:
      'Entra got a confidential-client request without `client_assertion`: the GitHub token was not passed ' +
      '(empty federated token).',
    causes: [
      causeMissingIdTokenPermission,
      {
        id: 'empty-federated-token',
        text:
          'The federated token variable or file was empty (`az login --federated-token ""`, ' +
          '`AZURE_FEDERATED_TOKEN_FILE` pointing at an empty file).',
      },
    ],
    fix: [
      PERMISSIONS_STEP,
      'Pass the token the runner issues (azure/login does it; by hand: `az login --service-principal -u ' +
        '<APPLICATION-CLIENT-ID> -t <TENANT-ID> --federated-token "$TOKEN"`).',
    ],
    docs: DOCS.githubOidc,
    retry: 'never',
  }),
  e({
    code: 7000216,
    name: '',
    findingId: 'request-invalid',
    builder: 'request-invalid',
    severity: 'error',
    title: 'The client-credentials request carried no credential',
    meaning: "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    causes: [causeMissingIdTokenPermission],
    fix: [PERMISSIONS_STEP],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 700025,
    name: 'InvalidClientPublicClientWithCredential',
    findingId: 'request-invalid',
    builder: 'catalog',
    severity: 'error',
    title: 'The client is a public client, so no credential may be presented',
    meaning:
      'Entra treats this client id as a public client (not to be confused with 70025, "no federated credentials").',
    causes: [
      {
        id: 'public-client',
        text:
          'The client id belongs to a public client application (mobile/desktop) rather than a ' +
          'confidential app or managed identity.',
      },
    ],
    fix: [`Use the client id of the app registration that has the federated credential (${LIST_CREDENTIALS}).`],
    docs: DOCS.errorLookup(700025),
    retry: 'never',
  }),
  e({
    code: 500011,
    name: 'InvalidResourceServicePrincipalNotFound',
    findingId: 'request-invalid',
    builder: 'request-invalid',
    severity: 'error',
    title: 'The requested resource was not found in the tenant',
    meaning: 'The scope names a resource (API) that has no service principal in this tenant.',
    causes: [
      {
        id: 'scope-typo',
        text:
          'The scope is wrong: a typo, a trailing slash before `/.default` ' +
          "(`https://management.azure.com//.default`), or another cloud's endpoint.",
      },
      {
        id: 'resource-not-provisioned',
        text: 'The API is not provisioned in this tenant (a custom API registered in another tenant).',
      },
    ],
    fix: [
      'Request a resource that exists in the tenant, e.g. `https://management.azure.com/.default` (US ' +
        'Government `https://management.usgovcloudapi.net/.default`).',
    ],
    docs: DOCS.errorLookup(500011),
    retry: 'never',
  }),
  e({
    code: 70011,
    name: 'InvalidScope',
    findingId: 'request-invalid',
    builder: 'request-invalid',
    severity: 'error',
    title: 'The requested scope is not valid',
    meaning: 'The client-credentials grant needs exactly one scope of the form `<resource>/.default`.',
    causes: [
      {
        id: 'scope-shape',
        text: 'The scope lacks `/.default`, names several resources, or names a delegated permission (`user.read`).',
      },
    ],
    fix: [
      'Request `https://management.azure.com/.default` (or `<resource>/.default` for another API), one ' +
        'resource per request.',
    ],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  // ---- the secret path was used, not federation ------------------------------------------------
  e({
    code: 7000215,
    name: '',
    findingId: 'not-federation',
    builder: 'not-federation',
    severity: 'error',
    title: 'A client secret was used, not the OIDC token, and it is invalid',
    meaning:
      'Entra received `client_secret`, not a federated `client_assertion`. This run did not use workload ' +
      'identity federation.',
    causes: [
      causeSecretPath,
      {
        id: 'secret-id-not-value',
        text: "The secret's ID was stored instead of its value, or the secret was rotated.",
      },
    ],
    fix: [
      OIDC_LOGIN_YAML,
      "Then delete the stored client secret (`AZURE_CREDENTIALS`) and the app's secret: `az ad app " +
        'credential delete --id <APPLICATION-CLIENT-ID> --key-id <KEY-ID>`.',
    ],
    docs: DOCS.azureLoginOidc,
    retry: 'never',
  }),
  e({
    code: 7000222,
    name: 'InvalidClientSecretExpiredKeysProvided',
    findingId: 'not-federation',
    builder: 'not-federation',
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
    builder: 'catalog',
    severity: 'error',
    title: "A flexible credential's expression does not parse",
    meaning: 'Entra could not parse a claimsMatchingExpression.',
    causes: [
      {
        id: 'syntax',
        text:
          "The expression is not `claims['<name>'] <eq|matches> '<value>'` clauses joined by ` and ` " +
          '(single spaces, single quotes, a quote inside a value doubled).',
      },
    ],
    fix: [
      `Rewrite it as \`claims['sub'] matches 'repo:OWNER/REPO:ref:refs/heads/*' and claims['repository_id'] ` +
        `eq '<REPOSITORY-ID>'\` via \`az rest --method PATCH --uri ` +
        `"https://graph.microsoft.com/beta/applications(appId='${C}')/federatedIdentityCredentials/<CREDENTIAL-ID>" ` +
        `--body @credential.json\``,
    ],
    docs: DOCS.flexible,
    retry: 'never',
  }),
  e({
    code: 700234,
    name: '',
    findingId: 'expression-invalid',
    builder: 'catalog',
    severity: 'error',
    title: "A flexible credential's expression could not be evaluated",
    meaning: 'Entra failed evaluating a claimsMatchingExpression against the token.',
    causes: [
      {
        id: 'evaluation',
        text:
          'The expression refers to a claim or operator Entra does not support for this issuer (GitHub: ' +
          '`sub` and `job_workflow_ref` with eq or matches; `repository_id` and `repository_owner_id` ' +
          'with eq).',
      },
    ],
    fix: [
      `For GitHub issuers use \`sub\` and \`job_workflow_ref\` (\`eq\`/\`matches\`) and ` +
        `\`repository_id\`/\`repository_owner_id\` (\`eq\` only): \`az rest --method PATCH --uri ` +
        `"https://graph.microsoft.com/beta/applications(appId='${C}')/federatedIdentityCredentials/<CREDENTIAL-ID>" ` +
        `--body @credential.json\` with \`{"claimsMatchingExpression": {"value": "claims['sub'] matches ` +
        `'repo:OWNER/REPO:ref:refs/heads/*' and claims['repository_id'] eq '<REPOSITORY-ID>'", ` +
        `"languageVersion": 1}}\``,
    ],
    docs: DOCS.flexible,
    retry: 'never',
  }),
  e({
    code: 700237,
    name: '',
    findingId: 'expression-invalid',
    builder: 'catalog',
    severity: 'error',
    title: 'Flexible credential expressions are not allowed here',
    meaning: 'The credential uses a claimsMatchingExpression where Entra does not allow one.',
    causes: [
      {
        id: 'not-allowed',
        text:
          'The issuer or claim is not supported for expressions (GitHub: `sub`, `job_workflow_ref`, ' +
          '`repository_id`, `repository_owner_id`).',
      },
    ],
    fix: [
      `Use an expression over \`sub\`, \`job_workflow_ref\`, \`repository_id\` or \`repository_owner_id\` ` +
        `only: \`az rest --method PATCH --uri ` +
        `"https://graph.microsoft.com/beta/applications(appId='${C}')/federatedIdentityCredentials/<CREDENTIAL-ID>" ` +
        `--body @credential.json\` with \`{"claimsMatchingExpression": {"value": "claims['sub'] matches ` +
        `'repo:OWNER/REPO:ref:refs/heads/*' and claims['repository_id'] eq '<REPOSITORY-ID>'", ` +
        `"languageVersion": 1}}\`, or a classic credential for the exact subject: ` +
        `${createFor(PLACEHOLDER.subject)}`,
    ],
    docs: DOCS.flexible,
    retry: 'never',
  }),
  e({
    code: 700235,
    name: '',
    findingId: 'expression-invalid',
    builder: 'catalog',
    severity: 'error',
    title: 'This identity type does not support flexible credentials',
    meaning: 'Flexible federated credentials are supported on application objects only, not on managed identities.',
    causes: [{ id: 'managed-identity', text: 'The expression is on a user-assigned managed identity.' }],
    fix: [
      'On the managed identity, add one classic credential per exact subject: `az identity ' +
        'federated-credential create --name github-actions --identity-name <IDENTITY-NAME> --resource-group ' +
        '<RESOURCE-GROUP> --issuer https://token.actions.githubusercontent.com --subject <PRESENTED-SUBJECT> ' +
        '--audiences api://AzureADTokenExchange`',
      'Or put the flexible credential on an app registration.',
    ],
    docs: DOCS.flexible,
    retry: 'never',
  }),
  e({
    code: 7002241,
    name: '',
    findingId: 'expression-invalid',
    builder: 'catalog',
    severity: 'error',
    title: 'This issuer may not use expression matching',
    meaning: "Entra blocks claimsMatchingExpression for the credential's issuer.",
    causes: [
      {
        id: 'issuer-blocked',
        text:
          'Only documented issuers (GitHub, GitLab, Terraform Cloud) support flexible credentials; ' +
          'GitHub Enterprise Server issuers are not among them.',
      },
    ],
    fix: [
      `Use classic credentials with exact subjects for this issuer: ` +
        `${createFor(PLACEHOLDER.subject, PLACEHOLDER.issuer)}`,
    ],
    docs: DOCS.flexible,
    retry: 'never',
  }),
];
