/**
 * Reading a tenant's credentials for the trust audit: every app registration (Graph paging,
 * `$select`), every managed identity of a subscription (ARM), at most N requests in flight,
 * Retry-After honoured, and what could not be read said.
 */
import { describe, expect, it } from 'vitest';
import type { Fetcher } from '../../src/entra/azure-read.js';
import { readInventory, throttledFetcher } from '../../src/trust/azure-inventory.js';

const GRAPH = 'https://graph.test';
const ARM = 'https://arm.test';
const SUB = '00000000-0000-0000-0000-000000000001';
const ok = (body: unknown, headers: Record<string, string> = {}) => ({
  status: 200,
  headers,
  body: JSON.stringify(body),
});
const cred = (name: string, subject: string) => ({
  name,
  issuer: 'https://token.actions.githubusercontent.com',
  subject,
  audiences: ['api://AzureADTokenExchange'],
});

function tenant(apps: number) {
  const seen: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let throttledOnce = false;
  const fetcher: Fetcher = async (url) => {
    seen.push(url);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    const u = new URL(url);
    if (u.pathname === '/v1.0/applications') {
      const skip = Number(u.searchParams.get('$skiptoken') ?? 0);
      const page = Array.from({ length: Math.min(999, apps - skip) }, (_, i) => ({
        id: `obj-${skip + i}`,
        appId: `app-${skip + i}`,
        displayName: `App ${skip + i}`,
      }));
      const next =
        skip + 999 < apps
          ? {
              '@odata.nextLink':
                `${GRAPH}/v1.0/applications?$select=id,appId,displayName` + `&$top=999&$skiptoken=${skip + 999}`,
            }
          : {};
      return ok({ value: page, ...next });
    }
    const m = /applications\(appId='app-(\d+)'\)/.exec(decodeURIComponent(u.pathname));
    if (m) {
      const n = Number(m[1]);
      if (n === 3)
        return {
          status: 403,
          headers: {},
          body: JSON.stringify({ error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges' } }),
        };
      if (n === 4 && !throttledOnce) {
        throttledOnce = true;
        return { status: 429, headers: { 'retry-after': '2' }, body: '{}' };
      }
      return ok({ value: n % 2 ? [cred('main', `repo:o/r${n}:ref:refs/heads/main`)] : [] });
    }
    if (u.pathname === `/subscriptions/${SUB}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`)
      return ok({
        value: [
          {
            id:
              `/subscriptions/${SUB}/resourceGroups/rg` +
              `/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ci`,
            name: 'id-ci',
            properties: { clientId: 'mi-1' },
          },
        ],
      });
    if (u.pathname.endsWith('/userAssignedIdentities/id-ci/federatedIdentityCredentials'))
      return ok({ value: [{ name: 'prod', properties: cred('prod', 'repo:o/infra:environment:production') }] });
    return { status: 404, headers: {}, body: '{}' };
  };
  return { fetcher, seen, max: () => maxInFlight };
}

describe('readInventory', () => {
  it('reads every app registration (paged, $select) and every managed identity, bounded and paced', async () => {
    const t = tenant(2100);
    const waits: number[] = [];
    const { fetch, stats } = throttledFetcher(t.fetcher, { concurrency: 6, sleep: async (ms) => void waits.push(ms) });
    const inv = await readInventory({
      fetcher: fetch,
      tenantId: 'tid',
      graph: { host: GRAPH, token: 'g' },
      arm: { host: ARM, token: 'a', subscriptionId: SUB },
    });
    expect(t.seen[0]).toBe(`${GRAPH}/v1.0/applications?$select=id,appId,displayName&$top=999`);
    expect(t.seen.filter((u) => u.includes('/v1.0/applications?'))).toHaveLength(3);
    expect(inv.identities).toBe(2101);
    // Odd app numbers have one credential; app 3 could not be read.
    expect(inv.items.filter((i) => i.identity.kind === 'application')).toHaveLength(1049);
    expect(inv.items.find((i) => i.identity.kind === 'managed-identity')).toMatchObject({
      identity: {
        clientId: 'mi-1',
        displayName: 'id-ci',
        kind: 'managed-identity',
        tenantId: 'tid',
        resourceId: expect.stringContaining('/userAssignedIdentities/id-ci'),
      },
      credential: { name: 'prod', subject: 'repo:o/infra:environment:production', source: 'arm' },
    });
    expect(inv.unread).toEqual([
      `App 'App 3': its credentials could not be read (HTTP 403 Authorization_RequestDenied: Insufficient privileges)`,
    ]);
    expect(waits).toEqual([2000]);
    expect(stats).toMatchObject({ throttled: 1 });
    expect(stats.requests).toBe(3 + 2100 + 1 + 1 + 1); // pages, apps, the retried one, identities, their credentials
    expect(t.max()).toBeLessThanOrEqual(6);
  });

  it('says when the listing itself is denied', async () => {
    const fetcher: Fetcher = async () => ({
      status: 403,
      headers: {},
      body: JSON.stringify({ error: { code: 'Authorization_RequestDenied', message: 'no' } }),
    });
    const inv = await readInventory({ fetcher, graph: { host: GRAPH, token: 'g' } });
    expect(inv.items).toEqual([]);
    expect(inv.unread[0]).toMatch(/app registrations could not be listed \(HTTP 403 .*Application\.Read\.All/);
  });
});
