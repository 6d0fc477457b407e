/**
 * Tests that need a host tool (nginx, tmux, systemd-analyze, chromium, a Docker engine, ...) skip without it on a
 * developer machine, and fail in CI: AHB_CI=1 (set by .ci/run; AHB_REQUIRE_DOCKER=1 is the older name) turns every
 * "tool missing" skip into a failure, so a green CI run never hides a skipped check.
 *
 * - `toolSkipReason(command, hint)`: `false` when `command` is on PATH (or is an executable path); otherwise the
 *   skip reason, or a thrown error under AHB_CI=1. Usage: `it("...", { skip: await toolSkipReason("nginx") }, ...)`.
 * - `toolRequired(what, reason)`: the same decision for a check of your own (e.g. "engine reachable").
 */
import { execa } from "execa";

export const ciStrict = process.env.AHB_CI === "1" || process.env.AHB_REQUIRE_DOCKER === "1";

export function toolRequired(what: string, reason: string): string | false {
  if (ciStrict) throw new Error(`${reason}; AHB_CI=1 requires ${what}, so this is a failure, not a skip`);
  return reason;
}

export async function toolSkipReason(
  command: string,
  hint = `apt-get install ${command}`,
): Promise<string | false> {
  const found = await execa("sh", ["-c", 'command -v "$1"', "sh", command], { reject: false });
  if (found.exitCode === 0) return false;
  return toolRequired(command, `${command} is not installed (${hint})`);
}
