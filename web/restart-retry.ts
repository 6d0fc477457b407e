import { ApiFailure } from "./api.js";

/** How many times the page sends a turn again by itself while the server restarts for an update. */
export const RESTART_RETRIES = 5;
const DEFAULT_WAIT_S = 5;

/** True for a send the server refused because it is stopping for an update: nothing was stored, send it again. */
export function isRestarting(error: unknown): error is ApiFailure {
  return error instanceof ApiFailure && error.code === "server_restarting";
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(new DOMException("cancelled while waiting", "AbortError"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", aborted);
      resolve();
    }, ms);
    if (signal.aborted) aborted();
    else signal.addEventListener("abort", aborted, { once: true });
  });
}

/**
 * Runs send; while the server answers 503 server_restarting, waits its Retry-After (abortable) and sends again, at
 * most RESTART_RETRIES times. onWait hears each wait, to tell the user. The last refusal is thrown.
 */
export async function sendThroughRestart(
  send: () => Promise<void>,
  signal: AbortSignal,
  onWait: (seconds: number, retry: number) => void,
): Promise<void> {
  for (let retry = 1; ; retry += 1) {
    try {
      await send();
      return;
    } catch (error) {
      if (!isRestarting(error) || retry > RESTART_RETRIES) throw error;
      const seconds = error.retryAfterS ?? DEFAULT_WAIT_S;
      onWait(seconds, retry);
      await wait(seconds * 1000, signal);
    }
  }
}
