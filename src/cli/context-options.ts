/**
 * Options `explain` and `check` share to give the diagnosis evidence: the token (decoded,
 * never printed), the credentials, the client id, tenant and cloud.
 */
import { CLOUD_NAMES, findCloud, type Cloud } from '../entra/clouds.js';
import type { FederatedCredential } from '../entra/credential.js';
import { CredentialsInputError, credentialsCutFinding, readCredentialsText } from '../entra/credentials-input.js';
import type { GitHubClaims } from '../github/claims.js';
import { decodeJwtUnverified, JwtDecodeError, type JwtHeader } from '../github/jwt.js';
import { CliError, readInputFile, stringFlag, type CliIo, type FlagSpec, type ParsedArgs } from './io.js';

export const CONTEXT_FLAGS: Record<string, FlagSpec> = {
  'token-file': { value: true },
  credentials: { value: true },
  'client-id': { value: true },
  'tenant-id': { value: true },
  environment: { value: true },
};

export interface CliContext {
  claims?: GitHubClaims;
  header?: JwtHeader;
  credentials?: FederatedCredential[];
  clientId?: string;
  tenantId?: string;
  cloud?: Cloud;
}

export function cloudOption(name: string | undefined): Cloud | undefined {
  if (name === undefined) return undefined;
  const cloud = findCloud(name);
  if (!cloud) throw new CliError(`unknown --environment '${name}'; use one of ${CLOUD_NAMES.join(', ')}`, 2);
  return cloud;
}

export async function loadToken(io: CliIo, path: string): Promise<{ claims: GitHubClaims; header: JwtHeader }> {
  const text = await readInputFile(io, path, 'the token');
  try {
    const { claims, header } = decodeJwtUnverified(text);
    return { claims, header };
  } catch (e) {
    if (e instanceof JwtDecodeError) throw new CliError(`${path === '-' ? 'stdin' : path}: ${e.message}`, 2);
    throw e;
  }
}

export async function loadCredentials(io: CliIo, path: string): Promise<FederatedCredential[]> {
  const text = await readInputFile(io, path, 'the credentials');
  try {
    const label = path === '-' ? 'stdin' : path;
    const read = await readCredentialsText(text, label, 'file');
    const cut = credentialsCutFinding(read, label);
    if (cut) io.stderr(`warning: ${cut.title}. ${cut.message}\n`);
    return read.credentials;
  } catch (e) {
    if (e instanceof CredentialsInputError) throw new CliError(e.message.replace(/\.$/, ''), 2);
    throw e;
  }
}

export async function loadContext(io: CliIo, args: ParsedArgs): Promise<CliContext> {
  const tokenFile = stringFlag(args, 'token-file');
  const credentialsFile = stringFlag(args, 'credentials');
  if (tokenFile === '-' && credentialsFile === '-')
    throw new CliError('--token-file and --credentials cannot both read stdin', 2, true);
  const ctx: CliContext = {};
  if (tokenFile !== undefined) Object.assign(ctx, await loadToken(io, tokenFile));
  if (credentialsFile !== undefined) ctx.credentials = await loadCredentials(io, credentialsFile);
  const clientId = stringFlag(args, 'client-id');
  const tenantId = stringFlag(args, 'tenant-id');
  const cloud = cloudOption(stringFlag(args, 'environment'));
  if (clientId !== undefined) ctx.clientId = clientId.trim();
  if (tenantId !== undefined) ctx.tenantId = tenantId.trim();
  if (cloud) ctx.cloud = cloud;
  return ctx;
}
