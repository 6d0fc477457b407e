import { runLockedCleanup } from "../cleanup/cleanup.js";
import { thresholdsFromConfig } from "../config/cleanup.js";
import { LockHeldError } from "../shared/lock.js";
import type { AppDeps } from "./types.js";

export const CLEANUP_INTERVAL_MS = 3_600_000;
/** The first run comes soon after boot, so a server restarted more often than hourly still cleans up. */
const FIRST_RUN_DELAY_MS = 60_000;

export interface CleanupJob {
  stop(): void;
}

/**
 * The hourly cleanup inside the server: the same core and lock as `ahb cleanup`, so a cron run on the host and
 * this job never overlap (the lock sits next to the database on the shared volume). Failures are logged, never
 * thrown: a cleanup problem must not take the server down.
 */
export function startCleanupJob(
  deps: Pick<AppDeps, "config" | "db" | "dbPath" | "logger">,
  intervalMs = CLEANUP_INTERVAL_MS,
): CleanupJob {
  if (deps.dbPath === ":memory:") return { stop() {} };
  const options = { ...thresholdsFromConfig(deps.config), exportDir: deps.config.EXPORT_DIR };
  const run = () => {
    try {
      const report = runLockedCleanup(deps.db, deps.dbPath, `ahb serve (pid ${process.pid})`, options);
      deps.logger.info("cleanup done", { ...report });
    } catch (error) {
      if (error instanceof LockHeldError)
        deps.logger.info("cleanup skipped: another run holds the lock", { holder: error.holder });
      else deps.logger.error("cleanup failed", { error });
    }
  };
  const first = setTimeout(run, Math.min(FIRST_RUN_DELAY_MS, intervalMs));
  const timer = setInterval(run, intervalMs);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
