/**
 * One run of the action: inputs → runner token → (verify ‖ compare ‖ exchange) → diagnosis → report.
 * The shell around the pure core: every I/O step is a small adapter, every decision a pure function.
 * This module is step 1 (the inputs, checked before any network call) and the report; steps 2 to 4
 * are src/action/token-check.ts, loaded once the inputs are valid.
 */
import { parseInputs, InputError, type ActionInputs, type FailOn } from './inputs.js';
import { runnerPlace } from '../github/runner-context.js';
import { credentialsCutFinding, readCredentialsText, CredentialsInputError } from '../entra/credentials-input.js';
import { readCredentialsFile } from './workspace-file.js';
import { RunDeadline } from './deadline.js';
import type { FederatedCredential } from '../entra/credential.js';
import { hasErrors, sortFindings, type Finding } from '../diagnose/finding.js';
import { inputInvalid, proxySettingInvalid } from '../diagnose/run-findings.js';
import { readInput } from '../report/runner-log.js';
import { checkProxySettings, ProxyConfigError } from '../net/proxy.js';
import { emitReport } from '../report/emit.js';
import type { RunReport } from '../report/run-report.js';

export interface RunIo {
  env: NodeJS.ProcessEnv;
  now?: () => number;
}

/** Exit code policy: `result` says fail on any error; fail-on decides whether the step fails. */
export function exitCodeFor(findings: readonly Finding[], failOn: FailOn): number {
  if (failOn === 'never') return 0;
  if (hasErrors(findings)) return 1;
  if (failOn === 'warning' && findings.some((f) => f.severity === 'warning')) return 1;
  return 0;
}

/** The credentials an input gives, and a warning when the list was cut (credentials-input.ts). */
async function loadCredentials(
  inputs: ActionInputs,
  workspace: string | undefined,
): Promise<{ credentials?: FederatedCredential[]; notes: Finding[] }> {
  const file = inputs.credentialsFile;
  const given = inputs.credentialsInline
    ? { text: inputs.credentialsInline, label: "Input 'federated-credentials'", source: 'input' as const }
    : file
      ? {
          text: await readCredentialsFile(workspace ?? process.cwd(), file),
          label: `File '${file}'`,
          source: 'file' as const,
        }
      : undefined;
  if (!given) return { notes: [] };
  const read = await readCredentialsText(given.text, given.label, given.source);
  const cut = credentialsCutFinding(read, given.label);
  return { credentials: read.credentials, notes: cut ? [cut] : [] };
}

export async function runAction(io: RunIo): Promise<number> {
  const { env } = io;
  const started = Date.now();
  const now = () => Math.floor((io.now?.() ?? Date.now()) / 1000);
  // Where annotations go; the rest of the runner's context loads only on the failures that explain it.
  const place = runnerPlace();
  let watch: RunDeadline | undefined;
  const finish = async (report: RunReport, failOn: FailOn, input?: string) => {
    // One report per run: the timeout's, or the run's own.
    if (watch && !watch.claim()) return watch.lateCode();
    // Findings go on the workflow line they concern, when the workflow file is checked out.
    if (report.findings.length && place.workspace && place.workflowRef && place.job) {
      const { placeFindings } = await import('./failure-path.js');
      report.findings = await placeFindings(report.findings, {
        workspace: place.workspace,
        workflowRef: place.workflowRef,
        job: place.job,
        claims: report.claims,
        input,
        actionRepository: place.actionRepository,
      });
    }
    report.findings = sortFindings(report.findings);
    await emitReport(report);
    return exitCodeFor(report.findings, failOn);
  };
  const failWith = (finding: Finding, failOn: FailOn, input?: string) =>
    finish({ result: 'fail', verdict: finding.title, findings: [finding], now: now() }, failOn, input);

  // 1. Inputs, before any network call.
  let inputs: ActionInputs;
  let credentials: FederatedCredential[] | undefined;
  let inputNotes: Finding[] = [];
  const rawFailOn = (readInput('fail-on').toLowerCase() || 'error') as FailOn;
  const fallbackFailOn: FailOn = ['error', 'warning', 'never'].includes(rawFailOn) ? rawFailOn : 'error';
  try {
    inputs = parseInputs(readInput);
    ({ credentials, notes: inputNotes } = await loadCredentials(inputs, place.workspace));
    checkProxySettings();
  } catch (e) {
    if (e instanceof InputError) return failWith(inputInvalid(e.input, e.message, e.expected), fallbackFailOn, e.input);
    if (e instanceof ProxyConfigError) return failWith(proxySettingInvalid(e.variable, e.message), fallbackFailOn);
    if (e instanceof CredentialsInputError) {
      const input = readInput('federated-credentials-file') ? 'federated-credentials-file' : 'federated-credentials';
      return failWith(
        inputInvalid(
          input,
          e.message,
          `${input}: |\n        [{"name": "main", "issuer": "https://token.actions.githubusercontent.com",` +
            ' "subject": "repo:OWNER/REPO:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]}]',
        ),
        fallbackFailOn,
        input,
      );
    }
    throw e;
  }
  const deadline = started + inputs.timeoutSeconds * 1000;
  watch = new RunDeadline(deadline, inputs.timeoutSeconds);
  watch.arm((finding) => failWith(finding, inputs.failOn));

  // 2-4. The token, verification, comparison, exchange and diagnosis load as one module, once the inputs are valid.
  const { checkWithToken } = await import('./token-check.js');
  return checkWithToken({
    env,
    place,
    started,
    now,
    inputs,
    credentials,
    inputNotes,
    deadline,
    watch,
    finish,
    failWith,
  });
}
