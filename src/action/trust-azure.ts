/**
 * `mode: trust` without credentials given: this job's OIDC token is exchanged for a reader
 * identity (`reader-client-id`, else `client-id`) and the tenant's identities are read: every app
 * registration from Microsoft Graph (Application.Read.All), and with `subscription-id` the
 * subscription's user-assigned managed identities from ARM (Reader). src/trust/azure-inventory.ts
 * does the paging, the bound on requests in flight and the Retry-After waits.
 */
import type { Finding } from '../diagnose/finding.js';
import { inputInvalid, oidcUnavailable } from '../diagnose/run-findings.js';
import { httpRequest } from '../net/http.js';
import { oidcEndpoint, requestIdToken } from '../github/oidc-token.js';
import { readRunnerContext } from '../github/runner-context.js';
import { readInventory, throttledFetcher, type Inventory } from '../trust/azure-inventory.js';
import { logLine, maskSecret, readInput } from '../report/runner-log.js';
import { type ActionInputs, InputError, parseInputs } from './inputs.js';
import type { RunIo } from './run.js';

function denied(who: string, why: string): Finding {
  return {
    id: 'lookup-denied',
    severity: 'error',
    title: "mode: trust could not read the tenant's identities from Azure",
    message: `${who}: ${why}`,
    fix:
      'Give the reader identity the Graph application permission Application.Read.All (admin consent), and Reader on ' +
      'subscription-id for managed identities; or give the credentials instead:\n' +
      '    with:\n      federated-credentials-file: azure/federated-credentials.json',
  };
}

export async function readTenantFromAzure(io: RunIo, timeoutSeconds: number): Promise<Inventory | Finding> {
  const { env } = io;
  let inputs: ActionInputs;
  try {
    // The reading is the point here: lookup is Graph whatever the input says.
    inputs = parseInputs((name) => (name === 'lookup' ? 'graph' : readInput(name)));
  } catch (e) {
    if (e instanceof InputError) return inputInvalid(e.input, e.message, e.expected);
    throw e;
  }
  const endpoint = oidcEndpoint(env);
  if (!endpoint)
    return {
      ...oidcUnavailable(await readRunnerContext()),
      title: "mode: trust cannot read the tenant's identities from Azure without an OIDC token",
    };
  const mask = maskSecret;
  const log = logLine;
  const deadline = Date.now() + timeoutSeconds * 1000;
  const clientId = inputs.readerClientId ?? inputs.clientId;
  const tenantId = inputs.readerTenantId ?? inputs.tenantId;
  const { exchangeToken } = await import('../entra/exchange.js');
  const accessToken = async (resource: string): Promise<string | Finding> => {
    const first = await requestIdToken(endpoint, inputs.audience, 10_000, mask);
    const outcome = await exchangeToken({
      authorityHost: inputs.authorityHost,
      tenantId,
      clientId,
      scope: `${resource}/.default`,
      firstAssertion: first,
      freshAssertion: () => requestIdToken(endpoint, inputs.audience, 10_000, mask),
      deadline,
      onSecret: mask,
      log,
    });
    if (outcome.kind === 'success') return outcome.accessToken;
    const why =
      outcome.kind === 'rejected'
        ? `Entra rejected this job's token ` +
          `(${outcome.error.codes[0] !== undefined ? `AADSTS${outcome.error.codes[0]}` : outcome.error.error}); run ` +
          `the action in check mode with this client-id to see why`
        : outcome.reason;
    return denied(`Reader ${clientId}`, why);
  };
  const graph = await accessToken(inputs.cloud.graph);
  if (typeof graph !== 'string') return graph;
  const arm = inputs.subscriptionId ? await accessToken(inputs.cloud.resourceManager) : undefined;
  if (arm !== undefined && typeof arm !== 'string') return arm;
  const { fetch, stats } = throttledFetcher(
    (url, headers) => httpRequest(url, { headers, timeoutMs: Math.max(1000, Math.min(30_000, deadline - Date.now())) }),
    { concurrency: 8, deadline },
  );
  const inventory = await readInventory({
    fetcher: fetch,
    tenantId: inputs.tenantId,
    graph: { host: inputs.graphHost, token: graph },
    ...(arm && inputs.subscriptionId
      ? { arm: { host: inputs.resourceManagerHost, token: arm, subscriptionId: inputs.subscriptionId } }
      : {}),
  });
  log(
    `Azure: ${inventory.identities} identity(ies), ${inventory.items.length} credential(s) read in ${stats.requests} ` +
      `request(s)${stats.throttled ? `, ${stats.throttled} throttled and retried` : ''}.`,
  );
  if (!inventory.items.length && inventory.unread.length)
    return denied(`Reader ${clientId}`, inventory.unread.join('; '));
  return inventory;
}
