import { api, errorText, request } from "./api.js";
import { h } from "./dom.js";
import { attachmentName } from "./format.js";

type Format = "html" | "pdf" | "png";

export interface ExportTarget {
  sessionId: string;
  documentId: string;
  version: number;
}

/**
 * HTML / PDF / PNG buttons for the version on screen. The file is fetched first (so a refusal shows as text
 * here instead of a downloaded JSON error) and then saved through a temporary object URL.
 */
export function createExportBar(target: () => ExportTarget | null): HTMLElement {
  const note = h("span", { class: "export-note", role: "status", "aria-live": "polite" });
  const buttons = (["html", "pdf", "png"] as const).map((format) =>
    h(
      "button",
      {
        type: "button",
        class: "small",
        "aria-label": `Export as ${format.toUpperCase()}`,
        onclick: () => void download(format),
      },
      format.toUpperCase(),
    ),
  );
  const bar = h(
    "div",
    { class: "export", role: "group", "aria-label": "Export" },
    h("span", { class: "meta" }, "Export"),
    ...buttons,
    note,
  );

  async function download(format: Format): Promise<void> {
    const current = target();
    if (!current) {
      note.textContent = "Nothing to export yet.";
      return;
    }
    for (const button of buttons) button.disabled = true;
    note.className = "export-note";
    note.textContent = `Preparing ${format.toUpperCase()}…`;
    try {
      const response = await request(
        api.exportUrl(current.sessionId, current.documentId, format, current.version),
      );
      const name = attachmentName(
        response.headers.get("content-disposition"),
        `document-v${current.version}.${format}`,
      );
      const url = URL.createObjectURL(await response.blob());
      const link = h("a", { href: url, download: name, class: "visually-hidden" });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      note.textContent = `Saved ${name}.`;
    } catch (error) {
      note.className = "export-note error";
      note.textContent = `Export failed: ${errorText(error)}`;
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  }

  return bar;
}
