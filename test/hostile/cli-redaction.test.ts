import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { runCli, cleanEnv } from "../helpers/cli.js";
import { FAKE_ANTHROPIC_KEY, FAKE_GOOGLE_KEY, validKeys } from "../helpers/env.js";

/** A provider endpoint that echoes the caller's key in every error field the CLI reports (type, status, reason). */
function startEchoingProvider(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    const key =
      request.headers["x-api-key"] ??
      request.headers["x-goog-api-key"] ??
      url.searchParams.get("key") ??
      "none";
    const anthropic = request.headers["x-api-key"] !== undefined;
    response.writeHead(anthropic ? 401 : 400, { "content-type": "application/json" });
    const echoed = `echo-${String(key)}`;
    response.end(
      JSON.stringify(
        anthropic
          ? { type: "error", error: { type: echoed, message: `invalid x-api-key: ${String(key)}` } }
          : { error: { code: 400, message: String(key), status: echoed, details: [{ reason: echoed }] } },
      ),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}` });
    }),
  );
}

describe("CLI output passes through the secret redactor", () => {
  let provider: { server: Server; url: string };
  before(async () => {
    provider = await startEchoingProvider();
  });
  after(() => new Promise((resolve) => provider.server.close(resolve)));

  for (const args of [
    ["keys", "check", "--live", "--json"],
    ["keys", "check", "--live"],
  ]) {
    it(`ahb ${args.join(" ")}: a provider error that echoes the key prints it redacted`, async () => {
      const env = cleanEnv({
        ...validKeys(),
        ANTHROPIC_BASE_URL: provider.url,
        GOOGLE_GEMINI_BASE_URL: provider.url,
      });
      const result = await runCli([...args, "--timeout", "10"], {
        env,
      });
      const output = `${String(result.stdout)}\n${String(result.stderr)}`;
      assert.ok(!output.includes(FAKE_ANTHROPIC_KEY), output);
      assert.ok(!output.includes(FAKE_GOOGLE_KEY), output);
      assert.match(output, /\[REDACTED\]/, "the provider's message is kept, the key replaced");
    });
  }
});
