import { ApiFailure, errorText, request } from "./api.js";
import { h, replace } from "./dom.js";
import { nextPlaceholder } from "./placeholders.js";

export interface Starter {
  id: string;
  name: string;
  description: string;
  prompt: string;
  placeholders: string[];
  thumbnailUrl: string;
  source: "builtin" | "operator";
}

export interface StartersHooks {
  /** The message box the chosen prompt goes into. */
  input: HTMLTextAreaElement;
  /** The conversation list: the gallery shows while it holds no messages. */
  log: HTMLElement;
}

export interface StartersUi {
  /** The "Templates" button for the composer bar. */
  button: HTMLButtonElement;
  /** The gallery shown on an empty conversation. */
  gallery: HTMLElement;
}

/**
 * Starter templates: a gallery on an empty conversation and a dialog behind the Templates button. Picking one puts
 * its prompt into the message box with the first `{{placeholder}}` selected; Tab / Shift+Tab step through the
 * others (plain Tab moves focus again once none is left). The list is fetched each time, so an operator's new file
 * shows up without a reload.
 */
export function createStarters(hooks: StartersHooks): StartersUi {
  const { input, log } = hooks;
  const gallery = h("section", { class: "starters", "aria-label": "Start from a template", hidden: true });
  const dialogList = h("ul", { class: "starter-grid" });
  const dialogNote = h("p", { class: "hint", role: "status" });
  const dialog = h(
    "dialog",
    { class: "starter-dialog", "aria-labelledby": "starter-dialog-title" },
    h(
      "div",
      { class: "dialog-head" },
      h("h2", { id: "starter-dialog-title" }, "Templates"),
      h("button", { type: "button", class: "small", onclick: () => dialog.close() }, "Close"),
    ),
    dialogNote,
    dialogList,
  );
  document.body.append(dialog);
  const button = h(
    "button",
    { type: "button", class: "small", "aria-haspopup": "dialog", onclick: () => void openDialog() },
    "Templates",
  );

  function pick(starter: Starter): void {
    dialog.close();
    input.value = starter.prompt;
    input.focus();
    const first = nextPlaceholder(input.value, { start: 0, end: 0 });
    if (first) input.setSelectionRange(first.start, first.end);
    else input.setSelectionRange(input.value.length, input.value.length);
  }

  function card(starter: Starter): HTMLLIElement {
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: "starter-card",
          "data-starter": starter.id,
          onclick: () => pick(starter),
        },
        h("img", { src: starter.thumbnailUrl, alt: "", width: 160, height: 100, loading: "lazy" }),
        h("span", { class: "starter-name" }, starter.name),
        h("span", { class: "starter-description" }, starter.description),
      ),
    );
  }

  async function fetchStarters(): Promise<Starter[]> {
    const response = await request("/api/templates");
    return ((await response.json()) as { templates: Starter[] }).templates;
  }

  async function openDialog(): Promise<void> {
    replace(dialogList);
    dialogNote.textContent = "Loading templates…";
    dialog.showModal();
    try {
      const starters = await fetchStarters();
      replace(dialogList, ...starters.map(card));
      dialogNote.textContent = "Pick one: its blanks are selected one by one, Tab moves to the next.";
    } catch (error) {
      dialogNote.textContent = `Templates could not be loaded: ${errorText(error)}`;
    }
  }

  async function refreshGallery(): Promise<void> {
    const empty = log.querySelector(".bubble") === null;
    const appearing = empty && gallery.hidden;
    gallery.hidden = !empty;
    if (!appearing) return;
    try {
      const starters = await fetchStarters();
      replace(
        gallery,
        h("h3", {}, "Or start from a template"),
        h("ul", { class: "starter-grid" }, ...starters.map(card)),
      );
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
    }
  }

  input.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey) return;
    const next = nextPlaceholder(
      input.value,
      { start: input.selectionStart, end: input.selectionEnd },
      event.shiftKey,
    );
    if (!next) return;
    event.preventDefault();
    input.setSelectionRange(next.start, next.end);
  });
  // The conversation list is rebuilt by the chat pane; watching it keeps this module out of the chat's code.
  new MutationObserver(() => void refreshGallery()).observe(log, { childList: true });
  void refreshGallery();
  return { button, gallery };
}
