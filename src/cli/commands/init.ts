import { InvalidArgumentError, type Command } from "commander";

export interface InitFlags {
  envFile: string;
  force?: boolean;
  anthropicKeyEnv: string;
  googleKeyEnv: string;
  baseImage: string;
  json?: boolean;
}

function parseVariableName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    throw new InvalidArgumentError("must be an environment variable name, e.g. AHB_ANTHROPIC_KEY");
  return value;
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
      const { init } = await import("../actions/init.js");
      await init(options);
    });
}
