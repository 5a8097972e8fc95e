/**
 * Findings about the run itself (inputs, the runner's token, Entra's availability),
 * as opposed to the credentials. Pure.
 */
import type { Finding } from './finding.js';
import type { RunnerContext } from '../github/runner-context.js';
import type { VerifyResult } from '../github/verify.js';

export function inputInvalid(input: string, message: string, expected: string): Finding {
  return {
    id: 'input-invalid',
    severity: 'error',
    title: `Input '${input}' is not valid`,
    message: `${message}\nNothing was sent to GitHub or Entra.`,
    fix: `In the step's 'with:' block:\n    with:\n      ${expected}`,
  };
}

/** The one owner of the `id-token: write` text: the block, where it goes, and both in one line. */
export const PERMISSIONS_YAML =
  `permissions:\n  id-token: write   # lets the job request an OIDC token\n  contents: read    ` +
  `# what actions/checkout needs`;
export const PERMISSIONS_WHERE =
  "at the workflow or job level (a job that sets 'permissions:' replaces the workflow's; a reusable " +
  "workflow's caller must grant it too)";
export const PERMISSIONS_ONE_LINE = `\`permissions: { id-token: write, contents: read }\` ${PERMISSIONS_WHERE}`;

/** What is known about the run when no token could be had; all optional (a pasted log tells none of it). */
type TokenRunFacts = Partial<Pick<RunnerContext, 'eventName' | 'forkPullRequest' | 'dependabot' | 'debug'>>;

const FORK_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);

/**
 * No OIDC token for this job. The one owner of the "id-token: write" explanation: the action,
 * `check`, `explain` (a pasted log) and the audit all call it. Causes the run's facts rule out
 * (a fork on a push, Dependabot for a person) are named only in debug.
 */
export function oidcUnavailable(facts: TokenRunFacts, logLine?: string): Finding {
  const causes: string[] = [];
  const ruledOut: string[] = [];
  if (facts.forkPullRequest)
    causes.push(
      `This run is a pull request from a fork (event ${facts.eventName ?? 'pull_request'}): GitHub gives ` +
        `such runs no OIDC token and no secrets, whatever the permissions say. ` +
        `Run the Azure steps only for branches of this repository (e.g. 'if: ` +
        `github.event.pull_request.head.repo.full_name == github.repository'), or move them to a workflow on ` +
        `'push'.`,
    );
  if (facts.dependabot)
    causes.push(
      `This run was triggered by Dependabot: its runs get no OIDC token and only Dependabot secrets. Skip ` +
        `Azure steps for it ('if: github.actor != 'dependabot[bot]'').`,
    );
  causes.push(`The job lacks 'id-token: write'. Grant it ${PERMISSIONS_WHERE}:\n${PERMISSIONS_YAML}`);
  const known = facts.eventName !== undefined;
  if (!known)
    causes.push(
      'If this run was a pull request from a fork or a Dependabot run: those get no OIDC token, whatever the ' +
        'permissions say.',
    );
  else {
    if (!facts.forkPullRequest)
      ruledOut.push(
        FORK_EVENTS.has(facts.eventName!)
          ? 'a fork (this pull request comes from this repository)'
          : `a fork (this run is a ${facts.eventName})`,
      );
    if (!facts.dependabot) ruledOut.push('Dependabot (it did not trigger this run)');
  }
  const lines = [
    logLine ? `The log says: ${logLine}` : '',
    `ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set, so the runner will not ` +
      `issue an OIDC token to this job.` +
      (causes.length > 1 ? ' Likely causes, most likely first:' : ''),
    ...(causes.length > 1 ? causes.map((c, i) => `${i + 1}. ${c}`) : [causes[0]!]),
    facts.debug && ruledOut.length ? `Ruled out: ${ruledOut.join('; ')}.` : '',
  ];
  return {
    id: 'oidc-unavailable',
    severity: 'error',
    title: 'This job cannot request a GitHub OIDC token',
    message: lines.filter(Boolean).join('\n'),
    fix:
      facts.forkPullRequest || facts.dependabot
        ? causes[0]!
        : `Add to the workflow (top level) or to this job:\n${PERMISSIONS_YAML}`,
    ...(logLine ? { evidence: [{ label: 'log', actual: logLine }] } : {}),
  };
}

