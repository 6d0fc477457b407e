import { CallCancelledError, ProviderError, timedOut } from "./errors.js";

export interface RetryPolicy {
  /** Further attempts after the first. */
  maxRetries: number;
  /** Backoff when the provider names no wait: base, 2x base, ... */
  baseDelayMs: number;
  /** A provider asking for a longer wait than this fails the call instead of holding the turn open. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 1000, maxDelayMs: 20_000 };

/**
 * Runs attempt() until it succeeds, fails with a non-retryable error, or the retries are spent. Each attempt
 * records its own billed usage, so retrying never counts a call twice.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
): Promise<T> {
  for (let retry = 0; ; retry += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || retry >= policy.maxRetries) throw error;
      const delay = error.options.retryAfterMs ?? policy.baseDelayMs * 2 ** retry;
      if (delay > policy.maxDelayMs) throw error;
      if (!(await sleepUnlessAborted(delay, signal))) {
        // Out of time while waiting: the provider's own failure explains it best.
        throw timedOut(signal) ? error : new CallCancelledError();
      }
    }
  }
}

/** Resolves true after ms, or false as soon as the signal fires. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
