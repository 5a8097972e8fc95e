/**
 * A `fetch` for Octokit (@actions/github's getOctokit) over httpRequest, so GitHub's REST API takes
 * the action's one HTTP path: the same proxy rules and transport, a deadline and a size cap on every
 * request. Octokit lets fetch follow redirects (GitHub answers for a renamed repository with 301):
 * they are followed here on the API's own origin only, at most three, and the answer carries the URL
 * that gave it, as fetch's does. Only GET is sent: every GitHub call of this project is a read.
 */
import { httpRequest, type HttpResponse } from './http.js';

const MAX_REDIRECTS = 3;
/** Statuses whose answer has no body (a Response with one cannot be made). */
const NO_BODY = new Set([204, 205, 304]);

function responseHeaders(res: HttpResponse): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

export function fetchOverHttpRequest(timeoutMs: number, maxBytes = 8 * 1024 * 1024): typeof fetch {
  return async (input, init) => {
    let url = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'GET') throw new TypeError(`Only GET requests are sent to GitHub, not ${method}.`);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const origin = new URL(url).origin;
    const signal = init?.signal ?? undefined;
    for (let hop = 0; ; hop++) {
      const res = await httpRequest(url, { headers, timeoutMs, maxBytes, ...(signal ? { signal } : {}) });
      const location = res.headers.location;
      if (res.status >= 300 && res.status < 400 && typeof location === 'string' && hop < MAX_REDIRECTS) {
        const next = new URL(location, url);
        if (next.origin === origin) {
          url = next.href;
          continue;
        }
      }
      const body = NO_BODY.has(res.status) ? null : res.body;
      const response = new Response(body, { status: res.status, headers: responseHeaders(res) });
      Object.defineProperty(response, 'url', { value: url });
      return response;
    }
  };
}
