import { routePath } from "hono/route";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { PlannedCall } from "../ai/budget/estimate.js";
import type { CallObserver } from "../ai/ledger.js";
import { ProviderError } from "../ai/providers/errors.js";
import type { ChatEvent, EmitEvent } from "../ai/turn/events.js";
import type { CallStatus } from "../db/repo/ledger.js";
import type { Exporter } from "../export/exporter.js";
import type { RequestObserver } from "./middleware/observe.js";
import { remembered } from "../shared/remembered.js";

/** Route patterns x methods x statuses: a bounded set (Node's parser knows a few dozen methods). */
const MAX_LABEL_SETS = 4096;

/** The server's Prometheus metrics, on a registry of its own (one per app, so tests can build many). */
export interface Metrics extends CallObserver {
  registry: Registry;
  /** Counts and times every request under its route pattern (never the raw path: ids would explode the labels). */
  observeRequest: RequestObserver;
  /** Passes a turn's events through, counting the turn by mode and outcome when it is done. */
  observeTurn(mode: string, emit: EmitEvent): EmitEvent;
}

export function createMetrics(exporter?: Pick<Exporter, "stats">): Metrics {
  const registry = new Registry();
  // Process metrics: RSS (process_resident_memory_bytes), event-loop delay (nodejs_eventloop_lag_*), heap, GC.
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "ahb_http_requests_total",
    help: "HTTP requests by route pattern, method and status",
    labelNames: ["route", "method", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "ahb_http_request_duration_seconds",
    help: "HTTP request latency until the response headers (SSE chat streams: until the stream opens)",
    labelNames: ["route", "method"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const turns = new Counter({
    name: "ahb_turns_total",
    help: "Chat turns by requested mode and outcome (ok, or the error code such as budget_exceeded)",
    labelNames: ["mode", "outcome"],
    registers: [registry],
  });
  const calls = new Counter({
    name: "ahb_provider_calls_total",
    help: "Provider calls by provider, model and status (ok, error, cancelled, refused by a spend cap)",
    labelNames: ["provider", "model", "status"],
    registers: [registry],
  });
  const errors = new Counter({
    name: "ahb_provider_errors_total",
    help: "Failed provider calls by provider, model and HTTP status (none: no HTTP answer, e.g. a broken stream)",
    labelNames: ["provider", "model", "status"],
    registers: [registry],
  });
  const spend = new Counter({
    name: "ahb_spend_nano_usd_total",
    help: "Spend recorded in the cost ledger, nano-USD, by model",
    labelNames: ["model"],
    registers: [registry],
  });
  new Gauge({
    name: "ahb_export_queue_depth",
    help: "Exports waiting for a free Chromium page",
    registers: [registry],
    collect() {
      this.set(exporter?.stats().queued ?? 0);
    },
  });

  // Label objects made once per route pattern, method and status instead of per request: with prom-client's timer
  // closures they were most of a request's garbage.
  const routeLabels = remembered((route: string, method: string) => ({ route, method }), MAX_LABEL_SETS);
  const statusLabels = remembered(
    (route: string, method: string, status: number) => ({ route, method, status: String(status) }),
    MAX_LABEL_SETS,
  );
  return {
    registry,
    observeRequest(c, elapsedMs) {
      // Once the chain has run, the route index points at the handler that answered.
      const route = routePath(c);
      const method = c.req.method;
      latency.observe(routeLabels(route, method), elapsedMs / 1000);
      requests.inc(statusLabels(route, method, c.res.status));
    },
    observeTurn(mode, emit) {
      let outcome = "ok";
      return (event: ChatEvent) => {
        if (event.event === "error") outcome = event.data.code;
        if (event.event === "done") turns.inc({ mode, outcome });
        emit(event);
      };
    },
    callEnded(call: PlannedCall, status: CallStatus | "refused", error?: unknown) {
      calls.inc({ provider: call.provider, model: call.model, status });
      if (status === "error") {
        const http = error instanceof ProviderError ? error.options.status : undefined;
        errors.inc({ provider: call.provider, model: call.model, status: http ? String(http) : "none" });
      }
    },
    billed(model, costNanoUsd) {
      spend.inc({ model }, costNanoUsd);
    },
  };
}
