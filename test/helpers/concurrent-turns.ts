/**
 * Many users' chat turns streaming at once against a real `ahb serve` process (provider fakes streaming slowly),
 * watched from outside: every turn's events, /api/health latency from another process, the server's RSS and the
 * ledger. Shared by test/chat/concurrent-turns.test.ts (short) and bench/concurrent-turns.ts (60 s).
 */
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { availableParallelism, loadavg } from "node:os";
import { parseSse } from "../chat/helpers.js";
import { startProviderFakes } from "../fakes/index.js";
import { DRAIN_PAGE } from "./drain-scenario.js";
import { tempDir } from "./env.js";
import { fetchWithDeadline } from "./net.js";
import { probeLatency, spawnServer, type ServerProcess } from "./server-process.js";

const MB = 1024 * 1024;
/** Linux clock ticks per second (USER_HZ), the unit of /proc/PID/stat's CPU times. */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) the process used so far: a figure the machine's other load barely changes. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CHUNK_DELAY_MS = 250;
/**
 * Turns start spread over this long, as 100 people's clicks would be, not within one millisecond: a burst of 100 at
 * once is one ~130 ms block of CPU on the event loop (acceptTurn ×100), measured in a CPU profile.
 */
const RAMP_MS = 2000;

export interface ConcurrentTurnsFigures {
  turns: number;
  /** Turns whose stream ended with `done`, no `error`, and the whole page. */
  completed: number;
  /** Failures seen, by kind (first few). */
  failures: string[];
  wallSeconds: number;
  /** Provider calls the fake answered, and the ledger's rows of the load's users: total and `ok`. */
  providerCalls: number;
  ledgerRows: number;
  ledgerOk: number;
  /** Sessions with exactly one `ok` row. */
  sessionsWithOneOkRow: number;
  health: { samples: number; p99Ms: number; maxMs: number; failures: number };
  idleHealthP99Ms: number;
  rssBaselineMb: number;
  rssGrowthMb: number;
  /** CPU seconds the server used from the first turn's start to the last one's end. */
  serverCpuSeconds: number;
  loopDelayMaxMs: number;
  /** Load average (1 min) at start and end, and whether the machine was over twice its cores at start. */
  load: [number, number];
  overloaded: boolean;
}

const json = (user: string, body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", "x-forwarded-user": user },
  body: JSON.stringify(body),
});

async function createSession(url: string, user: string): Promise<string> {
  const response = await fetchWithDeadline(`${url}/api/sessions`, 30_000, json(user, { title: user }));
  if (response.status !== 201)
    throw new Error(`session for ${user}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { session: { id: string } }).session.id;
}

/** One create turn read to its end; undefined when it completed, else what went wrong. */
async function runTurn(
  url: string,
  user: string,
  sessionId: string,
  deadlineMs: number,
): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/api/chat/${sessionId}`, {
      ...json(user, { message: "A page, slowly", mode: "create" }),
      signal: AbortSignal.timeout(deadlineMs),
    });
    if (response.status !== 200) return `status ${response.status}: ${await response.text()}`;
    const { events } = parseSse(await response.text());
    const error = events.find((event) => event.event === "error");
    if (error) return `error event ${JSON.stringify(error.data)}`;
    if (events.at(-1)?.event !== "done") return `no done event (last: ${events.at(-1)?.event})`;
    if (events.find((event) => event.event === "html")?.data.html !== DRAIN_PAGE) return "page incomplete";
    return undefined;
  } catch (error) {
    return `request failed: ${String(error)}`;
  }
}

function ledgerOf(dbPath: string, prefix: string): { session_id: string; status: string }[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare("SELECT session_id, status FROM cost_ledger WHERE user LIKE ? ORDER BY id")
      .all(`${prefix}%`) as { session_id: string; status: string }[];
  } finally {
    db.close();
  }
}

async function warmUp(server: ServerProcess, script: (chunks: number) => void): Promise<void> {
  const sessionId = await createSession(server.url, "warm-up");
  script(2);
  const failure = await runTurn(server.url, "warm-up", sessionId, 30_000);
  if (failure) throw new Error(`warm-up turn: ${failure}; server stderr: ${server.stderr()}`);
}

