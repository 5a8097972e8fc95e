import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_RETRY, canRetry, retryDelayMs, sleep, type RetryPolicy } from '../../src/net/retry.js';

const P: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };
const noJitter = () => 0;
const maxJitter = () => 0.999999;

describe('retryDelayMs', () => {
  it.each([
    [1, 500],
    [2, 1000],
    [3, 2000],
    [4, 4000],
    [5, 8000],
    [6, 8000],
    [30, 8000],
  ])('attempt %i without jitter waits %i ms', (attempt, ms) => {
    expect(retryDelayMs(attempt, P, undefined, noJitter)).toBe(ms);
  });

  it.each([
    [1, 625],
    [3, 2500],
    [10, 10_000],
  ])('attempt %i with the most jitter waits %i ms (25 %% more)', (attempt, ms) => {
    expect(retryDelayMs(attempt, P, undefined, maxJitter)).toBe(ms);
  });

  it('Retry-After wins over the backoff, whatever the jitter', () => {
    expect(retryDelayMs(1, P, 3000, maxJitter)).toBe(3000);
    expect(retryDelayMs(5, P, 100, maxJitter)).toBe(100);
  });

  it('Retry-After: 0 means now', () => {
    expect(retryDelayMs(3, P, 0, maxJitter)).toBe(0);
  });

  it('Retry-After is capped at 60 s', () => {
    expect(retryDelayMs(1, P, 3_600_000)).toBe(60_000);
    expect(retryDelayMs(1, P, Number.POSITIVE_INFINITY)).toBe(60_000);
  });

  it('a negative or NaN Retry-After is ignored', () => {
    expect(retryDelayMs(2, P, -1, noJitter)).toBe(1000);
    expect(retryDelayMs(2, P, Number.NaN, noJitter)).toBe(1000);
  });

  it('uses the injected random source only for jitter', () => {
    const random = vi.fn(() => 0.5);
    expect(retryDelayMs(2, P, undefined, random)).toBe(1125);
    expect(random).toHaveBeenCalledTimes(1);
    random.mockClear();
    retryDelayMs(2, P, 10, random);
    expect(random).not.toHaveBeenCalled();
  });

  it('the default policy', () => {
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 });
  });

  it('property: delay within [base, 1.25 × base], base = min(baseDelay × 2^(n-1), maxDelay)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseDelayMs, maxDelayMs, r) => {
          const policy = { maxAttempts: 5, baseDelayMs, maxDelayMs };
          const base = Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs);
          const d = retryDelayMs(attempt, policy, undefined, () => r);
          expect(d).toBeGreaterThanOrEqual(Math.round(base));
          expect(d).toBeLessThanOrEqual(Math.round(base * 1.25));
          expect(Number.isInteger(d)).toBe(true);
        },
      ),
    );
  });

  it('property: non-decreasing in the attempt number for a fixed jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          expect(retryDelayMs(n + 1, P, undefined, () => r)).toBeGreaterThanOrEqual(
            retryDelayMs(n, P, undefined, () => r),
          );
        },
      ),
    );
  });
});

describe('canRetry', () => {
  const now = 1_000_000;
  it.each([
    ['time and attempts left', 1, 500, now + 10_000, true],
    ['last attempt used', 5, 500, now + 10_000, false],
    ['past the attempt limit', 6, 0, now + 10_000, false],
    ['the wait alone passes the deadline', 1, 10_000, now + 9_000, false],
    ['wait + minimum attempt time exactly reach the deadline', 1, 500, now + 750, false],
    ['one millisecond to spare', 1, 500, now + 751, true],
    ['deadline already passed', 1, 0, now - 1, false],
  ])('%s', (_label, attempt, delay, deadline, ok) => {
    expect(canRetry(attempt, delay, deadline, now, P)).toBe(ok);
  });

  it('takes a custom minimum attempt time', () => {
    expect(canRetry(1, 0, now + 1000, now, P, 2000)).toBe(false);
    expect(canRetry(1, 0, now + 1000, now, P, 0)).toBe(true);
  });

  it('property: a retry never starts unless it can finish its minimum before the deadline', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 70_000 }),
        fc.integer({ min: -5000, max: 100_000 }),
        (attempt, delay, budget) => {
          if (canRetry(attempt, delay, now + budget, now, P)) {
            expect(attempt).toBeLessThan(P.maxAttempts);
            expect(now + delay + 250).toBeLessThan(now + budget);
          }
        },
      ),
    );
  });
});

describe('sleep', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves after the given time', async () => {
    vi.useFakeTimers();
    let done = false;
    const p = sleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });
});
