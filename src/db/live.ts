import { accessSync, constants } from "node:fs";
import Database from "better-sqlite3";
import type { Db } from "./open.js";
import { ExitCode, fileSystemError, UserError } from "../errors.js";

/**
 * Opens the database the server is using, from another process: never creates or migrates it (the server owns
 * the schema), waits on the server's write lock instead of failing at once, and enforces foreign keys so deletes
 * cascade as the schema says.
 */
export function openLiveDatabase(path: string, options: { busyTimeoutMs?: number } = {}): Db {
  requireReadable(path);
  const db = new Database(path, { fileMustExist: true });
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.pragma("foreign_keys = ON");
  return db;
}

/** Missing is "not found" (5); a file or directory this user may not read is "permission denied" (77). */
function requireReadable(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT")
      throw new UserError(`database not found: ${path}`, ExitCode.NOT_FOUND);
    throw fileSystemError(error, path) ?? error;
  }
}