/** `turns` users each stream one create turn at once, the provider taking about `seconds` to answer each. */
export async function runConcurrentTurns(options: {
  turns: number;
  seconds: number;
}): Promise<ConcurrentTurnsFigures> {
  const loadAtStart = loadavg()[0] ?? 0;
  const fakes = await startProviderFakes();
  const dir = tempDir("ahb-concurrent-");
  const dbPath = `${dir.path}/app.db`;
  // One user per turn (X-Forwarded-User from loopback, a trusted proxy by default): each within the default rate
  // limit (30 a minute) and session limit (3), as 100 people at once would be.
  const server = await spawnServer({
    ...fakes.env,
    DATABASE_PATH: dbPath,
    EXPORT_DIR: `${dir.path}/exports`,
    TITLE_MODEL: "off",
  });
  const script = (chunks: number) =>
    fakes.gemini.script({
      type: "reply",
      text: `\`\`\`html\n${DRAIN_PAGE}\n\`\`\``,
      chunks,
      chunkDelayMs: CHUNK_DELAY_MS,
    });
  try {
    await warmUp(server, script);
    const users = Array.from(
      { length: options.turns },
      (_, index) => `load-${String(index).padStart(3, "0")}`,
    );
    const sessions = await Promise.all(users.map((user) => createSession(server.url, user)));
    const idleProbe = await probeLatency(`${server.url}/api/health`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = await idleProbe.stop();

    fakes.gemini.reset();
    const chunks = Math.max(2, Math.round((options.seconds * 1000) / CHUNK_DELAY_MS));
    for (let turn = 0; turn < options.turns; turn += 1) script(chunks);
    const baseline = server.rss();
    server.resetPeak();
    const probe = await probeLatency(`${server.url}/api/health`);
    const started = Date.now();
    const cpuAtStart = cpuSeconds(server.pid);
    const deadlineMs = options.seconds * 1000 + 60_000;
    const outcomes = await Promise.all(
      users.map(async (user, index) => {
        await new Promise((resolve) => setTimeout(resolve, (index * RAMP_MS) / users.length));
        return runTurn(server.url, user, sessions[index] as string, deadlineMs);
      }),
    );
    const wallSeconds = (Date.now() - started) / 1000;
    const serverCpu = cpuSeconds(server.pid) - cpuAtStart;
    const health = await probe.stop();
    const growth = server.peakRss() - baseline;
    const loop = await server.loopDelay();

    const rows = ledgerOf(dbPath, "load-");
    const okBySession = new Map<string, number>();
    for (const row of rows) {
      if (row.status === "ok") okBySession.set(row.session_id, (okBySession.get(row.session_id) ?? 0) + 1);
    }
    const failures = outcomes.filter((outcome): outcome is string => outcome !== undefined);
    return {
      turns: options.turns,
      completed: outcomes.length - failures.length,
      failures: [...new Set(failures)].slice(0, 5),
      wallSeconds,
      providerCalls: fakes.gemini.requests.length,
      ledgerRows: rows.length,
      ledgerOk: rows.filter((row) => row.status === "ok").length,
      sessionsWithOneOkRow: sessions.filter((id) => okBySession.get(id) === 1).length,
      health,
      idleHealthP99Ms: idle.p99Ms,
      rssBaselineMb: baseline / MB,
      rssGrowthMb: growth / MB,
      serverCpuSeconds: serverCpu,
      loopDelayMaxMs: loop.maxMs,
      load: [loadAtStart, loadavg()[0] ?? 0],
      overloaded: loadAtStart > 2 * availableParallelism(),
    };
  } finally {
    await server.stop();
    await fakes.close();
    dir.remove();
  }
}

/**
 * Issue 12's health target: p99 under 100 ms; on a machine loaded over twice its cores (a shared development box),
 * at most 100 ms over the idle p99 of the same run, as test/files/upload-load.test.ts does.
 */
export function allowedHealthP99Ms(
  figures: Pick<ConcurrentTurnsFigures, "overloaded" | "idleHealthP99Ms">,
): number {
  return figures.overloaded ? figures.idleHealthP99Ms + 100 : 100;
}
