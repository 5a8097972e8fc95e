/**
 * Findings about reading Azure's own state: a lookup the reading identity may not do (a notice,
 * never a failure), and the expected subscription the exchanged identity cannot use. Pure.
 */
import type { LookupFailure, LookupStep } from '../entra/azure-read.js';
import type { Finding } from './finding.js';

export interface ReaderIdentity {
  clientId: string;
  tenantId: string;
  /** The run's own identity (the token from its exchange), not a separate reader. */
  self: boolean;
}

function whatItReads(step: LookupStep): string {
  switch (step) {
    case 'graph-credentials':
      return "the app registration's federated credentials from Microsoft Graph";
    case 'arm-identities':
      return (
        'the user-assigned managed identities of the subscription (to find this client id) from Azure ' +
        'Resource Manager'
      );
    case 'arm-credentials':
      return "the managed identity's federated credentials from Azure Resource Manager";
    default:
      return 'the subscription from Azure Resource Manager';
  }
}

function permissionFor(
  step: LookupStep,
  reader: ReaderIdentity,
  subscriptionId: string | undefined,
  identityId: string | undefined,
): { needs: string; fix: string } {
  const who = reader.clientId;
  if (step === 'graph-credentials')
    return {
      needs:
        `the Microsoft Graph application permission Application.Read.All, with admin consent, on ` +
        `${reader.self ? 'this app registration' : `the reader app ${who}`}`,
      fix:
        `Grant Application.Read.All (application permission, Microsoft Graph) to ${who} and have an admin ` +
        `consent to it:\n` +
        `az ad app permission add --id ${who} --api 00000003-0000-0000-c000-000000000000 --api-permissions ` +
        `9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30=Role\n` +
        `az ad app permission admin-consent --id ${who}`,
    };
  const scope =
    step === 'arm-credentials' && identityId ? identityId : `/subscriptions/${subscriptionId ?? '<SUBSCRIPTION-ID>'}`;
  return {
    needs:
      step === 'arm-identities'
        ? `Reader on the subscription (the identity is found by listing the subscription's user-assigned ` +
          `identities; with Reader only on the identity or its resource group, this search cannot see it)`
        : `Reader (Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read) on ` +
          `the identity or its resource group`,
    fix: `az role assignment create --assignee ${who} --role Reader --scope ${scope}`,
  };
}

/** A 401/403 from Graph or ARM: say which permission would let the check read the real credentials. */
export function lookupDenied(
  failure: Extract<LookupFailure, { kind: 'denied' }>,
  reader: ReaderIdentity,
  subscriptionId?: string,
  identityId?: string,
): Finding {
  const service = failure.step === 'graph-credentials' ? 'Microsoft Graph' : 'Azure Resource Manager';
  const { needs, fix } = permissionFor(failure.step, reader, subscriptionId, identityId);
  const said = failure.error.code
    ? ` (${failure.error.code}${failure.error.message ? `: ${failure.error.message}` : ''})`
    : '';
  return {
    id: 'lookup-denied',
    severity: 'notice',
    title: `Could not read the federated credentials from ${service} (HTTP ${failure.status})`,
    message:
      `This check tried to read ${whatItReads(failure.step)} as ` +
      `${reader.self ? 'the identity being checked' : `the reader identity ${reader.clientId}`} and ` +
      `${service} answered HTTP ${failure.status}${said}.\n` +
      `Reading them needs ${needs}. Without it the diagnosis rests on Entra's verdict and any credentials ` +
      `you listed; nothing else is affected.`,
    fix: `${fix}\nor set lookup: none to stop trying.`,
  };
}

/** Reader identity that could not sign in: its own federated credential must accept this job's token. */
export function readerRejected(reader: ReaderIdentity, code: string | undefined, reason: string): Finding {
  return {
    id: 'lookup-denied',
    severity: 'notice',
    title: `The reader identity ${reader.clientId} could not sign in${code ? ` (${code})` : ''}`,
    message:
      `To read the real federated credentials, this check exchanges this job's token for the reader identity ` +
      `${reader.clientId} in tenant ${reader.tenantId}, and Entra refused: ${reason}\n` +
      "The reader needs a federated credential that accepts this job's token (same issuer, subject and " +
      'audience as any credential for this job).',
    fix:
      `Add to the reader a credential for this job's subject (see the suggestion in the summary): az ad ` +
      `app federated-credential create --id ${reader.clientId} --parameters '{...}'\nor set lookup: none.`,
  };
}

const ROLE_FIX = (clientId: string, subscriptionId: string) =>
  `az role assignment create --assignee ${clientId} --role Reader --scope /subscriptions/${subscriptionId}`;

/** expected-subscription-id: the exchanged identity gets 403/404 for it. */
export function subscriptionNotAccessible(
  clientId: string,
  subscriptionId: string,
  failure: Extract<LookupFailure, { kind: 'denied' | 'not-found' }>,
): Finding {
  const said = failure.error.code
    ? ` (${failure.error.code}${failure.error.message ? `: ${failure.error.message}` : ''})`
    : '';
  return {
    id: 'subscription-not-accessible',
    severity: 'error',
    title: `The identity cannot access subscription ${subscriptionId}`,
    message:
      `Entra accepted the token, but with that access token Azure Resource Manager answered HTTP ` +
      `${failure.status} for subscription ${subscriptionId}${said}.\n` +
      'The identity has no role on the subscription (or the subscription is in another tenant). azure/login ' +
      'would sign in and then stop with "No subscriptions found", and any deployment would be refused.',
    fix:
      `Give the identity a role on the subscription (Reader at least; what the deployment needs, e.g. ` +
      `Contributor, for real work):\n${ROLE_FIX(clientId, subscriptionId)}`,
    evidence: [{ label: 'subscription', actual: `HTTP ${failure.status}`, expected: 'HTTP 200' }],
  };
}

/** expected-subscription-id: visible, but not Enabled (Disabled, Warned, PastDue, Deleted). */
export function subscriptionNotEnabled(subscriptionId: string, state: string, displayName?: string): Finding {
  return {
    id: 'subscription-not-accessible',
    severity: 'warning',
    title: `Subscription ${displayName ? `'${displayName}' ` : ''}${subscriptionId} is ${state}, not Enabled`,
    message:
      `The identity can see subscription ${subscriptionId}, but its state is '${state}'. A ` +
      `subscription that is not Enabled is read-only or blocked: deployments to it fail even though ` +
      `sign-in works.`,
    fix:
      `Re-enable the subscription (Azure portal → Subscriptions → ${subscriptionId} → Reactivate, or ` +
      `contact billing), or point expected-subscription-id and azure/login's subscription-id at an ` +
      `Enabled one.`,
    evidence: [{ label: 'state', actual: state, expected: 'Enabled' }],
  };
}
