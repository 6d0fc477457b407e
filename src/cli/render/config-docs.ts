import type { z } from "zod";
import { opsConfigSchema, opsEnvName, type OpsConfig } from "../../config/ops.js";
import { configKeys, keySpecs, type KeySpec } from "../../config/schema.js";
import { opsFlags } from "../ops-options.js";

const HEADER = `<!-- Generated from src/config/schema.ts and src/config/ops.ts: run \`ahb config docs > docs/configuration.md\`
after changing either; test/foundation/config-docs.test.ts fails when this file drifts. -->

# Configuration

Two schemas hold every setting: the app's env file (\`src/config/schema.ts\`) and the operations config
\`ahb.ops.json\` (\`src/config/ops.ts\`). Both tables below are generated from them.`;

const ENV_INTRO = `## Env file (the app)

One zod schema (\`src/config/schema.ts\`) is shared by the server and the CLI: it validates, supplies defaults, and
generates \`.env.example\` and \`ahb config example\`. Values come from the process environment, then the env file
(\`--env-file\`; \`.env\` for \`ahb serve\`, \`.env.prod\` for operations), then the defaults; every command reads
them in that order (\`readEnvKeys\`, which operations use for single keys, included). Errors print as one \`KEY: problem\` line per key; a value is never echoed. A name in the env file
that is one typo away from a setting is an error naming the setting (\`GOOGLE_API_KYE: unknown key; did you mean
GOOGLE_API_KEY?\`, exit 78); any other unknown name (\`TZ\`, \`NODE_OPTIONS\`, meant for the container) is a warning. API keys are held in a \`Secret\` wrapper that
prints masked (\`****abcd\`) in strings, JSON and \`inspect\`, and every configured secret value is replaced by
\`[REDACTED]\` in log lines.`;

const OPS_INTRO = `## Operations config (ahb.ops.json)

Defaults < \`ahb.ops.json\` (or \`--config FILE\` / \`AHB_OPS_CONFIG\`) < \`AHB_*\` variables < flags. One zod schema
(\`src/config/ops.ts\`) checks all of them; a bad value prints \`key: problem\` lines and exits 78, and so does a key it
does not know, with the key that was meant (\`hostport: unknown key; did you mean hostPort?\`). Relative directories are resolved against the current
directory. Build arguments add up across the layers.

Example \`ahb.ops.json\`: \`{"image": "ahb", "container": "ahb", "hostPort": 8080, "buildArgs": {"NODE_IMAGE":
"node:24-bookworm-slim"}}\`.`;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function code(text: string): string {
  return text === "" ? "(empty)" : `\`${text}\``;
}

function envTable(): string[] {
  const lines: string[] = [];
  let group = "";
  for (const key of configKeys) {
    const spec: KeySpec = keySpecs[key];
    if (spec.group !== group) {
      group = spec.group;
      lines.push(
        "",
        `### ${group}`,
        "",
        "| variable | default | production example | meaning |",
        "| --- | --- | --- | --- |",
      );
    }
    const fallback = spec.default === undefined ? "required" : code(spec.default);
    const example = spec.example !== undefined && spec.example !== spec.default ? code(spec.example) : "";
    const meaning =
      spec.secret === true ? `${spec.description} (secret: masked, redacted)` : spec.description;
    lines.push(`| \`${key}\` | ${cell(fallback)} | ${cell(example)} | ${cell(meaning)} |`);
  }
  return lines;
}

function defaultOf(schema: z.ZodType): string {
  const def = (schema as unknown as { def: { type: string; defaultValue?: unknown } }).def;
  if (def.type !== "default") return "(none)";
  return code(JSON.stringify(def.defaultValue).replace(/^"(.*)"$/, "$1"));
}

export function opsVariableCell(key: keyof OpsConfig): string {
  const name = opsEnvName(key);
  return name === undefined ? "(file only)" : `\`${name}\``;
}

function opsTable(): string[] {
  const lines = ["| key | variable | flag | default | meaning |", "| --- | --- | --- | --- | --- |"];
  for (const [key, schema] of Object.entries(opsConfigSchema.shape) as [keyof OpsConfig, z.ZodType][]) {
    const flag = key === "proxy" ? undefined : opsFlags[key];
    lines.push(
      `| \`${key}\` | ${opsVariableCell(key)} | ${flag === undefined ? "" : `\`${flag}\``} | ${cell(defaultOf(schema))} | ${cell(schema.description ?? "")} |`,
    );
  }
  return lines;
}

/** docs/configuration.md: every env variable and ops setting, from the schemas that check them. */
export function renderConfigDocs(): string {
  return [HEADER, "", ENV_INTRO, ...envTable(), "", OPS_INTRO, "", ...opsTable(), ""].join("\n");
}
