import { Hono, type Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import * as z from "zod";
import { getActiveDocument, getDocument } from "../../db/repo/documents.js";
import { sessionBrand } from "../../db/repo/brands.js";
import { getAttachments, linkAttachments, type Attachment } from "../../db/repo/attachments.js";
import { addMessage, hasUserMessage } from "../../db/repo/messages.js";
import { markTurnAlive } from "../../db/repo/sessions.js";
import type { Db } from "../../db/open.js";
import { MAX_ATTACHMENT_CHARS_PER_TURN, MAX_ATTACHMENTS_PER_TURN } from "../../ai/turn/attachments.js";
import { pricingFromConfig } from "../../ai/pricing.js";
import { createProviderClients } from "../../ai/providers/index.js";
import { DEFAULT_RETRY_POLICY } from "../../ai/providers/retry.js";
import type { ChatEvent } from "../../ai/turn/events.js";
import { KeyedQueue } from "../../ai/turn/queue.js";
import { runTurn, type TurnDeps } from "../../ai/turn/run.js";
import { titleGenerator } from "../../ai/turn/titles.js";
import type { DrainWork } from "../drain.js";
import { ApiError } from "../errors.js";
import { requireOwnedSession, requireUuid } from "../guards.js";
import type { AppEnv, RouteDeps } from "../types.js";
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
  attachmentIds: z
    .array(z.string({ message: "attachmentIds must be strings" }), {
      message: "attachmentIds must be an array",
    })
    .max(MAX_ATTACHMENTS_PER_TURN, { message: `at most ${MAX_ATTACHMENTS_PER_TURN} attachments per message` })
    .default([]),
  retryOf: z.number({ message: "retryOf must be a message id" }).int().positive().optional(),
});

/** The session's attachments named by the request, within the per-turn cap; an unknown id is 404 like elsewhere. */
function turnAttachments(db: Db, sessionId: string, rawIds: readonly string[]): Attachment[] {
  const ids = [...new Set(rawIds.map((id) => requireUuid(id, "attachment")))];
  const attachments = getAttachments(db, sessionId, ids);
  if (attachments.length !== ids.length) throw new ApiError(404, "not_found", "attachment not found");
  const total = attachments.reduce((sum, attachment) => sum + attachment.chars, 0);
  if (total > MAX_ATTACHMENT_CHARS_PER_TURN) {
    throw new ApiError(
      400,
      "attachments_too_large",
      `the attachments hold ${total} characters; one message may carry at most ${MAX_ATTACHMENT_CHARS_PER_TURN}. ` +
        "Remove one and send it with a later message",
    );
  }
  return attachments;
}

export function chatRoutes(deps: RouteDeps): Hono<AppEnv> {
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
    afterFirstVersion: titleGenerator(deps.db, deps.logger, deps.config.TITLE_MODEL),
  };
  const heartbeatMs = deps.chat?.heartbeatMs ?? HEARTBEAT_MS;
  const turnTimeoutMs = deps.chat?.turnTimeoutMs ?? TURN_TIMEOUT_MS;
  const app = new Hono<AppEnv>();

  app.post("/:sessionId", async (c) => {
    // Tracked from the start, so a drain beginning while the body is read still lets this turn finish.
    const work = deps.drain.track();
    try {
      return await acceptTurn(c, work);
    } catch (error) {
      work.release();
      throw error;
    }
  });

  async function acceptTurn(c: Context<AppEnv>, work: DrainWork) {
    const session = requireOwnedSession(c, deps.db);
    const body = await readJson(c, chatBody);
    const document = body.documentId
      ? getDocument(deps.db, session.id, requireUuid(body.documentId, "document"))
      : getActiveDocument(deps.db, session.id);
    if (!document) throw new ApiError(404, "not_found", "document not found");
    const attachments = turnAttachments(deps.db, session.id, body.attachmentIds);
    if (body.retryOf !== undefined && !hasUserMessage(deps.db, session.id, body.retryOf))
      throw new ApiError(404, "not_found", "message to retry not found");
    const userMessage = deps.db.transaction(() => {
      const added = addMessage(deps.db, {
        sessionId: session.id,
        documentId: document.id,
        role: "user",
        content: body.message,
        retryOf: body.retryOf,
      });
      linkAttachments(
        deps.db,
        added.id,
        attachments.map((attachment) => attachment.id),
      );
      return added;
    })();
    c.header("X-Accel-Buffering", "no");
    // The page needs the id to retry this message (and to tell the history which attempt was retried).
    c.header("X-Message-Id", String(userMessage.id));
    const request = {
      user: c.get("user"),
      sessionId: session.id,
      documentId: document.id,
      message: body.message,
      mode: body.mode,
      brand: sessionBrand(deps.db, session.id),
      attachments,
    };
    return streamSSE(c, async (stream) => {
      const cancel = new AbortController();
      const stop = () => cancel.abort();
      c.req.raw.signal.addEventListener("abort", stop, { once: true });
      stream.onAbort(stop);
      const events = sseWriter(stream);
      // The heartbeat also tells cleanup (here or in another process) that this session has a turn running.
      const alive = () => markTurnAlive(deps.db, session.id);
      alive();
      const heartbeat = setInterval(() => {
        events.comment("heartbeat");
        alive();
      }, heartbeatMs);
      try {
        const signal = AbortSignal.any([cancel.signal, work.signal, AbortSignal.timeout(turnTimeoutMs)]);
        const emit = deps.metrics ? deps.metrics.observeTurn(body.mode, events.send) : events.send;
        await runTurn(turnDeps, request, signal, emit);
        await events.flushed();
      } finally {
        clearInterval(heartbeat);
        c.req.raw.signal.removeEventListener("abort", stop);
        work.release();
      }
    });
  }
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
