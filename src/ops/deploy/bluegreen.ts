import { setTimeout as sleep } from "node:timers/promises";
import type { ContainerState } from "../docker/engine.js";
import { containerSpec } from "../docker/spec.js";
import { colourPorts, nextContainerName, publishedHealthHost, type ProxyConfig } from "../../config/ops.js";
import { lastLogLines } from "./logs.js";
import { colourOf, writeLiveState } from "./live-state.js";
import { readUpstreamPort, switchUpstream } from "./proxy.js";
import { clearJournal } from "./recover.js";
import { keepLogs, startAndWait, stopServingContainer, type SwapInput, type SwapResult } from "./swap.js";

/** After a graceful reload nginx's old workers finish what they hold; new connections already reach the new port. */
const PROXY_SETTLE_MS = 1500;
const LOG_LINES_ON_FAILURE = 20;

export interface BlueGreenInput extends SwapInput {
  proxy: ProxyConfig;
  /** A migration the running version cannot live with: stop it before the new one starts (a short window). */
  stopFirst: boolean;
}

/** The colour port that is not serving: the other one of the live container's, blue when nothing serves. */
export function idlePort(
  ports: [number, number],
  live: Pick<ContainerState, "published"> | undefined,
  upstreamPort: number | undefined,
): number {
  const serving = live?.published?.hostPort ?? upstreamPort;
  return serving === ports[0] ? ports[1] : ports[0];
}

/**
 * The new container starts on the idle colour's port next to the serving one; once healthy through that port
 * the proxy's upstream is switched (atomic write, nginx -t, graceful reload) and only then is the old container
 * drained and stopped. A failed health check or proxy step removes the new container and changes nothing else.
 */
export async function blueGreenSwap(input: BlueGreenInput): Promise<SwapResult> {
  const { engine, config, progress, proxy } = input;
  const startedAt = Date.now();
  const live = await engine.inspectContainer(config.container);
  const previousVersion = live?.version ?? null;
  const host = publishedHealthHost(config);
  const port = idlePort(colourPorts(config), live, readUpstreamPort(proxy));
  const nextName = nextContainerName(config);
  await engine.removeContainer(nextName, true);
  const id = await engine.createContainer(
    containerSpec(config, {
      name: nextName,
      image: input.image,
      version: input.version,
      envValues: input.envValues,
      hostPort: port,
    }),
  );
  let stoppedAt: number | undefined;
  if (input.stopFirst && live?.running) {
    progress({ level: "warn", message: `stopping ${live.name} first: the release's migrations need it` });
    stoppedAt = await stopServingContainer(input, live.id, previousVersion);
  }
  progress({
    level: "info",
    message: `starting ${nextName} on ${host}:${port} (${colourOf(config, port)}); waiting for healthy (up to ${config.healthTimeoutS} s)`,
  });
  const health = await startAndWait(engine, id, config);
  const switched = health.healthy
    ? await switchUpstream(engine, proxy, { host, port }, progress)
    : { ok: false as const, reason: health.reason };
  if (!switched.ok) {
    progress({ level: "warn", message: `${input.version} does not take over: ${switched.reason}` });
    if (!health.healthy) {
      progress({ level: "info", message: `last ${LOG_LINES_ON_FAILURE} log lines of ${nextName}:` });
      for (const line of await lastLogLines(engine, id, LOG_LINES_ON_FAILURE, input.redact))
        progress({ level: "info", message: `  ${line}` });
      await keepLogs(input, id, `${nextName}-${input.version}-failed`);
    }
    await engine.removeContainer(id, true);
    return {
      ...(await undo(input, live, stoppedAt)),
      reason: switched.reason,
      previousVersion,
      swapMs: Date.now() - startedAt,
    };
  }
  const switchedAt = Date.now();
  writeLiveState(config, port, input.version);
  if (live) {
    await sleep(PROXY_SETTLE_MS);
    progress({
      level: "info",
      message: `draining and stopping ${live.name} (${previousVersion ?? "unversioned"})`,
    });
    await engine.stopContainer(live.id);
    await keepLogs(input, live.id, `${live.name}-${previousVersion ?? "unversioned"}`);
    await engine.removeContainer(live.id, true);
  }
  await engine.renameContainer(id, config.container);
  clearJournal(config.stateDir);
  return {
    ok: true,
    containerId: id,
    previousVersion,
    downtimeMs: stoppedAt === undefined ? (live?.running ? 0 : null) : switchedAt - stoppedAt,
    swapMs: Date.now() - startedAt,
  };
}

/** The proxy was never switched: the old container serves on (started again if the migration had stopped it). */
async function undo(input: BlueGreenInput, live: ContainerState | undefined, stoppedAt: number | undefined) {
  const { engine, config, progress } = input;
  if (!live?.running) return { ok: false as const, restored: false, downtimeMs: null };
  if (stoppedAt === undefined) return { ok: false as const, restored: true, untouched: true, downtimeMs: 0 };
  progress({ level: "info", message: `starting the previous container ${live.name} again` });
  const back = await startAndWait(engine, live.id, config);
  clearJournal(config.stateDir);
  return {
    ok: false as const,
    restored: back.healthy,
    ...(back.healthy ? {} : { restoreProblem: back.reason }),
    downtimeMs: (back.healthy ? back.firstOkAt : Date.now()) - stoppedAt,
  };
}
