import { chmodSync, chownSync, existsSync, statSync, type Stats } from "node:fs";
import { dirname } from "node:path";
import { ExitCode, UserError } from "../../errors.js";
import { CONTAINER_UID } from "./spec.js";

/** The files SQLite writes next to the database; the container must be able to write every one that exists. */
const DATABASE_FILE_SUFFIXES = ["", "-wal", "-shm", "-journal"];

export interface FileOwner {
  uid: number;
  gid: number;
  mode: number;
}

/** Whether uid 10001 (group 10001) may write a file or directory with these stats. */
export function writableByContainer(stats: Pick<Stats, "uid" | "gid" | "mode">): boolean {
  return Boolean(
    (stats.uid === CONTAINER_UID && stats.mode & 0o200) ||
    (stats.gid === CONTAINER_UID && stats.mode & 0o020) ||
    stats.mode & 0o002,
  );
}

function describe(path: string, stats: Stats): string {
  return `${path} is owned by ${stats.uid}:${stats.gid} mode ${(stats.mode & 0o777).toString(8)}`;
}

/**
 * What the container (uid 10001) cannot write among the data directory and the database files in it: each
 * problem names the path and the chown that fixes it. A root-owned app.db makes the server crash-loop.
 */
export function containerWriteProblems(dbPath: string): string[] {
  const paths = [dirname(dbPath), ...DATABASE_FILE_SUFFIXES.map((suffix) => `${dbPath}${suffix}`)];
  return paths.flatMap((path) => {
    if (!existsSync(path)) return [];
    const stats = statSync(path);
    if (writableByContainer(stats)) return [];
    return [
      `${describe(path, stats)}: the container (uid ${CONTAINER_UID}) cannot write it; run chown ${CONTAINER_UID}:${CONTAINER_UID} ${path}`,
    ];
  });
}

/**
 * The owner and mode a database file put in place must have: the current database's, or (no database yet) the
 * data directory's owner with mode 640. A restore run as root must not leave a root-owned database behind.
 */
export function databaseOwner(dbPath: string): FileOwner {
  if (existsSync(dbPath)) {
    const stats = statSync(dbPath);
    return { uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o7777 };
  }
  const dir = statSync(dirname(dbPath));
  return { uid: dir.uid, gid: dir.gid, mode: 0o640 };
}

/** Refuses before anything changes when this process could not hand a new file to that owner. */
export function assertCanGiveOwner(owner: FileOwner, path: string): void {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0 || uid === owner.uid) return;
  throw new UserError(
    `permission denied: ${path} belongs to uid ${owner.uid} and this user (uid ${uid}) cannot give a new file to it; run as root or as uid ${owner.uid}`,
    ExitCode.PERMISSION_DENIED,
  );
}

/** Gives the file the owner and mode (chown only when it differs: only root may change it). */
export function giveOwner(path: string, owner: FileOwner): void {
  const stats = statSync(path);
  if (stats.uid !== owner.uid || stats.gid !== owner.gid) chownSync(path, owner.uid, owner.gid);
  chmodSync(path, owner.mode);
}
