import { isAbsolute, resolve } from "node:path";
import * as z from "zod";
import { ExitCode, UserError } from "../../errors.js";
import { loadOpsConfig, publishedHealthHost } from "../../config/ops.js";
import { findTemplate, readTemplate } from "./catalog.js";
import { renderTemplate } from "./render.js";

/** Characters that would break out of an nginx directive, a unit line or a shell command are refused. */
const safePath = z
  .string()
  .refine(isAbsolute, { message: "must be an absolute path" })
  .regex(/^[A-Za-z0-9/._+@-]+$/, { message: "letters, digits and / . _ + @ - only" });

export const templateInputSchema = z.object({
  domain: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, {
      message: "a host name like html.example.com",
    })
    .optional(),
  appDir: safePath.optional(),
  upstream: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([1-9]\d{0,4})$/, {
      message: "host:port, e.g. 127.0.0.1:8080",
    })
    .refine((value) => Number(value.slice(value.lastIndexOf(":") + 1)) <= 65535, {
      message: "port above 65535",
    })
    .optional(),
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { message: "a Unix user name like ahb" })
    .default("ahb"),
  tlsCert: safePath.optional(),
  tlsKey: safePath.optional(),
});

export type TemplateInput = z.input<typeof templateInputSchema>;

const fieldFlags: Record<keyof TemplateInput, string> = {
  domain: "--domain",
  appDir: "--app-dir",
  upstream: "--upstream",
  user: "--user",
  tlsCert: "--tls-cert",
  tlsKey: "--tls-key",
};

/** The flag that supplies each placeholder (the others are derived from these). */
const placeholderFlags: Record<string, string> = {
  DOMAIN: fieldFlags.domain,
  APP_DIR: fieldFlags.appDir,
  UPSTREAM: fieldFlags.upstream,
  SERVICE_USER: fieldFlags.user,
  TLS_CERT: fieldFlags.tlsCert,
  TLS_KEY: fieldFlags.tlsKey,
};

function parseInput(input: TemplateInput) {
  const parsed = templateInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) =>
      `${fieldFlags[issue.path[0] as keyof TemplateInput] ?? String(issue.path[0])}: ${issue.message}`,
  );
  throw new UserError("invalid template values:", ExitCode.USAGE, problems);
}

/** Every placeholder's value: flags first, then the ops config (upstream) and the working directory. */
export function templateValues(
  input: TemplateInput,
  context: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Record<string, string | undefined> {
  const cwd = context.cwd ?? process.cwd();
  const flags = parseInput({ ...input, appDir: input.appDir ?? resolve(cwd) });
  const upstream =
    flags.upstream ??
    (() => {
      const ops = loadOpsConfig({ cwd, env: context.env });
      return `${publishedHealthHost(ops)}:${ops.hostPort}`;
    })();
  const portAt = upstream.lastIndexOf(":");
  const certDir = flags.domain ? `/etc/letsencrypt/live/${flags.domain}` : undefined;
  return {
    DOMAIN: flags.domain,
    APP_DIR: flags.appDir,
    UPSTREAM: upstream,
    UPSTREAM_HOST: upstream.slice(0, portAt).replace(/^\[(.*)\]$/, "$1"),
    UPSTREAM_PORT: upstream.slice(portAt + 1),
    SERVICE_USER: flags.user,
    TLS_CERT: flags.tlsCert ?? (certDir && `${certDir}/fullchain.pem`),
    TLS_KEY: flags.tlsKey ?? (certDir && `${certDir}/privkey.pem`),
  };
}

/** Renders one catalog template; names each missing value with the flag that supplies it. */
export function renderNamedTemplate(
  name: string,
  input: TemplateInput,
  context: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const entry = findTemplate(name);
  const result = renderTemplate(readTemplate(entry), templateValues(input, context));
  if (result.ok) return result.text;
  // The certificate paths follow from the domain: name only the domain when it is missing.
  const missing = result.missing.includes("DOMAIN") ? ["DOMAIN"] : result.missing;
  throw new UserError(
    `template "${name}" needs: ${missing.map((key) => `{{${key}}} (${placeholderFlags[key] ?? "no flag"})`).join(", ")}`,
    ExitCode.USAGE,
  );
}
