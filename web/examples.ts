import { h } from "./dom.js";

const EXAMPLES = [
  "A one-page brief for our Q3 product launch, with a timeline and a budget table",
  "An invitation to the team offsite on 12 June, with an agenda and a map placeholder",
  "A weekly newsletter with three story cards and a sign-up button",
];

/** First visit: a few prompts to start from; choosing one fills the message box (nothing is sent). */
export function examplePrompts(use: (text: string) => void): HTMLElement {
  return h(
    "div",
    { class: "examples" },
    h("p", { class: "meta" }, "Try one of these:"),
    h(
      "ul",
      { class: "example-list", "aria-label": "Example prompts" },
      ...EXAMPLES.map((text) =>
        h("li", {}, h("button", { type: "button", class: "example", onclick: () => use(text) }, text)),
      ),
    ),
  );
}
