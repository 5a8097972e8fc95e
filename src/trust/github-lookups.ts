/**
 * GitHub REST lookups for the trust audit, through @actions/github's Octokit. Each question is
 * asked once (answers are shared by every credential that needs them), at most `concurrency`
 * requests are in flight, and the run stops asking when `x-ratelimit-remaining` says the budget
 * is spent or the deadline has passed: what was not asked is reported as not checked.
 */
import { fetchOverHttpRequest } from '../net/octokit-fetch.js';
import type { EnvironmentAnswer, GitHubLookups, OwnerAnswer, RepoAnswer, Unreadable } from './model.js';

interface GitHubResponse {
  status: number;
  headers: Record<string, string | number | undefined>;
  data: unknown;
  /** The URL that answered, after redirects. */
  url?: string;
}

/** One GET; resolves with every HTTP answer (4xx/5xx included), rejects only when nothing answered. */
type GitHubRequest = (route: string, params: Record<string, string>) => Promise<GitHubResponse>;

interface LookupOptions {
  concurrency?: number;
  /** Stop when fewer than this many requests remain in GitHub's budget (default: the concurrency). */
  reserve?: number;
  /** Epoch ms after which no request starts. */
  deadline?: number;
  /** Longest Retry-After worth waiting for before giving up on a request (ms). */
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface LookupStats {
  /** Requests sent to GitHub (a followed redirect counts once). */
  requests: number;
  /** Questions answered from an earlier answer. */
  shared: number;
  /** The last x-ratelimit-remaining GitHub sent. */
  rateLimitRemaining?: number;
  /** Why the audit stopped asking, when it did. */
  stopped?: string;
}

/** The Octokit of @actions/github as a GitHubRequest, over the one HTTP path (per-request timeout; no retry). */
export async function octokitRequest(token: string, baseUrl: string, timeoutMs = 15_000): Promise<GitHubRequest> {
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(token, {
    baseUrl,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    request: { fetch: fetchOverHttpRequest(timeoutMs) },
  });
  return async (route, params) => {
    try {
      const res = await octokit.request(route, params);
      return { status: res.status, headers: res.headers as GitHubResponse['headers'], data: res.data, url: res.url };
    } catch (e) {
      const err = e as {
        status?: number;
        response?: { status: number; headers: GitHubResponse['headers']; data: unknown; url?: string };
        message?: string;
      };
      if (err.response)
        return {
          status: err.response.status,
          headers: err.response.headers,
          data: err.response.data,
          ...(err.response.url ? { url: err.response.url } : {}),
        };
      throw new Error((err.message ?? 'no answer').split('\n')[0]);
    }
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function header(res: GitHubResponse, name: string): string | undefined {
  const v = res.headers[name];
  return v === undefined ? undefined : String(v);
}

export class GitHubLookupClient implements GitHubLookups {
  readonly stats: LookupStats = { requests: 0, shared: 0 };
  private readonly answers = new Map<string, Promise<unknown>>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private readonly concurrency: number;
  private readonly reserve: number;

  constructor(
    private readonly request: GitHubRequest,
    private readonly options: LookupOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.reserve = options.reserve ?? this.concurrency;
  }

  repoByName(owner: string, repo: string): Promise<RepoAnswer> {
    const path = `/repos/${owner}/${repo}`.toLowerCase();
    return this.once(
      `repo:${owner}/${repo}`.toLowerCase(),
      () => this.get('GET /repos/{owner}/{repo}', { owner, repo }),
      (res) => repoAnswer(res, path),
    );
  }

  repoById(id: string): Promise<RepoAnswer> {
    return this.once(
      `repo-id:${id}`,
      () => this.get('GET /repositories/{id}', { id }),
      (res) => repoAnswer(res, `/repositories/${id}`),
    );
  }

  owner(login: string): Promise<OwnerAnswer> {
    return this.once(
      `owner:${login}`.toLowerCase(),
      () => this.get('GET /users/{username}', { username: login }),
      ownerAnswer,
    );
  }

  environment(fullName: string, name: string): Promise<EnvironmentAnswer> {
    const [owner = '', repo = ''] = fullName.split('/');
    return this.once(
      `env:${fullName}\n${name}`.toLowerCase(),
      () =>
        this.get('GET /repos/{owner}/{repo}/environments/{environment_name}', { owner, repo, environment_name: name }),
      environmentAnswer,
    );
  }

  private once<T>(
    key: string,
    fetch: () => Promise<GitHubResponse | Unreadable>,
    read: (res: GitHubResponse) => T,
  ): Promise<T | Unreadable> {
    const known = this.answers.get(key);
    if (known) {
      this.stats.shared++;
      return known as Promise<T | Unreadable>;
    }
    const answer = fetch().then((res) =>
      'status' in res && res.status === 'unreadable' ? res : read(res as GitHubResponse),
    );
    this.answers.set(key, answer);
    return answer;
  }

  private async get(route: string, params: Record<string, string>): Promise<GitHubResponse | Unreadable> {
    await this.slot();
    try {
      for (let attempt = 1; ; attempt++) {
        const refused = this.refusal();
        if (refused) return refused;
        this.stats.requests++;
        let res: GitHubResponse;
        try {
          res = await this.request(route, params);
        } catch (e) {
          return { status: 'unreadable', reason: `GitHub did not answer (${(e as Error).message})` };
        }
        const wait = this.readLimits(res);
        if (wait === undefined) return res;
        if (attempt >= 2 || wait > (this.options.maxRetryWaitMs ?? 5_000)) {
          this.stats.stopped ??= throttleReason(res);
          return { status: 'unreadable', httpStatus: res.status, reason: this.stats.stopped };
        }
        await (this.options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))))(wait);
      }
    } finally {
      this.release();
    }
  }

