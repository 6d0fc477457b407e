import { api, errorText, type DocumentSummary, type VersionInfo } from "./api.js";
import type { CodePanel } from "./code-panel.js";
import { armedConfirm, h, inlineEdit, replace } from "./dom.js";
import { createFrameBridge } from "./frame-bridge.js";

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
  onDelete(documentId: string): void;
  onBackToLatest(): void;
  onRestore(version: number): void;
  onSaved(version: VersionInfo): void;
}

export interface PreviewPane {
  setDocuments(documents: DocumentSummary[], activeId: string | null): void;
  /** `changed`: the version just came from an edit, so what it changed is outlined. */
  show(target: PreviewTarget | null, html?: string, changed?: boolean): void;
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
  let codeView = null as CodePanel | null;
  const changes = h(
    "button",
    { type: "button", class: "small", "aria-pressed": "false", disabled: true },
    "Changes",
  );
  const fullScreen = h("button", { type: "button", class: "small", disabled: true }, "Full screen");
  const newTabLink = h(
    "a",
    { class: "button small", target: "_blank", rel: "noopener", "aria-disabled": "true" },
    "Open in new tab",
  );
  toolbar.append(changes, fullScreen, newTabLink);
  const empty = h(
    "div",
    { class: "preview-empty" },
    h("p", {}, "Nothing to preview yet."),
    h("p", { class: "meta" }, "Describe a page in the chat and it appears here."),
  );
  const stage = h("div", { id: "preview-panel", class: "stage", role: "tabpanel" }, empty, frame);
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
  let showChanges = false;
  const bridge = createFrameBridge(frame, (count) => {
    changes.textContent = showChanges ? `Changes (${count})` : "Changes";
  });

  codeToggle.addEventListener("click", () => {
    const on = codeToggle.getAttribute("aria-pressed") !== "true";
    if (!on && codeView?.hasChanges() && !confirm("Leave the code view? Your unsaved changes will be lost."))
      return;
    codeToggle.setAttribute("aria-pressed", String(on));
    void render();
  });

  changes.addEventListener("click", () => {
    showChanges = changes.getAttribute("aria-pressed") !== "true";
    void outlineChanges(true);
  });

  fullScreen.addEventListener("click", () => void stage.requestFullscreen?.());

  tabs.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    event.preventDefault();
    const buttons = [...tabs.querySelectorAll<HTMLButtonElement>("[role=tab]")];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[(index + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
    next?.focus();
    next?.click();
  });

  function renderTabs(): void {
    const hadFocus = tabs.contains(document.activeElement);
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
    // The tabs are rebuilt after every switch or rename: focus stays on the tab row instead of the page body.
    if (hadFocus) (tabs.querySelector("[aria-selected=true]") as HTMLElement | null)?.focus();
    const active = documents.find((doc) => doc.id === activeId);
    toolbar.querySelectorAll(".doc-action").forEach((button) => button.remove());
    if (!active) return;
    const label = active.title || "this document";
    const renameButton = h(
      "button",
      { type: "button", class: "small doc-action", onclick: () => void rename(active, tabFor(active.id)) },
      "Rename",
    );
    codeToggle.before(renameButton);
    // The last document cannot be deleted (the server answers 409 last_document): no button to offer it.
    if (documents.length > 1)
      codeToggle.before(
        armedConfirm(
          `Delete document ${label}`,
          "Delete",
          "Delete?",
          () => hooks.onDelete(active.id),
          "small doc-action danger",
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

  /** Outlines in the preview what this version changed against the one before it (when asked to). */
  async function outlineChanges(reveal: boolean): Promise<void> {
    changes.setAttribute("aria-pressed", String(showChanges));
    changes.textContent = "Changes";
    const version = target?.version ?? null;
    if (!target || version === null || version < 2 || !showChanges) return bridge.highlight(null, false);
    try {
      bridge.highlight(await api.html(target.sessionId, target.documentId, version - 1), reveal);
    } catch (error) {
      changes.textContent = `Changes: ${errorText(error)}`;
    }
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
    if (codeView) codeView.element.hidden = !has || !showCode;
    fullScreen.disabled = !has || showCode;
    changes.disabled = !has || showCode || (target?.version ?? 0) < 2;
    if (!target || target.version === null) {
      newTabLink.removeAttribute("href");
      newTabLink.setAttribute("aria-disabled", "true");
      return;
    }
    const url = api.previewUrl(target.sessionId, target.documentId, target.version);
    newTabLink.href = url;
    newTabLink.removeAttribute("aria-disabled");
    if (!showCode) {
      if (url !== shownUrl) {
        bridge.loading(target.documentId);
        frame.src = shownUrl = url;
        void outlineChanges(false);
      }
      return;
    }
    const shown = target;
    try {
      const panel = await codePanel();
      try {
        source ??= await api.html(shown.sessionId, shown.documentId, target.version);
        panel.show(shown, source);
      } catch (error) {
        panel.show(
          { ...shown, latestVersion: null },
          `<!-- Could not load the source: ${errorText(error)} -->`,
        );
      }
    } catch (error) {
      empty.hidden = false;
      replace(empty, h("p", { class: "notice" }, `The code view did not load: ${errorText(error)}`));
    }
  }

  /** The editor is a separate chunk, fetched the first time the Code tab opens. */
  async function codePanel(): Promise<CodePanel> {
    const panel = codeView ?? (await import("./code-panel.js")).createCodePanel(hooks.onSaved);
    if (!panel.element.isConnected) stage.append(panel.element);
    codeView = panel;
    panel.element.hidden = false;
    return panel;
  }

  return {
    toolbar,
    setDocuments(list, id) {
      documents = list;
      activeId = id;
      renderTabs();
    },
    show(next, html, changed = false) {
      const same = next && target && next.documentId === target.documentId && next.version === target.version;
      if (!same) source = html ?? null;
      if (next?.documentId !== target?.documentId) showChanges = false;
      if (changed) showChanges = true;
      target = next;
      void render();
    },
  };
}
