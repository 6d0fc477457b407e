import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { execa } from "execa";
import { openDatabase } from "../../src/db/open.js";
import { renderNamedTemplate } from "../../src/ops/templates/values.js";
import { cleanEnv, repoRoot } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";

const site = tempDir("ahb-scheduled-");
after(() => site.remove());

/** Data under a temp dir; the rendered lines `cd` into the checkout, where bin/ahb.js is. */
function siteEnv(dataDir: string): NodeJS.ProcessEnv {
  return cleanEnv({
    AHB_DATA_DIR: dataDir,
    AHB_BACKUPS_DIR: join(site.path, "backups"),
    AHB_EXPORTS_DIR: join(site.path, "exports"),
    AHB_ENV_FILE: join(site.path, ".env.prod"),
  });
}

function render(name: string): string {
  return renderNamedTemplate(
    name,
    { domain: "html.example.com", appDir: repoRoot },
    { cwd: site.path, env: {} },
  );
}

/** The cleanup and backup commands of the crontab and of the systemd services, as rendered. */
function scheduledCommands(): string[] {
  const cron = render("crontab")
    .split("\n")
    .filter((line) => /^[0-9*]/.test(line) && /ahb\.js (cleanup|backup)/.test(line))
    .map((line) => line.split(/\s+/).slice(5).join(" "));
  const units = ["systemd-cleanup-service", "systemd-backup-service"].map((name) => {
    const exec = /^ExecStart=(.*)$/m.exec(render(name))?.[1] ?? "";
    return `cd ${repoRoot} && ${exec}`;
  });
  return [...cron, ...units];
}

describe("scheduled jobs as rendered", () => {
  it("print nothing when they succeed, so cron sends no mail", { timeout: 120_000 }, async () => {
    const data = join(site.path, "data");
    mkdirSync(data);
    openDatabase(join(data, "app.db")).close();
    const commands = scheduledCommands();
    assert.equal(commands.length, 4, commands.join("\n"));
    for (const command of commands) {
      const run = await execa("sh", ["-c", command], { env: siteEnv(data), extendEnv: false, reject: false });
      assert.equal(run.exitCode, 0, `${command}\n${run.stderr}`);
      assert.equal(`${run.stdout}${run.stderr}`, "", `${command} printed on success`);
    }
  });

  it("print why and exit non-zero when they fail", { timeout: 120_000 }, async () => {
    for (const command of scheduledCommands()) {
      const run = await execa("sh", ["-c", command], {
        env: siteEnv(join(site.path, "missing")),
        extendEnv: false,
        reject: false,
      });
      assert.notEqual(run.exitCode, 0, command);
      assert.match(run.stderr, /^ahb: .*app\.db/m, command);
    }
  });
});
