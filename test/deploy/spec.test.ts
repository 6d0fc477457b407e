import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildOptions,
  containerSpec,
  imageRef,
  logOptions,
  sinceToUnixSeconds,
} from "../../src/ops/docker/spec.js";
import { loadOpsConfig } from "../../src/config/ops.js";

const config = loadOpsConfig({ cwd: "/srv/ahb", env: {}, file: undefined });
const healthTest = [
  "CMD",
  "node",
  "-e",
  "fetch('http://127.0.0.1:8000/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
];

describe("docker specs", () => {
  it("builds the image with the version tag, labels and build args", () => {
    const options = buildOptions(
      { ...config, buildArgs: { NODE_IMAGE: "local/node:24" } },
      { version: "v1-20261124T000000Z", gitSha: "abc123", builtAt: "2026-11-24T00:00:00.000Z" },
    );
    assert.deepEqual(options, {
      t: "ahb:v1-20261124T000000Z",
      dockerfile: "Dockerfile",
      buildargs: { NODE_IMAGE: "local/node:24", AHB_VERSION: "v1-20261124T000000Z", AHB_APP: "ahb" },
      labels: {
        "ahb.app": "ahb",
        "ahb.version": "v1-20261124T000000Z",
        "ahb.git-sha": "abc123",
        "ahb.build-time": "2026-11-24T00:00:00.000Z",
      },
      rm: true,
      forcerm: true,
    });
    assert.equal(imageRef(config, "x"), "ahb:x");
  });

  it("creates the full container spec: env, mounts, port, restart, limits, log rotation, health, labels", () => {
    const spec = containerSpec(config, {
      name: "ahb-next",
      image: "ahb:v2",
      version: "v2",
      envValues: { ANTHROPIC_API_KEY: "k1", PORT: "9999", DATABASE_PATH: "/elsewhere.db" },
    });
    assert.deepEqual(spec, {
      name: "ahb-next",
      Image: "ahb:v2",
      Env: ["ANTHROPIC_API_KEY=k1", "PORT=8000", "DATABASE_PATH=/app/data/app.db", "EXPORT_DIR=/app/exports"],
      Labels: { "ahb.app": "ahb", "ahb.version": "v2" },
      ExposedPorts: { "8000/tcp": {} },
      Healthcheck: {
        Test: healthTest,
        Interval: 2_000_000_000,
        Timeout: 10_000_000_000,
        StartPeriod: 10_000_000_000,
        Retries: 3,
      },
      StopTimeout: 315,
      HostConfig: {
        Init: true,
        Binds: ["/srv/ahb/data:/app/data", "/srv/ahb/exports:/app/exports"],
        PortBindings: { "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }] },
        RestartPolicy: { Name: "unless-stopped" },
        Memory: 4 * 1024 ** 3,
        NanoCpus: 2_000_000_000,
        ShmSize: 512 * 1024 ** 2,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        ReadonlyRootfs: true,
        Tmpfs: { "/tmp": "rw,nosuid,nodev,size=256m" },
        LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
      },
    });
  });

  it("lets the server's drain grace (SHUTDOWN_GRACE_SECONDS) plus a margin pass before SIGKILL", () => {
    const stopTimeout = (grace: string | undefined, stopTimeoutS = 10) =>
      containerSpec(
        { ...config, stopTimeoutS },
        {
          name: "n",
          image: "i",
          version: "v",
          envValues: grace === undefined ? {} : { SHUTDOWN_GRACE_SECONDS: grace },
        },
      ).StopTimeout;
    assert.equal(stopTimeout(undefined), 300 + 15, "the default grace");
    assert.equal(stopTimeout("600"), 615);
    assert.equal(stopTimeout("0"), 15);
    assert.equal(stopTimeout("0", 60), 60, "AHB_STOP_TIMEOUT stays a floor");
    assert.equal(
      stopTimeout("not a number"),
      315,
      "an invalid grace (refused at boot) falls back to the default",
    );
  });

  it("joins the proxy's network and publishes nothing when asked", () => {
    const spec = containerSpec(
      { ...config, publish: false, network: "npm_default", memory: "512m", cpus: 1.5 },
      { name: "ahb-next", image: "ahb:v2", version: "v2", envValues: {} },
    );
    assert.deepEqual(spec.HostConfig?.PortBindings, {});
    assert.equal(spec.HostConfig?.NetworkMode, "npm_default");
    assert.equal(spec.HostConfig?.Memory, 512 * 1024 ** 2);
    assert.equal(spec.HostConfig?.NanoCpus, 1_500_000_000);
    assert.deepEqual(spec.NetworkingConfig, { EndpointsConfig: { npm_default: { Aliases: ["ahb"] } } });
  });

  it("turns --since and --tail into log options", () => {
    const now = new Date("2026-11-24T12:00:00Z");
    const nowS = now.getTime() / 1000;
    assert.equal(sinceToUnixSeconds("1h", now), nowS - 3600);
    assert.equal(sinceToUnixSeconds("90s", now), nowS - 90);
    assert.equal(sinceToUnixSeconds("2d", now), nowS - 172800);
    assert.equal(sinceToUnixSeconds("2026-11-24T11:00:00Z", now), nowS - 3600);
    assert.equal(sinceToUnixSeconds("yesterday-ish", now), undefined);
    assert.deepEqual(logOptions({ follow: true, tail: 20, sinceUnix: 5 }), {
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      tail: 20,
      since: 5,
    });
    assert.deepEqual(logOptions({ follow: false }), {
      follow: false,
      stdout: true,
      stderr: true,
      timestamps: true,
    });
  });
});
