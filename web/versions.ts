import { api, errorText, type VersionInfo } from "./api.js";
import { h, replace } from "./dom.js";
import { formatTime } from "./format.js";
import { promptBlock, summaryBlock } from "./version-text.js";

export interface VersionsHooks {
  onPreview(version: number): void;
  onRestored(version: VersionInfo): void;
}

export interface VersionsPane {
  load(sessionId: string | null, documentId: string | null): Promise<VersionInfo[]>;
  /** Marks the version the preview shows. */
  setShown(version: number | null): void;
  restore(version: number): Promise<void>;
}

/** The active document's timeline, newest first: prompt, summary, model, time; preview or restore any version. */
export function createVersionsPane(root: HTMLElement, hooks: VersionsHooks): VersionsPane {
  const list = h("ol", { class: "timeline", "aria-label": "Versions, newest first" });
  const notice = h("p", { class: "notice", role: "alert", hidden: true });
  replace(
    root,
    h("div", { class: "pane-head" }, h("h2", { id: "versions-title" }, "Versions")),
    notice,
    list,
  );

  let versions: VersionInfo[] = [];
  let shown: number | null = null;
  let target: { sessionId: string; documentId: string } | null = null;

  function render(): void {
    if (versions.length === 0) {
      replace(list, h("li", { class: "empty" }, "No versions yet."));
      return;
    }
    const latest = versions[0]?.version;
    replace(
      list,
      ...versions.map((info) =>
        h(
          "li",
          {
            class: info.version === shown ? "version shown" : "version",
            "aria-current": info.version === shown ? "true" : null,
          },
          thumbnail(info.version),
          h(
            "div",
            { class: "version-head" },
            h("strong", {}, `v${info.version}`),
            info.version === latest ? h("span", { class: "badge" }, "latest") : null,
            h(
              "span",
              { class: "meta" },
              [info.model, formatTime(info.createdAt)].filter(Boolean).join(" · "),
            ),
          ),
          info.prompt ? promptBlock(info.prompt) : null,
          info.summary ? summaryBlock(info.summary) : null,
          h(
            "div",
            { class: "version-actions" },
            h(
              "button",
              {
                type: "button",
                class: "small",
                "aria-label": `Preview version ${info.version}`,
                onclick: () => hooks.onPreview(info.version),
              },
              "Preview",
            ),
            info.version === latest
              ? null
              : h(
                  "button",
                  {
                    type: "button",
                    class: "small",
                    "aria-label": `Restore version ${info.version}`,
                    onclick: () => void restore(info.version),
                  },
                  "Restore",
                ),
          ),
        ),
      ),
    );
  }

  /**
   * The server renders each version's thumbnail once and keeps the file (a version never changes); the browser
   * caches it too (immutable for a given version) and only fetches those scrolled into view.
   */
  function thumbnail(version: number): HTMLElement | null {
    if (!target) return null;
    const image = h("img", {
      class: "thumb",
      src: api.thumbnailUrl(target.sessionId, target.documentId, version),
      loading: "lazy",
      width: 160,
      height: 120,
      alt: "",
      onerror: () => image.remove(),
    });
    return h(
      "button",
      {
        type: "button",
        class: "thumb-button",
        // The Preview button below does the same for keyboards and screen readers.
        "aria-hidden": "true",
        tabindex: -1,
        onclick: () => hooks.onPreview(version),
      },
      image,
    );
  }

  async function load(sessionId: string | null, documentId: string | null): Promise<VersionInfo[]> {
    target = sessionId && documentId ? { sessionId, documentId } : null;
    notice.hidden = true;
    versions = [];
    if (target) {
      try {
        versions = (await api.versions(target.sessionId, target.documentId)).versions;
        versions.sort((a, b) => b.version - a.version);
      } catch (error) {
        notice.hidden = false;
        notice.textContent = errorText(error);
      }
    }
    render();
    return versions;
  }

  async function restore(version: number): Promise<void> {
    if (!target) return;
    try {
      const restored = (await api.restore(target.sessionId, target.documentId, version)).version;
      notice.hidden = true;
      hooks.onRestored(restored);
    } catch (error) {
      notice.hidden = false;
      notice.textContent = errorText(error);
    }
  }

  return {
    load,
    restore,
    setShown(version) {
      shown = version;
      render();
    },
  };
}
