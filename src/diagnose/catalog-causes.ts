/** Predicates over the evidence and the causes several catalog entries share. */
import { audiences } from '../github/claims.js';
import { parseSubject } from '../github/subject.js';
import { cloudOfAudience } from '../entra/clouds.js';
import { GITHUB_COM_ISSUER } from '../github/issuers.js';
import type { Cause, CauseContext } from './catalog-base.js';

// ---- predicates over the evidence -------------------------------------------------------------

const subjectOf = (c: CauseContext): string | undefined => c.presented.subject ?? c.claims?.sub;
const issuerOf = (c: CauseContext): string | undefined => c.presented.issuer ?? c.claims?.iss;
const audienceOf = (c: CauseContext): string | undefined =>
  c.presented.audience ?? (c.claims ? audiences(c.claims)[0] : undefined);
const classic = (c: CauseContext) => (c.credentials ?? []).filter((x) => typeof x.subject === 'string');

/** A predicate that is undefined when the value it needs is unknown. */
function whenKnown<T>(get: (c: CauseContext) => T | undefined, test: (v: T, c: CauseContext) => boolean | undefined) {
  return (c: CauseContext): boolean | undefined => {
    const v = get(c);
    return v === undefined ? undefined : test(v, c);
  };
}

/** Over the credentials when they are known; undefined otherwise. */
function credentialsShow(test: (c: CauseContext) => boolean) {
  return (c: CauseContext): boolean | undefined => (c.credentials && c.credentials.length > 0 ? test(c) : undefined);
}

const contextKind = (c: CauseContext) => {
  const s = subjectOf(c);
  return s === undefined ? undefined : parseSubject(s).contextKind;
};

const isGitHubIssuer = (iss: string) =>
  iss === GITHUB_COM_ISSUER || iss.startsWith(`${GITHUB_COM_ISSUER}/`) || /\/_services\/token\/?$/.test(iss);
const ENTRA_ISSUER_HOSTS = [
  /login\.microsoftonline\.(?:com|us)|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn/.source,
  /sts\.windows\.net|login\.windows\.net|login\.microsoft\.com/.source,
].join('|');
const ENTRA_ISSUER = new RegExp(`^https:\\/\\/(?:${ENTRA_ISSUER_HOSTS})\\/`, 'i');
const isEntraIssuer = (iss: string) => ENTRA_ISSUER.test(iss);
export const isMaskedOrEmpty = (v: string | undefined) => v === undefined || v.trim() === '' || v.includes('***');

// ---- causes shared by several codes -----------------------------------------------------------

export const causeEnvironmentVsBranch: Cause = {
  id: 'environment-vs-branch',
  text:
    'Environment and branch are mixed up: a job that declares `environment:` sends ' +
    '`repo:OWNER/REPO:environment:NAME` and never its branch, and a job without one never sends an ' +
    'environment subject; a credential written for the other form does not match.',
  appliesWhen: (c) => {
    const kind = contextKind(c);
    if (kind === undefined) return undefined;
    if (kind === 'environment') return true;
    // The reverse: the credential expects an environment the job does not declare.
    return credentialsShow((x) => classic(x).some((k) => parseSubject(k.subject!).contextKind === 'environment'))(c);
  },
};

export const causePullRequest: Cause = {
  id: 'pull-request',
  text:
    'Runs triggered by `pull_request` send `repo:OWNER/REPO:pull_request` (underscore, no branch); a ' +
    'credential with `pull-request` (hyphen, from old Microsoft docs) or with the PR branch never ' +
    'matches.',
  appliesWhen: (c) => {
    const kind = contextKind(c);
    if (kind === undefined) return undefined;
    return kind === 'pull_request';
  },
};

export const causeImmutable: Cause = {
  id: 'immutable-vs-name',
  text:
    "One side uses GitHub's immutable subject `repo:OWNER@OWNER_ID/REPO@REPO_ID:…` (new, renamed or " +
    'transferred repositories since July 15, 2026, and subjects the Entra portal now proposes) and the ' +
    'other the name form `repo:OWNER/REPO:…`.',
  appliesWhen: (c) => {
    const s = subjectOf(c);
    if (s === undefined) return undefined;
    const form = parseSubject(s).form;
    if (form === 'custom') return false;
    const creds = classic(c);
    if (creds.length > 0)
      return creds.some((k) => parseSubject(k.subject!).form !== 'custom' && parseSubject(k.subject!).form !== form);
    return form === 'immutable' ? true : undefined;
  },
};

