import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let found: string | undefined;

/**
 * The package's root directory (the one with package.json): the same answer from src/ under tsx, from tsc's
 * dist/ and from the CLI bundle, whose chunks sit at other depths than the sources they came from.
 */
export function packageRoot(): string {
  if (found) return found;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return (found = dir);
  }
  throw new Error(`no package.json above ${import.meta.url}`);
}
