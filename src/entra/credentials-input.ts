/**
 * Parsing the credentials a user gives (input or file): Microsoft Graph's shape, one object
 * or a list, a Graph list answer `{value: [...]}`, or ARM's `{name, properties: {...}}`;
 * JSON, or YAML (the yaml parser is loaded only when the text is not JSON).
 */
import type { FederatedCredential, CredentialSource } from './credential.js';
import type { Finding } from '../diagnose/finding.js';
import { MAX_YAML_DEPTH, yamlTooDeep } from '../workflow/yaml-guard.js';

/** Entra allows 20 credentials per identity; a list longer than this is not one identity's, and is cut. */
const MAX_CREDENTIALS = 500;
/** 20 credentials are a few KB; beyond this the text is refused before parsing. */
const MAX_TEXT_CHARS = 1024 * 1024;
/** YAML parses about 100 times slower than JSON (1 MiB took 3 s): larger YAML is refused. */
const MAX_YAML_CHARS = 256 * 1024;

export class CredentialsInputError extends Error {
  override readonly name = 'CredentialsInputError';
  constructor(
    readonly code: 'CREDENTIALS_SYNTAX' | 'CREDENTIALS_SHAPE',
    message: string,
  ) {
    super(message);
  }
}

/** The yaml package is CommonJS; bundled, its named exports sit on `default`. */
export async function loadYaml(): Promise<typeof import('yaml')> {
  const mod = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  return typeof mod.parse === 'function' ? mod : mod.default!;
}

/** A piece of the user's text or a parser's message about it: one line, printable, short. */
function excerpt(text: string, max = 60): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

const kib = (chars: number) => Math.ceil(chars / 1024);

