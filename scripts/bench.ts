/**
 * `npm run bench [-- --runs 20 --mem-runs 5 --strict --no-readme --baseline <dir>]`: what the
 * action costs, measured against bare `node` starting an empty file, on the same machine in the
 * same run, with the runs interleaved (bare, input failure, passing check; the order rotates each
 * round) and medians reported.
 *
 *   a. time to the first decision of a run that fails on its input (a bad client-id):
 *      spawn until the first `::error` line; goal ≤ 3× bare node (with the toolkit loaded);
 *   b. a full passing check (runner token, verification, comparison, Entra exchange) against the
 *      loopback stand-ins, which run in this process and are started once; goal ≤ 4× bare node;
 *   c. peak memory (maxRSS) of the passing run, from separate runs with a tiny `--import` hook
 *      that writes process.resourceUsage().maxRSS on exit (kept out of the timing runs); goal < 80 MiB;
 *   d. the HTTP requests of the passing run, from the stand-ins' logs (User-Agent
 *      azure-federation-check): the runner token and the Entra token once each; the issuer's
 *      discovery and JWKS at most once each, started beside the exchange and not waited for;
 *   f. round trips on the passing run's critical path: the same run with a fixed delay injected
 *      into every stand-in answer to the action, (wall time with delay − wall time without) / delay;
 *      goal 2 (the runner token, then Entra's answer);
 *   e. bundle size: dist/index.js, and the bytes of every dist file loaded on the input-failure and
 *      the passing paths (listed by a module-loader hook, in separate runs).
 *
 * The workspace has the workflow checked out (as after actions/checkout), so the input-failure run
 * also places its annotation on the workflow line, as it does on a runner.
 *
 * Writes bench/results.json and bench/results.md, and the table between the bench markers in README.md.
 * `--baseline <dir>` also times another build (e.g. dist/ from before a change) in the same
 * interleaved rounds and prints both, without writing any file. `--no-readme` leaves README.md alone;
 * `--node PATH` runs every child (bare node included) with another node, e.g. the Node 24 that action.yml
 * names (npm run test:node24 installs one under .tmp/node-24), and writes bench/results-node24.* instead.
 * `--strict` exits 1 when a goal is missed. `--cpu-prof <dir>` also writes a V8 CPU profile of one input-failure
 * and one passing run there (node's --cpu-prof), to see where start-up time goes. Needs a built dist/ (npm run bundle).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startEntraStandin, type EntraStandin } from '../test/support/entra-standin.js';
import { startGitHubStandin, type GitHubStandin } from '../test/support/github-standin.js';
import { ACTION_SCRIPT, REPO_ROOT, jobEnv } from '../test/support/run-action.js';
import { createTestCertificate } from '../test/support/tls.js';

// From the harness: right both under vitest and when run-ts.mjs bundles this script into .tmp/run-*/.
const ROOT = REPO_ROOT.replace(/\/$/, '');
const DIST = join(ROOT, 'dist');
const ACTION = ACTION_SCRIPT;
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const UA = 'azure-federation-check';
const WORKFLOW = `name: Deploy
on:
  push:
    branches: [main]
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: octo-org/azure-federation-check@v1
        with:
          client-id: \${{ vars.AZURE_CLIENT_ID }}
          tenant-id: \${{ vars.AZURE_TENANT_ID }}
      - uses: azure/login@v2
        with:
          client-id: \${{ vars.AZURE_CLIENT_ID }}
          tenant-id: \${{ vars.AZURE_TENANT_ID }}
          subscription-id: \${{ vars.AZURE_SUBSCRIPTION_ID }}
`;
const GOALS = { firstDecisionRatio: 3, passingRatio: 4, maxRssMiB: 80, roundTrips: 2 } as const;
/** The delay injected into every stand-in answer for (f), and how many runs with and without it. */
// Long enough that start-up work overlapping the first answers (loading msal-node) cannot hide a round trip.
const LATENCY_MS = 1000;

