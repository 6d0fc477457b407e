import { dirname, resolve } from "node:path";
import { ConfigError } from "../../config/load.js";
import { loadOpsConfig } from "../../config/ops.js";
import { maskValue } from "../../config/secret.js";
import { keyProblem } from "../../config/schema.js";
import type { InitKey } from "../../ops/init/init.js";
import type { InitFlags } from "../commands/init.js";
import { createReporter, printJson } from "../output.js";
import { promptHidden } from "../prompt.js";
import { cliIo } from "../io.js";

const PROMPT_ATTEMPTS = 3;
const labels: Record<InitKey, string> = {
  ANTHROPIC_API_KEY: "Anthropic API key",
  GOOGLE_API_KEY: "Google API key",
};

async function promptKey(key: InitKey): Promise<string> {
  const reporter = createReporter();
  for (let attempt = 1; attempt <= PROMPT_ATTEMPTS; attempt += 1) {
    const value = await promptHidden(`${labels[key]} (input hidden): `);
    const problem = keyProblem(key, value);
    if (!problem) {
      reporter.success(`${labels[key]} accepted (${maskValue(value)})`);
      return value;
    }
    reporter.warn(`${key}: ${problem}`);
  }
  throw new ConfigError([`${key}: no valid key after ${PROMPT_ATTEMPTS} attempts`], "prompt");
}

/** From the named variables; otherwise hidden prompts on a terminal; never from argv. */
async function collectKeys(
  wanted: readonly InitKey[],
  variables: Record<InitKey, string>,
): Promise<Record<InitKey, string>> {
  const interactive = cliIo().stdin.isTTY === true && cliIo().stderr.isTTY === true;
  const keys = {} as Record<InitKey, string>;
  const missing: string[] = [];
  for (const key of wanted) {
    const fromEnv = process.env[variables[key]]?.trim();
    if (fromEnv) keys[key] = fromEnv;
    else if (interactive) keys[key] = await promptKey(key);
    else missing.push(`${key}: missing: set ${variables[key]} in the environment (no terminal to ask on)`);
  }
  if (missing.length > 0) throw new ConfigError(missing, "environment");
  return keys;
}

/** The proxy's real address on the engine (AHB_NETWORK's proxy container, or the bridge gateway). */
async function discoverProxies() {
  const [{ default: Docker }, { discoverOrLoopback }] = await Promise.all([
    import("dockerode"),
    import("../../ops/init/proxy-address.js"),
  ]);
  return discoverOrLoopback(new Docker(), loadOpsConfig());
}

export async function init(options: InitFlags): Promise<void> {
  const envFile = resolve(options.envFile);
  const force = options.force ?? false;
  const { INIT_KEYS, initEnvFile, refuseExisting, writeInitialOpsConfig, hostUserReport } =
    await import("../../ops/init/init.js");
  refuseExisting(envFile, force);
  const keys = await collectKeys(INIT_KEYS, {
    ANTHROPIC_API_KEY: options.anthropicKeyEnv,
    GOOGLE_API_KEY: options.googleKeyEnv,
  });
  const proxies = await discoverProxies();
  const result = await initEnvFile({ envFile, force, keys, trustedProxies: proxies.value });
  const opsConfig = writeInitialOpsConfig(dirname(envFile), options.baseImage);
  const hostUser = await hostUserReport(resolve(dirname(envFile), "data"));
  if (options.json) return printJson({ ...result, opsConfig, hostUser, trustedProxies: proxies });
  const reporter = createReporter();
  reporter.success(
    `wrote ${result.envFile} (mode ${result.mode})${result.overwritten ? ", replacing it" : ""}`,
  );
  reporter.info(`TRUSTED_PROXIES=${proxies.value}: ${proxies.detail}`);
  if (result.gitignore === "added") reporter.info(`added it to .gitignore`);
  if (result.trackedByGit) reporter.warn(`git tracks ${result.envFile}: run git rm --cached on it`);
  reporter.info(`${opsConfig.outcome === "written" ? "wrote" : "kept"} ${opsConfig.path}`);
  if (hostUser.name) reporter.info(`host user with the container's uid ${hostUser.uid}: ${hostUser.name}`);
  else
    reporter.warn(
      `no host user has the container's uid ${hostUser.uid}; as root run:\n  ${hostUser.commands.join("\n  ")}`,
    );
  reporter.info("next: review the file, then `ahb keys check --live`; see docs/host-setup.md");
}
