import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { permissionProblems } from "../../config/check.js";
import { newestBackup } from "../backup/list.js";
import { containerWriteProblems } from "../docker/container-user.js";
import { freeMb } from "../deploy/preflight.js";
import { result, type CheckResult } from "./types.js";

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

export function checkEnvFileMode(path: string): CheckResult {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (error) {
    return result("env file", "fail", `${path}: ${errorCode(error)} (create it with ahb init)`);
  }
  const problems = permissionProblems(mode, path);
  if (problems.errors[0]) return result("env file", "fail", problems.errors[0]);
  if (problems.warnings[0]) return result("env file", "warn", problems.warnings[0]);
  return result("env file", "ok", `${path}: mode ${mode.toString(8)}`);
}

/**
 * Fails below the floor SQLite needs to keep writing and to take a backup (a full copy of the database);
 * warns below the operator's minimum (AHB_MIN_FREE_DISK_MB). A directory not made yet counts its parent's disk.
 */
export function checkDiskSpace(
  label: string,
  dir: string,
  limits: { warnBelowMb: number; failBelowMb: number },
  measure: (dir: string) => number = freeMb,
): CheckResult {
  const name = `disk ${label}`;
  let mb: number;
  try {
    mb = measure(dir);
  } catch (error) {
    return result(name, "fail", `${dir}: ${errorCode(error)}`);
  }
  const detail = `${mb} MB free for ${dir}`;
  if (mb < limits.failBelowMb) return result(name, "fail", `${detail}, need ${limits.failBelowMb} MB`);
  if (mb < limits.warnBelowMb) return result(name, "warn", `${detail}, want ${limits.warnBelowMb} MB`);
  return result(name, "ok", detail);
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** PRAGMA quick_check on a read-only connection: never writes, never migrates. */
export function checkDatabase(path: string): CheckResult {
  try {
    statSync(path);
  } catch {
    return result("database", "warn", `${path} does not exist yet (the server creates it)`);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    const lines = db.pragma("quick_check", { simple: false }) as { quick_check: string }[];
    const messages = lines.map((row) => row.quick_check);
    if (messages.length !== 1 || messages[0] !== "ok")
      return result("database", "fail", `${path}: ${messages.slice(0, 3).join("; ")}`);
    const notWritable = containerWriteProblems(path);
    if (notWritable.length > 0) return result("database", "fail", notWritable.join("; "));
    return result("database", "ok", `${path}: quick_check ok, writable by the container`);
  } catch (error) {
    return result("database", "fail", `${path}: ${(error as { code?: string }).code ?? errorCode(error)}`);
  } finally {
    db?.close();
  }
}

/** The newest verified backup in the manifest: a day and a bit is normal for a daily backup. */
export function checkLastBackup(
  dir: string,
  now: Date,
  limits = { warnAfterHours: 26, failAfterHours: 7 * 24 },
): CheckResult {
  let newest: ReturnType<typeof newestBackup>;
  try {
    newest = newestBackup(dir, now);
  } catch (error) {
    return result("last backup", "fail", `${dir}: ${(error as Error).message}`);
  }
  if (!newest) return result("last backup", "warn", `no verified backup in ${dir} (run ahb backup)`);
  const hours = newest.ageS / 3600;
  const detail = `${newest.file}, ${hours.toFixed(1)} h old`;
  if (hours > limits.failAfterHours) return result("last backup", "fail", detail);
  if (hours > limits.warnAfterHours) return result("last backup", "warn", detail);
  return result("last backup", "ok", detail);
}
