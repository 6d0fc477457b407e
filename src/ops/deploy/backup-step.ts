import { existsSync } from "node:fs";
import { createBackup } from "../backup/backup.js";
import { hostDatabasePath, type OpsConfig } from "../../config/ops.js";

export interface PreDeployBackup {
  path: string;
  bytes: number;
  verified: boolean;
}

/**
 * The verified online backup of `ahb backup` (VACUUM INTO, compressed, checked, in the manifest), taken right
 * before the swap; undefined when there is no database yet (a first deploy).
 */
export async function backupLiveDatabase(
  config: Pick<OpsConfig, "dataDir" | "backupsDir">,
  now: Date,
): Promise<PreDeployBackup | undefined> {
  const dbPath = hostDatabasePath(config);
  if (!existsSync(dbPath)) return undefined;
  const created = await createBackup({ dbPath, dir: config.backupsDir, now: () => now });
  return { path: created.path, bytes: created.sizeBytes, verified: created.verified };
}
