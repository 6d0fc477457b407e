import { mergeRawValues, readEnvFile, type ValueSource } from "../../config/load.js";
import { keyProblem, type ConfigKey } from "../../config/schema.js";
import { maskValue } from "../../config/secret.js";
import { ExitCode, UserError, type ExitCodeValue } from "../../errors.js";
import { probeAnthropic, probeGemini, type LiveResult, type ProbeInput } from "./live.js";

export type Provider = "anthropic" | "google";
export type FormatStatus = "ok" | "missing" | "malformed";

interface ProviderSpec {
  provider: Provider;
  keyVar: ConfigKey;
  baseUrlVar: ConfigKey;
  probe: (input: ProbeInput) => Promise<LiveResult>;
}

const providerSpecs: readonly ProviderSpec[] = [
  {
    provider: "anthropic",
    keyVar: "ANTHROPIC_API_KEY",
    baseUrlVar: "ANTHROPIC_BASE_URL",
    probe: probeAnthropic,
  },
  { provider: "google", keyVar: "GOOGLE_API_KEY", baseUrlVar: "GOOGLE_GEMINI_BASE_URL", probe: probeGemini },
];

export interface ProviderReport {
  provider: Provider;
  variable: ConfigKey;
  /** Masked (last 4 characters at most); empty when missing. */
  key: string;
  source: ValueSource;
  format: FormatStatus;
  formatDetail?: string;
  /** Present with --live when the format is ok. */
  live?: LiveResult;
  ok: boolean;
}

export interface KeysReport {
  ok: boolean;
  live: boolean;
  providers: ProviderReport[];
}

export interface KeysCheckOptions {
  /** Env file to read; values in env win over it (as for every command). */
  envFile?: string;
  envFileRequired?: boolean;
  env?: NodeJS.ProcessEnv;
  live?: boolean;
  /** Per-provider timeout of the live listing. */
  timeoutMs?: number;
}

export const DEFAULT_LIVE_TIMEOUT_MS = 10_000;

function baseUrl(variable: ConfigKey, raw: string | undefined): string | undefined {
  const problem = keyProblem(variable, raw);
  if (problem) throw new UserError(`${variable}: ${problem}`, ExitCode.CONFIG_INVALID);
  return raw || undefined;
}

async function checkProvider(
  spec: ProviderSpec,
  values: { raw: Partial<Record<ConfigKey, string>>; sources: Record<ConfigKey, ValueSource> },
  options: KeysCheckOptions,
): Promise<ProviderReport> {
  const raw = values.raw[spec.keyVar]?.trim() ?? "";
  const problem = raw === "" ? "missing" : keyProblem(spec.keyVar, raw);
  const base = {
    provider: spec.provider,
    variable: spec.keyVar,
    key: maskValue(raw),
    source: values.sources[spec.keyVar],
  };
  if (problem) {
    const format = raw === "" ? "missing" : "malformed";
    return { ...base, format, formatDetail: problem, ok: false };
  }
  if (!options.live) return { ...base, format: "ok", ok: true };
  const live = await spec.probe({
    key: raw,
    baseUrl: baseUrl(spec.baseUrlVar, values.raw[spec.baseUrlVar]),
    timeoutMs: options.timeoutMs ?? DEFAULT_LIVE_TIMEOUT_MS,
  });
  return { ...base, format: "ok", live, ok: live.status === "ok" };
}

/** Format checks for both provider keys with the config schema; with live, one model listing per provider. */
export async function checkKeys(options: KeysCheckOptions = {}): Promise<KeysReport> {
  const file = options.envFile
    ? readEnvFile(options.envFile, options.envFileRequired ?? false)
    : { values: {} as Record<string, string> };
  const values = mergeRawValues(file.values, options.env ?? process.env);
  const providers = await Promise.all(providerSpecs.map((spec) => checkProvider(spec, values, options)));
  return { ok: providers.every((report) => report.ok), live: options.live ?? false, providers };
}

/** 0, or which provider failed: 20 Anthropic, 21 Google, 22 both. */
export function keysExitCode(report: KeysReport): ExitCodeValue {
  const failed = new Set(report.providers.filter((entry) => !entry.ok).map((entry) => entry.provider));
  if (failed.has("anthropic") && failed.has("google")) return ExitCode.BOTH_KEYS_FAILED;
  if (failed.has("anthropic")) return ExitCode.ANTHROPIC_KEY_FAILED;
  if (failed.has("google")) return ExitCode.GOOGLE_KEY_FAILED;
  return ExitCode.OK;
}
