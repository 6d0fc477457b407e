import { hostname } from "node:os";
import { readEnvFile } from "../../config/load.js";
import { secretKeys, type Config } from "../../config/schema.js";
import { createRedactor } from "../../config/secret.js";
import { readEnvKeys } from "../../config/env-keys.js";
import { redactAlert, webhookRequest, type Alert } from "./message.js";
import { readState, reconcile, writeState } from "./state.js";

const WEBHOOK_TIMEOUT_MS = 5000;

export interface NotifierOptions {
  envFile: string;
  /** Where notify-state.json lives (the data directory). */
  dataDir: string;
  /** A webhook or state problem, for stderr: it never fails the command that reports. */
  warn: (message: string) => void;
  now?: () => Date;
}

export interface Notifier {
  /** An event (a deploy that failed): every occurrence is sent. */
  event(alert: Alert): Promise<void>;
  /** The conditions a check found among the keys it covers: new ones are sent, ones that cleared are forgotten. */
  conditions(active: readonly Alert[], checked: (key: string) => boolean): Promise<void>;
}

type Targets = Config["NOTIFY_WEBHOOK_URLS"];

/** Alerts to the env file's webhooks; without webhooks (or with an unreadable env file) it only warns. */
export function createNotifier(options: NotifierOptions): Notifier {
  const now = options.now ?? (() => new Date());
  const { targets, redact } = loadTargets(options);

  async function send(alert: Alert): Promise<void> {
    const safe = redactAlert(alert, redact);
    await Promise.all(
      targets.map(async (target) => {
        const request = webhookRequest(target.format, safe, hostname(), now());
        try {
          const response = await fetch(target.url.reveal(), {
            method: "POST",
            headers: request.headers,
            body: request.body,
            signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
          });
          if (!response.ok)
            options.warn(`alert "${safe.title}" not delivered: webhook answered ${response.status}`);
        } catch (error) {
          options.warn(`alert "${safe.title}" not delivered: ${redact((error as Error).message)}`);
        }
      }),
    );
  }

  return {
    event: send,
    async conditions(active, checked) {
      if (targets.length === 0) return;
      const { fresh, next } = reconcile(readState(options.dataDir), active, checked, now());
      for (const alert of active) if (fresh.includes(alert.key)) await send(alert);
      try {
        writeState(options.dataDir, next);
      } catch (error) {
        options.warn(`alert state not saved in ${options.dataDir}: ${(error as Error).message}`);
      }
    },
  };
}

function loadTargets(options: NotifierOptions): { targets: Targets; redact: (text: string) => string } {
  try {
    const { NOTIFY_WEBHOOK_URLS: targets } = readEnvKeys(options.envFile, ["NOTIFY_WEBHOOK_URLS"]);
    const { values } = readEnvFile(options.envFile, false);
    const secrets = [
      ...secretKeys.map((key) => values[key] ?? ""),
      ...targets.map((target) => target.url.reveal()),
    ];
    return { targets, redact: createRedactor(secrets) };
  } catch (error) {
    options.warn(`alerts are off: ${(error as Error).message}`);
    return { targets: [], redact: (text) => text };
  }
}
