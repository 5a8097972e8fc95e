/**
 * `mode: audit`: before merge, check every workflow of the checked-out repository against the
 * credentials, and annotate each job that can never log in on its line. When the job may
 * request an OIDC token, one token tells the issuer, the repository ids and whether the
 * repository sends immutable or customised subjects; without one, github.com's defaults apply.
 */
import { sortFindings, hasErrors, type Finding } from '../diagnose/finding.js';
import { inputInvalid, oidcUnavailable } from '../diagnose/run-findings.js';
import { findCloud } from '../entra/clouds.js';
import { credentialsCutFinding, readCredentialsText, CredentialsInputError } from '../entra/credentials-input.js';
import type { GitHubClaims } from '../github/claims.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import { decodeJwtUnverified } from '../github/jwt.js';
import { oidcEndpoint, requestIdToken } from '../github/oidc-token.js';
import { parseSubject } from '../github/subject.js';
import {
  customizationFromAnswer,
  readSubjectCustomization,
  type SubjectCustomization,
} from '../github/subject-customization.js';
import { withClientId } from '../diagnose/fix-commands.js';
import { auditRepository, type RepositoryAudit } from '../workflow/audit-repository.js';
import { annotateFinding, findingsJson } from '../report/emit.js';
import { fence, md, mdCode, table } from '../report/markdown.js';
import { auditedJobs, jobListing, type ListingStyle } from '../report/audit-listing.js';
import { logGroup, logLine, maskSecret, readInput, setOutputs, writeSummary } from '../report/runner-log.js';
import { exitCodeFor, type RunIo } from './run.js';
import { InputError, parseInputs, parseTimeoutSeconds, type ActionInputs, type FailOn } from './inputs.js';
import { RunDeadline } from './deadline.js';
import type { FederatedCredential } from '../entra/credential.js';
import type { ExchangeOutcome } from '../entra/exchange.js';
import { readRunnerContext, type RunnerContext } from '../github/runner-context.js';
import { readCredentialsFile } from './workspace-file.js';

const input = readInput;

/** github.com's issuer, or a GHES host's `https://HOST/_services/token`. */
export function issuerForServer(serverUrl: string | undefined): string {
  if (!serverUrl || /^https:\/\/github\.com\/?$/i.test(serverUrl)) return GITHUB_COM_ISSUER;
  return `${serverUrl.replace(/\/+$/, '')}/_services/token`;
}

