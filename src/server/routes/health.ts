import { accessSync, constants } from "node:fs";
import { Hono } from "hono";
import type { Db } from "../../db/open.js";
import type { AppDeps, AppEnv } from "../types.js";

/** How long a look at the database file stays good: a broken file is noticed within this, at one syscall per period. */
export const FILE_CHECK_MS = 1000;

/**
 * The database file must still be reachable (an open descriptor can hide a removed file or a broken mount) and
 * answer a query. The query runs on every call through a statement prepared once; the file is looked at most once
 * per FILE_CHECK_MS, so a health probe costs microseconds.
 */
export function databaseCheck(db: Db, dbPath: string, now: () => number = Date.now): () => boolean {
  const probe = db.prepare("SELECT count(*) FROM schema_migrations").pluck();
  let fileOk = false;
  let fileCheckedAt = -Infinity;
  const checkFile = () => {
    if (dbPath === ":memory:") return true;
    if (now() - fileCheckedAt >= FILE_CHECK_MS) {
      fileOk = fileReachable(dbPath);
      fileCheckedAt = now();
    }
    return fileOk;
  };
  return () => {
    try {
      return checkFile() && probe.get() !== undefined;
    } catch {
      return false;
    }
  };
}

function fileReachable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function healthRoutes(deps: AppDeps) {
  const databaseOk = databaseCheck(deps.db, deps.dbPath);
  return new Hono<AppEnv>().get("/", (c) => {
    const dbOk = databaseOk();
    const body = {
      status: dbOk ? "ok" : "degraded",
      db: dbOk ? "ok" : "unavailable",
      version: deps.version,
      uptimeS: Math.floor((Date.now() - deps.startedAt.getTime()) / 1000),
    };
    return c.json(body, dbOk ? 200 : 503, { "Cache-Control": "no-store" });
  });
}
