/**
 * Failures an azure/login log shows without an AADSTS code: no OIDC token, empty inputs,
 * and a successful exchange followed by "No subscriptions found". Pure.
 */
import type { Finding } from '../diagnose/finding.js';
import { normaliseLogText } from '../diagnose/aadsts-text.js';

const PERMISSIONS = ['permissions:', '  id-token: write   # lets the job request the OIDC token', '  contents: read'].join('\n');

function lineOf(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).trim().slice(0, 400);
}

export function findLogProblems(input: string): Finding[] {
  const text = normaliseLogText(input);
  const out: Finding[] = [];
  const oidc =
    /Unable to get (?:the )?ACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN) env variable/.exec(text) ??
    /(?:Failed to fetch federated token from GitHub\. )?Please make sure to give write permissions to id-token in the workflow/.exec(text);
  if (oidc) {
    out.push({
      id: 'oidc-unavailable',
      severity: 'error',
      title: 'The job could not get a GitHub OIDC token',
      message: [
        `The log says: ${lineOf(text, oidc.index)}`,
        'The runner sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN only when the job has `permissions: id-token: write` (at workflow or job level; a reusable workflow\'s caller must grant it too).',
        'They are also withheld from pull requests opened from forks and from Dependabot runs, whatever the permissions say.',
      ].join('\n'),
      fix: `Add to the job (or the workflow, or the caller of a reusable workflow):\n${PERMISSIONS}\nFor fork pull requests there is no OIDC token: run the Azure steps on push, or on pull_request_target with care.`,
      evidence: [{ label: 'log', actual: lineOf(text, oidc.index) }],
    });
  }
  const inputs = /Not all values are present\. Ensure 'client-id' and 'tenant-id' are supplied\./.exec(text);
  if (inputs) {
    out.push({
      id: 'input-invalid',
      severity: 'error',
      title: "azure/login got an empty 'client-id' or 'tenant-id'",
      message: [
        `The log says: ${lineOf(text, inputs.index)}`,
        'The inputs came from secrets or variables that have no value in this run: a misspelled name, a secret defined in another environment, or a fork pull request / Dependabot run (they get no secrets).',
      ].join('\n'),
      fix: 'Keep the ids in variables (they are not secret and are visible to every run):\n  - uses: azure/login@v2\n    with:\n      client-id: ${{ vars.AZURE_CLIENT_ID }}\n      tenant-id: ${{ vars.AZURE_TENANT_ID }}\n      subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}\nand set them: gh variable set AZURE_CLIENT_ID --body <APPLICATION-CLIENT-ID>',
      evidence: [{ label: 'log', actual: lineOf(text, inputs.index) }],
    });
  }
  const subs = /No subscriptions found for [^\n]{0,200}|The subscription of '[^'\n]{0,200}' doesn't exist in cloud '[^'\n]{0,100}'/.exec(text);
  if (subs) {
    out.push({
      id: 'subscription-not-accessible',
      severity: 'error',
      title: 'The login worked, but the identity has no access to the subscription',
      message: [
        `The log says: ${lineOf(text, subs.index)}`,
        'The token exchange succeeded (the federated credential is fine); the identity has no Azure role on the subscription, or the subscription id belongs to another tenant or cloud.',
      ].join('\n'),
      fix: 'Give the identity a role on the subscription (pick the least role the job needs):\naz role assignment create --assignee <APPLICATION-CLIENT-ID> --role Contributor --scope /subscriptions/<SUBSCRIPTION-ID>\nor, for a job that needs no subscription, set allow-no-subscriptions: true on azure/login.',
      evidence: [{ label: 'log', actual: lineOf(text, subs.index) }],
    });
  }
  return out;
}
