import type { Command } from "commander";
import { loadOpsConfig, type OpsConfig, type OpsKey } from "../config/ops.js";
import type { Progress } from "../ops/deploy/progress.js";
import { opsFlags } from "./ops-options.js";
import { createReporter } from "./output.js";

/** Defaults < ahb.ops.json < AHB_* < flags; a flag left at commander's default does not override the file. */
export function opsConfigFrom(command: Command): OpsConfig {
  const values = command.opts<Record<string, unknown>>();
  const flags: Partial<Record<OpsKey, unknown>> = {};
  for (const [key, long] of Object.entries(opsFlags) as [OpsKey, string][]) {
    const name = command.options.find((option) => option.long === long)?.attributeName();
    if (name !== undefined && command.getOptionValueSource(name) === "cli") flags[key] = values[name];
  }
  return loadOpsConfig({ file: values.config as string | undefined, flags });
}

/** Progress to stderr; build output only with --verbose. */
export function progressPrinter(command: Command): Progress {
  const reporter = createReporter();
  const verbose = command.optsWithGlobals<{ verbose?: boolean }>().verbose === true;
  return ({ level, message }) => {
    if (level === "step") reporter.start(message);
    else if (level === "success") reporter.success(message);
    else if (level === "warn") reporter.warn(message);
    else if (level === "info") reporter.info(message);
    else if (verbose) reporter.log(message);
  };
}
