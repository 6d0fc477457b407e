import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import type { Db } from "../../src/db/open.js";
import { costReport, periodFromDays, type CostReport } from "../../src/costs/report.js";
import { createTestApp, fromPeer, type TestApp } from "../helpers/app.js";
import { runAhb } from "../helpers/cli.js";
import { seedLedger } from "./seed.js";
import { bucketSums, trendLine } from "../../src/cli/render/costs.js";

const ADMIN = "root";

function ledgerApp(): TestApp {
  const testApp = createTestApp({ ADMIN_USERS: ADMIN });
  seedLedger(testApp.deps.db, { rows: 3000, users: ["alice", "bob", ADMIN], days: 45 });
  return testApp;
}

async function api(testApp: TestApp, path: string, user: string) {
  const response = await testApp.app.request(
    path,
    { headers: { "x-forwarded-user": user } },
    fromPeer("127.0.0.1"),
  );
  return {
    status: response.status,
    body: (await response.json()) as CostReport & { error?: { code: string } },
  };
}

function cli(testApp: TestApp, args: string[]) {
  return runAhb(["costs", "--db", testApp.deps.dbPath, "--env-file", join(testApp.dir, "none.env"), ...args]);
}

function ledgerSum(db: Db, since: string, until: string, user?: string): { requests: number; cost: number } {
  const filter = user === undefined ? "" : " AND user = @user";
  return db
    .prepare(
      `SELECT count(*) AS requests, coalesce(sum(cost_nano_usd), 0) AS cost FROM cost_ledger
        WHERE created_at >= @since AND created_at < @until${filter}`,
    )
    .get({ since, until, user }) as { requests: number; cost: number };
}

