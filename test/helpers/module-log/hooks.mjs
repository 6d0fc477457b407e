// Module resolve hook: appends every URL the ESM loader resolves to the file named by AHB_MODULE_LOG.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.AHB_MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}
