import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Command } from "commander";
import { opsConfigSchema } from "../../src/config/ops.js";
import { configKeys } from "../../src/config/schema.js";
import { opsFlags, withReleaseOptions } from "../../src/cli/ops-options.js";
import { opsVariableCell, renderConfigDocs } from "../../src/cli/render/config-docs.js";
import { runAhb } from "../helpers/cli.js";

const committed = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");

describe("docs/configuration.md", () => {
  it("is exactly what the schemas generate (no drift)", () => {
    assert.equal(
      committed,
      renderConfigDocs(),
      "run: node -- bin/ahb.js config docs > docs/configuration.md",
    );
  });

  it("is what `ahb config docs` prints", async () => {
    const result = await runAhb(["config", "docs"]);
    assert.equal(result.exitCode, 0);
    assert.equal(`${String(result.stdout)}\n`, committed);
  });

  it("lists every env variable and every ops key with its variable", () => {
    for (const key of configKeys) assert.match(committed, new RegExp(`\\| \`${key}\` \\|`), key);
    for (const key of Object.keys(opsConfigSchema.shape) as (keyof typeof opsConfigSchema.shape)[])
      assert.ok(committed.includes(`| \`${key}\` | ${opsVariableCell(key)} |`), key);
  });

  it("names only flags that deploy and rollback really take", () => {
    const longs = withReleaseOptions(new Command("deploy")).options.map((option) => option.long);
    for (const flag of Object.values(opsFlags)) assert.ok(longs.includes(flag), flag);
  });
});
