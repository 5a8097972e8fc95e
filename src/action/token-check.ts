/**
 * The check once its inputs are valid: the runner's token, then verification, comparison and the
 * exchange side by side, then the diagnosis (steps 2 to 4 of src/action/run.ts). One module, loaded
 * as one file with what it needs (the HTTP path, comparison, verification, the exchange, Azure's
 * view), because each file the runtime loads costs start-up time of its own; msal-node and jose stay
 * apart, loaded only by the paths that use them, and so does what only a failure needs (failure-path.ts).
 */
import type { FederatedCredential } from '../entra/credential.js';
import { exchangeToken, preloadMsal, type ExchangeOutcome } from '../entra/exchange.js';
import { compareWithCredentials, suggestCredential, type CompareResult } from '../diagnose/compare.js';
import { hasErrors, sortFindings, type Finding } from '../diagnose/finding.js';
import { mergeFindings } from '../diagnose/merge.js';
import {
  acceptedDespiteLocalMismatch,
  entraUnavailable,
  oidcRequestFailed,
  oidcUnavailable,
  tokenVerification,
} from '../diagnose/run-findings.js';
import { decodeJwtUnverified, JwtDecodeError, type DecodedJwt } from '../github/jwt.js';
import { oidcEndpoint, requestIdToken, OidcError, type OidcEndpoint } from '../github/oidc-token.js';
import { readRunnerContext, type runnerPlace } from '../github/runner-context.js';
import { verifyToken, type VerifyResult } from '../github/verify.js';
import { closeConnections, preconnect } from '../net/http.js';
import { DEFAULT_RETRY, canRetry, retryDelayMs, sleep } from '../net/retry.js';
import type { ExchangeSummary, RunReport } from '../report/run-report.js';
import { debugEnabled, debugLine, logLine, maskSecret } from '../report/runner-log.js';
import { startAzureStep, type AzureStepResult } from './azure-step.js';
import type { RunDeadline } from './deadline.js';
import type { ActionInputs, FailOn } from './inputs.js';

/** What run.ts hands over once the inputs are valid. */
interface ValidRun {
  env: NodeJS.ProcessEnv;
  place: ReturnType<typeof runnerPlace>;
  /** Epoch ms when the run started; `now` is the report's clock, in seconds. */
  started: number;
  now: () => number;
  inputs: ActionInputs;
  credentials: FederatedCredential[] | undefined;
  inputNotes: Finding[];
  deadline: number;
  watch: RunDeadline;
  finish: (report: RunReport, failOn: FailOn) => Promise<number>;
  failWith: (finding: Finding, failOn: FailOn) => Promise<number>;
}

async function fetchToken(
  endpoint: OidcEndpoint,
  audience: string,
  deadline: number,
  onToken: (t: string) => void,
  log: (s: string) => void,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await requestIdToken(endpoint, audience, Math.max(1000, Math.min(10_000, deadline - Date.now())), onToken);
    } catch (e) {
      if (!(e instanceof OidcError)) throw e;
      const delay = retryDelayMs(attempt, DEFAULT_RETRY, e.retryAfterMs);
      if (!e.retryable || !canRetry(attempt, delay, deadline, Date.now(), DEFAULT_RETRY))
        throw Object.assign(e, { attempts: attempt });
      log(`Token request attempt ${attempt} failed (${e.message}); retrying in ${(delay / 1000).toFixed(1)} s.`);
      await sleep(delay);
    }
  }
}

/**
 * Problems with the other credentials (typos, wildcards, the limit of 20) that explain why
 * none of them could stand in; the nearest credential is already explained. Failure path only.
 */
async function credentialLint(
  credentials: FederatedCredential[],
  claims: DecodedJwt['claims'],
  audience: string,
  clientId: string,
  comparison: CompareResult | undefined,
): Promise<Finding[]> {
  const { auditWorkflows, withClientId } = await import('./failure-path.js');
  const repository = (claims.repository ?? '').split('/');
  const nearest = comparison?.nearest?.credential.name;
  const lint = auditWorkflows([], credentials, {
    owner: claims.repository_owner ?? repository[0] ?? '',
    repo: repository[1] ?? '',
    ownerId: claims.repository_owner_id,
    repoId: claims.repository_id,
    issuer: claims.iss,
    audience,
  }).filter((f) => f.id === 'credential-limit' || !nearest || !f.title.includes(`'${nearest}'`));
  return withClientId(lint, clientId);
}

/**
 * A token that did not verify. An error when the verdict rests on the signature (exchange off:
 * nothing else proves the token is GitHub's) or when the signature itself is wrong; a warning
 * when only the keys could not be read and Entra has its own say.
 */
