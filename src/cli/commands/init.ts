import { dirname, resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { ConfigError } from "../../config/load.js";
import { loadOpsConfig } from "../../config/ops.js";
import { maskValue } from "../../config/secret.js";
import { keyProblem } from "../../config/schema.js";
import type { InitKey } from "../../ops/init/init.js";
import { createReporter, printJson } from "../output.js";
import { promptHidden } from "../prompt.js";
import { cliIo } from "../io.js";

interface InitFlags {
  envFile: string;
  force?: boolean;
  anthropicKeyEnv: string;
  googleKeyEnv: string;
  baseImage: string;
  json?: boolean;
}

const PROMPT_ATTEMPTS = 3;
const labels: Record<InitKey, string> = {
  ANTHROPIC_API_KEY: "Anthropic API key",
  GOOGLE_API_KEY: "Google API key",
};

function parseVariableName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    throw new InvalidArgumentError("must be an environment variable name, e.g. AHB_ANTHROPIC_KEY");
  return value;
}

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

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .description(
      "write the env file from the schema (defaults, descriptions), keys checked, mode 600, git-ignored",
    )
    .option("--env-file <path>", "file to write", ".env.prod")
    .option("--force", "replace an existing file")
    .option(
      "--anthropic-key-env <name>",
      "variable holding the Anthropic key",
      parseVariableName,
      "ANTHROPIC_API_KEY",
    )
    .option("--google-key-env <name>", "variable holding the Google key", parseVariableName, "GOOGLE_API_KEY")
    .option(
      "--base-image <ref>",
      "base image written to ahb.ops.json (buildArgs.NODE_IMAGE) when that file does not exist yet",
      "node:24-bookworm-slim",
    )
    .option("--json", "print the result as JSON on stdout")
    .addHelpText(
      "after",
      "\nKeys come from the environment (the variables above) or, on a terminal, from prompts that do not\n" +
        "echo. There is deliberately no flag taking a key itself: arguments end up in shell history and in\n" +
        "`ps` output that every local user can read.\n" +
        "\nExamples:\n  ahb init\n  ANTHROPIC_API_KEY=… GOOGLE_API_KEY=… ahb init --env-file /srv/ahb/.env.prod\n" +
        "  ahb init --force --anthropic-key-env VAULT_ANTHROPIC --google-key-env VAULT_GOOGLE",
    )
    .action(async (options: InitFlags) => {
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
      if (hostUser.name)
        reporter.info(`host user with the container's uid ${hostUser.uid}: ${hostUser.name}`);
      else
        reporter.warn(
          `no host user has the container's uid ${hostUser.uid}; as root run:\n  ${hostUser.commands.join("\n  ")}`,
        );
      reporter.info("next: review the file, then `ahb keys check --live`; see docs/host-setup.md");
    });
}
