import { accessSync, constants } from "node:fs";
import { Hono } from "hono";
import type { Db } from "../../db/open.js";
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

export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get("/", (c) => {
    const dbOk = checkDatabase(deps.db, deps.dbPath);
    const body = {
      status: dbOk ? "ok" : "degraded",
      db: dbOk ? "ok" : "unavailable",
      version: deps.version,
      uptimeS: Math.floor((Date.now() - deps.startedAt.getTime()) / 1000),
    };
    c.header("Cache-Control", "no-store");
    return c.json(body, dbOk ? 200 : 503);
  });
}
