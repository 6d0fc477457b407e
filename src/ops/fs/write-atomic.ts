import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { ExitCode, UserError } from "../../errors.js";

export interface WriteAtomicOptions {
  /** Permission bits the file has from its first byte (the temp file is created with them). */
  mode?: number;
  /** Replace an existing file; without it an existing file is refused, atomically (link fails on EEXIST). */
  overwrite?: boolean;
}

/** Writes a complete file or nothing: temp file beside the target, fsync, then link (no overwrite) or rename. */
export function writeFileAtomic(path: string, text: string, options: WriteAtomicOptions = {}): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", options.mode ?? 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (options.overwrite) renameSync(temp, path);
    else linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      throw new UserError(`${path} exists; pass --force to overwrite it`, ExitCode.USAGE);
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}
