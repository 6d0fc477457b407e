import { ExitCode, UserError } from "../../errors.js";
import type { ContainerState, Engine } from "../docker/engine.js";
import { noSignalGuard, type SignalGuard } from "../../shared/interrupts.js";
import { recoverInterruptedSwap } from "./recover.js";
import type { OpsConfig, ProxyConfig } from "../../config/ops.js";
import { blueGreenSwap } from "./bluegreen.js";
import { envListToRecord, redactorForContainer } from "./logs.js";
import { waitHealthy } from "./health.js";
import { takeLock } from "./preflight.js";
import type { Progress } from "./progress.js";

export type LifecycleAction = "start" | "stop" | "restart";

export interface LifecycleResult {
  container: string;
  action: LifecycleAction;
  version: string | null;
  state: string;
  elapsedMs: number;
}

/** start / stop / restart under the deploy lock; start and restart return only once healthy (exit 3 if not). */
export async function lifecycle(
  engine: Engine,
  config: OpsConfig,
  action: LifecycleAction,
  progress: Progress,
  signals: SignalGuard = noSignalGuard,
): Promise<LifecycleResult> {
  const started = Date.now();
  await engine.version();
  const lock = takeLock(config, `ahb ${action}`, progress);
  signals.onAbort(() => lock.release());
  try {
    await recoverInterruptedSwap(engine, config, progress);
    const state = await engine.inspectContainer(config.container);
    if (!state)
      throw new UserError(`container ${config.container} not found (run ahb deploy)`, ExitCode.NOT_FOUND);
    const result = await signals.critical(() => runAction(engine, config, action, state, progress));
    signals.throwIfInterrupted(`after ${action} finished: ${state.name} is ${result.state}`);
    return { ...result, elapsedMs: Date.now() - started };
  } finally {
    lock.release();
  }
}

async function runAction(
  engine: Engine,
  config: OpsConfig,
  action: LifecycleAction,
  state: ContainerState,
  progress: Progress,
): Promise<Omit<LifecycleResult, "elapsedMs">> {
  if (action === "stop") {
    progress({ level: "step", message: `stopping ${state.name} (running turns may finish first)` });
    await engine.stopContainer(state.id);
  } else if (action === "restart" && config.proxy && state.running) {
    await restartBehindProxy(engine, config, config.proxy, state, progress);
  } else {
    progress({ level: "step", message: `${action === "start" ? "starting" : "restarting"} ${state.name}` });
    if (action === "restart") await engine.restartContainer(state.id);
    else if (!state.running) await engine.startContainer(state.id);
    const health = await waitHealthy(engine, state.id, config, {
      timeoutMs: config.healthTimeoutS * 1000,
      restartsBefore: action === "restart" ? undefined : state.restartCount,
    });
    if (!health.healthy)
      throw new UserError(
        `${state.name} is not healthy after ${action}: ${health.reason}`,
        ExitCode.UNHEALTHY,
        [`see: ahb logs --tail 50`],
      );
  }
  const after = await engine.inspectContainer(config.container);
  return {
    container: state.name,
    action,
    version: state.version ?? null,
    state: after?.status ?? "missing",
  };
}

/**
 * Behind a proxy a restart is a blue/green swap to the same image and environment: a fresh container on the idle
 * colour takes over before the old one stops. No canary: the image already serves on this very database.
 */
async function restartBehindProxy(
  engine: Engine,
  config: OpsConfig,
  proxy: ProxyConfig,
  state: ContainerState,
  progress: Progress,
): Promise<void> {
  progress({ level: "step", message: `restarting ${state.name} on the idle colour (blue/green)` });
  const swapped = await blueGreenSwap({
    action: "restart",
    imageId: state.imageId,
    engine,
    config,
    proxy,
    stopFirst: false,
    image: state.imageId,
    version: state.version ?? "unversioned",
    envValues: envListToRecord(state.env),
    redact: redactorForContainer(state.env, config.envFile),
    progress,
  });
  if (!swapped.ok)
    throw new UserError(
      `restart of ${state.name} did not take over: ${swapped.reason}; ${swapped.restored ? "the running container kept serving" : "nothing is serving"}`,
      swapped.restored ? ExitCode.DEPLOY_ROLLED_BACK : ExitCode.UNHEALTHY,
    );
}
