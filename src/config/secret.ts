import { inspect } from "node:util";

const MASK = "****";

/** Shows at most the last 4 characters, and none of a short value. */
export function maskValue(value: string): string {
  if (value.length === 0) return "";
  if (value.length < 12) return MASK;
  return `${MASK}${value.slice(-4)}`;
}

/**
 * A secret value that prints masked wherever it ends up: string templates, JSON, console.log, util.inspect.
 * Code that must send the real value (an SDK client) calls reveal().
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get masked(): string {
    return maskValue(this.#value);
  }

  toString(): string {
    return this.masked;
  }

  toJSON(): string {
    return this.masked;
  }

  [inspect.custom](): string {
    return `Secret(${this.masked})`;
  }
}

/** Replaces every occurrence of every secret value in text with [REDACTED]. */
export function createRedactor(secretValues: readonly string[]): (text: string) => string {
  const values = [...new Set(secretValues.filter((value) => value.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  if (values.length === 0) return (text) => text;
  // Most text holds no secret: looking costs no allocation, splitting does.
  return (text) =>
    values.reduce(
      (current, value) => (current.includes(value) ? current.split(value).join("[REDACTED]") : current),
      text,
    );
}

/**
 * Every secret value this process has read from an env file or its environment (see mergeRawValues). The CLI's
 * output functions redact with it, so no table, JSON report or message can print a key, whichever command or
 * provider error put it there.
 */
const seenSecrets = new Set<string>();
let redactSeen: (text: string) => string = (text) => text;

export function rememberSecrets(values: readonly string[]): void {
  const before = seenSecrets.size;
  for (const value of values) if (value.length >= 4) seenSecrets.add(value);
  if (seenSecrets.size !== before) redactSeen = createRedactor([...seenSecrets]);
}

export function redactSeenSecrets(text: string): string {
  return redactSeen(text);
}
