import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { asUser, errorCode, json } from "../sessions/client.js";

const HOSTILE_TITLES = {
  NUL: "a\u0000b",
  "CR/LF": "first\r\nsecond",
  tab: "a\tb",
  "right-to-left override": "invoice\u202Efdp.exe",
  "first-strong isolate": "a\u2068b",
  "line separator": "a\u2028b",
  "lone high surrogate": "a\uD800b",
  "lone low surrogate": "a\uDC00b",
};

describe("titles refuse control characters, bidi controls and lone surrogates", () => {
  let t: TestApp;
  before(() => {
    t = createTestApp({ MAX_SESSIONS_PER_USER: "50" });
  });
  after(() => t.close());

  it("answers 400 invalid_request for sessions and documents alike, on create and rename", async () => {
    const alice = asUser(t, "alice");
    const created = await json<{ session: { id: string }; activeDocumentId: string }>(
      await alice("POST", "/api/sessions", { title: "Fine" }),
    );
    const session = `/api/sessions/${created.session.id}`;
    const document = `${session}/documents/${created.activeDocumentId}`;
    for (const [label, title] of Object.entries(HOSTILE_TITLES)) {
      // JSON.stringify writes lone surrogates as \\u escapes, so they reach the server as JSON would carry them.
      for (const [method, path] of [
        ["POST", "/api/sessions"],
        ["PATCH", session],
        ["POST", `${session}/documents`],
        ["PATCH", document],
      ] as const) {
        const response = await alice(method, path, { title });
        assert.deepEqual(
          [response.status, await errorCode(response)],
          [400, "invalid_request"],
          `${label}: ${method} ${path}`,
        );
      }
    }
  });

  it("keeps accepting Unicode titles, emoji sequences with zero-width joiners included", async () => {
    const alice = asUser(t, "alice");
    for (const title of ["Résumé 日本", "family 👨‍👩‍👧", "עברית and English"]) {
      const response = await alice("POST", "/api/sessions", { title });
      assert.equal(response.status, 201, title);
      assert.equal((await json<{ session: { title: string } }>(response)).session.title, title);
    }
  });
});
