/**
 * What the runner tells a step about its run, from GITHUB_* variables and the event payload.
 * Used to explain why there is no OIDC token and to place annotations.
 */
import { readFileSync } from 'node:fs';

export interface RunnerContext {
  repository?: string;
  eventName?: string;
  actor?: string;
  ref?: string;
  job?: string;
  workflowRef?: string;
  workspace?: string;
  serverUrl: string;
  /** A pull request whose head is in another repository (a fork). */
  forkPullRequest: boolean;
  dependabot: boolean;
  debug: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: an event payload of any shape, read with optional chaining
function readEvent(path: string | undefined): Record<string, any> | undefined {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readRunnerContext(env: NodeJS.ProcessEnv): RunnerContext {
  const eventName = env.GITHUB_EVENT_NAME;
  let forkPullRequest = false;
  if (eventName === 'pull_request' || eventName === 'pull_request_review' || eventName === 'pull_request_review_comment') {
    const ev = readEvent(env.GITHUB_EVENT_PATH);
    const head = ev?.pull_request?.head?.repo?.full_name;
    const base = ev?.pull_request?.base?.repo?.full_name ?? env.GITHUB_REPOSITORY;
    forkPullRequest = ev?.pull_request?.head?.repo?.fork === true || (typeof head === 'string' && typeof base === 'string' && head !== base);
  }
  const actor = env.GITHUB_ACTOR;
  return {
    repository: env.GITHUB_REPOSITORY,
    eventName,
    actor,
    ref: env.GITHUB_REF,
    job: env.GITHUB_JOB,
    workflowRef: env.GITHUB_WORKFLOW_REF,
    workspace: env.GITHUB_WORKSPACE,
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    forkPullRequest,
    dependabot: actor === 'dependabot[bot]' || env.GITHUB_TRIGGERING_ACTOR === 'dependabot[bot]',
    debug: env.RUNNER_DEBUG === '1',
  };
}
