import type {
  GoogleGenAI,
  ContentListUnion,
  GenerateContentConfig,
  GenerateContentResponse,
  Part,
} from "@google/genai";
import type { Config } from "../../config/schema.js";
import type { CallStatus } from "../../db/repo/ledger.js";
import { utf8Bytes } from "../budget/estimate.js";
import type { CostRecorder, EndCall } from "../ledger.js";
import { geminiUsage, type GeminiUsageFields } from "../usage.js";
import { PROVIDER_TIMEOUT_MS } from "./anthropic.js";
import { CallCancelledError, fromGeminiError, ProviderError } from "./errors.js";
import { geminiSdk } from "./sdk.js";

export function createGeminiClient(
  config: Pick<Config, "GOOGLE_API_KEY" | "GOOGLE_GEMINI_BASE_URL">,
): GoogleGenAI {
  // No retryOptions: the SDK then makes exactly one attempt and retry.ts decides about the next.
  return new (geminiSdk().GoogleGenAI)({
    apiKey: config.GOOGLE_API_KEY.reveal(),
    httpOptions: { baseUrl: config.GOOGLE_GEMINI_BASE_URL, timeout: PROVIDER_TIMEOUT_MS },
  });
}

export interface GeminiCall {
  client: GoogleGenAI;
  model: string;
  /** The prompt, or parts when images go along (a brand logo) or attachments as their own parts. */
  contents: ContentListUnion;
  config?: GenerateContentConfig;
  signal: AbortSignal;
  recorder: CostRecorder;
  onText?: (text: string) => void;
}

export interface GeminiImage {
  mimeType: string;
  data: string;
}

export interface GeminiReply {
  text: string;
  images: GeminiImage[];
}

/** Visible text and images of a response, leaving out thought summaries. */
function collectParts(response: GenerateContentResponse): { text: string; images: GeminiImage[] } {
  const parts: Part[] = response.candidates?.[0]?.content?.parts ?? [];
  const text = parts
    .filter((part) => !part.thought && typeof part.text === "string")
    .map((part) => part.text)
    .join("");
  const images = parts.flatMap((part) =>
    part.inlineData?.data && part.inlineData.mimeType?.startsWith("image/")
      ? [{ mimeType: part.inlineData.mimeType, data: part.inlineData.data }]
      : [],
  );
  return { text, images };
}

/** Records the last usageMetadata seen (Gemini's numbers are running totals), once, with the call's outcome. */
class UsageTracker {
  meta: GeminiUsageFields | undefined;
  responseId: string | null = null;
  images = 0;
  status: CallStatus = "error";
  /** The call's spend reservation, held from before the request until its real usage is recorded. */
  readonly endCall: EndCall;
  failure: Error | undefined;

  constructor(private readonly call: GeminiCall) {
    this.endCall = call.recorder.reserve({
      provider: "google",
      model: call.model,
      inputBytes: utf8Bytes(call.contents) + utf8Bytes(call.config?.systemInstruction),
      maxOutputTokens: call.config?.maxOutputTokens,
    });
  }

  seen(response: GenerateContentResponse, images: number): void {
    if (response.usageMetadata) this.meta = response.usageMetadata;
    this.responseId = response.responseId ?? this.responseId;
    this.images += images;
  }

  fail(error: unknown, producedOutput: boolean): Error {
    const failure = fromGeminiError(error, this.call.signal);
    this.failure = failure;
    if (failure instanceof CallCancelledError) {
      this.status = "cancelled";
      return failure;
    }
    return producedOutput && failure instanceof ProviderError ? failure.afterOutput() : failure;
  }

  record(): void {
    if (this.meta) this.recordUsage(this.meta);
    this.endCall(this.status, this.failure);
  }

  private recordUsage(meta: GeminiUsageFields): void {
    this.call.recorder.record({
      provider: "google",
      model: this.call.model,
      requestId: this.responseId,
      usage: geminiUsage(meta, this.images),
      promptTokens: meta.promptTokenCount ?? 0,
      status: this.status,
    });
  }
}

/** A streamed generateContent call (alt=sse), forwarding text as it arrives. */
export async function streamGemini(call: GeminiCall): Promise<GeminiReply> {
  const tracker = new UsageTracker(call);
  const reply: GeminiReply = { text: "", images: [] };
  try {
    const stream = await call.client.models.generateContentStream({
      model: call.model,
      contents: call.contents,
      config: { ...call.config, abortSignal: call.signal },
    });
    for await (const chunk of stream) {
      const { text, images } = collectParts(chunk);
      tracker.seen(chunk, images.length);
      reply.images.push(...images);
      if (text) {
        reply.text += text;
        call.onText?.(text);
      }
    }
    if (call.signal.aborted) throw new CallCancelledError();
    tracker.status = "ok";
    return reply;
  } catch (error) {
    throw tracker.fail(error, reply.text !== "");
  } finally {
    tracker.record();
  }
}

/** A single generateContent call (image generation answers in one piece). */
export async function generateGemini(call: GeminiCall): Promise<GeminiReply> {
  const tracker = new UsageTracker(call);
  try {
    const response = await call.client.models.generateContent({
      model: call.model,
      contents: call.contents,
      config: { ...call.config, abortSignal: call.signal },
    });
    const reply = collectParts(response);
    tracker.seen(response, reply.images.length);
    tracker.status = "ok";
    return reply;
  } catch (error) {
    throw tracker.fail(error, false);
  } finally {
    tracker.record();
  }
}