async function parseText(text: string, label: string): Promise<unknown> {
  const trimmed = text.trim();
  if (trimmed.length > MAX_TEXT_CHARS)
    throw new CredentialsInputError(
      'CREDENTIALS_SYNTAX',
      `${label} is ${kib(trimmed.length)} KiB; more than ${kib(MAX_TEXT_CHARS)} KiB is not read` +
        ' (an identity has at most 20 credentials).',
    );
  let jsonError: string | undefined;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch (e) {
      // Text that looks like JSON (quoted keys) gets JSON's error; YAML's flow style
      // (`{name: a, ...}`) also starts with a brace, so let YAML try that.
      jsonError = excerpt((e as Error).message, 120);
      if (/^[[{]\s*[[{]?\s*"/.test(trimmed))
        throw new CredentialsInputError('CREDENTIALS_SYNTAX', `${label} is not valid JSON: ${jsonError}.`);
    }
  }
  if (trimmed.length > MAX_YAML_CHARS)
    throw new CredentialsInputError(
      'CREDENTIALS_SYNTAX',
      `${label} is ${kib(trimmed.length)} KiB of YAML; YAML over ${kib(MAX_YAML_CHARS)} KiB is not parsed. ` +
        'Give JSON (az ad app federated-credential list prints JSON).',
    );
  if (yamlTooDeep(trimmed))
    throw new CredentialsInputError(
      'CREDENTIALS_SYNTAX',
      `${label} is nested more than ${MAX_YAML_DEPTH} levels deep; credentials are a list of flat objects.`,
    );
  const yaml = await loadYaml();
  try {
    // logLevel 'error': YAML warnings (unknown tags, ...) must not reach the runner's stderr; errors still throw.
    // uniqueKeys: false: the library's duplicate-key check is quadratic in a map's keys (a later key wins).
    return yaml.parse(trimmed, { maxAliasCount: 50, logLevel: 'error', uniqueKeys: false });
  } catch (e) {
    const msg = excerpt((e as Error).message.split('\n')[0] ?? '', 120);
    throw new CredentialsInputError(
      'CREDENTIALS_SYNTAX',
      jsonError ? `${label} is not valid JSON: ${jsonError}.` : `${label} is neither JSON nor valid YAML: ${msg}`,
    );
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function toCredential(raw: unknown, index: number, label: string, source: CredentialSource): FederatedCredential {
  const where = `${label}, credential ${index + 1}`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new CredentialsInputError(
      'CREDENTIALS_SHAPE',
      `${where}: expected an object with name, issuer, subject and audiences.`,
    );
  const o = raw as Record<string, unknown>;
  // ARM puts the fields under `properties`.
  const p = o.properties && typeof o.properties === 'object' ? (o.properties as Record<string, unknown>) : o;
  const name = str(o.name) ?? str(p.name) ?? `credential-${index + 1}`;
  const shownName = excerpt(name);
  const issuer = str(p.issuer);
  if (!issuer)
    throw new CredentialsInputError(
      'CREDENTIALS_SHAPE',
      `${where} ('${shownName}'): 'issuer' is missing or not a string.`,
    );
  let audiences: string[];
  if (Array.isArray(p.audiences) && p.audiences.every((a) => typeof a === 'string'))
    audiences = p.audiences as string[];
  else if (typeof p.audience === 'string') audiences = [p.audience];
  else if (typeof p.audiences === 'string') audiences = [p.audiences];
  else
    throw new CredentialsInputError(
      'CREDENTIALS_SHAPE',
      `${where} ('${shownName}'): 'audiences' must be a list with one string, e.g. ["api://AzureADTokenExchange"].`,
    );
  if (audiences.length !== 1)
    throw new CredentialsInputError(
      'CREDENTIALS_SHAPE',
      `${where} ('${shownName}'): 'audiences' has ${audiences.length} values; Entra accepts exactly one.`,
    );
  const cme = p.claimsMatchingExpression;
  let claimsMatchingExpression: FederatedCredential['claimsMatchingExpression'] = null;
  if (cme !== undefined && cme !== null) {
    if (typeof cme === 'string') claimsMatchingExpression = { value: cme, languageVersion: 1 };
    else if (typeof cme === 'object' && typeof (cme as { value?: unknown }).value === 'string') {
      const lv = (cme as { languageVersion?: unknown }).languageVersion;
      claimsMatchingExpression = {
        value: (cme as { value: string }).value,
        languageVersion: typeof lv === 'number' ? lv : 1,
      };
    } else
      throw new CredentialsInputError(
        'CREDENTIALS_SHAPE',
        `${where} ('${shownName}'): 'claimsMatchingExpression' must be {"value": "...", "languageVersion": 1}.`,
      );
  }
  const subject = p.subject === null || p.subject === undefined ? null : str(p.subject);
  if (subject === undefined)
    throw new CredentialsInputError('CREDENTIALS_SHAPE', `${where} ('${shownName}'): 'subject' must be a string.`);
  if (subject === null && !claimsMatchingExpression)
    throw new CredentialsInputError(
      'CREDENTIALS_SHAPE',
      `${where} ('${shownName}'): needs a 'subject' (or, for a flexible credential, a 'claimsMatchingExpression').`,
    );
  if (subject !== null && claimsMatchingExpression)
    throw new CredentialsInputError(
      'CREDENTIALS_SHAPE',
      `${where} ('${shownName}'): has both 'subject' and 'claimsMatchingExpression'; Entra allows one or the other.`,
    );
  return {
    name,
    issuer,
    subject,
    audiences,
    claimsMatchingExpression,
    description: str(p.description) ?? null,
    source,
  };
}

/** The credentials of a text, at most MAX_CREDENTIALS of them, and how many the text held. */
interface CredentialsText {
  credentials: FederatedCredential[];
  given: number;
}

export async function readCredentialsText(
  text: string,
  label: string,
  source: CredentialSource = 'input',
): Promise<CredentialsText> {
  if (!text.trim()) throw new CredentialsInputError('CREDENTIALS_SHAPE', `${label} is empty.`);
  const data = await parseText(text, label);
  const list = Array.isArray(data)
    ? data
    : data && typeof data === 'object' && Array.isArray((data as { value?: unknown }).value)
      ? (data as { value: unknown[] }).value
      : [data];
  // Only the kept ones are checked: a long list costs nothing past the cap.
  const credentials = list.slice(0, MAX_CREDENTIALS).map((c, i) => toCredential(c, i, label, source));
  return { credentials, given: list.length };
}

export async function parseCredentialsText(
  text: string,
  label: string,
  source: CredentialSource = 'input',
): Promise<FederatedCredential[]> {
  return (await readCredentialsText(text, label, source)).credentials;
}

/** A warning when the list was cut, saying what was compared and what was not. */
export function credentialsCutFinding(read: CredentialsText, label: string): Finding | undefined {
  if (read.given <= read.credentials.length) return undefined;
  return {
    id: 'input-truncated',
    severity: 'warning',
    title: `Only the first ${read.credentials.length} of ${read.given} credentials were read`,
    message:
      `${label} lists ${read.given} credentials; the first ${read.credentials.length} were compared and the other ` +
      `${read.given - read.credentials.length} were not read. ` +
      'An identity holds at most 20, so the list mixes several identities or is not a credentials list.',
    fix: "Give only the identity's own credentials: az ad app federated-credential list --id <APPLICATION-CLIENT-ID>",
  };
}
