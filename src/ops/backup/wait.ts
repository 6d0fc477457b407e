import { join } from "node:path";
import type { OpsConfig } from "../../config/ops.js";
import { waitUntilFree } from "../../shared/lock.js";
import { LOCK_FILE } from "./files.js";

/**
 * Before a deploy builds: a backup that is running (the nightly job) is waited for, bounded by backupWaitS, so the
 * deploy's own backup after the build does not find its lock taken and fail with nothing gained.
 */
export async function waitForRunningBackup(
  config: Pick<OpsConfig, "backupsDir" | "backupWaitS">,
  command: string,
  say: (message: string) => void,
): Promise<void> {
  await waitUntilFree(join(config.backupsDir, LOCK_FILE), {
    label: "backup",
    command,
    waitMs: config.backupWaitS * 1000,
    onWait: (holder) =>
      say(`waiting for the running backup (pid ${holder.pid}) to finish, at most ${config.backupWaitS} s`),
  });
}
