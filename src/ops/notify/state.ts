import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../shared/atomic-file.js";

export const STATE_FILE = "notify-state.json";

/** Conditions already reported (key -> when), kept in the data directory so cron runs share them. */
export type NotifyState = Record<string, string>;

export function readState(dataDir: string): NotifyState {
  try {
    return JSON.parse(readFileSync(join(dataDir, STATE_FILE), "utf8")) as NotifyState;
  } catch {
    return {};
  }
}

export function writeState(dataDir: string, state: NotifyState): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileAtomic(join(dataDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, {
    mode: 0o600,
    overwrite: true,
  });
}

/**
 * Which of the conditions seen now are new (to send), and the state after this run: keys in `checked` that are not
 * active any more are cleared, so the condition alerts again when it comes back; keys this run did not check stay.
 */
export function reconcile(
  state: NotifyState,
  active: readonly { key: string }[],
  checked: (key: string) => boolean,
  now: Date,
): { fresh: string[]; next: NotifyState } {
  const activeKeys = new Set(active.map((alert) => alert.key));
  const next: NotifyState = {};
  for (const [key, since] of Object.entries(state))
    if (!checked(key) || activeKeys.has(key)) next[key] = since;
  const fresh = [...activeKeys].filter((key) => !(key in state));
  for (const key of fresh) next[key] = now.toISOString();
  return { fresh, next };
}
