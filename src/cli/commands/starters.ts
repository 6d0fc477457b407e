import type { Command } from "commander";
import { resolve } from "node:path";
import { ExitCode, UserError } from "../../errors.js";
import type { StarterCatalog } from "../../starters/catalog.js";
import { createReporter, printJson, printTable } from "../output.js";

interface StartersFlags {
  dir?: string;
  json?: boolean;
}

/**
 * `ahb starters`: the starter templates users pick on the web page (built-in ones plus the operator's files in
 * `<data dir>/starters/`). Not `ahb templates`, which renders the operator's own config files.
 */
export function registerStartersCommands(program: Command): void {
  const starters = program
    .command("starters")
    .description("starter templates offered on the web page (built-in + <data dir>/starters/*.json)");

  starters
    .command("list")
    .description("list the starter templates users see, with where each comes from")
    .option("--dir <path>", "the operator's starters folder (default: starters/ next to the live database)")
    .option("--json", "print the list as JSON on stdout")
    .addHelpText("after", "\nExamples:\n  ahb starters list\n  ahb starters list --json")
    .action(async (options: StartersFlags) => {
      const catalog = await load(options);
      if (options.json) printJson(catalog);
      else
        printTable(
          ["ID", "NAME", "SOURCE", "PLACEHOLDERS", "DESCRIPTION"],
          catalog.starters.map((starter) => [
            starter.id,
            starter.name,
            starter.source,
            starter.placeholders.length,
            starter.description,
          ]),
        );
      warn(catalog);
    });

  starters
    .command("check")
    .description("validate the operator's starter files; exit 78 naming each bad file")
    .option("--dir <path>", "the operator's starters folder (default: starters/ next to the live database)")
    .option("--json", "print the result as JSON on stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  ahb starters check\n  ahb starters check --dir /srv/ahb/data/starters",
    )
    .action(async (options: StartersFlags) => {
      const catalog = await load(options);
      const operator = catalog.starters.filter((starter) => starter.source === "operator").length;
      if (options.json)
        printJson({ ok: catalog.problems.length === 0, operator, problems: catalog.problems });
      if (catalog.problems.length > 0) {
        throw new UserError(
          `${catalog.problems.length} starter file(s) are invalid and are not offered`,
          ExitCode.CONFIG_INVALID,
          catalog.problems.map((problem) => `${problem.file}: ${problem.message}`),
        );
      }
      if (!options.json) createReporter().success(`${operator} operator starter file(s) valid`);
    });
}

async function load(options: StartersFlags): Promise<StarterCatalog> {
  const [{ loadStarters, startersDir }, { resolveDataPaths }] = await Promise.all([
    import("../../starters/catalog.js"),
    import("../data-paths.js"),
  ]);
  const dir = options.dir ? resolve(options.dir) : startersDir(resolveDataPaths({}).dbPath);
  return loadStarters(dir);
}

function warn(catalog: StarterCatalog): void {
  const reporter = createReporter();
  for (const problem of catalog.problems) reporter.warn(`skipped ${problem.file}: ${problem.message}`);
}
