import { CallCancelledError, ProviderError } from "./errors.js";

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
      await abortableSleep(delay, signal);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new CallCancelledError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CallCancelledError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