export const causeCustomTemplate: Cause = {
  id: 'custom-template',
  text:
    'The repository or organisation customised the subject template (the subject does not start with ' +
    '`repo:`), so GitHub sends the listed claims instead of the default subject.',
  appliesWhen: whenKnown(subjectOf, (s) => parseSubject(s).form === 'custom'),
};

export const causeOtherRef: Cause = {
  id: 'other-ref',
  text:
    'The run is on another branch or tag than the credential names (feature branch, tag build, merge ' +
    'queue `refs/heads/gh-readonly-queue/…`); classic credentials have no wildcards.',
  appliesWhen: (c) => {
    const kind = contextKind(c);
    if (kind === undefined) return undefined;
    if (kind !== 'branch' && kind !== 'tag' && kind !== 'ref') return false;
    const s = subjectOf(c)!;
    const repo = parseSubject(s).repository?.toLowerCase();
    if (s.includes(':ref:refs/heads/gh-readonly-queue/')) return true;
    return credentialsShow((x) =>
      classic(x).some((k) => {
        const p = parseSubject(k.subject!);
        return (
          p.repository?.toLowerCase() === repo &&
          (p.contextKind === 'branch' || p.contextKind === 'tag') &&
          k.subject !== s
        );
      }),
    )(c);
  },
};

export const causeReusable: Cause = {
  id: 'reusable-workflow',
  text:
    "The job runs a reusable workflow: the subject carries the caller's repository and trigger, not the " +
    "reusable workflow's; only `job_workflow_ref` names the called file.",
  appliesWhen: (c) => {
    const jwr = c.claims?.job_workflow_ref;
    const wr = c.claims?.workflow_ref;
    if (!jwr || !wr) return undefined;
    return jwr.split('@')[0] !== wr.split('@')[0];
  },
};

export const causeWrongApp: Cause = {
  id: 'wrong-identity',
  text:
    'The credential exists, but on another app registration or managed identity than the client id the ' +
    'workflow sends (`client-id` points at a different identity).',
};

export const causePropagation: Cause = {
  id: 'propagation',
  text:
    "The credential was created or changed in the last few minutes and Entra's cache still has the old " +
    'data; this clears by itself (retry after 1–5 minutes; if it persists against a byte-identical ' +
    'credential, delete and recreate it).',
  appliesWhen: credentialsShow((c) => {
    const s = subjectOf(c);
    const i = issuerOf(c);
    const a = audienceOf(c);
    return classic(c).some(
      (k) => k.subject === s && (i === undefined || k.issuer === i) && (a === undefined || k.audiences[0] === a),
    );
  }),
};

export const causeTrailingSlash: Cause = {
  id: 'issuer-trailing-slash',
  text:
    "The credential's issuer has a trailing slash (`https://token.actions.githubusercontent.com/`); " +
    "GitHub's issuer has none and Entra compares issuers byte for byte.",
  appliesWhen: (c) => {
    const iss = issuerOf(c);
    if (iss === undefined) return undefined;
    if (c.credentials?.length) return c.credentials.some((k) => k.issuer === `${iss}/` || `${k.issuer}/` === iss);
    // Entra has quoted GitHub's issuer both with and without the slash over the years (real logs show
    // both), so a quoted slash allows this cause but does not prove it.
    return iss === GITHUB_COM_ISSUER || iss === `${GITHUB_COM_ISSUER}/` ? undefined : false;
  },
};

export const causeEnterpriseIssuer: Cause = {
  id: 'enterprise-issuer',
  text:
    "The enterprise enabled GitHub's enterprise-specific issuer " +
    '(`https://token.actions.githubusercontent.com/<enterprise-slug>`, include_enterprise_slug), so the ' +
    "token's issuer has the slug and the credential must too (or the reverse).",
  appliesWhen: whenKnown(issuerOf, (iss, c) =>
    iss.startsWith(`${GITHUB_COM_ISSUER}/`) && iss.length > GITHUB_COM_ISSUER.length + 1
      ? true
      : c.credentials?.length
        ? c.credentials.some(
            (k) => k.issuer.startsWith(`${GITHUB_COM_ISSUER}/`) && k.issuer.length > GITHUB_COM_ISSUER.length + 1,
          )
        : undefined,
  ),
};

