/**
 * The repository's OIDC subject template, read from GitHub's customization API through
 * @actions/github's Octokit over the one HTTP path (docs/github-oidc.md "Customization API"). Loaded
 * only when a token was given for it: octokit is the heaviest thing this tool can load.
 */
import { outsideExcerpt } from '../report/neutralize.js';
import type { SubjectTemplate } from '../workflow/predict.js';

export interface SubjectCustomization {
  template: SubjectTemplate;
  /** The repository sends `repo:OWNER@ID/REPO@ID:...` subjects. */
  immutable?: boolean;
  /** GitHub's own prefix, e.g. `repo:octo-org@1001/octo-repo@2002`. */
  prefix?: string;
  /** Where the template came from. */
  source: 'repository' | 'organization' | 'default';
}

type CustomizationResult = { ok: true; value: SubjectCustomization } | { ok: false; status?: number; message: string };

interface RepoAnswer {
  use_default?: boolean;
  include_claim_keys?: string[];
  use_immutable_subject?: boolean;
  sub_claim_prefix?: string;
}

/**
 * The repository answer as GitHub gives it (`gh api repos/O/R/actions/oidc/customization/sub`),
 * or a bare list of claim keys. Throws a plain Error with a clear message on anything else.
 */
export function customizationFromAnswer(data: unknown): SubjectCustomization {
  if (Array.isArray(data)) {
    if (!data.every((k) => typeof k === 'string'))
      throw new Error('a subject template list must hold claim key strings');
    return {
      template: data.length ? { useDefault: false, includeClaimKeys: data } : { useDefault: true },
      source: 'repository',
    };
  }
  if (!data || typeof data !== 'object')
    throw new Error("a subject template is the customization API's JSON object or a list of claim keys");
  const d = data as RepoAnswer;
  if (
    d.include_claim_keys !== undefined &&
    (!Array.isArray(d.include_claim_keys) || !d.include_claim_keys.every((k) => typeof k === 'string'))
  )
    throw new Error('include_claim_keys must be a list of claim key strings');
  const immutable =
    d.use_immutable_subject ?? (typeof d.sub_claim_prefix === 'string' ? /@\d+\//.test(d.sub_claim_prefix) : undefined);
  const custom = d.use_default === false && !!d.include_claim_keys?.length;
  return {
    template: custom ? { useDefault: false, includeClaimKeys: d.include_claim_keys } : { useDefault: true },
    ...(immutable !== undefined ? { immutable } : {}),
    ...(typeof d.sub_claim_prefix === 'string' ? { prefix: d.sub_claim_prefix } : {}),
    source: custom ? 'repository' : 'default',
  };
}

export async function readSubjectCustomization(
  token: string,
  owner: string,
  repo: string,
  apiUrl = 'https://api.github.com',
): Promise<CustomizationResult> {
  // Both load here, with the HTTP stack: the audit that imports this module rarely asks GitHub.
  const [{ getOctokit }, { fetchOverHttpRequest }] = await Promise.all([
    import('@actions/github'),
    import('../net/octokit-fetch.js'),
  ]);
  const octokit = getOctokit(token, { baseUrl: apiUrl, request: { fetch: fetchOverHttpRequest(10_000) } });
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/actions/oidc/customization/sub', { owner, repo });
    const data = res.data as RepoAnswer;
    const immutable =
      data.use_immutable_subject ?? (data.sub_claim_prefix ? /@\d+\//.test(data.sub_claim_prefix) : undefined);
    if (data.use_default === false && data.include_claim_keys?.length)
      return {
        ok: true,
        value: {
          template: { useDefault: false, includeClaimKeys: data.include_claim_keys },
          immutable,
          prefix: data.sub_claim_prefix,
          source: 'repository',
        },
      };
    if (data.use_default === false) {
      // Not the default and no keys of its own: the organisation's template applies.
      const org = await octokit.request('GET /orgs/{org}/actions/oidc/customization/sub', { org: owner });
      const keys = (org.data as { include_claim_keys?: string[] }).include_claim_keys;
      if (keys?.length)
        return {
          ok: true,
          value: {
            template: { useDefault: false, includeClaimKeys: keys },
            immutable,
            prefix: data.sub_claim_prefix,
            source: 'organization',
          },
        };
    }
    return {
      ok: true,
      value: { template: { useDefault: true }, immutable, prefix: data.sub_claim_prefix, source: 'default' },
    };
  } catch (e) {
    const status = (e as { status?: number }).status;
    // GitHub's own text is a quote from outside: short, one line, and never the token (a server may echo it).
    const said = outsideExcerpt(e instanceof Error ? e.message : String(e), 160, [token]);
    return {
      ok: false,
      status,
      message:
        status === 403 || status === 404
          ? `GitHub answered ${status} for the OIDC customization API:` +
            " the token cannot read this repository's Actions settings" +
            " (a GITHUB_TOKEN needs 'actions: read'; on an organisation template, 'read:org')."
          : status === 401
            ? 'GitHub answered 401 for the OIDC customization API:' +
              " the 'github-token' input was refused (expired, revoked or not a token)."
            : `Could not read the OIDC subject template${status ? ` (HTTP ${status})` : ''}: ${said}`,
    };
  }
}
