import type Anthropic from "@anthropic-ai/sdk";
import type { GoogleGenAI } from "@google/genai";
import type { Config } from "../../config/schema.js";
import { createAnthropicClient } from "./anthropic.js";
import { createGeminiClient } from "./gemini.js";

export interface ProviderClients {
  readonly anthropic: Anthropic;
  readonly gemini: GoogleGenAI;
}

/** Each client is made on first use, which loads its SDK (sdk.ts): not at the server's start. */
export function createProviderClients(
  config: Pick<
    Config,
    "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL" | "GOOGLE_API_KEY" | "GOOGLE_GEMINI_BASE_URL"
  >,
): ProviderClients {
  let anthropic: Anthropic | undefined;
  let gemini: GoogleGenAI | undefined;
  return {
    get anthropic() {
      return (anthropic ??= createAnthropicClient(config));
    },
    get gemini() {
      return (gemini ??= createGeminiClient(config));
    },
  };
}
