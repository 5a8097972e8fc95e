/**
 * Decoding a JWT's header and payload without verifying it (verification is verify.ts's job).
 * Pure; errors carry stable codes, as jose's do.
 */
import type { GitHubClaims } from './claims.js';

export type JwtErrorCode = 'JWT_EMPTY' | 'JWT_MASKED' | 'JWT_FORMAT' | 'JWT_ENCODING' | 'JWT_JSON' | 'JWT_CLAIMS';

export class JwtDecodeError extends Error {
  override readonly name = 'JwtDecodeError';
  constructor(
    readonly code: JwtErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface JwtHeader {
  alg?: string;
  kid?: string;
  typ?: string;
  x5t?: string;
  [k: string]: unknown;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: GitHubClaims;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!B64URL.test(segment)) throw new JwtDecodeError('JWT_ENCODING', `The token's ${what} is not base64url.`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwtDecodeError('JWT_JSON', `The token's ${what} is not JSON.`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new JwtDecodeError('JWT_JSON', `The token's ${what} is not a JSON object.`);
  return json as Record<string, unknown>;
}

/**
 * Accepts a bare JWT, or the runner's `{"value": "..."}` answer, or `Bearer <jwt>`, with whitespace around.
 * Returns header and claims; never the signature.
 */
export function decodeJwtUnverified(input: string): DecodedJwt {
  let text = input.trim();
  if (text.startsWith('{')) {
    try {
      const v = (JSON.parse(text) as { value?: unknown }).value;
      if (typeof v === 'string') text = v.trim();
    } catch {
      /* not JSON: fall through to the format check */
    }
  }
  text = text.replace(/^Bearer(?:\s+|$)/i, '');
  if (!text) throw new JwtDecodeError('JWT_EMPTY', 'No token was given.');
  if (text.includes('***'))
    throw new JwtDecodeError(
      'JWT_MASKED',
      'The token was masked by the runner (***); a masked token cannot be decoded.',
    );
  const parts = text.split('.');
  if (parts.length !== 3)
    throw new JwtDecodeError('JWT_FORMAT', `A JWT has three dot-separated parts; this has ${parts.length}.`);
  const header = decodeSegment(parts[0]!, 'header') as JwtHeader;
  const payload = decodeSegment(parts[1]!, 'payload');
  if (typeof payload.iss !== 'string' || typeof payload.sub !== 'string')
    throw new JwtDecodeError('JWT_CLAIMS', 'The token has no string `iss` or `sub` claim.');
  const aud = payload.aud;
  if (!(typeof aud === 'string' || (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string'))))
    throw new JwtDecodeError('JWT_CLAIMS', 'The token has no `aud` claim (string or list of strings).');
  const mistyped = mistypedClaim(payload);
  if (mistyped) throw new JwtDecodeError('JWT_CLAIMS', mistyped);
  return { header, claims: payload as GitHubClaims };
}

/** Claims GitHub sends as strings (see GitHubClaims); the code that reads them relies on it. */
const STRING_CLAIMS = [
  'jti',
  'ref',
  'ref_type',
  'sha',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'repository_visibility',
  'run_id',
  'run_number',
  'run_attempt',
  'actor',
  'actor_id',
  'workflow',
  'workflow_ref',
  'workflow_sha',
  'job_workflow_ref',
  'job_workflow_sha',
  'environment',
  'environment_node_id',
  'event_name',
  'head_ref',
  'base_ref',
  'runner_environment',
  'enterprise',
  'enterprise_id',
] as const;
const NUMBER_CLAIMS = ['exp', 'iat', 'nbf'] as const;

/** Why a claim has a type no GitHub token has (a forged or foreign token), naming only the claim. */
function mistypedClaim(payload: Record<string, unknown>): string | undefined {
  for (const name of STRING_CLAIMS) {
    const v = payload[name];
    if (v !== undefined && v !== null && typeof v !== 'string')
      return (
        `The token's \`${name}\` claim is ${Array.isArray(v) ? 'a list' : `of type ${typeof v}`},` +
        ' not a string as GitHub sends.'
      );
  }
  for (const name of NUMBER_CLAIMS) {
    const v = payload[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v)))
      return `The token's \`${name}\` claim is not a number of seconds.`;
  }
  return undefined;
}
