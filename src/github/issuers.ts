/**
 * Which GitHub (or not-GitHub) an OIDC issuer belongs to, and whether Entra can reach it. Pure.
 * Sources: docs/github-oidc.md "Issuers and discovery".
 *
 * - github.com: `https://token.actions.githubusercontent.com` (no trailing slash).
 * - GitHub Enterprise Cloud with the enterprise-specific issuer (`include_enterprise_slug`):
 *   `https://token.actions.githubusercontent.com/<enterprise-slug>`.
 * - GHE.com (data residency): `https://token.actions.<subdomain>.ghe.com`. UNCONFIRMED: GitHub's docs
 *   say these hosts have their own issuer on their subdomain without spelling the form out; this is
 *   the form by analogy with github.com. Any other `*.ghe.com` issuer is classified the same way
 *   (public GitHub-operated host, subdomain unknown).
 * - GitHub Enterprise Server: `https://HOSTNAME/_services/token`. Entra fetches its discovery
 *   document and JWKS from the internet, so a GHES behind a firewall fails with AADSTS90061/50166.
 */
import type { Finding } from '../diagnose/finding.js';

export const GITHUB_COM_ISSUER = 'https://token.actions.githubusercontent.com';

type IssuerKind = 'github' | 'github-enterprise-slug' | 'ghe-com' | 'ghes' | 'other';

interface IssuerInfo {
  kind: IssuerKind;
  /** The issuer as given. */
  issuer: string;
  /** Host (with port), lower-cased; '' when the issuer is not a URL. */
  host: string;
  /** For `github-enterprise-slug`. */
  enterpriseSlug?: string;
  /** For `ghe-com`: the data-residency subdomain, when the host has the expected form. */
  subdomain?: string;
  /** Differs from the canonical form only by a trailing slash (Entra compares byte for byte). */
  trailingSlash: boolean;
  /** The host is loopback, link-local, a private (RFC 1918 / ULA / CGNAT) address or an internal-only name. */
  privateHost: boolean;
  /** Public GitHub infrastructure that Entra reaches (github.com, GHEC, GHE.com). */
  publicGitHub: boolean;
}

const GHE_COM_HOST = /^token\.actions\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.ghe\.com$/;
const INTERNAL_SUFFIXES = [
  '.local',
  '.localhost',
  '.internal',
  '.intranet',
  '.lan',
  '.corp',
  '.home',
  '.home.arpa',
  '.localdomain',
  '.private',
];

function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

/** True for addresses and names Entra, on the internet, cannot reach. */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (h === '') return false;
  const v4 = ipv4(h);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (h.includes(':')) {
    // IPv6: loopback, unspecified, unique local fc00::/7, link-local fe80::/10, IPv4-mapped private.
    if (h === '::1' || h === '::') return true;
    if (/^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped ? isPrivateHost(mapped[1]!) : false;
  }
  if (h === 'localhost' || !h.includes('.')) return true; // single-label names resolve only inside a network
  return INTERNAL_SUFFIXES.some((s) => h.endsWith(s));
}

export function classifyIssuer(issuer: string): IssuerInfo {
  let url: URL | undefined;
  try {
    url = new URL(issuer.trim());
  } catch {
    url = undefined;
  }
  const base: IssuerInfo = {
    kind: 'other',
    issuer,
    host: '',
    trailingSlash: false,
    privateHost: false,
    publicGitHub: false,
  };
  if (!url) return base;
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  const path = url.pathname.replace(/\/+$/, '');
  const trailingSlash = /\/$/.test(issuer.trim());
  const info: IssuerInfo = { ...base, host, trailingSlash, privateHost: isPrivateHost(hostname) };
  if (url.protocol === 'https:' && hostname === 'token.actions.githubusercontent.com' && !url.port) {
    info.publicGitHub = true;
    if (path === '') return { ...info, kind: 'github' };
    const slug = /^\/([^/]+)$/.exec(path)?.[1];
    if (slug) return { ...info, kind: 'github-enterprise-slug', enterpriseSlug: slug };
    return info;
  }
  if (url.protocol === 'https:' && hostname.endsWith('.ghe.com')) {
    const subdomain = GHE_COM_HOST.exec(hostname)?.[1];
    return { ...info, kind: 'ghe-com', publicGitHub: true, ...(subdomain ? { subdomain } : {}) };
  }
  if (/\/_services\/token$/.test(path)) return { ...info, kind: 'ghes' };
  return info;
}

/** One line for messages: what kind of issuer this is. */
export function describeIssuer(info: IssuerInfo): string {
  switch (info.kind) {
    case 'github':
      return "GitHub.com's issuer";
    case 'github-enterprise-slug':
      return `the enterprise-specific issuer of GitHub Enterprise Cloud (enterprise '${info.enterpriseSlug}')`;
    case 'ghe-com':
      return `a GHE.com data-residency issuer${info.subdomain ? ` (subdomain '${info.subdomain}')` : ''}`;
    case 'ghes':
      return `a GitHub Enterprise Server issuer (host ${info.host})`;
    default:
      return info.privateHost
        ? `an issuer on a private or loopback host (${info.host})`
        : `an issuer that is not GitHub's (${info.host || 'not a URL'})`;
  }
}

/**
 * `issuer-private`: Entra must fetch the issuer's discovery document and JWKS from the internet.
 * Only for issuers that are not public GitHub: GHES hosts, and private/loopback hosts.
 */
export function needsReachabilityWarning(info: IssuerInfo): boolean {
  return !info.publicGitHub && (info.kind === 'ghes' || info.privateHost);
}

export function issuerPrivate(info: IssuerInfo): Finding {
  const discovery = `${info.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const why =
    info.kind === 'ghes'
      ? `The token comes from ${describeIssuer(info)}.` +
        ` Entra verifies it by fetching ${discovery} and the JWKS it names, from the internet;` +
        ' a GitHub Enterprise Server behind a firewall or VPN makes the exchange fail' +
        ' with AADSTS90061 or AADSTS50166.' +
        (info.privateHost ? ` The host ${info.host} is a private or internal name, which Entra cannot reach.` : '')
      : `The token's issuer ${info.issuer} is on ${info.host},` +
        ' a loopback, link-local, private or internal-only address.' +
        ` Entra verifies a token by fetching ${discovery} and the JWKS it names from the internet,` +
        ' and cannot reach this host: the exchange will fail with AADSTS90061 or AADSTS50166.';
  const checkFromOutside = `check from outside your network:\ncurl -sS '${discovery.replace(/'/g, '')}'`;
  return {
    id: 'issuer-private',
    severity: 'warning',
    title: `Entra must be able to reach the issuer ${info.host || info.issuer} from the internet`,
    message: why,
    fix:
      info.kind === 'ghes'
        ? "Publish the issuer's discovery document and JWKS where Entra can fetch them" +
          ` (e.g. expose https://${info.host}/_services/token/.well-known/ through a reverse proxy` +
          ` that allows only those paths), then ${checkFromOutside}`
        : 'Use an issuer Entra can reach over the internet (GitHub-hosted or public GitHub issuers need nothing),' +
          ` and ${checkFromOutside}`,
    evidence: [{ label: 'issuer', actual: info.issuer }],
  };
}