  /** Why no further request may start, if so. */
  private refusal(): Unreadable | undefined {
    if (!this.stats.stopped && this.options.deadline !== undefined && Date.now() > this.options.deadline)
      this.stats.stopped = 'the time limit was reached';
    const remaining = this.stats.rateLimitRemaining;
    if (!this.stats.stopped && remaining !== undefined && remaining < this.reserve)
      this.stats.stopped = `GitHub's rate limit is nearly spent (x-ratelimit-remaining ${remaining})`;
    return this.stats.stopped ? { status: 'unreadable', reason: this.stats.stopped } : undefined;
  }

  /** Track the budget; for a throttled answer, how long GitHub asks to wait (ms). */
  private readLimits(res: GitHubResponse): number | undefined {
    const remaining = Number(header(res, 'x-ratelimit-remaining'));
    if (header(res, 'x-ratelimit-remaining') !== undefined && Number.isFinite(remaining))
      this.stats.rateLimitRemaining = remaining;
    const throttled =
      res.status === 429 || (res.status === 403 && (remaining === 0 || header(res, 'retry-after') !== undefined));
    if (!throttled) return undefined;
    const retryAfter = Number(header(res, 'retry-after'));
    if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
    const reset = Number(header(res, 'x-ratelimit-reset'));
    return Number.isFinite(reset) ? Math.max(0, reset * 1000 - Date.now()) : Number.POSITIVE_INFINITY;
  }

  private async slot(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

function throttleReason(res: GitHubResponse): string {
  const reset = Number(header(res, 'x-ratelimit-reset'));
  const resets =
    Number.isFinite(reset) && reset > 0
      ? `; it resets at ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC`
      : '';
  if (header(res, 'x-ratelimit-remaining') === '0')
    return `GitHub's rate limit is spent (x-ratelimit-remaining 0${resets})`;
  return (
    `GitHub limited the ` +
    `requests${header(res, 'retry-after') ? ` (Retry-After ${header(res, 'retry-after')} s)` : ''}`
  );
}

function failure(res: GitHubResponse): Unreadable {
  const message =
    res.data && typeof res.data === 'object' ? str((res.data as { message?: unknown }).message) : undefined;
  const why =
    res.status === 401
      ? 'the token was refused'
      : res.status === 403
        ? 'the token may not read this'
        : 'GitHub answered with an error';
  return {
    status: 'unreadable',
    httpStatus: res.status,
    reason: `${why}${message ? ` ('${message.slice(0, 200)}')` : ''}`,
  };
}

function repoAnswer(res: GitHubResponse, requestedPath: string): RepoAnswer {
  if (res.status === 404 || res.status === 410) return { status: 'not-found', httpStatus: res.status };
  if (res.status !== 200 || !res.data || typeof res.data !== 'object') return failure(res);
  const d = res.data as {
    id?: unknown;
    full_name?: unknown;
    private?: unknown;
    owner?: { login?: unknown; id?: unknown; type?: unknown };
  };
  const id = str(d.id);
  const fullName = str(d.full_name);
  const ownerLogin = str(d.owner?.login);
  const ownerId = str(d.owner?.id);
  if (!id || !fullName || !ownerLogin || !ownerId)
    return { status: 'unreadable', httpStatus: 200, reason: 'GitHub answered without the repository ids' };
  const answered = res.url ? new URL(res.url).pathname.toLowerCase() : requestedPath;
  const ownerType = str(d.owner?.type);
  return {
    status: 'found',
    id,
    fullName,
    ownerLogin,
    ownerId,
    ...(ownerType ? { ownerType } : {}),
    ...(typeof d.private === 'boolean' ? { private: d.private } : {}),
    redirected: !answered.endsWith(requestedPath),
  };
}

function ownerAnswer(res: GitHubResponse): OwnerAnswer {
  if (res.status === 404) return { status: 'not-found', httpStatus: 404 };
  if (res.status !== 200 || !res.data || typeof res.data !== 'object') return failure(res);
  const d = res.data as { id?: unknown; login?: unknown; type?: unknown };
  const id = str(d.id);
  const login = str(d.login);
  if (!id || !login) return { status: 'unreadable', httpStatus: 200, reason: 'GitHub answered without the account id' };
  const type = str(d.type);
  return { status: 'found', id, login, ...(type ? { type } : {}) };
}

function environmentAnswer(res: GitHubResponse): EnvironmentAnswer {
  if (res.status === 404) return { status: 'not-found', httpStatus: 404 };
  if (res.status !== 200 || !res.data || typeof res.data !== 'object') return failure(res);
  const d = res.data as { protection_rules?: unknown; deployment_branch_policy?: unknown };
  const ruleTypes = Array.isArray(d.protection_rules)
    ? d.protection_rules.map((r) => str((r as { type?: unknown })?.type)).filter((t): t is string => !!t)
    : [];
  const p = d.deployment_branch_policy;
  const branchPolicy =
    p && typeof p === 'object'
      ? {
          protectedBranches: (p as { protected_branches?: unknown }).protected_branches === true,
          customBranchPolicies: (p as { custom_branch_policies?: unknown }).custom_branch_policies === true,
        }
      : null;
  return { status: 'found', ruleTypes, branchPolicy };
}