export async function runAuditMode(io: RunIo): Promise<number> {
  const { env } = io;
  const runner = await readRunnerContext();
  // Registered as a secret by src/index.ts before anything was printed.
  const githubToken = input('github-token');
  const failOnRaw = input('fail-on').toLowerCase() || 'error';
  const failOn: FailOn = failOnRaw === 'warning' || failOnRaw === 'never' ? failOnRaw : 'error';
  let watch: RunDeadline | undefined;
  const fail = (f: Finding) => finish([f], failOn, undefined, watch);
  let timeoutSeconds: number;
  try {
    timeoutSeconds = parseTimeoutSeconds(readInput);
  } catch (e) {
    if (e instanceof InputError) return fail(inputInvalid(e.input, e.message, e.expected));
    throw e;
  }
  watch = new RunDeadline(Date.now() + timeoutSeconds * 1000, timeoutSeconds);
  watch.arm(async (f) => fail(f));
  const workspace = runner.workspace ?? process.cwd();
  const repository = runner.repository ?? '';
  const [owner = '', repo = ''] = repository.split('/');
  const cloud = findCloud(input('environment') || 'azurecloud');
  if (!cloud)
    return fail(
      inputInvalid('environment', `Input 'environment' is '${input('environment')}'.`, 'environment: azurecloud'),
    );

  // Credentials: inline, from a file, or read from Azure with this job's token.
  const inline = input('federated-credentials');
  const file = input('federated-credentials-file');
  let credentials: FederatedCredential[] | undefined;
  const inputNotes: Finding[] = [];
  if (inline || file) {
    try {
      const text = inline || (await readCredentialsFile(workspace, file));
      const label = inline ? "Input 'federated-credentials'" : `File '${file}'`;
      const read = await readCredentialsText(text, label, inline ? 'input' : 'file');
      credentials = read.credentials;
      const cut = credentialsCutFinding(read, label);
      if (cut) inputNotes.push(cut);
    } catch (e) {
      if (e instanceof InputError) return fail(inputInvalid(e.input, e.message, e.expected));
      if (!(e instanceof CredentialsInputError)) throw e;
      const name = inline ? 'federated-credentials' : 'federated-credentials-file';
      return fail(
        inputInvalid(name, e.message, 'federated-credentials-file: .github/azure-federated-credentials.json'),
      );
    }
  } else if (!input('client-id') || input('lookup').toLowerCase() === 'none') {
    return fail(
      inputInvalid(
        'federated-credentials-file',
        "mode: audit compares the workflows with the identity's credentials." +
          " Give them with 'federated-credentials' or 'federated-credentials-file'" +
          ' (e.g. the output of az ad app federated-credential list), ' +
          "or give 'client-id' and 'tenant-id' (and 'id-token: write') so the audit reads them from Azure.",
        'federated-credentials-file: .github/azure-federated-credentials.json',
      ),
    );
  }

  // What the repository's tokens look like: one token when the job may ask for it.
  const notes: Finding[] = [...inputNotes];
  let claims: GitHubClaims | undefined;
  const endpoint = oidcEndpoint(env);
  const audience = input('audience') || cloud.exchangeAudience;
  let token: string | undefined;
  if (endpoint) {
    try {
      watch.stage = "waiting for the runner's OIDC token";
      const timeoutMs = Math.max(1000, Math.min(10_000, watch.at - Date.now()));
      token = await requestIdToken(endpoint, audience, timeoutMs, maskSecret);
      claims = decodeJwtUnverified(token).claims;
    } catch {
      /* fall back to the defaults below; an audit of given credentials needs no token */
    }
  }
  if (!credentials) {
    watch.stage = 'reading the credentials from Azure';
    const read = await credentialsFromAzure(io, runner, token, claims, watch.at);
    if ('error' in read) return fail(read.error);
    credentials = read.credentials;
    notes.push(...read.notes);
  }
  let customization: SubjectCustomization | undefined;
  const templateInput = input('subject-template');
  if (templateInput) {
    try {
      customization = customizationFromAnswer(JSON.parse(templateInput));
    } catch (e) {
      return fail(
        inputInvalid(
          'subject-template',
          `Input 'subject-template' is not usable: ${(e as Error).message}.`,
          'subject-template: \'{"use_default": false, "include_claim_keys": ["repo", "context"]}\'',
        ),
      );
    }
  } else if (githubToken) {
    const r = await readSubjectCustomization(githubToken, owner, repo, runner.apiUrl ?? 'https://api.github.com');
    if (r.ok) customization = r.value;
    else
      notes.push({
        id: 'credential-lint',
        severity: 'notice',
        title: 'The subject template could not be read; the default template is assumed',
        message: r.message,
        fix: "Grant the token 'actions: read', or give the template with the 'subject-template' input.",
      });
  }
  const tokenForm = claims ? parseSubject(claims.sub).form : undefined;
  if (tokenForm === 'custom' && !customization)
    notes.push({
      id: 'subject-custom-template',
      severity: 'warning',
      title: 'This repository sends subjects from a customised template; predictions assume the default',
      message:
        `This job's token has the subject '${claims!.sub}', which does not start with 'repo:'.` +
        ' Give the template so the audit predicts the same form.',
      fix:
        'subject-template: <the answer of gh api repos/OWNER/REPO/actions/oidc/customization/sub>' +
        "   # or github-token with 'actions: read'",
    });
  const immutable = customization?.immutable ?? (tokenForm ? tokenForm === 'immutable' : undefined);
  watch.stage = 'reading the workflows';
  const result = await auditRepository(
    workspace,
    credentials,
    {
      owner: claims?.repository_owner ?? owner,
      repo: (claims?.repository ?? repository).split('/')[1] ?? repo,
      ...((claims?.repository_owner_id ?? runner.ownerId)
        ? { ownerId: claims?.repository_owner_id ?? runner.ownerId }
        : {}),
      ...((claims?.repository_id ?? runner.repositoryId)
        ? { repoId: claims?.repository_id ?? runner.repositoryId }
        : {}),
      ...(immutable !== undefined ? { immutable } : {}),
      ...(customization ? { template: customization.template } : {}),
      defaultBranch: input('default-branch') || 'main',
      issuer: claims?.iss ?? issuerForServer(runner.serverUrl),
      audience,
    },
    undefined,
    watch.at,
  );
  if (result.missing)
    return fail(
      inputInvalid(
        'mode',
        `mode: audit reads .github/workflows in the workspace (${workspace}), and there is none.` +
          ' Check out the repository first (actions/checkout).',
        'mode: audit',
      ),
    );
  const clientId = input('client-id');
  const findings = withClientId([...notes, ...result.findings], clientId || undefined);
  return finish(findings, failOn, result, watch);
}

