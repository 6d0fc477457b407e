import type { Db } from "../../db/open.js";
import { addMessage } from "../../db/repo/messages.js";
import { appendVersion, getVersion, VersionConflictError, type Version } from "../../db/repo/versions.js";
import type { Logger } from "../../log.js";
import type { SpendGuard } from "../budget/guard.js";
import { createCostRecorder, type CallObserver } from "../ledger.js";
import { nanoToUsd, type Pricing } from "../pricing.js";
import { CallCancelledError, ProviderError } from "../providers/errors.js";
import type { ProviderClients } from "../providers/index.js";
import type { RetryPolicy } from "../providers/retry.js";
import { routeTurn, type TurnIntent, type TurnMode } from "../route.js";
import { placeBrandLogo, type TurnBrand } from "./brand.js";
import type { TurnAttachment } from "./attachments.js";
import type { FlowContext, FlowResult } from "./context.js";
import { createDocument } from "./create.js";
import { editDocument } from "./edit.js";
import { TurnError, type EmitEvent } from "./events.js";
import { addImage } from "./image.js";
import { makeInfographic } from "./infographic.js";
import type { KeyedQueue } from "./queue.js";

export interface TurnDeps {
  db: Db;
  logger: Logger;
  clients: ProviderClients;
  config: FlowContext["config"];
  pricing: Pricing;
  retry: RetryPolicy;
  queue: KeyedQueue;
  /** Spend caps checked before each provider call; absent means no caps. */
  budget?: SpendGuard;
  /** Sees each provider call end (metrics); absent means nobody watches. */
  observer?: CallObserver;
  /** Runs after a turn saved a document's first version (generated titles), inside the turn and its ledger. */
  afterFirstVersion?: (context: FlowContext, request: TurnRequest, result: FlowResult) => Promise<void>;
}

export interface TurnRequest {
  user: string;
  sessionId: string;
  documentId: string;
  message: string;
  mode: TurnMode;
  /** The session's brand profile at the time the turn was sent. */
  brand: TurnBrand;
  attachments: readonly TurnAttachment[];
}

const UNCHANGED = "The document is unchanged.";

/**
 * One chat turn: route, run the flow, and only if it succeeds append one version based on the version the turn
 * started from. Every outcome ends with cost and done events and an assistant message; failures also send
 * `error` and leave the document as it was.
 */
export async function runTurn(
  deps: TurnDeps,
  request: TurnRequest,
  signal: AbortSignal,
  emit: EmitEvent,
): Promise<void> {
  const recorder = createCostRecorder(
    deps.db,
    deps.pricing,
    { user: request.user, sessionId: request.sessionId },
    { guard: deps.budget, observer: deps.observer },
  );
  emit({ event: "status", data: { stage: "routing", message: "Waiting for the document" } });
  let version: number | null = null;
  let outcome: TurnOutcome;
  try {
    const finished = await deps.queue.run(request.documentId, async () => {
      if (signal.aborted) throw new CallCancelledError();
      const base = getVersion(deps.db, request.documentId);
      const intent = routeTurn({ hasHtml: hasHtml(base), message: request.message, mode: request.mode });
      emit({ event: "status", data: { stage: "routing", message: routingMessage(intent) } });
      const context: FlowContext = {
        ...deps,
        recorder,
        signal,
        emit,
        brand: request.brand,
        attachments: request.attachments,
      };
      const result = await runFlow(context, intent, request.message, base);
      if (result.html !== undefined) result.html = placeBrandLogo(result.html, request.brand);
      const saved = save(deps.db, request, base, result, emit);
      if (saved !== null && base === undefined) await deps.afterFirstVersion?.(context, request, result);
      return { saved, summary: result.summary };
    });
    version = finished.saved;
    outcome = { status: "ok", content: finished.summary, errorCode: null };
  } catch (error) {
    const failure = describeFailure(error, deps.logger);
    emit({ event: "error", data: failure });
    outcome = { status: "error", content: failure.message, errorCode: failure.code };
  }
  const cost = recorder.totalNanoUsd();
  // The assistant message keeps what the live page showed: the outcome, its cost and the version saved.
  addMessage(deps.db, { ...assistant(request), ...outcome, costNanoUsd: cost, version });
  emit({ event: "cost", data: { costNanoUsd: cost, costUsd: nanoToUsd(cost) } });
  emit({ event: "done", data: { documentId: request.documentId, version } });
}

interface TurnOutcome {
  status: "ok" | "error";
  content: string;
  errorCode: string | null;
}

function hasHtml(version: Version | undefined): version is Version {
  return version !== undefined && version.html.trim() !== "";
}

function routingMessage(intent: TurnIntent): string {
  if (intent === "create") return "Creating a new document";
  if (intent === "image") return "Generating an image for the document";
  if (intent === "infographic") return "Making an infographic";
  return "Editing the document";
}

function runFlow(
  context: FlowContext,
  intent: TurnIntent,
  message: string,
  base: Version | undefined,
): Promise<FlowResult> {
  if (intent === "infographic")
    return makeInfographic(context, message, hasHtml(base) ? base.html : undefined);
  if (intent === "create" || !hasHtml(base)) return createDocument(context, message);
  if (intent === "image") return addImage(context, message, base.html);
  return editDocument(context, message, base.html);
}

/** Appends the version in one transaction, refused if anyone wrote since `base` was read. */
function save(
  db: Db,
  request: TurnRequest,
  base: Version | undefined,
  result: FlowResult,
  emit: EmitEvent,
): number | null {
  let version: number | null = null;
  if (result.html !== undefined) {
    emit({ event: "status", data: { stage: "saving", message: "Saving the new version" } });
    const meta = appendVersion(
      db,
      {
        documentId: request.documentId,
        html: result.html,
        prompt: request.message,
        summary: result.summary,
        model: result.model,
      },
      base?.version ?? null,
    );
    version = meta.version;
    emit({ event: "html", data: { documentId: request.documentId, version, html: result.html } });
  }
  emit({ event: "summary", data: { text: result.summary } });
  return version;
}

function assistant(request: TurnRequest) {
  return { sessionId: request.sessionId, documentId: request.documentId, role: "assistant" as const };
}

/** A safe code and message for any failure: provider bodies, keys and stack traces never reach the user. */
export function describeFailure(error: unknown, logger: Logger): { code: string; message: string } {
  if (error instanceof CallCancelledError)
    return { code: "cancelled", message: `The turn was cancelled. ${UNCHANGED}` };
  if (error instanceof ProviderError) {
    // For operators: which provider failed how, never the upstream body.
    logger.warn("provider call failed", {
      provider: error.provider,
      kind: error.kind,
      status: error.options.status,
    });
  }
  if (error instanceof TurnError || error instanceof ProviderError) {
    return { code: error.code, message: `${error.message}. ${UNCHANGED}` };
  }
  if (error instanceof VersionConflictError) {
    return {
      code: "conflict",
      message: `The document changed while this turn ran, so its result was not saved. ${UNCHANGED} Try again.`,
    };
  }
  logger.error("chat turn failed", { error });
  return { code: "internal", message: `The turn failed unexpectedly. ${UNCHANGED}` };
}
