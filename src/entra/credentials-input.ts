/**
 * Parsing the credentials a user gives (input or file): Microsoft Graph's shape, one object
 * or a list, a Graph list answer `{value: [...]}`, or ARM's `{name, properties: {...}}`;
 * JSON, or YAML (the yaml parser is loaded only when the text is not JSON).
 */
import type { FederatedCredential, CredentialSource } from './credential.js';
import { MAX_YAML_DEPTH, yamlTooDeep } from '../workflow/yaml-guard.js';

export class CredentialsInputError extends Error {
  override readonly name = 'CredentialsInputError';
  constructor(readonly code: 'CREDENTIALS_SYNTAX' | 'CREDENTIALS_SHAPE', message: string) {
    super(message);
  }
}

/** The yaml package is CommonJS; bundled, its named exports sit on `default`. */
async function loadYaml(): Promise<typeof import('yaml')> {
  const mod = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  return typeof mod.parse === 'function' ? mod : mod.default!;
}

async function parseText(text: string, label: string): Promise<unknown> {
  const trimmed = text.trim();
  let jsonError: string | undefined;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch (e) {
      // Text that looks like JSON (quoted keys) gets JSON's error; YAML's flow style
      // (`{name: a, ...}`) also starts with a brace, so let YAML try that.
      if (/^[[{]\s*[[{]?\s*"/.test(trimmed)) throw new CredentialsInputError('CREDENTIALS_SYNTAX', `${label} is not valid JSON: ${(e as Error).message}.`);
      jsonError = (e as Error).message;
    }
  }
  if (yamlTooDeep(trimmed))
    throw new CredentialsInputError('CREDENTIALS_SYNTAX', `${label} is nested more than ${MAX_YAML_DEPTH} levels deep; credentials are a list of flat objects.`);
  const yaml = await loadYaml();
  try {
    // logLevel 'error': YAML warnings (unknown tags, ...) must not reach the runner's stderr; errors still throw.
    return yaml.parse(trimmed, { maxAliasCount: 50, logLevel: 'error' });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new CredentialsInputError('CREDENTIALS_SYNTAX', jsonError ? `${label} is not valid JSON: ${jsonError}.` : `${label} is neither JSON nor valid YAML: ${msg}`);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function toCredential(raw: unknown, index: number, label: string, source: CredentialSource): FederatedCredential {
  const where = `${label}, credential ${index + 1}`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new CredentialsInputError('CREDENTIALS_SHAPE', `${where}: expected an object with name, issuer, subject and audiences.`);
  const o = raw as Record<string, unknown>;
  // ARM puts the fields under `properties`.
  const p = o.properties && typeof o.properties === 'object' ? (o.properties as Record<string, unknown>) : o;
  const name = str(o.name) ?? str(p.name) ?? `credential-${index + 1}`;
  const issuer = str(p.issuer);
  if (!issuer) throw new CredentialsInputError('CREDENTIALS_SHAPE', `${where} ('${name}'): 'issuer' is missing or not a string.`);
  let audiences: string[];
  if (Array.isArray(p.audiences) && p.audiences.every((a) => typeof a === 'string')) audiences = p.audiences as string[];
  else if (typeof p.audience === 'string') audiences = [p.audience];
  else if (typeof p.audiences === 'string') audiences = [p.audiences];
  else throw new CredentialsInputError('CREDENTIALS_SHAPE', `${where} ('${name}'): 'audiences' must be a list with one string, e.g. ["api://AzureADTokenExchange"].`);
  if (audiences.length !== 1)
    throw new CredentialsInputError('CREDENTIALS_SHAPE', `${where} ('${name}'): 'audiences' has ${audiences.length} values; Entra accepts exactly one.`);
  const cme = p.claimsMatchingExpression;
  let claimsMatchingExpression: FederatedCredential['claimsMatchingExpression'] = null;
  if (cme !== undefined && cme !== null) {
    if (typeof cme === 'string') claimsMatchingExpression = { value: cme, languageVersion: 1 };
    else if (typeof cme === 'object' && typeof (cme as { value?: unknown }).value === 'string') {
      const lv = (cme as { languageVersion?: unknown }).languageVersion;
      claimsMatchingExpression = { value: (cme as { value: string }).value, languageVersion: typeof lv === 'number' ? lv : 1 };
    } else throw new CredentialsInputError('CREDENTIALS_SHAPE', `${where} ('${name}'): 'claimsMatchingExpression' must be {"value": "...", "languageVersion": 1}.`);
  }
  const subject = p.subject === null || p.subject === undefined ? null : str(p.subject);
  if (subject === undefined) throw new CredentialsInputError('CREDENTIALS_SHAPE', `${where} ('${name}'): 'subject' must be a string.`);
  if (subject === null && !claimsMatchingExpression)
    throw new CredentialsInputError('CREDENTIALS_SHAPE', `${where} ('${name}'): needs a 'subject' (or, for a flexible credential, a 'claimsMatchingExpression').`);
  if (subject !== null && claimsMatchingExpression)
    throw new CredentialsInputError('CREDENTIALS_SHAPE', `${where} ('${name}'): has both 'subject' and 'claimsMatchingExpression'; Entra allows one or the other.`);
  return { name, issuer, subject, audiences, claimsMatchingExpression, description: str(p.description) ?? null, source };
}

export async function parseCredentialsText(text: string, label: string, source: CredentialSource = 'input'): Promise<FederatedCredential[]> {
  if (!text.trim()) throw new CredentialsInputError('CREDENTIALS_SHAPE', `${label} is empty.`);
  const data = await parseText(text, label);
  const list = Array.isArray(data)
    ? data
    : data && typeof data === 'object' && Array.isArray((data as { value?: unknown }).value)
      ? ((data as { value: unknown[] }).value)
      : [data];
  return list.map((c, i) => toCredential(c, i, label, source));
}
