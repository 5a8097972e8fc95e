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

export const PERMISSIONS_YAML = `permissions:\n  id-token: write   # lets the job request an OIDC token\n  contents: read    # what actions/checkout needs`;

export function oidcUnavailable(ctx: RunnerContext): Finding {
  const causes: string[] = [];
  if (ctx.forkPullRequest)
    causes.push(
      `This run is a pull request from a fork (event ${ctx.eventName}): GitHub gives such runs no OIDC token and no secrets, whatever the permissions say. ` +
        `Run the Azure steps only for branches of this repository (e.g. 'if: github.event.pull_request.head.repo.full_name == github.repository'), or move them to a workflow on 'push'.`,
    );
  if (ctx.dependabot)
    causes.push(
      `This run was triggered by Dependabot: its runs get no OIDC token and only Dependabot secrets. Skip Azure steps for it ('if: github.actor != 'dependabot[bot]'').`,
    );
  causes.push(
    `The job lacks 'id-token: write'. Grant it at the workflow or job level (a job that sets 'permissions:' replaces the workflow's; a reusable workflow's caller must grant it too):\n${PERMISSIONS_YAML}`,
  );
  if (!ctx.forkPullRequest) causes.push('A pull request from a fork gets no OIDC token, whatever the permissions.');
  if (!ctx.dependabot) causes.push('A Dependabot-triggered run gets no OIDC token.');
  return {
    id: 'oidc-unavailable',
    severity: 'error',
    title: 'This job cannot request a GitHub OIDC token',
    message:
      `ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set, so the runner will not issue an OIDC token to this job. Likely causes, most likely first:\n` +
      causes.map((c, i) => `${i + 1}. ${c}`).join('\n'),
    fix: ctx.forkPullRequest || ctx.dependabot ? causes[0]! : `Add to the workflow (top level) or to this job:\n${PERMISSIONS_YAML}`,
  };
}

export function oidcRequestFailed(reason: string, attempts: number, serverUrl: string): Finding {
  const ghes = !/^https:\/\/github\.com\/?$/.test(serverUrl) && !/\.ghe\.com\/?$/.test(serverUrl);
  return {
    id: 'oidc-request-failed',
    severity: 'error',
    title: 'The runner did not hand out an OIDC token',
    message:
      `The job may request tokens (the variables are set), but the request failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}\n` +
      `This is a network or runner problem, not a missing 'id-token: write'.` +
      (ghes ? ` This runner talks to ${serverUrl} (GitHub Enterprise Server): OIDC needs GHES 3.5 or later.` : ''),
    fix:
      `Re-run the job. On a self-hosted runner, check that it reaches the host in ACTIONS_ID_TOKEN_REQUEST_URL (proxy settings: HTTPS_PROXY / NO_PROXY).`,
  };
}

export function tokenVerification(v: Extract<VerifyResult, { ok: false }>): Finding {
  return {
    id: 'token-verification',
    severity: 'warning',
    title: `The token could not be verified locally (${v.stage})`,
    message: `${v.message}\nEntra fetches the same documents to verify the token; if they are unreachable from the internet, the exchange fails with AADSTS90061 or 50166.`,
    fix: v.url ? `Check that ${v.url} answers from outside your network: curl -sS '${v.url.replace(/'/g, '')}'` : 'Check the token issuer.',
  };
}

export function entraUnavailable(reason: string, attempts: number, authority: string, seconds: number): Finding {
  return {
    id: 'entra-unavailable',
    severity: 'error',
    title: 'Entra could not be reached; this says nothing about the credentials',
    message:
      `The token exchange at ${authority} did not get a verdict after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${seconds} s: ${reason}\n` +
      'Transient failures (network, HTTP 5xx, 429) were retried with a fresh GitHub token each time. This is a service or network problem, not a misconfiguration.',
    fix: 'Re-run the job. On a self-hosted runner, check its proxy settings (HTTPS_PROXY / NO_PROXY) and that it reaches the Entra host; raise timeout-seconds if the network is slow.',
  };
}

export function acceptedDespiteLocalMismatch(): Finding {
  return {
    id: 'credential-lint',
    severity: 'warning',
    title: 'Entra accepted the token, but none of the credentials you listed matches it',
    message:
      'The exchange succeeded, so Entra holds a credential for this token that the federated-credentials input does not list (or lists differently). The mismatches above are against your list, not against Entra.',
    fix: 'Update the federated-credentials input/file from Entra: az ad app federated-credential list --id <APPLICATION-CLIENT-ID>',
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
