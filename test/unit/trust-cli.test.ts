/** `trust` in-process against the GitHub REST stand-in: text, --json, --sarif, exit codes. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { startGitHubRestStandin, type GitHubRestStandin } from '../support/github-rest-standin.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const cred = (name: string, subject: string) => ({
  name,
  issuer: ISSUER,
  subject,
  audiences: ['api://AzureADTokenExchange'],
});
const contoso = { login: 'contoso', id: 1001, type: 'Organization' as const };

let standin: GitHubRestStandin;
beforeAll(async () => {
  standin = await startGitHubRestStandin({
    repositories: [
      { id: 2001, owner: contoso, name: 'app', environments: { production: { rules: ['required_reviewers'] } } },
    ],
  });
});
afterAll(() => standin.close());

async function run(argv: string[], files: Record<string, string>, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdin: '',
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: { GITHUB_API_URL: standin.url, ...env },
    readFile: async (p) => files[p] ?? readFileSync(p, 'utf8'),
  });
  return { code, stdout, stderr };
}

const creds = JSON.stringify(
  [
    cred('prod', 'repo:contoso@1001/app@2001:environment:production'),
    cred('ghost', 'repo:gone-owner/app:ref:refs/heads/main'),
  ],
  null,
  2,
);

describe('trust command', () => {
  it('reports a name anyone can take and exits 1', async () => {
    const r = await run(
      ['trust', '--credentials', 'creds.json', '--client-id', 'abc'],
      { 'creds.json': creds },
      { GITHUB_TOKEN: 't' },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('trust-name-reusable');
    expect(r.stdout).toContain('GitHub: 4 request(s)'); // by id, its environment; by name, then its owner
  });

  it('without a token says what was not checked, never that it is safe', async () => {
    const r = await run(['trust', '--credentials', 'creds.json', '--json'], { 'creds.json': creds });
    const out = JSON.parse(r.stdout) as { findings: Array<{ id: string }>; notChecked: unknown[]; github: unknown };
    expect(r.code).toBe(0);
    expect(out.notChecked).toHaveLength(2);
    expect(out.findings.map((f) => f.id)).toEqual(['trust-not-checked']);
    expect(out.github).toBeNull();
  });

  it('writes SARIF pointing at the credentials file line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'afc-trust-'));
    const sarifPath = join(dir, 'trust.sarif');
    const r = await run(
      ['trust', '--credentials', 'creds.json', '--sarif', sarifPath],
      { 'creds.json': creds },
      { GITHUB_TOKEN: 't' },
    );
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(sarifPath, 'utf8')) as {
      runs: Array<{
        results: Array<{
          ruleId: string;
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
        }>;
      }>;
    };
    const result = sarif.runs[0]!.results[0]!;
    expect(result.ruleId).toBe('trust-name-reusable');
    expect(result.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'creds.json' },
      region: { startLine: 11 },
    });
  });

  it('bad usage exits 2', async () => {
    expect((await run(['trust'], {})).code).toBe(2);
    expect((await run(['trust', '--credentials', 'c.json', '--concurrency', '0'], { 'c.json': creds })).code).toBe(2);
  });
});

describe('trust command reading the tenant', () => {
  it('--graph and --subscription read every identity, then check each credential against GitHub', async () => {
    const { startTenantStandin } = await import('../support/tenant-standin.js');
    const sub = '00000000-0000-0000-0000-0000000000aa';
    const tenant = await startTenantStandin({
      subscriptionId: sub,
      throttle: 1,
      retryAfter: 0,
      apps: [
        { appId: 'app-1', displayName: 'deploy', credentials: [cred('main', 'repo:contoso/app:ref:refs/heads/main')] },
        { appId: 'app-2', displayName: 'empty', credentials: [] },
      ],
      identities: [
        {
          name: 'id-ci',
          resourceGroup: 'rg-ci',
          clientId: 'mi-1',
          credentials: [cred('ghost', 'repo:gone-owner/x:ref:refs/heads/main')],
        },
      ],
    });
    try {
      const r = await run(
        [
          'trust',
          '--graph',
          '--subscription',
          sub,
          '--graph-host',
          tenant.url,
          '--arm-host',
          tenant.url,
          '--tenant-id',
          'tid',
          '--json',
        ],
        {},
        { GITHUB_TOKEN: 't', GRAPH_TOKEN: 'g', ARM_TOKEN: 'a' },
      );
      const out = JSON.parse(r.stdout) as {
        credentials: number;
        identities: number;
        findings: Array<{ id: string; title: string; fix: string }>;
      };
      expect(r.stderr).toBe('');
      expect(out).toMatchObject({ credentials: 2, identities: 2 });
      expect(out.findings.map((f) => f.id).sort()).toEqual(['trust-name-form', 'trust-name-reusable']);
      expect(out.findings.find((f) => f.id === 'trust-name-form')!.fix).toBe(
        `az ad app federated-credential update --id app-1 --federated-credential-id main --parameters ` +
          `'{"name":"main","issuer":"${ISSUER}",` +
          `"subject":"repo:contoso@1001/app@2001:ref:refs/heads/main","audiences":["api://AzureADTokenExchange"]}'`,
      );
      expect(out.findings.find((f) => f.id === 'trust-name-reusable')!.title).toContain(
        "Credential 'ghost' of 'id-ci' (client id mi-1, tenant tid)",
      );
      expect(tenant.requests[0]).toBe('/v1.0/applications?$select=id,appId,displayName&$top=999');
    } finally {
      await tenant.close();
    }
  });

  it('--graph without GRAPH_TOKEN is a usage error', async () => {
    const r = await run(['trust', '--graph'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GRAPH_TOKEN');
  });
});

describe('trust command output', () => {
  it('never passes a control character from a credential name to the terminal', async () => {
    const hostile = JSON.stringify([
      cred('evil\u001b]0;pwned\u0007\u001b[2J', 'repo:contoso@1001/app@2001:pull_request'),
    ]);
    const r = await run(['trust', '--credentials', 'c.json'], { 'c.json': hostile });
    expect(r.stdout).toContain('trust-pull-request');
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
