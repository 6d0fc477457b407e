import type Docker from "dockerode";
import { ExitCode, UserError } from "../errors.js";

/** What restore needs from the engine. The deploy area's engine module can provide the same two calls. */
export interface ContainerControl {
  name: string;
  /** Stops the container if it runs; true when it was running. */
  stopIfRunning(): Promise<boolean>;
  /** Starts it and waits for its health check (or, without one, for it to stay up). */
  startAndWaitHealthy(timeoutMs: number): Promise<void>;
}

const POLL_MS = 500;
/** Without a Docker health check, "healthy" means still running after this long. */
const NO_HEALTHCHECK_SETTLE_MS = 3000;

function engineError(error: unknown, name: string): Error {
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 404)
    return new UserError(
      `container ${name} not found (use --no-container to swap the file only)`,
      ExitCode.NOT_FOUND,
    );
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ECONNREFUSED" || code === "EACCES") {
    return new UserError(
      `Docker engine unreachable (${code}); use --no-container to swap the file only`,
      ExitCode.ENGINE_UNAVAILABLE,
    );
  }
  return error as Error;
}

/** dockerode costs ~0.3 s of CPU to load: only commands that reach the engine pay for it. */
async function defaultEngine(): Promise<Docker> {
  const { default: DockerClient } = await import("dockerode");
  return new DockerClient();
}

export function dockerContainerControl(name: string, engine?: Docker): ContainerControl {
  let handle: Promise<Docker.Container> | undefined;
  const container = () =>
    (handle ??= (engine ? Promise.resolve(engine) : defaultEngine()).then((docker) =>
      docker.getContainer(name),
    ));
  const inspect = async () =>
    (await container()).inspect().catch((error: unknown) => Promise.reject(engineError(error, name)));
  return {
    name,
    async stopIfRunning() {
      const info = await inspect();
      if (!info.State.Running) return false;
      await (await container()).stop();
      return true;
    },
    async startAndWaitHealthy(timeoutMs) {
      await (await container()).start();
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        const { State: state } = await inspect();
        if (!state.Running) throw new Error(`container ${name} exited (code ${state.ExitCode})`);
        const health = state.Health?.Status;
        if (health === "healthy") return;
        if (health === "unhealthy") throw new Error(`container ${name} is unhealthy`);
        if (health === undefined && Date.now() - started >= NO_HEALTHCHECK_SETTLE_MS) return;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      throw new Error(`container ${name} was not healthy within ${Math.round(timeoutMs / 1000)} s`);
    },
  };
}
