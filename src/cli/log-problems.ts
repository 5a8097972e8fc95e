/**
 * Failures an azure/login log shows without an AADSTS code: no OIDC token, empty inputs,
 * and a successful exchange followed by "No subscriptions found". Pure.
 */
import type { Finding } from '../diagnose/finding.js';
import { normaliseLogText } from '../diagnose/log-text.js';
import { oidcRequestFailed, oidcUnavailable } from '../diagnose/run-findings.js';

function lineOf(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text
    .slice(start, end === -1 ? undefined : end)
    .trim()
    .slice(0, 400);
}

/**
 * Each tool's words for "the job had no token variables": azure/login, Terraform's and the Go
 * SDK's githubAssertion (an empty ACTIONS_ID_TOKEN_REQUEST_URL gives `unsupported protocol
 * scheme ""`), azd and the identity SDKs naming the variable.
 */
const NO_TOKEN_VARIABLES = [
  /Unable to get (?:the )?ACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN) env variable/,
  /githubAssertion:[^\n]{0,300}unsupported protocol scheme/,
  /ACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN)[^\n]{0,80}\b(?:not set|is empty|empty|missing|is required|not found)/i,
  new RegExp(
    /(?:Failed to fetch federated token from GitHub\. )?/.source +
      /Please make sure to give write permissions to id-token in the workflow/.source,
  ),
];

/**
 * The variables were set, but the request to the runner's token endpoint failed: @actions/core's
 * "Failed to get ID Token" (and azure/login's crash on it, "reading 'message'"), githubAssertion's
 * HTTP status.
 */
const TOKEN_REQUEST_FAILED = [
  /Cannot read properties of undefined \(reading 'message'\)/,
  /Failed to get ID Token\.?[^\n]{0,200}(?:\n[^\n]{0,200}){0,2}/,
  /Response json body do not have ID Token field/,
  /githubAssertion:[^\n]{0,300}(?:received HTTP status|status code|StatusCode)[^\n]{0,100}/,
];

/** The Azure CLI's messages when the login worked but the subscription is not visible to the identity. */
const SUBSCRIPTION_NOT_ACCESSIBLE = new RegExp(
  [
    /No subscriptions found for [^\n]{0,200}/.source,
    /The subscription of '[^'\n]{0,200}' doesn't exist in cloud '[^'\n]{0,100}'/.source,
  ].join('|'),
);

function firstMatch(text: string, patterns: RegExp[]): RegExpExecArray | undefined {
  let best: RegExpExecArray | undefined;
  for (const p of patterns) {
    const m = p.exec(text);
    if (m && (!best || m.index < best.index)) best = m;
  }
  return best;
}

/**
 * Failures a log shows without an AADSTS code. The token problems come first: the Entra error
 * that follows them (an empty assertion) is their consequence, not a second cause.
 */
export function findLogProblems(input: string): Finding[] {
  const text = normaliseLogText(input);
  const out: Finding[] = [];
  const failed = firstMatch(text, TOKEN_REQUEST_FAILED);
  const missing = firstMatch(text, NO_TOKEN_VARIABLES);
  if (failed) out.push(oidcRequestFailed(lineOf(text, failed.index)));
  else if (missing) out.push(oidcUnavailable({}, lineOf(text, missing.index)));
  const inputs = /Not all values are present\. Ensure 'client-id' and 'tenant-id' are supplied\./.exec(text);
  if (inputs) {
    out.push({
      id: 'input-invalid',
      severity: 'error',
      title: "azure/login got an empty 'client-id' or 'tenant-id'",
      message: [
        `The log says: ${lineOf(text, inputs.index)}`,
        'The inputs came from secrets or variables that have no value in this run: a misspelled name, a ' +
          'secret defined in another environment, or a fork pull request / Dependabot run (they get no ' +
          'secrets).',
      ].join('\n'),
      fix:
        'Keep the ids in variables (they are not secret and are visible to every run):\n  - uses: ' +
        'azure/login@v2\n    with:\n      client-id: ${{ vars.AZURE_CLIENT_ID }}\n      tenant-id: ${{ ' +
        'vars.AZURE_TENANT_ID }}\n      subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}\nand set them: ' +
        'gh variable set AZURE_CLIENT_ID --body <APPLICATION-CLIENT-ID>',
      evidence: [{ label: 'log', actual: lineOf(text, inputs.index) }],
    });
  }
  const subs = SUBSCRIPTION_NOT_ACCESSIBLE.exec(text);
  if (subs) {
    out.push({
      id: 'subscription-not-accessible',
      severity: 'error',
      title: 'The login worked, but the identity has no access to the subscription',
      message: [
        `The log says: ${lineOf(text, subs.index)}`,
        'The token exchange succeeded (the federated credential is fine); the identity has no Azure role on ' +
          'the subscription, or the subscription id belongs to another tenant or cloud.',
      ].join('\n'),
      fix:
        'Give the identity a role on the subscription (pick the least role the job needs):\naz role ' +
        'assignment create --assignee <APPLICATION-CLIENT-ID> --role Contributor --scope ' +
        '/subscriptions/<SUBSCRIPTION-ID>\nor, for a job that needs no subscription, set ' +
        'allow-no-subscriptions: true on azure/login.',
      evidence: [{ label: 'log', actual: lineOf(text, subs.index) }],
    });
  }
  return out;
}
