/**
 * Stand-in for GitHub's side of OIDC on loopback: the runner's ID-token request endpoint
 * (ACTIONS_ID_TOKEN_REQUEST_URL) and the issuer's discovery document and JWKS. Tokens are
 * real RS256 JWTs with GitHub's claim set, verifiable against the served JWKS.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { applyFault, nextFault, send, type FaultPlan } from './faults.js';

export interface JobContext {
  owner: string;
  ownerId: string;
  repo: string;
  repoId: string;
  /** `refs/heads/main`, `refs/tags/v1`, `refs/pull/13/merge`, ... */
  ref: string;
  refType: 'branch' | 'tag' | string;
  refProtected: boolean;
  /** The job's `environment:`; when set, it decides the subject. */
  environment?: string;
  /** push, pull_request, pull_request_target, workflow_dispatch, ... */
  eventName: string;
  sha: string;
  /** Workflow name (the `workflow` claim). */
  workflow: string;
  /** Path of the workflow file in the repository. */
  workflowFile: string;
  /** Defaults to `${owner}/${repo}/${workflowFile}@${ref}`; set it for reusable workflows. */
  jobWorkflowRef?: string;
  actor: string;
  actorId: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  repositoryVisibility: 'public' | 'private' | 'internal' | string;
  runnerEnvironment: 'github-hosted' | 'self-hosted' | string;
  headRef: string;
  baseRef: string;
  enterprise?: string;
  enterpriseId?: string;
  /** `repo:owner@ownerId/repo@repoId:<context>` instead of the name form. */
  immutableSubject: boolean;
  /** Custom subject template: claim keys; `context` = the default context part, `repo` = `repo:OWNER/REPO`. */
  customTemplate?: string[];
  /** Raw `sub`, bypassing every rule above. */
  subOverride?: string;
  /** Raw `iss` claim (e.g. with a trailing slash); discovery stays at the real issuer URL. */
  issOverride?: string;
  /** exp - iat. */
  lifetimeSeconds: number;
  /** Shifts iat/nbf/exp, as a runner or service with a wrong clock would. */
  clockSkewSeconds: number;
  /** Extra or replacement claims for every issued token (`undefined` removes a claim). */
  extraClaims?: Record<string, unknown>;
}

interface GitHubStandinOptions {
  /** '' (github.com style) or e.g. '/enterprise-slug'. */
  issuerPath?: string;
  context?: Partial<JobContext>;
  requestToken?: string;
}

interface GitHubFaults {
  tokenRequest?: FaultPlan;
  discovery?: FaultPlan;
  jwks?: FaultPlan;
}

interface GitHubRequestRecord {
  method: string;
  /** Path with query string. */
  path: string;
  time: number;
  route: 'tokenRequest' | 'discovery' | 'jwks' | 'other';
  userAgent?: string;
  status?: number;
}

interface SignOptions {
  /** Sign with a throwaway key while keeping the real `kid`: a bad signature. */
  foreignKey?: boolean;
}

