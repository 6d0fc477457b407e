import { api, ApiFailure, errorText, type AttachmentInfo, type Message } from "./api.js";
import { attachmentList, createPendingAttachments } from "./attachments.js";
import { h, replace } from "./dom.js";
import { formatUsd } from "./format.js";
import { examplePrompts } from "./examples.js";
import { renderMarkdown } from "./markdown.js";
import { documentStart, replyText } from "./stream-text.js";
import { RESTART_RETRIES, sendThroughRestart } from "./restart-retry.js";
import { streamChat, type ChatEvent, type ChatRequest } from "./sse.js";

export interface ChatHooks {
  /** The session to talk in, created on first use; undefined when that failed (the sessions pane says why). */
  ensureSession(): Promise<string | undefined>;
  activeDocumentId(): string | null;
  onHtml(event: Extract<ChatEvent, { type: "html" }>): void;
  /** The document as it streams in (create turns), for a progressive preview. */
  onDraft?(html: string): void;
  onTurnEnd(done: Extract<ChatEvent, { type: "done" }> | null): void;
  /** The title of a session's document, to say which document a message changed. */
  documentTitle(documentId: string): string | undefined;
}

export interface ChatPane {
  load(sessionId: string | null): Promise<void>;
  /** Cancels the running turn; false when none runs. */
  cancel(): boolean;
  /** Attaches an uploaded file to the next message; returns why not when a per-message limit says no. */
  attach(attachment: AttachmentInfo): string | null;
  readonly form: HTMLFormElement;
}

type Mode = NonNullable<ChatRequest["mode"]>;

/** One send as the page knows it: what Retry resends (the same attachments) and which message it retries. */
interface TurnRequest {
  message: string;
  mode: Mode;
  attachments: AttachmentInfo[];
  retryOf?: number;
}

