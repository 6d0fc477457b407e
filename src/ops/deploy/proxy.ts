import { existsSync, readFileSync, rmSync } from "node:fs";
import { execa } from "execa";
import { writeFileAtomic } from "../../shared/atomic-file.js";
import type { Engine } from "../docker/engine.js";
import type { ProxyConfig } from "../../config/ops.js";
import { findTemplate, readTemplate } from "../templates/catalog.js";
import { renderTemplate } from "../templates/render.js";
import type { Progress } from "./progress.js";

const COMMAND_TIMEOUT_MS = 30_000;

/** The include `ahb templates render nginx-upstream|npm-upstream` prints, pointing at host:port. */
export function upstreamText(proxy: Pick<ProxyConfig, "kind">, host: string, port: number): string {
  const rendered = renderTemplate(readTemplate(findTemplate(`${proxy.kind}-upstream`)), {
    UPSTREAM: `${host}:${port}`,
  });
  if (!rendered.ok) throw new Error(`upstream template needs ${rendered.missing.join(", ")}`);
  return rendered.text;
}

/** The port of the upstream's (first) server line, or undefined when the file has none. */
export function upstreamPort(text: string): number | undefined {
  const match = /(?:^|[{;])\s*server\s+[^\s;]*:(\d+)\b/m.exec(text.replace(/#.*$/gm, ""));
  return match ? Number(match[1]) : undefined;
}

export function readUpstreamPort(proxy: Pick<ProxyConfig, "upstreamFile">): number | undefined {
  return existsSync(proxy.upstreamFile) ? upstreamPort(readFileSync(proxy.upstreamFile, "utf8")) : undefined;
}

interface CommandOutcome {
  ok: boolean;
  detail: string;
}

/** nginx -t / nginx -s reload: on the host (execa) or inside the NPM container (Docker exec). */
async function runProxyCommand(
  engine: Engine,
  proxy: ProxyConfig,
  step: "test" | "reload",
): Promise<CommandOutcome> {
  if (proxy.kind === "npm") {
    const cmd = step === "test" ? ["nginx", "-t"] : ["nginx", "-s", "reload"];
    const result = await engine.exec(proxy.container, cmd);
    return {
      ok: result.exitCode === 0,
      detail: `${cmd.join(" ")} in ${proxy.container} exited ${result.exitCode}: ${result.output.trim()}`,
    };
  }
  const [file, ...args] = step === "test" ? proxy.testCommand : proxy.reloadCommand;
  const result = await execa(file as string, args, { reject: false, all: true, timeout: COMMAND_TIMEOUT_MS });
  const code = result.exitCode ?? (result.failed ? -1 : 0);
  return {
    ok: code === 0 && !result.failed,
    detail: `${[file, ...args].join(" ")} exited ${code}: ${(result.all ?? result.message ?? "").toString().trim()}`,
  };
}

function restore(path: string, previous: string | undefined): void {
  if (previous === undefined) rmSync(path, { force: true });
  else writeFileAtomic(path, previous, { overwrite: true, mode: 0o644 });
}

export type SwitchResult = { ok: true } | { ok: false; reason: string };

/**
 * Points the proxy at host:port: the include is replaced atomically, checked (nginx -t) and nginx reloaded
 * gracefully (old workers finish their requests). A failed check or reload puts the previous file back, so the
 * proxy keeps what it serves and the disk says so.
 */
export async function switchUpstream(
  engine: Engine,
  proxy: ProxyConfig,
  target: { host: string; port: number },
  progress: Progress,
): Promise<SwitchResult> {
  const previous = existsSync(proxy.upstreamFile) ? readFileSync(proxy.upstreamFile, "utf8") : undefined;
  writeFileAtomic(proxy.upstreamFile, upstreamText(proxy, target.host, target.port), {
    overwrite: true,
    mode: 0o644,
  });
  progress({ level: "info", message: `${proxy.upstreamFile} now names ${target.host}:${target.port}` });
  for (const step of ["test", "reload"] as const) {
    const outcome = await runProxyCommand(engine, proxy, step).catch((error: unknown) => ({
      ok: false,
      detail: (error as Error).message,
    }));
    if (!outcome.ok) {
      restore(proxy.upstreamFile, previous);
      progress({ level: "warn", message: `proxy ${step} failed; ${proxy.upstreamFile} restored` });
      return {
        ok: false,
        reason: `proxy ${step === "test" ? "configuration check" : "reload"} failed: ${outcome.detail}`,
      };
    }
  }
  progress({ level: "info", message: `proxy reloaded (${proxy.kind})` });
  return { ok: true };
}
