import { createRequire } from "node:module";

// The two provider SDKs take about as long to load as the rest of the server, and a server's start is the whole
// outage of a deploy without a proxy: they load on first use (the first turn, or `keys check --live`), not at start.
// require() keeps that first use synchronous; every value use goes through here, so there is one copy of each
// SDK and its error classes match what its clients throw.
const require = createRequire(import.meta.url);

type AnthropicSdk = typeof import("@anthropic-ai/sdk");
type GeminiSdk = typeof import("@google/genai");

let anthropic: AnthropicSdk | undefined;
let gemini: GeminiSdk | undefined;

export function anthropicSdk(): AnthropicSdk {
  return (anthropic ??= require("@anthropic-ai/sdk") as AnthropicSdk);
}

export function geminiSdk(): GeminiSdk {
  return (gemini ??= require("@google/genai") as GeminiSdk);
}
