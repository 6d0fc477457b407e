import { api, ApiFailure, errorText, type SessionSummary } from "./api.js";
import { armedConfirm, h, inlineEdit, replace } from "./dom.js";
import { expiryText } from "./expiry.js";
import { formatTime } from "./format.js";
import { groupSessions } from "./session-groups.js";

export interface SessionsHooks {
  onOpen(id: string): void;
  onDeleted(id: string): void;
}

export interface SessionsPane {
  refresh(): Promise<SessionSummary[]>;
  setActive(id: string | null): void;
  /** Creates a session; shows the 409 too_many_sessions refusal (and any other) in the pane. */
  create(): Promise<string | undefined>;
}

/** The sessions list: search by title, grouped by last use; open, rename, delete (two-step confirm), start new. */
export function createSessionsPane(root: HTMLElement, hooks: SessionsHooks): SessionsPane {
  const list = h("ul", { class: "session-list", "aria-label": "Your sessions" });
  const notice = h("p", { class: "notice", role: "alert", hidden: true });
  let activeId: string | null = null;
  let sessions: SessionSummary[] = [];

  const newButton = h(
    "button",
    { type: "button", class: "primary small", onclick: () => void create() },
    "New session",
  );
  const search = h("input", {
    type: "search",
    class: "session-search",
    placeholder: "Search by title",
    "aria-label": "Search sessions by title",
    oninput: () => render(),
  });
  replace(
    root,
    h("div", { class: "pane-head" }, h("h2", { id: "sessions-title" }, "Sessions"), newButton),
    notice,
    search,
    list,
  );

  function showNotice(text: string | null): void {
    notice.hidden = text === null;
    notice.textContent = text ?? "";
  }

  function render(): void {
    if (sessions.length === 0) {
      replace(list, h("li", { class: "empty" }, "No sessions yet. Write a message to start one."));
      return;
    }
    const groups = groupSessions(sessions, search.value);
    if (groups.length === 0) {
      replace(list, h("li", { class: "empty" }, `No session title contains “${search.value.trim()}”.`));
      return;
    }
    replace(
      list,
      ...groups.map((group) =>
        h(
          "li",
          { class: "session-group" },
          h("h3", { class: "group-label" }, group.label),
          h("ul", { class: "session-list", "aria-label": group.label }, ...group.sessions.map(item)),
        ),
      ),
    );
  }

  function item(session: SessionSummary): HTMLLIElement {
    const active = session.id === activeId;
    const title = h(
      "button",
      {
        type: "button",
        class: "session-open",
        "aria-current": active ? "true" : null,
        onclick: () => hooks.onOpen(session.id),
      },
      h("span", { class: "session-title" }, session.title || "Untitled session"),
      h(
        "span",
        { class: "meta" },
        `${session.documentCount} doc${session.documentCount === 1 ? "" : "s"} · ${formatTime(session.lastActive)}`,
      ),
      expiryLine(session),
    );
    const pin = h(
      "button",
      {
        type: "button",
        class: session.pinned ? "icon pinned" : "icon",
        "aria-pressed": String(session.pinned),
        "aria-label": `${session.pinned ? "Unpin" : "Pin"} session ${session.title}`,
        title: session.pinned ? "Unpin (it will expire again)" : "Pin (never expires)",
        onclick: () =>
          void guard(async () => {
            await api.pinSession(session.id, !session.pinned);
            await refresh();
          }),
      },
      session.pinned ? "★" : "☆",
    );
    const rename = h(
      "button",
      {
        type: "button",
        class: "icon",
        "aria-label": `Rename session ${session.title}`,
        title: "Rename",
        onclick: () => void renameSession(session, title),
      },
      "✎",
    );
    const remove = armedConfirm(
      `Delete session ${session.title}`,
      "✕",
      "Delete?",
      () => void deleteSession(session),
    );
    return h("li", { class: active ? "session active" : "session" }, title, pin, rename, remove);
  }

  async function renameSession(session: SessionSummary, label: HTMLElement): Promise<void> {
    const title = await inlineEdit(label, session.title, "New session title");
    if (!title) return;
    await guard(async () => {
      await api.renameSession(session.id, title);
      await refresh();
    });
  }

  async function deleteSession(session: SessionSummary): Promise<void> {
    await guard(async () => {
      await api.deleteSession(session.id);
      await refresh();
      hooks.onDeleted(session.id);
    });
  }

  async function guard(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      showNotice(null);
      return true;
    } catch (error) {
      showNotice(describe(error));
      return false;
    }
  }

  async function refresh(): Promise<SessionSummary[]> {
    await guard(async () => {
      sessions = (await api.listSessions()).sessions;
      search.hidden = sessions.length < 2;
      render();
    });
    return sessions;
  }

  async function create(): Promise<string | undefined> {
    let id: string | undefined;
    await guard(async () => {
      id = (await api.createSession()).session.id;
      await refresh();
      hooks.onOpen(id);
    });
    return id;
  }

  return {
    refresh,
    create,
    setActive(id) {
      activeId = id;
      render();
    },
  };
}

function expiryLine(session: SessionSummary): HTMLElement {
  const expiry = expiryText(session.expiresAt);
  return h(
    "span",
    {
      class: expiry.warning ? "session-expiry warning" : "session-expiry",
      title: session.expiresAt
        ? `Deleted after ${formatTime(session.expiresAt)} unless used or pinned`
        : null,
    },
    expiry.text,
  );
}

/** The server's 409 already says what to do ("delete one to start another"); it is shown once, as sent. */
function describe(error: unknown): string {
  if (error instanceof ApiFailure && error.code === "too_many_sessions") return capitalise(error.message);
  return errorText(error);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