/** The conversation: history, one streamed turn at a time, inline errors with retry, cancel. */
export function createChatPane(root: HTMLElement, hooks: ChatHooks): ChatPane {
  const log = h("ol", { class: "messages", "aria-label": "Conversation", tabindex: 0 });
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const input = h("textarea", {
    id: "chat-input",
    rows: 3,
    placeholder: "Describe the page you want, or what to change…",
    "aria-describedby": "chat-hint",
  });
  const mode = h(
    "select",
    { id: "chat-mode", "aria-label": "What the model should do" },
    h("option", { value: "auto" }, "Auto"),
    h("option", { value: "create" }, "New page"),
    h("option", { value: "edit" }, "Edit"),
    h("option", { value: "image" }, "Add image"),
    h("option", { value: "infographic" }, "Infographic"),
  );
  const sendButton = h("button", { type: "submit", class: "primary" }, "Send");
  const cancelButton = h("button", { type: "button", class: "danger", hidden: true }, "Cancel");
  const pending = createPendingAttachments();
  const form = h(
    "form",
    { class: "composer", "aria-label": "Send a message" },
    pending.element,
    h("label", { for: "chat-input", class: "visually-hidden" }, "Message"),
    input,
    h(
      "div",
      { class: "composer-bar" },
      h("span", { class: "composer-actions" }, mode, cancelButton, sendButton),
    ),
    h("span", { id: "chat-hint", class: "hint" }, "Enter sends · Shift+Enter new line"),
  );
  replace(root, h("h2", { id: "chat-title", class: "visually-hidden" }, "Chat"), log, status, form);

  let controller: AbortController | null = null;

  function setText(text: string): void {
    input.value = text;
    input.focus();
  }

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (!message || controller) return;
    void turn({ message, mode: mode.value as Mode, attachments: pending.list() }, true);
  });
  cancelButton.addEventListener("click", () => controller?.abort());

  function setStreaming(on: boolean): void {
    input.disabled = on;
    sendButton.disabled = on;
    mode.disabled = on;
    cancelButton.hidden = !on;
    root.setAttribute("aria-busy", String(on));
    if (!on) input.focus();
  }

  function bubble(
    role: Message["role"],
    content: string,
    attachments: readonly AttachmentInfo[] = [],
  ): HTMLLIElement {
    log.querySelector(".empty")?.remove();
    const body = h("div", { class: "bubble-body" });
    if (role === "assistant") body.innerHTML = renderMarkdown(content);
    else body.textContent = content;
    const item = h(
      "li",
      { class: `bubble ${role}` },
      h("span", { class: "visually-hidden" }, `${role}: `),
      body,
      attachmentList(attachments),
    );
    log.append(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  /** "Changed: Quarterly report" under a reply, when the session has more than one document. */
  function documentNote(reply: HTMLElement, documentId: string | null | undefined, version: number | null) {
    const title = documentId ? hooks.documentTitle(documentId) : undefined;
    if (!title) return;
    reply.append(
      h("p", { class: "turn-document" }, version ? `${title} · version ${version}` : `${title} · unchanged`),
    );
  }

  function costNote(reply: HTMLElement, costNanoUsd: number | null): void {
    if (costNanoUsd && costNanoUsd > 0)
      reply.append(h("p", { class: "turn-cost" }, `This turn cost ${formatUsd(costNanoUsd)}`));
  }

  /** A failed attempt that was retried stays in the conversation, marked, as it was shown live. */
  function markRetried(userBubble: Element | null, reply: Element): void {
    for (const element of [userBubble, reply]) element?.classList.add("retried");
    reply.querySelector(".inline-error button")?.remove();
    reply.append(h("p", { class: "note" }, "Retried below."));
  }

  async function turn(request: TurnRequest, fromComposer = false): Promise<void> {
    const sessionId = await hooks.ensureSession();
    if (!sessionId) {
      status.textContent = "No session to send to: see the Sessions list.";
      return;
    }
    status.classList.remove("error");
    const documentId = hooks.activeDocumentId() ?? undefined;
    const userBubble = bubble("user", request.message, request.attachments);
    const reply = bubble("assistant", "");
    reply.classList.add("streaming");
    const body = reply.querySelector(".bubble-body") as HTMLElement;
    let text = "";
    let summary = "";
    let failed = false;
    let done = null as Extract<ChatEvent, { type: "done" }> | null;
    let frame = 0;
    let live = true;
    let messageId: number | null = null;
    let creating = false;
    const paint = () => {
      frame = 0;
      const prose = replyText(text, summary);
      if (live && !summary && documentStart(text) !== -1)
        body.textContent = `${prose ? `${prose}\n\n` : ""}Writing the document… ${text.length} characters`;
      else body.innerHTML = renderMarkdown(prose);
      log.scrollTop = log.scrollHeight;
    };

    controller = new AbortController();
    setStreaming(true);
    status.textContent = "Sending…";
    try {
      const payload: ChatRequest = {
        message: request.message,
        mode: request.mode,
        documentId,
        attachmentIds: request.attachments.map((attachment) => attachment.id),
        retryOf: request.retryOf,
      };
      const accepted = (id: number | null) => {
        messageId = id;
        body.textContent = "";
        // Only now is the message the server's: a refused send keeps the text and the attachments.
        if (fromComposer) {
          input.value = "";
          pending.clear();
        }
      };
      const signal = controller.signal;
      const updating = (seconds: number, retry: number) => {
        body.textContent = "An update of the app is under way; your message will be sent again in a moment.";
        status.textContent = `Update under way: sending again in ${seconds} s (retry ${retry} of ${RESTART_RETRIES})…`;
      };
      await sendThroughRestart(
        () =>
          streamChat(
            sessionId,
            payload,
            signal,
            (event) => {
              switch (event.type) {
                case "status":
                  status.textContent = event.message;
                  creating = event.stage === "creating";
                  break;
                case "delta":
                  text += event.text;
                  frame ||= requestAnimationFrame(paint);
                  // Only a create streams a document; an edit's remarks may mention <html> without being one.
                  if (creating && documentStart(text) !== -1)
                    hooks.onDraft?.(text.slice(documentStart(text)));
                  break;
                case "summary":
                  summary = event.text;
                  paint();
                  break;
                case "html":
                  hooks.onHtml(event);
                  break;
                case "cost":
                  costNote(reply, event.costNanoUsd);
                  break;
                case "error":
                  failed = true;
                  showError(
                    reply,
                    event.message,
                    { ...request, retryOf: messageId ?? undefined },
                    event.code,
                  );
                  break;
                case "done":
                  done = event;
                  break;
              }
            },
            accepted,
          ),
        signal,
        updating,
      );
      if (frame) cancelAnimationFrame(frame);
      live = false;
      if (!done && !failed) {
        failed = true;
        showError(reply, "The connection closed before the turn finished.", request);
      }
      if (text || summary) paint();
      else if (!failed) body.textContent = done?.version ? "Done." : "No changes.";
      if (!failed && done) documentNote(reply, done.documentId, done.version);
      status.textContent = failed ? "The turn failed; the document is unchanged." : "Ready.";
    } catch (error) {
      if (frame) cancelAnimationFrame(frame);
      live = false;
      if (error instanceof DOMException && error.name === "AbortError") {
        if (text) paint();
        reply.append(h("p", { class: "note" }, "Cancelled."));
        status.textContent = "Cancelled.";
      } else if (messageId === null) {
        // Refused before the turn started: nothing was stored, so the attempt leaves the conversation and the
        // message box still holds the text; the server's reason and what fixes it stay in the status line.
        userBubble.remove();
        reply.remove();
        if (!fromComposer) input.value ||= request.message;
        status.textContent = `Not sent: ${describe(error)}`;
        status.classList.add("error");
      } else {
        showError(reply, describe(error), { ...request, retryOf: messageId });
        status.textContent = "The message was not processed.";
      }
    } finally {
      reply.classList.remove("streaming");
      controller = null;
      setStreaming(false);
      hooks.onTurnEnd(done);
    }
  }

  function showError(reply: HTMLElement, message: string, request: TurnRequest | null, code?: string): void {
    reply.classList.add("failed");
    const retry =
      request &&
      h(
        "button",
        {
          type: "button",
          class: "small",
          onclick: () => {
            if (controller) return;
            markRetried(reply.previousElementSibling, reply);
            void turn(request);
          },
        },
        "Retry",
      );
    reply.append(
      h(
        "div",
        { class: "inline-error", role: "alert", "data-code": code ?? "" },
        h("span", {}, message),
        retry,
      ),
    );
    log.scrollTop = log.scrollHeight;
  }

  /** The stored conversation, shown as it was live: failures with their reason, costs, retried attempts marked. */
  function showHistory(messages: readonly Message[]): void {
    const retried = new Set(messages.flatMap((message) => (message.retryOf ? [message.retryOf] : [])));
    let lastUser: { message: Message; element: HTMLElement } | null = null;
    for (const message of messages) {
      if (message.role === "user") {
        lastUser = { message, element: bubble("user", message.content, message.attachments) };
        continue;
      }
      if (message.role !== "assistant") continue;
      const failed = message.status === "error";
      const reply = bubble("assistant", failed ? "" : message.content);
      const user = lastUser?.message;
      if (failed) {
        const request =
          user && !retried.has(user.id)
            ? { message: user.content, mode: "auto" as Mode, attachments: user.attachments, retryOf: user.id }
            : null;
        showError(reply, message.content, request);
      } else documentNote(reply, message.documentId, message.version);
      costNote(reply, message.costNanoUsd);
      if (user && retried.has(user.id)) markRetried(lastUser?.element ?? null, reply);
      lastUser = null;
    }
  }

  return {
    form,
    async load(sessionId) {
      log.replaceChildren();
      status.textContent = "";
      if (!sessionId) {
        log.append(
          h("li", { class: "empty" }, "Describe the page you want and press Enter.", examplePrompts(setText)),
        );
        input.focus();
        return;
      }
      try {
        const { messages } = await api.messages(sessionId);
        showHistory(messages);
        if (messages.length === 0) log.append(h("li", { class: "empty" }, "No messages yet."));
      } catch (error) {
        log.append(h("li", { class: "inline-error", role: "alert" }, errorText(error)));
      }
    },
    cancel() {
      controller?.abort();
      return controller !== null;
    },
    attach(attachment) {
      const refused = pending.add(attachment);
      if (!refused) input.focus();
      return refused;
    },
  };
}

/** The server's reason plus what fixes it, for a send the server refused. */
function describe(error: unknown): string {
  if (!(error instanceof ApiFailure)) return errorText(error);
  if (error.status === 429) return `${error.message} Wait a moment, then retry.`;
  if (error.code === "server_restarting")
    return "The app is still being updated. Your message is kept: send it again in a minute.";
  if (/message must be at most/.test(error.message))
    return `${error.message}. Shorten the message, or put the long text in a file and attach it.`;
  if (error.code === "attachments_too_large") return `${error.message}.`;
  if (error.code === "not_found") return `${error.message}: reload the page, then send again.`;
  return errorText(error);
}
