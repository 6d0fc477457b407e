import type { Alert } from "../ops/notify/message.js";
import type { Notifier } from "../ops/notify/notifier.js";
import { createReporter } from "./output.js";

/** The env file's webhooks, warning on stderr when one fails; loaded only by commands that alert. */
export async function cliNotifier(envFile: string, dataDir: string): Promise<Notifier> {
  const { createNotifier } = await import("../ops/notify/notifier.js");
  const reporter = await createReporter();
  return createNotifier({ envFile, dataDir, warn: (message) => reporter.warn(message) });
}

/** Runs a command's core; a failure it alerts on is sent (never replacing the failure itself) and rethrown. */
export async function alertingOnFailure<T>(
  notifier: Promise<Notifier>,
  run: () => Promise<T>,
  alertFor: (error: unknown) => { alert?: Alert; condition?: boolean },
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { alert, condition } = alertFor(error);
    if (alert) {
      const sender = await notifier;
      await (condition ? sender.conditions([alert], (key) => key === alert.key) : sender.event(alert));
    }
    throw error;
  }
}
