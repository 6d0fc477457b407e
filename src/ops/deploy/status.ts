import { existsSync, statSync } from "node:fs";
import { newestBackup } from "../backup/list.js";
import type { ContainerState, Engine, RawStats } from "../docker/engine.js";
import { describeInterrupted } from "./recover.js";
import { hostDatabasePath, type OpsConfig } from "../../config/ops.js";
import { readAudit, type AuditEntry } from "./audit.js";
import { healthUrl, probeHealth } from "./health.js";
import { readLiveState } from "./live-state.js";

export interface StatusReport {
  container: string;
  healthy: boolean;
  state: string;
  health: string | null;
  http: string | null;
  version: string | null;
  image: string | null;
  imageId: string | null;
  startedAt: string | null;
  restartCount: number | null;
  published: string | null;
  /** Behind a proxy: the serving colour and port, as the last switch recorded them. */
  colour: string | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  database: { path: string; bytes: number } | null;
  lastBackup: { path: string; ageS: number } | null;
  lastDeploy: AuditEntry | null;
  /** What an interrupted deploy, rollback or restore left behind (empty when nothing). */
  interrupted: string[];
}

/** Docker says "exited" for a crash and for `ahb stop` alike; a clean exit (code 0) is a stopped service. */
export function stateName(state: Pick<ContainerState, "status" | "exitCode"> | undefined): string {
  if (!state) return "missing";
  return state.status === "exited" && state.exitCode === 0 ? "stopped" : state.status;
}

/** CPU share of one sample against the previous one, as `docker stats` computes it (100% = one core). */
export function cpuPercent(stats: RawStats): number | null {
  const cpu = stats.cpu_stats;
  const previous = stats.precpu_stats;
  const used = (cpu?.cpu_usage?.total_usage ?? 0) - (previous?.cpu_usage?.total_usage ?? 0);
  const system = (cpu?.system_cpu_usage ?? 0) - (previous?.system_cpu_usage ?? 0);
  if (!previous?.system_cpu_usage || system <= 0 || used < 0) return null;
  return Math.round((used / system) * (cpu?.online_cpus ?? 1) * 1000) / 10;
}

/** Memory as `docker stats` shows it: usage minus the reclaimable page cache. */
export function memoryInUse(stats: RawStats): number | null {
  const usage = stats.memory_stats?.usage;
  if (usage === undefined) return null;
  return usage - (stats.memory_stats?.stats?.inactive_file ?? 0);
}

function lastBackup(dir: string, now: Date): { path: string; ageS: number } | null {
  const newest = newestBackup(dir, now);
  return newest && { path: newest.path, ageS: newest.ageS };
}

function databaseSize(config: OpsConfig): { path: string; bytes: number } | null {
  const path = hostDatabasePath(config);
  if (!existsSync(path)) return null;
  const wal = `${path}-wal`;
  return { path, bytes: statSync(path).size + (existsSync(wal) ? statSync(wal).size : 0) };
}

function liveColour(config: OpsConfig): string | null {
  const live = readLiveState(config.stateDir);
  return live ? `${live.colour} (${live.port})` : null;
}

/** Healthy = running, Docker says healthy and /api/health answers 200 where the proxy reaches it. */
export async function containerStatus(
  engine: Engine,
  config: OpsConfig,
  now = new Date(),
): Promise<StatusReport> {
  const state = await engine.inspectContainer(config.container);
  const stats = state?.running ? await engine.stats(state.id) : undefined;
  const url = state?.running ? healthUrl(config, state) : undefined;
  const http = url ? await probeHealth(url) : undefined;
  return {
    container: config.container,
    healthy: Boolean(state?.running && (state.health ?? "healthy") === "healthy" && http?.ok),
    state: stateName(state),
    health: state?.health ?? null,
    http: http?.detail ?? null,
    version: state?.version ?? null,
    image: state?.imageRef ?? null,
    imageId: state?.imageId ?? null,
    startedAt: state?.startedAt ?? null,
    restartCount: state?.restartCount ?? null,
    published: state?.published ? `${state.published.hostIp}:${state.published.hostPort}` : null,
    colour: config.proxy ? liveColour(config) : null,
    cpuPercent: stats ? cpuPercent(stats) : null,
    memoryBytes: stats ? memoryInUse(stats) : null,
    memoryLimitBytes: stats?.memory_stats?.limit ?? null,
    database: databaseSize(config),
    lastBackup: lastBackup(config.backupsDir, now),
    lastDeploy: readAudit(config.stateDir).at(-1) ?? null,
    interrupted: await describeInterrupted(engine, config),
  };
}
