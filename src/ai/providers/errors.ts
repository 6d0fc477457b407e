import type { Provider } from "../../db/repo/ledger.js";
import { anthropicSdk, geminiSdk } from "./sdk.js";

export type ProviderErrorKind =
  "rate_limited" | "overloaded" | "auth" | "rejected" | "timeout" | "unreachable" | "failed";

/** Shown to users: never the upstream body, which may quote the request or name the key. */
const SAFE_MESSAGES: Record<ProviderErrorKind, string> = {
  rate_limited: "is rate limiting this server; try again in a minute",
  overloaded: "is overloaded right now; try again shortly",
  auth: "rejected this server's API key; an operator must fix the key",
  rejected: "refused the request",
  timeout: "did not answer in time",
  unreachable: "could not be reached",
  failed: "failed while answering",
};

const PROVIDER_NAMES: Record<Provider, string> = {
  anthropic: "Claude (Anthropic)",
  google: "Gemini (Google)",
};

/** A provider call that failed, reduced to what callers may act on and show. */
export class ProviderError extends Error {
  constructor(
    readonly provider: Provider,
    readonly kind: ProviderErrorKind,
    readonly options: { status?: number; retryAfterMs?: number; afterOutput?: boolean } = {},
  ) {
    super(`${PROVIDER_NAMES[provider]} ${SAFE_MESSAGES[kind]}`);
    this.name = "ProviderError";
  }

  get code(): string {
    return `provider_${this.kind}`;
  }

  /** Never once output reached the user: a second answer would repeat the text they already saw. */
  get retryable(): boolean {
    if (this.options.afterOutput) return false;
    return this.kind === "rate_limited" || this.kind === "overloaded" || this.kind === "unreachable";
  }

  afterOutput(): ProviderError {
    return new ProviderError(this.provider, this.kind, { ...this.options, afterOutput: true });
  }
}

/** The client went away (or the server is stopping): the turn ends without a version and without retries. */
export class CallCancelledError extends Error {
  constructor() {
    super("the request was cancelled");
    this.name = "CallCancelledError";
  }
}

/** The turn's deadline passed (AbortSignal.timeout), as opposed to the client leaving. */
export function timedOut(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === "TimeoutError";
}

/** Why a call whose signal fired stopped: a provider timeout (not retried) or a cancellation. */
export function abortedCall(provider: Provider, signal: AbortSignal): ProviderError | CallCancelledError {
  return timedOut(signal)
    ? new ProviderError(provider, "timeout", { afterOutput: true })
    : new CallCancelledError();
}

function kindForStatus(status: number | undefined, type: string | null | undefined): ProviderErrorKind {
  if (status === 429 || type === "rate_limit_error") return "rate_limited";
  if (status === 529 || status === 503 || type === "overloaded_error") return "overloaded";
  if (status === 401 || status === 403 || type === "authentication_error" || type === "permission_error")
    return "auth";
  if (status !== undefined && status >= 400 && status < 500) return "rejected";
  return "failed";
}

/** Seconds (or an HTTP date) from a retry-after header. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function fromAnthropicError(error: unknown): ProviderError | CallCancelledError {
  const Anthropic = anthropicSdk().default;
  if (error instanceof Anthropic.APIUserAbortError) return new CallCancelledError();
  if (error instanceof Anthropic.APIConnectionTimeoutError) return new ProviderError("anthropic", "timeout");
  if (error instanceof Anthropic.APIConnectionError) return new ProviderError("anthropic", "unreachable");
  if (error instanceof Anthropic.APIError) {
    return new ProviderError("anthropic", kindForStatus(error.status, error.type), {
      status: error.status,
      retryAfterMs: parseRetryAfter(error.headers?.get("retry-after")),
    });
  }
  return new ProviderError("anthropic", "failed");
}

/** Google puts the wait in the body: error.details[] of type RetryInfo, retryDelay "37s". */
function geminiRetryDelayMs(message: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(message);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

export function fromGeminiError(error: unknown, signal: AbortSignal): ProviderError | CallCancelledError {
  if (signal.aborted) return abortedCall("google", signal);
  if (error instanceof geminiSdk().ApiError) {
    const invalidKey = /API_KEY_INVALID|PERMISSION_DENIED|UNAUTHENTICATED/.test(error.message);
    return new ProviderError("google", invalidKey ? "auth" : kindForStatus(error.status, undefined), {
      status: error.status,
      retryAfterMs: geminiRetryDelayMs(error.message),
    });
  }
  if (error instanceof Error && /timed? ?out|timeout/i.test(`${error.name} ${error.message}`)) {
    return new ProviderError("google", "timeout");
  }
  if (error instanceof TypeError) return new ProviderError("google", "unreachable");
  return new ProviderError("google", "failed");
}
