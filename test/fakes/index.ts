/**
 * Provider fakes: real HTTP servers on 127.0.0.1 that speak the Anthropic Messages and Gemini wire formats, reached
 * through the real SDKs by pointing ANTHROPIC_BASE_URL / GOOGLE_GEMINI_BASE_URL at them.
 *
 *   const fakes = await startProviderFakes();
 *   const t = createTestApp({ ...fakes.env });            // the app's SDK clients now talk to the fakes
 *   fakes.gemini.script({ type: "reply", text: "<!DOCTYPE html>..." });
 *   fakes.anthropic.script(
 *     { type: "status", status: 429, retryAfterS: 0 },      // answered before the stream: no usage
 *     { type: "reply", toolCalls: [{ name: "html_replace", input: { old_text: "a", new_text: "b" } }] },
 *     { type: "reply", text: "Changed a to b." },
 *   );
 *   ...
 *   fakes.anthropic.reported / fakes.gemini.reported       // usage each call reported, to compare with the ledger
 *   fakes.anthropic.requests / fakes.gemini.requests       // what the SDKs sent (JSON bodies, headers)
 *   fakes.reset();                                         // between tests: clears queues, requests, tallies
 *   await fakes.close();
 *
 * Steps are consumed in order, one per HTTP call; an empty queue answers 500 (so a test that expects fewer calls
 * fails loudly). Step shapes: AnthropicStep in ./anthropic.ts, GeminiStep in ./gemini.ts (replies with text, tool
 * calls, images, usage overrides incl. cache and thinking tokens, delays, mid-stream errors, hangs until the client
 * disconnects; HTTP failures 429 with retry-after / RetryInfo, 529, 503, 400 API_KEY_INVALID).
 */
import { startAnthropicFake, type AnthropicFake } from "./anthropic.js";
import { startGeminiFake, type GeminiFake } from "./gemini.js";

export * from "./anthropic.js";
export * from "./gemini.js";

export interface ProviderFakes {
  anthropic: AnthropicFake;
  gemini: GeminiFake;
  /** Config values that point the app's SDK clients at the fakes. */
  env: { ANTHROPIC_BASE_URL: string; GOOGLE_GEMINI_BASE_URL: string };
  reset(): void;
  close(): Promise<void>;
}

export async function startProviderFakes(): Promise<ProviderFakes> {
  const [anthropic, gemini] = await Promise.all([startAnthropicFake(), startGeminiFake()]);
  return {
    anthropic,
    gemini,
    env: { ANTHROPIC_BASE_URL: anthropic.url, GOOGLE_GEMINI_BASE_URL: gemini.url },
    reset() {
      anthropic.reset();
      gemini.reset();
    },
    close: async () => {
      await Promise.all([anthropic.close(), gemini.close()]);
    },
  };
}
