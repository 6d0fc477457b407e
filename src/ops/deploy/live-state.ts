import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod";
import { writeFileAtomic } from "../../shared/atomic-file.js";
import { colourPorts, type OpsConfig } from "../../config/ops.js";

const LIVE_FILE = "live.json";

/** Which colour (host port) serves behind the proxy; written when the proxy switched. */
const liveStateSchema = z.object({
  colour: z.enum(["blue", "green"]),
  port: z.number(),
  version: z.string().nullable(),
  since: z.string(),
});

export type LiveState = z.infer<typeof liveStateSchema>;

export function colourOf(config: Pick<OpsConfig, "hostPort" | "proxy">, port: number): "blue" | "green" {
  return colourPorts(config)[1] === port ? "green" : "blue";
}

export function writeLiveState(config: OpsConfig, port: number, version: string | null): LiveState {
  const state: LiveState = { colour: colourOf(config, port), port, version, since: new Date().toISOString() };
  writeFileAtomic(join(config.stateDir, LIVE_FILE), `${JSON.stringify(state)}\n`, {
    overwrite: true,
    mode: 0o640,
  });
  return state;
}

export function readLiveState(stateDir: string): LiveState | undefined {
  const path = join(stateDir, LIVE_FILE);
  if (!existsSync(path)) return undefined;
  try {
    return liveStateSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch {
    return undefined;
  }
}
