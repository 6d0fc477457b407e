import { api, errorText, request } from "./api.js";
import { h } from "./dom.js";
import { attachmentName } from "./format.js";

type Format = "html" | "pdf" | "png";

export interface ExportTarget {
  sessionId: string;
  documentId: string;
  version: number;
}

export interface ExportBar {
  readonly element: HTMLElement;
  /** Enables the buttons when there is a version to export (call when the preview changes). */
  update(): void;
}

/** The server's bounds (src/export/spec.ts). */
const PNG_WIDTH = { min: 320, max: 1600, default: 1200 };

/**
 * HTML / PDF / PNG buttons for the version on screen, with an Options menu (paper size, PNG width and scale).
 * The file is fetched first (so a refusal shows as text here instead of a downloaded JSON error) and then saved
 * through a temporary object URL.
 */
export function createExportBar(target: () => ExportTarget | null): ExportBar {
  const note = h("span", { class: "export-note", role: "status", "aria-live": "polite" });
  const buttons = (["html", "pdf", "png"] as const).map((format) =>
    h(
      "button",
      {
        type: "button",
        class: "small",
        disabled: true,
        "aria-label": `Export as ${format.toUpperCase()}`,
        onclick: () => void download(format),
      },
      format.toUpperCase(),
    ),
  );
  const paper = h(
    "select",
    { id: "export-paper" },
    ...["A4", "Letter", "Legal"].map((size) => h("option", { value: size }, size)),
  );
  const width = h("input", {
    id: "export-width",
    type: "number",
    min: PNG_WIDTH.min,
    max: PNG_WIDTH.max,
    step: 10,
    value: PNG_WIDTH.default,
  });
  const scale = h(
    "select",
    { id: "export-scale" },
    h("option", { value: "1" }, "1×"),
    h("option", { value: "2" }, "2× (sharper)"),
  );
  const options = h(
    "details",
    { class: "export-options" },
    h("summary", { class: "button small" }, "Options"),
    h(
      "div",
      { class: "export-menu" },
      h("label", { for: "export-paper" }, "PDF paper"),
      paper,
      h("label", { for: "export-width" }, "PNG width (px)"),
      width,
      h("label", { for: "export-scale" }, "PNG scale"),
      scale,
    ),
  );
  const element = h(
    "div",
    { class: "export", role: "group", "aria-label": "Export" },
    h("span", { class: "meta" }, "Export"),
    ...buttons,
    options,
    note,
  );

  function update(): void {
    for (const button of buttons) button.disabled = target() === null;
  }

  function queryFor(format: Format): Record<string, string> {
    if (format === "pdf") return { paper: paper.value };
    if (format === "png") return { width: width.value, scale: scale.value };
    return {};
  }

  async function download(format: Format): Promise<void> {
    const current = target();
    if (!current) return;
    if (format === "png" && !width.checkValidity()) {
      note.className = "export-note error";
      note.textContent = `PNG width must be ${PNG_WIDTH.min}–${PNG_WIDTH.max} px.`;
      return;
    }
    for (const button of buttons) button.disabled = true;
    note.className = "export-note";
    note.textContent = `Preparing ${format.toUpperCase()}…`;
    try {
      const response = await request(
        api.exportUrl(current.sessionId, current.documentId, format, current.version, queryFor(format)),
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
      update();
    }
  }

  return { element, update };
}
