import { h } from "./dom.js";
import { renderMarkdown } from "./markdown.js";

/** Prompts longer than this show their start, with the whole prompt one click away. */
const PROMPT_PREVIEW_CHARS = 160;

/** A version's prompt: short ones whole; long ones shortened inside a <details> that expands to the full text. */
export function promptBlock(prompt: string): HTMLElement {
  if (prompt.length <= PROMPT_PREVIEW_CHARS) return h("p", { class: "prompt" }, prompt);
  const start = `${prompt.slice(0, PROMPT_PREVIEW_CHARS).trimEnd()}…`;
  return h(
    "details",
    { class: "prompt" },
    h("summary", { title: "Show the whole prompt" }, start),
    h("p", { class: "prompt-full" }, prompt),
  );
}

/** A version's summary as the chat shows it: markdown, sanitised. */
export function summaryBlock(summary: string): HTMLElement {
  const block = h("div", { class: "summary" });
  block.innerHTML = renderMarkdown(summary);
  return block;
}
