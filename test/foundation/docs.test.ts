import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const markdown = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

describe("README and docs/", () => {
  it("the README is a front page under 12 KB", () => {
    assert.ok(statSync(join(root, "README.md")).size < 12 * 1024, "move detail into docs/");
  });

  it("every relative link points at a file that exists", () => {
    for (const file of markdown) {
      const text = readFileSync(join(root, file), "utf8");
      for (const [, target = ""] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        assert.ok(existsSync(join(root, dirname(file), target)), `${file} links to missing ${target}`);
      }
    }
  });

  it("the route and event tables live in docs/api.md only (CONTRACT.md folded in)", () => {
    assert.equal(existsSync(join(root, "docs/CONTRACT.md")), false);
    const api = readFileSync(join(root, "docs/api.md"), "utf8");
    for (const event of ["status", "delta", "html", "summary", "cost", "error", "done"])
      assert.match(api, new RegExp(`\\| \`${event}\` +\\|`), event);
  });
});
