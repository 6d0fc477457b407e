import { hostname } from "node:os";
import { createRedactor } from "../../config/secret.js";
import { ExitCode, UserError } from "../../errors.js";
import type { Engine } from "../docker/engine.js";
import type { OpsConfig } from "../../config/ops.js";
import { operatorName } from "../../shared/operator.js";
import { appendAudit, type AuditEntry } from "./audit.js";
import { backupLiveDatabase, type PreDeployBackup } from "./backup-step.js";
import { preflight, type PreflightResult } from "./preflight.js";
import type { Progress } from "./progress.js";
import { swapContainer } from "./swap.js";
import { runCanary } from "./canary.js";
import { blueGreenSwap } from "./bluegreen.js";
import { incompatibleWithPrevious } from "../../db/migrations.js";
import type { ContainerState } from "../docker/engine.js";
import { noSignalGuard, type SignalGuard } from "../../shared/interrupts.js";

export interface ReleaseImage {
  ref: string;
  imageId: string;
  version: string;
}

export interface ReleaseOptions {
  engine: Engine;
  config: OpsConfig;
  progress: Progress;
  backup: boolean;
  /** For the lock and the audit log, e.g. "ahb deploy". */
  command: string;
  /** Signals wait while the swap runs (the CLI's guard); default: none handled. */
  signals?: SignalGuard;
  now?: () => Date;
}

export interface ReleasePlan {
  action: AuditEntry["action"];
  /** Builds or finds the image to run; may take minutes; runs under the lock. */
  resolveImage(preflight: PreflightResult, durationsMs: Record<string, number>): Promise<ReleaseImage>;
  /** Runs after a healthy swap (deploy prunes old images here). */
  afterSuccess?(image: ReleaseImage): Promise<string[]>;
}

export interface ReleaseResult {
  action: AuditEntry["action"];
  container: string;
  version: string;
  image: string;
  imageId: string;
  previousVersion: string | null;
  engineApiVersion: string;
  backup: PreDeployBackup | null;
  durationsMs: Record<string, number>;
  downtimeMs: number | null;
  strategy: Strategy;
  prunedImages: string[];
}

/** blue-green: behind the proxy, no window; stop-first: behind it, with a migration the old version cannot take. */
export type Strategy = "blue-green" | "stop-first" | "swap";

function chooseStrategy(config: OpsConfig, applied: number[], progress: Progress): Strategy {
  if (!config.proxy) return "swap";
  const incompatible = incompatibleWithPrevious(applied);
  if (incompatible.length === 0) return "blue-green";
  progress({
    level: "warn",
    message: `migration ${incompatible.join(", ")} does not keep the previous version working: falling back to stop-then-start (a short window)`,
  });
  return "stop-first";
}

async function timed<T>(durations: Record<string, number>, name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await run();
  } finally {
    durations[name] = Date.now() - started;
  }
}

/** Failures that changed nothing (an unknown version, a refused git pull) are not deploy attempts. */
function failureResult(error: unknown): AuditEntry["result"] | undefined {
  if (!(error instanceof UserError)) return "failed";
  if (error.exitCode === ExitCode.BUILD_FAILED) return "build-failed";
  if (error.exitCode === ExitCode.DEPLOY_ROLLED_BACK) return "rolled-back";
  if (error.exitCode === ExitCode.UNHEALTHY || error.exitCode === ExitCode.DOCKER_API_FAILED) return "failed";
  return undefined;
}

