import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { execa } from "execa";
import { parse as parseYaml } from "yaml";
import { templateCatalog } from "../../src/ops/templates/catalog.js";
import { placeholdersOf, renderTemplate } from "../../src/ops/templates/render.js";
import { renderNamedTemplate } from "../../src/ops/templates/values.js";
import { cleanEnv, runAhb } from "../helpers/cli.js";
import { tempDir } from "../helpers/env.js";
import { toolSkipReason } from "../helpers/tools.js";

const noNginx = await toolSkipReason("nginx");
const noSystemdAnalyze = await toolSkipReason("systemd-analyze", "apt-get install systemd");

const dir = tempDir("ahb-templates-");
after(() => dir.remove());

const DOMAIN = "html.example.com";
const APP_DIR = "/srv/ahb";

function render(name: string, extra: Parameters<typeof renderNamedTemplate>[1] = {}): string {
  return renderNamedTemplate(name, { domain: DOMAIN, appDir: APP_DIR, ...extra }, { cwd: dir.path, env: {} });
}

describe("renderTemplate (pure)", () => {
  it("replaces every placeholder and leaves other braces alone", () => {
    const text = "server_name {{DOMAIN}}; run: ${{ secrets.KEY }} {{DOMAIN}}:{{PORT}}";
    assert.deepEqual(placeholdersOf(text), ["DOMAIN", "PORT"]);
    assert.deepEqual(renderTemplate(text, { DOMAIN: "a.example", PORT: "80" }), {
      ok: true,
      text: "server_name a.example; run: ${{ secrets.KEY }} a.example:80",
    });
  });

  it("reports placeholders without a value instead of leaving them in the output", () => {
    assert.deepEqual(renderTemplate("{{A}} {{B}} {{A}}", { A: "x" }), { ok: false, missing: ["B"] });
  });
});

describe("rendered templates", () => {
  it("renders every template in the catalog completely", () => {
    for (const entry of templateCatalog) {
      const text = render(entry.name);
      assert.doesNotMatch(text, /\{\{[A-Z][A-Z0-9_]*\}\}/, entry.name);
      assert.ok(text.length > 100, entry.name);
    }
    assert.match(render("systemd-serve"), /--host 127\.0\.0\.1 --port 8080\b/);
    assert.match(render("systemd-serve", { upstream: "[::1]:9001" }), /--host ::1 --port 9001\b/);
  });

  it("takes the default upstream from the ops config file", () => {
    writeFileSync(join(dir.path, "ahb.ops.json"), JSON.stringify({ hostPort: 8181 }));
    const text = renderNamedTemplate("npm-advanced", {}, { cwd: dir.path, env: {} });
    assert.match(text, /proxy_pass http:\/\/127\.0\.0\.1:8181;/);
  });

  it("gives the NPM snippet the SSE, upload and identity settings", () => {
    const text = render("npm-advanced");
    for (const line of [
      "proxy_buffering off;",
      "proxy_read_timeout 300s;",
      "proxy_set_header X-Forwarded-User $remote_user;",
      "client_max_body_size 50m;",
      "add_header Strict-Transport-Security",
    ])
      assert.ok(text.includes(line), line);
  });

  it(
    "passes nginx -t: the site (TLS with a self-signed cert) and the NPM snippet in a server block",
    {
      skip: noNginx,
    },
    async () => {
      const root = join(dir.path, "nginx");
      mkdirSync(root);
      await execa("openssl", [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        `/CN=${DOMAIN}`,
        "-keyout",
        join(root, "key.pem"),
        "-out",
        join(root, "cert.pem"),
      ]);
      const site = render("nginx-site", { tlsCert: join(root, "cert.pem"), tlsKey: join(root, "key.pem") });
      assert.match(site, /return 301 https:\/\/\$host\$request_uri;/);
      assert.match(site, /limit_req_zone/);
      writeFileSync(join(root, "site.conf"), site);
      writeFileSync(join(root, "npm.conf"), render("npm-advanced"));
      const temps = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
        .map((name) => `  ${name}_temp_path ${root}/${name};`)
        .join("\n");
      writeFileSync(
        join(root, "nginx.conf"),
        `pid ${root}/nginx.pid;\nerror_log ${root}/error.log;\nevents {}\nhttp {\n  access_log off;\n${temps}\n` +
          `  include ${root}/site.conf;\n  server {\n    listen 127.0.0.1:8443;\n    include ${root}/npm.conf;\n  }\n}\n`,
      );
      const result = await execa(
        "nginx",
        ["-t", "-p", `${root}/`, "-e", `${root}/error.log`, "-c", `${root}/nginx.conf`],
        { reject: false },
      );
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stderr, /test is successful/);

      writeFileSync(join(root, "site.conf"), site.replace("proxy_buffering off;", "proxy_buffering maybe;"));
      const broken = await execa(
        "nginx",
        ["-t", "-p", `${root}/`, "-e", `${root}/error.log`, "-c", `${root}/nginx.conf`],
        {
          reject: false,
        },
      );
      assert.notEqual(
        broken.exitCode,
        0,
        "nginx -t must catch a broken site, or the check above proves nothing",
      );
    },
  );

  it(
    "passes systemd-analyze verify for the serve unit and the cleanup/backup services and timers",
    {
      skip: noSystemdAnalyze,
    },
    async () => {
      const units = join(dir.path, "units");
      mkdirSync(units);
      const names = templateCatalog.filter((entry) => entry.name.startsWith("systemd-"));
      for (const entry of names) writeFileSync(join(units, entry.file), render(entry.name, { user: "root" }));
      const result = await execa("systemd-analyze", ["verify", ...names.map((entry) => entry.file)], {
        cwd: units,
        reject: false,
      });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.stderr.trim(), "", "verify printed warnings");
      const backupTimer = readFileSync(join(units, "ahb-backup.timer"), "utf8");
      assert.match(backupTimer, /^OnCalendar=\*-\*-\* 02:00:00$/m);
      assert.match(readFileSync(join(units, "ahb-cleanup.timer"), "utf8"), /^OnCalendar=hourly$/m);
    },
  );

  it("has crontab lines of five valid fields and a command: hourly cleanup, daily 02:00 backup, doctor --notify every 5 min", () => {
    const field = /^(\*|\d+(-\d+)?(,\d+(-\d+)?)*)(\/\d+)?$/;
    const jobs = render("crontab")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"))
      .map((line) => {
        const parts = line.trim().split(/\s+/);
        assert.ok(parts.length > 5, line);
        for (const part of parts.slice(0, 5)) assert.match(part, field, line);
        return { schedule: parts.slice(0, 5).join(" "), command: parts.slice(5).join(" ") };
      });
    assert.deepEqual(
      jobs.map((job) => job.schedule),
      ["0 * * * *", "0 2 * * *", "*/5 * * * *"],
    );
    assert.match(jobs[0]?.command ?? "", /^cd \/srv\/ahb && .*ahb\.js cleanup --quiet$/);
    assert.match(jobs[1]?.command ?? "", /^cd \/srv\/ahb && .*ahb\.js backup --quiet$/);
    assert.match(jobs[2]?.command ?? "", /^cd \/srv\/ahb && .*ahb\.js doctor --notify >\/dev\/null$/);
  });

  it("has a CI workflow that parses as YAML, tests first and then deploys over SSH", () => {
    const workflow = parseYaml(render("github-deploy")) as {
      on: Record<string, unknown>;
      jobs: Record<
        string,
        { needs?: string; steps: { run?: string; uses?: string; env?: Record<string, string> }[] }
      >;
    };
    assert.ok("push" in workflow.on);
    assert.deepEqual(Object.keys(workflow.jobs), ["test", "deploy"]);
    assert.ok(workflow.jobs.test?.steps.some((step) => step.run?.includes(".ci/run")));
    assert.equal(workflow.jobs.deploy?.needs, "test");
    const deploy = workflow.jobs.deploy?.steps.find((step) => step.run?.includes("ssh "));
    assert.match(deploy?.run ?? "", /cd \/srv\/ahb;.*npx ahb deploy/);
    assert.equal(deploy?.env?.DEPLOY_SSH_KEY, "${{ secrets.DEPLOY_SSH_KEY }}");
  });
});

