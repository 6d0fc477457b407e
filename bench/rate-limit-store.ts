// Rate-limit store: memory and time per hit under a flood of distinct clients inside one window,
// BoundedMemoryStore against the library's MemoryStore. Run: node --expose-gc --import tsx bench/rate-limit-store.ts
import { MemoryStore, type Store } from "hono-rate-limiter";
import { BoundedMemoryStore } from "../src/server/middleware/rate-limit.js";
import type { AppEnv } from "../src/server/types.js";

const WINDOW_MS = 60_000;
const DISTINCT_KEYS = 100_000;
const HITS = 300_000;

const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error("run with node --expose-gc");

function measure(name: string, make: () => Store<AppEnv>) {
  collect?.();
  const before = process.memoryUsage().heapUsed;
  const store = make();
  store.init?.({ windowMs: WINDOW_MS } as never);
  const started = performance.now();
  for (let hit = 0; hit < HITS; hit += 1)
    void store.increment(`ip:2001:db8::${(hit % DISTINCT_KEYS).toString(16)}`);
  const micros = ((performance.now() - started) * 1000) / HITS;
  collect?.();
  const megabytes = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  const held = store instanceof BoundedMemoryStore ? store.size : (store as MemoryStore<AppEnv>).current.size;
  void store.shutdown?.();
  return `| ${name} | ${held} | ${megabytes.toFixed(1)} | ${micros.toFixed(2)} |`;
}

console.log(
  `${HITS} hits over ${DISTINCT_KEYS} distinct client keys within one ${WINDOW_MS / 1000} s window\n`,
);
console.log("| store | counters held | heap MB | µs per hit |");
console.log("| --- | ---: | ---: | ---: |");
console.log(measure("hono-rate-limiter MemoryStore", () => new MemoryStore<AppEnv>()));
console.log(measure("BoundedMemoryStore (cap 10 000)", () => new BoundedMemoryStore()));
