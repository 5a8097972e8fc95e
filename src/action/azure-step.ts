/**
 * What a run reads from Azure around the token exchange, and only when it can explain something:
 * the identity's real federated credentials (Graph for an app registration, ARM for a user-assigned
 * managed identity), the expected subscription, the tenant's cloud, and whether Entra can reach the
 * issuer. The decisions are pure functions (planLookup, issuerWarningApplies); the rest is the shell.
 *
 * `lookup: auto` (the default) never costs a passing run a round trip: it reads only after Entra
 * rejected the token with a credential-matching code, and only with a separate reader identity
 * (after a rejection the run's own identity has no token). Failures to read degrade quietly: a
 * 401/403 becomes a `lookup-denied` notice naming the permission; anything else is a log line.
 */
import type { ActionInputs, LookupMode } from './inputs.js';
import type { GitHubClaims } from '../github/claims.js';
import { exchangeToken, type ExchangeOutcome, type ExchangeRequest } from '../entra/exchange.js';
import type { FederatedCredential } from '../entra/credential.js';
import type { Finding } from '../diagnose/finding.js';
import { httpRequest, HttpError, type HttpResponse } from '../net/http.js';
import {
  readArmCredentials,
  readGraphCredentials,
  readSubscription,
  readTenantDiscovery,
  type AzureService,
  type Fetcher,
  type LookupOutcome,
} from '../entra/azure-read.js';
import { CLOUD_MIX_CODES, cloudMismatch, detectCloudMix, otherCloudsToProbe } from '../entra/cloud-mix.js';
import { classifyIssuer, issuerPrivate, needsReachabilityWarning } from '../github/issuers.js';
import {
  lookupDenied,
  readerRejected,
  subscriptionNotAccessible,
  subscriptionNotEnabled,
  type ReaderIdentity,
} from '../diagnose/lookup-findings.js';

/** Entra codes that say "no credential matched": reading the real credentials explains them. */
export const MATCHING_FAMILY: ReadonlySet<number> = new Set([70021, 70025, 700211, 700212, 700213, 7002138, 7002131]);
/** Entra codes about fetching the issuer's documents or keys. */
const ISSUER_FETCH_CODES: ReadonlySet<number> = new Set([90061, 50166, 501661, 7000272]);

type ExchangeState = 'skipped' | ExchangeOutcome['kind'];

type LookupPlan =
  | { read: false; why: string }
  /** `services` in order; with `firstFound`, a later one is asked only when the earlier found nothing. */
  | { read: true; identity: 'reader' | 'self'; services: AzureService[]; firstFound: boolean };

export interface PlanInput {
  lookup: LookupMode;
  exchange: ExchangeState;
  codes: readonly number[];
  reader: boolean;
  subscription: boolean;
}

/** Whether (and how) to read the identity's federated credentials from Azure. Pure. */
export function planLookup(p: PlanInput): LookupPlan {
  if (p.lookup === 'none') return { read: false, why: "input 'lookup' is none" };
  if (p.exchange === 'skipped') return { read: false, why: "input 'exchange' is false" };
  if (p.lookup === 'auto') {
    if (p.exchange !== 'rejected')
      return {
        read: false,
        why: p.exchange === 'success' ? 'Entra accepted the token; nothing to explain' : 'Entra gave no verdict',
      };
    if (!p.codes.some((c) => MATCHING_FAMILY.has(c)))
      return { read: false, why: "Entra's verdict is not about matching a credential" };
    if (!p.reader)
      return {
        read: false,
        why: "no reader identity (set 'reader-client-id' to let this check read the real credentials)",
      };
    return {
      read: true,
      identity: 'reader',
      services: p.subscription ? ['graph', 'arm'] : ['graph'],
      firstFound: true,
    };
  }
  if (!p.reader && p.exchange !== 'success')
    return {
      read: false,
      why: `Entra did not give this identity a token, so it cannot read its own credentials (set 'reader-client-id')`,
    };
  return { read: true, identity: p.reader ? 'reader' : 'self', services: [p.lookup], firstFound: false };
}

/**
 * `issuer-private` only where it can matter: no exchange to prove reachability, or Entra failed to
 * fetch the issuer's documents. Pure.
 */
export function issuerWarningApplies(issuer: string, exchange: ExchangeState, codes: readonly number[]): boolean {
  if (!needsReachabilityWarning(classifyIssuer(issuer))) return false;
  return exchange === 'skipped' || (exchange === 'rejected' && codes.some((c) => ISSUER_FETCH_CODES.has(c)));
}

interface AzureStepInput {
  inputs: ActionInputs;
  claims: GitHubClaims;
  /** The job's GitHub token, the assertion for every exchange. */
  token: string;
  freshAssertion: () => Promise<string>;
  deadline: number;
  mask: (secret: string) => void;
  log: (line: string) => void;
  /** Injected in unit tests. */
  fetcher?: Fetcher;
  exchange?: (req: ExchangeRequest) => Promise<ExchangeOutcome>;
}

