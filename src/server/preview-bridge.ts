/**
 * A small script added to the `/preview` answer (never to exports or `/html`). The preview iframe is an opaque
 * origin, so the page cannot read its scroll position or mark its elements; this script does both on request,
 * through postMessage only:
 * - it tells the parent `{ahb: "ready"}` once loaded and `{ahb: "scroll", y}` as the reader scrolls;
 * - `{ahb: "scrollTo", y}` puts the reader back where they were in the previous version;
 * - `{ahb: "highlight", previous}` outlines the elements whose markup is not in the previous version's HTML
 *   (leaf elements compared by their normalised outer HTML), and scrolls the first one into view when asked;
 *   `previous: null` removes the outlines.
 * It adds nothing the sandbox would not already allow the document's own scripts.
 */
const BRIDGE = `(() => {
  if (window.parent === window) return;
  const send = (data) => window.parent.postMessage(Object.assign({ ahb: true }, data), "*");
  const CLASS = "ahb-changed";
  const style = document.createElement("style");
  style.textContent = "." + CLASS + "{outline:3px solid #f59e0b!important;outline-offset:2px;background-color:rgba(253,230,138,.45)!important}";
  const norm = (el) => el.outerHTML.replace(/\\s+/g, " ").trim();
  const leaves = (root) => [...root.querySelectorAll("body *")].filter(
    (el) => !["SCRIPT", "STYLE", "BR"].includes(el.tagName) && (el.children.length === 0 || /^(P|H[1-6]|LI|TD|TH|FIGURE|FIGCAPTION|BUTTON|A)$/.test(el.tagName)),
  );
  const highlight = (previous, reveal) => {
    document.querySelectorAll("." + CLASS).forEach((el) => el.classList.remove(CLASS));
    if (previous === null) return send({ type: "highlighted", count: 0 });
    if (!style.isConnected) document.head.append(style);
    const before = new Set(leaves(new DOMParser().parseFromString(previous, "text/html")).map(norm));
    const changed = leaves(document).filter((el) => !before.has(norm(el)) && !el.closest("." + CLASS));
    changed.forEach((el) => el.classList.add(CLASS));
    if (reveal && changed[0]) changed[0].scrollIntoView({ block: "center" });
    send({ type: "highlighted", count: changed.length });
  };
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data || event.data.ahb !== true) return;
    if (event.data.type === "scrollTo") window.scrollTo(0, Number(event.data.y) || 0);
    if (event.data.type === "highlight") highlight(event.data.previous ?? null, event.data.reveal === true);
  });
  let pending = 0;
  window.addEventListener("scroll", () => {
    pending ||= requestAnimationFrame(() => { pending = 0; send({ type: "scroll", y: window.scrollY }); });
  }, { passive: true });
  if (document.readyState === "complete") send({ type: "ready" });
  else window.addEventListener("load", () => send({ type: "ready" }));
})();`;

/** The document with the bridge script before its last `</body>` (or at the end when it has none). */
export function withPreviewBridge(html: string): string {
  const tag = `<script>${BRIDGE}</script>`;
  const index = html.toLowerCase().lastIndexOf("</body>");
  return index === -1 ? html + tag : html.slice(0, index) + tag + html.slice(index);
}
