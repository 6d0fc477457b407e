import { api, errorText, type VersionInfo } from "./api.js";
import { createCodeEditor } from "./code-editor.js";
import { h } from "./dom.js";
import type { PreviewTarget } from "./preview.js";

export interface CodePanel {
  readonly element: HTMLElement;
  /** Shows the source of the target's version; editable only when that is the latest. */
  show(target: PreviewTarget, source: string): void;
  /** True while the editor holds unsaved changes (switching away would lose them). */
  hasChanges(): boolean;
}

/**
 * The Code tab: the source in an editor with Save as new version (the server validates it like an AI edit),
 * Copy and Download. Older versions are read-only: restore one to edit it.
 */
export function createCodePanel(onSaved: (version: VersionInfo) => void): CodePanel {
  const note = h("span", { class: "code-note", role: "status", "aria-live": "polite" });
  const editor = createCodeEditor("HTML source", () => {
    sync();
    if (editor.isDirty()) setNote("Unsaved changes.");
  });
  const save = h(
    "button",
    { type: "button", class: "small primary", disabled: true, onclick: () => void saveVersion() },
    "Save as new version",
  );
  const revert = h(
    "button",
    { type: "button", class: "small", disabled: true, onclick: () => shown && load(shown, loaded) },
    "Discard changes",
  );
  const copy = h("button", { type: "button", class: "small", onclick: () => void copySource() }, "Copy");
  const download = h("button", { type: "button", class: "small", onclick: downloadSource }, "Download");
  const bar = h(
    "div",
    { class: "code-bar", role: "group", "aria-label": "Code" },
    save,
    revert,
    copy,
    download,
    note,
  );
  const element = h("div", { class: "code-panel" }, bar, editor.element);

  let shown: PreviewTarget | null = null;
  let loaded = "";

  function editable(): boolean {
    return shown !== null && shown.version !== null && shown.version === shown.latestVersion;
  }

  function sync(): void {
    const dirty = editor.isDirty();
    save.disabled = !dirty || !editable();
    revert.disabled = !dirty;
  }

  function setNote(text: string, error = false): void {
    note.className = error ? "code-note error" : "code-note";
    note.textContent = text;
  }

  /** The same version again (a refresh of the page around it) keeps the user's unsaved changes. */
  function show(target: PreviewTarget, source: string): void {
    const same = shown?.documentId === target.documentId && shown.version === target.version;
    if (!same || !editor.isDirty()) load(target, source);
  }

  function load(target: PreviewTarget, source: string): void {
    shown = target;
    loaded = source;
    editor.setSource(source, editable());
    setNote(editable() ? "" : `Version ${target.version} is read-only: restore it to edit it.`);
    sync();
  }

  async function saveVersion(): Promise<void> {
    if (!shown || shown.version === null) return;
    save.disabled = true;
    setNote("Saving…");
    try {
      const { version } = await api.saveVersion(shown.sessionId, shown.documentId, {
        html: editor.getSource(),
        baseVersion: shown.version,
      });
      loaded = editor.getSource();
      setNote(`Saved as version ${version.version}.`);
      onSaved(version);
    } catch (error) {
      setNote(`Not saved: ${errorText(error)}`, true);
      sync();
    }
  }

  async function copySource(): Promise<void> {
    try {
      await navigator.clipboard.writeText(editor.getSource());
      setNote("Copied to the clipboard.");
    } catch {
      setNote("The browser refused the clipboard; select the text and copy it.", true);
    }
  }

  function downloadSource(): void {
    const url = URL.createObjectURL(new Blob([editor.getSource()], { type: "text/html" }));
    const name = `document-v${shown?.version ?? 0}${editor.isDirty() ? "-edited" : ""}.html`;
    const link = h("a", { href: url, download: name, class: "visually-hidden" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    setNote(`Downloaded ${name}.`);
  }

  return { element, show, hasChanges: () => editor.isDirty() };
}
