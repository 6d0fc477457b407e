import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addAttachment } from "../../src/db/repo/attachments.js";
import { markTurnAlive } from "../../src/db/repo/sessions.js";
import { runCleanup } from "../../src/cleanup/cleanup.js";
import { thresholdsFromConfig } from "../../src/config/cleanup.js";
import { seedSessions } from "../dataops/seed.js";
import { createTestApp } from "../helpers/app.js";
import { asUser, errorCode, json } from "../sessions/client.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("retention: 30 days by default, pins, running turns", () => {
  it("keeps a session idle 2 hours, deletes one idle 31 days, never a pinned one or one with a turn running", () => {
    const t = createTestApp();
    try {
      const { db, config } = t.deps;
      const [recent] = seedSessions(db, "ana", 1, 2 * HOUR);
      const [stale] = seedSessions(db, "ana", 1, 31 * DAY);
      const [pinned] = seedSessions(db, "ben", 1, 400 * DAY);
      const [running] = seedSessions(db, "ben", 1, 31 * DAY);
      db.prepare("UPDATE sessions SET pinned = 1 WHERE id = ?").run(pinned);
      addAttachment(db, stale!, { filename: "a.txt", type: ".txt", truncated: false, text: "notes" });
      // A turn alive now, in a session whose last_active is (artificially) old: the heartbeat protects it.
      markTurnAlive(db, running!);
      db.prepare("UPDATE sessions SET last_active = ? WHERE id = ?").run(
        new Date(Date.now() - 31 * DAY).toISOString(),
        running,
      );

      const thresholds = thresholdsFromConfig(config);
      assert.equal(thresholds.sessionsOlderThanMs, 30 * DAY, "30 days by default");
      const dry = runCleanup(db, { ...thresholds, dryRun: true });
      assert.deepEqual(
        dry.expired?.map((session) => [session.id, session.owner, Math.round(session.idleMs / DAY)]),
        [[stale, "ana", 31]],
      );
      const report = runCleanup(db, thresholds);
      assert.equal(report.sessions, 1);
      const left = db.prepare("SELECT id FROM sessions ORDER BY id").pluck().all();
      assert.deepEqual(left, [recent, pinned, running].sort());
      assert.equal(Number(db.prepare("SELECT count(*) FROM attachments").pluck().get()), 0);

      // Once the turn's heartbeat is older than the alive window, the old session goes like any other.
      db.prepare("UPDATE sessions SET turn_alive_at = ? WHERE id = ?").run(
        new Date(Date.now() - 10 * 60_000).toISOString(),
        running,
      );
      assert.equal(runCleanup(db, thresholds).sessions, 1);
    } finally {
      t.close();
    }
  });

  it("shows each session's expiry, and pins within the per-user limit", async () => {
    const t = createTestApp({ MAX_PINNED_SESSIONS: "1" });
    try {
      const as = asUser(t, "cara");
      const first = await json<{ session: { id: string; expiresAt: string; lastActive: string } }>(
        await as("POST", "/api/sessions", {}),
      );
      const second = await json<{ session: { id: string } }>(await as("POST", "/api/sessions", {}));
      assert.equal(Date.parse(first.session.expiresAt) - Date.parse(first.session.lastActive), 30 * DAY);
      const pin = await as("PATCH", `/api/sessions/${first.session.id}`, { pinned: true });
      assert.equal(pin.status, 200);
      assert.deepEqual(
        ((await pin.json()) as { session: { pinned: boolean; expiresAt: string | null } }).session.pinned,
        true,
      );
      const refused = await as("PATCH", `/api/sessions/${second.session.id}`, { pinned: true });
      assert.equal(refused.status, 409);
      assert.equal(await errorCode(refused), "too_many_pinned");
      const list = await json<{ sessions: { id: string; pinned: boolean; expiresAt: string | null }[] }>(
        await as("GET", "/api/sessions"),
      );
      const byId = new Map(list.sessions.map((session) => [session.id, session]));
      assert.equal(byId.get(first.session.id)?.expiresAt, null, "a pinned session never expires");
      assert.ok(byId.get(second.session.id)?.expiresAt);
    } finally {
      t.close();
    }
  });
});
