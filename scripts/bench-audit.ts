/**
 * Benchmark (not a test): parse and audit 1,000 generated workflow files against 20
 * federated credentials, and show that the cost grows linearly with the number of files.
 * With `--corpus DIR` (a folder of repositories, each with `.github/workflows`), it also runs
 * `dist/cli.js audit` once per folder as a user would, interleaved with bare `node`, and prints
 * the median ratio per folder and the time of the largest folder (`npm run bundle` first).
 *
 *   npm run bench:audit -- [--workflows 1000] [--credentials 20] [--runs 3] [--corpus DIR] [--corpus-runs 5]
 *                          [--baseline DIR]
 *
 * `--baseline DIR` (a copy of an earlier `dist/`) times that build too, interleaved with this one.
 *
 * Prints milliseconds for parsing and for the audit, and the cost per workflow.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FederatedCredential } from '../src/entra/credential.js';
import { auditWorkflowsDetailed, type AuditContext } from '../src/workflow/audit.js';
import { parseWorkflow, type WorkflowFile } from '../src/workflow/parse.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'api://AzureADTokenExchange';

/** Deterministic pseudo-random numbers, so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

const ENVIRONMENTS = ['dev', 'test', 'staging', 'production', 'qa', 'perf'];

function loginSteps(kind: number): string {
  switch (kind % 4) {
    case 0:
      return [
        '      - uses: actions/checkout@v4',
        '      - uses: azure/login@v2',
        '        with:',
        '          client-id: ${{ vars.AZURE_CLIENT_ID }}',
        '          tenant-id: ${{ vars.AZURE_TENANT_ID }}',
        '          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
        '      - run: az group list',
      ].join('\n');
    case 1:
      return [
        '      - uses: Azure/login@v2.1.0',
        '        with:',
        '          client-id: ${{ secrets.AZURE_CLIENT_ID }}',
        '          tenant-id: ${{ secrets.AZURE_TENANT_ID }}',
        '      - uses: azure/cli@v2',
        '        with:',
        '          inlineScript: az account show',
      ].join('\n');
    case 2:
      return [
        '      - uses: hashicorp/setup-terraform@v3',
        '      - run: terraform init && terraform plan',
        '        env:',
        '          ARM_USE_OIDC: true',
        '          ARM_CLIENT_ID: ${{ vars.AZURE_CLIENT_ID }}',
      ].join('\n');
    default:
      return [
        '      - run: azd auth login --client-id "$AZURE_CLIENT_ID" --federated-credential-provider github',
        '        env:',
        '          AZURE_CLIENT_ID: ${{ vars.AZURE_CLIENT_ID }}',
      ].join('\n');
  }
}

function triggers(r: () => number): string {
  const parts: string[] = [];
  const pick = r();
  if (pick < 0.35) parts.push('  push:', '    branches: [main]');
  else if (pick < 0.5) parts.push('  push:', "    branches: [main, 'release/**']");
  else if (pick < 0.6) parts.push('  push:', "    tags: ['v*']");
  else if (pick < 0.7) parts.push('  push:');
  if (r() < 0.45) parts.push('  pull_request:', '    branches: [main]');
  if (r() < 0.25)
    parts.push(
      '  workflow_dispatch:',
      '    inputs:',
      '      env:',
      '        type: choice',
      '        options: [dev, staging, production]',
    );
  if (r() < 0.15) parts.push('  schedule:', "    - cron: '0 3 * * *'");
  if (r() < 0.1) parts.push('  merge_group:');
  if (r() < 0.05) parts.push('  release:', '    types: [published]');
  if (parts.length === 0) parts.push('  push:', '    branches: [main]');
  return parts.join('\n');
}

function environment(r: () => number, hasDispatch: boolean): string {
  const pick = r();
  if (pick < 0.35) return '';
  if (pick < 0.7) return `    environment: ${ENVIRONMENTS[Math.floor(r() * ENVIRONMENTS.length)]}`;
  if (pick < 0.8)
    return [
      '    environment:',
      `      name: ${ENVIRONMENTS[Math.floor(r() * ENVIRONMENTS.length)]}`,
      '      url: https://example.test',
    ].join('\n');
  if (pick < 0.9 && hasDispatch) return '    environment: ${{ inputs.env }}';
  return [
    '    strategy:',
    '      matrix:',
    '        target: [dev, staging]',
    '        include:',
    '          - target: production',
    '    environment: ${{ matrix.target }}',
  ].join('\n');
}

/** `count` workflow files of a fictional repository, with a few reusable workflows among them. */
function generateWorkflows(count: number, seed = 42): Array<{ path: string; text: string }> {
  const r = rng(seed);
  const files: Array<{ path: string; text: string }> = [];
  const reusableCount = Math.max(1, Math.floor(count / 50));
  for (let i = 0; i < reusableCount; i++) {
    files.push({
      path: `.github/workflows/reusable-${i}.yml`,
      text: [
        `name: Reusable ${i}`,
        'on:',
        '  workflow_call:',
        '    inputs:',
        '      environment:',
        '        type: string',
        '        required: true',
        'jobs:',
        '  deploy:',
        '    runs-on: ubuntu-latest',
        '    environment: ${{ inputs.environment }}',
        '    steps:',
        loginSteps(i),
      ].join('\n'),
    });
  }
  for (let i = files.length; i < count; i++) {
    const on = triggers(r);
    const hasDispatch = on.includes('workflow_dispatch');
    const lines = [
      `name: Workflow ${i}`,
      'on:',
      on,
      'permissions:',
      '  id-token: write',
      '  contents: read',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: make build',
    ];
    const jobs = 1 + Math.floor(r() * 3);
    for (let j = 0; j < jobs; j++) {
      if (r() < 0.1) {
        lines.push(
          `  call-${j}:`,
          `    uses: ./.github/workflows/reusable-${Math.floor(r() * reusableCount)}.yml`,
          '    with:',
          `      environment: ${ENVIRONMENTS[Math.floor(r() * ENVIRONMENTS.length)]}`,
          '    secrets: inherit',
        );
        continue;
      }
      lines.push(`  deploy-${j}:`, '    needs: build', '    runs-on: ubuntu-latest');
      const env = environment(r, hasDispatch);
      if (env) lines.push(env);
      lines.push('    steps:', loginSteps(Math.floor(r() * 4)));
    }
    files.push({ path: `.github/workflows/workflow-${i}.yml`, text: `${lines.join('\n')}\n` });
  }
  return files;
}

