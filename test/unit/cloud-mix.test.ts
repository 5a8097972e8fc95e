import { describe, expect, it } from 'vitest';
import { CLOUDS } from '../../src/entra/clouds.js';
import { cloudMismatch, cloudOfInstanceName, detectCloudMix, otherCloudsToProbe } from '../../src/entra/cloud-mix.js';
import type { TenantDiscovery } from '../../src/entra/azure-read.js';

const found = (authorityHost: string, cloudInstanceName: string, tenantRegionScope?: string): TenantDiscovery => ({
  authorityHost,
  status: 'found',
  cloudInstanceName,
  ...(tenantRegionScope ? { tenantRegionScope } : {}),
});
const notFound = (authorityHost: string): TenantDiscovery => ({ authorityHost, status: 'not-found' });

describe('cloudOfInstanceName', () => {
  it.each([
    ['microsoftonline.com', 'azurecloud'],
    ['MicrosoftOnline.US', 'azureusgovernment'],
    ['partner.microsoftonline.cn', 'azurechinacloud'],
  ])('%s → %s', (n, cloud) => {
    expect(cloudOfInstanceName(n)?.name).toBe(cloud);
  });
  it.each([undefined, '', 'microsoftonline.de', 'login.microsoftonline.com'])('%j → undefined', (n) => {
    expect(cloudOfInstanceName(n)).toBeUndefined();
  });
});

describe('detectCloudMix', () => {
  it('a US Government tenant reported at the public endpoint', () => {
    const mix = detectCloudMix(
      CLOUDS.azurecloud,
      found('https://login.microsoftonline.com', 'microsoftonline.us', 'USG'),
    );
    expect(mix).toMatchObject({
      chosen: { name: 'azurecloud' },
      actual: { name: 'azureusgovernment' },
      foundElsewhere: false,
    });
  });

  it('the same cloud: no mix, whatever the region scope (a GCC tenant is in the public cloud)', () => {
    expect(
      detectCloudMix(CLOUDS.azurecloud, found('https://login.microsoftonline.com', 'microsoftonline.com', 'USGov')),
    ).toBeUndefined();
    expect(
      detectCloudMix(CLOUDS.azureusgovernment, found('https://login.microsoftonline.us', 'microsoftonline.us', 'USG')),
    ).toBeUndefined();
  });

  it('not found at the chosen authority but found in another cloud', () => {
    const mix = detectCloudMix(CLOUDS.azurecloud, notFound('https://login.microsoftonline.com'), [
      { ...notFound('https://login.microsoftonline.us'), cloud: CLOUDS.azureusgovernment },
      { ...found('https://login.chinacloudapi.cn', 'partner.microsoftonline.cn'), cloud: CLOUDS.azurechinacloud },
    ]);
    expect(mix).toMatchObject({
      actual: { name: 'azurechinacloud' },
      foundElsewhere: true,
      discovery: { authorityHost: 'https://login.chinacloudapi.cn' },
    });
  });

  it('not found anywhere, or discovery failing, is no evidence', () => {
    expect(
      detectCloudMix(CLOUDS.azurecloud, notFound('https://l'), [
        { ...notFound('https://m'), cloud: CLOUDS.azureusgovernment },
      ]),
    ).toBeUndefined();
    expect(
      detectCloudMix(CLOUDS.azurecloud, { authorityHost: 'https://l', status: 'error', reason: 'x' }, [
        { ...found('https://m', 'microsoftonline.us'), cloud: CLOUDS.azureusgovernment },
      ]),
    ).toBeUndefined();
    expect(detectCloudMix(CLOUDS.azurecloud, found('https://l', 'unknown.cloud'))).toBeUndefined();
  });

  it('other clouds are probed only from a default authority, never past a proxy', () => {
    expect(otherCloudsToProbe(CLOUDS.azurecloud, 'https://login.microsoftonline.com').map((c) => c.name)).toEqual([
      'azureusgovernment',
      'azurechinacloud',
    ]);
    expect(otherCloudsToProbe(CLOUDS.azurecloud, 'https://login.microsoftonline.com/')).toHaveLength(2);
    expect(otherCloudsToProbe(CLOUDS.azurecloud, 'https://127.0.0.1:8443')).toEqual([]);
  });
});

describe('cloudMismatch finding', () => {
  it('names the right environment value, the evidence and the audience that follows', () => {
    const mix = detectCloudMix(
      CLOUDS.azurecloud,
      found('https://login.microsoftonline.com', 'microsoftonline.us', 'USG'),
    )!;
    const f = cloudMismatch(mix, 'contoso.onmicrosoft.com', 'api://AzureADTokenExchange');
    expect(f).toMatchObject({ id: 'cloud-mismatch', severity: 'error' });
    expect(f.title).toBe('Tenant is in Azure US Government, but this run uses Azure public cloud');
    expect(f.message).toContain("cloud_instance_name 'microsoftonline.us', tenant_region_scope 'USG'");
    expect(f.message).toContain("'api://AzureADTokenExchangeUSGov'");
    expect(f.fix).toContain('environment: azureusgovernment');
    expect(f.fix).toContain('https://management.usgovcloudapi.net');
  });
});
