/**
 * `mode: audit` end to end: dist/index.js over a real repository checkout of many workflows.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT, annotations, assertNoSecrets, findings, useWorld } from './world.js';

const world = useWorld();
const FIXTURES = fileURLToPath(new URL('../fixtures/workflows/', import.meta.url));
const AUD = 'api://AzureADTokenExchange';

function checkout(extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'afc-repo-'));
  mkdirSync(join(root, '.github/workflows'), { recursive: true });
  for (const f of readdirSync(FIXTURES)) cpSync(join(FIXTURES, f), join(root, '.github/workflows', f));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(root, '.github/workflows', name), text);
  return root;
}

describe('mode: audit', () => {
  it('annotates every job that can never log in on the line that decides its subject', async () => {
    const root = checkout();
    const creds = [
      {
        name: 'main',
        issuer: world.github.issuer,
        subject: 'repo:octo-org/octo-repo:ref:refs/heads/main',
        audiences: [AUD],
      },
    ];
    const r = await world.run({
      inputs: { mode: 'audit', 'federated-credentials': JSON.stringify(creds) },
      env: { GITHUB_WORKSPACE: root, GITHUB_REPOSITORY: 'octo-org/octo-repo' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.outputs.result).toBe('fail');
    const never = annotations(r).filter((a) => a.properties.title?.length && a.properties.file);
    expect(never.length).toBeGreaterThan(3);
    for (const a of never) {
      const lines = readFileSync(join(root, a.properties.file!), 'utf8').split('\n');
      expect(Number(a.properties.line)).toBeGreaterThan(0);
      expect(Number(a.properties.line)).toBeLessThanOrEqual(lines.length);
    }
    const env = findings(r).find((f) => f.id === 'job-never-matches' && f.message.includes('environment:production'));
    expect(env).toBeDefined();
    expect(r.summary).toContain('Jobs that log in to Azure');
    expect(r.summary).toContain('deploy-environment.yml');
    // The audit asked GitHub for one token (to learn the issuer and ids), and never called Entra.
    expect(world.entra.requests).toEqual([]);
  });

  it('passes when the credentials cover the jobs, and learns the immutable form from the token', async () => {
    world.github.context.immutableSubject = true;
    const deploy =
      `on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n` +
      `    environment: production\n    steps:\n      - uses: azure/login@v2\n        with:\n` +
      `          client-id: x\n`;
    const root = mkdtempSync(join(tmpdir(), 'afc-repo-'));
    mkdirSync(join(root, '.github/workflows'), { recursive: true });
    writeFileSync(join(root, '.github/workflows/deploy.yml'), deploy);
    const creds = [
      {
        name: 'prod',
        issuer: world.github.issuer,
        subject: 'repo:octo-org@1001/octo-repo@2002:environment:production',
        audiences: [AUD],
      },
    ];
    const r = await world.run({
      inputs: { mode: 'audit', 'federated-credentials': JSON.stringify(creds) },
      env: { GITHUB_WORKSPACE: root },
    });
    expect(findings(r).filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('pass');
    // The log lists each job's subjects in a group the runner folds, as `audit` prints them.
    const groups = r.runner.commands.filter((c) => c.command === 'group' || c.command === 'endgroup');
    expect(groups.map((c) => c.command)).toEqual(['group', 'endgroup']);
    expect(groups[0]!.message).toBe('Subjects per job (1 job(s))');
    const listed = r.runner.log.slice(r.runner.log.indexOf('▸ Subjects per job (1 job(s))'));
    expect(listed.slice(1, 3)).toEqual([
      '.github/workflows/deploy.yml:5  job deploy',
      '  ✓ repo:octo-org@1001/octo-repo@2002:environment:production  (push; line 7)  ← prod',
    ]);
  });

  it('asks for credentials when none are given and there is no identity to read them with', async () => {
    const r = await world.run({ inputs: { mode: 'audit', 'client-id': '' }, env: { GITHUB_WORKSPACE: checkout() } });
    expect(r.code).toBe(1);
    expect(findings(r)[0]!.id).toBe('input-invalid');
  });

  it('rejects an unknown mode', async () => {
    const r = await world.run({ inputs: { mode: 'lint' } });
    expect(r.code).toBe(1);
    expect(annotations(r)[0]!.properties.title).toContain("'mode'");
  });
});

describe('mode: audit reads the credentials from Azure when none are given', () => {
  let azure: import('../support/azure-standin.js').AzureStandin;
  beforeAll(async () => {
    const { startAzureStandin } = await import('../support/azure-standin.js');
    azure = await startAzureStandin({ entra: world.entra });
  });
  afterAll(async () => {
    await azure?.close();
  });

  const deploy =
    `on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n` +
    `    environment: production\n    steps:\n      - uses: azure/login@v2\n        with:\n` +
    `          client-id: x\n`;
  const repo = () => {
    const root = mkdtempSync(join(tmpdir(), 'afc-repo-'));
    mkdirSync(join(root, '.github/workflows'), { recursive: true });
    writeFileSync(join(root, '.github/workflows/deploy.yml'), deploy);
    return root;
  };

  it('Microsoft Graph: the job is audited against what Entra holds', async () => {
    azure.graphReaders = [CLIENT];
    const r = await world.run({
      inputs: { mode: 'audit', 'graph-host': azure.url, 'resource-manager-host': azure.url },
      env: { GITHUB_WORKSPACE: repo() },
    });
    expect(r.stderr).toBe('');
    const never = findings(r).find((f) => f.id === 'job-never-matches');
    expect(never?.message).toContain('repo:octo-org/octo-repo:environment:production');
    expect(r.stdout).toContain('from Microsoft Graph');
    expect(r.code).toBe(1);
    assertNoSecrets(r, world.secrets());
  });

  it('without read permission: one error that says what to grant or give', async () => {
    azure.graphReaders = [];
    const r = await world.run({
      inputs: { mode: 'audit', 'graph-host': azure.url },
      env: { GITHUB_WORKSPACE: repo() },
    });
    expect(r.code).toBe(1);
    const f = findings(r);
    expect(f[0]!.title).toContain('could not read');
    expect(f[0]!.message).toContain('Application.Read.All');
    expect(f[0]!.fix).toContain('federated-credentials-file');
  });
});
