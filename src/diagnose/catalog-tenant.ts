/** The identity, tenant and cloud, and tenant policy. */
import { C, DOCS, PLACEHOLDER, e } from './catalog-base.js';
import type { CatalogEntry } from './catalog-base.js';
import { causeAdminOnly, causeEnterpriseIssuer } from './catalog-causes.js';

export const TENANT_ENTRIES: readonly CatalogEntry[] = [
  // ---- client, tenant and cloud ---------------------------------------------------------------
  e({
    code: 700016,
    name: 'UnauthorizedClient_DoesNotMatchRequest',
    findingId: 'client-not-found',
    builder: 'client-not-found',
    severity: 'error',
    title: 'The client id was not found in the tenant',
    meaning: 'No application or managed identity with this client id exists in the tenant the request went to.',
    causes: [
      {
        id: 'wrong-tenant',
        text:
          'The app lives in another tenant than `tenant-id` (a second directory, a test tenant, or a ' +
          'multi-tenant app not provisioned in this one).',
      },
      {
        id: 'wrong-id-kind',
        text:
          "The value is not an application (client) id: the object id, a managed identity's principal " +
          'id, a subscription id, or a secret name.',
      },
      {
        id: 'deleted',
        text: 'The app registration or managed identity was deleted (or recreated with a new client id).',
      },
    ],
    fix: [
      `Look the id up: \`az ad app show --id ${C} --query "{name:displayName, appId:appId}"\`, \`az ad sp ` +
        `show --id ${C} --query appOwnerOrganizationId\`, \`az identity list --query ` +
        `"[?clientId=='${C}'].{name:name, tenantId:tenantId}"\``,
      'Use the tenant where it exists: `az account show --query tenantId -o tsv` (in that directory), and ' +
        "set the workflow's `tenant-id` to it.",
    ],
    docs: DOCS.errorLookup(700016),
    retry: 'never',
  }),
  e({
    code: 7000112,
    name: 'UnauthorizedClientApplicationDisabled',
    findingId: 'client-disabled',
    builder: 'client-disabled',
    severity: 'error',
    title: 'The application is disabled',
    meaning:
      'The service principal of the app has sign-in disabled (`accountEnabled = false`), or Microsoft ' +
      'disabled the app.',
    causes: [
      {
        id: 'sign-in-disabled',
        text: 'An administrator set "Enabled for users to sign-in?" to No on the enterprise application.',
      },
      {
        id: 'disabled-by-microsoft',
        text: 'Microsoft disabled the application (e.g. after suspicious activity); only support can re-enable it.',
      },
    ],
    fix: [
      `Check and re-enable: \`az ad sp show --id ${C} --query accountEnabled\` then \`az ad sp update --id ` +
        `${C} --set accountEnabled=true\` (Entra admin center → Enterprise applications → the app → Properties ` +
        `→ Enabled for users to sign-in? → Yes)`,
    ],
    docs: DOCS.errorLookup(7000112),
    retry: 'never',
  }),
  e({
    code: 90002,
    name: 'InvalidTenantName',
    findingId: 'tenant-not-found',
    builder: 'tenant',
    severity: 'error',
    title: 'The tenant was not found in this cloud',
    meaning:
      'The authority host does not know the tenant id or domain: wrong tenant, or a tenant of another Azure cloud.',
    causes: [
      {
        id: 'wrong-tenant-id',
        text:
          'The `tenant-id` is wrong: a subscription id, a typo, a deleted tenant, or a domain that is ' +
          'not verified in any tenant.',
      },
      {
        id: 'wrong-cloud',
        text:
          "The tenant is in another cloud (Azure US Government, China): set the login step's " +
          '`environment:` and the matching audience.',
        appliesWhen: (c) => (c.cloud && c.cloud.name !== 'azurecloud' ? true : undefined),
      },
    ],
    fix: [
      `Ask each cloud whether it knows the tenant: \`curl -s ` +
        `https://login.microsoftonline.com/${PLACEHOLDER.tenant}/v2.0/.well-known/openid-configuration | jq ` +
        `.tenant_region_scope\` (US Government: login.microsoftonline.us, China: login.chinacloudapi.cn)`,
      'Set the tenant (and for a national cloud, `environment: azureusgovernment` or `azurechinacloud` plus ' +
        '`audience: api://AzureADTokenExchangeUSGov` / `…China`) in the login step.',
    ],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  e({
    code: 900023,
    name: '',
    findingId: 'tenant-not-found',
    builder: 'tenant',
    severity: 'error',
    title: 'The tenant identifier is not a GUID or a domain',
    meaning: 'The tenant part of the authority URL is malformed, so Entra cannot even look it up.',
    causes: [
      {
        id: 'empty-secret',
        text:
          'The `tenant-id` came from a secret or variable that is empty in this run (fork pull requests ' +
          'and Dependabot get no secrets), leaving `undefined` or an empty value.',
      },
      {
        id: 'template-left',
        text:
          'A template placeholder was left in (`{{tenantid}}`, `<TENANT-ID>`), or extra characters ' +
          '(quotes, spaces, a URL) surround the id.',
      },
    ],
    fix: [
      'Set `tenant-id: ${{ vars.AZURE_TENANT_ID }}` (a variable, visible to fork PRs) or a secret that ' +
        'exists, holding a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47 or a verified domain.',
    ],
    docs: DOCS.errorLookup(900023),
    retry: 'never',
  }),
  e({
    code: 900439,
    name: 'USGClientNotSupportedOnPublicEndpoint',
    findingId: 'cloud-mismatch',
    builder: 'cloud',
    severity: 'error',
    title: 'A US Government tenant or app was used against the public cloud endpoint',
    meaning:
      'The request went to login.microsoftonline.com, but the tenant or application lives in Azure US Government.',
    causes: [
      {
        id: 'missing-environment',
        text: 'The login step has no `environment: azureusgovernment`, so it used the public authority and audience.',
      },
    ],
    fix: [
      'In the login step: `environment: azureusgovernment` and `audience: api://AzureADTokenExchangeUSGov` ' +
        "(and the credential's audience must be the same).",
    ],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  e({
    code: 900440,
    name: 'PublicTenantNotSupportedOnUSGovEndpoint',
    findingId: 'cloud-mismatch',
    builder: 'cloud',
    severity: 'error',
    title: 'A public-cloud tenant was used against the US Government endpoint',
    meaning: 'The request went to login.microsoftonline.us, but the tenant lives in the public Azure cloud.',
    causes: [
      {
        id: 'wrong-environment',
        text: 'The login step sets `environment: azureusgovernment` for a public-cloud tenant.',
      },
    ],
    fix: [
      'Remove `environment:` from the login step (or set `azurecloud`) and use `audience: api://AzureADTokenExchange`.',
    ],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  e({
    code: 900382,
    name: '',
    findingId: 'cloud-mismatch',
    builder: 'cloud',
    severity: 'error',
    title: 'Confidential client is not supported in a cross-cloud request',
    meaning:
      'The app and the authority are in different Azure clouds; confidential clients (including federated ' +
      'credentials) cannot sign in across clouds.',
    causes: [
      {
        id: 'cross-cloud',
        text:
          'The tenant, the app and the authority host are not all in the same cloud (e.g. a US ' +
          'Government tenant through the public endpoint).',
      },
    ],
    fix: [
      "Use the authority and audience of the app's cloud: `environment: azureusgovernment` / " +
        '`azurechinacloud` and `audience: api://AzureADTokenExchangeUSGov` / `…China` in the login step.',
    ],
    docs: DOCS.nationalClouds,
    retry: 'never',
    related: [900432],
  }),
  e({
    code: 900432,
    name: '',
    findingId: 'cloud-mismatch',
    builder: 'cloud',
    severity: 'error',
    title: 'Confidential client is not supported in a cross-cloud request',
    meaning: 'Same as 900382: the app and the authority are in different Azure clouds.',
    causes: [{ id: 'cross-cloud', text: 'The tenant, the app and the authority host are not all in the same cloud.' }],
    fix: ["Use the authority and audience of the app's cloud (`environment:` and `audience:` in the login step)."],
    docs: DOCS.nationalClouds,
    retry: 'never',
    related: [900382],
  }),
  e({
    code: 90038,
    name: 'NationalCloudTenantRedirection',
    findingId: 'cloud-mismatch',
    builder: 'cloud',
    severity: 'error',
    title: 'The tenant belongs to another national cloud',
    meaning: 'The tenant lives in a national cloud that the requested cloud does not federate with.',
    causes: [{ id: 'wrong-environment', text: 'The login step uses the wrong `environment:` for this tenant.' }],
    fix: ["Set the login step's `environment:` to the tenant's cloud and use that cloud's audience."],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  e({
    code: 50049,
    name: 'NoSuchInstanceForDiscovery',
    findingId: 'cloud-mismatch',
    builder: 'cloud',
    severity: 'error',
    title: 'Unknown or invalid authority instance',
    meaning:
      'Instance discovery failed: the authority host is not an Entra host Entra knows (typo, proxy, or an ' +
      'Azure Stack endpoint).',
    causes: [
      {
        id: 'bad-authority',
        text: 'A custom authority host or `AZURE_AUTHORITY_HOST` with a typo, a path, or a host of another cloud.',
      },
      { id: 'azure-stack', text: '`environment: azurestack` without the right `resourceManagerEndpointUrl`.' },
    ],
    fix: [
      'Use a known authority host: https://login.microsoftonline.com (public), ' +
        'https://login.microsoftonline.us (US Government), https://login.chinacloudapi.cn (China); remove ' +
        'custom `AZURE_AUTHORITY_HOST` values.',
    ],
    docs: DOCS.nationalClouds,
    retry: 'never',
  }),
  // ---- tenant policy (admin only) -------------------------------------------------------------
  e({
    code: 53003,
    name: 'BlockedByConditionalAccess',
    findingId: 'tenant-policy',
    builder: 'tenant-policy',
    severity: 'error',
    title: 'Conditional Access blocked the sign-in',
    meaning:
      'A Conditional Access policy for workload identities blocked the token. The federated credential is ' +
      "fine; the tenant's policy refused this sign-in (location or service-principal risk).",
    causes: [
      {
        id: 'location-policy',
        text: 'A location policy allows only named IP ranges; GitHub-hosted runners use changing Azure IP addresses.',
      },
      { id: 'risk-policy', text: 'A service principal risk policy flagged the app.' },
      causeAdminOnly,
    ],
    fix: [
      'Ask a tenant admin: Entra admin center → Monitoring & health → Sign-in logs → Service principal ' +
        'sign-ins, filter by the application id and the correlation id below, and read which policy applied.',
      "Then exclude this service principal from the policy, allow the runners' egress IPs (larger runners " +
        'with static IPs, or self-hosted runners), or use a managed identity (Conditional Access does not ' +
        'cover managed identities).',
    ],
    docs: DOCS.conditionalAccess,
    retry: 'never',
  }),
  e({
    code: 700223,
    name: '',
    findingId: 'tenant-policy',
    builder: 'tenant-policy',
    severity: 'error',
    title: 'Workload identity federation is disabled or constrained in this tenant',
    meaning:
      'A tenant-wide Microsoft Entra policy disables or restricts federated identity credentials. Not ' +
      'fixable in the credential.',
    causes: [causeAdminOnly],
    fix: [
      'Ask a tenant admin to allow workload identity federation for this issuer (Entra app management ' +
        "policy), or use a user-assigned managed identity's federated credential if the policy allows those.",
      'For the admin, the failing sign-in: Entra admin center → Monitoring & health → Sign-in logs → Service ' +
        'principal sign-ins, filtered by the application id and the correlation id below.',
    ],
    docs: DOCS.considerations,
    retry: 'never',
  }),
  e({
    code: 700238,
    name: '',
    findingId: 'tenant-policy',
    builder: 'tenant-policy',
    severity: 'error',
    title: 'The tenant does not allow workload identity federation for this issuer',
    meaning:
      "A tenant policy restricts which issuers may be used in federated credentials, and this token's issuer " +
      'is not allowed.',
    causes: [causeAdminOnly, causeEnterpriseIssuer],
    fix: [
      "Ask a tenant admin to allow this issuer (the tenant's federated identity credential policy); the " +
        'credential itself cannot fix it.',
      'For the admin, the failing sign-in: Entra admin center → Monitoring & health → Sign-in logs → Service ' +
        'principal sign-ins, filtered by the application id and the correlation id below.',
    ],
    docs: DOCS.considerations,
    retry: 'never',
    related: [7002381],
  }),
  e({
    code: 7002381,
    name: '',
    findingId: 'tenant-policy',
    builder: 'tenant-policy',
    severity: 'error',
    title: "The tenant requires the token's `enterprise` claim to have an allowed value",
    meaning:
      'A tenant policy only accepts GitHub tokens whose `enterprise` claim has one of the listed values. The ' +
      'claim is present only for repositories owned by an organisation in a GitHub Enterprise; ' +
      'personal-account repositories never have it.',
    causes: [
      {
        id: 'no-enterprise',
        text:
          'The repository is owned by a personal account or an organisation outside an enterprise, so ' +
          'the token has no `enterprise` claim.',
        appliesWhen: (c) =>
          c.claims
            ? c.claims.enterprise === undefined || c.claims.enterprise === ''
            : c.details.actualValue !== undefined
              ? c.details.actualValue === ''
              : undefined,
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
      'Move the repository into an organisation of an allowed enterprise, or ask the tenant admin for an ' +
        'exception; nothing in the federated credential can change it.',
      "See the token's value: `azure-federation-check claims --file token.jwt` (the `enterprise` claim; " +
        'absent for personal-account repositories).',
      'For the admin, the failing sign-in: Entra admin center → Monitoring & health → Sign-in logs → Service ' +
        'principal sign-ins, filtered by the application id and the correlation id below.',
    ],
    docs: DOCS.githubOidc,
    retry: 'never',
    related: [700238],
  }),
];
