import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { ApiError, GoogleGenAI } from "@google/genai";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY } from "../helpers/env.js";
import { startProviderFakes, TINY_PNG_BASE64, type ProviderFakes } from "../fakes/index.js";

/** The fakes are only useful if the real SDKs parse them exactly like the real APIs. */
describe("provider fakes through the real SDKs", () => {
  let fakes: ProviderFakes;
  let claude: Anthropic;
  let gemini: GoogleGenAI;
  before(async () => {
    fakes = await startProviderFakes();
    claude = new Anthropic({
      apiKey: FAKE_ANTHROPIC_KEY,
      baseURL: fakes.env.ANTHROPIC_BASE_URL,
      maxRetries: 0,
    });
    gemini = new GoogleGenAI({
      apiKey: FAKE_GOOGLE_KEY,
      httpOptions: { baseUrl: fakes.env.GOOGLE_GEMINI_BASE_URL },
    });
  });
  after(() => fakes.close());
  beforeEach(() => fakes.reset());

  it("streams Anthropic text and tool_use blocks that the SDK accumulates", async () => {
    fakes.anthropic.script({
      type: "reply",
      text: "Editing now.",
      toolCalls: [{ name: "html_replace", input: { old_text: "Hello", new_text: "Hi" } }],
      usage: { input: 1200, output: 80, cacheWrite: 300, cacheRead: 900 },
    });
    const stream = claude.messages.stream({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: "x" }],
    });
    const message = await stream.finalMessage();
    assert.equal(message.stop_reason, "tool_use");
    assert.deepEqual(message.content[0], { type: "text", text: "Editing now." });
    const tool = message.content[1];
    assert.equal(tool?.type, "tool_use");
    assert.deepEqual(tool?.type === "tool_use" && tool.input, { old_text: "Hello", new_text: "Hi" });
    assert.equal(message.usage.input_tokens, 1200);
    assert.equal(message.usage.output_tokens, 80);
    assert.equal(message.usage.cache_creation_input_tokens, 300);
    assert.equal(message.usage.cache_read_input_tokens, 900);
    assert.deepEqual(fakes.anthropic.reported, [
      {
        model: "claude-sonnet-4-5",
        input_tokens: 1200,
        output_tokens: 80,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 900,
      },
    ]);
  });

  it("answers 429 with retry-after and a mid-stream error event as the SDK expects", async () => {
    fakes.anthropic.script(
      { type: "status", status: 429, retryAfterS: 7 },
      { type: "reply", text: "abcdefgh", errorAfterDeltas: 2 },
    );
    const params = { model: "m", max_tokens: 10, messages: [{ role: "user" as const, content: "x" }] };
    const limited = await claude.messages.create(params).catch((error: unknown) => error);
    assert.ok(limited instanceof Anthropic.RateLimitError);
    assert.equal(limited.headers?.get("retry-after"), "7");
    const stream = await claude.messages.create({ ...params, stream: true });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((error: unknown) => error);
    assert.ok(failure instanceof Anthropic.APIError);
    assert.match(String(failure.message), /overloaded_error/);
    assert.deepEqual(seen, [
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
    ]);
    assert.equal(fakes.anthropic.reported.length, 1, "only the stream that started reported usage");
    assert.equal(fakes.anthropic.reported[0]?.output_tokens, 1);
  });

  it("streams Gemini text with running usageMetadata incl. cached and thinking tokens", async () => {
    fakes.gemini.script({
      type: "reply",
      text: "<html>hello world</html>",
      chunks: 3,
      usage: { prompt: 5000, cached: 1000, candidates: 30, thoughts: 200 },
    });
    const stream = await gemini.models.generateContentStream({
      model: "gemini-2.5-pro",
      contents: "make a page",
    });
    let text = "";
    let last: unknown;
    for await (const chunk of stream) {
      text += chunk.text ?? "";
      last = chunk.usageMetadata;
    }
    assert.equal(text, "<html>hello world</html>");
    assert.deepEqual(
      {
        ...(last as Record<string, unknown>),
        promptTokensDetails: undefined,
        candidatesTokensDetails: undefined,
      },
      {
        promptTokenCount: 5000,
        candidatesTokenCount: 30,
        totalTokenCount: 5230,
        cachedContentTokenCount: 1000,
        thoughtsTokenCount: 200,
        promptTokensDetails: undefined,
        candidatesTokensDetails: undefined,
      },
    );
    assert.equal(fakes.gemini.reported[0]?.candidatesTokenCount, 30);
  });

  it("returns an image as inlineData and rejects a bad key with API_KEY_INVALID", async () => {
    fakes.gemini.script(
      { type: "reply", text: "Here it is.", image: { mimeType: "image/png", data: TINY_PNG_BASE64 } },
      { type: "invalid_key" },
    );
    const response = await gemini.models.generateContent({
      model: "gemini-3-pro-image-preview",
      contents: "a cat",
    });
    const image = response.candidates?.[0]?.content?.parts?.find((part) => part.inlineData);
    assert.equal(image?.inlineData?.data, TINY_PNG_BASE64);
    assert.equal(fakes.gemini.reported[0]?.images, 1);
    const failure = await gemini.models
      .generateContent({ model: "gemini-2.5-pro", contents: "x" })
      .catch((error: unknown) => error);
    assert.ok(failure instanceof ApiError);
    assert.equal(failure.status, 400);
    assert.match(failure.message, /API_KEY_INVALID/);
  });
});
