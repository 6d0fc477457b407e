import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ExitCode, UserError } from "../errors.js";

/** Flushes a file (or a directory entry list) to disk; directories need it so a rename survives a crash. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Renames into place and makes the rename durable. */
export function renameDurably(from: string, to: string): void {
  renameSync(from, to);
  fsyncPath(dirname(to));
}

export interface WriteAtomicOptions {
  /** Permission bits from the first byte: the temp file is created exclusively ("wx") with them. */
  mode?: number;
  /** Replace an existing file; without it an existing file is refused atomically (link fails on EEXIST). */
  overwrite?: boolean;
}

/**
 * Writes a complete file or nothing (temp file beside the target, fsync, link or rename), and never replaces an
 * existing file unless told to: operators may already have one.
 */
export function writeFileAtomic(path: string, data: string, options: WriteAtomicOptions = {}): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx", options.mode ?? 0o644);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.overwrite) renameSync(temp, path);
    else linkSync(temp, path);
    fsyncPath(dirname(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      throw new UserError(`${path} exists; pass --force to overwrite it`, ExitCode.USAGE);
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}
