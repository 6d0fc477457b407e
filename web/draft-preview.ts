import { h } from "./dom.js";

/** How often a streaming draft is re-rendered: each update reloads the frame, so not on every delta. */
const DRAFT_INTERVAL_MS = 400;

export interface DraftPreview {
  /** The document so far, as the model writes it. */
  show(html: string): void;
  /** The turn ended or its version arrived: the real preview takes over. */
  clear(): void;
}

/** The draft as the browser would render it so far, without scripts (they run once the version is saved). */
export function draftDocument(partial: string): string {
  return partial
    .replace(/^```html\s*/i, "")
    .replace(/<script\b[\s\S]*?(?:<\/script\s*>|$)/gi, "")
    .replace(/<!--[\s\S]*$/, "");
}

/**
 * A progressive preview while a page is created: the partial document in a frame laid over the preview, fully
 * sandboxed (no scripts, opaque origin) and fed through srcdoc, updated a few times a second.
 */
export function createDraftPreview(stage: HTMLElement): DraftPreview {
  const frame = h("iframe", {
    title: "Draft of the document being written",
    sandbox: "",
    referrerpolicy: "no-referrer",
    class: "draft-frame",
    hidden: true,
  });
  stage.append(frame);
  let latest = "";
  let timer: ReturnType<typeof setTimeout> | null = null;

  const paint = () => {
    timer = null;
    frame.hidden = false;
    frame.srcdoc = draftDocument(latest);
  };

  return {
    show(html) {
      latest = html;
      timer ??= setTimeout(paint, frame.hidden ? 0 : DRAFT_INTERVAL_MS);
    },
    clear() {
      if (timer) clearTimeout(timer);
      timer = null;
      latest = "";
      frame.hidden = true;
      frame.removeAttribute("srcdoc");
    },
  };
}
