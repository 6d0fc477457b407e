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

/** A 1x1 transparent PNG, the image the fake "draws" unless a step names another. */
export const TINY_PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
/** What one generated image costs in output tokens (1K/2K images are 1120 tokens). */
export const IMAGE_TOKENS = 1120;

/** usageMetadata as the fake reported it for one call (the last, cumulative numbers). */
export interface GeminiReportedUsage {
  model: string;
  promptTokenCount: number;
  cachedContentTokenCount: number;
  candidatesTokenCount: number;
  thoughtsTokenCount: number;
  /** Part of candidatesTokenCount spent on images (candidatesTokensDetails modality IMAGE). */
  imageTokenCount: number;
  images: number;
}

export interface GeminiReply {
  type: "reply";
  text?: string;
  /** Adds one inlineData image part (base64) after the text. */
  image?: { mimeType: string; data: string };
  usage?: { prompt?: number; cached?: number; candidates?: number; thoughts?: number };
  /** Number of SSE chunks the text is streamed in (streamGenerateContent only). */
  chunks?: number;
  /** After this many chunks, send an error chunk (503 UNAVAILABLE) and end the stream. */
  errorAfterChunks?: number;
  /** After this many chunks, stop and keep the connection open until the client leaves. */
  hangAfterChunks?: number;
  delayMs?: number;
  chunkDelayMs?: number;
}

export interface GeminiFailure {
  type: "status";
  /** 429 RESOURCE_EXHAUSTED (with RetryInfo when retryDelayS is set), 500 INTERNAL, 503 UNAVAILABLE. */
  status: 429 | 500 | 503;
  retryDelayS?: number;
}

/** The real 400 INVALID_ARGUMENT answer with reason API_KEY_INVALID. */
export interface GeminiInvalidKey {
  type: "invalid_key";
}

export type GeminiStep = GeminiReply | GeminiFailure | GeminiInvalidKey;

export interface GeminiFake {
  url: string;
  /** Queues scripted answers, consumed one per generateContent / streamGenerateContent call in order. */
  script(...steps: GeminiStep[]): void;
  pending(): number;
  requests: RecordedRequest[];
  reported: GeminiReportedUsage[];
  /** When set, any other x-goog-api-key gets the API_KEY_INVALID answer without consuming a step. */
  acceptedKey?: string;
  reset(): void;
  close(): Promise<void>;
}

