import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";
import { Hono } from "hono";
import type { Db } from "../../db/open.js";
import { storageProbe, type StorageState } from "../storage-probe.js";
import type { AppDeps, AppEnv } from "../types.js";

/** The database file must still be reachable (an open descriptor can hide a broken mount) and answer a query. */
export function checkDatabase(db: Db, dbPath: string): boolean {
  try {
    if (dbPath !== ":memory:") accessSync(dbPath, constants.R_OK | constants.W_OK);
    db.prepare("SELECT count(*) FROM schema_migrations").get();
    return true;
  } catch {
    return false;
  }
}

/** The database's directory, where SQLite writes; no probe for an in-memory database. */
function storageCheck(deps: AppDeps): () => StorageState {
  if (deps.dbPath === ":memory:") return () => "ok";
  return storageProbe({
    dir: dirname(deps.dbPath),
    minFreeBytes: deps.config.HEALTH_MIN_FREE_MB * 1024 ** 2,
  });
}

export function healthRoutes(deps: AppDeps) {
  const storage = storageCheck(deps);
  return new Hono<AppEnv>().get("/", (c) => {
    const dbOk = checkDatabase(deps.db, deps.dbPath);
    const storageState = storage();
    const ok = dbOk && storageState === "ok";
    const body = {
      status: ok ? "ok" : "degraded",
      db: dbOk ? "ok" : "unavailable",
      storage: storageState,
      version: deps.version,
      uptimeS: Math.floor((Date.now() - deps.startedAt.getTime()) / 1000),
    };
    c.header("Cache-Control", "no-store");
    return c.json(body, ok ? 200 : 503);
  });
}
