/**
 * Fault injection shared by the stand-ins: a per-route plan decides, request by request,
 * whether to answer normally or misbehave the way networks and proxies really do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface Fault {
  /** Wait this long first; with nothing else set, then answer normally. */
  delayMs?: number;
  /** Answer with this status (body defaults to the service's own error shape for it). */
  status?: number;
  /** Raw string, or any other value sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Adds `Retry-After: <seconds>` (usually with status 429 or 503). */
  retryAfter?: number;
  /** A corporate proxy / captive portal HTML page (status defaults to 200). */
  html?: boolean;
  /** Send the headers and part of a body, then destroy the socket. */
  reset?: boolean;
  /** Accept the request and never answer (until the stand-in closes). */
  hang?: boolean;
}

/** A queue consumed one entry per request, or a function asked for every request. */
export type FaultPlan = Fault[] | ((request: IncomingMessage) => Fault | undefined);

const PROXY_HTML =
  '<!DOCTYPE html>\n<html><head><title>Access Denied</title></head><body>' +
  '<h1>Access Denied</h1><p>The requested URL was blocked by the network security policy.</p>' +
  '<p>Reference #18.7c2e3b17.1700000000.1a2b3c4d</p></body></html>\n';

export function nextFault(plan: FaultPlan | undefined, request: IncomingMessage): Fault | undefined {
  if (!plan) return undefined;
  return typeof plan === 'function' ? plan(request) : plan.shift();
}

interface FaultContext {
  /** Body for `{status}` without a body: the service's own error format. */
  defaultBody(status: number): unknown;
  /** Sockets left open by `hang`, destroyed when the stand-in closes. */
  hanging: Set<Socket>;
  /** Headers the service always sends (e.g. x-ms-request-id), under the fault's own. */
  baseHeaders?: Record<string, string>;
}

/**
 * Applies a fault. Resolves true when the fault produced (or deliberately withheld) the
 * response, false when the caller should answer normally (no fault, or a pure delay).
 */
export async function applyFault(fault: Fault | undefined, res: ServerResponse, ctx: FaultContext): Promise<boolean> {
  if (!fault) return false;
  if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (res.destroyed || res.writableEnded) return true;

  if (fault.hang) {
    ctx.hanging.add(res.socket as Socket);
    return true;
  }
  if (fault.reset) {
    // A promised length that never arrives: the client sees a reset mid-body.
    res.writeHead(fault.status ?? 200, { 'content-type': 'application/json', 'content-length': '4096' });
    res.write('{"value":"eyJhbGciOi');
    setTimeout(() => res.socket?.destroy(), 10);
    return true;
  }
  const headers: Record<string, string> = { ...(ctx.baseHeaders ?? {}), ...(fault.headers ?? {}) };
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (fault.html) {
    send(res, fault.status ?? 200, fault.body === undefined ? PROXY_HTML : fault.body, {
      'content-type': 'text/html; charset=utf-8',
      ...headers,
    });
    return true;
  }
  if (fault.status !== undefined) {
    send(res, fault.status, fault.body === undefined ? ctx.defaultBody(fault.status) : fault.body, headers);
    return true;
  }
  return false;
}

/** Sends a string as is, anything else as JSON. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  res.writeHead(status, {
    ...(hasType ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
