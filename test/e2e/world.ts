/**
 * A GitHub job and an Entra tenant on loopback, and a way to run the bundled action against them.
 * Every end-to-end test starts from the same healthy world and breaks one thing.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startGitHubStandin, defaultJobContext, type GitHubStandin } from '../support/github-standin.js';
import { startEntraStandin, type EntraStandin, type FederatedCredential } from '../support/entra-standin.js';
import { jobEnv, runAction, standinEnv, type ActionResult, type RunActionOptions } from '../support/run-action.js';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT = '11111111-2222-3333-4444-555555555555';
export const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

interface World {
  github: GitHubStandin;
  entra: EntraStandin;
  /** The credentials of the app in Entra (mutable per test). */
  credentials: FederatedCredential[];
  credential(overrides?: Partial<FederatedCredential>): FederatedCredential;
  run(options?: RunActionOptions): Promise<ActionResult>;
  /** Every token either stand-in handed out so far. */
  secrets(): string[];
}

export function useWorld(): World {
  const world = {} as World;
  beforeAll(async () => {
    world.github = await startGitHubStandin();
    world.entra = await startEntraStandin({ tenants: {} });
  });
  afterAll(async () => {
    await world.github?.close();
    await world.entra?.close();
  });
  beforeEach(() => {
    world.github.context = defaultJobContext();
    world.github.faults = {};
    world.github.omitKidFromJwks = false;
    world.entra.faults = {};
    world.entra.forceError = undefined;
    world.credentials = [world.credential()];
    world.entra.tenants = {
      [TENANT]: {
        displayName: 'Contoso',
        domains: ['contoso.onmicrosoft.com'],
        apps: { [CLIENT]: { displayName: 'deploy-app', credentials: world.credentials } },
      },
    };
    world.github.requests.length = 0;
    world.entra.requests.length = 0;
  });
  world.credential = (overrides = {}) => ({
    name: 'main',
    issuer: world.github.issuer,
    subject: `repo:octo-org/octo-repo:ref:refs/heads/main`,
    audiences: [EXCHANGE_AUDIENCE],
    ...overrides,
  });
  world.run = (options = {}) =>
    runAction({
      ...options,
      inputs: {
        'client-id': CLIENT,
        'tenant-id': TENANT,
        'authority-host': world.entra.authorityHost,
        ...options.inputs,
      },
      env: {
        ...jobEnv(world.github.context),
        GITHUB_JOB: 'deploy',
        // The stand-in is this job's server, as a GHES host is: the action trusts its issuer's keys.
        GITHUB_SERVER_URL: new URL(world.github.issuer).origin,
        ...standinEnv(world.github, world.entra),
        ...options.env,
      },
    });
  world.secrets = () => [...world.github.issuedTokens, ...world.entra.tokensIssued];
  return world;
}

/** The finding ids in the action's `findings` output. */
export function findingIds(r: ActionResult): string[] {
  return (JSON.parse(r.outputs.findings ?? '[]') as Array<{ id: string }>).map((f) => f.id);
}

export function findings(
  r: ActionResult,
): Array<{ id: string; severity: string; title: string; message: string; fix: string; code?: string }> {
  return JSON.parse(r.outputs.findings ?? '[]');
}

/** The waits the run announced before its retries, in seconds ('retrying in 0.5 s.', 'waited 0.6 s,'). */
export function announcedWaits(r: ActionResult): number[] {
  const line = /^(?:Token request|Exchange) attempt \d+ failed .*(?:retrying in|waited) (\d+(?:\.\d+)?) s\b/gm;
  return [...r.stdout.matchAll(line)].map((m) => Number(m[1]));
}

export function annotations(r: ActionResult, level = 'error') {
  return r.commands.filter((c) => c.command === level);
}

/**
 * No token or signature anywhere a person or a later step can read: the log AS THE RUNNER SHOWS IT
 * (test/support/runner-reader.ts: stdout and stderr, masks applied only to lines after their
 * `::add-mask::`, nothing masked once a forged `stop-commands` turned processing off), the job
 * summary and the outputs. Command processing must never have been stopped.
 */
export function assertNoSecrets(r: ActionResult, secrets: string[]): void {
  if (r.runner.stops.length)
    throw new Error(`the output stopped the runner's command processing (${r.runner.stops.length}×)`);
  const places: Record<string, string> = { log: r.runnerLog, summary: r.summary, outputs: JSON.stringify(r.outputs) };
  for (const secret of secrets) {
    const signature = secret.split('.')[2] ?? secret;
    for (const [where, text] of Object.entries(places)) {
      if (text.includes(secret) || (signature.length > 16 && text.includes(signature)))
        throw new Error(`a token (or its signature) appears in ${where}`);
    }
  }
}