export interface AzureStepResult {
  /** Credentials read from Azure (source 'graph' or 'arm'): the truth to compare with. */
  credentials?: FederatedCredential[];
  /** Findings to merge Entra's verdict into (cloud-mismatch). */
  early: Finding[];
  /** Findings added after the diagnosis (lookup-denied, subscription-not-accessible, issuer-private). */
  late: Finding[];
}

interface AzureStep {
  finish(outcome: ExchangeOutcome | undefined): Promise<AzureStepResult>;
}

/** No Azure request starts with less time left than this (a request gets at least 1 s). */
const LAST_REQUEST_MS = 1500;

function remaining(deadline: number): number {
  return Math.max(1000, Math.min(10_000, deadline - Date.now()));
}

/** Our HTTP client, with one retry for a network error, 429 or 5xx when time allows. */
function defaultFetcher(deadline: number): Fetcher {
  return async (url, headers) => {
    for (let attempt = 1; ; attempt++) {
      // Paging asks again and again: no request starts that could outlast timeout-seconds, so the
      // run still reports Entra's verdict before the whole-run watchdog (deadline.ts) ends it.
      if (deadline - Date.now() < LAST_REQUEST_MS)
        throw new Error('the time limit (timeout-seconds) ran out before all pages were read');
      let res: HttpResponse | undefined;
      try {
        res = await httpRequest(url, { headers, timeoutMs: remaining(deadline), maxBytes: 4 * 1024 * 1024 });
      } catch (e) {
        if (!(e instanceof HttpError) || e.code === 'HTTP_URL' || attempt >= 2 || deadline - Date.now() < 2500) throw e;
      }
      if (res && !(res.status === 429 || res.status >= 500)) return res;
      if (res && (attempt >= 2 || deadline - Date.now() < 2500)) return res;
      const retryAfter = Number(res?.headers['retry-after']);
      await new Promise((r) =>
        setTimeout(r, Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 2000) : 500),
      );
    }
  };
}

type TokenResult = { ok: true; token: string } | { ok: false; code?: string; reason: string };