/** Preflight + lock, image, backup, health-gated swap with automatic rollback, audit entry: deploy and rollback. */
export async function release(options: ReleaseOptions, plan: ReleasePlan): Promise<ReleaseResult> {
  const { engine, config, progress } = options;
  const now = options.now ?? (() => new Date());
  const startedAt = Date.now();
  const durationsMs: Record<string, number> = {};
  const signals = options.signals ?? noSignalGuard;
  const checked = await timed(durationsMs, "preflight", () =>
    preflight(engine, config, options.command, progress),
  );
  signals.onAbort(() => checked.lock.release());
  const audit = {
    time: now().toISOString(),
    action: plan.action,
    operator: operatorName(),
    host: hostname(),
    container: config.container,
    previousVersion: checked.live?.version ?? null,
  };
  let image: ReleaseImage | undefined;
  let downtimeMs: number | null = null;
  try {
    image = await plan.resolveImage(checked, durationsMs);
    const resolved = image;
    const backup = options.backup
      ? await timed(durationsMs, "backup", () => takeBackup(config, now(), progress))
      : null;
    if (!options.backup) progress({ level: "warn", message: "backup skipped (--no-backup)" });
    const redact = createRedactor(checked.env.secretValues);
    progress({ level: "step", message: `canary of ${image.version}` });
    const canary = await runCanary({
      engine,
      config,
      image: resolved.ref,
      version: resolved.version,
      envValues: checked.env.values,
      backupPath: backup?.path ?? null,
      redact,
      progress,
    });
    durationsMs.canary = canary.elapsedMs;
    if (!canary.healthy) throw canaryFailure(image.version, canary.reason, checked.live);
    const strategy = chooseStrategy(config, canary.canaryDatabase.applied, progress);
    progress({ level: "step", message: `swap to ${image.version} (${strategy})` });
    const swapInput = {
      action: plan.action,
      imageId: resolved.imageId,
      engine,
      config,
      image: resolved.ref,
      version: resolved.version,
      envValues: checked.env.values,
      redact,
      progress,
    };
    const swapped = await signals.critical(() =>
      config.proxy
        ? blueGreenSwap({ ...swapInput, proxy: config.proxy, stopFirst: strategy === "stop-first" })
        : swapContainer(swapInput),
    );
    durationsMs.swap = swapped.swapMs;
    downtimeMs = swapped.downtimeMs;
    if (!swapped.ok) throw swapFailure(image.version, swapped);
    progress({
      level: "success",
      message: `${image.version} is healthy${downtimeMs === null ? "" : strategy === "blue-green" ? "; the proxy switched over without a window" : `; unavailable for ${(downtimeMs / 1000).toFixed(2)} s`}`,
    });
    const prunedImages = (await plan.afterSuccess?.(resolved)) ?? [];
    durationsMs.total = Date.now() - startedAt;
    appendAudit(config.stateDir, {
      ...audit,
      version: image.version,
      imageId: image.imageId,
      result: "ok",
      message: null,
      durationsMs,
      downtimeMs,
    });
    signals.throwIfInterrupted(`after the swap finished: ${image.version} is serving`);
    return {
      action: plan.action,
      container: config.container,
      version: image.version,
      image: image.ref,
      imageId: image.imageId,
      previousVersion: audit.previousVersion,
      engineApiVersion: checked.engine.apiVersion,
      backup,
      durationsMs,
      downtimeMs,
      strategy,
      prunedImages,
    };
  } catch (error) {
    durationsMs.total = Date.now() - startedAt;
    const result = failureResult(error);
    if (result)
      appendAudit(config.stateDir, {
        ...audit,
        version: image?.version ?? null,
        imageId: image?.imageId ?? null,
        result,
        message: (error as Error).message,
        durationsMs,
        downtimeMs,
      });
    throw error;
  } finally {
    checked.lock.release();
  }
}

async function takeBackup(config: OpsConfig, at: Date, progress: Progress): Promise<PreDeployBackup | null> {
  progress({ level: "step", message: "backup of the live database" });
  const backup = await backupLiveDatabase(config, at);
  progress({
    level: "info",
    message: backup ? `backup ${backup.path} (${backup.bytes} bytes)` : "no database yet: nothing to back up",
  });
  return backup ?? null;
}

/** The serving container was never touched: a rolled-back deploy (10), or nothing serving before either (3). */
function canaryFailure(version: string, reason: string, live: ContainerState | undefined): UserError {
  const why = `the canary of ${version} did not become healthy (${reason})`;
  if (live?.running)
    return new UserError(
      `deploy of ${version} rolled back: ${why}; ${live.version ?? live.name} kept serving, nothing was changed`,
      ExitCode.DEPLOY_ROLLED_BACK,
      ["see the canary's last lines above"],
    );
  return new UserError(`deploy of ${version} failed: ${why}; nothing is serving`, ExitCode.UNHEALTHY);
}

function swapFailure(
  version: string,
  swapped: {
    reason: string;
    restored: boolean;
    untouched?: boolean;
    restoreProblem?: string;
    previousVersion: string | null;
  },
): UserError {
  if (swapped.untouched)
    return new UserError(
      `deploy of ${version} rolled back: ${swapped.reason}; ${swapped.previousVersion ?? "(unversioned)"} kept serving, nothing was changed`,
      ExitCode.DEPLOY_ROLLED_BACK,
    );
  if (swapped.restored)
    return new UserError(
      `deploy of ${version} rolled back: ${swapped.reason}; the previous version ${swapped.previousVersion ?? "(unversioned)"} is serving again`,
      ExitCode.DEPLOY_ROLLED_BACK,
    );
  const after = swapped.restoreProblem
    ? `and the previous container did not come back healthy either (${swapped.restoreProblem})`
    : "and no previous container was running";
  return new UserError(
    `deploy of ${version} failed: ${swapped.reason}; ${after}: nothing is serving (see ahb logs, ahb rollback)`,
    ExitCode.UNHEALTHY,
  );
}
