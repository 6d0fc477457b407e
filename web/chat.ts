import { api, ApiFailure, errorText, type Message } from "./api.js";
import { h, replace } from "./dom.js";
import { formatUsd } from "./format.js";
import { examplePrompts } from "./examples.js";
import { renderMarkdown } from "./markdown.js";
import { streamChat, type ChatEvent, type ChatRequest } from "./sse.js";

export interface ChatHooks {
  /** The session to talk in, created on first use; undefined when that failed (the sessions pane says why). */
  ensureSession(): Promise<string | undefined>;
  activeDocumentId(): string | null;
  onHtml(event: Extract<ChatEvent, { type: "html" }>): void;
  onTurnEnd(done: Extract<ChatEvent, { type: "done" }> | null): void;
}

export interface ChatPane {
  load(sessionId: string | null): Promise<void>;
  /** Puts text into the message box (uploads), keeping what the user already typed. */
  insertText(text: string): void;
  /** Cancels the running turn; false when none runs. */
  cancel(): boolean;
  readonly form: HTMLFormElement;
}

type Mode = NonNullable<ChatRequest["mode"]>;

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
  const form = h(
    "form",
    { class: "composer", "aria-label": "Send a message" },
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
    input.value = "";
    void turn({ message, mode: mode.value as Mode });
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

  function bubble(role: Message["role"], content: string): HTMLLIElement {
    log.querySelector(".empty")?.remove();
    const body = h("div", { class: "bubble-body" });
    if (role === "assistant") body.innerHTML = renderMarkdown(content);
    else body.textContent = content;
    const item = h(
      "li",
      { class: `bubble ${role}` },
      h("span", { class: "visually-hidden" }, `${role}: `),
      body,
    );
    log.append(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  async function turn(request: Omit<ChatRequest, "documentId">): Promise<void> {
    const sessionId = await hooks.ensureSession();
    if (!sessionId) {
      input.value ||= request.message;
      status.textContent = "No session to send to: see the Sessions list.";
      return;
    }
    const documentId = hooks.activeDocumentId() ?? undefined;
    bubble("user", request.message);
    const reply = bubble("assistant", "");
    reply.classList.add("streaming");
    const body = reply.querySelector(".bubble-body") as HTMLElement;
    let text = "";
    let summary = "";
    let failed = false;
    let done = null as Extract<ChatEvent, { type: "done" }> | null;
    let frame = 0;
    let live = true;
    const paint = () => {
      frame = 0;
      if (live && WRITING_HTML.test(text) && !summary)
        body.textContent = `Writing the document… ${text.length} characters`;
      else body.innerHTML = renderMarkdown(replyText(text, summary));
      log.scrollTop = log.scrollHeight;
    };

    controller = new AbortController();
    setStreaming(true);
    status.textContent = "Sending…";
    try {
      await streamChat(sessionId, { ...request, documentId }, controller.signal, (event) => {
        switch (event.type) {
          case "status":
            status.textContent = event.message;
            break;
          case "delta":
            text += event.text;
            frame ||= requestAnimationFrame(paint);
            break;
          case "summary":
            summary = event.text;
            paint();
            break;
          case "html":
            hooks.onHtml(event);
            break;
          case "cost":
            if (event.costNanoUsd > 0)
              reply.append(h("p", { class: "turn-cost" }, `This turn cost ${formatUsd(event.costNanoUsd)}`));
            break;
          case "error":
            failed = true;
            showError(reply, event.message, request, event.code);
            break;
          case "done":
            done = event;
            break;
        }
      });
      if (frame) cancelAnimationFrame(frame);
      live = false;
      if (!done && !failed) {
        failed = true;
        showError(reply, "The connection closed before the turn finished.", request);
      }
      if (text || summary) paint();
      else if (!failed) body.textContent = done?.version ? "Done." : "No changes.";
      status.textContent = failed ? "The turn failed; the document is unchanged." : "Ready.";
    } catch (error) {
      if (frame) cancelAnimationFrame(frame);
      live = false;
      if (error instanceof DOMException && error.name === "AbortError") {
        if (text) paint();
        reply.append(h("p", { class: "note" }, "Cancelled."));
        status.textContent = "Cancelled.";
      } else {
        showError(reply, describe(error), request);
        status.textContent = "The message was not processed.";
      }
    } finally {
      reply.classList.remove("streaming");
      controller = null;
      setStreaming(false);
      hooks.onTurnEnd(done);
    }
  }

  function showError(
    reply: HTMLElement,
    message: string,
    request: Omit<ChatRequest, "documentId">,
    code?: string,
  ): void {
    const retry = h(
      "button",
      {
        type: "button",
        class: "small",
        onclick: () => {
          reply.previousElementSibling?.remove();
          reply.remove();
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
        for (const message of messages) if (message.role !== "system") bubble(message.role, message.content);
        if (messages.length === 0) log.append(h("li", { class: "empty" }, "No messages yet."));
      } catch (error) {
        log.append(h("li", { class: "inline-error", role: "alert" }, errorText(error)));
      }
    },
    insertText(text) {
      setText(input.value.trim() ? `${input.value.trimEnd()}\n\n${text}` : text);
    },
    cancel() {
      controller?.abort();
      return controller !== null;
    },
  };
}

/** Gemini streams the new document itself: shown as progress, not as a wall of markup in the bubble. */
const WRITING_HTML = /^\s*(?:```html|<!doctype|<html)/i;

/**
 * What the bubble says: the turn's summary once it arrives (what the history keeps), before that the model's
 * prose as it streams (never the raw document).
 */
function replyText(text: string, summary: string): string {
  return summary || (WRITING_HTML.test(text) ? "" : text.trim());
}

function describe(error: unknown): string {
  if (error instanceof ApiFailure && error.status === 429)
    return `${error.message} Wait a moment, then retry.`;
  return errorText(error);
}