interface ChildRun {
  /** Spawn to exit. */
  ms: number;
  /** Spawn to the first `::error` line on stdout, if any. */
  firstErrorMs?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The node that runs the children (bare node included): this one, or `--node PATH`. */
let childNode = process.execPath;

function runChild(args: string[], env: Record<string, string>, cwd: string): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstErrorMs: number | undefined;
    let exitedMs = 0;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const child = spawn(childNode, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (firstErrorMs === undefined && /(^|\n)::error[ :]/.test(Buffer.concat(out).toString('utf8')))
        firstErrorMs = performance.now() - started;
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('exit', () => (exitedMs = performance.now() - started));
    child.on('close', (code) =>
      resolve({
        ms: exitedMs || performance.now() - started,
        firstErrorMs,
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

function parseArgs(args: string[]): {
  runs: number;
  memRuns: number;
  latencyRuns: number;
  strict: boolean;
  readme: boolean;
  baseline?: string;
  cpuProf?: string;
  node?: string;
} {
  const get = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  const runs = Number(get('--runs') ?? 20);
  const memRuns = Number(get('--mem-runs') ?? 5);
  const latencyRuns = Number(get('--latency-runs') ?? 5);
  if (!Number.isInteger(latencyRuns) || latencyRuns < 1) throw new Error('--latency-runs takes a positive integer');
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(memRuns) || memRuns < 1)
    throw new Error('--runs and --mem-runs take a positive integer');
  const baseline = get('--baseline');
  if (baseline !== undefined && !existsSync(join(baseline, 'index.js')))
    throw new Error(`--baseline ${baseline}: no index.js there`);
  return {
    runs,
    memRuns,
    latencyRuns,
    strict: args.includes('--strict'),
    readme: !args.includes('--no-readme') && baseline === undefined && get('--node') === undefined,
    baseline,
    cpuProf: get('--cpu-prof'),
    node: get('--node'),
  };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const options = parseArgs(argv);
  if (options.node) childNode = options.node;
  const childVersion = options.node
    ? spawnSync(options.node, ['--version'], { encoding: 'utf8' }).stdout.trim()
    : process.version;
  if (!existsSync(ACTION)) {
    console.error(`${ACTION} does not exist: run \`npm run bundle\` first.`);
    return 2;
  }
  const dir = await mkdtemp(join(tmpdir(), 'afc-bench-'));
  let github: GitHubStandin | undefined;
  let entra: EntraStandin | undefined;
  try {
    // --- files the children need: an empty script, the two hooks, the runner's file commands.
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, '');
    const rssHook = join(dir, 'rss-hook.mjs');
    writeFileSync(
      rssHook,
      "import { writeFileSync } from 'node:fs';\n" +
        "process.on('exit', () => { if (process.env.AFC_BENCH_RSS_FILE) " +
        'writeFileSync(process.env.AFC_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)); });\n',
    );
    const loader = join(dir, 'list-loader.mjs');
    writeFileSync(
      loader,
      "import { appendFileSync } from 'node:fs';\nlet file;\n" +
        'export function initialize(data) { file = data?.file; }\n' +
        "export async function load(url, context, next) { if (file && url.startsWith('file:'))" +
        " appendFileSync(file, url + '\\n'); return next(url, context); }\n",
    );
    const listHook = join(dir, 'list-hook.mjs');
    writeFileSync(
      listHook,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(loader).href)},` +
        ' { data: { file: process.env.AFC_BENCH_LOADED_FILE } });\n',
    );
    // The repository is checked out, as in a real job (actions/checkout first): the input-failure
    // run places its annotation on the step's `client-id:` line, as it does on a runner.
    const workspace = join(dir, 'workspace');
    mkdirSync(join(workspace, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(workspace, '.github', 'workflows', 'deploy.yml'), WORKFLOW);
    const files = {
      output: join(dir, 'github_output'),
      summary: join(dir, 'step_summary.md'),
      env: join(dir, 'github_env'),
      path: join(dir, 'github_path'),
      state: join(dir, 'github_state'),
    };
    const resetFiles = () => {
      for (const f of Object.values(files)) writeFileSync(f, '');
    };

    // --- the stand-ins, started once.
    const tls = await createTestCertificate(join(dir, 'tls'));
    github = await startGitHubStandin();
    const credentials = [
      {
        name: 'main',
        issuer: github.issuer,
        subject: 'repo:octo-org/octo-repo:ref:refs/heads/main',
        audiences: ['api://AzureADTokenExchange'],
      },
    ];
    entra = await startEntraStandin({
      tls,
      tenants: { [TENANT]: { displayName: 'Contoso', apps: { [CLIENT]: { displayName: 'deploy-app', credentials } } } },
    });

    const base: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      ...jobEnv(github.context),
      GITHUB_JOB: 'deploy',
      GITHUB_ACTION_REPOSITORY: 'octo-org/azure-federation-check',
      // The stand-in is this job's server (as a GHES host is), so the action trusts its issuer's keys.
      GITHUB_SERVER_URL: new URL(github.issuer).origin,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      GITHUB_STATE: files.state,
      RUNNER_TEMP: dir,
      RUNNER_OS: 'Linux',
    };
    const input = (name: string) => `INPUT_${name.toUpperCase()}`;
    const bareEnv = base;
    const inputFailureEnv = {
      ...base,
      [input('client-id')]: 'my-app',
      [input('tenant-id')]: TENANT,
      ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
    };
    const passingEnv = {
      ...base,
      [input('client-id')]: CLIENT,
      [input('tenant-id')]: TENANT,
      [input('authority-host')]: entra.authorityHost,
      [input('federated-credentials')]: JSON.stringify(credentials),
      ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
      NODE_EXTRA_CA_CERTS: tls.certFile,
    };

    // --baseline <dir>: another build (e.g. before a change) timed in the same interleaved rounds.
    const baselineAction = options.baseline ? join(options.baseline, 'index.js') : ACTION;
    const kinds = {
      bare: { args: [empty], env: bareEnv },
      inputFailure: { args: [ACTION], env: inputFailureEnv },
      passing: { args: [ACTION], env: passingEnv },
      baselineInputFailure: { args: [baselineAction], env: inputFailureEnv },
      baselinePassing: { args: [baselineAction], env: passingEnv },
    } as const;
    type Kind = keyof typeof kinds;
    const order: Kind[] = options.baseline
      ? ['bare', 'inputFailure', 'passing', 'baselineInputFailure', 'baselinePassing']
      : ['bare', 'inputFailure', 'passing'];

    interface RequestLog {
      github: Array<{ route: string; time: number; userAgent?: string }>;
      entra: Array<{ route: string; time: number; userAgent?: string }>;
    }
    const requestLogs: RequestLog[] = [];
    const check = (kind: Kind, r: ChildRun) => {
      if (kind === 'bare') return;
      if (
        (kind === 'inputFailure' || kind === 'baselineInputFailure') &&
        (r.code !== 1 ||
          r.firstErrorMs === undefined ||
          !/^::error .*file=\.github\/workflows\/deploy\.yml,line=\d+.*Input 'client-id'/m.test(r.stdout))
      )
        throw new Error(`the input-failure run did not fail on its input:\n${r.stdout}\n${r.stderr}`);
      if (
        (kind === 'passing' || kind === 'baselinePassing') &&
        (r.code !== 0 || !readFileSync(files.output, 'utf8').includes('\npass\n'))
      )
        throw new Error(`the passing run did not pass (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      if (r.stderr) throw new Error(`the ${kind} run wrote to stderr:\n${r.stderr}`);
    };
    const once = async (kind: Kind, extraArgs: string[] = [], extraEnv: Record<string, string> = {}) => {
      resetFiles();
      github!.requests.length = 0;
      entra!.requests.length = 0;
      const r = await runChild([...extraArgs, ...kinds[kind].args], { ...kinds[kind].env, ...extraEnv }, workspace);
      check(kind, r);
      return r;
    };

    // --- timing: warm-up rounds, then N interleaved rounds with a rotating order.
    console.log(
      `azure-federation-check bench: node ${childVersion}, ${cpus().length} CPU(s),` +
        ` ${options.runs} runs each, interleaved.`,
    );
    for (let w = 0; w < 2; w++) for (const k of order) await once(k);
    if (options.cpuProf) {
      const profDir = options.cpuProf;
      for (const k of ['inputFailure', 'passing'] as const)
        await once(k, [
          '--cpu-prof',
          '--cpu-prof-interval',
          '100',
          '--cpu-prof-dir',
          profDir,
          '--cpu-prof-name',
          `${k}.cpuprofile`,
        ]);
      console.log(`CPU profiles written to ${profDir}.`);
    }
    const times: Record<Kind, number[]> = {
      bare: [],
      inputFailure: [],
      passing: [],
      baselineInputFailure: [],
      baselinePassing: [],
    };
    const baselineFirstDecision: number[] = [];
    const firstDecision: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const rotated = [...order.slice(i % order.length), ...order.slice(0, i % order.length)];
      for (const k of rotated) {
        const r = await once(k);
        times[k].push(r.ms);
        if (k === 'inputFailure') firstDecision.push(r.firstErrorMs!);
        if (k === 'baselineInputFailure') baselineFirstDecision.push(r.firstErrorMs!);
        if (k === 'passing')
          requestLogs.push({
            github: github.requests.map((q) => ({ route: q.route, time: q.time, userAgent: q.userAgent })),
            entra: entra.requests.map((q) => ({
              route: q.route,
              time: q.time,
              userAgent: String(q.headers['user-agent'] ?? ''),
            })),
          });
      }
      process.stdout.write(`\r  round ${i + 1}/${options.runs}`);
    }
    process.stdout.write('\n');
    if (options.baseline) {
      const b = median(times.bare);
      const cell = (ms: number[]) => `${round1(median(ms))} ms (${round2(median(ms) / b)}×)`;
      const row = (what: string, before: number[], after: number[]) => `| ${what} | ${cell(before)} | ${cell(after)} |`;
      console.log(
        `\nbaseline ${options.baseline} vs dist/, bare node ${round1(b)} ms,` +
          ` medians of ${options.runs} interleaved runs:\n`,
      );
      console.log(
        [
          '| measure | baseline | dist/ |',
          '|---|---|---|',
          row('(a) first decision, input failure', baselineFirstDecision, firstDecision),
          row('(a) exit, input failure', times.baselineInputFailure, times.inputFailure),
          row('(b) passing check', times.baselinePassing, times.passing),
        ].join('\n'),
      );
    }

    // --- memory: separate runs with the maxRSS hook.
    const rssFile = join(dir, 'rss.txt');
    const rss = async (kind: Kind) => {
      const values: number[] = [];
      for (let i = 0; i < options.memRuns; i++) {
        writeFileSync(rssFile, '');
        await once(kind, ['--import', pathToFileURL(rssHook).href], { AFC_BENCH_RSS_FILE: rssFile });
        values.push(Number(readFileSync(rssFile, 'utf8')) / 1024); // KiB -> MiB
      }
      return values;
    };
    const rssBare = await rss('bare');
    const rssInput = await rss('inputFailure');
    const rssPassing = await rss('passing');

    // --- which dist files each path loads (separate runs with the loader hook).
    const loadedFile = join(dir, 'loaded.txt');
    const loaded = async (kind: Kind) => {
      writeFileSync(loadedFile, '');
      await once(kind, ['--import', pathToFileURL(listHook).href], { AFC_BENCH_LOADED_FILE: loadedFile });
      const urls = [...new Set(readFileSync(loadedFile, 'utf8').split('\n').filter(Boolean))];
      const distFiles = urls.map((u) => new URL(u).pathname).filter((p) => p.startsWith(`${DIST}/`));
      const list = distFiles
        .map((p) => ({ file: relative(ROOT, p), bytes: statSync(p).size }))
        .sort((a, b) => b.bytes - a.bytes);
      return { files: list, bytes: list.reduce((s, f) => s + f.bytes, 0) };
    };
    const loadedInput = await loaded('inputFailure');
    const loadedPassing = await loaded('passing');

    // --- the critical path's requests, per passing run.
    const perRun = requestLogs.map((log) => {
      const ours = [
        ...log.github.map((q) => ({ ...q, service: 'github' })),
        ...log.entra.map((q) => ({ ...q, service: 'entra' })),
      ].filter((q) => q.userAgent?.startsWith(UA));
      const names = ours.map((q) => `${q.service}:${q.route}`).sort();
      const discovery = log.github.find((q) => q.route === 'discovery' && q.userAgent?.startsWith(UA));
      const entraToken = log.entra.find((q) => q.route === 'token');
      // Entra's stand-in fetches the issuer's keys while it handles the token request: a request it
      // makes is a moment before Entra's answer. Our discovery must start before that.
      const inside = log.github.filter((q) => q.userAgent === 'entra-standin').map((q) => q.time);
      const entraAnsweredAfter = inside.length ? Math.max(...inside) : undefined;
      return {
        requests: names,
        tokenRequestToDiscoveryMs:
          discovery && log.github[0]
            ? discovery.time - log.github.find((q) => q.route === 'tokenRequest')!.time
            : undefined,
        entraTokenStartToDiscoveryMs: discovery && entraToken ? discovery.time - entraToken.time : undefined,
        discoveryBeforeEntraAnswer:
          discovery !== undefined && entraAnsweredAfter !== undefined && discovery.time <= entraAnsweredAfter,
      };
    });
    // Discovery and JWKS may be cut short once Entra has accepted the token: at most once each.
    const expected = ['entra:token', 'github:discovery', 'github:jwks', 'github:tokenRequest'];
    const once1 = (names: string[], n: string) => names.filter((x) => x === n).length;
    const exact = perRun.every(
      (r) =>
        r.requests.every((n) => expected.includes(n)) &&
        once1(r.requests, 'entra:token') === 1 &&
        once1(r.requests, 'github:tokenRequest') === 1 &&
        once1(r.requests, 'github:discovery') <= 1 &&
        once1(r.requests, 'github:jwks') <= 1,
    );
    // Beside the exchange: both follow the runner token, so the discovery starts within moments of
    // the Entra token request (Entra's stand-in takes longer than that to answer: it fetches the keys too).
    const beside = (r: (typeof perRun)[number]) =>
      Math.abs(r.entraTokenStartToDiscoveryMs ?? Infinity) <= 100 || r.discoveryBeforeEntraAnswer;
    const concurrent = perRun.every((r) => !r.requests.includes('github:discovery') || beside(r));

    // --- (f) round trips on the critical path: every answer to the action delayed by LATENCY_MS.
    const delayOurs = (on: boolean) => {
      const plan = (req: { headers: Record<string, unknown> }) =>
        on && String(req.headers['user-agent'] ?? '').startsWith(UA) ? { delayMs: LATENCY_MS } : undefined;
      github!.faults = on ? { tokenRequest: plan, discovery: plan, jwks: plan } : {};
      entra!.faults = on ? { token: plan } : {};
    };
    const latency = async (kind: Kind) => {
      const walls: Record<'plain' | 'delayed', number[]> = { plain: [], delayed: [] };
      for (let i = 0; i < options.latencyRuns; i++)
        for (const on of [false, true]) {
          delayOurs(on);
          walls[on ? 'delayed' : 'plain'].push((await once(kind)).ms);
        }
      delayOurs(false);
      return round2((median(walls.delayed) - median(walls.plain)) / LATENCY_MS);
    };
    const roundTrips = await latency('passing');
    const baselineRoundTrips = options.baseline ? await latency('baselinePassing') : undefined;
    if (baselineRoundTrips !== undefined)
      console.log(`\n(f) round trips on the critical path: baseline ${baselineRoundTrips}, dist/ ${roundTrips}`);

    // --- results.
    const bare = median(times.bare);
    const fd = median(firstDecision);
    const inputExit = median(times.inputFailure);
    const pass = median(times.passing);
    const rssMedian = median(rssPassing);
    const results = {
      date: new Date().toISOString(),
      node: childVersion,
      platform: `${process.platform} ${process.arch}`,
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      runs: options.runs,
      bareNodeMs: round1(bare),
      inputFailure: {
        firstDecisionMs: round1(fd),
        exitMs: round1(inputExit),
        ratio: round2(fd / bare),
        exitRatio: round2(inputExit / bare),
        goalRatio: GOALS.firstDecisionRatio,
        met: fd / bare <= GOALS.firstDecisionRatio,
      },
      passing: {
        ms: round1(pass),
        ratio: round2(pass / bare),
        goalRatio: GOALS.passingRatio,
        met: pass / bare <= GOALS.passingRatio,
      },
      memory: {
        passingMaxRssMiB: round1(rssMedian),
        passingMaxRssMiBWorst: round1(Math.max(...rssPassing)),
        inputFailureMaxRssMiB: round1(median(rssInput)),
        bareNodeMaxRssMiB: round1(median(rssBare)),
        runs: options.memRuns,
        goalMiB: GOALS.maxRssMiB,
        met: rssMedian < GOALS.maxRssMiB,
      },
      requests: {
        expected,
        exact,
        discoveryConcurrentWithExchange: concurrent,
        met: exact && concurrent,
        roundTripsOnCriticalPath: roundTrips,
        ...(baselineRoundTrips !== undefined ? { baselineRoundTrips } : {}),
        latencyMs: LATENCY_MS,
        latencyRuns: options.latencyRuns,
        roundTripsMet: roundTrips <= GOALS.roundTrips + 0.5,
        medianEntraTokenStartToDiscoveryMs: round1(
          median(perRun.map((r) => r.entraTokenStartToDiscoveryMs ?? NaN).filter(Number.isFinite)),
        ),
        unexpected: [...new Set(perRun.flatMap((r) => r.requests).filter((n) => !expected.includes(n)))],
        perRunCounts: [...new Set(perRun.map((r) => r.requests.length))],
      },
      bundle: {
        indexJsBytes: statSync(ACTION).size,
        inputFailurePath: loadedInput,
        passingPath: loadedPassing,
      },
      samplesMs: {
        bare: times.bare.map(round1),
        firstDecision: firstDecision.map(round1),
        inputFailureExit: times.inputFailure.map(round1),
        passing: times.passing.map(round1),
      },
    };

    const kb = (b: number) => `${round1(b / 1024)} KiB`;
    const yes = (ok: boolean) => (ok ? 'yes' : '**no**');
    const tableRow = (...cells: string[]) => `| ${cells.join(' | ')} |`;
    const { inputFailure, passing, memory, requests } = results;
    const requested = exact
      ? 'runner token, Entra token; discovery + JWKS at most once'
      : requests.perRunCounts.join('/');
    const filesCell = (l: typeof loadedInput) => `${kb(l.bytes)} (${l.files.length} files)`;
    const md = [
      `| measure | value | bare node | ratio | goal | met |`,
      `|---|---|---|---|---|---|`,
      tableRow(
        '(a) first decision of a run failing on input (bad client-id)',
        `${inputFailure.firstDecisionMs} ms (exit ${inputFailure.exitMs} ms)`,
        `${results.bareNodeMs} ms`,
        `${inputFailure.ratio}× (exit ${inputFailure.exitRatio}×)`,
        `≤ ${GOALS.firstDecisionRatio}×`,
        yes(inputFailure.met),
      ),
      tableRow(
        '(b) full passing check: token, verification, comparison, exchange',
        `${passing.ms} ms`,
        `${results.bareNodeMs} ms`,
        `${passing.ratio}×`,
        `≤ ${GOALS.passingRatio}×`,
        yes(passing.met),
      ),
      tableRow(
        '(c) peak memory (maxRSS) of the passing run',
        `${memory.passingMaxRssMiB} MiB (worst ${memory.passingMaxRssMiBWorst})`,
        `${memory.bareNodeMaxRssMiB} MiB`,
        '—',
        `< ${GOALS.maxRssMiB} MiB`,
        yes(memory.met),
      ),
      tableRow(
        '(d) HTTP requests of the passing run',
        `${requested}; discovery ${concurrent ? 'beside' : '**not** beside'} the exchange`,
        '—',
        '—',
        'those, once',
        yes(requests.met),
      ),
      tableRow(
        `(f) round trips on the passing run's critical path (${LATENCY_MS} ms injected per answer)`,
        `${roundTrips}`,
        '—',
        '—',
        `${GOALS.roundTrips}`,
        yes(requests.roundTripsMet),
      ),
      tableRow(
        '(e) bundle: dist/index.js; dist loaded on the input-failure / passing path',
        `${kb(results.bundle.indexJsBytes)}; ${filesCell(loadedInput)} / ${filesCell(loadedPassing)}`,
        '—',
        '—',
        '(reported)',
        '—',
      ),
    ].join('\n');
    const machine =
      `Node ${results.node}, ${results.platform}, ${results.cpus}; medians of ${options.runs} interleaved runs` +
      ` (memory: ${options.memRuns} runs), ${results.date.slice(0, 10)}.`;
    const command = `npm run bundle && npm run bench -- --runs 20${options.node ? ' --node PATH' : ''}`;
    const files2 = (l: typeof loadedInput) => l.files.map((f) => `\`${f.file}\` ${kb(f.bytes)}`).join(', ');
    const resultsMd =
      `# Benchmark\n\n${md}\n\n${machine}\n\nReproduce: \`${command}\`\n\n` +
      `Dist files loaded on the input-failure path: ${files2(loadedInput)}.\n\n` +
      `On the passing path: ${files2(loadedPassing)}.\n`;

    // A --baseline comparison is not the record: results files and README stay as they are. Another
    // node (--node) has files of its own, named after its major version.
    if (!options.baseline) {
      const name = options.node ? `results-node${childVersion.replace(/^v(\d+).*/, '$1')}` : 'results';
      mkdirSync(join(ROOT, 'bench'), { recursive: true });
      writeFileSync(join(ROOT, 'bench', `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
      writeFileSync(join(ROOT, 'bench', `${name}.md`), resultsMd);
    }
    if (options.readme)
      updateReadme(`${md}\n\n${machine}\n\nReproduce with \`${command}\` (details in \`bench/results.md\`).`);

    console.log(`\n${md}\n\n${machine}`);
    console.log(`\ninput-failure path loads: ${files2(loadedInput)}`);
    console.log(`passing path loads: ${files2(loadedPassing)}`);
    if (results.requests.unexpected.length)
      console.log(`unexpected requests: ${results.requests.unexpected.join(', ')}`);
    const met =
      results.inputFailure.met &&
      results.passing.met &&
      results.memory.met &&
      results.requests.met &&
      results.requests.roundTripsMet;
    console.log(met ? '\nAll goals met.' : '\nSome goals were missed (see the table).');
    return options.strict && !met ? 1 : 0;
  } finally {
    await github?.close();
    await entra?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Replaces the block between the bench markers; adds a "## Speed" section at the end if they are missing. */
function updateReadme(block: string): void {
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const body = `${start}\n${block}\n${end}`;
  let next: string;
  if (text.includes(start) && text.includes(end))
    next = `${text.slice(0, text.indexOf(start))}${body}${text.slice(text.indexOf(end) + end.length)}`;
  else
    next =
      `${text.replace(/\s*$/, '')}\n\n## Speed\n\n` +
      `What a run costs, measured against bare \`node\` starting an empty file on the same machine:\n\n${body}\n`;
  writeFileSync(file, next);
}