function verificationFinding(v: Extract<VerifyResult, { ok: false }>, proofNeeded: boolean): Finding {
  const finding = tokenVerification(v);
  const badToken = v.stage === 'signature' || v.stage === 'claims';
  if (!proofNeeded && !badToken) return finding;
  const why = proofNeeded
    ? "With input 'exchange' false, a verified signature is the only proof that this token is GitHub's," +
      ' so the check cannot pass without it.'
    : "The token itself does not verify against its issuer's keys.";
  return { ...finding, severity: 'error', message: `${finding.message}\n${why}` };
}

export async function checkWithToken(run: ValidRun): Promise<number> {
  const { env, place, started, now, inputs, inputNotes, deadline, watch } = run;
  let { credentials } = run;
  const log = logLine;
  const debug = debugLine;
  const mask = maskSecret;
  // Every connection ends once the report is written, so the process exits at once.
  const finish = (report: RunReport, failOn: FailOn) => run.finish(report, failOn).finally(closeConnections);
  const failWith = (finding: Finding, failOn: FailOn) => run.failWith(finding, failOn).finally(closeConnections);

  // 2. The runner's token.
  const endpoint = oidcEndpoint(env);
  if (!endpoint) return failWith(oidcUnavailable(await readRunnerContext()), inputs.failOn);
  let token: string;
  let decoded: DecodedJwt;
  watch.stage = "waiting for the runner's OIDC token";
  // The request goes out first; then, while it is on its way, msal-node (the largest module by far)
  // starts loading and Entra's connection opens (one round trip less after the token).
  const tokenP = fetchToken(endpoint, inputs.audience, deadline, mask, log);
  if (inputs.exchange) {
    preloadMsal().catch(() => undefined);
    preconnect(inputs.authorityHost);
  }
  try {
    token = await tokenP;
    decoded = decodeJwtUnverified(token);
  } catch (e) {
    if (e instanceof OidcError)
      return failWith(
        oidcRequestFailed(e.message, (e as OidcError & { attempts?: number }).attempts ?? 1, place.serverUrl),
        inputs.failOn,
      );
    if (e instanceof JwtDecodeError)
      return failWith(
        oidcRequestFailed(`the runner's answer is not a usable JWT (${e.message})`, 1, place.serverUrl),
        inputs.failOn,
      );
    throw e;
  }
  const claims = decoded.claims;
  debug(
    `Token claims: iss=${claims.iss} sub=${claims.sub} aud=${String(claims.aud)}` +
      ` job_workflow_ref=${claims.job_workflow_ref ?? ''}`,
  );

  // 3. Verify, compare and exchange side by side: none waits for another. Verification is awaited
  // only where a verdict depends on it (exchange off, or not accepted): Entra's acceptance proves
  // the signature, so a passing check needs two round trips in sequence, not four.
  let comparison: CompareResult | undefined = credentials
    ? compareWithCredentials({ claims, credentials, clientId: inputs.clientId, cloud: inputs.cloud, jobId: place.job })
    : undefined;
  const exchangeP: Promise<ExchangeOutcome | undefined> = inputs.exchange
    ? exchangeToken({
        authorityHost: inputs.authorityHost,
        tenantId: inputs.tenantId,
        clientId: inputs.clientId,
        scope: `${inputs.cloud.resourceManager}/.default`,
        firstAssertion: token,
        freshAssertion: async () => {
          const fresh = await fetchToken(endpoint, inputs.audience, deadline, mask, log);
          return fresh;
        },
        deadline,
        onSecret: mask,
        log,
      })
    : Promise.resolve(undefined);
  // The issuer's keys are fetched beside the exchange; the signature is checked (and jose loaded) only
  // once Entra has answered and only if it did not accept the token, whose acceptance proves the signature.
  const verifyAbort = new AbortController();
  let verified: VerifyResult | undefined;
  const verifyP: Promise<VerifyResult> = verifyToken(token, decoded, {
    timeoutMs: Math.max(1000, Math.min(10_000, deadline - Date.now())),
    serverUrl: place.serverUrl,
    signal: verifyAbort.signal,
    signatureNeeded: exchangeP.then(
      (o) => o?.kind !== 'success',
      () => true,
    ),
  }).then((v) => (verified = v));
  // Azure's own view (real credentials, expected subscription, tenant's cloud), only where it can explain something.
  // Loaded up front only when an input asks for Azure's view (its token requests start beside the
  // exchange); otherwise only after a failed or skipped exchange: a passing run never pays for it.
  const startAzure = async () =>
    startAzureStep({
      inputs,
      claims,
      token,
      freshAssertion: () => fetchToken(endpoint, inputs.audience, deadline, mask, log),
      deadline,
      mask,
      log,
    });
  const azureUpFront =
    inputs.lookup === 'graph' || inputs.lookup === 'arm' || !!inputs.readerClientId || !!inputs.expectedSubscriptionId;
  const azureP = azureUpFront ? startAzure() : undefined;
  watch.stage = "waiting for Entra's answer";
  const noAzure: AzureStepResult = { early: [], late: [] };
  const outcome = await exchangeP;
  const accepted = outcome?.kind === 'success';
  // Accepted: a verification already done is shown, one still on its way is no longer needed.
  if (accepted) verifyAbort.abort();
  else verifyP.catch(() => undefined);
  watch.stage = "waiting for the issuer's keys and the credentials from Azure";
  const [verification, azure] = await Promise.all([
    accepted ? (verified?.ok ? verified : undefined) : verifyP,
    azureP || !accepted ? (azureP ?? startAzure()).then((a) => a.finish(outcome)) : noAzure,
  ]);
  if (azure.credentials) {
    // What Azure holds is the truth: compare with it rather than with a list written down.
    credentials = azure.credentials;
    comparison = compareWithCredentials({
      claims,
      credentials,
      clientId: inputs.clientId,
      cloud: inputs.cloud,
      jobId: place.job,
    });
  }

  // 4. Diagnose.
  watch.stage = 'diagnosing';
  let findings: Finding[] = [...inputNotes, ...(comparison?.findings ?? []), ...azure.early];
  let exchange: ExchangeSummary;
  if (!outcome) exchange = { status: 'skipped', reason: "input 'exchange' is false" };
  else if (outcome.kind === 'success') {
    exchange = { status: 'success', attempts: outcome.attempts, expiresOn: outcome.expiresOn };
    if (hasErrors(findings)) {
      findings = findings.map((f) => (f.severity === 'error' ? { ...f, severity: 'warning' as const } : f));
      findings.push(acceptedDespiteLocalMismatch());
    }
  } else if (outcome.kind === 'rejected') {
    const { diagnoseEntraError } = await import('./failure-path.js');
    const remote = diagnoseEntraError(outcome.error, {
      claims,
      credentials,
      comparison,
      clientId: inputs.clientId,
      tenantId: inputs.tenantId,
      cloud: inputs.cloud,
      authorityHost: inputs.authorityHost,
      jobId: place.job,
      verbose: debugEnabled(),
    });
    findings = mergeFindings(findings, remote);
    exchange = {
      status: 'rejected',
      attempts: outcome.attempts,
      code: outcome.error.codes[0] !== undefined ? `AADSTS${outcome.error.codes[0]}` : outcome.error.error,
    };
  } else if (outcome.kind === 'assertion-failed') {
    findings.push(oidcRequestFailed(outcome.reason, outcome.attempts, place.serverUrl));
    exchange = { status: 'unavailable', attempts: outcome.attempts, reason: outcome.reason };
  } else {
    findings.push(
      entraUnavailable(
        outcome.reason,
        outcome.attempts,
        inputs.authorityHost,
        Math.round((Date.now() - started) / 1000),
      ),
    );
    exchange = { status: 'unavailable', attempts: outcome.attempts, reason: outcome.reason };
  }
  findings.push(...azure.late);
  if (verification && !verification.ok) findings.push(verificationFinding(verification, !outcome));
  if (credentials && hasErrors(findings))
    findings.push(...(await credentialLint(credentials, claims, inputs.audience, inputs.clientId, comparison)));

  const failed = hasErrors(findings);
  const matched = comparison?.matched?.name;
  const errors = findings.filter((f) => f.severity === 'error').length;
  const verdict = failed
    ? `${errors} problem(s) found; the first: ${sortFindings(findings)[0]!.title}.`
    : outcome?.kind === 'success'
      ? `Entra accepted this job's token for client ${inputs.clientId}` +
        `${matched ? ` (credential '${matched}' matches)` : ''}.`
      : matched
        ? `The token's signature verifies and it matches credential '${matched}' (exchange not attempted).`
        : 'The token was fetched and verified; there was nothing to compare it with' +
          ' (give federated-credentials or leave exchange on).';
  return finish(
    {
      result: failed ? 'fail' : 'pass',
      verdict,
      claims,
      tokenHeader: { alg: decoded.header.alg, kid: decoded.header.kid },
      verification,
      comparisons: comparison?.comparisons,
      matchedCredential: matched,
      exchange,
      findings,
      // Each fact once: no separate "credential this token would match" when a finding's fix creates it.
      ...(findings.some(
        (f) =>
          f.fix.includes(`"subject":${JSON.stringify(claims.sub)}`) && f.fix.includes('federated-credential create'),
      )
        ? {}
        : { suggestion: comparison?.suggestion ?? suggestCredential(claims) }),
      clientId: inputs.clientId,
      now: now(),
    },
    inputs.failOn,
  );
}
