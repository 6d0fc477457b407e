import type Docker from "dockerode";
import { ExitCode, type ExitCodeValue } from "../../errors.js";
import { hostDatabasePath, type OpsConfig } from "../ops-config.js";
import { checkContainer, checkEngine, checkPort } from "./engine.js";
import { checkDatabase, checkDiskSpace, checkEnvFileMode, checkLastBackup, fileSize } from "./files.js";
import { checkKeysHealth } from "./keys.js";
import { checkSchedule, listCrontab } from "./schedule.js";
import type { DoctorReport } from "./types.js";

const MIB = 1024 * 1024;
/** Below this SQLite cannot be trusted to finish a checkpoint or a migration. */
const DISK_FLOOR_BYTES = 256 * MIB;

export interface DoctorOptions {
  ops: OpsConfig;
  docker: Docker;
  live: boolean;
  systemdDir: string;
  now?: Date;
  env?: NodeJS.ProcessEnv;
}

/** Every check runs, whatever the others say: one report for the operator to read top to bottom. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { ops, docker } = options;
  const dbPath = hostDatabasePath(ops);
  const engine = await checkEngine(docker);
  const engineUp = engine.status === "ok";
  // A backup is a full copy of the database: its disk needs at least that much room.
  const backupFloor = Math.max(DISK_FLOOR_BYTES, fileSize(dbPath));
  const checks = [
    engine,
    checkEnvFileMode(ops.envFile),
    await checkKeysHealth(ops.envFile, options.live, options.env),
    await checkPort(docker, { ...ops, engineUp }),
    checkDiskSpace("data", ops.dataDir, { warnBelowMb: ops.minFreeDiskMb, failBelowBytes: DISK_FLOOR_BYTES }),
    checkDiskSpace("backups", ops.backupsDir, {
      warnBelowMb: ops.minFreeDiskMb,
      failBelowBytes: backupFloor,
    }),
    checkDatabase(dbPath),
    checkLastBackup(ops.backupsDir, options.now ?? new Date()),
    await checkContainer(docker, ops.container, engineUp),
    checkSchedule(options.systemdDir, await listCrontab()),
  ];
  return { ok: checks.every((check) => check.status !== "fail"), checks };
}

export function doctorExitCode(report: DoctorReport): ExitCodeValue {
  return report.ok ? ExitCode.OK : ExitCode.UNHEALTHY;
}