/**
 * The identity's credentials as Azure holds them, read with this job's token: exchanged for the
 * identity itself (or `reader-client-id`), then Microsoft Graph for an app registration, or ARM
 * for a managed identity when `subscription-id` is given. The same machinery as `lookup` in check mode.
 */
async function credentialsFromAzure(
  io: RunIo,
  runner: RunnerContext,
  token: string | undefined,
  claims: GitHubClaims | undefined,
  /** The run's deadline (timeout-seconds from the start, not from here). */
  deadline: number,
): Promise<{ credentials: FederatedCredential[]; notes: Finding[] } | { error: Finding }> {
  const { env } = io;
  const get = (name: string) => {
    const v = input(name);
    // In an audit the lookup is the point: auto means Graph, or ARM when a subscription is named.
    if (name === 'lookup' && (v === '' || v.toLowerCase() === 'auto'))
      return input('subscription-id') ? 'arm' : 'graph';
    return v;
  };
  let inputs: ActionInputs;
  try {
    inputs = parseInputs(get);
  } catch (e) {
    if (e instanceof InputError) return { error: inputInvalid(e.input, e.message, e.expected) };
    throw e;
  }
  const endpoint = oidcEndpoint(env);
  if (!token || !claims || !endpoint)
    return {
      error: {
        ...oidcUnavailable(runner),
        title: 'mode: audit cannot read the credentials from Azure without an OIDC token',
      },
    };
  const mask = maskSecret;
  const log = logLine;
  const freshAssertion = () =>
    requestIdToken(endpoint, inputs.audience, Math.max(1000, Math.min(10_000, deadline - Date.now())), mask);
  const [{ exchangeToken }, { startAzureStep }] = await Promise.all([
    import('../entra/exchange.js'),
    import('./azure-step.js'),
  ]);
  const step = startAzureStep({ inputs, claims, token, freshAssertion, deadline, mask, log });
  const outcome = await exchangeToken({
    authorityHost: inputs.authorityHost,
    tenantId: inputs.tenantId,
    clientId: inputs.clientId,
    scope: `${inputs.cloud.resourceManager}/.default`,
    firstAssertion: token,
    freshAssertion,
    deadline,
    onSecret: mask,
    log,
  });
  const read = await step.finish(outcome);
  if (read.credentials) return { credentials: read.credentials, notes: read.late };
  const why = lookupDeniedReason(outcome, inputs);
  return {
    error: {
      id: 'lookup-denied',
      severity: 'error',
      title: "mode: audit could not read the identity's federated credentials from Azure",
      message: `${why}\n${read.late.map((f) => `- ${f.title}`).join('\n')}`.trim(),
      fix:
        'Give the credentials instead:\n    with:\n' +
        '      federated-credentials-file: .github/azure-federated-credentials.json' +
        '   # az ad app federated-credential list --id <APPLICATION-CLIENT-ID> > that file',
    },
  };
}