export interface GitHubStandin {
  /** Issuer URL, `http://127.0.0.1:<port><issuerPath>`, without trailing slash. */
  readonly issuer: string;
  /** Value for ACTIONS_ID_TOKEN_REQUEST_URL (already carries `?api-version=2.0`). */
  readonly requestUrl: string;
  /** Value for ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  readonly requestToken: string;
  readonly port: number;
  /** The job; mutate it at any time, it is read for every token. */
  context: JobContext;
  faults: GitHubFaults;
  /** Serve a JWKS that lacks the current signing key (a decoy key keeps it non-empty). */
  omitKidFromJwks: boolean;
  /** Every JWT this stand-in produced (token requests and signToken). */
  readonly issuedTokens: string[];
  readonly requests: GitHubRequestRecord[];
  /** Current signing key id. */
  readonly kid: string;
  /** The subject GitHub would put in a token for the current context. */
  subject(): string;
  /** The claims a token for `audience` would carry now. */
  claims(audience?: string): Record<string, unknown>;
  /**
   * A token for the current context with overrides (`undefined` deletes a claim).
   * Default aud: api://AzureADTokenExchange.
   */
  signToken(
    claimsOverrides?: Record<string, unknown>,
    headerOverrides?: Record<string, unknown>,
    options?: SignOptions,
  ): Promise<string>;
  /** New signing key; the previous one leaves the JWKS unless keepPrevious. */
  rotateKey(options?: { keepPrevious?: boolean }): Promise<void>;
  jwks(): { keys: JWK[] };
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  x5t: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

const DEFAULT_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export function defaultJobContext(overrides: Partial<JobContext> = {}): JobContext {
  return {
    owner: 'octo-org',
    ownerId: '1001',
    repo: 'octo-repo',
    repoId: '2002',
    ref: 'refs/heads/main',
    refType: 'branch',
    refProtected: true,
    eventName: 'push',
    sha: 'd6f3c8a1b2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8',
    workflow: 'Deploy',
    workflowFile: '.github/workflows/deploy.yml',
    actor: 'octocat',
    actorId: '583231',
    runId: '9876543210',
    runNumber: '42',
    runAttempt: '1',
    repositoryVisibility: 'private',
    runnerEnvironment: 'github-hosted',
    headRef: '',
    baseRef: '',
    immutableSubject: false,
    lifetimeSeconds: 300,
    clockSkewSeconds: 0,
    ...overrides,
  };
}

/** The default context part of the subject: environment, pull request or ref. */
function subjectContext(ctx: JobContext): string {
  if (ctx.environment) return `environment:${ctx.environment}`;
  if (ctx.eventName === 'pull_request' || ctx.eventName === 'pull_request_target') return 'pull_request';
  return `ref:${ctx.ref}`;
}

function repoPrefix(ctx: JobContext): string {
  return ctx.immutableSubject
    ? `repo:${ctx.owner}@${ctx.ownerId}/${ctx.repo}@${ctx.repoId}`
    : `repo:${ctx.owner}/${ctx.repo}`;
}

/** GitHub's subject rule, including immutable subjects and custom templates. */
export function subjectFor(ctx: JobContext, claims: Record<string, unknown> = {}): string {
  if (ctx.subOverride !== undefined) return ctx.subOverride;
  if (ctx.customTemplate?.length) {
    return ctx.customTemplate
      .map((key) => {
        if (key === 'context') return subjectContext(ctx);
        if (key === 'repo') return repoPrefix(ctx);
        return `${key}:${String(claims[key] ?? '')}`;
      })
      .join(':');
  }
  return `${repoPrefix(ctx)}:${subjectContext(ctx)}`;
}

async function newSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  // GitHub's x5t is the SHA-1 of its signing certificate; we have no certificate,
  // so the SPKI digest stands in (same shape, and header and JWKS agree).
  const spki = (await exportSPKI(publicKey)).replace(/-----[^-]+-----|\s/g, '');
  const x5t = createHash('sha1').update(Buffer.from(spki, 'base64')).digest('base64url');
  return { kid: randomUUID(), x5t, publicJwk, privateJwk };
}

const CLAIMS_SUPPORTED = [
  'sub',
  'aud',
  'exp',
  'iat',
  'iss',
  'jti',
  'nbf',
  'ref',
  'sha',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'enterprise',
  'enterprise_id',
  'run_id',
  'run_number',
  'run_attempt',
  'actor',
  'actor_id',
  'workflow',
  'workflow_ref',
  'workflow_sha',
  'head_ref',
  'base_ref',
  'event_name',
  'ref_type',
  'ref_protected',
  'environment',
  'environment_node_id',
  'job_workflow_ref',
  'job_workflow_sha',
  'repository_visibility',
  'runner_environment',
];

