import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { colourOf } from "../deploy/live-state.js";
import { portFree } from "../deploy/preflight.js";
import { readUpstreamPort } from "../deploy/proxy.js";
import { describeInterrupted } from "../deploy/recover.js";
import type { Engine } from "../docker/engine.js";
import { nextContainerName, type OpsConfig } from "../../config/ops.js";
import { discoverTrustedProxies } from "../init/proxy-address.js";
import { result, type CheckResult } from "./types.js";

function message(error: unknown): string {
  return (error as Error).message;
}

export async function checkEngine(engine: Engine): Promise<CheckResult> {
  try {
    const version = await engine.version();
    return result(
      "engine",
      "ok",
      `Docker ${version.version} (API ${version.apiVersion}) at ${engine.endpoint}`,
    );
  } catch (error) {
    return result("engine", "fail", message(error));
  }
}

/** State.Health of the container by name: the engine's own verdict from the image's health check. */
export async function checkContainer(engine: Engine, name: string, engineUp: boolean): Promise<CheckResult> {
  if (!engineUp) return result("container", "skip", "no Docker engine");
  let state;
  try {
    state = await engine.inspectContainer(name);
  } catch (error) {
    return result("container", "fail", message(error));
  }
  if (!state) return result("container", "warn", `no container named ${name} (not deployed yet?)`);
  if (!state.running) return result("container", "fail", `${name} is ${state.status}`);
  if (!state.health) return result("container", "warn", `${name} runs without a health check`);
  const detail = `${name} is ${state.health}`;
  if (state.health === "healthy") return result("container", "ok", detail);
  if (state.health === "starting") return result("container", "warn", detail);
  return result(
    "container",
    "fail",
    state.healthLog ? `${detail}: ${state.healthLog.slice(0, 200)}` : detail,
  );
}

/** Left-overs of a deploy, rollback or restart that was killed half-way: the next one repairs them. */
export async function checkInterrupted(
  engine: Engine,
  ops: OpsConfig,
  engineUp: boolean,
): Promise<CheckResult> {
  if (!engineUp) return result("interrupted", "skip", "no Docker engine");
  try {
    const found = await describeInterrupted(engine, ops);
    return found.length === 0
      ? result("interrupted", "ok", "no interrupted swap")
      : result("interrupted", "fail", found.join("; "));
  } catch (error) {
    return result("interrupted", "fail", message(error));
  }
}

/** Free, or published by our own container (as the deploy preflight decides); anything else fails. */
export async function checkPort(
  engine: Engine,
  ops: Pick<OpsConfig, "container" | "bindAddress" | "hostPort" | "publish" | "network">,
  engineUp: boolean,
): Promise<CheckResult> {
  if (!ops.publish)
    return result("port", "ok", `publishing nothing; joining network ${ops.network ?? "(default)"}`);
  const where = `${ops.bindAddress}:${ops.hostPort}`;
  try {
    if (await portFree(ops.bindAddress, ops.hostPort)) return result("port", "ok", `${where} is free`);
    if (!engineUp) return result("port", "warn", `${where} is in use (no engine to tell whose)`);
    const holder = await engine.containerPublishing(ops.hostPort);
    if (holder === ops.container || holder === nextContainerName(ops))
      return result("port", "ok", `${where} is published by ${holder}`);
    return result(
      "port",
      "fail",
      `${where} is in use by ${holder ? `container ${holder}` : "another process"}`,
    );
  } catch (error) {
    return result("port", "fail", `${where}: ${message(error)}`);
  }
}

/** TRUSTED_PROXIES against the proxy's real address on the engine; a mismatch names the exact value to set. */
export async function checkTrustedProxies(
  engine: Engine,
  ops: Pick<OpsConfig, "container" | "network" | "envFile">,
  engineUp: boolean,
): Promise<CheckResult> {
  if (!engineUp) return result("proxies", "skip", "no Docker engine");
  try {
    const found = await discoverTrustedProxies(engine.docker, ops);
    const configured = existsSync(ops.envFile)
      ? (parseEnv(readFileSync(ops.envFile, "utf8")).TRUSTED_PROXIES ?? "")
      : "";
    const same = (a: string, b: string) => a.split(",").sort().join(",") === b.split(",").sort().join(",");
    if (same(configured, found.value))
      return result("proxies", "ok", `TRUSTED_PROXIES=${found.value} (${found.detail})`);
    return result(
      "proxies",
      "warn",
      `set TRUSTED_PROXIES=${found.value} (${found.detail}); it is '${configured}'`,
    );
  } catch (error) {
    return result("proxies", "warn", message(error));
  }
}

/** Behind a proxy: its upstream include must name the port where the serving container listens. */
export async function checkProxyUpstream(
  engine: Engine,
  ops: OpsConfig,
  engineUp: boolean,
): Promise<CheckResult> {
  if (!ops.proxy) return result("proxy", "skip", "no proxy named in the ops config (no blue/green)");
  const file = ops.proxy.upstreamFile;
  if (!existsSync(file))
    return result(
      "proxy",
      "fail",
      `${file} does not exist (ahb templates render ${ops.proxy.kind}-upstream)`,
    );
  const named = readUpstreamPort(ops.proxy);
  if (named === undefined) return result("proxy", "fail", `${file} names no server host:port`);
  if (!engineUp) return result("proxy", "warn", `${file} names port ${named} (no engine to compare with)`);
  const serving = await engine.inspectContainer(ops.container);
  const port = serving?.running ? serving.published?.hostPort : undefined;
  if (port === undefined)
    return result("proxy", "fail", `${file} names port ${named}, but ${ops.container} is not serving`);
  if (port !== named)
    return result(
      "proxy",
      "fail",
      `${file} names port ${named}, but ${ops.container} listens on ${port}: rerun ahb deploy or ahb restart`,
    );
  return result(
    "proxy",
    "ok",
    `${file} names ${port}, where ${ops.container} (${colourOf(ops, port)}) listens`,
  );
}
