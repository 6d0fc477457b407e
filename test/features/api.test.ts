import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { runCli } from "../helpers/cli.js";
import { asUser, errorCode, json } from "../sessions/client.js";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGPgtp34aSUDA4QCACD4BOlU4+lCAAAAAElFTkSuQmCC";

interface BrandBody {
  brand: { id: string; name: string; colors: string[]; logoUrl: string | null };
}

describe("brand profiles API", () => {
  let t: TestApp;
  before(() => {
    t = createTestApp({ ADMIN_USERS: "ada" });
  });
  after(() => t.close());

  it("lets admins create, change and delete profiles, and nobody else (403)", async () => {
    const ada = asUser(t, "ada");
    const bob = asUser(t, "bob");
    assert.equal(await errorCode(await bob("POST", "/api/brands", { name: "Bob's" })), "forbidden");
    assert.equal((await bob("POST", "/api/brands", { name: "Bob's" })).status, 403);

    const created = await ada("POST", "/api/brands", {
      name: "Acme",
      colors: ["#0b3d91"],
      fonts: ["Georgia"],
      voice: "Plain.",
      logo: { mimeType: "image/png", data: PNG },
    });
    assert.equal(created.status, 201);
    const { brand } = await json<BrandBody>(created);
    assert.equal(brand.logoUrl, `/api/brands/${brand.id}/logo`);

    assert.equal((await bob("PATCH", `/api/brands/${brand.id}`, { name: "Hacked" })).status, 403);
    assert.equal((await bob("DELETE", `/api/brands/${brand.id}`)).status, 403);
    const logo = await bob("GET", brand.logoUrl ?? "");
    assert.equal(logo.headers.get("content-type"), "image/png");
    assert.equal(Buffer.from(await logo.arrayBuffer()).toString("base64"), PNG);

    assert.equal((await ada("POST", "/api/brands", { name: "ACME" })).status, 409, "names are unique");
    assert.equal(
      await errorCode(await ada("POST", "/api/brands", { name: "X", colors: ["red"] })),
      "invalid_request",
    );
    assert.equal(
      (await ada("POST", "/api/brands", { name: "X", logo: { mimeType: "image/svg+xml", data: PNG } }))
        .status,
      400,
      "logos are images the models accept",
    );
    const patched = await ada("PATCH", `/api/brands/${brand.id}`, {
      colors: ["#111111", "#222222"],
      logo: null,
    });
    assert.deepEqual((await json<BrandBody>(patched)).brand.colors, ["#111111", "#222222"]);
    assert.equal((await bob("GET", `/api/brands/${brand.id}/logo`)).status, 404);
    assert.equal((await ada("DELETE", `/api/brands/${brand.id}`)).status, 204);
    assert.equal((await ada("DELETE", `/api/brands/${brand.id}`)).status, 404);
  });

  it("sets a session's profile for its owner only; deleting the profile clears the choice", async () => {
    const ada = asUser(t, "ada");
    const bob = asUser(t, "bob");
    const { brand } = await json<BrandBody>(await ada("POST", "/api/brands", { name: "Globex" }));
    const { session } = await json<{ session: { id: string } }>(await bob("POST", "/api/sessions", {}));
    const path = `/api/sessions/${session.id}/brand`;
    assert.equal((await ada("PUT", path, { brandId: brand.id })).status, 404, "someone else's session");
    const set = await bob("PUT", path, { brandId: brand.id });
    assert.equal((await json<{ brand: { name: string } }>(set)).brand.name, "Globex");
    assert.equal((await bob("PUT", path, { brandId: "00000000-0000-4000-8000-000000000000" })).status, 404);
    await ada("DELETE", `/api/brands/${brand.id}`);
    assert.deepEqual(await json(await bob("GET", path)), { brand: null });
  });
});

describe("starter templates API and ahb starters", () => {
  let t: TestApp;
  let folder: string;
  before(() => {
    t = createTestApp({ ADMIN_USERS: "ada" });
    folder = join(t.dir, "starters");
    mkdirSync(folder);
    writeFileSync(
      join(folder, "minutes.json"),
      JSON.stringify({ name: "Minutes", description: "d", prompt: "{{a}}" }),
    );
    writeFileSync(join(folder, "broken.json"), "{");
  });
  after(() => t.close());

  it("lists built-in and operator starters; problems only for admins", async () => {
    const listing = await json<{ templates: { id: string }[]; problems?: unknown[] }>(
      await asUser(t, "bob")("GET", "/api/templates"),
    );
    assert.ok(listing.templates.some((starter) => starter.id === "minutes"));
    assert.ok(listing.templates.length >= 9);
    assert.equal(listing.problems, undefined);
    const admin = await json<{ problems: { file: string }[] }>(
      await asUser(t, "ada")("GET", "/api/templates"),
    );
    assert.deepEqual(
      admin.problems.map((problem) => problem.file),
      ["broken.json"],
    );
    assert.ok(
      t.logLines.some((line) => line.includes("starter template skipped") && line.includes("broken.json")),
    );
  });

  it("ahb starters list / check read the folder and exit 78 naming a bad file", async () => {
    const list = await runCli(["starters", "list", "--dir", folder, "--json"]);
    assert.equal(list.exitCode, 0, String(list.stderr));
    const catalog = JSON.parse(String(list.stdout)) as { starters: { id: string; source: string }[] };
    assert.deepEqual(
      catalog.starters.filter((starter) => starter.source === "operator").map((starter) => starter.id),
      ["minutes"],
    );
    const check = await runCli(["starters", "check", "--dir", folder]);
    assert.equal(check.exitCode, 78);
    assert.match(String(check.stderr), /broken\.json: not valid JSON/);
    writeFileSync(
      join(folder, "broken.json"),
      JSON.stringify({ name: "Fixed", description: "d", prompt: "p" }),
    );
    const fixed = await runCli(["starters", "check", "--dir", folder]);
    assert.equal(fixed.exitCode, 0, String(fixed.stderr));
    assert.match(String(fixed.stderr), /2 operator starter file\(s\) valid/);
  });
});