/** `count` credentials: the common subjects, a few flexible ones, and some broken ones. */
function generateCredentials(count: number): FederatedCredential[] {
  const c = (name: string, subject: string): FederatedCredential => ({
    name,
    issuer: ISSUER,
    subject,
    audiences: [AUDIENCE],
  });
  const f = (name: string, value: string): FederatedCredential => ({
    name,
    issuer: ISSUER,
    subject: null,
    audiences: [AUDIENCE],
    claimsMatchingExpression: { value, languageVersion: 1 },
  });
  const pool: FederatedCredential[] = [
    c('main', 'repo:contoso/web:ref:refs/heads/main'),
    c('pr', 'repo:contoso/web:pull_request'),
    ...ENVIRONMENTS.slice(0, 4).map((e) => c(`env-${e}`, `repo:contoso/web:environment:${e}`)),
    f(
      'release',
      "claims['sub'] matches 'repo:contoso/web:ref:refs/heads/release/*' and claims['repository_id'] eq '2002'",
    ),
    f('tags', "claims['sub'] matches 'repo:contoso/web:ref:refs/tags/v*' and claims['repository_id'] eq '2002'"),
    c('typo', 'repo:contoso/web:pull-request'),
    c('wild', 'repo:contoso/web:environment:*'),
    c('case', 'repo:contoso/web:environment:Production'),
    c('legacy', 'repo:contoso/web:ref:refs/heads/legacy'),
    c('other-repo', 'repo:contoso/api:ref:refs/heads/main'),
    { ...c('slash', 'repo:contoso/web:environment:qa'), issuer: `${ISSUER}/` },
  ];
  for (let i = 0; pool.length < count; i++) pool.push(c(`extra-${i}`, `repo:contoso/web:environment:extra-${i}`));
  return pool.slice(0, count);
}

