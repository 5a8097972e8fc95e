/**
 * Runs the bundled action (`node dist/index.js`) as a child process the way a GitHub
 * runner does: clean environment, INPUT_* variables, file commands (GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, ...), and stdout and stderr read as actions/runner reads them
 * (test/support/runner-reader.ts: commands anywhere the runner finds them, stop-commands, masks).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntraStandin } from './entra-standin.js';
import { LineSplitter, readAsRunner, runnerLines, type RunnerReading, type WorkflowCommand } from './runner-reader.js';

export type { WorkflowCommand } from './runner-reader.js';
import type { GitHubStandin, JobContext } from './github-standin.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The bundle under test: the fresh build of the sources that test/support/global-setup.ts makes in a
 * temporary folder (AFC_TEST_DIST); the committed dist/ when run outside vitest (npm run bench).
 */
export const DIST_DIR = process.env['AFC_TEST_DIST'] ?? join(REPO_ROOT, 'dist');
export const ACTION_SCRIPT = join(DIST_DIR, 'index.js');

export interface RunActionOptions {
  /** Action inputs by their action.yml name; only these are set (the runner fills defaults, not us). */
  inputs?: Record<string, string | undefined>;
  /** Added on top of the default runner context; `undefined` deletes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Script to run instead of dist/index.js. */
  script?: string;
  /** Kill the child after this long (default 20 s). */
  timeoutMs?: number;
}

export interface ActionResult {
  /** Exit code; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT, plus any deprecated `::set-output`. */
  outputs: Record<string, string>;
  /** GITHUB_STEP_SUMMARY contents. */
  summary: string;
  /** Workflow commands the runner processed from stdout and stderr, in order. */
  commands: WorkflowCommand[];
  /** The log as the runner would show it: every line of stdout and stderr after masking, commands consumed. */
  runnerLog: string;
  /** How the runner read the output (commands, stop-commands tokens, masks, log lines). */
  runner: RunnerReading;
  /** GITHUB_ENV / GITHUB_STATE contents and GITHUB_PATH lines. */
  exportedEnv: Record<string, string>;
  state: Record<string, string>;
  addedPaths: string[];
  /** Problems the runner would fail the step for (malformed file commands). */
  fileCommandErrors: string[];
  /** The environment the child got (for debugging a failing test). */
  env: Record<string, string>;
}

/** The runner's input variable name: uppercased, spaces to `_`, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Environment for an action that talks to the stand-ins. Omit `github` to simulate no `id-token: write`. */
export function standinEnv(github?: GitHubStandin, entra?: EntraStandin): Record<string, string> {
  return {
    ...(github
      ? {
          ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
          // The stand-in is this job's GitHub server, so its issuer is one the action trusts (as GitHub's is).
          GITHUB_SERVER_URL: new URL(github.issuer).origin,
        }
      : {}),
    ...(entra ? { NODE_EXTRA_CA_CERTS: entra.caFile } : {}),
  };
}

/** Runner context variables matching a stand-in job, so GITHUB_* and the token's claims agree. */
export function jobEnv(ctx: JobContext): Record<string, string> {
  const repo = `${ctx.owner}/${ctx.repo}`;
  return {
    GITHUB_REPOSITORY: repo,
    GITHUB_REPOSITORY_OWNER: ctx.owner,
    GITHUB_REPOSITORY_ID: ctx.repoId,
    GITHUB_REPOSITORY_OWNER_ID: ctx.ownerId,
    GITHUB_REF: ctx.ref,
    GITHUB_REF_NAME: ctx.ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: ctx.refType,
    GITHUB_REF_PROTECTED: String(ctx.refProtected),
    GITHUB_SHA: ctx.sha,
    GITHUB_EVENT_NAME: ctx.eventName,
    GITHUB_HEAD_REF: ctx.headRef,
    GITHUB_BASE_REF: ctx.baseRef,
    GITHUB_WORKFLOW: ctx.workflow,
    GITHUB_WORKFLOW_REF: `${repo}/${ctx.workflowFile}@${ctx.ref}`,
    GITHUB_WORKFLOW_SHA: ctx.sha,
    GITHUB_RUN_ID: ctx.runId,
    GITHUB_RUN_NUMBER: ctx.runNumber,
    GITHUB_RUN_ATTEMPT: ctx.runAttempt,
    GITHUB_ACTOR: ctx.actor,
    GITHUB_ACTOR_ID: ctx.actorId,
    RUNNER_ENVIRONMENT: ctx.runnerEnvironment,
  };
}

/** The workflow commands the runner would process in this output (see test/support/runner-reader.ts). */
export function parseWorkflowCommands(output: string): WorkflowCommand[] {
  return readAsRunner(runnerLines(output)).commands;
}

/** Parses a key-value file command file (GITHUB_OUTPUT/ENV/STATE): `k=v` and `k<<DELIM ... DELIM`. */
export function parseFileCommand(text: string, errors: string[] = []): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq);
      if (!name) errors.push(`invalid format (empty name): ${line}`);
      else result[name] = line.slice(eq + 1);
      continue;
    }
    if (heredoc > 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (!delimiter) {
        errors.push(`invalid format (empty delimiter): ${line}`);
        continue;
      }
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        value.push(lines[i] ?? '');
      }
      if (!closed) errors.push(`matching delimiter not found '${delimiter}'`);
      result[name] = value.join('\n');
      continue;
    }
    errors.push(`invalid format: ${line}`);
  }
  return result;
}

