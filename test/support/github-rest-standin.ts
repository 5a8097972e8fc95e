/**
 * A loopback stand-in for the GitHub REST API as the trust audit uses it: repositories by name
 * and by id, accounts, environments with their protection rules, 301 redirects for renamed or
 * transferred repositories (GitHub answers the old name with `Location: /repositories/ID`),
 * 404, rate-limit headers (`x-ratelimit-remaining` counts down; 403 when spent) and an optional
 * fixed latency per request, for the benchmark.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StandinAccount {
  login: string;
  id: number;
  type?: 'User' | 'Organization';
}

interface StandinEnvironment {
  /** `required_reviewers`, `wait_timer`, `branch_policy`. */
  rules?: string[];
  branchPolicy?: { protected_branches: boolean; custom_branch_policies: boolean } | null;
}

export interface StandinRepository {
  id: number;
  owner: StandinAccount;
  name: string;
  private?: boolean;
  environments?: Record<string, StandinEnvironment>;
  /** Earlier full names (renames and transfers): GitHub redirects them here. */
  formerNames?: string[];
}

interface GitHubRestStandinOptions {
  accounts?: StandinAccount[];
  repositories?: StandinRepository[];
  /** The rate-limit budget (x-ratelimit-remaining starts here). Default 5000. */
  rateLimit?: number;
  /** Milliseconds before every answer. */
  latencyMs?: number;
  /** Tokens accepted; default any non-empty token. */
  tokens?: string[];
}

export interface GitHubRestStandin {
  url: string;
  requests: Array<{ method: string; path: string }>;
  /** Highest number of requests in flight at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

function repoJson(base: string, r: StandinRepository) {
  const fullName = `${r.owner.login}/${r.name}`;
  return {
    id: r.id,
    node_id: `R_${r.id}`,
    name: r.name,
    full_name: fullName,
    private: r.private ?? false,
    owner: { login: r.owner.login, id: r.owner.id, type: r.owner.type ?? 'User' },
    url: `${base}/repos/${fullName}`,
  };
}

export async function startGitHubRestStandin(options: GitHubRestStandinOptions = {}): Promise<GitHubRestStandin> {
  const repos = options.repositories ?? [];
  const accounts = new Map<string, StandinAccount>();
  for (const a of [...(options.accounts ?? []), ...repos.map((r) => r.owner)]) accounts.set(a.login.toLowerCase(), a);
  const byName = new Map(repos.map((r) => [`${r.owner.login}/${r.name}`.toLowerCase(), r]));
  const byFormer = new Map(repos.flatMap((r) => (r.formerNames ?? []).map((n) => [n.toLowerCase(), r] as const)));
  const byId = new Map(repos.map((r) => [String(r.id), r]));
  let remaining = options.rateLimit ?? 5000;
  const reset = Math.floor(Date.now() / 1000) + 3600;
  let inFlight = 0;
  const state: GitHubRestStandin = { url: '', requests: [], maxInFlight: 0, close: async () => {} };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': String(options.rateLimit ?? 5000),
      'x-ratelimit-remaining': String(Math.max(0, remaining)),
      'x-ratelimit-reset': String(reset),
      ...headers,
    });
    res.end(JSON.stringify(body));
  };

  const route = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', state.url).pathname);
    const auth = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!auth || (options.tokens && !options.tokens.includes(auth)))
      return send(res, 401, { message: 'Bad credentials' });
    if (remaining <= 0) return send(res, 403, { message: 'API rate limit exceeded for installation.' });
    remaining--;
    const notFound = () => send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    let m: RegExpExecArray | null;
    if ((m = /^\/repositories\/(\d+)$/.exec(path))) {
      const r = byId.get(m[1]!);
      return r ? send(res, 200, repoJson(state.url, r)) : notFound();
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)(\/environments\/(.+))?$/.exec(path))) {
      const name = `${m[1]}/${m[2]}`.toLowerCase();
      const r = byName.get(name);
      const moved = r ? undefined : byFormer.get(name);
      if (moved) {
        const environment = m[3] ? `/environments/${encodeURIComponent(m[4]!)}` : '';
        const location = `${state.url}/repositories/${moved.id}${environment}`;
        return send(res, 301, { message: 'Moved Permanently', url: location }, { location });
      }
      if (!r) return notFound();
      if (!m[3]) return send(res, 200, repoJson(state.url, r));
      const env = Object.entries(r.environments ?? {}).find(([n]) => n.toLowerCase() === m![4]!.toLowerCase());
      if (!env) return notFound();
      const [envName, e] = env;
      return send(res, 200, {
        name: envName,
        protection_rules: (e.rules ?? []).map((type, i) => ({ id: i + 1, type })),
        deployment_branch_policy: e.branchPolicy ?? null,
      });
    }
    if ((m = /^\/(?:users|orgs)\/([^/]+)$/.exec(path))) {
      const a = accounts.get(m[1]!.toLowerCase());
      if (!a || (path.startsWith('/orgs/') && a.type !== 'Organization')) return notFound();
      return send(res, 200, { login: a.login, id: a.id, type: a.type ?? 'User' });
    }
    if ((m = /^\/user\/(\d+)$/.exec(path))) {
      const a = [...accounts.values()].find((x) => String(x.id) === m![1]);
      return a ? send(res, 200, { login: a.login, id: a.id, type: a.type ?? 'User' }) : notFound();
    }
    return notFound();
  };

  const server = createServer((req, res) => {
    state.requests.push({ method: req.method ?? 'GET', path: req.url ?? '' });
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    if (options.latencyMs) setTimeout(() => route(req, res), options.latencyMs);
    else route(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
