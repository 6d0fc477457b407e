import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { cleanEnv, repoRoot } from "../helpers/cli.js";
import { tempDir, validKeys } from "../helpers/env.js";
import { fetchWithDeadline, freePort, waitFor } from "../helpers/net.js";

const moduleLogHook = fileURLToPath(new URL("../helpers/module-log/register.mjs", import.meta.url));
const SDKS = ["@anthropic-ai/sdk", "@google/genai"];

function packagesIn(log: string): Set<string> {
  return new Set(
    readFileSync(log, "utf8")
      .split("\n")
      .flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []),
  );
}

// A server's start is the whole outage of a deploy without a proxy; the provider SDKs load on the first turn.
describe("the server's start", () => {
  it("answers /api/health without loading a provider SDK", async () => {
    const dir = tempDir();
    const log = join(dir.path, "modules.log");
    const port = await freePort();
    const server = execa(process.execPath, [`--import=${moduleLogHook}`, "dist/server-bundle/main.js"], {
      cwd: repoRoot,
      env: cleanEnv({
        ...validKeys(),
        AHB_MODULE_LOG: log,
        PORT: String(port),
        DATABASE_PATH: join(dir.path, "app.db"),
        EXPORT_DIR: dir.path,
        LOG_LEVEL: "warn",
      }),
      reject: false,
    });
    try {
      await waitFor(async () => {
        const response = await fetchWithDeadline(`http://127.0.0.1:${port}/api/health`);
        return response.status === 200 || undefined;
      }, 60_000);
      const packages = packagesIn(log);
      assert.ok(packages.has("better-sqlite3"), "the module log recorded the server's database driver");
      assert.deepEqual(
        SDKS.filter((name) => packages.has(name)),
        [],
      );
    } finally {
      server.kill("SIGTERM");
      await server;
      dir.remove();
    }
  });

  it("the module log sees a require() of an SDK, so the check above can fail", async () => {
    const dir = tempDir();
    const log = join(dir.path, "modules.log");
    try {
      await execa(process.execPath, [`--import=${moduleLogHook}`, "-e", 'require("@anthropic-ai/sdk")'], {
        cwd: repoRoot,
        env: cleanEnv({ AHB_MODULE_LOG: log }),
      });
      assert.ok(packagesIn(log).has("@anthropic-ai/sdk"));
    } finally {
      dir.remove();
    }
  });
});
