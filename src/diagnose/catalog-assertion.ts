/** The assertion itself: lifetime, signing keys, discovery, malformed or the wrong kind of token. */
import { C, DOCS, LIST_CREDENTIALS, OIDC_LOGIN_YAML, PERMISSIONS_STEP, PLACEHOLDER, e } from './catalog-base.js';
import type { CatalogEntry } from './catalog-base.js';
import {
  causeGhes,
  causeMissingIdTokenPermission,
  causeNotGitHubToken,
  causeSelfSigned,
  causeWrongApp,
} from './catalog-causes.js';

export const ASSERTION_ENTRIES: readonly CatalogEntry[] = [
  // ---- assertion lifetime, keys and discovery -------------------------------------------------
  e({
    code: 700024,
    name: '',
    findingId: 'assertion-expired',
    builder: 'assertion-expired',
    severity: 'error',
    title: 'The GitHub token was expired (or not yet valid) when Entra received it',
    meaning:
      "Entra checks the assertion's `exp` (and `nbf`). GitHub OIDC tokens are valid for about 5 minutes from " +
      'issue, so a token reused later, or sent from a runner whose clock is off, is refused.',
    causes: [
      {
        id: 'token-reused',
        text:
          'The token was fetched once and used again after it expired: a long job that logs in again ' +
          'later, a retry loop reusing the first token, or a token stored in a variable or file.',
      },
      {
        id: 'clock-skew',
        text: "The runner's clock is off (self-hosted runners): the token looks not-yet-valid or expired to Entra.",
      },
      {
        id: 'no-nbf',
        text: '"assertion valid from 1970-01-01" means the token has no `nbf`; only `exp` matters then.',
      },
    ],
    fix: [
      'Fetch a fresh GitHub token for every exchange attempt, right before it: run `azure/login` again ' +
        'before the step that needs Azure, instead of reusing one token.',
      'For a long job, log in again before later Azure steps (the Azure CLI session from OIDC lasts about an ' +
        'hour and cannot refresh itself).',
      'On a self-hosted runner, sync the clock: `sudo timedatectl set-ntp true` (Linux) or `w32tm /resync` (Windows).',
    ],
    docs: DOCS.considerations,
    retry: 'never',
  }),
  e({
    code: 7000272,
    name: '',
    findingId: 'signing-key-not-found',
    builder: 'signing-key',
    severity: 'error',
    title: "Entra cannot find the token's signing key in the issuer's metadata",
    meaning:
      'The key id (`kid`) in the token header is not in the JWKS Entra has for the issuer. Entra caches ' +
      'issuer metadata, so a new issuer or a rotated key can be unknown for a while.',
    causes: [
      {
        id: 'metadata-cache',
        text:
          "The issuer is new to Entra or rotated its keys: Entra's cached metadata lags (reported as " +
          '20–30 minutes or more for new issuers).',
      },
      {
        id: 'jwks-missing-key',
        text:
          "The issuer's JWKS does not publish the key (custom or GitHub Enterprise Server issuer " +
          'misconfigured, or more than 100 keys: Entra keeps only the first 100).',
      },
      causeGhes,
    ],
    fix: [
      `Check the key is published: \`curl -s "${PLACEHOLDER.issuer}/.well-known/openid-configuration" | jq ` +
        `-r .jwks_uri | xargs curl -s | jq -r '.keys[].kid'\` and look for the token's kid.`,
      "If it is listed, wait and retry (Entra refreshes its metadata cache); if not, fix the issuer's JWKS.",
    ],
    docs: DOCS.considerations,
    retry: 'propagation',
  }),
  e({
    code: 90061,
    name: '',
    findingId: 'issuer-unreachable',
    builder: 'issuer-unreachable',
    severity: 'error',
    title: "Entra could not fetch the issuer's OIDC discovery document or keys",
    meaning:
      'To validate the token Entra downloads `<issuer>/.well-known/openid-configuration` and its `jwks_uri` ' +
      'from the internet. That request failed.',
    causes: [
      {
        id: 'private-issuer',
        text:
          'The issuer is not reachable from the internet: GitHub Enterprise Server behind a firewall or ' +
          'VPN, or storage hosting the discovery documents with network restrictions.',
      },
      causeGhes,
      {
        id: 'outage',
        text: "A transient failure on the issuer's side (for github.com, check https://www.githubstatus.com).",
      },
    ],
    fix: [
      `From outside your network, check that both answer 200 with JSON: \`curl -si ` +
        `"${PLACEHOLDER.issuer}/.well-known/openid-configuration"\` and the \`jwks_uri\` it names.`,
      'For GitHub Enterprise Server, expose ' +
        '`https://HOSTNAME/_services/token/.well-known/openid-configuration` and the JWKS publicly (Entra has ' +
        'no private connectivity).',
    ],
    docs: DOCS.createTrust,
    retry: 'transient',
    related: [50166, 501661],
  }),
  e({
    code: 50166,
    name: 'ExternalClaimsProviderThrottled',
    findingId: 'issuer-unreachable',
    builder: 'issuer-unreachable',
    severity: 'error',
    title: "Entra's request to the issuer's OIDC endpoint failed",
    meaning:
      "Same as 90061: Entra could not download the issuer's discovery document or JWKS (Microsoft's older " +
      'reference called this code ExternalClaimsProviderThrottled).',
    causes: [
      {
        id: 'private-issuer',
        text:
          "The issuer's discovery document or JWKS is not publicly reachable (private GitHub Enterprise " +
          'Server, network-restricted storage).',
      },
      { id: 'outage', text: "A transient failure or throttling on the issuer's side." },
    ],
    fix: [
      `From outside your network: \`curl -si "${PLACEHOLDER.issuer}/.well-known/openid-configuration"\` and ` +
        `the \`jwks_uri\` it names must both answer 200.`,
      "Retry once after a minute; if it persists, make the issuer's endpoints public.",
    ],
    docs: DOCS.createTrust,
    retry: 'transient',
    related: [90061, 501661],
  }),
  e({
    code: 501661,
    name: '',
    findingId: 'issuer-unreachable',
    builder: 'issuer-unreachable',
    severity: 'error',
    title: "Entra's request to the issuer's OIDC endpoint failed",
    meaning: "Sub-code of 50166: Entra could not download the issuer's discovery document or JWKS.",
    causes: [
      {
        id: 'private-issuer',
        text:
          "The issuer's discovery document or JWKS is not publicly reachable (private GitHub Enterprise " +
          'Server, firewall, restricted storage).',
      },
    ],
    fix: [
      `From outside your network: \`curl -si "${PLACEHOLDER.issuer}/.well-known/openid-configuration"\` must ` +
        `answer 200, and so must its \`jwks_uri\`.`,
    ],
    docs: DOCS.createTrust,
    retry: 'transient',
    related: [90061, 50166],
  }),
  // ---- malformed or wrong kind of assertion ---------------------------------------------------
  e({
    code: 50027,
    name: 'InvalidJwtToken',
    findingId: 'assertion-invalid',
    builder: 'assertion-invalid',
    severity: 'error',
    title: 'Entra could not read the assertion as a valid JWT',
    meaning:
      'The client_assertion is not a well-formed, correctly signed JWT: empty, truncated, masked (`***`), ' +
      'with several audiences, or failing signature verification.',
    causes: [
      causeMissingIdTokenPermission,
      {
        id: 'masked-or-truncated',
        text:
          'A masked (`***`), truncated or quoted token was passed (copied from a log, a variable with a ' +
          'newline, an `echo` of the token).',
      },
      { id: 'multiple-audiences', text: 'The token has several audiences; Entra needs exactly one.' },
      {
        id: 'bad-signature',
        text:
          "The signature does not verify against the issuer's keys (token altered, or signed by another " +
          'key than the JWKS publishes).',
      },
    ],
    fix: [
      PERMISSIONS_STEP,
      'Pass the token straight from the runner (`core.getIDToken(audience)` or `azure/login`), never from a ' +
        'log or an echoed variable.',
    ],
    docs: DOCS.githubOidc,
    retry: 'never',
  }),
  e({
    code: 5002730,
    name: '',
    findingId: 'assertion-invalid',
    builder: 'assertion-invalid',
    severity: 'error',
    title: 'The token is signed with an algorithm or key Entra does not accept',
    meaning: 'Entra supports only RS256-signed tokens for workload identity federation.',
    causes: [
      {
        id: 'non-rs256',
        text:
          'The issuer signs with another algorithm (ES256, PS256, HS256) or a key type Entra does not ' +
          'support; GitHub signs with RS256, so this points at a non-GitHub issuer.',
      },
    ],
    fix: [
      'See the algorithm the token is signed with: `azure-federation-check claims --file token.jwt` (header ' +
        '`alg` must be `RS256`).',
      'Use an issuer that signs with RS256 (GitHub does); for a custom issuer, switch its signing key to RSA / RS256.',
    ],
    docs: DOCS.considerations,
    retry: 'never',
  }),
  e({
    code: 700027,
    name: '',
    findingId: 'assertion-invalid',
    builder: 'assertion-invalid',
    severity: 'error',
    title: "The client assertion's signature did not validate",
    meaning:
      'Entra validated the assertion as a certificate credential (a JWT the client signs with its own key) ' +
      'and the signature failed. For federated tokens a missing key is reported as 7000272 instead.',
    causes: [
      causeSelfSigned,
      {
        id: 'cert-not-uploaded',
        text: 'A certificate-based login is configured and the certificate (thumbprint) is not uploaded to the app.',
      },
    ],
    fix: [
      OIDC_LOGIN_YAML,
      `For a certificate login, compare the thumbprint with the app's keys: \`az ad app credential list --id ` +
        `${C} --cert\``,
    ],
    docs: DOCS.certificateCredentials,
    retry: 'never',
  }),
  e({
    code: 50048,
    name: 'SubjectMismatchesIssuer',
    findingId: 'assertion-invalid',
    builder: 'assertion-invalid',
    severity: 'error',
    title: 'Entra treated the assertion as a self-signed certificate assertion',
    meaning:
      'In a self-signed client assertion `iss` must equal `sub` (both the client id). A GitHub token never ' +
      'has that shape, so Entra did not take the federated path.',
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
    builder: 'assertion-invalid',
    severity: 'error',
    title: "The client assertion's application id does not match client_id",
    meaning:
      "Certificate-assertion check: the assertion's `iss`/`sub` must be the `client_id` sent with it. Entra " +
      'did not treat the token as a federated credential.',
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
    builder: 'assertion-invalid',
    severity: 'error',
    title: "The client assertion's audience does not match the token endpoint (or the scope names no resource)",
    meaning:
      'Azure SDKs report this as "Client assertion audience claim does not match Realm issuer" (a ' +
      "self-signed assertion whose `aud` is not the tenant's token endpoint); Microsoft's reference names " +
      'it InvalidResourcelessScope (a scope without a resource).',
    causes: [
      causeSelfSigned,
      {
        id: 'resourceless-scope',
        text: 'The `scope` has no resource, e.g. `.default` alone instead of `https://management.azure.com/.default`.',
      },
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
    builder: 'assertion-invalid',
    severity: 'error',
    title: 'An id_token was used as a jwt-bearer (on-behalf-of) grant',
    meaning:
      'The request used `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` (on-behalf-of) with an ID ' +
      'token. Workload identity federation uses the client-credentials grant with the token as ' +
      '`client_assertion`.',
    causes: [
      {
        id: 'wrong-grant',
        text: 'The code or tool sends the GitHub token as an OBO `assertion` instead of `client_assertion`.',
      },
    ],
    fix: [
      'Send `grant_type=client_credentials`, ' +
        '`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, ' +
        '`client_assertion=<GitHub token>`, `scope=https://management.azure.com/.default` (or use azure/login ' +
        'or `ClientAssertionCredential`).',
    ],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 700222,
    name: '',
    findingId: 'assertion-invalid',
    builder: 'assertion-invalid',
    severity: 'error',
    title: 'An Entra-issued token was presented where only external tokens are accepted',
    meaning:
      'The assertion was issued by Microsoft Entra itself (an access token or managed-identity token), not by GitHub.',
    causes: [
      causeNotGitHubToken,
      {
        id: 'unsupported-entra-issuer',
        text:
          'The credential trusts an Entra issuer form that is not supported for federation (only ' +
          "`https://login.microsoftonline.com/<tenant>/v2.0` with a user-assigned managed identity's " +
          'token).',
      },
    ],
    fix: [
      'Pass the GitHub OIDC token (from `ACTIONS_ID_TOKEN_REQUEST_URL`, `core.getIDToken()` or azure/login), ' +
        'not an Azure access token, as the federated token.',
      `To federate a managed identity instead, create the credential with issuer ` +
        `\`https://login.microsoftonline.com/${PLACEHOLDER.tenant}/v2.0\` and the identity's principal id as ` +
        `subject (see ${DOCS.managedIdentityAsFic}).`,
    ],
    docs: DOCS.managedIdentityAsFic,
    retry: 'never',
  }),
  e({
    code: 700229,
    name: 'ForbiddenTokenType',
    findingId: 'assertion-invalid',
    builder: 'assertion-invalid',
    severity: 'error',
    title: 'A user-delegated Entra token was used as a federated credential',
    meaning:
      'Only app-only Entra tokens (client credentials or managed identity) may be federated credentials for ' +
      'an Entra issuer. Never applies to GitHub tokens.',
    causes: [
      causeNotGitHubToken,
      {
        id: 'user-token',
        text:
          "A token obtained for a signed-in user (it has `scp`) was passed; a managed identity's or " +
          "app's token is needed.",
      },
    ],
    fix: [
      'Get the assertion with a managed identity or client credentials for ' +
        '`api://AzureADTokenExchange/.default`; for GitHub Actions pass the GitHub OIDC token instead.',
    ],
    docs: DOCS.managedIdentityAsFic,
    retry: 'never',
  }),
  e({
    code: 50013,
    name: 'InvalidAssertion',
    findingId: 'assertion-invalid',
    builder: 'assertion-invalid',
    severity: 'error',
    title: 'The assertion is invalid (expired, malformed or failed signature validation)',
    meaning:
      'Mostly seen with on-behalf-of user assertions; for workload identity federation it means the token ' +
      'could not be validated.',
    causes: [
      {
        id: 'wrong-grant',
        text: 'The GitHub token was sent as an on-behalf-of `assertion` rather than as `client_assertion`.',
      },
      causeSelfSigned,
    ],
    fix: [
      'Send `grant_type=client_credentials` with ' +
        '`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and the GitHub token ' +
        'as `client_assertion` (azure/login does this), not ' +
        '`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`.',
    ],
    docs: DOCS.clientCredentials,
    retry: 'never',
  }),
  e({
    code: 900384,
    name: '',
    findingId: 'assertion-invalid',
    builder: 'assertion-invalid',
    severity: 'error',
    title: 'The JWT failed signature validation',
    meaning: "Entra could not verify the token's signature with the issuer's published keys.",
    causes: [
      {
        id: 'bad-signature',
        text: 'The token was altered, truncated, or signed by a key the issuer does not publish.',
      },
    ],
    fix: [
      'See which key signed the token: `azure-federation-check claims --file token.jwt` (header `kid`), then ' +
        'look for it in the issuer\'s keys: `curl -s "<PRESENTED-ISSUER>/.well-known/openid-configuration" | ' +
        "jq -r .jwks_uri | xargs curl -s | jq -r '.keys[].kid'`",
      'Pass the token exactly as GitHub issued it; for a custom issuer, make its JWKS publish the signing key.',
    ],
    docs: DOCS.considerations,
    retry: 'never',
  }),
];