async function readIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

export async function runAction(options: RunActionOptions = {}): Promise<ActionResult> {
  const script = options.script ?? ACTION_SCRIPT;
  if (!existsSync(script))
    throw new Error(`${script} does not exist: bundle the action first (npm run bundle, or run under vitest)`);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const temp = await mkdtemp(join(tmpdir(), 'afc-run-'));
  const files = {
    output: join(temp, 'github_output'),
    summary: join(temp, 'step_summary.md'),
    env: join(temp, 'github_env'),
    path: join(temp, 'github_path'),
    state: join(temp, 'github_state'),
    event: join(temp, 'event.json'),
  };
  const runnerTemp = join(temp, 'runner_temp');
  const workspace = join(temp, 'workspace');
  await Promise.all([mkdir(runnerTemp), mkdir(workspace), mkdir(join(temp, 'tool_cache'))]);
  await Promise.all(
    Object.entries(files)
      .filter(([k]) => k !== 'event')
      .map(([, f]) => writeFile(f, '')),
  );

  const repo = options.env?.['GITHUB_REPOSITORY'] ?? 'octo-org/octo-repo';
  const [owner = 'octo-org', repoName = 'octo-repo'] = repo.split('/');
  const ref = options.env?.['GITHUB_REF'] ?? 'refs/heads/main';
  const sha = options.env?.['GITHUB_SHA'] ?? 'd6f3c8a1b2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8';
  await writeFile(
    files.event,
    JSON.stringify({
      ref,
      after: sha,
      repository: { name: repoName, full_name: repo, owner: { login: owner, id: 1001 }, id: 2002, private: true },
      sender: { login: 'octocat', id: 583231 },
    }),
  );

  // Clean environment: nothing from the parent except what a process needs to start.
  const env: Record<string, string | undefined> = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    ...(process.platform === 'win32'
      ? { SYSTEMROOT: process.env['SYSTEMROOT'], USERPROFILE: process.env['USERPROFILE'] }
      : {}),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: repo,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_REPOSITORY_ID: '2002',
    GITHUB_REPOSITORY_OWNER_ID: '1001',
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_REF_PROTECTED: 'true',
    GITHUB_SHA: sha,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_WORKFLOW: 'Deploy',
    GITHUB_WORKFLOW_REF: `${repo}/.github/workflows/deploy.yml@${ref}`,
    GITHUB_WORKFLOW_SHA: sha,
    GITHUB_JOB: 'deploy',
    GITHUB_RUN_ID: '9876543210',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_ACTOR_ID: '583231',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    GITHUB_ACTION: '__octo-org_azure-federation-check',
    GITHUB_ACTION_REPOSITORY: 'octo-org/azure-federation-check',
    GITHUB_ACTION_REF: 'v1',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STATE: files.state,
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: join(temp, 'tool_cache'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 2',
    RUNNER_ENVIRONMENT: 'github-hosted',
  };
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputEnvName(name)] = value;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const childEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));

  const lines: string[] = [];
  try {
    const { code, signal, timedOut, stdout, stderr } = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      timedOut: boolean;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(process.env['AFC_TEST_NODE'] ?? process.execPath, [script], {
        cwd: options.cwd ?? childEnv['GITHUB_WORKSPACE'] ?? workspace,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      // Lines of both streams in the order they complete, as the runner reads them.
      const outLines = new LineSplitter((line) => lines.push(line));
      const errLines = new LineSplitter((line) => lines.push(line));
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (s: string) => {
        out.push(Buffer.from(s));
        outLines.push(s);
      });
      child.stderr.on('data', (s: string) => {
        err.push(Buffer.from(s));
        errLines.push(s);
      });
      let timedOut = false;
      let killTimer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (exitCode, exitSignal) => {
        clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        outLines.end();
        errLines.end();
        resolve({
          code: exitCode,
          signal: exitSignal,
          timedOut,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr:
            Buffer.concat(err).toString('utf8') + (timedOut ? `\n[run-action] killed after ${timeoutMs} ms\n` : ''),
        });
      });
    });

    const runner = readAsRunner(lines);
    const commands = runner.commands;
    const fileCommandErrors: string[] = [];
    const outputs: Record<string, string> = {};
    for (const c of commands)
      if (c.command === 'set-output' && c.properties['name']) outputs[c.properties['name']] = c.message;
    Object.assign(outputs, parseFileCommand(await readIfExists(files.output), fileCommandErrors));
    return {
      code,
      signal,
      timedOut,
      stdout,
      stderr,
      outputs,
      summary: await readIfExists(files.summary),
      commands,
      runnerLog: runner.log.join('\n'),
      runner,
      exportedEnv: parseFileCommand(await readIfExists(files.env), fileCommandErrors),
      state: parseFileCommand(await readIfExists(files.state), fileCommandErrors),
      addedPaths: (await readIfExists(files.path)).split(/\r?\n/).filter(Boolean),
      fileCommandErrors,
      env: childEnv,
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
