/**
 * Per-cloud endpoints and the token-exchange audience (docs/entra-matching.md §2.3).
 * Names are azure/login's `environment` values.
 */
export type CloudName = 'azurecloud' | 'azureusgovernment' | 'azurechinacloud';

export interface Cloud {
  name: CloudName;
  /** Human name for messages. */
  label: string;
  /** Entra authority host, https, no trailing slash. */
  authorityHost: string;
  /** The audience a GitHub token must carry for this cloud's federated credentials. */
  exchangeAudience: string;
  /** Azure Resource Manager endpoint; `<arm>/.default` is the exchange scope. */
  resourceManager: string;
  graph: string;
  /** `cloud_instance_name` reported by tenant discovery. */
  cloudInstanceName: string;
}

export const CLOUDS: Record<CloudName, Cloud> = {
  azurecloud: {
    name: 'azurecloud',
    label: 'Azure public cloud',
    authorityHost: 'https://login.microsoftonline.com',
    exchangeAudience: 'api://AzureADTokenExchange',
    resourceManager: 'https://management.azure.com',
    graph: 'https://graph.microsoft.com',
    cloudInstanceName: 'microsoftonline.com',
  },
  azureusgovernment: {
    name: 'azureusgovernment',
    label: 'Azure US Government',
    authorityHost: 'https://login.microsoftonline.us',
    exchangeAudience: 'api://AzureADTokenExchangeUSGov',
    resourceManager: 'https://management.usgovcloudapi.net',
    graph: 'https://graph.microsoft.us',
    cloudInstanceName: 'microsoftonline.us',
  },
  azurechinacloud: {
    name: 'azurechinacloud',
    label: 'Azure China (21Vianet)',
    authorityHost: 'https://login.chinacloudapi.cn',
    exchangeAudience: 'api://AzureADTokenExchangeChina',
    resourceManager: 'https://management.chinacloudapi.cn',
    graph: 'https://microsoftgraph.chinacloudapi.cn',
    cloudInstanceName: 'partner.microsoftonline.cn',
  },
};

export const CLOUD_NAMES = Object.keys(CLOUDS) as CloudName[];

export function findCloud(name: string): Cloud | undefined {
  const key = name.trim().toLowerCase();
  // Own keys only: 'constructor' or '__proto__' must not find Object.prototype's members.
  return Object.hasOwn(CLOUDS, key) ? (CLOUDS as Record<string, Cloud>)[key] : undefined;
}

/** The cloud whose exchange audience this is, if any (to explain audience mismatches). */
export function cloudOfAudience(audience: string): Cloud | undefined {
  return CLOUD_NAMES.map((n) => CLOUDS[n]).find((c) => c.exchangeAudience === audience);
}
