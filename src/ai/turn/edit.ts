import type {
  ContentBlockParam,
  MessageParam,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import {
  applyEditCall,
  editTools,
  EditCallError,
  extractHtmlDocument,
  parseEditCall,
  protectDataUris,
  validateEdit,
  type ProtectedHtml,
} from "../editor/index.js";
import { modelDisplayName } from "../display-names.js";
import { replyText, streamClaude, type ClaudeBlock, type ClaudeReply } from "../providers/anthropic.js";
import { withRetries } from "../providers/retry.js";
import { claudeBrandBlocks } from "./brand.js";
import { claudeAttachmentBlocks } from "./attachments.js";
import type { FlowContext, FlowResult } from "./context.js";
import { TurnError } from "./events.js";
import { documentBlock, EDIT_SYSTEM, editRequest, REGENERATE_SYSTEM, regenerateRequest } from "./prompts.js";

/** Output room for one tool round (edits quote short passages) and for a whole regenerated document. */
const TOOL_ROUND_MAX_TOKENS = 16_384;
const REGENERATION_MAX_TOKENS = 64_000;

interface EditState {
  working: string;
  applied: number;
  failures: string[];
  summary: string;
}

/**
 * Claude edits the document through the three edit tools, one tool_result per call, until it answers without
 * tools or MAX_CLAUDE_ITERATIONS rounds are spent. If every call failed, one full regeneration is tried. The
 * result is validated against the original; any failure leaves the document as it was.
 */
export async function editDocument(context: FlowContext, message: string, html: string): Promise<FlowResult> {
  const model = context.config.CLAUDE_MODEL;
  const protectedHtml = protectDataUris(html);
  if (protectedHtml.html.length > context.config.MAX_HTML_CONTEXT_LENGTH) {
    throw new TurnError(
      "document_too_long",
      `The document is ${protectedHtml.html.length} characters (images excluded); edits are limited to ` +
        `${context.config.MAX_HTML_CONTEXT_LENGTH}. Split it into smaller documents or ask for a new one`,
    );
  }
  context.emit({
    event: "status",
    data: { stage: "editing", message: `${modelDisplayName(model)} is editing the document` },
  });
  const state = await runToolLoop(context, message, protectedHtml.html);
  if (state.applied === 0 && state.failures.length === 0) {
    return { html: undefined, summary: state.summary || "No changes were needed.", model };
  }
  const edited =
    state.applied > 0
      ? state.working
      : await regenerate(context, message, protectedHtml.html, state.failures);
  return {
    html: restoreAndValidate(protectedHtml, html, edited),
    summary: state.summary || "Edited the document.",
    model,
  };
}

async function runToolLoop(context: FlowContext, message: string, html: string): Promise<EditState> {
  const state: EditState = { working: html, applied: 0, failures: [], summary: "" };
  const messages: MessageParam[] = [
    {
      role: "user",
      content: [
        // The document is the large, stable prefix of every round: cached after the first.
        { type: "text", text: documentBlock(html), cache_control: { type: "ephemeral" } },
        ...claudeBrandBlocks(context.brand),
        ...claudeAttachmentBlocks(context.attachments),
        { type: "text", text: editRequest(message) },
      ],
    },
  ];
  for (let round = 1; round <= context.config.MAX_CLAUDE_ITERATIONS; round += 1) {
    const reply = await callClaude(context, {
      system: EDIT_SYSTEM,
      messages,
      maxTokens: TOOL_ROUND_MAX_TOKENS,
      withTools: true,
    });
    state.summary = replyText(reply) || state.summary;
    const uses = reply.blocks.filter((block) => block.type === "tool_use");
    if (uses.length === 0) return state;
    messages.push({ role: "assistant", content: reply.blocks.map(toParam) });
    messages.push({ role: "user", content: uses.map((use) => applyToolUse(state, use)) });
  }
  throw new TurnError(
    "edit_incomplete",
    `Claude was still editing after ${context.config.MAX_CLAUDE_ITERATIONS} rounds, so none of its edits were kept`,
  );
}

function applyToolUse(
  state: EditState,
  use: Extract<ClaudeBlock, { type: "tool_use" }>,
): ToolResultBlockParam {
  const answer = (content: string, isError: boolean): ToolResultBlockParam => ({
    type: "tool_result",
    tool_use_id: use.id,
    content,
    ...(isError ? { is_error: true } : {}),
  });
  let call;
  try {
    call = parseEditCall(use.name, use.input);
  } catch (error) {
    if (!(error instanceof EditCallError)) throw error;
    state.failures.push(error.message);
    return answer(error.message, true);
  }
  const outcome = applyEditCall(state.working, call);
  if (!outcome.ok) {
    state.failures.push(outcome.message);
    return answer(outcome.message, true);
  }
  state.working = outcome.html;
  state.applied += 1;
  return answer(`Applied (${outcome.match} match).`, false);
}

async function regenerate(
  context: FlowContext,
  message: string,
  html: string,
  failures: readonly string[],
): Promise<string> {
  context.emit({
    event: "status",
    data: {
      stage: "editing",
      message: "No edit applied; Claude is rewriting the document with everything else kept",
    },
  });
  const reply = await callClaude(context, {
    system: REGENERATE_SYSTEM,
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: documentBlock(html) },
          ...claudeBrandBlocks(context.brand),
          ...claudeAttachmentBlocks(context.attachments),
          { type: "text", text: regenerateRequest(message, failures) },
        ],
      },
    ],
    maxTokens: REGENERATION_MAX_TOKENS,
    withTools: false,
  });
  const document = extractHtmlDocument(replyText(reply));
  if (!document) {
    throw new TurnError(
      "edit_failed",
      "None of Claude's edits applied and its rewrite was not a complete document",
    );
  }
  return document;
}

function restoreAndValidate(protectedHtml: ProtectedHtml, original: string, edited: string): string {
  const restored = protectedHtml.restore(edited);
  const validation = validateEdit(original, restored);
  if (!validation.ok) {
    throw new TurnError("invalid_edit", `The edit was rejected: ${validation.problems.join("; ")}`);
  }
  return restored;
}

async function callClaude(
  context: FlowContext,
  request: { system: string; messages: MessageParam[]; maxTokens: number; withTools: boolean },
): Promise<ClaudeReply> {
  return withRetries(
    () =>
      streamClaude({
        client: context.clients.anthropic,
        params: {
          model: context.config.CLAUDE_MODEL,
          // No temperature: API version 2026-10-21 (sent by SDK 1.x) refuses every sampling parameter with a 400.
          // Determinism comes from the tools instead: each edit must quote the document exactly.
          max_tokens: request.maxTokens,
          system: request.system,
          messages: request.messages,
          ...(request.withTools ? { tools: editTools } : {}),
        },
        signal: context.signal,
        recorder: context.recorder,
        // Regenerated documents are not chat text; only the tool rounds' explanations are shown as they come.
        onText: request.withTools ? (text) => context.emit({ event: "delta", data: { text } }) : undefined,
      }),
    context.retry,
    context.signal,
  );
}

function toParam(block: ClaudeBlock): ContentBlockParam {
  return block.type === "text"
    ? { type: "text", text: block.text }
    : { type: "tool_use", id: block.id, name: block.name, input: block.input ?? {} };
}
