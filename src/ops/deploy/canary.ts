import { chownSync, createReadStream, createWriteStream, existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import Database from "better-sqlite3";
import type { Engine } from "../docker/engine.js";
import { canarySpec, CONTAINER_UID } from "../docker/spec.js";
import { hostDatabasePath, type OpsConfig } from "../../config/ops.js";
import { hasMigrationsTable } from "../../db/open.js";
import { waitHealthy } from "./health.js";
import { lastLogLines, saveLastLogs } from "./logs.js";
import type { Progress } from "./progress.js";

export interface CanaryInput {
  engine: Engine;
  config: OpsConfig;
  image: string;
  version: string;
  envValues: Record<string, string>;
  /** The pre-deploy backup (gzip) the canary's database is copied from; without one, a snapshot of the live file. */
  backupPath: string | null;
  redact: (text: string) => string;
  progress: Progress;
}

export type CanaryResult =
  | { healthy: true; elapsedMs: number; canaryDatabase: MigrationLevels }
  | { healthy: false; elapsedMs: number; reason: string };

export interface MigrationLevels {
  /** Migration versions the release applied on top of the live database (its copy), ascending. */
  applied: number[];
}

const LOG_LINES_ON_FAILURE = 20;

export function canaryContainerName(config: Pick<OpsConfig, "container">): string {
  return `${config.container}-canary`;
}

/** Under the state directory: never the live data directory, and removed with the canary. */
export function canaryDir(config: Pick<OpsConfig, "stateDir">): string {
  return join(config.stateDir, "canary");
}

/** What a canary left (an interrupted run): its container and its data copy. */
export async function leftoverCanary(engine: Engine, config: OpsConfig): Promise<string[]> {
  const found: string[] = [];
  if (await engine.inspectContainer(canaryContainerName(config)))
    found.push(`container ${canaryContainerName(config)}`);
  if (existsSync(canaryDir(config))) found.push(canaryDir(config));
  return found;
}

export async function removeCanary(engine: Engine, config: OpsConfig): Promise<void> {
  await engine.removeContainer(canaryContainerName(config), true);
  rmSync(canaryDir(config), { recursive: true, force: true });
}

function schemaVersions(dbPath: string): number[] {
  if (!existsSync(dbPath)) return [];
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    if (!hasMigrationsTable(db)) return [];
    return db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all() as number[];
  } finally {
    db.close();
  }
}

/** The copy the canary migrates: the verified pre-deploy backup, or (--no-backup) a VACUUM INTO snapshot. */
async function copyDatabase(config: OpsConfig, backupPath: string | null, to: string): Promise<void> {
  if (backupPath) {
    await pipeline(createReadStream(backupPath), createGunzip(), createWriteStream(to, { mode: 0o600 }));
    return;
  }
  const live = hostDatabasePath(config);
  if (!existsSync(live)) return;
  const db = new Database(live, { readonly: true, fileMustExist: true });
  try {
    db.prepare("VACUUM INTO ?").run(to);
  } finally {
    db.close();
  }
}

function ownByContainer(paths: string[]): void {
  if (process.getuid?.() !== 0) return;
  for (const path of paths) if (existsSync(path)) chownSync(path, CONTAINER_UID, CONTAINER_UID);
}

/**
 * Runs the new image beside the serving container until it is healthy or the wait gives up: its own loopback
 * port, a copy of the live database (so its migrations run against real data), the real env file. Nothing live
 * is touched; the canary and its copy are gone when this returns (an interrupted run leaves them to the next).
 */
export async function runCanary(input: CanaryInput): Promise<CanaryResult> {
  const { engine, config, progress } = input;
  const started = Date.now();
  await removeCanary(engine, config);
  const dirs = { dataDir: join(canaryDir(config), "data"), exportsDir: join(canaryDir(config), "exports") };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o750 });
  const dbCopy = hostDatabasePath(dirs);
  const liveLevels = schemaVersions(hostDatabasePath(config));
  try {
    await copyDatabase(config, input.backupPath, dbCopy);
    ownByContainer([canaryDir(config), ...Object.values(dirs), dbCopy]);
    const name = canaryContainerName(config);
    const id = await engine.createContainer(
      canarySpec(
        config,
        { name, image: input.image, version: input.version, envValues: input.envValues },
        dirs,
      ),
    );
    await engine.startContainer(id);
    const state = await engine.inspectContainer(id);
    progress({
      level: "info",
      message: `canary ${name} on 127.0.0.1:${state?.published?.hostPort ?? "?"} with a copy of the database; waiting for healthy (up to ${config.healthTimeoutS} s)`,
    });
    const health = await waitHealthy(engine, id, config, {
      timeoutMs: config.healthTimeoutS * 1000,
      restartsBefore: 0,
    });
    if (!health.healthy) {
      progress({
        level: "warn",
        message: `canary of ${input.version} did not become healthy: ${health.reason}`,
      });
      progress({ level: "info", message: `last ${LOG_LINES_ON_FAILURE} log lines of the canary:` });
      for (const line of await lastLogLines(engine, id, LOG_LINES_ON_FAILURE, input.redact))
        progress({ level: "info", message: `  ${line}` });
      await keepCanaryLogs(input, id);
      return { healthy: false, reason: health.reason, elapsedMs: Date.now() - started };
    }
    await engine.stopContainer(id);
    const applied = schemaVersions(dbCopy).filter((version) => !liveLevels.includes(version));
    progress({
      level: "info",
      message: `canary of ${input.version} healthy in ${((Date.now() - started) / 1000).toFixed(1)} s${applied.length > 0 ? `; it applied migrations ${applied.join(", ")}` : ""}`,
    });
    return { healthy: true, elapsedMs: Date.now() - started, canaryDatabase: { applied } };
  } finally {
    await removeCanary(engine, config);
  }
}

async function keepCanaryLogs(input: CanaryInput, id: string): Promise<void> {
  const label = `${canaryContainerName(input.config)}-${input.version}-failed`;
  try {
    const saved = await saveLastLogs(input.engine, id, input.config.dataDir, label, input.redact);
    input.progress({ level: "info", message: `last log lines of the canary kept in ${saved}` });
  } catch (error) {
    input.progress({
      level: "warn",
      message: `could not keep the logs of the canary: ${(error as Error).message}`,
    });
  }
}
