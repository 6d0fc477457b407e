import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { readEnvFile } from "../../config/load.js";
import { secretKeys } from "../../config/schema.js";
import { createRedactor } from "../../config/secret.js";
import { ExitCode, UserError } from "../../errors.js";
import { beyondRetention, type PruneOptions } from "./backup.js";
import {
  backupNameTime,
  backupRecordSchema,
  isBackupName,
  sha256File,
  writeManifest,
  type BackupRecord,
} from "./files.js";
import { readEnvKeys } from "../../config/env-keys.js";
import { byCodePoint } from "../../shared/text-order.js";

/** Next to each `.db.gz` on the remote: its manifest record (checksum, row counts), written after the backup. */
const RECORD_SUFFIX = ".json";
/** Fail fast on a dead remote (connect, then idle I/O), while a slow but moving transfer goes on. */
const RCLONE_FLAGS = [
  "--contimeout",
  "10s",
  "--timeout",
  "60s",
  "--retries",
  "2",
  "--low-level-retries",
  "3",
];

export interface RemoteTarget {
  /** rclone `remote:path`, from BACKUP_REMOTE. */
  remote: string;
  /** RCLONE_CONFIG; undefined: rclone's default config. */
  config?: string;
  /** Every env secret and URL credentials out of rclone's messages. */
  redact: (text: string) => string;
}

export class RemoteError extends UserError {}

/** The env file's off-site remote, or undefined when BACKUP_REMOTE is empty. */
export function remoteTarget(envFile: string): RemoteTarget | undefined {
  const { BACKUP_REMOTE: remote, RCLONE_CONFIG: config } = readEnvKeys(envFile, [
    "BACKUP_REMOTE",
    "RCLONE_CONFIG",
  ]);
  if (remote === "") return undefined;
  const { values } = readEnvFile(envFile, false);
  const envSecrets = createRedactor([...secretKeys.map((key) => values[key] ?? "")]);
  return {
    remote,
    config: config === "" ? undefined : config,
    redact: (text) => envSecrets(text).replace(/\/\/[^/\s@]+@/g, "//[REDACTED]@"),
  };
}

/** The same remote, required: for the commands that read from it. */
export function requireRemoteTarget(envFile: string): RemoteTarget {
  const target = remoteTarget(envFile);
  if (!target) throw new UserError(`BACKUP_REMOTE is not set in ${envFile}`, ExitCode.CONFIG_INVALID);
  return target;
}

function remotePath(target: RemoteTarget, name: string): string {
  return /[:/]$/.test(target.remote) ? `${target.remote}${name}` : `${target.remote}/${name}`;
}

async function rclone(target: RemoteTarget, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const configArgs = target.config === undefined ? [] : ["--config", target.config];
  const result = await execa("rclone", [...args, ...configArgs, ...RCLONE_FLAGS], {
    reject: false,
    stdin: "ignore",
  });
  if (result.exitCode !== 0) {
    const lines = String(result.stderr ?? result.message)
      .split("\n")
      .filter((line) => line.trim() !== "");
    const detail = target.redact(lines.at(-1) ?? `exit ${result.exitCode}`);
    throw new RemoteError(`rclone ${args[0]} on ${target.remote} failed: ${detail}`, ExitCode.UNHEALTHY);
  }
  return { stdout: String(result.stdout), stderr: String(result.stderr) };
}

export type RemoteCheck = "hash" | "size";

/** Copies one file of `dir` to the remote and has rclone compare it (hash when both sides have one, else size). */
async function copyAndCheck(target: RemoteTarget, dir: string, name: string): Promise<RemoteCheck> {
  const list = join(mkdtempSync(join(tmpdir(), "ahb-remote-")), "files");
  try {
    writeFileSync(list, `${name}\n`);
    await rclone(target, ["copy", dir, target.remote, "--files-from-raw", list]);
    const { stderr } = await rclone(target, [
      "check",
      dir,
      target.remote,
      "--one-way",
      "--files-from-raw",
      list,
    ]);
    return /no common hash/i.test(stderr) ? "size" : "hash";
  } finally {
    rmSync(join(list, ".."), { recursive: true, force: true });
  }
}

export interface RemoteListing {
  file: string;
  sizeBytes: number;
  createdAt: string;
  ageMs: number;
  /** "copied": the backup and its record are there; "incomplete": the record is missing (an interrupted copy). */
  state: "copied" | "incomplete";
}

/** The remote's backups, newest first. */
export async function listRemoteBackups(target: RemoteTarget, now = new Date()): Promise<RemoteListing[]> {
  let stdout: string;
  try {
    ({ stdout } = await rclone(target, ["lsjson", target.remote, "--files-only"]));
  } catch (error) {
    // A remote path nothing was copied to yet is an empty list, not a failure.
    if (error instanceof RemoteError && /directory not found/.test(error.message)) return [];
    throw error;
  }
  const entries = JSON.parse(stdout) as { Name: string; Size: number }[];
  const names = new Set(entries.map((entry) => entry.Name));
  return entries
    .filter((entry) => isBackupName(entry.Name))
    .map((entry) => {
      const createdAt = backupNameTime(entry.Name);
      return {
        file: entry.Name,
        sizeBytes: entry.Size,
        createdAt,
        ageMs: now.getTime() - Date.parse(createdAt),
        state: names.has(`${entry.Name}${RECORD_SUFFIX}`) ? ("copied" as const) : ("incomplete" as const),
      };
    })
    .sort((a, b) => byCodePoint(b.createdAt, a.createdAt));
}

