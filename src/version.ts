import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./shared/package-root.js";

/** The package version, or the image's build version when the container sets AHB_VERSION. */
export function appVersion(): string {
  const fromImage = process.env.AHB_VERSION;
  if (fromImage) return fromImage;
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