export async function startGitHubStandin(options: GitHubStandinOptions = {}): Promise<GitHubStandin> {
  const issuerPath = (options.issuerPath ?? '').replace(/\/+$/, '');
  const requestToken = options.requestToken ?? randomBytes(24).toString('base64url');
  const tokenPath = `/_apis/distributedtask/hubs/Actions/plans/${randomUUID()}/jobs/${randomUUID()}/idtoken`;
  const hanging = new Set<Socket>();
  let current = await newSigningKey();
  let published: SigningKey[] = [current];
  const decoy = await newSigningKey();
  const server: Server = createServer();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const issuer = `${origin}${issuerPath}`;

  const claims = (audience?: string): Record<string, unknown> => {
    const ctx = standin.context;
    const now = Math.floor(Date.now() / 1000) + ctx.clockSkewSeconds;
    const repository = `${ctx.owner}/${ctx.repo}`;
    const workflowRef = `${repository}/${ctx.workflowFile}@${ctx.ref}`;
    const c: Record<string, unknown> = {
      jti: randomUUID(),
      sub: '',
      aud: audience ?? `https://github.com/${ctx.owner}`,
      ref: ctx.ref,
      sha: ctx.sha,
      repository,
      repository_owner: ctx.owner,
      repository_owner_id: ctx.ownerId,
      run_id: ctx.runId,
      run_number: ctx.runNumber,
      run_attempt: ctx.runAttempt,
      repository_visibility: ctx.repositoryVisibility,
      repository_id: ctx.repoId,
      actor_id: ctx.actorId,
      actor: ctx.actor,
      workflow: ctx.workflow,
      head_ref: ctx.headRef,
      base_ref: ctx.baseRef,
      event_name: ctx.eventName,
      ref_protected: String(ctx.refProtected), // GitHub sends strings for these
      ref_type: ctx.refType,
      workflow_ref: workflowRef,
      workflow_sha: ctx.sha,
      job_workflow_ref: ctx.jobWorkflowRef ?? workflowRef,
      job_workflow_sha: ctx.sha,
      runner_environment: ctx.runnerEnvironment,
      iss: ctx.issOverride ?? issuer,
      // Observed: nbf a few seconds before iat, exp ~5 minutes after issue.
      nbf: now - 5,
      exp: now + ctx.lifetimeSeconds,
      iat: now,
    };
    if (ctx.environment) {
      c['environment'] = ctx.environment;
      c['environment_node_id'] = `EN_kwDO${Buffer.from(ctx.environment).toString('base64url').slice(0, 12)}`;
    }
    if (ctx.enterprise) {
      c['enterprise'] = ctx.enterprise;
      c['enterprise_id'] = ctx.enterpriseId ?? '4242';
    }
    c['sub'] = subjectFor(ctx, c);
    for (const [k, v] of Object.entries(ctx.extraClaims ?? {})) {
      if (v === undefined) delete c[k];
      else c[k] = v;
    }
    return c;
  };

  const sign = async (
    payload: Record<string, unknown>,
    headerOverrides: Record<string, unknown> = {},
    signOptions: SignOptions = {},
  ): Promise<string> => {
    const header = { typ: 'JWT', alg: 'RS256', x5t: current.x5t, kid: current.kid, ...headerOverrides };
    const alg = String(header.alg);
    const jwk = signOptions.foreignKey ? decoy.privateJwk : current.privateJwk;
    const key = await importJWK({ ...jwk, alg: undefined }, alg);
    const jwt = await new SignJWT(payload as JWTPayload).setProtectedHeader({ ...header, alg }).sign(key);
    standin.issuedTokens.push(jwt);
    return jwt;
  };

  const standin: GitHubStandin = {
    issuer,
    requestUrl: `${origin}${tokenPath}?api-version=2.0`,
    requestToken,
    port,
    context: defaultJobContext(options.context),
    faults: {},
    omitKidFromJwks: false,
    issuedTokens: [],
    requests: [],
    get kid() {
      return current.kid;
    },
    subject: () => String(claims()['sub']),
    claims,
    async signToken(overrides = {}, headerOverrides = {}, signOptions = {}) {
      const payload = claims(DEFAULT_EXCHANGE_AUDIENCE);
      for (const [k, v] of Object.entries(overrides)) {
        if (v === undefined) delete payload[k];
        else payload[k] = v;
      }
      return sign(payload, headerOverrides, signOptions);
    },
    async rotateKey(rotateOptions = {}) {
      current = await newSigningKey();
      published = rotateOptions.keepPrevious ? [current, ...published] : [current];
    },
    jwks() {
      const keys = standin.omitKidFromJwks ? [decoy, ...published.filter((k) => k !== current)] : published;
      return {
        keys: keys.map((k) => ({
          kty: 'RSA',
          alg: 'RS256',
          use: 'sig',
          kid: k.kid,
          n: k.publicJwk.n,
          e: k.publicJwk.e,
          x5t: k.x5t,
        })),
      };
    },
    async close() {
      for (const socket of hanging) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const discoveryDocument = () => ({
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks`,
    subject_types_supported: ['public', 'pairwise'],
    response_types_supported: ['id_token'],
    claims_supported: CLAIMS_SUPPORTED,
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid'],
  });

  // The Actions service is Azure DevOps underneath; its errors have this shape.
  const vssError = (status: number) => {
    const typeKey = status === 401 ? 'UnauthorizedRequestException' : 'ServiceUnavailableException';
    return {
      $id: '1',
      innerException: null,
      message:
        status === 401
          ? 'TF400813: Resource not available for anonymous access. Client authentication required.'
          : `The service is temporarily unavailable (HTTP ${status}).`,
      typeName: `Microsoft.TeamFoundation.Framework.Server.${typeKey}, Microsoft.TeamFoundation.Framework.Server`,
      typeKey,
      errorCode: 0,
      eventId: 3000,
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const route: GitHubRequestRecord['route'] =
      url.pathname === tokenPath
        ? 'tokenRequest'
        : url.pathname === `${issuerPath}/.well-known/openid-configuration`
          ? 'discovery'
          : url.pathname === `${issuerPath}/.well-known/jwks`
            ? 'jwks'
            : 'other';
    const record: GitHubRequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      time: Date.now(),
      route,
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
    };
    standin.requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));

    if (route !== 'other') {
      const fault = nextFault(standin.faults[route], req);
      if (await applyFault(fault, res, { hanging, defaultBody: vssError })) return;
    }
    if (route === 'other') return send(res, 404, { message: 'Not Found' });
    if (req.method !== 'GET') return send(res, 405, { message: 'Method Not Allowed' });

    if (route === 'discovery') return send(res, 200, discoveryDocument());
    if (route === 'jwks') return send(res, 200, standin.jwks());

    if (req.headers.authorization !== `Bearer ${requestToken}`) return send(res, 401, vssError(401));
    const audience = url.searchParams.get('audience') ?? undefined;
    const jwt = await sign(claims(audience));
    return send(res, 200, { count: 1, value: jwt });
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { message: String(err) });
      else res.destroy();
    });
  });
  return standin;
}
