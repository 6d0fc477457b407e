type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * Creates an element: attributes as strings, `on*` keys as listeners (never inline handlers, which the
 * CSP forbids), children as nodes or text (text is never parsed as HTML).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyAttrs(element, attrs);
  append(element, children);
  return element;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function svg(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag) as SVGElement;
  applyAttrs(element, attrs);
  append(element, children);
  return element;
}

function applyAttrs(element: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined)
      element.setAttribute(name, String(value));
  }
}

function append(element: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** Replaces all children of an element. */
export function replace(element: Element, ...children: Child[]): void {
  element.replaceChildren();
  append(element, children);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing element #${id}`);
  return element as T;
}

/**
 * Swaps a label for a text input; Enter or blur saves, Escape cancels. Resolves with the new text or
 * undefined when nothing changed.
 */
export function inlineEdit(target: HTMLElement, current: string, label: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const input = h("input", {
      type: "text",
      value: current,
      "aria-label": label,
      class: "inline-edit",
      maxlength: 200,
    });
    let settled = false;
    const finish = (save: boolean) => {
      if (settled) return;
      settled = true;
      const value = input.value.trim();
      const hadFocus = document.activeElement === input;
      input.replaceWith(target);
      // Enter or Escape leaves focus where the user was, not on the page body.
      if (hadFocus) target.focus();
      resolve(save && value.length > 0 && value !== current ? value : undefined);
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        finish(true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        finish(false);
      }
    });
    input.addEventListener("blur", () => finish(true));
    target.replaceWith(input);
    input.focus();
    input.select();
  });
}

/**
 * A delete button that asks twice without a blocking dialog: the first click arms it ("Delete?"), a second
 * within 4 s runs the action; otherwise it disarms itself.
 */
export function armedConfirm(
  label: string,
  text: string,
  armedText: string,
  action: () => void,
  className = "icon danger",
): HTMLButtonElement {
  const button = h("button", { type: "button", class: className, "aria-label": label, title: label }, text);
  button.addEventListener("click", () => {
    if (button.dataset.armed === "true") return action();
    button.dataset.armed = "true";
    button.textContent = armedText;
    button.setAttribute("aria-label", `Confirm: ${label}`);
    setTimeout(() => {
      if (!button.isConnected) return;
      button.dataset.armed = "false";
      button.textContent = text;
      button.setAttribute("aria-label", label);
    }, 4000);
  });
  return button;
}
