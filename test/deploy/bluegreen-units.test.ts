import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { colourPorts, loadOpsConfig } from "../../src/config/ops.js";
import { incompatibleWithPrevious, migrations, type Migration } from "../../src/db/migrations.js";
import { idlePort } from "../../src/ops/deploy/bluegreen.js";
import { upstreamPort, upstreamText } from "../../src/ops/deploy/proxy.js";
import { tempDir } from "../helpers/env.js";

describe("blue/green: pure parts", () => {
  it("the idle colour is the port the serving container does not publish; blue when nothing serves", () => {
    const ports: [number, number] = [8080, 8081];
    assert.equal(idlePort(ports, { published: { hostIp: "127.0.0.1", hostPort: 8080 } }, undefined), 8081);
    assert.equal(idlePort(ports, { published: { hostIp: "127.0.0.1", hostPort: 8081 } }, 8080), 8080);
    assert.equal(idlePort(ports, undefined, 8080), 8081, "the proxy's port counts when no container runs");
    assert.equal(idlePort(ports, undefined, undefined), 8080);
  });

  it("the upstream include is the template's form, and its port reads back", () => {
    for (const kind of ["nginx", "npm"] as const) {
      const text = upstreamText({ kind }, "127.0.0.1", 8123);
      assert.match(text, /^upstream ahb \{\n {4}server 127\.0\.0\.1:8123;\n {4}keepalive 16;\n\}$/m);
      assert.equal(upstreamPort(text), 8123);
    }
    assert.equal(upstreamPort("# server 127.0.0.1:1;\nupstream ahb { server 127.0.0.1:9000; }"), 9000);
    assert.equal(upstreamPort("upstream ahb { }"), undefined);
  });

  it("migrations the previous release cannot run on: flagged, or unknown to this ahb", () => {
    const known: Migration[] = [
      { version: 1, name: "a", sql: "" },
      { version: 2, name: "drop a column", sql: "", compatibleWithPrevious: false },
    ];
    assert.deepEqual(incompatibleWithPrevious([1], known), []);
    assert.deepEqual(incompatibleWithPrevious([1, 2, 3], known), [2, 3]);
    assert.deepEqual(
      incompatibleWithPrevious(migrations.map((migration) => migration.version)),
      [],
      "the shipped migrations keep the previous release working",
    );
  });

  it("the ops config takes a proxy (nginx or npm), resolves its file and defaults the colour ports", () => {
    const dir = tempDir("ahb-test-bluegreen-config-");
    try {
      mkdirSync(join(dir.path, "etc"));
      const write = (proxy: unknown) =>
        writeFileSync(join(dir.path, "ahb.ops.json"), JSON.stringify({ hostPort: 9000, proxy }));
      write({ kind: "nginx", upstreamFile: "etc/up.conf" });
      const nginx = loadOpsConfig({ cwd: dir.path, env: {} });
      assert.equal(nginx.proxy?.upstreamFile, join(dir.path, "etc/up.conf"));
      assert.deepEqual(nginx.proxy?.kind === "nginx" && nginx.proxy.reloadCommand, ["nginx", "-s", "reload"]);
      assert.deepEqual(colourPorts(nginx), [9000, 9001]);
      write({ kind: "npm", upstreamFile: "/x/http_top.conf", container: "npm", ports: [7000, 7005] });
      assert.deepEqual(colourPorts(loadOpsConfig({ cwd: dir.path, env: {} })), [7000, 7005]);
      for (const bad of [
        { kind: "npm", upstreamFile: "/x" },
        { kind: "caddy", upstreamFile: "/x" },
        { kind: "nginx", upstreamFile: "/x", ports: [7000, 7000] },
      ]) {
        write(bad);
        assert.throws(() => loadOpsConfig({ cwd: dir.path, env: {} }), { exitCode: 78 });
      }
      assert.ok(readFileSync(join(dir.path, "ahb.ops.json"), "utf8").length > 0);
    } finally {
      dir.remove();
    }
  });
});
