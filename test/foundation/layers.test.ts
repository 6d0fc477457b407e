import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const SRC = resolve("src");
const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

interface ImportEdge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function importEdges(): ImportEdge[] {
  return sourceFiles(SRC).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(IMPORT)].map((match) => ({
      from: relative(SRC, file),
      to: relative(SRC, resolve(dirname(file), match[1]!)).replace(/\.js$/, ".ts"),
    })),
  );
}

function violations(edges: ImportEdge[], fromPrefix: string, forbidden: readonly string[]): string[] {
  return edges
    .filter(
      (edge) => edge.from.startsWith(fromPrefix) && forbidden.some((prefix) => edge.to.startsWith(prefix)),
    )
    .map((edge) => `${edge.from} -> ${edge.to}`);
}

describe("imports run from specific modules to general ones", () => {
  const edges = importEdges();

  it("finds the imports it checks", () => {
    assert.ok(edges.length > 200, `only ${edges.length} imports found`);
    assert.ok(violations(edges, "cli/", ["ops/"]).length > 0, "the CLI is expected to import ops cores");
  });

  it("the server and the shared cores never reach into the CLI's operations", () => {
    for (const layer of [
      "server/",
      "config/",
      "shared/",
      "db/",
      "costs/",
      "cleanup/",
      "ai/",
      "upload/",
      "export/",
    ]) {
      assert.deepEqual(violations(edges, layer, ["ops/", "cli/"]), [], `${layer} imports operations code`);
    }
  });

  it("generic helpers know nothing of the product", () => {
    assert.deepEqual(
      violations(edges, "shared/", [
        "server/",
        "ops/",
        "cli/",
        "db/",
        "ai/",
        "config/",
        "costs/",
        "cleanup/",
      ]),
      [],
    );
  });

  it("the Docker client does not depend on what uses it", () => {
    assert.deepEqual(violations(edges, "ops/docker/", ["ops/deploy/", "ops/backup/", "ops/doctor/"]), []);
  });
});
