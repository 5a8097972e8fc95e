/** The trust audit's input: one identity's credentials, or several identities at once. */
import { describe, expect, it } from 'vitest';
import { parseTrustInput } from '../../src/trust/input.js';
import { GitHubLookupClient } from '../../src/trust/github-lookups.js';

const cred = {
  name: 'main',
  issuer: 'https://token.actions.githubusercontent.com',
  subject: 'repo:o/r:ref:refs/heads/main',
  audiences: ['api://AzureADTokenExchange'],
};

describe('parseTrustInput', () => {
  it('a plain credential list belongs to the identity the inputs name, with the line of each name', async () => {
    const text = JSON.stringify([cred], null, 2);
    const items = await parseTrustInput(text, 'f', { clientId: 'abc', tenantId: 't' }, 'file', 'creds.json');
    expect(items).toEqual([
      {
        identity: { clientId: 'abc', tenantId: 't' },
        credential: expect.objectContaining({ name: 'main' }),
        location: { file: 'creds.json', line: 3 },
      },
    ]);
  });

  it('several identities, YAML too', async () => {
    const yaml =
      `identities:\n  - clientId: app-1\n    displayName: deploy\n    kind: application\n    ` +
      `credentials:\n      - name: main\n        issuer: ${cred.issuer}\n        subject: ${cred.subject}\n        ` +
      `audiences: [api://AzureADTokenExchange]\n  - clientId: mi-1\n    kind: managed-identity\n    resourceId: ` +
      `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id\n    ` +
      `credentials: []\n`;
    const items = await parseTrustInput(yaml, 'f', { clientId: '' }, 'file');
    expect(items.map((i) => [i.identity.clientId, i.identity.displayName, i.identity.kind])).toEqual([
      ['app-1', 'deploy', 'application'],
    ]);
  });

  it('a wrong kind or a broken credential is a clear error', async () => {
    await expect(
      parseTrustInput(
        JSON.stringify({ identities: [{ clientId: 'x', kind: 'robot', credentials: [] }] }),
        'f',
        { clientId: '' },
        'input',
      ),
    ).rejects.toThrow("f, identity 1: 'kind' is 'robot'; use application or managed-identity.");
    await expect(
      parseTrustInput(
        JSON.stringify({ identities: [{ clientId: 'x', credentials: [{ name: 'n' }] }] }),
        'f',
        { clientId: '' },
        'input',
      ),
    ).rejects.toThrow(/identity 1, credential 1 \('n'\): 'issuer' is missing/);
  });
});

describe('GitHub lookups when the budget is spent', () => {
  it('a 403 with x-ratelimit-remaining 0 stops the asking and says when the budget resets', async () => {
    let calls = 0;
    const c = new GitHubLookupClient(
      async () => {
        calls++;
        return {
          status: 403,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' },
          data: { message: 'API rate limit exceeded' },
        };
      },
      { reserve: 0 },
    );
    expect(await c.repoByName('o', 'r')).toMatchObject({
      status: 'unreadable',
      httpStatus: 403,
      reason: "GitHub's rate limit is spent (x-ratelimit-remaining 0; it resets at 00:00 UTC)",
    });
    expect(await c.repoByName('o', 'other')).toMatchObject({ status: 'unreadable' });
    expect(calls).toBe(1);
  });
});
