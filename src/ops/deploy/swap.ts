import { hostname } from "node:os";
import type { Engine } from "../docker/engine.js";
import { containerSpec } from "../docker/spec.js";
import { nextContainerName, type OpsConfig } from "../../config/ops.js";
import { waitHealthy } from "./health.js";
import type { Progress } from "./progress.js";
import { lastLogLines, saveLastLogs } from "./logs.js";
import { clearJournal, writeJournal, type SwapJournal } from "./recover.js";

export interface SwapInput {
  action: SwapJournal["action"];
  imageId: string | null;
  engine: Engine;
  config: OpsConfig;
  image: string;
  version: string;
  envValues: Record<string, string>;
  redact: (text: string) => string;
  progress: Progress;
}

export type SwapResult =
  | {
      ok: true;
      containerId: string;
      previousVersion: string | null;
      downtimeMs: number | null;
      swapMs: number;
    }
  | {
      ok: false;
      reason: string;
      /** The previous container is serving again (false: there was none, or it did not come back). */
      restored: boolean;
      /** Blue/green: the previous container was never stopped and the proxy never switched. */
      untouched?: boolean;
      restoreProblem?: string;
      previousVersion: string | null;
      /** From the stop of the previous container until it answered again (null: it was not running). */
      downtimeMs: number | null;
      swapMs: number;
    };

const LOG_LINES_ON_FAILURE = 20;

/**
 * Creates the new container before touching the old one, stops the old one, starts the new one and waits for
 * healthy; if it never gets there, the new one is removed and the old one (only stopped) is started again.
 * Bind-mounted data is never touched. Unavailability runs from the stop request to the new container's first 200.
 */
export async function swapContainer(input: SwapInput): Promise<SwapResult> {
  const { engine, config, progress } = input;
  const startedAt = Date.now();
  const live = await engine.inspectContainer(config.container);
  const previousVersion = live?.version ?? null;
  const nextName = nextContainerName(config);
  await engine.removeContainer(nextName, true);
  const spec = containerSpec(config, {
    name: nextName,
    image: input.image,
    version: input.version,
    envValues: input.envValues,
  });
  const id = await engine.createContainer(spec);
  progress({ level: "info", message: `created ${nextName} from ${input.image}` });

  let stoppedAt: number | undefined;
  if (live?.running) {
    progress({ level: "info", message: `stopping ${live.name} (${previousVersion ?? "unversioned"})` });
    stoppedAt = await stopServingContainer(input, live.id, previousVersion);
  }
  progress({
    level: "info",
    message: `starting ${nextName}; waiting for healthy (up to ${config.healthTimeoutS} s)`,
  });
  const health = await startAndWait(engine, id, config);
  if (health.healthy) {
    if (live) {
      await keepLogs(input, live.id, `${live.name}-${previousVersion ?? "unversioned"}`);
      await engine.removeContainer(live.id);
    }
    await engine.renameContainer(id, config.container);
    clearJournal(config.stateDir);
    const downtimeMs = stoppedAt === undefined ? null : health.firstOkAt - stoppedAt;
    return { ok: true, containerId: id, previousVersion, downtimeMs, swapMs: Date.now() - startedAt };
  }

  progress({ level: "warn", message: `${input.version} did not become healthy: ${health.reason}` });
  progress({ level: "info", message: `last ${LOG_LINES_ON_FAILURE} log lines of ${nextName}:` });
  for (const line of await lastLogLines(engine, id, LOG_LINES_ON_FAILURE, input.redact))
    progress({ level: "info", message: `  ${line}` });
  await keepLogs(input, id, `${nextName}-${input.version}-failed`);
  await engine.removeContainer(id, true);
  const failed = { ok: false as const, reason: health.reason, previousVersion };
  if (!live?.running || stoppedAt === undefined)
    return { ...failed, restored: false, downtimeMs: null, swapMs: Date.now() - startedAt };

  progress({ level: "info", message: `starting the previous container ${live.name} again` });
  const back = await startAndWait(engine, live.id, config);
  clearJournal(config.stateDir);
  return {
    ...failed,
    restored: back.healthy,
    ...(back.healthy ? {} : { restoreProblem: back.reason }),
    downtimeMs: (back.healthy ? back.firstOkAt : Date.now()) - stoppedAt,
    swapMs: Date.now() - startedAt,
  };
}

/** A container's last lines go to the data directory before it is removed: its logs go with it. */
/**
 * Stops the serving container after journalling the swap, so an interrupted run knows what it stopped; returns when
 * the stop began (the start of the downtime).
 */
export async function stopServingContainer(
  input: Pick<SwapInput, "engine" | "config" | "action" | "version" | "imageId">,
  liveId: string,
  previousVersion: string | null,
): Promise<number> {
  const stoppedAt = Date.now();
  writeJournal(input.config.stateDir, {
    action: input.action,
    container: input.config.container,
    version: input.version,
    imageId: input.imageId,
    previousVersion,
    stoppedAt: new Date(stoppedAt).toISOString(),
    pid: process.pid,
    host: hostname(),
  });
  await input.engine.stopContainer(liveId);
  return stoppedAt;
}

export async function keepLogs(
  input: Pick<SwapInput, "engine" | "config" | "redact" | "progress">,
  id: string,
  label: string,
): Promise<void> {
  try {
    const saved = await saveLastLogs(input.engine, id, input.config.dataDir, label, input.redact);
    input.progress({ level: "info", message: `last log lines of ${label} kept in ${saved}` });
  } catch (error) {
    input.progress({
      level: "warn",
      message: `could not keep the logs of ${label}: ${(error as Error).message}`,
    });
  }
}

export async function startAndWait(engine: Engine, id: string, config: OpsConfig) {
  const before = await engine.inspectContainer(id);
  try {
    await engine.startContainer(id);
  } catch (error) {
    return { healthy: false as const, reason: `could not start: ${(error as Error).message}` };
  }
  return waitHealthy(engine, id, config, {
    timeoutMs: config.healthTimeoutS * 1000,
    restartsBefore: before?.restartCount ?? 0,
  });
}
