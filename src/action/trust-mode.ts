/**
 * `mode: trust`: who can become these identities? Every federated credential (given inline or in
 * a file) is checked against GitHub (src/trust/*): names that someone else can take, renamed
 * repositories, unprotected environments, pull_request subjects, broad expressions, foreign
 * issuers. Writes annotations, the `findings` output, the job summary and, with `sarif-file`,
 * SARIF for code scanning.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { hasErrors, type Finding } from '../diagnose/finding.js';
import { inputInvalid } from '../diagnose/run-findings.js';
import { CredentialsInputError } from '../entra/credentials-input.js';
import { annotateFinding, findingsJson } from '../report/emit.js';
import { logGroup, logLine, maskSecret, readInput, setOutputs, writeSummary } from '../report/runner-log.js';
import { auditTrust, notCheckedFinding, type TrustAuditResult } from '../trust/audit.js';
import { GitHubLookupClient, octokitRequest } from '../trust/github-lookups.js';
import { parseTrustInput } from '../trust/input.js';
import type { TrustItem } from '../trust/model.js';
import { renderTrustSummary } from '../trust/summary.js';
import { toSarif } from '../trust/sarif.js';
import { issuerForServer } from './audit-mode.js';
import { readRunnerContext, runnerPlace } from '../github/runner-context.js';
import { type FailOn, InputError, parseTimeoutSeconds } from './inputs.js';
import { RunDeadline } from './deadline.js';
import { readCredentialsFile } from './workspace-file.js';
import { exitCodeFor, type RunIo } from './run.js';

const MAX_ANNOTATIONS = 50;
const MAX_OUTPUT_FINDINGS = 300;

async function readItems(
  io: RunIo,
  workspace: string,
  input: (n: string) => string,
  timeoutSeconds: number,
): Promise<TrustItem[] | Finding> {
  const inline = input('federated-credentials');
  const file = input('federated-credentials-file');
  const defaults = { clientId: input('client-id'), ...(input('tenant-id') ? { tenantId: input('tenant-id') } : {}) };
  if (!inline && !file) {
    if (!defaults.clientId)
      return inputInvalid(
        'federated-credentials-file',
        "mode: trust audits the credentials you give: 'federated-credentials' or 'federated-credentials-file' (the " +
          'output of az ad app federated-credential list, or {"identities": [...]} for several identities), ' +
          "or reads the whole tenant from Azure with 'client-id' and 'tenant-id' (a reader with " +
          "Application.Read.All; 'id-token: write').",
        'federated-credentials-file: azure/federated-credentials.json',
      );
    const { readTenantFromAzure } = await import('./trust-azure.js');
    const read = await readTenantFromAzure(io, timeoutSeconds);
    if (!('items' in read)) return read;
    if (read.unread.length) await logGroup(`Not read from Azure (${read.unread.length})`, read.unread.slice(0, 50));
    return read.items;
  }
  try {
    if (inline) return await parseTrustInput(inline, "Input 'federated-credentials'", defaults, 'input');
    // Inside the workspace and size-capped, like every input file (workspace-file.ts).
    const text = await readCredentialsFile(workspace, file);
    const path = isAbsolute(file) ? file : resolve(workspace, file);
    return await parseTrustInput(text, `File '${file}'`, defaults, 'file', relative(workspace, path) || file);
  } catch (e) {
    if (e instanceof InputError) return inputInvalid(e.input, e.message, e.expected);
    const name = inline ? 'federated-credentials' : 'federated-credentials-file';
    const msg =
      e instanceof CredentialsInputError
        ? e.message
        : `'${file}' could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); is the repository checked ` +
          `out?`;
    logLine(msg);
    return inputInvalid(name, msg, 'federated-credentials-file: azure/federated-credentials.json');
  }
}

export async function runTrustMode(io: RunIo): Promise<number> {
  const place = runnerPlace();
  const input = (name: string) => readInput(name).trim();
  const failOnRaw = input('fail-on').toLowerCase() || 'error';
  const failOn: FailOn = failOnRaw === 'warning' || failOnRaw === 'never' ? failOnRaw : 'error';
  const workspace = place.workspace ?? process.cwd();
  let watch: RunDeadline | undefined;
  const fail = (f: Finding) => finish([f], failOn, undefined, watch);
  let timeout: number;
  try {
    timeout = parseTimeoutSeconds(readInput);
  } catch (e) {
    if (e instanceof InputError) return fail(inputInvalid(e.input, e.message, e.expected));
    throw e;
  }
  // timeout-seconds bounds the whole run, as in the other modes (deadline.ts).
  watch = new RunDeadline(Date.now() + timeout * 1000, timeout);
  watch.arm(fail);
  watch.stage = 'reading the credentials';
  const items = await readItems(io, workspace, input, timeout);
  if (!Array.isArray(items)) return fail(items);
  watch.stage = 'asking GitHub about the credentials';

  const token = input('github-token');
  if (token) maskSecret(token);
  const lookups = token
    ? new GitHubLookupClient(
        await octokitRequest(token, (await readRunnerContext()).apiUrl ?? 'https://api.github.com'),
        {
          concurrency: 8,
          deadline: Date.now() + timeout * 1000,
        },
      )
    : undefined;
  const server = issuerForServer(place.serverUrl);
  const result = await auditTrust(items, lookups, {
    ownIssuers: server === issuerForServer(undefined) ? [] : [server],
  });
  if (lookups) {
    const { requests, shared, rateLimitRemaining, stopped } = lookups.stats;
    const budget = rateLimitRemaining !== undefined ? `, x-ratelimit-remaining ${rateLimitRemaining}` : '';
    const stop = stopped ? `; stopped: ${stopped}` : '';
    logLine(`GitHub lookups: ${requests} request(s), ${shared} answered from an earlier one${budget}${stop}.`);
  }

  const sarifInput = input('sarif-file');
  if (sarifInput) {
    const path = isAbsolute(sarifInput) ? sarifInput : resolve(workspace, sarifInput);
    const workflowFile = /^[^/]+\/[^/]+\/(.+?)@/.exec(place.workflowRef ?? '')?.[1];
    const sarif = toSarif(result.findings, result.notChecked, { defaultUri: workflowFile ?? '.github/workflows' });
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, `${JSON.stringify(sarif, null, 2)}\n`);
      setOutputs({ 'sarif-file': path });
    } catch (e) {
      return finish(
        [
          inputInvalid(
            'sarif-file',
            `Input 'sarif-file' names '${sarifInput}', which could not be written ` +
              `(${(e as NodeJS.ErrnoException).code ?? 'error'}).`,
            'sarif-file: results/trust.sarif',
          ),
        ],
        failOn,
        result,
        watch,
      );
    }
  }
  const located: Finding[] = result.findings.map(({ item, ...f }) =>
    item.location ? { ...f, location: item.location } : f,
  );
  const notice = notCheckedFinding(result.notChecked);
  return finish(notice ? [...located, notice] : located, failOn, result, watch);
}

async function finish(
  findings: Finding[],
  failOn: FailOn,
  result: TrustAuditResult | undefined,
  watch?: RunDeadline,
): Promise<number> {
  // One report per run: the timeout's, or the audit's own.
  if (watch && !watch.claim()) return watch.lateCode();
  for (const f of findings.slice(0, MAX_ANNOTATIONS)) annotateFinding(f);
  if (findings.length > MAX_ANNOTATIONS)
    logLine(
      `${findings.length - MAX_ANNOTATIONS} more finding(s) are in the job summary, the 'findings' output and the ` +
        `SARIF file.`,
    );
  const failed = hasErrors(findings);
  const outputs = { result: failed ? 'fail' : 'pass', findings: findingsJson(findings.slice(0, MAX_OUTPUT_FINDINGS)) };
  setOutputs(outputs);
  await writeSummary(renderTrustSummary(findings, result));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  logLine(
    `Azure federation trust audit: ${outputs.result}. ${result?.credentials ?? 0} credential(s) of ` +
      `${result?.identities ?? 0} identity(ies), ${errors} error(s), ${warnings} warning(s), ` +
      `${result?.notChecked.length ?? 0} not checked.`,
  );
  return exitCodeFor(findings, failOn);
}
