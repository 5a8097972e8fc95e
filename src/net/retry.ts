/**
 * Retry only where a retry can help (network trouble, 5xx, 429), inside a total time budget.
 * Pure timing policy; the loop lives with each caller because what "transient" means differs.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** Exponential backoff with up to 25 % jitter; Retry-After wins when the server gave one. */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random = Math.random,
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, 60_000);
  const base = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(base * (1 + random() * 0.25));
}

/** May another attempt start, given the time it would wait and the time an attempt needs at least? */
export function canRetry(
  attempt: number,
  delayMs: number,
  deadline: number,
  now: number,
  policy: RetryPolicy,
  minAttemptMs = 250,
): boolean {
  return attempt < policy.maxAttempts && now + delayMs + minAttemptMs < deadline;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
