import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../../src/db/open.js";
import { insertLedgerEntry } from "../../src/db/repo/ledger.js";
import { ledgerEntry } from "../dataops/seed.js";
import { cleanEnv, repoRoot, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";

const moduleLogHook = fileURLToPath(new URL("../helpers/module-log/register.mjs", import.meta.url));
const noIcuHook = fileURLToPath(new URL("../helpers/no-icu.mjs", import.meta.url));
const SDKS = ["@anthropic-ai/sdk", "@google/genai"];
const SERVER = ["hono", "@hono/node-server", "playwright-core"];
const OPS = ["dockerode", "execa"];
const STORAGE = ["better-sqlite3"];
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

/** The sources bundled into the dist/bundle files a run loaded, from esbuild's metafile (scripts/build-bundles.mjs). */
function bundledSources(files: string[]): string[] {
  const meta = JSON.parse(readFileSync(join(repoRoot, "dist/bundle/meta.json"), "utf8")) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  return files.flatMap((url) => {
    const output = meta.outputs[relative(repoRoot, fileURLToPath(url))];
    return output ? Object.keys(output.inputs) : [];
  });
}

function assertNoSource(files: string[], forbidden: RegExp, what: string): void {
  const found = [...new Set(bundledSources(files).filter((source) => forbidden.test(source)))];
  assert.deepEqual(found, [], `${what} evaluated ${found.join(", ")}`);
}

/** Declaring the commands (what --help and every run evaluate first) needs commander only: no schema library. */
const ZOD = /node_modules\/zod\//;
/**
 * What `ahb costs` has no use for: Docker, SSH, the server, the AI turn, the operations, starters, exports (but
 * doctor's declaration takes its --systemd-dir default from ops/doctor/types.ts, a constant).
 */
const NOT_FOR_COSTS =
  /node_modules\/(dockerode|ssh2|docker-modem)\/|^src\/(ops\/(?!doctor\/types\.ts)|server\/|starters\/|export\/|upload\/|ai\/(editor|turn)\/)/;

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
      assertNoSource(files, ZOD, `ahb ${args.join(" ")}`);
    });
  }

  it("ahb --version loads bin/ahb.js and the version the build wrote down, nothing else", async () => {
    const { exitCode, files } = await packagesLoadedBy(["--version"]);
    assert.equal(exitCode, 0);
    assert.deepEqual(
      files.map((url) => relative(repoRoot, fileURLToPath(url))),
      ["bin/ahb.js", "dist/bundle/version.js"],
    );
  });

  it("ahb costs loads SQLite but no SDK, server, Docker or SSH library, nor another command's sources", async () => {
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
      const { exitCode, packages, files } = await packagesLoadedBy(args);
      assert.equal(exitCode, 0);
      assert.ok(packages.has("better-sqlite3"));
      assertNotLoaded(packages, [...SDKS, ...SERVER, ...OPS, "ssh2"], "ahb costs");
      assert.ok(
        bundledSources(files).includes("src/costs/report.ts"),
        "the module log missed the costs chunks",
      );
      assertNoSource(files, NOT_FOR_COSTS, "ahb costs");
    } finally {
      dir.remove();
    }
  });

  it("ahb costs draws its tables without ICU's locale data (40 ms of a start)", async () => {
    const dir = tempDir();
    try {
      const dbPath = join(dir.path, "app.db");
      const db = openDatabase(dbPath);
      // Three users and models, so the report sorts names; one amount with a thousands separator.
      for (const [index, user] of ["bob", "alice", "carol"].entries())
        insertLedgerEntry(db, { ...ledgerEntry(user, index), costNanoUsd: 1_234_567_890_000 });
      db.close();
      for (const by of ["model", "user", "day"]) {
        const args = [
          "costs",
          "--days",
          "30",
          "--by",
          by,
          "--db",
          dbPath,
          "--env-file",
          join(dir.path, "none.env"),
        ];
        const result = await runCli(args, { env: cleanEnv({ NODE_OPTIONS: `--import=${noIcuHook}` }) });
        assert.equal(result.exitCode, 0, String(result.stderr));
        assert.match(
          String(result.stdout),
          /\$\d{1,3}(,\d{3})+\.\d{2}/,
          `ahb costs --by ${by}: thousands grouped`,
        );
      }
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
