import type { Command } from "commander";
import { resolve } from "node:path";
import type { TemplateInput } from "../../ops/templates/values.js";
import { createReporter, printJson, printTable, writeOut } from "../output.js";

interface RenderFlags extends TemplateInput {
  out?: string;
  force?: boolean;
}

export function registerTemplatesCommands(program: Command): void {
  const templates = program
    .command("templates")
    .description("operator files: proxy snippets, systemd units, crontab, CI workflow");

  templates
    .command("list")
    .description("list the templates with what they are for and the placeholders they need")
    .option("--json", "print the list as JSON on stdout")
    .addHelpText("after", "\nExamples:\n  ahb templates list\n  ahb templates list --json")
    .action(async (options: { json?: boolean }) => {
      const { listTemplates } = await import("../../ops/templates/catalog.js");
      const listing = listTemplates();
      if (options.json) printJson(listing);
      else
        printTable(
          ["NAME", "DESCRIPTION", "INSTALL TO", "PLACEHOLDERS"],
          listing.map((entry) => [
            entry.name,
            entry.description,
            entry.installTo,
            entry.placeholders.join(" "),
          ]),
        );
    });

  templates
    .command("render")
    .description("fill in a template's placeholders; stdout unless --out")
    .argument("<name>", "template name (see ahb templates list)")
    .option("--domain <host>", "public host name, e.g. html.example.com")
    .option("--app-dir <path>", "absolute application directory on the host (default: current directory)")
    .option(
      "--upstream <host:port>",
      "where the app listens (default: the ops config's bind address and host port)",
    )
    .option("--user <name>", "Unix user for the systemd units", "ahb")
    .option("--tls-cert <path>", "certificate chain (default: /etc/letsencrypt/live/DOMAIN/fullchain.pem)")
    .option("--tls-key <path>", "private key (default: /etc/letsencrypt/live/DOMAIN/privkey.pem)")
    .option("--out <file>", "write to this file (atomically) instead of stdout")
    .option("--force", "with --out: replace an existing file")
    .addHelpText(
      "after",
      "\nExamples:\n  ahb templates render nginx-site --domain html.example.com > /etc/nginx/sites-available/ahb\n" +
        "  ahb templates render systemd-backup-timer --out /etc/systemd/system/ahb-backup.timer\n" +
        "  ahb templates render github-deploy --domain html.example.com --app-dir /srv/ahb --out .github/workflows/deploy.yml",
    )
    .action(async (name: string, options: RenderFlags) => {
      const [{ renderNamedTemplate }, { writeFileAtomic }] = await Promise.all([
        import("../../ops/templates/values.js"),
        import("../../shared/atomic-file.js"),
      ]);
      const { out, force, ...input } = options;
      const text = renderNamedTemplate(name, input);
      if (!out) {
        writeOut(text);
        return;
      }
      writeFileAtomic(resolve(out), text, { overwrite: force ?? false });
      createReporter().success(`wrote ${out}`);
    });
}
