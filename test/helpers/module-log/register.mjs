// `node --import <this file>` logs what the process loads (see hooks.mjs; test/foundation/cli-startup.test.ts):
// the ESM loader's resolutions through the hook, and CommonJS require() calls (which that hook never sees).
import { appendFileSync } from "node:fs";
import Module, { isBuiltin, register } from "node:module";
import { pathToFileURL } from "node:url";

register("./hooks.mjs", import.meta.url);

const load = Module._load;
Module._load = function logged(request, parent, isMain) {
  if (!isBuiltin(request)) {
    const file = Module._resolveFilename(request, parent, isMain);
    appendFileSync(process.env.AHB_MODULE_LOG, `${pathToFileURL(file).href}\n`);
  }
  return load.apply(this, [request, parent, isMain]);
};