describe("costs", () => {
  it("ahb costs --json equals the API for an admin (all users) and for one user (own costs)", async () => {
    const testApp = ledgerApp();
    try {
      const all = await api(testApp, "/api/costs/all?days=30", ADMIN);
      assert.equal(all.status, 200);
      const fromCli = await cli(testApp, ["--days", "30", "--json"]);
      assert.equal(fromCli.exitCode, 0, String(fromCli.stderr));
      assert.deepEqual(JSON.parse(String(fromCli.stdout)), all.body);
      assert.equal(all.body.byUser?.length, 3);

      const own = await api(testApp, "/api/costs?days=30", "alice");
      const aliceCli = await cli(testApp, ["--days", "30", "--user", "alice", "--json"]);
      assert.deepEqual(JSON.parse(String(aliceCli.stdout)), own.body);
      assert.equal(own.body.byUser, undefined);

      const expected = ledgerSum(testApp.deps.db, all.body.period.since, all.body.period.until);
      assert.equal(all.body.totals.requests, expected.requests, "the rollup matches a scan of the ledger");
      assert.equal(all.body.totals.costNanoUsd, expected.cost);
      assert.equal(
        own.body.totals.costNanoUsd,
        ledgerSum(testApp.deps.db, own.body.period.since, own.body.period.until, "alice").cost,
      );
      assert.equal(all.body.byDay.length, 30);
      assert.equal(
        all.body.byDay.reduce((sum, day) => sum + day.costNanoUsd, 0),
        all.body.totals.costNanoUsd,
      );
    } finally {
      testApp.close();
    }
  });

  it("writes CSV whose TOTAL row equals the JSON totals, and exits 4 over --budget", async () => {
    const testApp = ledgerApp();
    try {
      const json = JSON.parse(String((await cli(testApp, ["--days", "30", "--json"])).stdout)) as CostReport;
      for (const by of ["model", "day", "user"]) {
        const csv = await cli(testApp, ["--days", "30", "--csv", "--by", by]);
        const rows = parse(String(csv.stdout), { columns: true }) as Record<string, string>[];
        const total = rows.find((row) => row[by] === "TOTAL");
        assert.ok(total, `${by}: TOTAL row`);
        assert.equal(Number(total.costNanoUsd), json.totals.costNanoUsd);
        assert.equal(Number(total.requests), json.totals.requests);
        const groups = rows.filter((row) => row !== total);
        assert.equal(
          groups.reduce((sum, row) => sum + Number(row.costNanoUsd), 0),
          json.totals.costNanoUsd,
        );
      }
      const spendUsd = json.totals.costNanoUsd / 1e9;
      const over = await cli(testApp, ["--days", "30", "--budget", (spendUsd - 0.01).toFixed(2)]);
      assert.equal(over.exitCode, 4);
      assert.match(String(over.stderr), /exceeds the budget/);
      assert.match(String(over.stdout), /trend {2}[▁▂▃▄▅▆▇█]{30} /);
      const under = await cli(testApp, ["--days", "30", "--budget", (spendUsd + 0.01).toFixed(2)]);
      assert.equal(under.exitCode, 0);
    } finally {
      testApp.close();
    }
  });

  it("refuses /api/costs/all to non-admins and validates days", async () => {
    const testApp = ledgerApp();
    try {
      const forbidden = await api(testApp, "/api/costs/all?days=30", "alice");
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.error?.code, "forbidden");
      for (const days of ["0", "366", "abc", "1.5"]) {
        const bad = await api(testApp, `/api/costs?days=${days}`, "alice");
        assert.equal(bad.status, 400, days);
        assert.equal(bad.body.error?.code, "invalid_request");
      }
      const defaulted = await api(testApp, "/api/costs", "alice");
      assert.equal(defaulted.body.period.days, 30);
      const usage = await cli(testApp, ["--days", "7", "--since", "2026-01-01"]);
      assert.equal(usage.exitCode, 2);
      assert.match(String(usage.stderr), /either --days or --since/);
    } finally {
      testApp.close();
    }
  });

  it("keeps the daily rollup exact when ledger rows are updated or deleted", () => {
    const testApp = ledgerApp();
    try {
      const { db } = testApp.deps;
      db.prepare(
        "UPDATE cost_ledger SET cost_nano_usd = cost_nano_usd + 5, user = 'bob' WHERE id % 10 = 0",
      ).run();
      db.prepare("DELETE FROM cost_ledger WHERE id % 7 = 0").run();
      const period = periodFromDays(60);
      for (const user of [undefined, "alice", "bob"]) {
        const report = costReport(db, { period, user });
        const expected = ledgerSum(db, period.since, period.until, user);
        assert.deepEqual(
          [report.totals.requests, report.totals.costNanoUsd],
          [expected.requests, expected.cost],
        );
      }
    } finally {
      testApp.close();
    }
  });

  it("buckets the trend to the terminal's width: a year fits in 80 columns (the default off a terminal)", async () => {
    const testApp = ledgerApp();
    try {
      const result = await cli(testApp, ["--days", "365"]);
      assert.equal(result.exitCode, 0);
      const line = String(result.stdout)
        .split("\n")
        .find((text) => text.startsWith("trend"));
      assert.ok(line !== undefined && line.length <= 80, line);
      assert.match(line, /^trend {2}[▁▂▃▄▅▆▇█]{30,40} {2}\(cost per \d+ days, peak \$/);
    } finally {
      testApp.close();
    }
  });

  it("keeps every day's cost in some bucket and uses the width it is given", () => {
    const days = Array.from({ length: 365 }, (_, index) => (index % 7) * 1_000_000_000);
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    for (const size of [1, 2, 7, 10, 365]) assert.equal(sum(bucketSums(days, size)), sum(days));
    assert.equal(bucketSums(days, 10).length, 37);
    for (const columns of [40, 80, 120, 200]) {
      const line = trendLine(days, columns);
      assert.ok(line.length <= Math.max(columns, 70), `${columns}: ${line}`);
    }
    assert.ok(trendLine(days, 200).length > trendLine(days, 80).length);
    assert.match(trendLine(days.slice(0, 30), 80), /\(daily cost, peak \$6\.00\)$/);
  });

  it("the daily series comes from the server complete: every day of the period, zeros included", () => {
    const testApp = ledgerApp();
    try {
      const period = periodFromDays(90, new Date());
      const report = costReport(testApp.deps.db, { period, user: undefined, byUser: false });
      assert.equal(report.byDay.length, 90);
      const start = Date.parse(period.since);
      report.byDay.forEach((point, index) =>
        assert.equal(point.day, new Date(start + index * 86_400_000).toISOString().slice(0, 10)),
      );
      assert.ok(report.byDay.some((point) => point.costNanoUsd === 0 && point.requests === 0));
    } finally {
      testApp.close();
    }
  });
});
