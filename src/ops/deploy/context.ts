import { existsSync, readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import dockerignoreModule from "@balena/dockerignore";
import type { Readable } from "node:stream";
import { pack } from "tar-fs";
import { ExitCode, UserError } from "../../errors.js";

/** Paths (relative, "/"-separated) the build context leaves out, by the context's .dockerignore. */
function contextFilter(contextDir: string, dockerfile: string): (relativePath: string) => boolean {
  const ignoreFile = resolve(contextDir, ".dockerignore");
  const rules = existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8").split(/\r?\n/) : [];
  const matcher = dockerignoreModule.default({ ignorecase: false }).add(rules);
  // Like the Docker CLI: the Dockerfile and .dockerignore are always sent, whatever the rules say.
  const alwaysSent = new Set([".dockerignore", dockerfile]);
  return (relativePath) => !alwaysSent.has(relativePath) && matcher.ignores(relativePath);
}

/** A tar stream of the context directory honouring .dockerignore, as `docker build` sends it. */
export function contextTar(contextDir: string, dockerfile: string): Readable {
  if (!existsSync(resolve(contextDir, dockerfile)))
    throw new UserError(`Dockerfile not found: ${resolve(contextDir, dockerfile)}`, ExitCode.CONFIG_INVALID);
  const ignored = contextFilter(contextDir, dockerfile);
  return pack(contextDir, {
    ignore: (name) => {
      const path = relative(contextDir, name).split(sep).join("/");
      return path !== "" && ignored(path);
    },
  }) as unknown as Readable;
}
