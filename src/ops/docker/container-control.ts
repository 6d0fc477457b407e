import { setTimeout as sleep } from "node:timers/promises";
import { ExitCode, UserError } from "../../errors.js";
import type { Engine } from "./engine.js";

/** What restore needs from the engine. */
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

/** Engine calls through the one dockerode module (src/ops/docker/engine.ts), loaded only when restore needs it. */
export function dockerContainerControl(name: string, engine?: Engine): ContainerControl {
  let connected: Promise<Engine> | undefined;
  const connect = () =>
    (connected ??= engine
      ? Promise.resolve(engine)
      : import("./engine.js").then(({ Engine: EngineClass }) => EngineClass.connect()));
  const inspect = async () => {
    const state = await (await connect()).inspectContainer(name);
    if (!state)
      throw new UserError(
        `container ${name} not found (use --no-container to swap the file only)`,
        ExitCode.NOT_FOUND,
      );
    return state;
  };
  return {
    name,
    async stopIfRunning() {
      if (!(await inspect()).running) return false;
      await (await connect()).stopContainer(name);
      return true;
    },
    async startAndWaitHealthy(timeoutMs) {
      await (await connect()).startContainer(name);
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        const state = await inspect();
        if (!state.running) throw new Error(`container ${name} exited (code ${state.exitCode})`);
        if (state.health === "healthy") return;
        if (state.health === "unhealthy") throw new Error(`container ${name} is unhealthy`);
        if (state.health === undefined && Date.now() - started >= NO_HEALTHCHECK_SETTLE_MS) return;
        await sleep(POLL_MS);
      }
      throw new Error(`container ${name} was not healthy within ${Math.round(timeoutMs / 1000)} s`);
    },
  };
}
