import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../../src/db/open.js";
import { cleanEnv, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";

const moduleLogHook = fileURLToPath(new URL("../helpers/module-log/register.mjs", import.meta.url));
const SDKS = ["@anthropic-ai/sdk", "@google/genai"];
const SERVER = ["hono", "@hono/node-server", "playwright-core"];
const OPS = ["dockerode", "execa"];
const STORAGE = ["better-sqlite3", "csv-stringify"];
/** Files a command may load before it runs: the bundle's entry, its shared chunks and the few external packages. */
const MODULE_BUDGET = 40;

/** Runs the built CLI and returns the npm packages its ESM loader resolved. */
async function packagesLoadedBy(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number | undefined; packages: Set<string>; files: string[] }> {
  const dir = tempDir();
  try {
    const log = join(dir.path, "modules.log");
    const result = await runCli(args, {
      env: cleanEnv({ ...env, AHB_MODULE_LOG: log, NODE_OPTIONS: `--import=${moduleLogHook}` }),
    });
    const urls = readFileSync(log, "utf8").split("\n");
    const files = [...new Set(urls.filter((url) => url.startsWith("file:")))];
    const packages = new Set(
      urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []),
    );
    return { exitCode: result.exitCode, packages, files };
  } finally {
    dir.remove();
  }
}

function assertNotLoaded(packages: Set<string>, forbidden: string[], what: string): void {
  const loaded = forbidden.filter((name) => packages.has(name));
  assert.deepEqual(loaded, [], `${what} loaded ${loaded.join(", ")}`);
}

describe("ahb start-up loads only what the command needs", () => {
  for (const args of [
    ["--version"],
    ["--help"],
    ["costs", "--help"],
    ["serve", "--help"],
    ["doctor", "--help"],
  ]) {
    it(`ahb ${args.join(" ")} loads no SDK, server, Docker or storage library`, async () => {
      const { exitCode, packages, files } = await packagesLoadedBy(args);
      assert.equal(exitCode, 0);
      assert.ok(
        files.some((url) => url.endsWith("/bin/ahb.js")),
        "the module log recorded nothing: the hook did not run",
      );
      // Unbundled, Node resolved and read about 400 files here (zod alone over 200).
      assert.ok(files.length <= MODULE_BUDGET, `${files.length} files loaded:\n${files.join("\n")}`);
      assertNotLoaded(packages, [...SDKS, ...SERVER, ...OPS, ...STORAGE], `ahb ${args.join(" ")}`);
    });
  }

  it("ahb costs loads SQLite but no SDK, server or Docker library", async () => {
    const dir = tempDir();
    try {
      const dbPath = join(dir.path, "app.db");
      openDatabase(dbPath).close();
      const args = [
        "costs",
        "--days",
        "30",
        "--json",
        "--db",
        dbPath,
        "--env-file",
        join(dir.path, "none.env"),
      ];
      const { exitCode, packages } = await packagesLoadedBy(args);
      assert.equal(exitCode, 0);
      assert.ok(packages.has("better-sqlite3"));
      assertNotLoaded(packages, [...SDKS, ...SERVER, ...OPS], "ahb costs");
    } finally {
      dir.remove();
    }
  });

  it("ahb serve loads the server but no Docker library", async () => {
    const dir = tempDir();
    try {
      const { exitCode, packages } = await packagesLoadedBy(
        ["serve", "--env-file", join(dir.path, "absent.env")],
        {
          DATABASE_PATH: join(dir.path, "app.db"),
        },
      );
      assert.equal(exitCode, 78);
      assert.ok(packages.has("hono"));
      assertNotLoaded(packages, OPS, "ahb serve");
    } finally {
      dir.remove();
    }
  });
});
