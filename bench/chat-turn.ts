// Chat turn overhead: what the engine adds around the models, measured over a real socket against the provider
// fakes (which answer at once), so the times are routing, SDK, SSE, SQLite and ledger work only.
// Run: node --import tsx bench/chat-turn.ts
import { createSession } from "../src/db/repo/sessions.js";
import { startServer } from "../src/server/listen.js";
import { startProviderFakes } from "../test/fakes/index.js";
import { PAGE } from "../test/chat/helpers.js";
import { createTestApp } from "../test/helpers/app.js";
import { freePort } from "../test/helpers/net.js";

const TURNS = 30;

const fakes = await startProviderFakes();
const t = createTestApp({ ...fakes.env, RATE_LIMIT_REQUESTS: "1000" });
const server = await startServer(
  { ...t.deps, config: { ...t.deps.config, PORT: await freePort() } },
  "127.0.0.1",
);

async function timeTurn(sessionId: string, message: string): Promise<{ first: number; total: number }> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${server.port}/api/chat/${sessionId}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let first = 0;
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    first ||= performance.now() - started;
    text += new TextDecoder().decode(value);
  }
  if (!text.includes("event: done") || text.includes("event: error")) throw new Error(`turn failed: ${text}`);
  return { first, total: performance.now() - started };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function run(name: string, turn: (sessionId: string) => Promise<{ first: number; total: number }>) {
  const results = [];
  for (let index = 0; index < TURNS; index += 1) {
    const { session } = createSession(t.deps.db, { owner: "anonymous", maxPerOwner: 10_000 });
    results.push(await turn(session.id));
  }
  const warm = results.slice(3);
  const firsts = warm.map((result) => result.first);
  const totals = warm.map((result) => result.total);
  return `| ${name} | ${warm.length} | ${percentile(firsts, 50).toFixed(1)} | ${percentile(totals, 50).toFixed(1)} | ${percentile(totals, 95).toFixed(1)} |`;
}

const rows = [
  await run("create (Gemini stream, 4 deltas)", (sessionId) => {
    fakes.gemini.script({ type: "reply", text: PAGE });
    return timeTurn(sessionId, "A page for our offsite");
  }),
  await run("edit (2 Claude tool rounds)", async (sessionId) => {
    fakes.gemini.script({ type: "reply", text: PAGE });
    await timeTurn(sessionId, "A page for our offsite");
    fakes.anthropic.script(
      {
        type: "reply",
        toolCalls: [
          { name: "html_replace", input: { old_text: "Day one: planning.", new_text: "Day one: kayaking." } },
        ],
      },
      { type: "reply", text: "Done." },
    );
    return timeTurn(sessionId, "Make day one kayaking");
  }),
];
console.log(`${TURNS} turns each (the first 3 dropped as warm-up); times in ms\n`);
console.log("| turn | n | first byte p50 | total p50 | total p95 |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
await server.close();
t.close();
await fakes.close();
