import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { result, type CheckResult } from "./types.js";

export const SCHEDULED_JOBS = ["cleanup", "backup"] as const;
type Job = (typeof SCHEDULED_JOBS)[number];

export const DEFAULT_SYSTEMD_DIR = "/etc/systemd/system";

/** Jobs that an active crontab line runs: `ahb backup`, `npx ahb backup`, `bin/ahb.js backup`. */
export function jobsInCrontab(text: string): Set<Job> {
  const found = new Set<Job>();
  for (const line of text.split("\n")) {
    if (line.trim().startsWith("#")) continue;
    for (const job of SCHEDULED_JOBS)
      if (new RegExp(`\\bahb(\\.js)?\\s+${job}\\b`).test(line)) found.add(job);
  }
  return found;
}

export type CrontabListing = { text: string } | { missing: string };

/** `crontab -l` of the current user; no crontab (or no cron) is a state to report, not an error. */
export async function listCrontab(): Promise<CrontabListing> {
  const listed = await execa("crontab", ["-l"], { reject: false });
  if (listed.exitCode === 0) return { text: String(listed.stdout) };
  if (listed.failed && listed.exitCode === undefined) return { missing: "crontab is not installed" };
  return { missing: String(listed.stderr).trim() || "no crontab" };
}

export function checkSchedule(systemdDir: string, crontab: CrontabListing): CheckResult {
  const fromCron = "text" in crontab ? jobsInCrontab(crontab.text) : new Set<Job>();
  const where = SCHEDULED_JOBS.map((job) => {
    if (existsSync(join(systemdDir, `ahb-${job}.timer`))) return { job, by: "systemd timer" };
    if (fromCron.has(job)) return { job, by: "crontab" };
    return { job, by: undefined };
  });
  const missing = where.filter((entry) => !entry.by).map((entry) => entry.job);
  const detail = where.map((entry) => `${entry.job}: ${entry.by ?? "not scheduled"}`).join(", ");
  if (missing.length === 0) return result("schedule", "ok", detail);
  const cronNote = "missing" in crontab ? ` (${crontab.missing})` : "";
  return result(
    "schedule",
    "warn",
    `${detail}${cronNote}; see ahb templates list (systemd timers or crontab)`,
  );
}
