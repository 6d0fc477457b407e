import { api, ApiFailure, errorText, type AttachmentInfo } from "./api.js";
import { h } from "./dom.js";
import { formatBytes } from "./format.js";

export interface UploadHooks {
  /** The session the attachment belongs to, created on first use. */
  ensureSession(): Promise<string | undefined>;
  /** Attaches the upload to the next message; returns why not when a per-message limit says no. */
  onAttachment(attachment: AttachmentInfo): string | null;
}

/**
 * A file picker button plus a drop zone (the whole chat pane): the server extracts the text and keeps it as an
 * attachment of the session, shown as a chip in the composer until the next message sends it. Server refusals
 * (too large, wrong type) are shown with the server's own explanation.
 */
export function createUpload(dropZone: HTMLElement, hooks: UploadHooks): HTMLElement {
  const picker = h("input", {
    type: "file",
    id: "upload-input",
    class: "visually-hidden",
    accept: ".txt,.md,.docx,.pdf",
  });
  const note = h("p", { class: "upload-note", role: "status", "aria-live": "polite" });
  const label = h("label", { for: "upload-input", class: "button small" }, "Attach file");
  const box = h("div", { class: "upload" }, picker, label, note);

  picker.addEventListener("change", () => {
    const file = picker.files?.[0];
    picker.value = "";
    if (file) void send(file);
  });
  dropZone.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    dropZone.classList.add("dropping");
  });
  dropZone.addEventListener("dragleave", (event) => {
    if (!dropZone.contains(event.relatedTarget as Node | null)) dropZone.classList.remove("dropping");
  });
  dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropZone.classList.remove("dropping");
    const file = event.dataTransfer?.files[0];
    if (file) void send(file);
  });

  async function send(file: File): Promise<void> {
    note.className = "upload-note";
    note.textContent = `Uploading ${file.name} (${formatBytes(file.size)})…`;
    try {
      const sessionId = await hooks.ensureSession();
      if (!sessionId) throw new Error("no session to attach it to: see the Sessions list");
      const result = await api.upload(file, sessionId);
      if (!result.attachmentId) throw new Error("the server did not keep the file");
      const { attachmentId, filename, type, chars, truncated } = result;
      const refused = hooks.onAttachment({ id: attachmentId, filename, type, chars, truncated });
      if (refused) throw new Error(refused);
      note.textContent = `${filename} is attached to your next message${truncated ? " (truncated)" : ""}.`;
    } catch (error) {
      note.className = "upload-note error";
      note.textContent = `${file.name}: ${describe(error)}`;
    }
  }

  return box;
}

function describe(error: unknown): string {
  if (!(error instanceof ApiFailure)) return errorText(error);
  if (error.status === 413) return `too large: ${error.message}`;
  if (error.status === 415) return `wrong type: ${error.message}`;
  return error.message;
}
