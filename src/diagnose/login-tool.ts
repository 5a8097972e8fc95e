/**
 * Which tool printed a failed login, and the fix in that tool's terms: where it takes the client
 * and tenant ids, how it picks the cloud, where its token comes from. The credential-side `az`
 * commands stay in each finding's fix; this adds the other half, on the user's side. Pure.
 */
import type { Finding, FindingId } from './finding.js';
import { CLOUDS, type Cloud } from '../entra/clouds.js';

export type LoginTool =
  | 'azure/login'
  | 'azure-devops'
  | 'azure-powershell'
  | 'terraform'
  | 'azd'
  | 'aks'
  | 'sdk'
  | 'azure-cli';

export const TOOL_LABEL: Record<LoginTool, string> = {
  'azure/login': 'azure/login',
  'azure-devops': 'an Azure DevOps task',
  'azure-powershell': 'Azure PowerShell (Connect-AzAccount)',
  terraform: 'Terraform (azurerm/azuread provider or backend)',
  azd: 'the Azure Developer CLI (azd)',
  aks: 'AKS workload identity',
  sdk: 'an Azure Identity SDK',
  'azure-cli': 'the Azure CLI',
};

// Most specific first: a DevOps task runs the CLI, azure/login runs the CLI and PowerShell, Terraform uses the Go SDK.
const SIGNS: ReadonlyArray<readonly [LoginTool, RegExp]> = [
  [
    'azure-devops',
    new RegExp(
      [
        /##\[section\]Starting:|^Task\s+:|\bAzure(?:CLI|PowerShell)@\d|\bTerraformTask\w*@/.source,
        /service connection|sc:\/\/|vstoken\.dev\.azure\.com|Script failed with error:/.source,
      ].join('|'),
      'im',
    ),
  ],
  [
    'azure/login',
    new RegExp(
      [
        /Run azure\/login@|azure\/login@v|Federated token details:/.source,
        /Attempting Azure (?:CLI|PowerShell) login by using|Login failed with Error:|Running Azure CLI Login/.source,
        /^Using OIDC authentication\.\.\.|^\/usr\/bin\/az cloud set -n/.source,
      ].join('|'),
      'im',
    ),
  ],
  [
    'terraform',
    /\bterraform\b|githubAssertion|clientCredentialsToken|autorest\/|\bARM_[A-Z_]+|provider\["registry\.terraform\.io/i,
  ],
  ['azd', /\bazd (?:auth|up|provision|deploy)\b|azure-dev\b/i],
  ['azure-powershell', /Connect-AzAccount|Az\.Accounts|\bAzurePowerShell\b/i],
  // PowerShell 7's error view: wrapped lines under a "     | " gutter.
  ['azure-powershell', /^ {2,}\| \S/m],
  ['aks', /system:serviceaccount:|oic\.prod-aks\.azure\.com|azure\.workload\.identity|AZURE_FEDERATED_TOKEN_FILE/i],
  [
    'sdk',
    new RegExp(
      [
        /Azure\.Identity|azure\.identity|@azure\/identity|azidentity/.source,
        /ClientAssertionCredential|WorkloadIdentityCredential|DefaultAzureCredential|ChainedTokenCredential/.source,
        /Microsoft\.Identity\.Client|MsalServiceException|Microsoft\.IdentityModel\.Clients\.ActiveDirectory/.source,
      ].join('|'),
    ),
  ],
  [
    'azure-cli',
    /\baz login\b|\/usr\/bin\/az\b|az\.cmd|azure-cli|msal\/authority\.py|OIDC Discovery endpoint rejects our request/i,
  ],
];

/** The tool whose log this is, from its own words (raw text: DevOps prefixes are evidence). */
export function detectLoginTool(text: string): LoginTool | undefined {
  const sample = text.length > 2_000_000 ? text.slice(0, 2_000_000) : text;
  return SIGNS.find(([, re]) => re.test(sample))?.[0];
}

type Family = 'ids' | 'tenant' | 'cloud' | 'token' | 'audience' | 'no-token' | 'secret';

const FAMILY: Partial<Record<FindingId, Family>> = {
  'client-not-found': 'ids',
  'credential-not-found': 'ids',
  'tenant-not-found': 'tenant',
  'cloud-mismatch': 'cloud',
  'subject-mismatch': 'token',
  'subject-case-mismatch': 'token',
  'subject-immutable-format': 'token',
  'subject-custom-template': 'token',
  'issuer-mismatch': 'token',
  'audience-mismatch': 'audience',
  'oidc-unavailable': 'no-token',
  'not-federation': 'secret',
};

type Phrases = Record<Exclude<Family, 'audience'>, string> & { audience?: string };

function phrases(cloud: Cloud | undefined): Record<LoginTool, Phrases> {
  const env = cloud?.name;
  return {
    'azure/login': {
      ids: "the step's `with:` block: client-id: ${{ vars.AZURE_CLIENT_ID }}, tenant-id: ${{ vars.AZURE_TENANT_ID }}.",
      tenant: "tenant-id: in the step's `with:` block, plus `environment:` when the tenant is in a national cloud.",
      cloud: cloud
        ? `environment: ${cloud.name} and audience: ${cloud.exchangeAudience} in the step's \`with:\` block.`
        : "environment: (azureusgovernment or azurechinacloud) and the matching audience: in the step's `with:` block.",
      token: 'the subject comes from the job itself: its `environment:`, the event (pull_request) or the branch/tag.',
      audience:
        "the token's audience is the step's `audience:` input (default api://AzureADTokenExchange; a " +
        'national cloud has its own).',
      'no-token': 'permissions: id-token: write on the job, and client-id/tenant-id in `with:` (no `creds:`).',
      secret:
        'drop `creds:` (or client-secret) and give client-id, tenant-id and subscription-id; with ' +
        '`permissions: id-token: write` azure/login uses OIDC.',
    },
    'azure-devops': {
      ids:
        'the service connection (Project settings → Service connections → the Azure Resource Manager ' +
        'connection): its app registration or managed identity and tenant.',
      tenant: "the service connection's tenant id.",
      cloud: "the service connection's Environment (AzureCloud, AzureUSGovernment, AzureChinaCloud).",
      token:
        "the federated credential's issuer and subject must be exactly those shown on the service " +
        'connection (Workload identity federation details); convert or re-create the connection to have' +
        ' them written for you.',
      'no-token': 'edit the service connection to use Workload identity federation.',
      secret: 'convert the service connection to Workload identity federation (Edit → Convert).',
    },
    'azure-powershell': {
      ids:
        'Connect-AzAccount -ServicePrincipal -ApplicationId <APPLICATION-CLIENT-ID> -Tenant <TENANT-ID>' +
        ' -FederatedToken $token.',
      tenant: 'Connect-AzAccount … -Tenant <TENANT-ID> (add -Environment for a national cloud).',
      cloud: `Connect-AzAccount … -Environment ${cloudPs(env)}.`,
      token:
        "the token passed with -FederatedToken is the job's GitHub token: its subject comes from the " +
        'job (environment, event, branch).',
      'no-token': 'fetch the GitHub token in the job (permissions: id-token: write) and pass it with -FederatedToken.',
      secret:
        'Connect-AzAccount -ServicePrincipal -ApplicationId … -Tenant … -FederatedToken $token instead ' +
        'of -Credential.',
    },
    terraform: {
      ids:
        'ARM_CLIENT_ID and ARM_TENANT_ID (or client_id / tenant_id in the provider and in the azurerm ' +
        'backend block).',
      tenant: 'ARM_TENANT_ID (tenant_id in the provider and backend), plus ARM_ENVIRONMENT for a national cloud.',
      cloud:
        `ARM_ENVIRONMENT=${cloudTf(env)} (environment = "${cloudTf(env)}" in the provider and in the ` +
        `azurerm backend block).`,
      token:
        "with ARM_USE_OIDC=true (use_oidc = true) Terraform requests the job's GitHub token itself: " +
        'its subject comes from the job (environment, event, branch).',
      audience:
        'Terraform asks GitHub for the audience of its environment: set ARM_ENVIRONMENT (environment = ' +
        '"…") in the provider and in the azurerm backend block alike, so both request the audience the ' +
        'credential has.',
      'no-token':
        'ARM_USE_OIDC=true (use_oidc = true in the provider and backend) and permissions: id-token: ' +
        'write on the job: Terraform reads ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN (or ' +
        'ARM_OIDC_REQUEST_URL / ARM_OIDC_REQUEST_TOKEN).',
      secret: 'unset ARM_CLIENT_SECRET and set ARM_USE_OIDC=true (use_oidc = true).',
    },
    azd: {
      ids:
        'azd auth login --client-id <APPLICATION-CLIENT-ID> --tenant-id <TENANT-ID> --federated-' +
        'credential-provider github.',
      tenant: 'azd auth login --tenant-id <TENANT-ID>.',
      cloud: `azd config set cloud.name ${cloudPs(env)} before azd auth login.`,
      token:
        "azd auth login --federated-credential-provider github uses the job's GitHub token: its " +
        'subject comes from the job (environment, event, branch).',
      'no-token':
        'azd auth login --federated-credential-provider github needs permissions: id-token: write on ' + 'the job.',
      secret: 'azd auth login --federated-credential-provider github instead of --client-secret.',
    },
    aks: {
      ids: 'the service account annotation azure.workload.identity/client-id (and AZURE_TENANT_ID).',
      tenant:
        'AZURE_TENANT_ID in the pod (set by the webhook from the service account annotation ' +
        'azure.workload.identity/tenant-id).',
      cloud: 'AZURE_AUTHORITY_HOST in the pod.',
      token:
        "the credential's issuer must be the cluster's (az aks show -n <CLUSTER> -g <RESOURCE-GROUP> " +
        '--query oidcIssuerProfile.issuerUrl -o tsv) and its subject ' +
        'system:serviceaccount:<NAMESPACE>:<SERVICE-ACCOUNT>.',
      'no-token': 'label the pod azure.workload.identity/use: "true" so the webhook mounts AZURE_FEDERATED_TOKEN_FILE.',
      secret: 'use WorkloadIdentityCredential with the projected token instead of a secret.',
    },
    sdk: {
      ids:
        'AZURE_CLIENT_ID and AZURE_TENANT_ID (or the clientId / tenantId given to ' +
        'ClientAssertionCredential or WorkloadIdentityCredential).',
      tenant: "AZURE_TENANT_ID (the credential's tenantId).",
      cloud: "AZURE_AUTHORITY_HOST (the credential's authorityHost), e.g. https://login.chinacloudapi.cn.",
      token:
        "the assertion callback (or AZURE_FEDERATED_TOKEN_FILE) returns the job's GitHub token: its " +
        'subject comes from the job (environment, event, branch).',
      'no-token': 'the assertion callback needs a GitHub token: permissions: id-token: write on the job.',
      secret:
        'ClientAssertionCredential (or WorkloadIdentityCredential) with the GitHub token instead of ' +
        'ClientSecretCredential.',
    },
    'azure-cli': {
      ids: 'az login --service-principal -u <APPLICATION-CLIENT-ID> --tenant <TENANT-ID> --federated-token "$TOKEN".',
      tenant: 'az login … --tenant <TENANT-ID> (az cloud set first for a national cloud).',
      cloud: `az cloud set -n ${cloudPs(env)} before az login.`,
      token:
        "the token passed with --federated-token is the job's GitHub token: its subject comes from the" +
        ' job (environment, event, branch).',
      'no-token':
        'fetch the GitHub token in the job (permissions: id-token: write) and pass it with --federated-' + 'token.',
      secret: 'az login --service-principal … --federated-token "$TOKEN" instead of --password.',
    },
  };
}

function cloudPs(name: string | undefined): string {
  if (name === undefined) return 'AzureUSGovernment (or AzureChinaCloud)';
  return name === 'azureusgovernment'
    ? 'AzureUSGovernment'
    : name === 'azurechinacloud'
      ? 'AzureChinaCloud'
      : 'AzureCloud';
}

function cloudTf(name: string | undefined): string {
  if (name === undefined) return 'usgovernment';
  return name === 'azureusgovernment' ? 'usgovernment' : name === 'azurechinacloud' ? 'china' : 'public';
}

/** The same findings, each error's fix ending with the setting to change in the user's tool. */
export function withToolFix(findings: readonly Finding[], tool: LoginTool | undefined, cloud?: Cloud): Finding[] {
  if (!tool) return [...findings];
  return findings.map((f) => {
    const family = FAMILY[f.id];
    if (!family || f.severity !== 'error') return f;
    const table = phrases(family === 'cloud' ? (cloudNamedBy(f) ?? cloud) : cloud)[tool];
    const text = family === 'audience' ? (table.audience ?? table.token) : table[family];
    return { ...f, fix: `${f.fix}\nIn ${TOOL_LABEL[tool]}: ${text}` };
  });
}

/** The cloud a cloud-mismatch finding points to: the authority host it expects. */
function cloudNamedBy(f: Finding): Cloud | undefined {
  const host = f.evidence?.find((e) => e.label === 'authority host')?.expected;
  return host ? Object.values(CLOUDS).find((k) => k.authorityHost === host) : undefined;
}
