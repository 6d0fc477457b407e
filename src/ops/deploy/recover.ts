import { existsSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import * as z from "zod";
import { writeFileAtomic } from "../../shared/atomic-file.js";
import type { Engine } from "../docker/engine.js";
import {
  nextContainerName,
  publishedHealthHost,
  type OpsConfig,
  type ProxyConfig,
} from "../../config/ops.js";
import { writeLiveState } from "./live-state.js";
import { readUpstreamPort, switchUpstream } from "./proxy.js";
import { operatorName } from "../../shared/operator.js";
import { appendAudit, auditEntrySchema } from "./audit.js";
import { waitHealthy } from "./health.js";
import { leftoverCanary, removeCanary } from "./canary.js";
import type { Progress } from "./progress.js";

const JOURNAL_FILE = "swap.json";

/**
 * Written (atomically) just before a swap stops the serving container and removed once the swap is consistent
 * again: when a later run finds it, the swap was killed half-way, and it says what to finish or undo.
 */
const journalSchema = z.object({
  action: auditEntrySchema.shape.action,
  container: z.string(),
  version: z.string(),
  imageId: z.string().nullable(),
  previousVersion: z.string().nullable(),
  stoppedAt: z.string(),
  pid: z.number(),
  host: z.string(),
});

export type SwapJournal = z.infer<typeof journalSchema>;

export function journalPath(stateDir: string): string {
  return join(stateDir, JOURNAL_FILE);
}

export function writeJournal(stateDir: string, journal: SwapJournal): void {
  writeFileAtomic(journalPath(stateDir), `${JSON.stringify(journal)}\n`, { overwrite: true, mode: 0o640 });
}

export function clearJournal(stateDir: string): void {
  rmSync(journalPath(stateDir), { force: true });
}

export function readJournal(stateDir: string): SwapJournal | undefined {
  const path = journalPath(stateDir);
  if (!existsSync(path)) return undefined;
  try {
    return journalSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch {
    return undefined;
  }
}

/** What an interrupted swap left behind, in words for `ahb status` and `ahb doctor`; empty when nothing. */
export async function describeInterrupted(engine: Engine, config: OpsConfig): Promise<string[]> {
  const found: string[] = [];
  const journal = readJournal(config.stateDir);
  if (journal)
    found.push(
      `a ${journal.action} to ${journal.version} (pid ${journal.pid} on ${journal.host}) stopped ${journal.container} at ${journal.stoppedAt} and did not finish`,
    );
  const next = await engine.inspectContainer(nextContainerName(config));
  if (next)
    found.push(`container ${next.name} (${next.version ?? "unversioned"}) is left over, ${next.status}`);
  for (const canary of await leftoverCanary(engine, config)) found.push(`canary ${canary} is left over`);
  if (found.length > 0) found.push("the next ahb deploy, rollback, start or restart finishes or undoes it");
  return found;
}

/**
 * Finishes or undoes a swap that was killed (kill -9, a lost SSH session): runs under the deploy lock before
 * anything else. A healthy `-next` container wins (the old one is removed and it takes the name); otherwise it is
 * removed and the container the swap had stopped is started again. The attempt goes into the audit log with the
 * time the site was down.
 */
export async function recoverInterruptedSwap(
  engine: Engine,
  config: OpsConfig,
  progress: Progress,
): Promise<void> {
  const canary = await leftoverCanary(engine, config);
  if (canary.length > 0) {
    await removeCanary(engine, config);
    progress({ level: "info", message: `removed the canary an earlier run left: ${canary.join(", ")}` });
  }
  const journal = readJournal(config.stateDir);
  const nextName = nextContainerName(config);
  const next = await engine.inspectContainer(nextName);
  if (!journal && !next) return;
  progress({ level: "warn", message: "an earlier swap was interrupted; repairing it first" });
  let outcome = "nothing was serving";
  // Behind a proxy the upstream file says who serves: the new container wins only once the proxy names it.
  const takesOver = !config.proxy || readUpstreamPort(config.proxy) === next?.published?.hostPort;
  if (next?.running && takesOver) {
    const health = await waitHealthy(engine, next.id, config, { timeoutMs: config.healthTimeoutS * 1000 });
    if (health.healthy) {
      const live = await engine.inspectContainer(config.container);
      if (live && live.id !== next.id) {
        await engine.stopContainer(live.id);
        await engine.removeContainer(live.id, true);
      }
      await engine.renameContainer(next.id, config.container);
      if (config.proxy && next.published)
        writeLiveState(config, next.published.hostPort, next.version ?? null);
      outcome = `finished: ${next.version ?? nextName} is serving`;
    }
  }
  if (next && !outcome.startsWith("finished")) {
    await engine.removeContainer(next.id, true);
    progress({ level: "info", message: `removed the left-over ${nextName}` });
  }
  const live = await engine.inspectContainer(config.container);
  if (journal && live && !live.running) {
    progress({ level: "info", message: `starting ${live.name} again (the interrupted swap had stopped it)` });
    await engine.startContainer(live.id);
    const back = await waitHealthy(engine, live.id, config, { timeoutMs: config.healthTimeoutS * 1000 });
    outcome = back.healthy
      ? `undone: ${live.version ?? live.name} is serving again`
      : `${live.name} did not come back: ${back.reason}`;
  } else if (live?.running && !outcome.startsWith("finished")) {
    outcome = `${live.version ?? live.name} is serving`;
  }
  if (config.proxy) await pointProxyAtServing(engine, config, config.proxy, progress);
  progress({ level: "info", message: `interrupted swap ${outcome}` });
  if (journal) {
    appendAudit(config.stateDir, {
      time: new Date().toISOString(),
      action: journal.action,
      operator: operatorName(),
      host: hostname(),
      container: config.container,
      version: journal.version,
      imageId: journal.imageId,
      previousVersion: journal.previousVersion,
      result: "interrupted",
      message: `interrupted during the swap (pid ${journal.pid} on ${journal.host}); ${outcome}`,
      durationsMs: {},
      downtimeMs: Date.now() - Date.parse(journal.stoppedAt),
    });
    clearJournal(config.stateDir);
  }
}

/** After a repair the upstream must name the port of the container that serves (a killed switch may not). */
async function pointProxyAtServing(
  engine: Engine,
  config: OpsConfig,
  proxy: ProxyConfig,
  progress: Progress,
): Promise<void> {
  const serving = await engine.inspectContainer(config.container);
  const port = serving?.running ? serving.published?.hostPort : undefined;
  if (port === undefined || readUpstreamPort(proxy) === port) return;
  const switched = await switchUpstream(engine, proxy, { host: publishedHealthHost(config), port }, progress);
  if (switched.ok) writeLiveState(config, port, serving?.version ?? null);
  else
    progress({
      level: "warn",
      message: `could not point the proxy back at ${serving?.name}: ${switched.reason}`,
    });
}