/** Why the identity's credentials could not be read with its own exchanged token. */
function lookupDeniedReason(outcome: ExchangeOutcome, inputs: ActionInputs): string {
  if (outcome.kind === 'rejected') {
    const code = outcome.error.codes[0] !== undefined ? `AADSTS${outcome.error.codes[0]}` : outcome.error.error;
    return (
      `Entra rejected this job's token for ${inputs.clientId} (${code}), so the identity cannot read its own` +
      " credentials; run the action in check mode to see why, or give 'reader-client-id'."
    );
  }
  if (outcome.kind === 'success') {
    const needs =
      inputs.lookup === 'arm'
        ? 'Reader on the subscription'
        : 'the Graph permission Application.Read.All with admin consent';
    return (
      `The credentials could not be read (see the notices and the log): the identity needs ${needs},` +
      " or give 'reader-client-id'."
    );
  }
  return `Entra could not be reached: ${outcome.reason}`;
}

const plain = (s: string) => s;
const PLAIN_TEXT: ListingStyle = { bold: plain, dim: plain, red: plain, green: plain };

async function finish(
  raw: Finding[],
  failOn: FailOn,
  result: RepositoryAudit | undefined,
  watch: RunDeadline | undefined,
): Promise<number> {
  // One report per run: the timeout's, or the audit's own.
  if (watch && !watch.claim()) return watch.lateCode();
  const findings = sortFindings(raw);
  for (const f of findings) annotateFinding(f);
  const failed = hasErrors(findings);
  const outputs = { result: failed ? 'fail' : 'pass', findings: findingsJson(findings) };
  setOutputs(outputs);
  await writeSummary(renderAuditSummary(findings, result));
  const listed = result ? auditedJobs(result) : [];
  if (listed.length) await logGroup(`Subjects per job (${listed.length} job(s))`, jobListing(listed, PLAIN_TEXT));
  const jobs = listed.length;
  const errors = findings.filter((f) => f.severity === 'error').length;
  logLine(`Azure federation audit: ${outputs.result}. ${jobs} job(s) that log in to Azure, ${errors} error(s).`);
  return exitCodeFor(findings, failOn);
}

/** Pure: the audit's job summary. */
function renderAuditSummary(findings: readonly Finding[], result: RepositoryAudit | undefined): string {
  const failed = hasErrors(findings);
  const parts = [`## ${failed ? '❌' : '✅'} Azure federation audit: ${failed ? 'fail' : 'pass'}`];
  if (result) {
    const rows = result.workflows.flatMap((w) =>
      w.jobs.flatMap((j) =>
        j.matches.slice(0, 20).map((m) => {
          const by = [...m.full, ...m.partial].map((c) => c.name);
          return [
            mdCode(`${j.prediction.file}:${m.subject.sourceLine}`),
            mdCode(j.prediction.jobId, 100),
            mdCode(m.subject.subject, 300),
            md(`${m.subject.trigger}${m.subject.certain ? '' : ' (uncertain)'}`),
            by.length ? `✅ ${by.map((n) => mdCode(n, 100)).join(', ')}` : '❌',
          ];
        }),
      ),
    );
    if (rows.length)
      parts.push(
        '### Jobs that log in to Azure',
        table(['where', 'job', 'subject GitHub will send', 'trigger', 'credential'], rows.slice(0, 300)),
      );
    else parts.push(md('No job in .github/workflows logs in to Azure.'));
  }
  for (const f of findings.slice(0, 100)) {
    const where = f.location ? ` at ${mdCode(`${f.location.file}:${f.location.line ?? ''}`)}` : '';
    parts.push(
      `#### ${f.severity === 'error' ? '❌' : f.severity === 'warning' ? '⚠️' : 'ℹ️'} ${md(f.title, 300)}`,
      `Finding ${mdCode(f.id)}${where}`,
      fence(f.message),
      '**Fix**',
      fence(f.fix),
    );
  }
  if (findings.length > 100) parts.push(md(`… ${findings.length - 100} more findings are in the 'findings' output.`));
  return `${parts.join('\n\n')}\n`;
}
