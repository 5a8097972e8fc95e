/**
 * What the runner tells a step about its run: @actions/github's `context` (event, actor, ref, job,
 * server and API URLs, the event payload), plus the few variables that context does not carry.
 * Used to explain why there is no OIDC token, to place annotations and to audit the repository.
 */
import { isDebug } from '@actions/core';

export interface RunnerContext {
  repository?: string;
  eventName?: string;
  actor?: string;
  ref?: string;
  job?: string;
  workflowRef?: string;
  workspace?: string;
  serverUrl: string;
  apiUrl?: string;
  repositoryId?: string;
  ownerId?: string;
  /** The repository of the action being run (GITHUB_ACTION_REPOSITORY), to find its `uses:` line. */
  actionRepository?: string;
  /** A pull request whose head is in another repository (a fork). */
  forkPullRequest: boolean;
  dependabot: boolean;
  debug: boolean;
}

type Payload = Record<string, unknown>;

/** Where an annotation goes: the workspace, the workflow file and job, the action's own `uses:` repository. */
interface RunnerPlace {
  workspace?: string;
  workflowRef?: string;
  job?: string;
  actionRepository?: string;
  /** The job's own GitHub server (GITHUB_SERVER_URL): verification trusts its issuer. */
  serverUrl: string;
}

/**
 * The place of this step, read without @actions/github: importing it loads octokit and undici
 * (about 530 KB), which doubled the time to the first decision and made a passing check a third
 * slower (npm run bench). Every run needs these values; only failures need the rest.
 */
export function runnerPlace(): RunnerPlace {
  const env = process.env;
  return {
    workspace: env['GITHUB_WORKSPACE'],
    workflowRef: env['GITHUB_WORKFLOW_REF'],
    job: env['GITHUB_JOB'],
    actionRepository: env['GITHUB_ACTION_REPOSITORY'],
    // The same default as @actions/github's context.serverUrl.
    serverUrl: env['GITHUB_SERVER_URL'] || 'https://github.com',
  };
}

type PullRequestRepos = {
  head?: { repo?: { fork?: unknown; full_name?: unknown } };
  base?: { repo?: { full_name?: unknown } };
};
const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_review', 'pull_request_review_comment'];

function isForkPullRequest(eventName: string | undefined, payload: Payload, repository: string | undefined): boolean {
  if (!PULL_REQUEST_EVENTS.includes(eventName ?? '')) return false;
  const pr = payload['pull_request'] as PullRequestRepos | undefined;
  const head = pr?.head?.repo?.full_name;
  const base = pr?.base?.repo?.full_name ?? repository;
  return pr?.head?.repo?.fork === true || (typeof head === 'string' && typeof base === 'string' && head !== base);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The whole context, @actions/github's included; loaded only where an explanation needs it. */
export async function readRunnerContext(): Promise<RunnerContext> {
  const { context } = await import('@actions/github');
  let repository: string | undefined;
  try {
    repository = `${context.repo.owner}/${context.repo.repo}`;
  } catch {
    repository = undefined; // neither GITHUB_REPOSITORY nor a payload names it
  }
  const payloadRepository = context.payload.repository as { id?: unknown; owner?: { id?: unknown } } | undefined;
  // Not in @actions/github's context: the workflow's ref, the workspace, the repository ids when the
  // payload lacks them, the triggering actor and the action's own repository.
  const env = process.env;
  const place = runnerPlace();
  return {
    repository,
    eventName: context.eventName || undefined,
    actor: context.actor || undefined,
    ref: context.ref || undefined,
    job: context.job || undefined,
    workflowRef: place.workflowRef,
    workspace: place.workspace,
    serverUrl: context.serverUrl || 'https://github.com',
    apiUrl: context.apiUrl,
    repositoryId: env['GITHUB_REPOSITORY_ID'] ?? text(payloadRepository?.id),
    ownerId: env['GITHUB_REPOSITORY_OWNER_ID'] ?? text(payloadRepository?.owner?.id),
    actionRepository: place.actionRepository,
    forkPullRequest: isForkPullRequest(context.eventName, context.payload, repository),
    dependabot: context.actor === 'dependabot[bot]' || env['GITHUB_TRIGGERING_ACTOR'] === 'dependabot[bot]',
    debug: isDebug(),
  };
}
