import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import * as z from "zod";
import { ExitCode, UserError } from "../../errors.js";
import { fsyncPath } from "../../shared/atomic-file.js";
import { writeFileAtomic } from "../../shared/atomic-file.js";

export const MANIFEST_FILE = "ahb-backups.json";
export const LOCK_FILE = ".ahb-backup.lock";
export const PARTIAL_SUFFIX = ".partial";
const BACKUP_PREFIX = "ahb-backup-";
const BACKUP_NAME = /^ahb-backup-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.db\.gz$/;

export const backupRecordSchema = z.object({
  file: z.string().regex(BACKUP_NAME),
  createdAt: z.iso.datetime(),
  sizeBytes: z.number().int().nonnegative(),
  snapshotBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  rowCounts: z.record(z.string(), z.number().int().nonnegative()),
  schemaVersion: z.number().int().nonnegative(),
  verified: z.boolean(),
  verifiedAt: z.iso.datetime().optional(),
  toolVersion: z.string(),
  envFile: z.string().optional(),
});

const manifestSchema = z.object({ format: z.literal(1), backups: z.array(backupRecordSchema) });

export type BackupRecord = z.infer<typeof backupRecordSchema>;
export type Manifest = z.infer<typeof manifestSchema>;

/** `ahb-backup-2026-11-24T04-24-22-123Z`: sortable, colon-free (portable file names), unique per millisecond. */
export function backupStem(at: Date): string {
  return `${BACKUP_PREFIX}${at.toISOString().replace(/[:.]/g, "-")}`;
}

/** When a backup was taken, read back from its name (the inverse of backupStem). */
export function backupNameTime(name: string): string {
  const match = /^ahb-backup-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/.exec(name);
  if (!match) throw new Error(`not a backup name: ${name}`);
  return `${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`;
}

export function isBackupName(name: string): boolean {
  return BACKUP_NAME.test(name);
}

/** Temp files of an interrupted run: only this tool's names, so nothing else in the directory is touched. */
export function isPartialName(name: string): boolean {
  return name.startsWith(BACKUP_PREFIX) && name.endsWith(PARTIAL_SUFFIX);
}

export function emptyManifest(): Manifest {
  return { format: 1, backups: [] };
}

/** The manifest of `dir`; a missing one is empty, an unreadable one is an error (it is never silently replaced). */
export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return emptyManifest();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UserError(
      `backup manifest ${path} is not JSON: ${(error as Error).message}`,
      ExitCode.INTERNAL,
    );
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    throw new UserError(
      `backup manifest ${path} is invalid`,
      ExitCode.INTERNAL,
      result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    );
  }
  return result.data;
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { overwrite: true });
  fsyncPath(dir);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** `<backup>.sha256` beside a backup, in `sha256sum` format: with it a copied-off backup can be checked anywhere. */
export function checksumFilePath(backupPath: string): string {
  return `${backupPath}.sha256`;
}

export function checksumFileText(sha256: string, file: string): string {
  return `${sha256}  ${file}\n`;
}

/** The hex digest in a `.sha256` file (the first word, as `sha256sum -c` reads it), if there is a valid one. */
export function readChecksumFile(backupPath: string): string | undefined {
  const path = checksumFilePath(backupPath);
  if (!existsSync(path)) return undefined;
  const digest = readFileSync(path, "utf8").trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  return /^[0-9a-f]{64}$/.test(digest) ? digest : undefined;
}