export const causeGhes: Cause = {
  id: 'ghes-issuer',
  text:
    'The token comes from GitHub Enterprise Server, whose issuer is `https://HOSTNAME/_services/token`; ' +
    'the credential must name that issuer, and Entra must reach it from the internet.',
  appliesWhen: whenKnown(issuerOf, (iss) => /\/_services\/token\/?$/.test(iss)),
};

export const causeNotGitHubToken: Cause = {
  id: 'not-a-github-token',
  text:
    'The assertion is not a GitHub OIDC token: an Entra access token or a managed-identity token was ' +
    'passed (e.g. to `az login --federated-token`).',
  appliesWhen: whenKnown(issuerOf, (iss) => (isEntraIssuer(iss) ? true : isGitHubIssuer(iss) ? false : undefined)),
};

export const causeSovereignAudience: Cause = {
  id: 'sovereign-audience',
  text:
    'The tenant is in a national cloud: US Government credentials expect ' +
    '`api://AzureADTokenExchangeUSGov`, China `api://AzureADTokenExchangeChina`, but the workflow ' +
    'requested the public `api://AzureADTokenExchange` (or the reverse).',
  appliesWhen: (c) => {
    const aud = audienceOf(c);
    if (aud === undefined) return undefined;
    const tokenCloud = cloudOfAudience(aud);
    if (c.credentials?.length)
      return c.credentials.some((k) => {
        const kc = cloudOfAudience(k.audiences[0] ?? '');
        return !!kc && !!tokenCloud && kc !== tokenCloud;
      });
    if (c.cloud && tokenCloud) return c.cloud.name !== tokenCloud.name;
    return undefined;
  },
};

export const causeDefaultGitHubAudience: Cause = {
  id: 'github-default-audience',
  text:
    "The token was requested without an audience, so GitHub set `aud` to the owner's URL " +
    '(`https://github.com/OWNER`); the login step must request `api://AzureADTokenExchange`.',
  appliesWhen: whenKnown(
    audienceOf,
    (aud) => /^https:\/\/github\.com\//i.test(aud) || (/^https:\/\/[^/]+\/[^/]+$/.test(aud) && !cloudOfAudience(aud)),
  ),
};

export const causeCustomAudience: Cause = {
  id: 'custom-audience',
  text:
    "The credential or the workflow uses a custom audience; the token's `aud` and the credential's " +
    'single audience must be the same string.',
  appliesWhen: (c) => {
    const aud = audienceOf(c);
    if (aud === undefined) return undefined;
    const githubDefault = /^https:\/\/github\.com\//i.test(aud);
    if (c.credentials?.length)
      return (
        c.credentials.some((k) => !cloudOfAudience(k.audiences[0] ?? '')) || (!cloudOfAudience(aud) && !githubDefault)
      );
    return !cloudOfAudience(aud) && !githubDefault ? true : undefined;
  },
};

export const causeAdminOnly: Cause = {
  id: 'tenant-admin-policy',
  text:
    'A tenant-wide policy decides this; nothing in the federated credential or the workflow can change ' +
    'it. Only a tenant administrator can.',
  appliesWhen: () => true,
};

export const causeSecretPath: Cause = {
  id: 'client-secret-path',
  text:
    'The login used a client secret, not OIDC: azure/login takes the secret path when `creds` (JSON with ' +
    '`clientSecret`) is set and `client-id`/`tenant-id` are not; other tools take it when ' +
    '`AZURE_CLIENT_SECRET` or `--password` is set.',
  appliesWhen: () => true,
};

export const causeSelfSigned: Cause = {
  id: 'self-signed-assertion',
  text:
    'Entra validated the assertion as a self-signed client assertion (certificate credential: `iss` = ' +
    '`sub` = client id, `aud` = the token endpoint), not as a federated one. That happens when a tool ' +
    'signs its own JWT with a certificate, or when the client id does not belong to the identity that ' +
    'has the federated credential.',
  appliesWhen: whenKnown(issuerOf, (iss) => (isGitHubIssuer(iss) ? undefined : true)),
};

export const causeMissingIdTokenPermission: Cause = {
  id: 'no-id-token-permission',
  text:
    'The job had no `permissions: id-token: write`, so no OIDC token was fetched and an empty or ' +
    'placeholder value was sent (older azure/login versions went on to call Entra anyway).',
  appliesWhen: (c) => (c.claims ? false : undefined),
};
