import hljs from "highlight.js/lib/core";
import css from "highlight.js/lib/languages/css";
import javascript from "highlight.js/lib/languages/javascript";
import xml from "highlight.js/lib/languages/xml";
import { api, errorText, type DocumentSummary } from "./api.js";
import { h, inlineEdit, replace } from "./dom.js";
import { abbreviateDataUris } from "./format.js";

hljs.registerLanguage("xml", xml);
hljs.registerLanguage("css", css);
hljs.registerLanguage("javascript", javascript);

export interface PreviewTarget {
  sessionId: string;
  documentId: string;
  /** The version shown; null when the document has none yet. */
  version: number | null;
  latestVersion: number | null;
}

export interface PreviewHooks {
  onSelect(documentId: string): void;
  onRename(documentId: string, title: string): void;
  onNew(): void;
  onBackToLatest(): void;
  onRestore(version: number): void;
}

export interface PreviewPane {
  setDocuments(documents: DocumentSummary[], activeId: string | null): void;
  show(target: PreviewTarget | null, html?: string): void;
  /** Where the export buttons go. */
  readonly toolbar: HTMLElement;
}

/**
 * The generated page, framed from the server's /preview URL in an iframe sandboxed WITHOUT allow-same-origin:
 * its scripts run in an opaque origin (no parent.document, no cookies, no same-origin API calls) and the
 * response's own CSP (connect-src none) forbids network access. srcdoc is not used because it would inherit
 * this page's CSP and block the document's own inline scripts.
 */
export function createPreviewPane(root: HTMLElement, hooks: PreviewHooks): PreviewPane {
  const tabs = h("div", { class: "tabs", role: "tablist", "aria-label": "Documents" });
  const newTab = h(
    "button",
    {
      type: "button",
      class: "icon tab-new",
      "aria-label": "New document",
      title: "New document",
      onclick: hooks.onNew,
    },
    "+",
  );
  const codeToggle = h("button", { type: "button", "aria-pressed": "false", class: "small" }, "Code");
  const toolbar = h("div", { class: "toolbar" }, codeToggle);
  const banner = h("div", { class: "version-banner", role: "status", hidden: true });
  const frame = h("iframe", {
    title: "Preview of the document",
    sandbox: "allow-scripts",
    referrerpolicy: "no-referrer",
    class: "preview-frame",
  });
  const code = h("code", { class: "hljs language-xml" });
  const codeView = h(
    "pre",
    { class: "code-view", hidden: true, tabindex: 0, "aria-label": "HTML source (read only)" },
    code,
  );
  const empty = h(
    "div",
    { class: "preview-empty" },
    h("p", {}, "Nothing to preview yet."),
    h("p", { class: "meta" }, "Describe a page in the chat and it appears here."),
  );
  const stage = h("div", { id: "preview-panel", class: "stage", role: "tabpanel" }, empty, frame, codeView);
  replace(
    root,
    h("h2", { id: "preview-title", class: "visually-hidden" }, "Preview"),
    h("div", { class: "tab-row" }, tabs, newTab),
    toolbar,
    banner,
    stage,
  );

  let documents: DocumentSummary[] = [];
  let activeId: string | null = null;
  let target: PreviewTarget | null = null;
  let source: string | null = null;
  let shownUrl = "";

  codeToggle.addEventListener("click", () => {
    const on = codeToggle.getAttribute("aria-pressed") !== "true";
    codeToggle.setAttribute("aria-pressed", String(on));
    codeToggle.textContent = on ? "Preview" : "Code";
    void render();
  });

  tabs.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const buttons = [...tabs.querySelectorAll<HTMLButtonElement>("[role=tab]")];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[(index + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
    next?.focus();
    next?.click();
  });

  function renderTabs(): void {
    replace(
      tabs,
      ...documents.map((doc, index) => {
        const selected = doc.id === activeId;
        const tab = h(
          "button",
          {
            type: "button",
            role: "tab",
            class: "tab",
            "aria-selected": String(selected),
            "aria-controls": "preview-panel",
            tabindex: selected ? 0 : -1,
            title: "Double-click to rename",
            onclick: () => {
              if (doc.id !== activeId) hooks.onSelect(doc.id);
            },
            ondblclick: () => void rename(doc, tab),
          },
          doc.title || `Document ${index + 1}`,
        );
        return tab;
      }),
    );
    const active = documents.find((doc) => doc.id === activeId);
    toolbar.querySelector(".rename")?.remove();
    if (active)
      codeToggle.before(
        h(
          "button",
          { type: "button", class: "small rename", onclick: () => void rename(active, tabFor(active.id)) },
          "Rename",
        ),
      );
  }

  function tabFor(id: string): HTMLElement {
    const index = documents.findIndex((doc) => doc.id === id);
    return tabs.children[index] as HTMLElement;
  }

  async function rename(doc: DocumentSummary, label: HTMLElement): Promise<void> {
    const title = await inlineEdit(label, doc.title, "New document title");
    if (title) hooks.onRename(doc.id, title);
  }

  function renderBanner(): void {
    const old = target && target.version !== null && target.version !== target.latestVersion;
    banner.hidden = !old;
    if (!old || !target) return;
    const version = target.version as number;
    replace(
      banner,
      h("span", {}, `Viewing version ${version} of ${target.latestVersion}.`),
      h(
        "button",
        { type: "button", class: "small primary", onclick: () => hooks.onRestore(version) },
        "Restore this version",
      ),
      h("button", { type: "button", class: "small", onclick: hooks.onBackToLatest }, "Back to latest"),
    );
  }

  async function render(): Promise<void> {
    renderBanner();
    const showCode = codeToggle.getAttribute("aria-pressed") === "true";
    const has = target !== null && target.version !== null;
    empty.hidden = has;
    frame.hidden = !has || showCode;
    codeView.hidden = !has || !showCode;
    if (!target || target.version === null) return;
    const url = api.previewUrl(target.sessionId, target.documentId, target.version);
    if (!showCode) {
      if (url !== shownUrl) frame.src = shownUrl = url;
      return;
    }
    try {
      source ??= await api.html(target.sessionId, target.documentId, target.version);
      code.innerHTML = hljs.highlight(abbreviateDataUris(source), { language: "xml" }).value;
    } catch (error) {
      code.textContent = `Could not load the source: ${errorText(error)}`;
    }
  }

  return {
    toolbar,
    setDocuments(list, id) {
      documents = list;
      activeId = id;
      renderTabs();
    },
    show(next, html) {
      const same = next && target && next.documentId === target.documentId && next.version === target.version;
      if (!same) source = html ?? null;
      target = next;
      void render();
    },
  };
}
