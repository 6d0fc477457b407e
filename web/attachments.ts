import type { AttachmentInfo } from "./api.js";
import { h, replace } from "./dom.js";

/** Mirrors the server's per-message limits (src/ai/turn/attachments.ts), so the page says no before sending. */
export const MAX_ATTACHMENTS = 5;
export const MAX_ATTACHMENT_CHARS = 400_000;

const count = (n: number) => n.toLocaleString("en-US");

/** "report.docx · DOCX · 150,000 characters (truncated)" as a chip; with onRemove, a remove button too. */
export function attachmentChip(attachment: AttachmentInfo, onRemove?: () => void): HTMLElement {
  const type = attachment.type.replace(/^\./, "").toUpperCase();
  return h(
    "span",
    { class: "attachment-chip", title: attachment.filename },
    h("span", { class: "attachment-name" }, attachment.filename),
    h(
      "span",
      { class: "attachment-meta" },
      `${type} · ${count(attachment.chars)} characters`,
      attachment.truncated ? h("strong", { class: "attachment-truncated" }, " (truncated)") : null,
    ),
    onRemove
      ? h(
          "button",
          {
            type: "button",
            class: "icon attachment-remove",
            "aria-label": `Remove attachment ${attachment.filename}`,
            title: "Remove",
            onclick: onRemove,
          },
          "✕",
        )
      : null,
  );
}

/** The read-only chips of a sent message, for its bubble in the history. */
export function attachmentList(attachments: readonly AttachmentInfo[]): HTMLElement | null {
  if (attachments.length === 0) return null;
  return h(
    "div",
    { class: "attachment-list", "aria-label": "Attachments" },
    ...attachments.map((attachment) => attachmentChip(attachment)),
  );
}

export interface PendingAttachments {
  readonly element: HTMLElement;
  list(): AttachmentInfo[];
  /** Adds one; returns why not when it would exceed the per-message limits. */
  add(attachment: AttachmentInfo): string | null;
  set(attachments: readonly AttachmentInfo[]): void;
  clear(): void;
}

/** The composer's attachments for the next message: chips with remove, within the per-message limits. */
export function createPendingAttachments(): PendingAttachments {
  const element = h("div", {
    class: "attachment-list pending",
    "aria-label": "Attached to the next message",
  });
  let items: AttachmentInfo[] = [];

  function render(): void {
    element.hidden = items.length === 0;
    replace(
      element,
      ...items.map((item) =>
        attachmentChip(item, () => {
          items = items.filter((other) => other !== item);
          render();
        }),
      ),
    );
  }
  render();

  return {
    element,
    list: () => [...items],
    add(attachment) {
      if (items.length >= MAX_ATTACHMENTS) return `at most ${MAX_ATTACHMENTS} files per message`;
      const total = items.reduce((sum, item) => sum + item.chars, attachment.chars);
      if (total > MAX_ATTACHMENT_CHARS)
        return `one message carries at most ${count(MAX_ATTACHMENT_CHARS)} characters of files; send this one with the next message`;
      items = [...items, attachment];
      render();
      return null;
    },
    set(attachments) {
      items = [...attachments];
      render();
    },
    clear() {
      items = [];
      render();
    },
  };
}
