import { readFileSync } from "node:fs";

/** The package version, or the image's build version when the container sets AHB_VERSION. */
export function appVersion(): string {
  const fromImage = process.env.AHB_VERSION;
  if (fromImage) return fromImage;
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
