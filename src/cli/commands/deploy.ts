import type { Command } from "commander";
import { withReleaseOptions } from "../ops-options.js";
import type { CommandResult } from "../result.js";

export interface DeployFlags {
  tag?: string;
  build: boolean;
  image?: string;
  pull?: boolean;
  backup: boolean;
  json?: boolean;
}

export function registerDeployCommand(program: Command, setResult: (result: CommandResult) => void): Command {
  return withReleaseOptions(
    program
      .command("deploy")
      .description(
        "build, back up, and swap the container health-gated; rolls back by itself when unhealthy",
      ),
  )
    .option("--tag <version>", "version tag (default: git describe + UTC time)")
    .option("--no-build", "deploy an existing image (needs --image)")
    .option("--image <ref>", "the existing image to deploy with --no-build")
    .option("--pull", "run git pull --ff-only in the context first")
    .option("--no-backup", "skip the pre-deploy database backup")
    .option("--json", "print the result as JSON on stdout")
    .addHelpText(
      "after",
      `
Examples:
  ahb deploy                                  build from ., back up, swap, wait for healthy
  ahb deploy --pull --tag v1.4.0
  ahb deploy --no-build --image ahb:v1.3.9 --json
  ahb deploy --build-arg NODE_IMAGE=registry.local/node:24-bookworm-slim
  ahb deploy history                          what was deployed, by whom, how long it was unavailable`,
    )
    .action(async (flags: DeployFlags, command: Command) => {
      const { deploy } = await import("../actions/release.js");
      await deploy(flags, command, setResult);
    });
}
