import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  listenFake,
  readJsonBody,
  sleep,
  splitText,
  tokensOf,
  untilClosed,
  type RecordedRequest,
} from "./http.js";

/** The four usage numbers the Messages API reports, as the fake reported them for one call. */
export interface AnthropicReportedUsage {
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface AnthropicReply {
  type: "reply";
  /** A text block, streamed as several text_delta events. */
  text?: string;
  /** tool_use blocks after the text, their input streamed as input_json_delta pieces. */
  toolCalls?: { name: string; input: unknown }[];
  /** Overrides of the reported usage; by default input is ~body/4 and output ~generated/4. */
  usage?: { input?: number; output?: number; cacheWrite?: number; cacheRead?: number };
  /** After this many content deltas, send a mid-stream `error` event (overloaded_error) and end. */
  errorAfterDeltas?: number;
  /** After this many content deltas, stop sending and keep the connection open until the client leaves. */
  hangAfterDeltas?: number;
  /** Wait before answering (lets tests exercise heartbeats and concurrent turns). */
  delayMs?: number;
  /** Wait between streamed events. */
  eventDelayMs?: number;
}

export interface AnthropicFailure {
  type: "status";
  /** 429 rate_limit_error, 529 overloaded_error, 500 api_error, 401 authentication_error, 400 invalid_request_error. */
  status: 400 | 401 | 429 | 500 | 529;
  retryAfterS?: number;
}

export type AnthropicStep = AnthropicReply | AnthropicFailure;

const ERROR_TYPES: Record<AnthropicFailure["status"], string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

export interface AnthropicFake {
  url: string;
  /** Queues scripted answers, consumed one per POST /v1/messages in order. */
  script(...steps: AnthropicStep[]): void;
  /** Steps not yet consumed (tests assert 0 at the end). */
  pending(): number;
  requests: RecordedRequest[];
  /** One entry per call that reported usage: the last cumulative numbers the fake sent. */
  reported: AnthropicReportedUsage[];
  reset(): void;
  close(): Promise<void>;
}

interface Block {
  start: Record<string, unknown>;
  deltas: Record<string, unknown>[];
}

export async function startAnthropicFake(): Promise<AnthropicFake> {
  const queue: AnthropicStep[] = [];
  const requests: RecordedRequest[] = [];
  const reported: AnthropicReportedUsage[] = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = (await readJsonBody(request)) as Record<string, unknown> | undefined;
    requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body });
    if (request.method !== "POST" || !request.url?.startsWith("/v1/messages")) {
      sendError(response, 404, "not_found_error", `fake: no route ${request.method} ${request.url}`);
      return;
    }
    const sampling = ["temperature", "top_p", "top_k"].find((key) => body && key in body);
    if (sampling && request.headers["anthropic-version"] === "2026-10-21") {
      sendError(response, 400, "invalid_request_error", `${sampling}: Extra inputs are not permitted`);
      return;
    }
    const step = queue.shift();
    if (!step) {
      sendError(response, 500, "api_error", "fake: no scripted response left");
      return;
    }
    if (step.type === "status") {
      const headers: Record<string, string> =
        step.retryAfterS === undefined ? {} : { "retry-after": String(step.retryAfterS) };
      sendError(response, step.status, ERROR_TYPES[step.status], `fake ${step.status}`, headers);
      return;
    }
    if (step.delayMs) await sleep(step.delayMs);
    const model = typeof body?.model === "string" ? body.model : "unknown";
    const usage: AnthropicReportedUsage = {
      model,
      input_tokens: step.usage?.input ?? tokensOf(JSON.stringify(body ?? {})),
      output_tokens: 1,
      cache_creation_input_tokens: step.usage?.cacheWrite ?? 0,
      cache_read_input_tokens: step.usage?.cacheRead ?? 0,
    };
    const blocks = buildBlocks(step);
    const finalOutput = step.usage?.output ?? tokensOf(JSON.stringify(blocks.map((block) => block.deltas)));
    const stopReason = step.toolCalls?.length ? "tool_use" : "end_turn";
    const messageId = `msg_fake_${randomUUID().slice(0, 8)}`;
    if (body?.stream !== true) {
      reported.push({ ...usage, output_tokens: finalOutput });
      sendJson(response, 200, {
        id: messageId,
        type: "message",
        role: "assistant",
        model,
        content: finalContent(step),
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { ...withoutModel(usage), output_tokens: finalOutput },
      });
      return;
    }
    await streamMessage(response, { step, usage, blocks, finalOutput, stopReason, messageId, model });
  }

  async function streamMessage(
    response: ServerResponse,
    call: {
      step: AnthropicReply;
      usage: AnthropicReportedUsage;
      blocks: Block[];
      finalOutput: number;
      stopReason: string;
      messageId: string;
      model: string;
    },
  ): Promise<void> {
    const { step, usage } = call;
    response.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "request-id": `req_fake_${randomUUID().slice(0, 8)}`,
    });
    const send = async (event: string, data: Record<string, unknown>) => {
      if (step.eventDelayMs) await sleep(step.eventDelayMs);
      response.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    };
    const entry: AnthropicReportedUsage = { ...usage };
    reported.push(entry);
    await send("message_start", {
      message: {
        id: call.messageId,
        type: "message",
        role: "assistant",
        model: call.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: withoutModel(usage),
      },
    });
    await send("ping", {});
    let deltasSent = 0;
    for (const [index, block] of call.blocks.entries()) {
      await send("content_block_start", { index, content_block: block.start });
      for (const delta of block.deltas) {
        if (deltasSent === step.errorAfterDeltas) {
          await send("error", { error: { type: "overloaded_error", message: "Overloaded" } });
          response.end();
          return;
        }
        if (deltasSent === step.hangAfterDeltas) {
          await untilClosed(response);
          return;
        }
        await send("content_block_delta", { index, delta });
        deltasSent += 1;
      }
      await send("content_block_stop", { index });
    }
    entry.output_tokens = call.finalOutput;
    await send("message_delta", {
      delta: { stop_reason: call.stopReason, stop_sequence: null },
      usage: { output_tokens: call.finalOutput },
    });
    await send("message_stop", {});
    response.end();
  }

  const server = await listenFake(handle);
  return {
    url: server.url,
    script: (...steps) => queue.push(...steps),
    pending: () => queue.length,
    requests,
    reported,
    reset() {
      queue.length = 0;
      requests.length = 0;
      reported.length = 0;
    },
    close: () => server.close(),
  };
}

