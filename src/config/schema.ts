import { BlockList, isIP } from "node:net";
import * as z from "zod";
import { Secret } from "./secret.js";
import { intInRange } from "../shared/int-range.js";

export type KeyGroup =
  | "Application"
  | "API keys"
  | "Database"
  | "Sessions"
  | "Uploads"
  | "Rate limiting"
  | "Exports"
  | "Claude"
  | "Costs"
  | "URLs"
  | "Proxy and identity"
  | "Providers"
  | "Monitoring";

export interface KeySpec {
  group: KeyGroup;
  description: string;
  /** The raw env value used when the key is absent; undefined means required. */
  default?: string;
  /** Shown in .env.example instead of the default (placeholders for required keys). */
  example?: string;
  secret?: boolean;
  schema: z.ZodType;
}

const boolFromEnv = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

const intFromEnv = (min: number, max?: number) => intInRange(min, max);

const positiveNumberFromEnv = z.coerce
  .number({ message: "must be a number" })
  .nonnegative({ message: "must not be negative" });

/** Empty means "no cap"; otherwise a USD amount. */
const optionalUsdCap = z
  .union([z.literal(""), positiveNumberFromEnv])
  .transform((value) => (value === "" ? undefined : value));

const csvList = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

const uploadTypes = csvList.pipe(
  z.array(z.string().regex(/^\.[a-z0-9]+$/, { message: "each type is an extension like .pdf" })).min(1),
);

function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split("/");
  if (rest.length > 0 || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}

const cidrList = csvList.pipe(
  z.array(z.string().refine(isCidr, { message: "each entry is an IP address or CIDR (10.0.0.0/8)" })),
);

const jsonOrigins = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({
        code: "custom",
        message: 'must be a JSON array of origins, e.g. ["https://a.example"]',
      });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(z.url({ message: "each origin is a URL like https://html.example.com" }), {
      message: 'must be a JSON array of origins, e.g. ["https://a.example"]',
    }),
  );

const anthropicKey = z
  .string()
  .regex(/^sk-ant-[A-Za-z0-9_-]{20,200}$/, {
    message: "malformed (expected sk-ant-… as issued by Anthropic)",
  })
  .transform((value) => new Secret(value));

const googleKey = z
  .string()
  .regex(/^AIza[0-9A-Za-z_-]{35}$/, {
    message: "malformed (expected AIza… 39 characters as issued by Google)",
  })
  .transform((value) => new Secret(value));

const optionalToken = z
  .union([z.literal(""), z.string().min(16, { message: "must be at least 16 characters" })])
  .transform((value) => (value ? new Secret(value) : undefined));

export type WebhookFormat = "json" | "slack" | "ntfy";
const WEBHOOK_ENTRY = /^(?:(json|slack|ntfy):)?(https?:\/\/\S+)$/;

/** `[json:|slack:|ntfy:]URL,...`; without a prefix Slack and ntfy are recognised by host, anything else gets JSON. */
const webhookList = z.string().transform((value, ctx) =>
  value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .flatMap((entry) => {
      const match = WEBHOOK_ENTRY.exec(entry);
      if (!match) {
        ctx.addIssue({ code: "custom", message: "each entry is [json:|slack:|ntfy:]https://..." });
        return [];
      }
      const url = match[2] as string;
      const host = new URL(url).hostname;
      const format = (match[1] ??
        (host === "hooks.slack.com" ? "slack" : host.startsWith("ntfy.") ? "ntfy" : "json")) as WebhookFormat;
      return [{ format, url: new Secret(url) }];
    }),
);

const optionalUrl = z
  .union([z.literal(""), z.url({ message: "must be a URL" })])
  .transform((value) => value || undefined);