export function startAzureStep(input: AzureStepInput): AzureStep {
  const { inputs, claims, log } = input;
  const fetcher = input.fetcher ?? defaultFetcher(input.deadline);
  const reader: ReaderIdentity | undefined = inputs.readerClientId
    ? { clientId: inputs.readerClientId, tenantId: inputs.readerTenantId ?? inputs.tenantId, self: false }
    : undefined;
  const self: ReaderIdentity = { clientId: inputs.clientId, tenantId: inputs.tenantId, self: true };
  const graphScope = `${inputs.cloud.graph}/.default`;
  const armScope = `${inputs.cloud.resourceManager}/.default`;
  const subscriptionForSearch = inputs.subscriptionId ?? inputs.expectedSubscriptionId;

  const tokens = new Map<string, Promise<TokenResult>>();
  const acquire = (who: ReaderIdentity, scope: string): Promise<TokenResult> => {
    const key = `${who.clientId}|${who.tenantId}|${scope}`;
    let p = tokens.get(key);
    if (!p) {
      const run = input.exchange ?? exchangeToken;
      p = run({
        authorityHost: inputs.authorityHost,
        tenantId: who.tenantId,
        clientId: who.clientId,
        scope,
        firstAssertion: input.token,
        freshAssertion: input.freshAssertion,
        deadline: input.deadline,
        onSecret: input.mask,
        log,
      }).then(
        (o): TokenResult =>
          o.kind === 'success'
            ? { ok: true, token: o.accessToken }
            : o.kind === 'rejected'
              ? {
                  ok: false,
                  ...(o.error.codes[0] !== undefined ? { code: `AADSTS${o.error.codes[0]}` } : {}),
                  reason: o.error.description.split(/\s+Trace ID:/)[0] || o.error.error,
                }
              : { ok: false, reason: o.reason },
        (e: unknown): TokenResult => ({ ok: false, reason: (e as Error).message }),
      );
      tokens.set(key, p);
    }
    return p;
  };

  // An explicit lookup was asked for: start the exchanges it needs now, beside the run's own exchange.
  if (inputs.exchange && (inputs.lookup === 'graph' || inputs.lookup === 'arm')) {
    if (reader) void acquire(reader, inputs.lookup === 'graph' ? graphScope : armScope);
    else if (inputs.lookup === 'graph') void acquire(self, graphScope);
  }

  const tokenFor = (
    who: ReaderIdentity,
    service: AzureService,
    outcome: ExchangeOutcome | undefined,
  ): Promise<TokenResult> => {
    // The run's own exchange already asked for the Resource Manager scope.
    if (who.self && service === 'arm' && outcome?.kind === 'success')
      return Promise.resolve({ ok: true, token: outcome.accessToken });
    return acquire(who, service === 'graph' ? graphScope : armScope);
  };

  const readOne = async (
    who: ReaderIdentity,
    service: AzureService,
    outcome: ExchangeOutcome | undefined,
  ): Promise<LookupOutcome | { kind: 'no-token'; result: Extract<TokenResult, { ok: false }> }> => {
    const t = await tokenFor(who, service, outcome);
    if (!t.ok) return { kind: 'no-token', result: t };
    return service === 'graph'
      ? readGraphCredentials({ fetcher, graphHost: inputs.graphHost, clientId: inputs.clientId, token: t.token })
      : readArmCredentials({
          fetcher,
          armHost: inputs.resourceManagerHost,
          subscriptionId: subscriptionForSearch ?? '',
          clientId: inputs.clientId,
          token: t.token,
        });
  };

  const lookup = async (
    outcome: ExchangeOutcome | undefined,
  ): Promise<{ credentials?: FederatedCredential[]; late: Finding[] }> => {
    const codes = outcome?.kind === 'rejected' ? outcome.error.codes : [];
    const plan = planLookup({
      lookup: inputs.lookup,
      exchange: outcome?.kind ?? 'skipped',
      codes,
      reader: !!reader,
      subscription: !!subscriptionForSearch,
    });
    if (!plan.read) {
      if (inputs.lookup !== 'none' && (inputs.lookup !== 'auto' || codes.some((c) => MATCHING_FAMILY.has(c))))
        log(`Federated credentials were not read from Azure: ${plan.why}.`);
      return { late: [] };
    }
    const who = plan.identity === 'reader' ? reader! : self;
    const notices: Finding[] = [];
    for (const service of plan.services) {
      const r = await readOne(who, service, outcome);
      const serviceName = service === 'graph' ? 'Microsoft Graph' : 'Azure Resource Manager';
      if (r.kind === 'credentials') {
        const from = service === 'graph' ? 'Microsoft Graph (beta)' : 'Azure Resource Manager';
        const count = `${r.credentials.length} federated credential${r.credentials.length === 1 ? '' : 's'}`;
        const pages = `${r.pages > 1 ? ` in ${r.pages} pages` : ''}${r.truncated ? ' (more pages were not read)' : ''}`;
        log(
          `Read ${count} of ${r.owner} from ${from}${pages}; comparing the token with them.` +
            (r.skipped.length ? ` Not comparable: ${r.skipped.join('; ')}.` : ''),
        );
        // Found: a denial on an earlier service (e.g. Graph for what is a managed identity) no longer matters.
        return { credentials: r.credentials, late: plan.firstFound ? [] : notices };
      }
      if (r.kind === 'no-token') {
        if (!who.self) {
          notices.push(readerRejected(who, r.result.code, r.result.reason));
          break; // the same identity will not get another scope either
        }
        log(`Could not get a token to read ${serviceName}: ${r.result.reason}`);
        continue;
      }
      if (r.kind === 'denied') notices.push(lookupDenied(r, who, subscriptionForSearch));
      else if (r.kind === 'not-found')
        log(`Not found in ${serviceName}: ${r.error.message ?? r.error.code ?? `HTTP ${r.status}`}.`);
      else log(`Reading the federated credentials failed: ${r.reason}`);
    }
    return { late: notices };
  };

  const cloudCheck = async (outcome: ExchangeOutcome | undefined): Promise<Finding[]> => {
    if (outcome?.kind !== 'rejected' || !outcome.error.codes.some((c) => CLOUD_MIX_CODES.has(c))) return [];
    const atChosen = await readTenantDiscovery(fetcher, inputs.authorityHost, inputs.tenantId);
    const others =
      atChosen.status === 'not-found'
        ? await Promise.all(
            otherCloudsToProbe(inputs.cloud, inputs.authorityHost).map(async (cloud) => ({
              ...(await readTenantDiscovery(fetcher, cloud.authorityHost, inputs.tenantId)),
              cloud,
            })),
          )
        : [];
    const mix = detectCloudMix(inputs.cloud, atChosen, others);
    return mix ? [cloudMismatch(mix, inputs.tenantId, inputs.audience)] : [];
  };

  const subscriptionCheck = async (outcome: ExchangeOutcome | undefined): Promise<Finding[]> => {
    const id = inputs.expectedSubscriptionId;
    if (!id || outcome?.kind !== 'success') return [];
    const r = await readSubscription({
      fetcher,
      armHost: inputs.resourceManagerHost,
      subscriptionId: id,
      token: outcome.accessToken,
    });
    if (r.kind === 'ok') {
      if (r.state.toLowerCase() === 'enabled') {
        log(`Subscription ${r.displayName ? `'${r.displayName}' ` : ''}${id} is visible to the identity and Enabled.`);
        return [];
      }
      return [subscriptionNotEnabled(id, r.state, r.displayName)];
    }
    if (r.kind === 'denied' || r.kind === 'not-found') return [subscriptionNotAccessible(inputs.clientId, id, r)];
    log(`Could not check subscription ${id}: ${r.reason}`);
    return [];
  };

  return {
    async finish(outcome) {
      const codes = outcome?.kind === 'rejected' ? outcome.error.codes : [];
      const [read, cloud, subscription] = await Promise.all([
        lookup(outcome),
        cloudCheck(outcome),
        subscriptionCheck(outcome),
      ]);
      const late = [...read.late, ...subscription];
      if (issuerWarningApplies(claims.iss, outcome?.kind ?? 'skipped', codes))
        late.push(issuerPrivate(classifyIssuer(claims.iss)));
      return { ...(read.credentials ? { credentials: read.credentials } : {}), early: cloud, late };
    },
  };
}
