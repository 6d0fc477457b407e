import { Hono } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { z } from "zod";
import { getActiveDocument, getDocument } from "../../db/repo/documents.js";
import { sessionBrand } from "../../db/repo/brands.js";
import { addMessage } from "../../db/repo/messages.js";
import { pricingFromConfig } from "../../ai/pricing.js";
import { createProviderClients } from "../../ai/providers/index.js";
import { DEFAULT_RETRY_POLICY } from "../../ai/providers/retry.js";
import type { ChatEvent } from "../../ai/turn/events.js";
import { KeyedQueue } from "../../ai/turn/queue.js";
import { runTurn, type TurnDeps } from "../../ai/turn/run.js";
import { ApiError } from "../errors.js";
import { requireOwnedSession, requireUuid } from "../guards.js";
import type { AppDeps, AppEnv } from "../types.js";
import { readJson } from "../validate.js";

/** Proxies drop idle connections after about a minute; a comment line well inside that keeps the stream open. */
export const HEARTBEAT_MS = 15_000;
/**
 * A safety net against a provider that stops sending without closing: the turn (queue wait included) ends as a
 * provider timeout, which also frees the document's queue. Generous, since a regenerated long document streams for
 * many minutes.
 */
export const TURN_TIMEOUT_MS = 20 * 60_000;

const chatBody = z.strictObject({
  message: z
    .string({ message: "message must be a string" })
    .refine((text) => text.trim() !== "", { message: "message must not be empty" })
    .pipe(z.string().max(10_000, { message: "message must be at most 10000 characters" })),
  documentId: z.string({ message: "documentId must be a string" }).optional(),
  mode: z
    .enum(["auto", "create", "edit", "image", "infographic"], {
      message: "mode must be auto, create, edit, image or infographic",
    })
    .default("auto"),
});

export function chatRoutes(deps: AppDeps): Hono<AppEnv> {
  const turnDeps: TurnDeps = {
    db: deps.db,
    logger: deps.logger,
    clients: deps.providers ?? createProviderClients(deps.config),
    config: deps.config,
    pricing: pricingFromConfig(deps.config),
    retry: deps.chat?.retry ?? DEFAULT_RETRY_POLICY,
    queue: new KeyedQueue(),
    budget: deps.budget,
    observer: deps.metrics,
  };
  const heartbeatMs = deps.chat?.heartbeatMs ?? HEARTBEAT_MS;
  const turnTimeoutMs = deps.chat?.turnTimeoutMs ?? TURN_TIMEOUT_MS;
  const app = new Hono<AppEnv>();

  app.post("/:sessionId", async (c) => {
    const session = requireOwnedSession(c, deps.db);
    const body = await readJson(c, chatBody);
    const document = body.documentId
      ? getDocument(deps.db, session.id, requireUuid(body.documentId, "document"))
      : getActiveDocument(deps.db, session.id);
    if (!document) throw new ApiError(404, "not_found", "document not found");
    addMessage(deps.db, {
      sessionId: session.id,
      documentId: document.id,
      role: "user",
      content: body.message,
    });
    c.header("X-Accel-Buffering", "no");
    const request = {
      user: c.get("user"),
      sessionId: session.id,
      documentId: document.id,
      message: body.message,
      mode: body.mode,
      brand: sessionBrand(deps.db, session.id),
    };
    return streamSSE(c, async (stream) => {
      const cancel = new AbortController();
      const stop = () => cancel.abort();
      c.req.raw.signal.addEventListener("abort", stop, { once: true });
      stream.onAbort(stop);
      const events = sseWriter(stream);
      const heartbeat = setInterval(() => events.comment("heartbeat"), heartbeatMs);
      try {
        const signal = AbortSignal.any([cancel.signal, AbortSignal.timeout(turnTimeoutMs)]);
        const emit = deps.metrics ? deps.metrics.observeTurn(body.mode, events.send) : events.send;
        await runTurn(turnDeps, request, signal, emit);
        await events.flushed();
      } finally {
        clearInterval(heartbeat);
        c.req.raw.signal.removeEventListener("abort", stop);
      }
    });
  });
  return app;
}

/** Serialises writes so events keep their order and ids; writes after the client left are dropped. */
function sseWriter(stream: SSEStreamingApi) {
  let id = 0;
  let chain = Promise.resolve();
  const enqueue = (write: () => Promise<void>) => {
    chain = chain.then(() => (stream.aborted || stream.closed ? undefined : write())).catch(() => undefined);
  };
  return {
    send(event: ChatEvent) {
      id += 1;
      const data = JSON.stringify(event.data);
      const eventId = String(id);
      enqueue(() => stream.writeSSE({ event: event.event, id: eventId, data }));
    },
    comment(text: string) {
      enqueue(() => stream.write(`: ${text}\n\n`).then(() => undefined));
    },
    flushed: () => chain,
  };
}
