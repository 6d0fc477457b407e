import { ExitCode, type ExitCodeValue } from "../../errors.js";
import type { Engine } from "../docker/engine.js";
import { hostDatabasePath, type OpsConfig } from "../../config/ops.js";
import {
  checkContainer,
  checkEngine,
  checkInterrupted,
  checkPort,
  checkProxyUpstream,
  checkTrustedProxies,
} from "./engine.js";
import { freeMb } from "../deploy/preflight.js";
import { checkDatabase, checkDiskSpace, checkEnvFileMode, checkLastBackup, fileSize } from "./files.js";
import { checkKeysHealth } from "./keys.js";
import { checkSchedule, listCrontab, type CrontabListing } from "./schedule.js";
import type { DoctorReport } from "./types.js";

/** Below this SQLite cannot be trusted to finish a checkpoint or a migration. */
const DISK_FLOOR_MB = 256;

export interface DoctorOptions {
  ops: OpsConfig;
  engine: Engine;
  live: boolean;
  systemdDir: string;
  now?: Date;
  env?: NodeJS.ProcessEnv;
  /** What doctor reads from the host beyond files and the engine; tests give fixed answers. */
  host?: DoctorHost;
}

export interface DoctorHost {
  freeMb(dir: string): number;
  listCrontab(): Promise<CrontabListing>;
}

const realHost: DoctorHost = { freeMb, listCrontab };

/** Every check runs, whatever the others say: one report for the operator to read top to bottom. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { ops, engine } = options;
  const host = options.host ?? realHost;
  const dbPath = hostDatabasePath(ops);
  const engineCheck = await checkEngine(engine);
  const engineUp = engineCheck.status === "ok";
  // A backup is a full copy of the database: its disk needs at least that much room.
  const backupFloorMb = Math.max(DISK_FLOOR_MB, Math.ceil(fileSize(dbPath) / 1024 ** 2));
  const checks = [
    engineCheck,
    checkEnvFileMode(ops.envFile),
    await checkKeysHealth(ops.envFile, options.live, options.env),
    await checkPort(engine, ops, engineUp),
    checkDiskSpace(
      "data",
      ops.dataDir,
      { warnBelowMb: ops.minFreeDiskMb, failBelowMb: DISK_FLOOR_MB },
      host.freeMb,
    ),
    checkDiskSpace(
      "backups",
      ops.backupsDir,
      { warnBelowMb: ops.minFreeDiskMb, failBelowMb: backupFloorMb },
      host.freeMb,
    ),
    checkDatabase(dbPath),
    checkLastBackup(ops.backupsDir, options.now ?? new Date()),
    await checkContainer(engine, ops.container, engineUp),
    await checkInterrupted(engine, ops, engineUp),
    await checkTrustedProxies(engine, ops, engineUp),
    await checkProxyUpstream(engine, ops, engineUp),
    checkSchedule(options.systemdDir, await host.listCrontab()),
  ];
  return { ok: checks.every((check) => check.status !== "fail"), checks };
}

export function doctorExitCode(report: DoctorReport): ExitCodeValue {
  return report.ok ? ExitCode.OK : ExitCode.UNHEALTHY;
}
