/**
 * A federated identity credential in Microsoft Graph's shape (ARM's `properties` are
 * normalised to this). `subject` is null for a flexible credential, which carries a
 * `claimsMatchingExpression` instead.
 */
interface ClaimsMatchingExpression {
  value: string;
  languageVersion: number;
}

export type CredentialSource = 'input' | 'file' | 'graph' | 'arm';

export interface FederatedCredential {
  name: string;
  issuer: string;
  subject?: string | null;
  audiences: string[];
  claimsMatchingExpression?: ClaimsMatchingExpression | null;
  description?: string | null;
  /** Where the credential came from, for messages ("read from Microsoft Graph"). */
  source?: CredentialSource;
}

export function isFlexible(c: FederatedCredential): boolean {
  return !!c.claimsMatchingExpression && typeof c.claimsMatchingExpression.value === 'string';
}
