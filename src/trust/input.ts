/**
 * What the trust audit reads: the credentials of one identity (any shape the action already
 * accepts, see src/entra/credentials-input.ts), or several identities at once:
 *
 *   {"identities": [{"clientId": "...", "displayName": "...", "tenantId": "...",
 *                    "kind": "application" | "managed-identity", "credentials": [...]}]}
 *
 * (the shape `az ad app list` plus `federated-credential list` per app gives after a small jq).
 */
import { CredentialsInputError, loadYaml, parseCredentialsText } from '../entra/credentials-input.js';
import type { CredentialSource } from '../entra/credential.js';
import type { IdentityRef, TrustItem } from './model.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

async function parseData(text: string): Promise<unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      /* YAML flow style, or broken JSON: parseCredentialsText says which */
    }
  }
  try {
    return (await loadYaml()).parse(trimmed, { maxAliasCount: 50, logLevel: 'error' });
  } catch {
    return undefined;
  }
}

function identityList(data: unknown): unknown[] | undefined {
  if (
    data &&
    typeof data === 'object' &&
    !Array.isArray(data) &&
    Array.isArray((data as { identities?: unknown }).identities)
  )
    return (data as { identities: unknown[] }).identities;
  if (Array.isArray(data) && data.length > 0 && data.every((d) => d && typeof d === 'object' && 'credentials' in d))
    return data;
  return undefined;
}

function identityFrom(raw: unknown, index: number, label: string, defaults: IdentityRef): IdentityRef {
  if (!raw || typeof raw !== 'object')
    throw new CredentialsInputError(
      'CREDENTIALS_SHAPE',
      `${label}, identity ${index + 1}: expected an object with clientId and credentials.`,
    );
  const o = raw as Record<string, unknown>;
  const kind = str(o.kind);
  if (kind !== undefined && kind !== 'application' && kind !== 'managed-identity')
    throw new CredentialsInputError(
      'CREDENTIALS_SHAPE',
      `${label}, identity ${index + 1}: 'kind' is '${kind.slice(0, 40)}'; use application or managed-identity.`,
    );
  const clientId = str(o.clientId) ?? str(o.appId) ?? '';
  const displayName = str(o.displayName) ?? str(o.name);
  const tenantId = str(o.tenantId) ?? defaults.tenantId;
  const resourceId = str(o.resourceId) ?? str(o.id);
  return {
    clientId,
    ...(displayName ? { displayName } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(kind ? { kind } : {}),
    ...(resourceId && kind === 'managed-identity' ? { resourceId } : {}),
  };
}

/** The first line of each credential name in the text, so findings can point at it. */
function nameLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    const m = /^\s*-?\s*"?name"?\s*:\s*"?([^",]+?)"?\s*,?\s*$/.exec(line);
    if (m?.[1] && !lines.has(m[1])) lines.set(m[1], i + 1);
  });
  return lines;
}

/** Parse the audit's input. `file` names the file for locations (repository-relative). */
export async function parseTrustInput(
  text: string,
  label: string,
  defaults: IdentityRef,
  source: CredentialSource,
  file?: string,
): Promise<TrustItem[]> {
  const data = await parseData(text);
  const identities = identityList(data);
  const groups: Array<{ identity: IdentityRef; text: string; label: string }> = identities
    ? identities.map((raw, i) => {
        const identity = identityFrom(raw, i, label, defaults);
        const creds = (raw as { credentials?: unknown }).credentials;
        return { identity, text: JSON.stringify(creds ?? null), label: `${label}, identity ${i + 1}` };
      })
    : [{ identity: defaults, text, label }];
  const lines = file ? nameLines(text) : undefined;
  const items: TrustItem[] = [];
  for (const g of groups) {
    const credentials = g.text === '[]' ? [] : await parseCredentialsText(g.text, g.label, source);
    for (const credential of credentials) {
      const line = lines?.get(credential.name);
      items.push({
        identity: g.identity,
        credential,
        ...(file ? { location: { file, ...(line ? { line } : {}) } } : {}),
      });
    }
  }
  return items;
}
