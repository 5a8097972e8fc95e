/**
 * An error answer from Entra's token endpoint (or discovery), normalised.
 * Behaviour keys on `codes` (Entra's `error_codes`) and `error`; `description`
 * is for display only, as Microsoft asks.
 */
export interface EntraError {
  /** HTTP status, when the answer came over HTTP. */
  status?: number;
  /** OAuth error class: invalid_client, invalid_request, invalid_tenant, ... */
  error: string;
  /** Entra's error_description, verbatim. */
  description: string;
  /** error_codes, numbers without the AADSTS prefix. */
  codes: number[];
  traceId?: string;
  correlationId?: string;
  timestamp?: string;
  suberror?: string;
  errorUri?: string;
}

export function aadsts(code: number): string {
  return `AADSTS${code}`;
}

/** Parse a token-endpoint or discovery answer body into an EntraError, or undefined if it is not Entra's shape. */
export function parseEntraErrorBody(status: number | undefined, body: string): EntraError | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const o = json as Record<string, unknown>;
  if (typeof o.error !== 'string') return undefined;
  const description = typeof o.error_description === 'string' ? o.error_description : '';
  let codes = Array.isArray(o.error_codes)
    ? o.error_codes.filter((c): c is number => typeof c === 'number' && Number.isFinite(c))
    : [];
  if (codes.length === 0) {
    const m = /AADSTS(\d{4,9})/.exec(description);
    if (m) codes = [Number(m[1])];
  }
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  return {
    status,
    error: o.error,
    description,
    codes,
    traceId: str('trace_id'),
    correlationId: str('correlation_id'),
    timestamp: str('timestamp'),
    suberror: str('suberror'),
    errorUri: str('error_uri'),
  };
}

/** Entra's own text without the Trace ID / Correlation ID / Timestamp tail, for display. */
export function descriptionWithoutTail(description: string): string {
  // indexOf, not a regex with a leading \s*: that backtracks quadratically on long whitespace runs.
  const at = description.indexOf('Trace ID:');
  return (at < 0 ? description : description.slice(0, at)).trim();
}
