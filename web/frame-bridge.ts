/** Messages from the script the server adds to `/preview` (src/server/preview-bridge.ts). */
type BridgeMessage =
  | { ahb: true; type: "ready" }
  | { ahb: true; type: "scroll"; y: number }
  | { ahb: true; type: "highlighted"; count: number };

export interface FrameBridge {
  /** The frame is about to load a version of `documentId`: the same document keeps the reader's place. */
  loading(documentId: string): void;
  /** Outlines what changed against `previous` HTML (null removes the outlines), now or once the frame is ready. */
  highlight(previous: string | null, reveal: boolean): void;
}

/**
 * The page's side of the preview bridge. Only messages whose source is this frame's window are believed; the
 * worst a document's own script can do by posting look-alikes is move its own scroll position.
 */
export function createFrameBridge(
  frame: HTMLIFrameElement,
  onHighlighted: (count: number) => void,
): FrameBridge {
  let ready = false;
  let documentId: string | null = null;
  let place: { documentId: string; y: number } | null = null;
  let pending: { previous: string | null; reveal: boolean } | null = null;

  const post = (data: Record<string, unknown>) =>
    frame.contentWindow?.postMessage({ ahb: true, ...data }, "*");

  window.addEventListener("message", (event: MessageEvent<BridgeMessage>) => {
    if (event.source !== frame.contentWindow || event.data?.ahb !== true) return;
    const message = event.data;
    if (message.type === "ready") {
      ready = true;
      if (place && place.documentId === documentId && !pending?.reveal)
        post({ type: "scrollTo", y: place.y });
      if (pending) post({ type: "highlight", ...pending });
      pending = null;
    } else if (message.type === "scroll" && documentId) {
      place = { documentId, y: message.y };
    } else if (message.type === "highlighted") {
      onHighlighted(message.count);
    }
  });

  return {
    loading(id) {
      ready = false;
      documentId = id;
    },
    highlight(previous, reveal) {
      if (ready) post({ type: "highlight", previous, reveal });
      else pending = { previous, reveal };
    },
  };
}
