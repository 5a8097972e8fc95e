/**
 * Which proxy a request goes through: the toolkit's own rules (@actions/http-client's
 * `checkBypass`: loopback never proxied, NO_PROXY entries, lower-case variables first), so this
 * action behaves like every other action on the same runner. What the toolkit lacks and this
 * module adds: a malformed setting is refused with the variable's name (the toolkit silently
 * ignores some and throws a bare TypeError on others), and a proxy's credentials are kept out
 * of every URL that could reach a message.
 */
import { checkBypass } from '@actions/http-client/lib/proxy';

export class ProxyConfigError extends Error {
  override readonly name = 'ProxyConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ProxySetting {
  /** `http:` (spoken to in plaintext) or `https:` (spoken to over TLS). */
  protocol: 'http:' | 'https:';
  /** host[:port], for messages: never the credentials. */
  host: string;
  /** `protocol//host`, what the connection is opened to. */
  origin: string;
  /** `Basic …` when the URL carries credentials. */
  authorization?: string;
}

/** The variable the toolkit reads for a scheme: lower case first, an empty value falls through. */
function proxyVariable(https: boolean, env: NodeJS.ProcessEnv): { name: string; value: string } | undefined {
  const names = https ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  for (const name of names) {
    const value = env[name];
    if (value) return { name, value };
  }
  return undefined;
}

/** Parses a proxy variable; its value is never quoted back (it may hold a password). */
function parseProxy(name: string, value: string): ProxySetting {
  const expected = `${name} must be a proxy URL such as http://proxy.example:3128 or https://proxy.example:443`;
  // The toolkit's reading: a value without a scheme is an http proxy.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim()) ? value.trim() : `http://${value.trim()}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProxyConfigError(name, `${expected}; its value is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ProxyConfigError(name, `${expected}; '${url.protocol.slice(0, 12)}' proxies are not supported.`);
  if (!url.hostname) throw new ProxyConfigError(name, `${expected}; its value names no host.`);
  let user: string;
  let password: string;
  try {
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    throw new ProxyConfigError(name, `${expected}; its user name or password is not valid percent-encoding.`);
  }
  return {
    protocol: url.protocol,
    host: url.host,
    origin: `${url.protocol}//${url.host}`,
    ...(user || password ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } : {}),
  };
}

/** Every proxy variable the toolkit would read, checked before any request is made. */
export function checkProxySettings(): void {
  for (const https of [true, false]) {
    const variable = proxyVariable(https, process.env);
    if (variable) parseProxy(variable.name, variable.value);
  }
}

/**
 * The proxy for this target, or undefined for a direct connection. Reads process.env, as the
 * toolkit does for every action (checkBypass has no other source).
 */
export function proxyFor(target: URL): ProxySetting | undefined {
  const variable = proxyVariable(target.protocol === 'https:', process.env);
  if (!variable) return undefined;
  if (checkBypass(target)) return undefined;
  return parseProxy(variable.name, variable.value);
}