const ROUTE = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent)(?:\?(.*))?$/;
const STATUS_NAMES: Record<GeminiFailure["status"], string> = {
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

export async function startGeminiFake(): Promise<GeminiFake> {
  const queue: GeminiStep[] = [];
  const fake: GeminiFake = {
    url: "",
    script: (...steps) => queue.push(...steps),
    pending: () => queue.length,
    requests: [],
    reported: [],
    reset() {
      queue.length = 0;
      fake.requests.length = 0;
      fake.reported.length = 0;
      delete fake.acceptedKey;
    },
    close: async () => undefined,
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJsonBody(request);
    fake.requests.push({
      method: request.method ?? "",
      path: request.url ?? "",
      headers: request.headers,
      body,
    });
    const route = ROUTE.exec(request.url ?? "");
    if (request.method !== "POST" || !route) {
      sendStatus(response, 404, "NOT_FOUND", `fake: no route ${request.method} ${request.url}`);
      return;
    }
    const [, model = "", method, query = ""] = route;
    if (fake.acceptedKey !== undefined && request.headers["x-goog-api-key"] !== fake.acceptedKey) {
      sendInvalidKey(response);
      return;
    }
    const step = queue.shift();
    if (!step) {
      sendStatus(response, 500, "INTERNAL", "fake: no scripted response left");
      return;
    }
    if (step.type === "invalid_key") {
      sendInvalidKey(response);
      return;
    }
    if (step.type === "status") {
      sendFailure(response, step);
      return;
    }
    if (step.delayMs) await sleep(step.delayMs);
    const streamed = method === "streamGenerateContent";
    if (streamed && !new URLSearchParams(query).has("alt", "sse")) {
      sendStatus(response, 400, "INVALID_ARGUMENT", "fake: only alt=sse streaming is spoken here");
      return;
    }
    const call = planCall(model, step, JSON.stringify(body ?? {}));
    if (streamed) await streamCall(response, call);
    else {
      fake.reported.push(call.usageAfter(call.pieces.length));
      sendJson(response, 200, chunkBody(call, call.parts(), call.pieces.length, true));
    }
  }

  async function streamCall(response: ServerResponse, call: PlannedCall): Promise<void> {
    response.writeHead(200, { "content-type": "text/event-stream" });
    const entry = call.usageAfter(0);
    fake.reported.push(entry);
    const { step } = call;
    for (const [index, piece] of call.pieces.entries()) {
      if (index === step.errorAfterChunks) {
        response.end(
          `data: ${JSON.stringify(statusBody(503, "UNAVAILABLE", "The model is overloaded."))}\r\n\r\n`,
        );
        return;
      }
      if (index === step.hangAfterChunks) {
        await untilClosed(response);
        return;
      }
      if (step.chunkDelayMs) await sleep(step.chunkDelayMs);
      const last = index === call.pieces.length - 1;
      Object.assign(entry, call.usageAfter(index + 1));
      const parts = last ? call.parts(piece) : [{ text: piece }];
      response.write(`data: ${JSON.stringify(chunkBody(call, parts, index + 1, last))}\r\n\r\n`);
    }
    response.end();
  }

  const server = await listenFake(handle);
  fake.url = server.url;
  fake.close = () => server.close();
  return fake;
}

interface PlannedCall {
  model: string;
  step: GeminiReply;
  pieces: string[];
  /** Parts of the final chunk: its text piece plus the image, if any. */
  parts(lastPiece?: string): Record<string, unknown>[];
  /** Running usageMetadata after `chunksSent` chunks: prompt numbers at once, candidates growing. */
  usageAfter(chunksSent: number): GeminiReportedUsage;
}

function planCall(model: string, step: GeminiReply, requestText: string): PlannedCall {
  const text = step.text ?? "";
  const pieces = splitText(text, step.chunks ?? 4);
  if (pieces.length === 0) pieces.push("");
  const imageTokens = step.image ? IMAGE_TOKENS : 0;
  const textTokens = step.usage?.candidates ?? tokensOf(text);
  return {
    model,
    step,
    pieces,
    parts(lastPiece = text) {
      const parts: Record<string, unknown>[] = lastPiece ? [{ text: lastPiece }] : [];
      if (step.image) parts.push({ inlineData: step.image });
      return parts;
    },
    usageAfter(chunksSent) {
      const done = chunksSent === pieces.length;
      const candidates = Math.round((textTokens * chunksSent) / pieces.length) + (done ? imageTokens : 0);
      return {
        model,
        promptTokenCount: step.usage?.prompt ?? tokensOf(requestText) + (step.usage?.cached ?? 0),
        cachedContentTokenCount: step.usage?.cached ?? 0,
        candidatesTokenCount: candidates,
        thoughtsTokenCount: step.usage?.thoughts ?? 0,
        imageTokenCount: done ? imageTokens : 0,
        images: done && step.image ? 1 : 0,
      };
    },
  };
}

function chunkBody(
  call: PlannedCall,
  parts: Record<string, unknown>[],
  chunksSent: number,
  last: boolean,
): Record<string, unknown> {
  const usage = call.usageAfter(chunksSent);
  const details = [{ modality: "TEXT", tokenCount: usage.candidatesTokenCount - usage.imageTokenCount }];
  if (usage.imageTokenCount > 0) details.push({ modality: "IMAGE", tokenCount: usage.imageTokenCount });
  return {
    candidates: [
      {
        content: { role: "model", parts },
        index: 0,
        ...(last ? { finishReason: "STOP" } : {}),
      },
    ],
    usageMetadata: {
      promptTokenCount: usage.promptTokenCount,
      candidatesTokenCount: usage.candidatesTokenCount,
      totalTokenCount: usage.promptTokenCount + usage.candidatesTokenCount + usage.thoughtsTokenCount,
      ...(usage.cachedContentTokenCount > 0
        ? { cachedContentTokenCount: usage.cachedContentTokenCount }
        : {}),
      ...(usage.thoughtsTokenCount > 0 ? { thoughtsTokenCount: usage.thoughtsTokenCount } : {}),
      promptTokensDetails: [{ modality: "TEXT", tokenCount: usage.promptTokenCount }],
      candidatesTokensDetails: details,
    },
    modelVersion: call.model,
    responseId: randomUUID().replace(/-/g, "").slice(0, 22),
  };
}

function statusBody(code: number, status: string, message: string, details?: unknown[]) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  response.end(JSON.stringify(body));
}

function sendStatus(response: ServerResponse, code: number, status: string, message: string): void {
  sendJson(response, code, statusBody(code, status, message));
}

function sendFailure(response: ServerResponse, step: GeminiFailure): void {
  const details =
    step.retryDelayS === undefined
      ? undefined
      : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${step.retryDelayS}s` }];
  sendJson(
    response,
    step.status,
    statusBody(step.status, STATUS_NAMES[step.status], `fake ${step.status}`, details),
  );
}

function sendInvalidKey(response: ServerResponse): void {
  sendJson(
    response,
    400,
    statusBody(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "API_KEY_INVALID",
        domain: "googleapis.com",
        metadata: { service: "generativelanguage.googleapis.com" },
      },
    ]),
  );
}
