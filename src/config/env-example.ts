import { configKeys, keySpecs, type KeySpec } from "./schema.js";

/** Renders the annotated env file that `.env.example` holds and `ahb init` starts from. */
export function renderEnvFile(overrides: Partial<Record<string, string>> = {}): string {
  const lines = [
    "# AI HTML Builder - environment variables",
    "# Copy to .env.prod (operations) or .env (local serve), fill in the keys, chmod 600. Never commit it.",
    "# Generated from src/config/schema.ts: run `ahb config example > .env.example` after changing the schema.",
  ];
  let group = "";
  for (const key of configKeys) {
    const spec: KeySpec = keySpecs[key];
    if (spec.group !== group) {
      group = spec.group;
      lines.push("", `# --- ${group} ---`);
    }
    lines.push(`# ${spec.description}`);
    const value = overrides[key] ?? spec.example ?? spec.default ?? "";
    lines.push(`${key}=${quoteIfNeeded(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

function quoteIfNeeded(value: string): string {
  return /[\s#]/.test(value) ? `'${value}'` : value;
}
