import type Anthropic from "@anthropic-ai/sdk";
import type {
  MessageCreateParamsStreaming,
  RawMessageStreamEvent,
} from "@anthropic-ai/sdk/resources/messages";
import type { Config } from "../../config/schema.js";
import type { CallStatus, TokenUsage } from "../../db/repo/ledger.js";
import { utf8Bytes } from "../budget/estimate.js";
import type { CostRecorder } from "../ledger.js";
import { mergeAnthropicUsage, ZERO_USAGE } from "../usage.js";
import { abortedCall, CallCancelledError, fromAnthropicError, ProviderError } from "./errors.js";
import { anthropicSdk } from "./sdk.js";

/** Wait for the first byte of an answer; streams then run as long as tokens keep coming. */
export const PROVIDER_TIMEOUT_MS = 300_000;

export function createAnthropicClient(
  config: Pick<Config, "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL">,
): Anthropic {
  return new (anthropicSdk().default)({
    apiKey: config.ANTHROPIC_API_KEY.reveal(),
    baseURL: config.ANTHROPIC_BASE_URL,
    timeout: PROVIDER_TIMEOUT_MS,
    // Retries are ours (retry.ts): each attempt is billed on its own row.
    maxRetries: 0,
  });
}

export type ClaudeBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown; json: string };

export interface ClaudeReply {
  blocks: ClaudeBlock[];
  stopReason: string | null;
}

export interface ClaudeCall {
  client: Anthropic;
  params: Omit<MessageCreateParamsStreaming, "stream">;
  signal: AbortSignal;
  recorder: CostRecorder;
  onText?: (text: string) => void;
}

/** Accumulates a streamed Messages answer; usage comes from message_start and the final message_delta. */
class ReplyBuilder {
  readonly blocks: ClaudeBlock[] = [];
  usage: TokenUsage | undefined;
  stopReason: string | null = null;
  streamedText = false;

  apply(event: RawMessageStreamEvent, onText?: (text: string) => void): void {
    switch (event.type) {
      case "message_start":
        this.usage = mergeAnthropicUsage(ZERO_USAGE, event.message.usage);
        break;
      case "message_delta":
        this.usage = mergeAnthropicUsage(this.usage ?? ZERO_USAGE, event.usage);
        this.stopReason = event.delta.stop_reason;
        break;
      case "content_block_start":
        if (event.content_block.type === "text") this.blocks[event.index] = { type: "text", text: "" };
        if (event.content_block.type === "tool_use") {
          const { id, name } = event.content_block;
          this.blocks[event.index] = { type: "tool_use", id, name, input: undefined, json: "" };
        }
        break;
      case "content_block_delta":
        this.applyDelta(this.blocks[event.index], event.delta, onText);
        break;
      case "content_block_stop": {
        const block = this.blocks[event.index];
        if (block?.type === "tool_use") block.input = parseToolInput(block.json);
        break;
      }
      default:
        break;
    }
  }

  private applyDelta(
    block: ClaudeBlock | undefined,
    delta: Extract<RawMessageStreamEvent, { type: "content_block_delta" }>["delta"],
    onText?: (text: string) => void,
  ): void {
    if (block?.type === "text" && delta.type === "text_delta") {
      block.text += delta.text;
      this.streamedText = true;
      onText?.(delta.text);
    }
    if (block?.type === "tool_use" && delta.type === "input_json_delta") block.json += delta.partial_json;
  }
}

function parseToolInput(json: string): unknown {
  try {
    return JSON.parse(json || "{}") as unknown;
  } catch {
    return undefined;
  }
}

/**
 * One streamed Messages call. Whatever usage the stream reported is recorded once, whether the call finishes
 * (ok), the client leaves (cancelled) or the stream breaks (error); a call refused before streaming reported
 * nothing and records nothing.
 */
export async function streamClaude(call: ClaudeCall): Promise<ClaudeReply> {
  const reply = new ReplyBuilder();
  let requestId: string | null = null;
  let status: CallStatus = "error";
  let failure: unknown;
  const { model, max_tokens: maxOutputTokens, ...sent } = call.params;
  const endCall = call.recorder.reserve({
    provider: "anthropic",
    model,
    inputBytes: utf8Bytes(sent),
    maxOutputTokens,
  });
  try {
    const { data: stream, request_id } = await call.client.messages
      .create({ ...call.params, stream: true }, { signal: call.signal })
      .withResponse();
    requestId = request_id ?? null;
    for await (const event of stream) reply.apply(event, call.onText);
    if (call.signal.aborted) throw new CallCancelledError();
    status = "ok";
    return { blocks: reply.blocks.filter(Boolean), stopReason: reply.stopReason };
  } catch (error) {
    failure = call.signal.aborted ? abortedCall("anthropic", call.signal) : fromAnthropicError(error);
    if (failure instanceof CallCancelledError) status = "cancelled";
    throw reply.streamedText && failure instanceof ProviderError ? failure.afterOutput() : failure;
  } finally {
    if (reply.usage) {
      call.recorder.record({
        provider: "anthropic",
        model: call.params.model,
        requestId,
        usage: reply.usage,
        status,
      });
    }
    endCall(status, failure);
  }
}

export function replyText(reply: ClaudeReply): string {
  return reply.blocks
    .flatMap((block) => (block.type === "text" ? [block.text] : []))
    .join("")
    .trim();
}
