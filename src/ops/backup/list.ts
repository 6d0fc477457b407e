import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { isBackupName, isPartialName, readManifest, sha256File, type BackupRecord } from "./files.js";
import { byCodePoint } from "../../shared/text-order.js";

export type BackupState = "verified" | "invalid" | "incomplete" | "missing";

export interface BackupListing {
  file: string;
  path: string;
  state: BackupState;
  /** Why the backup cannot be restored; absent when verified. */
  reason?: string;
  sizeBytes: number | null;
  createdAt: string | null;
  ageMs: number | null;
  envFile: string | null;
  record?: BackupRecord;
}

/**
 * Every backup-looking file in `dir` with a verdict: "verified" only for a manifest entry whose file exists with the
 * recorded size and SHA-256; files the manifest does not list are "invalid", `.partial` leftovers "incomplete",
 * and manifest entries whose file is gone "missing". Newest first.
 */
export async function listBackups(dir: string, now = new Date()): Promise<BackupListing[]> {
  const root = resolve(dir);
  if (!existsSync(root)) return [];
  const manifest = readManifest(root);
  const recorded = new Map(manifest.backups.map((record) => [record.file, record]));
  const names = readdirSync(root);
  const listings: BackupListing[] = [];
  for (const record of manifest.backups) listings.push(await judgeRecord(root, record, now));
  for (const name of names) {
    if (isBackupName(name) && !recorded.has(name)) {
      listings.push(unlisted(root, name, "invalid", "not in the manifest (unverified or foreign file)", now));
    } else if (isPartialName(name)) {
      listings.push(
        unlisted(root, name, "incomplete", "temporary file of an interrupted or running backup", now),
      );
    }
  }
  return listings.sort(
    (a, b) => byCodePoint(b.createdAt ?? "", a.createdAt ?? "") || byCodePoint(a.file, b.file),
  );
}

async function judgeRecord(root: string, record: BackupRecord, now: Date): Promise<BackupListing> {
  const path = join(root, record.file);
  const base = {
    file: record.file,
    path,
    createdAt: record.createdAt,
    ageMs: now.getTime() - Date.parse(record.createdAt),
    envFile: record.envFile ?? null,
    record,
  };
  if (!existsSync(path)) return { ...base, state: "missing", reason: "file is gone", sizeBytes: null };
  const sizeBytes = statSync(path).size;
  const problem = !record.verified
    ? "never verified"
    : sizeBytes !== record.sizeBytes
      ? `size ${sizeBytes} differs from the recorded ${record.sizeBytes}`
      : (await sha256File(path)) !== record.sha256
        ? "checksum does not match the manifest"
        : undefined;
  return problem
    ? { ...base, state: "invalid", reason: problem, sizeBytes }
    : { ...base, state: "verified", sizeBytes };
}

function unlisted(root: string, name: string, state: BackupState, reason: string, now: Date): BackupListing {
  const path = join(root, name);
  const stats = statSync(path);
  return {
    file: name,
    path,
    state,
    reason,
    sizeBytes: stats.size,
    createdAt: stats.mtime.toISOString(),
    ageMs: Math.round(now.getTime() - stats.mtimeMs),
    envFile: null,
  };
}

/**
 * The newest verified backup the manifest records (`ahb backup`, cron or a pre-deploy one), without re-reading
 * the files: status and doctor ask for it often; `listBackups` is the check that re-hashes them.
 */
export function newestBackup(dir: string, now: Date): { file: string; path: string; ageS: number } | null {
  if (!existsSync(dir)) return null;
  const newest = readManifest(dir)
    .backups.filter((record) => record.verified)
    .sort((a, b) => byCodePoint(b.createdAt, a.createdAt))[0];
  if (!newest) return null;
  return {
    file: newest.file,
    path: join(dir, newest.file),
    ageS: Math.floor((now.getTime() - Date.parse(newest.createdAt)) / 1000),
  };
}
