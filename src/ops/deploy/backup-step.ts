import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../db/open.js";
import { hostDatabasePath, type OpsConfig } from "../ops-config.js";
import { compactUtc } from "./version.js";

export interface PreDeployBackup {
  path: string;
  bytes: number;
}

/** An online copy of the live database taken right before the swap; undefined when there is no database yet. */
export async function backupLiveDatabase(
  config: Pick<OpsConfig, "dataDir" | "backupsDir">,
  now: Date,
): Promise<PreDeployBackup | undefined> {
  const source = hostDatabasePath(config);
  if (!existsSync(source)) return undefined;
  mkdirSync(config.backupsDir, { recursive: true, mode: 0o750 });
  const path = join(config.backupsDir, `app-predeploy-${compactUtc(now)}.db`);
  const partial = `${path}.partial`;
  const db = openDatabase(source, { readonly: true });
  try {
    await db.backup(partial);
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  return { path, bytes: statSync(path).size };
}
