import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { broadProxyWarnings } from "../../src/config/check.js";
import { renderEnvFile } from "../../src/config/env-example.js";

describe("trusted proxies stay narrow", () => {
  it("warns on every range wider than /24 (IPv4) or /64 (IPv6), and on nothing narrower", () => {
    const warnings = broadProxyWarnings([
      "172.16.0.0/12",
      "10.0.0.0/8",
      "fd00::/8",
      "172.18.0.0/24",
      "172.18.0.2/32",
      "172.18.0.2",
      "2001:db8::/64",
    ]);
    assert.equal(warnings.length, 3, warnings.join("\n"));
    assert.match(warnings[0] ?? "", /172\.16\.0\.0\/12 is wider than \/24/);
    assert.match(warnings[2] ?? "", /fd00::\/8 is wider than \/64/);
  });

  it("the env example (what ahb init starts from) trusts no broad private range", () => {
    const line = renderEnvFile()
      .split("\n")
      .find((entry) => entry.startsWith("TRUSTED_PROXIES="));
    const cidrs = (line ?? "").slice("TRUSTED_PROXIES=".length).split(",");
    assert.deepEqual(broadProxyWarnings(cidrs), []);
  });
});
