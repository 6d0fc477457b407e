import type { ApiError as GoogleApiError } from "@google/genai";
import { anthropicSdk, geminiSdk } from "../../ai/providers/sdk.js";

export type LiveStatus = "ok" | "invalid_key" | "forbidden" | "rate_limited" | "unreachable" | "error";

export interface LiveResult {
  status: LiveStatus;
  latencyMs: number;
  detail: string;
  /** Models on the first page of the listing (ok only). */
  models?: number;
}

export interface ProbeInput {
  key: string;
  baseUrl?: string;
  timeoutMs: number;
}

type Outcome = Omit<LiveResult, "latencyMs">;

/** Lists models with the real SDK: no retries, a short timeout, so a check answers within timeoutMs. */
async function listAnthropicModels(input: ProbeInput): Promise<number> {
  const client = new (anthropicSdk().default)({
    apiKey: input.key,
    authToken: null,
    baseURL: input.baseUrl,
    maxRetries: 0,
    timeout: input.timeoutMs,
  });
  const page = await client.models.list({ limit: 100 });
  return page.data.length;
}

async function listGeminiModels(input: ProbeInput): Promise<number> {
  const ai = new (geminiSdk().GoogleGenAI)({
    apiKey: input.key,
    httpOptions: {
      ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}),
      timeout: input.timeoutMs,
      retryOptions: { attempts: 1 },
    },
  });
  const pager = await ai.models.list({ config: { pageSize: 100 } });
  return pager.page.length;
}

function connectionDetail(error: unknown, timeoutMs: number): string {
  const cause = (error as { cause?: { code?: string; cause?: { code?: string } } }).cause;
  const code = cause?.code ?? cause?.cause?.code;
  if (error instanceof anthropicSdk().APIConnectionTimeoutError || (error as Error).name === "AbortError")
    return `no answer within ${timeoutMs / 1000} s`;
  return code ? `connection failed (${code})` : "connection failed";
}

function classifyAnthropic(error: unknown, timeoutMs: number): Outcome {
  const Anthropic = anthropicSdk().default;
  if (error instanceof Anthropic.APIConnectionError)
    return { status: "unreachable", detail: connectionDetail(error, timeoutMs) };
  if (!(error instanceof Anthropic.APIError)) throw error;
  const what = `HTTP ${error.status ?? "?"}${error.type ? ` ${error.type}` : ""}`;
  if (error instanceof Anthropic.AuthenticationError) return { status: "invalid_key", detail: what };
  if (error instanceof Anthropic.PermissionDeniedError) return { status: "forbidden", detail: what };
  if (error instanceof Anthropic.RateLimitError) {
    const retryAfter = error.headers?.get("retry-after");
    return { status: "rate_limited", detail: retryAfter ? `${what}, retry after ${retryAfter} s` : what };
  }
  return { status: "error", detail: what };
}

/** Gemini's ApiError carries the JSON body as its message: read status and reason from it. */
function googleErrorBody(error: GoogleApiError): { status?: string; reason?: string } {
  try {
    const body = JSON.parse(error.message) as {
      error?: { status?: string; details?: { reason?: string }[] };
    };
    return {
      status: body.error?.status,
      reason: body.error?.details?.find((detail) => detail.reason)?.reason,
    };
  } catch {
    return {};
  }
}

function classifyGemini(error: unknown, timeoutMs: number): Outcome {
  if (!(error instanceof geminiSdk().ApiError)) {
    if (error instanceof TypeError || (error as Error).name === "AbortError")
      return { status: "unreachable", detail: connectionDetail(error, timeoutMs) };
    throw error;
  }
  const body = googleErrorBody(error);
  const what = [`HTTP ${error.status}`, body.status, body.reason].filter(Boolean).join(" ");
  if (error.status === 401 || body.reason === "API_KEY_INVALID")
    return { status: "invalid_key", detail: what };
  if (error.status === 403) return { status: "forbidden", detail: what };
  if (error.status === 429) return { status: "rate_limited", detail: what };
  return { status: "error", detail: what };
}

async function timed(
  list: (input: ProbeInput) => Promise<number>,
  classify: (error: unknown, timeoutMs: number) => Outcome,
  input: ProbeInput,
): Promise<LiveResult> {
  const started = performance.now();
  let outcome: Outcome;
  try {
    const models = await list(input);
    outcome = { status: "ok", detail: `${models} models listed`, models };
  } catch (error) {
    outcome = classify(error, input.timeoutMs);
  }
  return { ...outcome, latencyMs: Math.round(performance.now() - started) };
}

export function probeAnthropic(input: ProbeInput): Promise<LiveResult> {
  return timed(listAnthropicModels, classifyAnthropic, input);
}

export function probeGemini(input: ProbeInput): Promise<LiveResult> {
  return timed(listGeminiModels, classifyGemini, input);
}
