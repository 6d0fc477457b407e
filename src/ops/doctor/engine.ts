import { createServer } from "node:net";
import type Docker from "dockerode";
import { LABEL_APP } from "../docker/spec.js";
import { result, type CheckResult } from "./types.js";

function reason(error: unknown): string {
  const { code, statusCode, message } = error as { code?: string; statusCode?: number; message?: string };
  return code ?? (statusCode ? `HTTP ${statusCode}` : (message ?? "error"));
}

export async function checkEngine(docker: Docker): Promise<CheckResult> {
  try {
    await docker.ping();
    const version = await docker.version();
    return result("engine", "ok", `Docker ${version.Version} (API ${version.ApiVersion})`);
  } catch (error) {
    return result("engine", "fail", `Docker engine unreachable (${reason(error)})`);
  }
}

/** State.Health of the container by name: the engine's own verdict from the image's health check. */
export async function checkContainer(docker: Docker, name: string, engineUp: boolean): Promise<CheckResult> {
  if (!engineUp) return result("container", "skip", "no Docker engine");
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(name).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404)
      return result("container", "warn", `no container named ${name} (not deployed yet?)`);
    return result("container", "fail", `inspect ${name} failed (${reason(error)})`);
  }
  if (!info.State.Running) return result("container", "fail", `${name} is ${info.State.Status}`);
  const health = info.State.Health;
  if (!health) return result("container", "warn", `${name} runs without a health check`);
  const detail = `${name} is ${health.Status}`;
  if (health.Status === "healthy") return result("container", "ok", detail);
  if (health.Status === "starting") return result("container", "warn", detail);
  const last = health.Log.at(-1)?.Output.trim().slice(0, 200);
  return result("container", "fail", last ? `${detail}: ${last}` : detail);
}

/** Names of running containers publishing the host port that belong to this app (by name or ahb.app label). */
async function ourPublishers(docker: Docker, container: string, port: number): Promise<string[]> {
  const listed = await docker.listContainers({ filters: { publish: [String(port)] } });
  return listed
    .filter((entry) => entry.Labels[LABEL_APP] === container || entry.Names.includes(`/${container}`))
    .map((entry) => entry.Names[0]?.replace(/^\//, "") ?? entry.Id.slice(0, 12));
}

/** Free when a listener can bind it right now (and is closed again at once). */
function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function checkPort(
  docker: Docker,
  options: { container: string; bindAddress: string; hostPort: number; engineUp: boolean },
): Promise<CheckResult> {
  const where = `${options.bindAddress}:${options.hostPort}`;
  if (await portIsFree(options.bindAddress, options.hostPort))
    return result("port", "ok", `${where} is free`);
  if (!options.engineUp) return result("port", "warn", `${where} is in use (no engine to tell whose)`);
  const ours = await ourPublishers(docker, options.container, options.hostPort);
  if (ours.length > 0) return result("port", "ok", `${where} is published by ${ours.join(", ")}`);
  return result("port", "fail", `${where} is in use by something other than ${options.container}`);
}
