import { existsSync } from "node:fs";
import { createSpendGuard } from "../../ai/budget/guard.js";
import { periodStartDay, type CapStanding } from "../../ai/budget/caps.js";
import { nanoToUsd, PRICE_KEYS, pricingFromConfig } from "../../ai/pricing.js";
import { keySpecs, type Config } from "../../config/schema.js";
import { openDatabase } from "../../db/open.js";
import { ExitCode, UserError } from "../../errors.js";
import { newestBackup } from "../backup/list.js";
import { freeMb } from "../deploy/preflight.js";
import type { DoctorReport } from "../doctor/types.js";
import { readEnvKeys } from "../../config/env-keys.js";
import type { Alert } from "./message.js";

/** Keys `ahb doctor --notify` decides about; backup_failed belongs to `ahb backup`. */
export const DOCTOR_KEYS = /^(?:backup_stale|disk_low|container_unhealthy|spend_)/;
export const BACKUP_FAILED = "backup_failed";
export const BACKUP_REMOTE_FAILED = "backup_remote_failed";

export function backupFailedAlert(error: unknown): Alert {
  return { key: BACKUP_FAILED, severity: "critical", title: "backup failed", text: (error as Error).message };
}

export function backupRemoteFailedAlert(message: string): Alert {
  return {
    key: BACKUP_REMOTE_FAILED,
    severity: "warning",
    title: "off-site backup copy failed",
    text: `${message} (the local backup is valid)`,
  };
}

/** Deploys that changed something and failed (rolled back, build failed, unhealthy); refused usage is not news. */
export function deployFailureAlert(error: unknown, command: string): Alert | undefined {
  const exitCode = error instanceof UserError ? error.exitCode : undefined;
  const alerting: (number | undefined)[] = [
    undefined,
    ExitCode.DEPLOY_ROLLED_BACK,
    ExitCode.BUILD_FAILED,
    ExitCode.UNHEALTHY,
  ];
  if (!alerting.includes(exitCode)) return undefined;
  const rolledBack = exitCode === ExitCode.DEPLOY_ROLLED_BACK;
  return {
    key: "deploy_failed",
    severity: "critical",
    title: rolledBack ? `${command} rolled back` : `${command} failed`,
    text: (error as Error).message,
  };
}

const MONITOR_KEYS = ["NOTIFY_BACKUP_MAX_AGE_HOURS", "NOTIFY_DISK_MIN_FREE_MB"] as const;
const BUDGET_KEYS = [
  "BUDGET_DAILY_USD",
  "BUDGET_MONTHLY_USD",
  "BUDGET_USER_DAILY_USD",
  "BUDGET_USER_MONTHLY_USD",
  ...PRICE_KEYS,
] as const satisfies readonly (keyof typeof keySpecs)[];

export interface HostPaths {
  envFile: string;
  dataDir: string;
  backupsDir: string;
  dbPath: string;
}

/** What `ahb doctor --notify` alerts on: stale backup, low disk, unhealthy container, spend at 80% / 100% of a cap. */
export function doctorAlerts(report: DoctorReport, paths: HostPaths, now: Date): Alert[] {
  const limits = readEnvKeys(paths.envFile, MONITOR_KEYS);
  const alerts: Alert[] = [];
  const newest = newestBackup(paths.backupsDir, now);
  const maxAgeS = limits.NOTIFY_BACKUP_MAX_AGE_HOURS * 3600;
  if (!newest || newest.ageS > maxAgeS) {
    alerts.push({
      key: "backup_stale",
      severity: "warning",
      title: "no recent verified backup",
      text: newest
        ? `newest verified backup ${newest.file} is ${(newest.ageS / 3600).toFixed(1)} h old (limit ${limits.NOTIFY_BACKUP_MAX_AGE_HOURS} h)`
        : `no verified backup in ${paths.backupsDir}`,
    });
  }
  const free = freeMb(paths.dataDir);
  if (free < limits.NOTIFY_DISK_MIN_FREE_MB) {
    alerts.push({
      key: "disk_low",
      severity: "critical",
      title: "disk low on the data directory",
      text: `${free} MB free for ${paths.dataDir} (alert below ${limits.NOTIFY_DISK_MIN_FREE_MB} MB)`,
    });
  }
  const container = report.checks.find((check) => check.name === "container");
  if (container?.status === "fail") {
    alerts.push({
      key: "container_unhealthy",
      severity: "critical",
      title: "container unhealthy",
      text: container.detail,
    });
  }
  return [...alerts, ...spendAlerts(paths, now)];
}

/** A cap at 80% warns and at 100% is critical; each level is its own condition, so crossing 100% is news again. */
function spendAlerts(paths: HostPaths, now: Date): Alert[] {
  if (!existsSync(paths.dbPath)) return [];
  const config = readEnvKeys(paths.envFile, BUDGET_KEYS) as Config;
  const db = openDatabase(paths.dbPath, { readonly: true });
  try {
    const guard = createSpendGuard(db, config, pricingFromConfig(config), () => now);
    const users = guard.caps.some((cap) => cap.scope === "user")
      ? (db
          .prepare("SELECT DISTINCT user FROM cost_daily WHERE day >= ?")
          .all(periodStartDay("month", now)) as { user: string }[])
      : [];
    return [
      ...guard.standings().flatMap((cap) => capAlerts(cap, undefined)),
      ...users.flatMap(({ user }) =>
        guard
          .standings(user)
          .filter((cap) => cap.scope === "user")
          .flatMap((cap) => capAlerts(cap, user)),
      ),
    ];
  } finally {
    db.close();
  }
}

function capAlerts(cap: CapStanding, user: string | undefined): Alert[] {
  const percent = (cap.spentNanoUsd / cap.limitNanoUsd) * 100;
  const level = percent >= 100 ? 100 : percent >= 80 ? 80 : 0;
  if (level === 0) return [];
  const whose = user ? `user ${user}` : "all users";
  const period = cap.period === "day" ? "daily" : "monthly";
  return [
    {
      key: `spend_${level}_${cap.period}${user ? `_user_${user}` : ""}`,
      severity: level === 100 ? "critical" : "warning",
      title: `AI spend at ${level}% of the ${period} cap (${whose})`,
      text: `$${nanoToUsd(cap.spentNanoUsd).toFixed(2)} of $${nanoToUsd(cap.limitNanoUsd).toFixed(2)} (${percent.toFixed(0)}%); resets ${cap.resetsAt}`,
    },
  ];
}
