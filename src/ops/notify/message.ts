import type { WebhookFormat } from "../../config/schema.js";

export type Severity = "warning" | "critical";

/** One thing the operator should hear about. `key` names the condition, so repeats can be suppressed. */
export interface Alert {
  key: string;
  severity: Severity;
  title: string;
  text: string;
}

export interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
}

/** The request body for one webhook flavour, already redacted: generic JSON, Slack's `text`, ntfy's plain text. */
export function webhookRequest(format: WebhookFormat, alert: Alert, host: string, at: Date): WebhookRequest {
  if (format === "slack") {
    const icon = alert.severity === "critical" ? ":rotating_light:" : ":warning:";
    return json({ text: `${icon} *${alert.title}* (${host})\n${alert.text}` });
  }
  if (format === "ntfy") {
    return {
      headers: {
        "content-type": "text/plain; charset=utf-8",
        title: `ahb: ${alert.title}`,
        priority: alert.severity === "critical" ? "urgent" : "high",
        tags: alert.severity === "critical" ? "rotating_light" : "warning",
      },
      body: `${alert.text} (${host})`,
    };
  }
  return json({ source: "ahb", host, time: at.toISOString(), ...alert });
}

function json(value: unknown): WebhookRequest {
  return { headers: { "content-type": "application/json" }, body: JSON.stringify(value) };
}

/** Every field of the alert through the redactor: a secret in an error message never leaves the host. */
export function redactAlert(alert: Alert, redact: (text: string) => string): Alert {
  return { ...alert, title: redact(alert.title), text: redact(alert.text) };
}
