/**
 * Is the tenant in another cloud than the one this run uses? Decided from tenant discovery
 * (`cloud_instance_name`, docs/entra-matching.md §2.3): pure, given the discovery answers.
 *
 * - The chosen authority knows the tenant and reports another `cloud_instance_name` (a US Government
 *   tenant asked at the public endpoint does this): the tenant lives in that cloud.
 * - The chosen authority does not know the tenant (AADSTS90002) but another cloud's does.
 * `tenant_region_scope` is shown as evidence only: a GCC (moderate) tenant reports a US region scope
 * yet lives in the public cloud, so the scope alone never decides.
 */
import { CLOUDS, CLOUD_NAMES, type Cloud } from './clouds.js';
import type { TenantDiscovery } from './azure-read.js';
import type { Finding } from '../diagnose/finding.js';

/** AADSTS codes after which a cloud mix is worth checking. */
export const CLOUD_MIX_CODES: ReadonlySet<number> = new Set([90002, 700016, 900439, 900440, 900382]);

export function cloudOfInstanceName(name: string | undefined): Cloud | undefined {
  if (!name) return undefined;
  const n = name.toLowerCase();
  return CLOUD_NAMES.map((c) => CLOUDS[c]).find((c) => c.cloudInstanceName === n);
}

interface CloudMix {
  chosen: Cloud;
  actual: Cloud;
  /** The discovery answer that shows it. */
  discovery: TenantDiscovery;
  /** True when the chosen authority did not know the tenant and another cloud's did. */
  foundElsewhere: boolean;
}

/**
 * `chosen` is the run's cloud; `atChosen` the discovery at the authority the run used; `elsewhere`
 * the answers of the other clouds' default authorities (only asked when the first says not-found).
 */
export function detectCloudMix(
  chosen: Cloud,
  atChosen: TenantDiscovery,
  elsewhere: readonly (TenantDiscovery & { cloud: Cloud })[] = [],
): CloudMix | undefined {
  if (atChosen.status === 'found') {
    const actual = cloudOfInstanceName(atChosen.cloudInstanceName);
    return actual && actual.name !== chosen.name
      ? { chosen, actual, discovery: atChosen, foundElsewhere: false }
      : undefined;
  }
  if (atChosen.status !== 'not-found') return undefined;
  for (const d of elsewhere) {
    if (d.status !== 'found' || d.cloud.name === chosen.name) continue;
    const actual = cloudOfInstanceName(d.cloudInstanceName) ?? d.cloud;
    if (actual.name !== chosen.name) return { chosen, actual, discovery: d, foundElsewhere: true };
  }
  return undefined;
}

/**
 * The other clouds to ask when the chosen authority does not know the tenant: only from a default
 * authority (never past a proxy the user named).
 */
export function otherCloudsToProbe(chosen: Cloud, authorityHost: string): Cloud[] {
  if (authorityHost.replace(/\/+$/, '').toLowerCase() !== chosen.authorityHost) return [];
  return CLOUD_NAMES.map((c) => CLOUDS[c]).filter((c) => c.name !== chosen.name);
}

export function cloudMismatch(mix: CloudMix, tenant: string, audienceRequested: string): Finding {
  const { chosen, actual, discovery } = mix;
  const evidence = [
    `cloud_instance_name '${discovery.cloudInstanceName ?? '(none)'}'`,
    ...(discovery.tenantRegionScope ? [`tenant_region_scope '${discovery.tenantRegionScope}'`] : []),
    ...(discovery.tenantRegionSubScope ? [`tenant_region_sub_scope '${discovery.tenantRegionSubScope}'`] : []),
  ].join(', ');
  const where = mix.foundElsewhere
    ? `${chosen.label}'s authority (${chosen.authorityHost}) does not know tenant '${tenant}',` +
      ` but ${actual.label}'s (${discovery.authorityHost}) does: ${evidence}.`
    : `Tenant discovery at ${discovery.authorityHost} reports ${evidence}:` +
      ` tenant '${tenant}' lives in ${actual.label}, not in ${chosen.label}.`;
  const audienceNote =
    audienceRequested === chosen.exchangeAudience
      ? ` The token was requested for ${chosen.label}'s audience '${chosen.exchangeAudience}';` +
        ` ${actual.label}'s credentials expect '${actual.exchangeAudience}',` +
        ' which becomes the default once the environment is right.'
      : '';
  return {
    id: 'cloud-mismatch',
    severity: 'error',
    title: `Tenant is in ${actual.label}, but this run uses ${chosen.label}`,
    message:
      `${where}\nEach cloud has its own Entra endpoint, token-exchange audience and Resource Manager:` +
      ` a tenant of ${actual.label} must be signed in to at ${actual.authorityHost}` +
      ` with scope ${actual.resourceManager}/.default.` +
      audienceNote,
    fix:
      `Set the cloud in this step and in azure/login:\n    with:\n      environment: ${actual.name}\n` +
      `(${actual.name}: authority ${actual.authorityHost}, audience ${actual.exchangeAudience},` +
      ` Resource Manager ${actual.resourceManager}, Graph ${actual.graph}). ` +
      `The federated credential's audience must then be '${actual.exchangeAudience}'.`,
    evidence: [
      { label: 'cloud', actual: actual.name, expected: chosen.name },
      ...(discovery.cloudInstanceName
        ? [{ label: 'cloud_instance_name', actual: discovery.cloudInstanceName, expected: chosen.cloudInstanceName }]
        : []),
    ],
  };
}
