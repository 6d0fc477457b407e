import type { LiveStatus } from "../keys/live.js";
import { checkKeys } from "../keys/check.js";
import { result, type CheckResult } from "./types.js";

/** The key may be fine when the provider throttles or cannot be reached: those only warn. */
const warnOnly: readonly LiveStatus[] = ["rate_limited", "unreachable", "error"];

/** Reuses `ahb keys check`: format always, a model listing per provider with live. */
export async function checkKeysHealth(
  envFile: string,
  live: boolean,
  env?: NodeJS.ProcessEnv,
): Promise<CheckResult> {
  const name = live ? "keys (live)" : "keys";
  let report;
  try {
    report = await checkKeys({ envFile, live, env });
  } catch (error) {
    return result(name, "fail", (error as Error).message);
  }
  const parts = report.providers.map(
    (entry) =>
      `${entry.provider} ${entry.live ? `${entry.live.status} ${entry.live.latencyMs} ms` : entry.format}`,
  );
  const failed = report.providers.filter(
    (entry) => !entry.ok && !warnOnly.includes(entry.live?.status as LiveStatus),
  );
  const status = report.ok ? "ok" : failed.length > 0 ? "fail" : "warn";
  return result(name, status, parts.join(", "));
}