/** The job may request a token, but the request failed: `attempts` and `serverUrl` when the action made it. */
export function oidcRequestFailed(reason: string, attempts?: number, serverUrl?: string): Finding {
  const ghes =
    serverUrl !== undefined && !/^https:\/\/github\.com\/?$/.test(serverUrl) && !/\.ghe\.com\/?$/.test(serverUrl);
  const tries = attempts === undefined ? '' : ` after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  return {
    id: 'oidc-request-failed',
    severity: 'error',
    title: 'The runner did not hand out an OIDC token',
    message:
      `The job may request tokens (the variables are set), but the request failed${tries}: ${reason}\n` +
      `This is a network or runner problem, not a missing 'id-token: write'.` +
      (ghes ? ` This runner talks to ${serverUrl} (GitHub Enterprise Server): OIDC needs GHES 3.5 or later.` : ''),
    fix:
      `Re-run the job. On a self-hosted runner, check that it reaches the host in ` +
      `ACTIONS_ID_TOKEN_REQUEST_URL (proxy settings: HTTPS_PROXY / NO_PROXY).`,
  };
}

export function tokenVerification(v: Extract<VerifyResult, { ok: false }>): Finding {
  return {
    id: 'token-verification',
    severity: 'warning',
    title: `The token could not be verified locally (${v.stage})`,
    message:
      `${v.message}\nEntra fetches the same documents to verify the token; if they are unreachable ` +
      `from the internet, the exchange fails with AADSTS90061 or 50166.`,
    fix: v.url
      ? `Check that ${v.url} answers from outside your network: curl -sS '${v.url.replace(/'/g, '')}'`
      : 'Check the token issuer.',
  };
}

export function entraUnavailable(reason: string, attempts: number, authority: string, seconds: number): Finding {
  return {
    id: 'entra-unavailable',
    severity: 'error',
    title: 'Entra could not be reached; this says nothing about the credentials',
    message:
      `The token exchange at ${authority} did not get a verdict after ${attempts} ` +
      `attempt${attempts === 1 ? '' : 's'} in ${seconds} s: ${reason}\n` +
      'Transient failures (network, HTTP 5xx, 429) were retried with a fresh GitHub token each time. This is ' +
      'a service or network problem, not a misconfiguration.',
    fix:
      'Re-run the job. On a self-hosted runner, check its proxy settings (HTTPS_PROXY / NO_PROXY) and ' +
      'that it reaches the Entra host; raise timeout-seconds if the network is slow.',
  };
}

export function acceptedDespiteLocalMismatch(): Finding {
  return {
    id: 'credential-lint',
    severity: 'warning',
    title: 'Entra accepted the token, but none of the credentials you listed matches it',
    message:
      'The exchange succeeded, so Entra holds a credential for this token that the federated-credentials ' +
      'input does not list (or lists differently). The mismatches above are against your list, not against ' +
      'Entra.',
    fix:
      'Update the federated-credentials input/file from Entra: az ad app federated-credential list --id ' +
      '<APPLICATION-CLIENT-ID>',
  };
}

/** A proxy variable the runner's environment sets, unusable as given (never quoted: it may hold a password). */
export function proxySettingInvalid(variable: string, message: string): Finding {
  return {
    id: 'input-invalid',
    severity: 'error',
    title: `Proxy setting '${variable}' is not valid`,
    message: `${message}\nNothing was sent to GitHub or Entra.`,
    fix:
      `Set ${variable} in the runner's environment (or the job's env:) to http://HOST:PORT or https://HOST:PORT, ` +
      `with any ':', '@' or '/' in a user name or password percent-encoded; or unset it.`,
  };
}
