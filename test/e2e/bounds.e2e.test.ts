/**
 * Issue 13, points 5–7, end to end through `node dist/index.js`: files outside the workspace are
 * never read, odd files and runner files give a clear finding instead of "failed unexpectedly",
 * and hostile sizes are cut with a finding that says what was cut. No timed assertions: work is
 * shown bounded by what the run reports (counts, sizes) and by finishing under the child's limit.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionResult } from '../support/run-action.js';
import { TENANT, annotations, findings, useWorld } from './world.js';

const world = useWorld();
const AUD = 'api://AzureADTokenExchange';
const UNEXPECTED = 'failed unexpectedly';

function workspace(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'afc-bounds-'));
  mkdirSync(join(root, '.github/workflows'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

function noCrash(r: ActionResult): void {
  expect(r.timedOut).toBe(false);
  expect(r.stdout).not.toContain(UNEXPECTED);
  expect(r.stderr).toBe('');
  expect([0, 1]).toContain(r.code);
}

const DEPLOY =
  'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n' +
  '      - uses: azure/login@v2\n        with:\n          client-id: x\n';

describe('input files must be regular files inside the workspace (point 7)', () => {
  const secretName = 'OUTSIDE-SECRET-NAME-7f3a';
  const outsideDir = mkdtempSync(join(tmpdir(), 'afc-outside-'));
  writeFileSync(join(outsideDir, 'creds.json'), `[{"name": "${secretName}", "subject": 1}]`);
  writeFileSync(join(outsideDir, 'broken.json'), `{"name": "${secretName}" oops`);

  const cases: Array<[string, (ws: string) => string]> = [
    // Workspaces and the outside folder are siblings in the temp folder.
    ['a ../ path', () => `../${basename(outsideDir)}/creds.json`],
    ['an absolute path', () => join(outsideDir, 'broken.json')],
    [
      'a link out of the workspace',
      (ws) => {
        symlinkSync(join(outsideDir, 'creds.json'), join(ws, 'creds.json'));
        return 'creds.json';
      },
    ],
    [
      'a link to /dev/urandom',
      (ws) => {
        symlinkSync('/dev/urandom', join(ws, 'random.json'));
        return 'random.json';
      },
    ],
    ['a directory', () => '.github'],
  ];
  for (const mode of ['check', 'audit']) {
    for (const [what, make] of cases) {
      it(`${mode}: refuses ${what} and quotes nothing from it`, async () => {
        const ws = workspace({ '.github/workflows/deploy.yml': DEPLOY });
        const path = make(ws);
        const r = await world.run({
          inputs: { mode, exchange: 'false', 'federated-credentials-file': path },
          env: { GITHUB_WORKSPACE: ws },
          timeoutMs: 15_000,
        });
        noCrash(r);
        expect(r.code).toBe(1);
        const f = findings(r);
        expect(f.map((x) => x.id)).toContain('input-invalid');
        expect(f[0]!.message).toMatch(/outside the workspace|is a directory|not a regular file/);
        expect(r.stdout + r.summary + JSON.stringify(r.outputs)).not.toContain(secretName);
      });
    }
  }

  it('still reads a link that stays inside the workspace', async () => {
    const creds = [
      {
        name: 'main',
        issuer: world.github.issuer,
        subject: 'repo:octo-org/octo-repo:ref:refs/heads/main',
        audiences: [AUD],
      },
    ];
    const ws = workspace({ 'real.json': JSON.stringify(creds) });
    symlinkSync(join(ws, 'real.json'), join(ws, 'link.json'));
    const r = await world.run({
      inputs: { exchange: 'false', 'federated-credentials-file': 'link.json' },
      env: { GITHUB_WORKSPACE: ws },
    });
    noCrash(r);
    expect(r.outputs['matched-credential']).toBe('main');
  });

  it('refuses a file over 1 MiB without parsing it', async () => {
    const ws = workspace({ 'big.json': `[${'{"name": "x"},'.repeat(90_000)}{}]` });
    const r = await world.run({
      inputs: { exchange: 'false', 'federated-credentials-file': 'big.json' },
      env: { GITHUB_WORKSPACE: ws },
    });
    noCrash(r);
    expect(findings(r)[0]!.message).toContain('larger than the 1024 KiB');
  });
});

describe('odd files and runner files give a finding, not a crash (point 6)', () => {
  const creds = () =>
    JSON.stringify([
      {
        name: 'main',
        issuer: world.github.issuer,
        subject: 'repo:octo-org/octo-repo:ref:refs/heads/main',
        audiences: [AUD],
      },
    ]);

  it('audit: a directory named x.yml and a workflow linked to /dev/zero are reported, the rest audited', async () => {
    const ws = workspace({ '.github/workflows/deploy.yml': DEPLOY });
    mkdirSync(join(ws, '.github/workflows/x.yml'));
    symlinkSync('/dev/zero', join(ws, '.github/workflows/zero.yml'));
    const r = await world.run({
      inputs: { mode: 'audit', 'federated-credentials': creds() },
      env: { GITHUB_WORKSPACE: ws },
      timeoutMs: 15_000,
    });
    noCrash(r);
    const notRead = findings(r).filter((f) => f.title.includes('was not read'));
    expect(notRead.map((f) => f.title)).toEqual([
      'Workflow .github/workflows/x.yml was not read, so its jobs were not audited',
      'Workflow .github/workflows/zero.yml was not read, so its jobs were not audited',
    ]);
    expect(notRead[0]!.message).toContain('is a directory');
    expect(notRead[1]!.message).toContain('outside the workspace');
    expect(r.summary).toContain('deploy.yml');
  });

  for (const mode of ['check', 'audit']) {
    it(`${mode}: GITHUB_OUTPUT naming a directory, a summary in a missing folder: warnings naming it`, async () => {
      const ws = workspace({ '.github/workflows/deploy.yml': DEPLOY });
      const missing = join(ws, 'no-such-folder', 'summary.md');
      const r = await world.run({
        inputs: { mode, exchange: 'false', 'federated-credentials': creds() },
        env: { GITHUB_WORKSPACE: ws, GITHUB_OUTPUT: ws, GITHUB_STEP_SUMMARY: missing },
      });
      noCrash(r);
      const warnings = annotations(r, 'warning').map((a) => a.message);
      expect(warnings.some((m) => m.includes('GITHUB_OUTPUT') && m.includes(ws))).toBe(true);
      expect(warnings.some((m) => m.includes('GITHUB_STEP_SUMMARY') && m.includes(missing))).toBe(true);
    });
  }

  it('check: a non-string repository claim is a finding, not a crash', async () => {
    world.github.context.extraClaims = { repository: { name: 'octo-repo' } };
    try {
      // A mismatch takes the failure path, which reads the repository claim for the lint.
      const other = JSON.stringify([
        {
          name: 'dev',
          issuer: world.github.issuer,
          subject: 'repo:octo-org/octo-repo:ref:refs/heads/dev',
          audiences: [AUD],
        },
      ]);
      const r = await world.run({ inputs: { exchange: 'false', 'federated-credentials': other } });
      noCrash(r);
      expect(r.code).toBe(1);
      expect(findings(r)[0]!.message).toContain('`repository` claim is of type object');
    } finally {
      world.github.context.extraClaims = undefined;
    }
  });

  it("check: a numeric access_token in Entra's answer is an error finding, not a crash", async () => {
    world.entra.faults.token = () => ({
      status: 200,
      body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 12345 },
    });
    const r = await world.run({ inputs: { 'federated-credentials': creds() } });
    noCrash(r);
    expect(r.code).toBe(1);
    expect(r.outputs.result).toBe('fail');
  });
});

describe('hostile sizes are cut, with a finding that says what was cut (point 5)', () => {
  const cred = (name: string, subject: string) => ({ name, issuer: world.github.issuer, subject, audiences: [AUD] });

  it('audit: a workflow with 4,000 aliases is refused without resolving them; the others are audited', async () => {
    const bomb =
      `x: &a {runs-on: ubuntu-latest}\non: push\njobs:\n` +
      `${Array.from({ length: 4000 }, (_, i) => `  j${i}: *a\n`).join('')}`;
    const ws = workspace({ '.github/workflows/aliases.yml': bomb, '.github/workflows/deploy.yml': DEPLOY });
    const r = await world.run({
      inputs: {
        mode: 'audit',
        'federated-credentials': JSON.stringify([cred('main', 'repo:octo-org/octo-repo:ref:refs/heads/main')]),
      },
      env: { GITHUB_WORKSPACE: ws },
      timeoutMs: 20_000,
    });
    noCrash(r);
    const refused = findings(r).find((f) => f.title.includes('aliases.yml'));
    expect(refused?.message).toContain('4000 aliases');
    expect(r.summary).toContain('deploy.yml');
  });

  it('audit: merge-key bombs, 16 MB or 270 KB, are refused without exhausting memory or time', async () => {
    const big = `big: &M {${Array.from({ length: 20_000 }, (_, i) => `k${i}: v`).join(', ')}}`;
    const jobs = (n: number) =>
      Array.from({ length: n }, (_, i) => `  j${i}: {<<: *M, runs-on: x, steps: [{uses: azure/login@v2}]}`).join('\n');
    const ws = workspace({
      '.github/workflows/merge-small.yml': `${big}\non: push\njobs:\n${jobs(999)}\n`,
      '.github/workflows/merge-huge.yml': `${big}\non: push\njobs:\n${jobs(250_000)}\n`,
      '.github/workflows/deploy.yml': DEPLOY,
    });
    const r = await world.run({
      inputs: {
        mode: 'audit',
        'federated-credentials': JSON.stringify([cred('main', 'repo:octo-org/octo-repo:ref:refs/heads/main')]),
      },
      env: { GITHUB_WORKSPACE: ws },
      timeoutMs: 30_000,
    });
    noCrash(r);
    const f = findings(r);
    expect(f.find((x) => x.title.includes('merge-huge.yml'))?.message).toContain('larger than the 1024 KiB');
    expect(f.find((x) => x.title.includes('merge-small.yml'))?.message).toContain(
      'merge keys (<<) expand to more than',
    );
    expect(r.summary).toContain('deploy.yml');
  });

  it('check: 100k credentials as YAML are refused before parsing, naming the size', async () => {
    const yaml = Array.from(
      { length: 100_000 },
      (_, i) =>
        `- name: c${i}\n  issuer: ${world.github.issuer}\n` +
        `  subject: repo:o/r:ref:refs/heads/b${i}\n  audiences: [${AUD}]\n`,
    ).join('');
    const ws = workspace({ 'creds.yml': yaml });
    const r = await world.run({
      inputs: { exchange: 'false', 'federated-credentials-file': 'creds.yml' },
      env: { GITHUB_WORKSPACE: ws },
      timeoutMs: 15_000,
    });
    noCrash(r);
    expect(findings(r)[0]!.id).toBe('input-invalid');
    expect(findings(r)[0]!.message).toMatch(/KiB/);
  });

  it('check: 2,000 credentials are cut to 500 with a warning that says so', async () => {
    const list = Array.from({ length: 2000 }, (_, i) => cred(`c${i}`, `repo:octo-org/octo-repo:ref:refs/heads/b${i}`));
    list.push(cred('main', 'repo:octo-org/octo-repo:ref:refs/heads/main'));
    const ws = workspace({ 'creds.json': JSON.stringify(list) });
    const r = await world.run({
      inputs: { exchange: 'false', 'federated-credentials-file': 'creds.json' },
      env: { GITHUB_WORKSPACE: ws },
    });
    noCrash(r);
    const cut = findings(r).find((f) => f.id === 'input-truncated');
    expect(cut?.title).toBe('Only the first 500 of 2001 credentials were read');
    // 'main' was past the cut, so it was not compared.
    expect(r.outputs['matched-credential']).toBe('');
  });

  it('check: a 150 KB subject against 1,000 long credentials: messages show a window, the run ends', async () => {
    world.github.context.subOverride = `repo:octo-org/octo-repo:environment:${'e'.repeat(150_000)}`;
    try {
      const list = Array.from({ length: 1000 }, (_, i) =>
        cred(`c${i}`, `repo:octo-org/octo-repo:environment:${String(i).padStart(4, '0')}${'e'.repeat(560)}`),
      );
      const ws = workspace({ 'creds.json': JSON.stringify(list) });
      const r = await world.run({
        inputs: { exchange: 'false', 'federated-credentials-file': 'creds.json' },
        env: { GITHUB_WORKSPACE: ws },
        timeoutMs: 30_000,
      });
      noCrash(r);
      const f = findings(r);
      expect(f.map((x) => x.id)).toContain('input-truncated');
      const mismatch = f.find((x) => x.id === 'subject-mismatch');
      expect(mismatch?.message).toContain('…');
      // The diff shows a window: its lines are short whatever the values' length.
      const diff = mismatch!.message.split('\n').filter((l) => /^(token sub:|credential:)/.test(l));
      expect(diff).toHaveLength(2);
      for (const line of diff) expect(line.length).toBeLessThan(200);
      expect(Buffer.byteLength(r.summary)).toBeLessThan(1024 * 1024);
    } finally {
      world.github.context.subOverride = undefined;
    }
  });

  it('audit: the summary of a huge audit stays under 1 MiB and says it was cut', async () => {
    const env = (i: number) => `env-${i}-${'x'.repeat(4000)}`;
    const jobs = Array.from(
      { length: 150 },
      (_, i) =>
        `  j${i}:\n    runs-on: ubuntu-latest\n    environment: ${env(i)}\n    steps:\n` +
        `      - uses: azure/login@v2\n        with:\n          client-id: x\n`,
    );
    const ws = workspace({ '.github/workflows/many.yml': `on: push\njobs:\n${jobs.join('')}` });
    const r = await world.run({
      inputs: {
        mode: 'audit',
        'federated-credentials': JSON.stringify([cred('main', 'repo:octo-org/octo-repo:ref:refs/heads/main')]),
      },
      env: { GITHUB_WORKSPACE: ws },
      timeoutMs: 30_000,
    });
    noCrash(r);
    expect(Buffer.byteLength(r.summary)).toBeLessThan(1024 * 1024);
    expect(r.summary).toContain('The summary is cut here');
  });
});

describe('timeout-seconds bounds the whole run (point 5)', () => {
  const READER = '33333333-4444-5555-6666-777777777777';
  let azure: import('../support/azure-standin.js').AzureStandin;
  beforeAll(async () => {
    const { startAzureStandin } = await import('../support/azure-standin.js');
    azure = await startAzureStandin({ entra: world.entra });
  });
  afterAll(async () => {
    await azure?.close();
  });

  it('Graph paging stops when the time is up', async () => {
    // 19 credentials none of which matches: Entra refuses, and the lookup pages through them one by one, slowly.
    world.credentials.splice(
      0,
      world.credentials.length,
      ...Array.from({ length: 19 }, (_, i) =>
        world.credential({ name: `c${i}`, subject: `repo:octo-org/octo-repo:ref:refs/heads/b${i}` }),
      ),
    );
    const apps = world.entra.tenants[TENANT]!.apps;
    apps[READER] = { displayName: 'federation-reader', credentials: [world.credential({ name: 'reader-main' })] };
    azure.graphReaders = [READER];
    azure.pageSize = 1;
    azure.faults = { graph: () => ({ delayMs: 700 }) };
    azure.requests.length = 0;
    const r = await world.run({
      inputs: {
        'graph-host': azure.url,
        'resource-manager-host': azure.url,
        'reader-client-id': READER,
        'timeout-seconds': '4',
      },
      timeoutMs: 30_000,
    });
    noCrash(r);
    expect(r.code).toBe(1);
    const pages = azure.requests.filter((q) => q.route === 'graph').length;
    // 19 pages at 0.7 s each would take 13 s; 4 s leave room for at most 6.
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThan(7);
    expect(r.stdout).toContain('ran out before all pages were read');
    // Entra's verdict is still reported, once.
    expect(findings(r).map((f) => f.id)).toEqual(['subject-mismatch']);
    expect(r.stdout.match(/^Azure federation check: /gm)).toHaveLength(1);
  });
});

describe('the CLI audit, as run from a laptop (dist/cli.js)', () => {
  it('reports a directory named x.yml and a link to /dev/zero, and audits the rest', async () => {
    const { spawnSync } = await import('node:child_process');
    const { DIST_DIR } = await import('../support/run-action.js');
    const ws = workspace({
      '.github/workflows/deploy.yml': DEPLOY,
      'creds.json': JSON.stringify([
        {
          name: 'main',
          issuer: 'https://token.actions.githubusercontent.com',
          subject: 'repo:octo-org/octo-repo:ref:refs/heads/main',
          audiences: [AUD],
        },
      ]),
    });
    mkdirSync(join(ws, '.github/workflows/x.yml'));
    symlinkSync('/dev/zero', join(ws, '.github/workflows/zero.yml'));
    const r = spawnSync(
      process.execPath,
      [
        join(DIST_DIR, 'cli.js'),
        'audit',
        '--credentials',
        join(ws, 'creds.json'),
        '--dir',
        ws,
        '--repository',
        'octo-org/octo-repo',
        '--json',
      ],
      {
        encoding: 'utf8',
        timeout: 15_000,
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.status);
    const titles = (JSON.parse(r.stdout) as { findings: Array<{ title: string }> }).findings.map((f) => f.title);
    expect(titles).toContain('Workflow .github/workflows/x.yml was not read, so its jobs were not audited');
    expect(titles).toContain('Workflow .github/workflows/zero.yml was not read, so its jobs were not audited');
  });
});
