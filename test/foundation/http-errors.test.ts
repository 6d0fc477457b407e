import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Hono } from "hono";
import { HttpMappedError } from "../../src/errors.js";
import { ExportError } from "../../src/export/errors.js";
import { SessionLimitError } from "../../src/db/repo/sessions.js";
import { UploadError } from "../../src/upload/errors.js";
import { handleError } from "../../src/server/errors.js";
import { createJsonLogger } from "../../src/log.js";

function appThrowing(error: Error): Hono {
  const app = new Hono();
  app.onError(
    handleError(createJsonLogger({ level: "error", redact: (text) => text, write: () => undefined })),
  );
  app.get("/", () => {
    throw error;
  });
  return app;
}

describe("domain errors with an HTTP meaning", () => {
  it("are answered by the one error handler with their status, code, message and headers", async () => {
    const cases: [Error, number, string, Record<string, string>][] = [
      [new SessionLimitError(3), 409, "too_many_sessions", {}],
      [
        new ExportError(503, "export_busy", "all export slots are busy", 7),
        503,
        "export_busy",
        { "retry-after": "7" },
      ],
      [new UploadError({ status: 415, code: "unsupported_type" }, "not a PDF"), 415, "unsupported_type", {}],
    ];
    for (const [error, status, code, headers] of cases) {
      assert.ok(error instanceof HttpMappedError, error.name);
      const response = await appThrowing(error).request("/");
      assert.equal(response.status, status, error.name);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.deepEqual(body.error, { code, message: error.message });
      for (const [name, value] of Object.entries(headers)) assert.equal(response.headers.get(name), value);
    }
  });

  it("are not caught by routes: no route tests for a domain error class", () => {
    const routes = join("src", "server", "routes");
    const catching = readdirSync(routes).filter((file) =>
      /instanceof (?!ApiError\b)\w+Error\b/.test(readFileSync(join(routes, file), "utf8")),
    );
    assert.deepEqual(catching, [], "throw an HttpMappedError from the domain instead");
  });
});
