/**
 * `audit` over a real repository folder of workflow files (fixtures), in-process.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const AUD = 'api://AzureADTokenExchange';
const FIXTURES = fileURLToPath(new URL('../fixtures/workflows/', import.meta.url));

function repoWith(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'afc-audit-'));
  mkdirSync(join(root, '.github/workflows'), { recursive: true });
  for (const f of files) cpSync(join(FIXTURES, f), join(root, '.github/workflows', f));
  return root;
}

async function run(argv: string[], files: Record<string, string> = {}, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdin: '',
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env,
    readFile: async (p) => {
      if (p in files) return files[p]!;
      return readFileSync(p, 'utf8');
    },
  });
  return { code, stdout, stderr };
}

const cred = (name: string, subject: string) => ({ name, issuer: ISSUER, subject, audiences: [AUD] });

describe('audit', () => {
  it('passes when every login job matches a credential', async () => {
    const root = repoWith(['deploy-environment.yml']);
    const creds = JSON.stringify([cred('prod', 'repo:contoso/web:environment:production')]);
    const r = await run(['audit', '--credentials', 'creds.json', '--dir', root, '--repository', 'contoso/web'], {
      'creds.json': creds,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('✓ repo:contoso/web:environment:production');
    expect(r.code).toBe(0);
  });

  it('reports a job that can never log in, with its file and line and the credential that would fix it', async () => {
    const root = repoWith(['deploy-environment.yml', 'tag-release.yml']);
    const creds = JSON.stringify([cred('main', 'repo:contoso/web:ref:refs/heads/main')]);
    const r = await run(
      [
        'audit',
        '--credentials',
        'creds.json',
        '--dir',
        root,
        '--repository',
        'contoso/web',
        '--json',
        '--client-id',
        '11111111-2222-3333-4444-555555555555',
      ],
      {
        'creds.json': creds,
      },
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    const never = out.findings.filter((f: { id: string }) => f.id === 'job-never-matches');
    expect(never.length).toBeGreaterThan(0);
    const env = never.find(
      (f: { location?: { file: string } }) => f.location?.file === '.github/workflows/deploy-environment.yml',
    );
    const text = readFileSync(join(root, '.github/workflows/deploy-environment.yml'), 'utf8').split('\n');
    expect(text[env.location.line - 1]).toMatch(/environment:/);
    expect(env.fix).toContain("--id '11111111-2222-3333-4444-555555555555'");
    expect(env.fix).toContain('repo:contoso/web:environment:production');
  });

  it('flags wildcards in classic subjects and the 20-credential limit', async () => {
    const root = repoWith(['deploy-environment.yml']);
    const many = Array.from({ length: 20 }, (_, i) => cred(`c${i}`, `repo:contoso/web:ref:refs/heads/b${i}`));
    many.push(cred('wild', 'repo:contoso/web:ref:refs/heads/*'));
    const r = await run(
      ['audit', '--credentials', 'creds.json', '--dir', root, '--repository', 'contoso/web', '--json'],
      { 'creds.json': JSON.stringify(many) },
    );
    const ids = JSON.parse(r.stdout).findings.map((f: { id: string }) => f.id);
    expect(ids).toContain('credential-wildcard');
    expect(ids).toContain('credential-limit');
  });

  it('uses the subject template from a file (immutable ids)', async () => {
    const root = repoWith(['deploy-environment.yml']);
    const creds = JSON.stringify([cred('prod', 'repo:contoso@11/web@22:environment:production')]);
    const template = JSON.stringify({
      use_default: true,
      use_immutable_subject: true,
      sub_claim_prefix: 'repo:contoso@11/web@22',
    });
    const r = await run(
      [
        'audit',
        '--credentials',
        'creds.json',
        '--dir',
        root,
        '--repository',
        'contoso/web',
        '--template',
        't.json',
        '--owner-id',
        '11',
        '--repository-id',
        '22',
      ],
      { 'creds.json': creds, 't.json': template },
    );
    expect(r.stdout).toContain('✓ repo:contoso@11/web@22:environment:production');
    expect(r.code).toBe(0);
  });

  it('finds the repository from the git remote', async () => {
    const root = repoWith(['deploy-environment.yml']);
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git/config'), '[remote "origin"]\n\turl = git@github.com:contoso/web.git\n');
    const r = await run(['audit', '--credentials', 'c.json', '--dir', root], {
      'c.json': JSON.stringify([cred('prod', 'repo:contoso/web:environment:production')]),
    });
    expect(r.stdout).toContain('Audit of contoso/web');
  });

  it('bad usage exits 2 with one line', async () => {
    const r = await run(['audit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--credentials is required');
    const r2 = await run(['audit', '--credentials', 'c.json', '--dir', '/nonexistent-dir', '--repository', 'a/b'], {
      'c.json': '[]',
    });
    expect(r2.code).toBe(2);
    expect(r2.stderr).not.toMatch(/\n\s+at /);
  });
});
