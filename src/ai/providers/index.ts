import type Anthropic from "@anthropic-ai/sdk";
import type { GoogleGenAI } from "@google/genai";
import type { Config } from "../../config/schema.js";
import { createAnthropicClient } from "./anthropic.js";
import { createGeminiClient } from "./gemini.js";

export interface ProviderClients {
  anthropic: Anthropic;
  gemini: GoogleGenAI;
}

export function createProviderClients(
  config: Pick<
    Config,
    "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL" | "GOOGLE_API_KEY" | "GOOGLE_GEMINI_BASE_URL"
  >,
): ProviderClients {
  return { anthropic: createAnthropicClient(config), gemini: createGeminiClient(config) };
}
