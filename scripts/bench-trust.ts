/**
 * Benchmark (not a test): the trust audit of a large tenant against the GitHub REST stand-in
 * with a fixed latency per request. 2,000 app registrations with 10,000 credentials that name
 * a few hundred repositories (as real tenants do: many identities per repository), in every
 * subject form. Shows that GitHub is asked each question once, that at most N requests are in
 * flight, and the wall time that follows. First the tenant is read from a Graph stand-in (every app
 * registration, then each one's credentials), then every credential is checked against GitHub.
 *
 *   node scripts/run-ts.mjs scripts/bench-trust.ts [--apps 2000] [--per-app 5] [--latency 20] [--concurrency 1,8,16]
 */
import { performance } from 'node:perf_hooks';
import { httpRequest } from '../src/net/http.js';
import { auditTrust } from '../src/trust/audit.js';
import { readInventory, throttledFetcher } from '../src/trust/azure-inventory.js';
import { GitHubLookupClient, octokitRequest } from '../src/trust/github-lookups.js';
import type { TrustItem } from '../src/trust/model.js';
import { startGitHubRestStandin, type StandinRepository } from '../test/support/github-rest-standin.js';
import { startTenantStandin, type TenantApp } from '../test/support/tenant-standin.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const AUD = ['api://AzureADTokenExchange'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Deterministic pseudo-random numbers, so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

function generate(apps: number, perApp: number) {
  const owners = Array.from({ length: 80 }, (_, i) => ({
    login: `org-${i}`,
    id: 10_000 + i,
    type: 'Organization' as const,
  }));
  const repositories: StandinRepository[] = [];
  for (let i = 0; i < 600; i++) {
    const owner = owners[i % owners.length]!;
    const renamed = i % 50 === 7;
    repositories.push({
      id: 100_000 + i,
      owner,
      name: renamed ? `svc-${i}-v2` : `svc-${i}`,
      ...(renamed ? { formerNames: [`${owner.login}/svc-${i}`] } : {}),
      environments: { production: i % 3 === 0 ? {} : { rules: ['required_reviewers'] }, dev: {} },
    });
  }
  const random = rng(42);
  const items: TrustItem[] = [];
  for (let a = 0; a < apps; a++) {
    const identity = {
      clientId: `00000000-0000-4000-8000-${String(a).padStart(12, '0')}`,
      displayName: `app-${a}`,
      tenantId: 'tenant',
    };
    for (let c = 0; c < perApp; c++) {
      const n = Math.floor(random() * 640); // 40 of 640 name repositories that do not exist
      const r = repositories[n];
      const owner = r ? r.owner.login : `gone-${n % 7}`;
      const repo = r ? `svc-${n}` : `deleted-${n}`;
      const kind = Math.floor(random() * 10);
      const context = ['ref:refs/heads/main', 'environment:production', 'environment:dev', 'pull_request'][kind % 4]!;
      const credential =
        kind === 9
          ? {
              name: `c${c}`,
              issuer: ISSUER,
              subject: null,
              audiences: AUD,
              claimsMatchingExpression: { value: `claims['sub'] matches 'repo:${owner}/*'`, languageVersion: 1 },
            }
          : kind >= 6 && r
            ? {
                name: `c${c}`,
                issuer: ISSUER,
                subject: `repo:${owner}@${r.owner.id}/${r.name}@${r.id}:${context}`,
                audiences: AUD,
              }
            : { name: `c${c}`, issuer: ISSUER, subject: `repo:${owner}/${repo}:${context}`, audiences: AUD };
      items.push({ identity, credential });
    }
  }
  return { owners, repositories, items };
}

/** The tenant as Graph holds it: the generated credentials grouped by app registration. */
function tenantApps(items: readonly TrustItem[]): TenantApp[] {
  const apps = new Map<string, TenantApp>();
  for (const { identity, credential } of items) {
    const app = apps.get(identity.clientId) ?? {
      appId: identity.clientId,
      displayName: identity.displayName ?? '',
      credentials: [],
    };
    app.credentials.push({ ...credential });
    apps.set(identity.clientId, app);
  }
  return [...apps.values()];
}

/** Phase 1: read every app registration and its credentials from the Graph stand-in. */
async function readTenant(apps: TenantApp[], latency: number, concurrency: number) {
  const tenant = await startTenantStandin({ apps, latencyMs: latency });
  try {
    const { fetch } = throttledFetcher((url, headers) => httpRequest(url, { headers, timeoutMs: 30_000 }), {
      concurrency,
    });
    const started = performance.now();
    const inventory = await readInventory({
      fetcher: fetch,
      tenantId: 'tenant',
      graph: { host: tenant.url, token: 'bench' },
    });
    return {
      inventory,
      requests: tenant.requests.length,
      maxInFlight: tenant.maxInFlight,
      ms: performance.now() - started,
    };
  } finally {
    await tenant.close();
  }
}

/** Phase 2: every credential against the GitHub REST stand-in. */
async function checkGitHub(
  world: ReturnType<typeof generate>,
  items: TrustItem[],
  latency: number,
  concurrency: number,
) {
  const standin = await startGitHubRestStandin({
    accounts: world.owners,
    repositories: world.repositories,
    latencyMs: latency,
    rateLimit: 100_000,
  });
  try {
    const lookups = new GitHubLookupClient(await octokitRequest('bench', standin.url), { concurrency, reserve: 0 });
    const started = performance.now();
    const result = await auditTrust(items, lookups, { ownIssuers: [] });
    return {
      result,
      requests: standin.requests.length,
      shared: lookups.stats.shared,
      maxInFlight: standin.maxInFlight,
      ms: performance.now() - started,
    };
  } finally {
    await standin.close();
  }
}

async function main() {
  const apps = Number(arg('apps', '2000'));
  const perApp = Number(arg('per-app', '5'));
  const latency = Number(arg('latency', '20'));
  const levels = arg('concurrency', '1,8,16').split(',').map(Number);
  const world = generate(apps, perApp);
  const tenant = tenantApps(world.items);
  console.log(
    `${world.items.length} credentials of ${apps} app registrations naming ${world.repositories.length} repositories ` +
      `of ${world.owners.length} owners; ${latency} ms per request\n`,
  );
  console.log(
    '| in flight | Graph requests | Graph wall time | GitHub requests (asked / answered from an earlier one) | ' +
      'GitHub wall time | findings | not checked |',
  );
  console.log('|---|---|---|---|---|---|---|');
  let last: Awaited<ReturnType<typeof checkGitHub>> | undefined;
  for (const concurrency of levels) {
    const read = await readTenant(tenant, latency, concurrency);
    const gh = await checkGitHub(world, read.inventory.items, latency, concurrency);
    last = gh;
    console.log(
      `| ${concurrency} (max seen ${Math.max(read.maxInFlight, gh.maxInFlight)}) | ${read.requests} | ` +
        `${(read.ms / 1000).toFixed(1)} s | ${gh.requests} / ${gh.shared} | ${(gh.ms / 1000).toFixed(1)} s | ` +
        `${gh.result.findings.length} | ${gh.result.notChecked.length} |`,
    );
  }
  const byId = new Map<string, number>();
  for (const f of last?.result.findings ?? []) byId.set(f.id, (byId.get(f.id) ?? 0) + 1);
  console.log(`\nfindings: ${[...byId].map(([id, n]) => `${id} ${n}`).join(', ')}`);
}

await main();