interface BenchResult {
  workflows: number;
  credentials: number;
  parseMs: number;
  auditMs: number;
  totalMs: number;
  perWorkflowMs: number;
  jobs: number;
  subjects: number;
  findings: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function runOnce(workflowCount: number, credentialCount: number, runs = 3): BenchResult {
  const files = generateWorkflows(workflowCount);
  const credentials = generateCredentials(credentialCount);
  const ctx: AuditContext = {
    owner: 'contoso',
    repo: 'web',
    repoId: '2002',
    defaultBranch: 'main',
    issuer: ISSUER,
    audience: AUDIENCE,
  };
  const parseTimes: number[] = [];
  const auditTimes: number[] = [];
  let last: ReturnType<typeof auditWorkflowsDetailed> | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const workflows: WorkflowFile[] = files.map((f) => parseWorkflow(f.text, f.path));
    const t1 = performance.now();
    last = auditWorkflowsDetailed(workflows, credentials, ctx);
    const t2 = performance.now();
    parseTimes.push(t1 - t0);
    auditTimes.push(t2 - t1);
  }
  const parseMs = median(parseTimes);
  const auditMs = median(auditTimes);
  const jobs = last!.workflows.reduce((n, w) => n + w.jobs.length, 0);
  const subjects = last!.workflows.reduce((n, w) => n + w.jobs.reduce((m, j) => m + j.matches.length, 0), 0);
  return {
    workflows: workflowCount,
    credentials: credentialCount,
    parseMs,
    auditMs,
    totalMs: parseMs + auditMs,
    perWorkflowMs: (parseMs + auditMs) / workflowCount,
    jobs,
    subjects,
    findings: last!.findings.length,
  };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function timeProcess(args: string[]): number {
  const t0 = performance.now();
  spawnSync(process.execPath, args, {
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  return performance.now() - t0;
}

function folderSize(dir: string): { files: number; bytes: number } {
  const wf = join(dir, '.github', 'workflows');
  let files = 0;
  let bytes = 0;
  try {
    for (const n of readdirSync(wf)) {
      if (!/\.ya?ml$/i.test(n)) continue;
      files++;
      bytes += statSync(join(wf, n)).size;
    }
  } catch {
    // not a repository folder
  }
  return { files, bytes };
}

interface FolderRow {
  name: string;
  files: number;
  kib: number;
  bare: number;
  /** Median milliseconds per build, same order as the builds given. */
  ms: number[];
}

/**
 * Per folder: each build's `cli.js audit` against bare `node -e 0`, interleaved (bare, then each build in
 * turn, `runs` times), so a busy machine slows every build alike; medians.
 */
function benchFolders(folders: string[], runs: number, builds: Array<{ label: string; cli: string }>): void {
  const work = mkdtempSync(join(tmpdir(), 'bench-audit-'));
  const creds = join(work, 'credentials.json');
  writeFileSync(creds, JSON.stringify(generateCredentials(20)));
  const rows: FolderRow[] = [];
  try {
    for (const dir of folders) {
      const { files, bytes } = folderSize(dir);
      if (files === 0) continue;
      const times = builds.map((): number[] => []);
      const bareTimes: number[] = [];
      for (let i = 0; i < runs; i++) {
        bareTimes.push(timeProcess(['-e', '0']));
        builds.forEach((b, k) => {
          const args = [b.cli, 'audit', '--credentials', creds, '--dir', dir, '--repository', 'contoso/web', '--json'];
          times[k]!.push(timeProcess(args));
        });
      }
      rows.push({
        name: dir.split('/').pop() ?? dir,
        files,
        kib: bytes / 1024,
        bare: median(bareTimes),
        ms: times.map(median),
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (rows.length === 0) return;
  const largest = rows.reduce((a, b) => (b.kib > a.kib ? b : a));
  console.log(`bench-audit --corpus: ${rows.length} folders, median of ${runs} interleaved runs each`);
  console.log(`  bare node: median ${median(rows.map((r) => r.bare)).toFixed(0)} ms per folder`);
  builds.forEach((b, k) => {
    const ratios = rows.map((r) => r.ms[k]! / r.bare);
    console.log(
      `  ${b.label}: median per folder ${median(rows.map((r) => r.ms[k]!)).toFixed(0)} ms, ` +
        `ratio ${median(ratios).toFixed(2)}x (goal <= 3x); largest folder ${largest.name} ` +
        `(${largest.files} files, ${largest.kib.toFixed(0)} KiB): ${largest.ms[k]!.toFixed(0)} ms (goal <= 300 ms)`,
    );
  });
}

/** The generated set as one folder on disk, so the CLI can be timed on it like a corpus folder. */
function generatedFolder(count: number): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'bench-audit-generated-'));
  const dir = join(root, `generated-${count}`);
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  for (const f of generateWorkflows(count)) writeFileSync(join(dir, f.path), f.text);
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function argString(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function main(): BenchResult {
  const workflows = arg('workflows', 1000);
  const credentials = arg('credentials', 20);
  const runs = arg('runs', 3);
  // Warm up the JIT so the first size is not penalised.
  runOnce(Math.min(100, workflows), credentials, 1);
  const f = (n: number) => n.toFixed(1).padStart(8);
  console.log(`bench-audit: ${credentials} credentials, median of ${runs} runs`);
  console.log(' workflows  parse ms  audit ms  total ms  ms/workflow   jobs  subjects  findings');
  let result: BenchResult | undefined;
  for (const n of [Math.max(1, Math.floor(workflows / 4)), Math.max(1, Math.floor(workflows / 2)), workflows]) {
    result = runOnce(n, credentials, runs);
    const counts = [
      result.perWorkflowMs.toFixed(3).padStart(11),
      String(result.jobs).padStart(5),
      String(result.subjects).padStart(8),
      String(result.findings).padStart(8),
    ];
    console.log(
      `${String(n).padStart(10)}${f(result.parseMs)}  ${f(result.auditMs)}  ${f(result.totalMs)}  ${counts.join('  ')}`,
    );
  }
  const corpus = argString('corpus');
  if (corpus) {
    const runsPerFolder = arg('corpus-runs', 5);
    const root = resolve(corpus);
    const folders = readdirSync(root)
      .sort()
      .map((n) => join(root, n))
      .filter((d) => statSync(d).isDirectory());
    // --baseline DIR: another build's dist/ (say, a copy made before a change), timed in the same run.
    const baseline = argString('baseline');
    const builds = [
      ...(baseline ? [{ label: 'baseline', cli: join(resolve(baseline), 'cli.js') }] : []),
      { label: 'dist', cli: resolve('dist/cli.js') },
    ];
    benchFolders(folders, runsPerFolder, builds);
    const generated = generatedFolder(workflows);
    try {
      console.log(`generated set as one folder (${workflows} files):`);
      benchFolders([generated.dir], runsPerFolder, builds);
    } finally {
      generated.cleanup();
    }
  }
  return result!;
}

// scripts/run-ts.mjs calls main(); running it here as well measured everything twice.
