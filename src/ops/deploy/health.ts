import { setTimeout as sleep } from "node:timers/promises";
import type { ContainerState, Engine } from "../docker/engine.js";
import { CONTAINER_PORT, publishedHealthHost, type OpsConfig } from "../../config/ops.js";

/** Fast until the first 200 (it ends the unavailability window), then gentler while Docker's check catches up. */
const PROBE_INTERVAL_MS = 50;
const CONFIRM_INTERVAL_MS = 500;
const INSPECT_INTERVAL_MS = 250;
const PROBE_TIMEOUT_MS = 1000;

export type HealthResult =
  { healthy: true; firstOkAt: number } | { healthy: false; reason: string; firstOkAt?: number };

/**
 * Published: through the host port the container really publishes (a container from an earlier deploy may use
 * another port than this run's --port), as the proxy reaches it; otherwise its address on the network.
 */
export function healthUrl(
  config: Pick<OpsConfig, "publish" | "bindAddress" | "hostPort" | "network">,
  state: Pick<ContainerState, "networks" | "published"> | undefined,
): string | undefined {
  if (state?.published) {
    const host = publishedHealthHost({ bindAddress: state.published.hostIp });
    return `http://${host}:${state.published.hostPort}/api/health`;
  }
  if (config.publish) return `http://${publishedHealthHost(config)}:${config.hostPort}/api/health`;
  const address = state && config.network ? state.networks[config.network] : undefined;
  return address ? `http://${address}:${CONTAINER_PORT}/api/health` : undefined;
}

/** Why a container cannot become healthy any more, or undefined while it still may. */
export function failedState(state: ContainerState, restartsBefore: number): string | undefined {
  if (state.status === "restarting" || state.restartCount > restartsBefore)
    return `the server exited (code ${state.exitCode}) and Docker is restarting it`;
  if (!state.running) return `the server exited with code ${state.exitCode}`;
  if (state.health === "unhealthy")
    return `Docker health check failed${state.healthLog ? `: ${state.healthLog}` : ""}`;
  return undefined;
}

/**
 * The deadline is a referenced timer on purpose: while a container boots, Docker's userland proxy accepts the
 * connection to the published port and never answers, and that socket does not keep the process alive; with
 * AbortSignal.timeout (an unreferenced timer) the CLI could simply exit mid-deploy.
 */
export async function probeHealth(url: string): Promise<{ ok: boolean; detail: string }> {
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
  try {
    const response = await fetch(url, { signal: controller.signal });
    await response.body?.cancel();
    return { ok: response.status === 200, detail: `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { ok: false, detail: cause?.code ?? (error as Error).name };
  } finally {
    clearTimeout(deadline);
  }
}

/**
 * Healthy means both: Docker's own health check says `healthy` and /api/health answers 200 where the proxy
 * reaches it. Gives up early when the container exits or Docker calls it unhealthy.
 */
export async function waitHealthy(
  engine: Engine,
  containerId: string,
  config: OpsConfig,
  options: { timeoutMs: number; restartsBefore?: number },
): Promise<HealthResult> {
  const deadline = Date.now() + options.timeoutMs;
  let state: ContainerState | undefined;
  let nextInspect = 0;
  let firstOkAt: number | undefined;
  let lastAnswer = "no answer yet";
  let restartsBefore = options.restartsBefore;
  while (Date.now() < deadline) {
    if (Date.now() >= nextInspect) {
      state = await engine.inspectContainer(containerId);
      nextInspect = Date.now() + INSPECT_INTERVAL_MS;
      if (!state) return { healthy: false, reason: "the container disappeared", firstOkAt };
      restartsBefore ??= state.restartCount;
      const failure = failedState(state, restartsBefore);
      if (failure) return { healthy: false, reason: failure, firstOkAt };
    }
    const url = healthUrl(config, state);
    if (url) {
      const probe = await probeHealth(url);
      lastAnswer = probe.detail;
      if (probe.ok) {
        firstOkAt ??= Date.now();
        if (state?.health === "healthy" || state?.health === undefined) return { healthy: true, firstOkAt };
      }
    }
    await sleep(firstOkAt === undefined ? PROBE_INTERVAL_MS : CONFIRM_INTERVAL_MS);
  }
  const seconds = Math.round(options.timeoutMs / 1000);
  return {
    healthy: false,
    reason: `not healthy within ${seconds} s (Docker health: ${state?.health ?? "none"}, /api/health: ${lastAnswer})`,
    firstOkAt,
  };
}
