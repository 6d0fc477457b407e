import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openDatabase } from "../../src/db/open.js";
import { USAGE_FIELDS } from "../../src/db/usage-fields.js";
import { renderCostCsv } from "../../src/cli/render/costs.js";
import { costReport, periodFromDays } from "../../src/costs/report.js";
import { insertLedgerEntry } from "../../src/db/repo/ledger.js";
import { tempDir } from "../helpers/env.js";

describe("the usage fields table", () => {
  it("names a column of cost_ledger and cost_daily for every field, and drives the ledger, report and CSV", () => {
    const dir = tempDir();
    const db = openDatabase(join(dir.path, "app.db"));
    try {
      for (const table of ["cost_ledger", "cost_daily"]) {
        const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map(
          (c) => c.name,
        );
        for (const field of USAGE_FIELDS)
          assert.ok(columns.includes(field.column), `${table}.${field.column}`);
      }
      const usage = Object.fromEntries(USAGE_FIELDS.map((field, index) => [field.key, (index + 1) * 11]));
      insertLedgerEntry(db, {
        user: "alice",
        sessionId: null,
        provider: "anthropic",
        model: "claude-sonnet-4-6",
        requestId: null,
        costNanoUsd: 1_234_500,
        priceVersion: "test",
        status: "ok",
        ...(usage as Record<(typeof USAGE_FIELDS)[number]["key"], number>),
      });
      const report = costReport(db, { period: periodFromDays(1) });
      for (const field of USAGE_FIELDS) assert.equal(report.totals[field.key], usage[field.key], field.key);
      const [head = ""] = renderCostCsv(report, "model").split("\n");
      for (const field of USAGE_FIELDS)
        assert.ok(head.split(",").includes(field.key), `CSV column ${field.key}`);
    } finally {
      db.close();
      dir.remove();
    }
  });
});
