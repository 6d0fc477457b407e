import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";
import { Hono } from "hono";
import type { Db } from "../../db/open.js";
import { storageProbe, type StorageState } from "../storage-probe.js";
import type { AppDeps, AppEnv, RouteDeps } from "../types.js";

/**
 * How long a verdict on the database stays good. A probe costs a read transaction (file locks, several syscalls)
 * and a look at the file; a load balancer or a benchmark asking thousands of times a second gets the verdict of
 * the last CHECK_EVERY_MS instead, so a broken database is still reported within that time.
 */
export const CHECK_EVERY_MS = 1000;

/**
 * The database file must still be reachable (an open descriptor can hide a removed file or a broken mount) and
 * answer a query through a statement prepared once.
 */
export function databaseCheck(db: Db, dbPath: string, now: () => number = Date.now): () => boolean {
  const probe = db.prepare("SELECT count(*) FROM schema_migrations").pluck();
  const check = () => {
    try {
      if (dbPath !== ":memory:") accessSync(dbPath, constants.R_OK | constants.W_OK);
      return probe.get() !== undefined;
    } catch {
      return false;
    }
  };
  let verdict = false;
  let checkedAt = -Infinity;
  return () => {
    if (now() - checkedAt >= CHECK_EVERY_MS) {
      verdict = check();
      checkedAt = now();
    }
    return verdict;
  };
}

const HEALTH_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store" };

/** The database's directory, where SQLite writes; no probe for an in-memory database. */
function storageCheck(deps: AppDeps): () => Promise<StorageState> {
  if (deps.dbPath === ":memory:") return async () => "ok";
  return storageProbe({
    dir: dirname(deps.dbPath),
    minFreeBytes: deps.config.HEALTH_MIN_FREE_MB * 1024 ** 2,
  });
}

/**
 * 200 only while the server takes every request. While draining it answers 503 `draining` (reads still work): a
 * proxy or a blue/green switch must send new turns elsewhere, and a stopping container is not healthy.
 */
export function healthRoutes(deps: RouteDeps) {
  const databaseOk = databaseCheck(deps.db, deps.dbPath);
  const storage = storageCheck(deps);
  return new Hono<AppEnv>().get("/", async () => {
    const dbOk = databaseOk();
    const storageState = await storage();
    const draining = deps.drain.draining;
    const ok = dbOk && storageState === "ok" && !draining;
    const body = {
      status: draining ? "draining" : ok ? "ok" : "degraded",
      db: dbOk ? "ok" : "unavailable",
      storage: storageState,
      version: deps.version,
      uptimeS: Math.floor((Date.now() - deps.startedAt.getTime()) / 1000),
      ...(draining ? { running: deps.drain.active } : {}),
    };
    // A Response with plain-object headers goes to the socket as they are; c.json() with two headers would
    // build a Headers object first, which doubled the cost of a probe.
    return new Response(JSON.stringify(body), { status: ok ? 200 : 503, headers: HEALTH_HEADERS });
  });
}
