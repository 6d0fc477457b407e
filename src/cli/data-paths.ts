import { resolve } from "node:path";
import { hostDatabasePath, loadOpsConfig } from "../config/ops.js";

export interface DataPaths {
  dbPath: string;
  backupsDir: string;
  exportsDir: string;
  envFile: string;
}

/** Host paths of the live data (ops config: ahb.ops.json / AHB_* variables), each overridable by a flag. */
export function resolveDataPaths(flags: Partial<DataPaths>): DataPaths {
  const config = loadOpsConfig();
  return {
    dbPath: resolve(flags.dbPath ?? hostDatabasePath(config)),
    backupsDir: resolve(flags.backupsDir ?? config.backupsDir),
    exportsDir: resolve(flags.exportsDir ?? config.exportsDir),
    envFile: resolve(flags.envFile ?? config.envFile),
  };
}