/** The single source for validation, defaults, descriptions, .env.example and `ahb config` output. */
export const keySpecs = {
  ENVIRONMENT: {
    group: "Application",
    description: "Environment mode: development, production or test",
    default: "development",
    example: "production",
    schema: z.enum(["development", "production", "test"], {
      message: "must be development, production or test",
    }),
  },
  DEBUG: {
    group: "Application",
    description: "Debug mode: error stacks in logs (never in responses)",
    default: "false",
    schema: boolFromEnv,
  },
  LOG_LEVEL: {
    group: "Application",
    description: "Log level: debug, info, warn or error",
    default: "info",
    schema: z.enum(["debug", "info", "warn", "error"], { message: "must be debug, info, warn or error" }),
  },
  PORT: {
    group: "Application",
    description: "Port the server listens on inside the container",
    default: "8000",
    schema: intFromEnv(1, 65535),
  },
  SHUTDOWN_GRACE_SECONDS: {
    group: "Application",
    description:
      "Seconds a stopping server (SIGTERM, docker stop, a deploy) lets running chat turns finish while it refuses new ones (503 server_restarting); then they are cancelled. Default: one provider call's timeout, enough for a regeneration. The container's stop timeout is this plus a margin",
    default: "300",
    schema: intFromEnv(0, 1800),
  },
  ANTHROPIC_API_KEY: {
    group: "API keys",
    description: "Anthropic key for Claude (surgical edits). Required",
    example: "sk-ant-api03-your-key-here-xxxxxxxxxxxxxxxx",
    secret: true,
    schema: anthropicKey,
  },
  GOOGLE_API_KEY: {
    group: "API keys",
    description: "Google key: covers Gemini 2.5 Pro (creation) and Nano Banana Pro (images). Required",
    example: "AIzaYourGoogleKeyHereXXXXXXXXXXXXXXXXXX",
    secret: true,
    schema: googleKey,
  },
  DATABASE_PATH: {
    group: "Database",
    description: "SQLite database file (WAL mode); the container uses /app/data/app.db on the data volume",
    default: "./data/app.db",
    example: "/app/data/app.db",
    schema: z.string().min(1, { message: "must not be empty" }),
  },
  HEALTH_MIN_FREE_MB: {
    group: "Database",
    description:
      "Free megabytes the database's directory needs; below it (or when a write probe fails) /api/health says degraded",
    default: "64",
    schema: intFromEnv(0),
  },
  SESSION_TIMEOUT: {
    group: "Sessions",
    description:
      "Seconds after a session's last activity before cleanup deletes it (default 30 days); pinned sessions and sessions with a turn running are kept",
    default: "2592000",
    schema: intFromEnv(60),
  },
  MAX_PINNED_SESSIONS: {
    group: "Sessions",
    description:
      "Sessions one user may pin (a pinned session never expires); pinning another is refused (409)",
    default: "1",
    schema: intFromEnv(0, 1000),
  },
  TITLE_MODEL: {
    group: "Sessions",
    description:
      "Model that names a session and its document after their first successful turn (one short, ledgered call): gemini-2.5-flash-lite or gemini-2.5-flash; off turns generated titles off",
    default: "gemini-2.5-flash-lite",
    schema: z.enum(["gemini-2.5-flash-lite", "gemini-2.5-flash", "off"], {
      message: "must be gemini-2.5-flash-lite, gemini-2.5-flash or off",
    }),
  },
  MAX_SESSIONS_PER_USER: {
    group: "Sessions",
    description:
      "Sessions one user may keep at once; creating another is refused (409) until one is deleted or expires",
    default: "3",
    schema: intFromEnv(1, 1000),
  },
  MAX_UPLOAD_SIZE: {
    group: "Uploads",
    description: "Largest upload in bytes, enforced while the body streams in",
    default: "52428800",
    schema: intFromEnv(1),
  },
  ALLOWED_UPLOAD_TYPES: {
    group: "Uploads",
    description: "Comma-separated upload extensions (checked by extension and content)",
    default: ".txt,.docx,.md,.pdf",
    schema: uploadTypes,
  },
  EXTRACTION_WORKERS: {
    group: "Uploads",
    description: "Worker threads that read .docx/.pdf uploads at once (off the event loop)",
    default: "2",
    schema: intFromEnv(1, 16),
  },
  EXTRACTION_QUEUE: {
    group: "Uploads",
    description:
      "Uploads that may wait for a free extraction worker; beyond that the upload answers 503 + Retry-After",
    default: "8",
    schema: intFromEnv(0, 1000),
  },
  EXTRACTION_TIMEOUT: {
    group: "Uploads",
    description: "Seconds one extraction may run before its worker is stopped (422 extraction_limit)",
    default: "30",
    schema: intFromEnv(1, 600),
  },
  EXTRACTION_MEMORY_MB: {
    group: "Uploads",
    description:
      "Heap (MB) of one extraction worker; a document needing more is refused (422 extraction_limit)",
    default: "64",
    schema: intFromEnv(16, 4096),
  },
  RATE_LIMIT_REQUESTS: {
    group: "Rate limiting",
    description: "Chat/upload/export requests allowed per user or client address per window",
    default: "30",
    schema: intFromEnv(1),
  },
  RATE_LIMIT_WINDOW: {
    group: "Rate limiting",
    description: "Rate limit window in seconds",
    default: "60",
    schema: intFromEnv(1),
  },
  RATE_LIMIT_IPV6_PREFIX: {
    group: "Rate limiting",
    description:
      "Anonymous IPv6 clients share one budget per network of this many leading bits (a /64 is one customer)",
    default: "64",
    schema: intFromEnv(16, 128),
  },
  EXPORT_DIR: {
    group: "Exports",
    description: "Directory for exported files",
    default: "./exports",
    example: "/app/exports",
    schema: z.string().min(1, { message: "must not be empty" }),
  },
  EXPORT_RETENTION_HOURS: {
    group: "Exports",
    description: "Hours an exported file is kept before cleanup deletes it",
    default: "24",
    schema: intFromEnv(1),
  },
  CHROMIUM_PATH: {
    group: "Exports",
    description: "System Chromium used by Playwright for PDF/PNG export (never downloaded)",
    default: "/usr/bin/chromium",
    schema: z.string().min(1, { message: "must not be empty" }),
  },
  MAX_CLAUDE_ITERATIONS: {
    group: "Claude",
    description: "Most tool-loop rounds Claude may take in one edit",
    default: "15",
    schema: intFromEnv(1, 100),
  },
  MAX_HTML_CONTEXT_LENGTH: {
    group: "Claude",
    description: "Largest document (characters, images swapped for placeholders) sent for editing",
    default: "150000",
    schema: intFromEnv(1000),
  },
  CLAUDE_MODEL: {
    group: "Claude",
    description: "Claude model id used for edits",
    default: "claude-sonnet-4-6",
    schema: z.string().min(1, { message: "must not be empty" }),
  },
  CLAUDE_INPUT_COST_PER_M: {
    group: "Costs",
    description: "Claude input price, USD per million tokens",
    default: "3.0",
    schema: positiveNumberFromEnv,
  },
  CLAUDE_OUTPUT_COST_PER_M: {
    group: "Costs",
    description: "Claude output price, USD per million tokens",
    default: "15.0",
    schema: positiveNumberFromEnv,
  },
  GEMINI_INPUT_COST_PER_M: {
    group: "Costs",
    description: "Gemini 2.5 Pro input price, USD per million tokens (prompts up to 200k tokens)",
    default: "1.25",
    schema: positiveNumberFromEnv,
  },
  GEMINI_OUTPUT_COST_PER_M: {
    group: "Costs",
    description:
      "Gemini 2.5 Pro output price incl. thinking, USD per million tokens (prompts up to 200k tokens)",
    default: "10.0",
    schema: positiveNumberFromEnv,
  },
  NANO_BANANA_COST_PER_IMAGE: {
    group: "Costs",
    description: "Nano Banana Pro price per generated image, USD",
    default: "0.134",
    schema: positiveNumberFromEnv,
  },
  BUDGET_DAILY_USD: {
    group: "Costs",
    description:
      "Spend cap for all users together per UTC day, USD; provider calls that could exceed it are refused (empty: no cap)",
    default: "",
    example: "20",
    schema: optionalUsdCap,
  },
  BUDGET_MONTHLY_USD: {
    group: "Costs",
    description: "Spend cap for all users together per UTC calendar month, USD (empty: no cap)",
    default: "",
    example: "300",
    schema: optionalUsdCap,
  },
  BUDGET_USER_DAILY_USD: {
    group: "Costs",
    description: "Spend cap for each user per UTC day, USD (empty: no cap)",
    default: "",
    example: "2",
    schema: optionalUsdCap,
  },
  BUDGET_USER_MONTHLY_USD: {
    group: "Costs",
    description: "Spend cap for each user per UTC calendar month, USD (empty: no cap)",
    default: "",
    example: "30",
    schema: optionalUsdCap,
  },
  FRONTEND_URL: {
    group: "URLs",
    description: "Public URL of the web page (informational behind the proxy)",
    default: "http://localhost:8000",
    schema: z.url({ message: "must be a URL" }),
  },
  BACKEND_URL: {
    group: "URLs",
    description: "URL the server is reached at (used by health checks and the CLI)",
    default: "http://localhost:8000",
    schema: z.url({ message: "must be a URL" }),
  },
  CORS_ORIGINS: {
    group: "URLs",
    description:
      "JSON array of origins allowed to call the API cross-origin (the page itself is same-origin)",
    default: '["http://localhost:8000"]',
    example: '["https://your-domain.com"]',
    schema: jsonOrigins,
  },
  TRUSTED_PROXIES: {
    group: "Proxy and identity",
    description:
      "Comma-separated CIDRs whose X-Forwarded-User / X-Forwarded-For headers are believed (the proxy's addresses)",
    default: "127.0.0.1/32,::1/128",
    example: "127.0.0.1/32,::1/128",
    schema: cidrList,
  },
  ADMIN_USERS: {
    group: "Proxy and identity",
    description: "Comma-separated user names (as sent in X-Forwarded-User) who see every user's costs",
    default: "",
    schema: csvList,
  },
  ANTHROPIC_BASE_URL: {
    group: "Providers",
    description: "Override of the Anthropic API base URL (empty: the SDK default)",
    default: "",
    schema: optionalUrl,
  },
  GOOGLE_GEMINI_BASE_URL: {
    group: "Providers",
    description: "Override of the Gemini API base URL (empty: the SDK default)",
    default: "",
    schema: optionalUrl,
  },
  NOTIFY_WEBHOOK_URLS: {
    group: "Monitoring",
    description:
      "Comma-separated webhook URLs for alerts, each optionally prefixed json:, slack: or ntfy: (hooks.slack.com and ntfy.* hosts are recognised); empty: no alerts",
    default: "",
    example: "slack:https://hooks.slack.com/services/T000/B000/XXXX,ntfy:https://ntfy.sh/my-ahb-alerts",
    secret: true,
    schema: webhookList,
  },
  NOTIFY_BACKUP_MAX_AGE_HOURS: {
    group: "Monitoring",
    description: "Alert when the newest verified backup is older than this many hours (ahb doctor --notify)",
    default: "26",
    schema: intFromEnv(1),
  },
  NOTIFY_DISK_MIN_FREE_MB: {
    group: "Monitoring",
    description:
      "Alert when the data directory's disk has less free space than this, MB (ahb doctor --notify)",
    default: "1024",
    schema: intFromEnv(1),
  },
  BACKUP_REMOTE: {
    group: "Monitoring",
    description:
      "rclone remote and path that every verified backup is copied to, e.g. offsite:ahb-backups (a crypt remote encrypts at rest); empty: local backups only",
    default: "",
    example: "",
    schema: z.union([
      z.literal(""),
      z
        .string()
        .regex(/^[A-Za-z0-9_][\w.-]*:[^\s]*$/, { message: "must be an rclone remote like name:path" }),
    ]),
  },
  RCLONE_CONFIG: {
    group: "Monitoring",
    description:
      "rclone config file that defines BACKUP_REMOTE (empty: rclone's default, ~/.config/rclone/rclone.conf)",
    default: "",
    example: "",
    schema: z.string(),
  },
  METRICS_TOKEN: {
    group: "Monitoring",
    description:
      "Bearer token that lets any peer scrape GET /metrics (without it: loopback or a trusted proxy only; empty: no token)",
    default: "",
    example: "",
    secret: true,
    schema: optionalToken,
  },
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof keySpecs;
export const configKeys = Object.keys(keySpecs) as ConfigKey[];
export const secretKeys = configKeys.filter((key) => (keySpecs[key] as KeySpec).secret === true);

function keySchema(spec: KeySpec, key: string): z.ZodType {
  const missing = { message: "missing" };
  const base = spec.default === undefined ? spec.schema : spec.schema.prefault(spec.default);
  const required = spec.default === undefined;
  return z
    .string(required ? missing : undefined)
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") {
        if (required) {
          ctx.addIssue({ code: "custom", message: "missing" });
          return z.NEVER;
        }
        return undefined;
      }
      return value;
    })
    .pipe(base as z.ZodType<unknown, string | undefined>)
    .describe(`${key}: ${spec.description}`);
}

type Output<K extends ConfigKey> = z.output<(typeof keySpecs)[K]["schema"]>;
export type Config = { [K in ConfigKey]: Output<K> };

export const configSchema = z.object(
  Object.fromEntries(configKeys.map((key) => [key, keySchema(keySpecs[key], key)])),
) as unknown as z.ZodType<Config>;

/** The trusted proxy list as a matcher for peer addresses. */
export function trustedProxyMatcher(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = "", prefix] = cidr.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    if (!address) return false;
    const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    if (family === 0) return false;
    return list.check(plain, family === 6 ? "ipv6" : "ipv4");
  };
}

/** Validates one raw value with its key's schema (as configSchema would); returns the problem or undefined. */
export function keyProblem(key: ConfigKey, raw: string | undefined): string | undefined {
  const result = keySchema(keySpecs[key], key).safeParse(raw);
  return result.success ? undefined : (result.error.issues[0]?.message ?? "invalid");
}