describe("ahb templates (CLI)", () => {
  it("lists every template as JSON with its placeholders", async () => {
    const result = await runAhb(["templates", "list", "--json"]);
    assert.equal(result.exitCode, 0);
    const listing = JSON.parse(String(result.stdout)) as { name: string; placeholders: string[] }[];
    assert.deepEqual(
      listing.map((entry) => entry.name),
      templateCatalog.map((entry) => entry.name),
    );
    assert.deepEqual(listing.find((entry) => entry.name === "nginx-site")?.placeholders.sort(), [
      "DOMAIN",
      "TLS_CERT",
      "TLS_KEY",
      "UPSTREAM",
    ]);
  });

  it("renders to stdout and names what is missing or invalid", async () => {
    const ok = await runAhb(["templates", "render", "nginx-site", "--domain", DOMAIN]);
    assert.equal(ok.exitCode, 0);
    assert.match(
      String(ok.stdout),
      /ssl_certificate \/etc\/letsencrypt\/live\/html\.example\.com\/fullchain\.pem;/,
    );
    const missing = await runAhb(["templates", "render", "nginx-site"]);
    assert.equal(missing.exitCode, 2);
    assert.match(String(missing.stderr), /needs: \{\{DOMAIN\}\} \(--domain\)/);
    assert.equal(String(missing.stdout), "");
    const bad = await runAhb([
      "templates",
      "render",
      "nginx-site",
      "--domain",
      "evil.example.com; include /etc/passwd",
    ]);
    assert.equal(bad.exitCode, 2);
    assert.match(String(bad.stderr), /--domain: a host name/);
    const unknown = await runAhb(["templates", "render", "apache"]);
    assert.equal(unknown.exitCode, 5);
    assert.match(String(unknown.stderr), /unknown template "apache"/);
  });

  it("writes --out atomically and refuses to overwrite without --force", async () => {
    const out = join(dir.path, "ahb-backup.timer");
    const args = ["templates", "render", "systemd-backup-timer", "--out", out];
    assert.equal((await runAhb(args, { env: cleanEnv() })).exitCode, 0);
    const first = readFileSync(out, "utf8");
    assert.match(first, /OnCalendar=\*-\*-\* 02:00:00/);
    writeFileSync(out, "edited by hand\n");
    const refused = await runAhb(args);
    assert.equal(refused.exitCode, 2);
    assert.match(String(refused.stderr), /exists; pass --force/);
    assert.equal(readFileSync(out, "utf8"), "edited by hand\n");
    assert.equal((await runAhb([...args, "--force"])).exitCode, 0);
    assert.equal(readFileSync(out, "utf8"), first);
    assert.deepEqual(
      readdirSync(dir.path).filter((name) => name.endsWith(".tmp")),
      [],
    );
  });
});