function buildBlocks(step: AnthropicReply): Block[] {
  const blocks: Block[] = [];
  if (step.text !== undefined) {
    blocks.push({
      start: { type: "text", text: "" },
      deltas: splitText(step.text, 4).map((text) => ({ type: "text_delta", text })),
    });
  }
  for (const call of step.toolCalls ?? []) {
    blocks.push({
      start: { type: "tool_use", id: toolUseId(), name: call.name, input: {} },
      deltas: splitText(JSON.stringify(call.input), 3).map((partial_json) => ({
        type: "input_json_delta",
        partial_json,
      })),
    });
  }
  return blocks;
}

function finalContent(step: AnthropicReply): unknown[] {
  const content: unknown[] = [];
  if (step.text !== undefined) content.push({ type: "text", text: step.text });
  for (const call of step.toolCalls ?? []) {
    content.push({ type: "tool_use", id: toolUseId(), name: call.name, input: call.input });
  }
  return content;
}

function toolUseId(): string {
  return `toolu_fake_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
}

function withoutModel(usage: AnthropicReportedUsage): Omit<AnthropicReportedUsage, "model"> {
  const { model: _model, ...rest } = usage;
  return rest;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers = {}): void {
  response.writeHead(status, {
    "content-type": "application/json",
    "request-id": `req_fake_${randomUUID().slice(0, 8)}`,
    ...headers,
  });
  response.end(JSON.stringify(body));
}

function sendError(
  response: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, { type: "error", error: { type, message } }, headers);
}