export interface OffsiteCopy {
  remote: string;
  file: string;
  check: RemoteCheck;
  /** Remote backups removed by the same retention as the local ones. */
  pruned: string[];
}

export type Retention = Pick<PruneOptions, "keepDays" | "keepLast" | "now">;

/**
 * Copies a verified backup and then its record (the record last: a backup without one is an interrupted copy),
 * has rclone check both, and applies the local retention to the remote's backups.
 */
export async function copyOffsite(
  target: RemoteTarget,
  dir: string,
  record: BackupRecord,
  retention: Retention,
): Promise<OffsiteCopy> {
  const check = await copyAndCheck(target, dir, record.file);
  const recordDir = mkdtempSync(join(tmpdir(), "ahb-remote-record-"));
  try {
    // Only the manifest's fields: no local paths or run details on the remote.
    const stored = backupRecordSchema.parse(record);
    writeFileSync(join(recordDir, `${record.file}${RECORD_SUFFIX}`), `${JSON.stringify(stored, null, 2)}\n`);
    await copyAndCheck(target, recordDir, `${record.file}${RECORD_SUFFIX}`);
  } finally {
    rmSync(recordDir, { recursive: true, force: true });
  }
  const doomed = beyondRetention(await listRemoteBackups(target, retention.now), {
    ...retention,
    protect: record.file,
  });
  const pruned: string[] = [];
  for (const { file } of doomed) {
    for (const name of [file, `${file}${RECORD_SUFFIX}`]) {
      await rclone(target, ["deletefile", remotePath(target, name)]).catch(() => undefined);
    }
    pruned.push(file);
  }
  return { remote: target.remote, file: record.file, check, pruned };
}

/**
 * Downloads a remote backup and its record into `workDir`, checks size and SHA-256 against the record and writes
 * a one-entry manifest there, so the ordinary restore and drill paths (which verify integrity and row counts
 * again) take it from that directory. Returns the local path.
 */
export async function downloadBackup(target: RemoteTarget, file: string, workDir: string): Promise<string> {
  if (!isBackupName(file)) throw new UserError(`not a backup name: ${file}`, ExitCode.USAGE);
  const listed = (await listRemoteBackups(target)).find((entry) => entry.file === file);
  if (!listed) throw new UserError(`${file} is not on ${target.remote}`, ExitCode.NOT_FOUND);
  if (listed.state !== "copied") {
    throw new UserError(
      `${file} on ${target.remote} has no record (interrupted copy)`,
      ExitCode.VERIFICATION_FAILED,
    );
  }
  const path = join(workDir, file);
  await rclone(target, ["copyto", remotePath(target, file), path]);
  await rclone(target, ["copyto", remotePath(target, `${file}${RECORD_SUFFIX}`), `${path}${RECORD_SUFFIX}`]);
  const record = parseRecord(`${path}${RECORD_SUFFIX}`, file);
  const problem =
    statSync(path).size !== record.sizeBytes
      ? `size ${statSync(path).size} differs from the recorded ${record.sizeBytes}`
      : (await sha256File(path)) !== record.sha256
        ? "checksum does not match its record"
        : undefined;
  if (problem) {
    throw new UserError(`downloaded ${file} failed verification: ${problem}`, ExitCode.VERIFICATION_FAILED);
  }
  writeManifest(workDir, { format: 1, backups: [record] });
  return path;
}

function parseRecord(path: string, file: string): BackupRecord {
  let parsed;
  try {
    parsed = backupRecordSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success || parsed.data.file !== file || !parsed.data.verified) {
    throw new UserError(`the remote record of ${file} is invalid`, ExitCode.VERIFICATION_FAILED);
  }
  return parsed.data;
}

/**
 * Runs `use` on a remote backup downloaded and checked into a fresh temp directory (the newest complete one when
 * `file` is undefined), then deletes the directory.
 */
export async function withRemoteBackup<T>(
  target: RemoteTarget,
  file: string | undefined,
  use: (path: string, dir: string) => Promise<T>,
): Promise<T> {
  const name = file ?? (await listRemoteBackups(target)).find((entry) => entry.state === "copied")?.file;
  if (name === undefined) throw new UserError(`no backup on ${target.remote}`, ExitCode.NOT_FOUND);
  const workDir = mkdtempSync(join(tmpdir(), "ahb-remote-restore-"));
  try {
    const path = await downloadBackup(target, name, workDir);
    return await use(path, workDir);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
