import { api, errorText, type DocumentSummary, type Me } from "./api.js";
import { createBrands } from "./brands.js";
import { createChatPane } from "./chat.js";
import { renderBudgetNote } from "./budget.js";
import { createCostsView } from "./costs.js";
import { byId, h, replace } from "./dom.js";
import { createDraftPreview } from "./draft-preview.js";
import { createExportBar } from "./export.js";
import { createPreviewPane } from "./preview.js";
import { createSessionsPane } from "./sessions.js";
import { createStarters } from "./templates.js";
import { createUpload } from "./upload.js";
import { createVersionsPane } from "./versions.js";

const LAST_SESSION = "ahb.lastSession";

/** What is on screen; every pane reads it through main's hooks, and only main changes it. */
const state = {
  me: null as Me | null,
  sessionId: null as string | null,
  documents: [] as DocumentSummary[],
  documentId: null as string | null,
  latestVersion: null as number | null,
  /** The version in the preview; equals latestVersion unless the user previews an older one. */
  shownVersion: null as number | null,
};
let opening: Promise<void> = Promise.resolve();

const banner = byId("banner");
function showBanner(text: string | null): void {
  banner.hidden = text === null;
  banner.textContent = text ?? "";
}

const sessions = createSessionsPane(byId("sessions"), {
  onOpen: (id) => void openSession(id),
  onDeleted: (id) => {
    if (id === state.sessionId) void openFirstSession();
  },
});

const versions = createVersionsPane(byId("versions"), {
  onPreview: (version) => showVersion(version),
  onRestored: () => void refreshDocument(),
});

const preview = createPreviewPane(byId("preview"), {
  onSelect: (documentId) =>
    void act(async () => {
      if (!state.sessionId) return;
      await api.updateDocument(state.sessionId, documentId, { active: true });
      state.documentId = documentId;
      await refreshDocument();
    }),
  onRename: (documentId, title) =>
    void act(async () => {
      if (!state.sessionId) return;
      await api.updateDocument(state.sessionId, documentId, { title });
      await reloadSession();
    }),
  onNew: () =>
    void act(async () => {
      const sessionId = await ensureSession();
      if (!sessionId) return;
      state.documentId = (await api.createDocument(sessionId)).document.id;
      await reloadSession();
    }),
  onDelete: (documentId) =>
    void act(async () => {
      if (!state.sessionId) return;
      await api.deleteDocument(state.sessionId, documentId);
      if (state.documentId === documentId) state.documentId = null;
      await reloadSession();
    }),
  onBackToLatest: () => showVersion(state.latestVersion),
  onRestore: (version) => void versions.restore(version),
  onSaved: () => void refreshDocument(),
});

const exportBar = createExportBar(() =>
  state.sessionId && state.documentId && state.shownVersion !== null
    ? { sessionId: state.sessionId, documentId: state.documentId, version: state.shownVersion }
    : null,
);
preview.toolbar.append(exportBar.element);

const draft = createDraftPreview(byId("preview-panel"));

const chat = createChatPane(byId("chat"), {
  ensureSession,
  activeDocumentId: () => state.documentId,
  onDraft: (html) => draft.show(html),
  onHtml: (event) => {
    draft.clear();
    state.documentId = event.documentId;
    state.latestVersion = state.shownVersion = event.version;
    preview.show(target(), event.html, true);
    exportBar.update();
  },
  documentTitle: (documentId) =>
    state.documents.length > 1 ? state.documents.find((doc) => doc.id === documentId)?.title : undefined,
  onTurnEnd: (done) => {
    draft.clear();
    if (done?.documentId) state.documentId = done.documentId;
    void refreshBudget();
    void reloadSession();
    void sessions.refresh();
  },
});

chat.form.querySelector(".composer-bar")?.prepend(
  createUpload(byId("chat"), {
    ensureSession,
    onAttachment: (attachment) => chat.attach(attachment),
  }),
);

const conversation = byId("chat").querySelector<HTMLElement>(".messages") ?? byId("chat");
const starters = createStarters({ input: byId<HTMLTextAreaElement>("chat-input"), log: conversation });
conversation.after(starters.gallery);
const brands = createBrands({
  ensureSession,
  isAdmin: () => state.me?.isAdmin === true,
  onError: showBanner,
});
chat.form.querySelector(".composer-bar")?.prepend(starters.button, brands.element);

const costs = createCostsView(byId("costs-view"), () => state.me?.isAdmin === true);

function target() {
  return state.sessionId && state.documentId
    ? {
        sessionId: state.sessionId,
        documentId: state.documentId,
        version: state.shownVersion,
        latestVersion: state.latestVersion,
      }
    : null;
}

function showVersion(version: number | null): void {
  state.shownVersion = version;
  preview.show(target());
  versions.setShown(version);
  exportBar.update();
}

/** Escape cancels a running turn, else leaves the preview of an older version (unless a field used it). */
function onEscape(event: KeyboardEvent): void {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  if (chat.cancel()) return;
  if (state.shownVersion !== state.latestVersion) showVersion(state.latestVersion);
}

async function act(action: () => Promise<void>): Promise<void> {
  try {
    await action();
    showBanner(null);
  } catch (error) {
    showBanner(errorText(error));
  }
}

async function ensureSession(): Promise<string | undefined> {
  if (!state.sessionId) await sessions.create();
  await opening;
  return state.sessionId ?? undefined;
}

function openSession(id: string): Promise<void> {
  opening = act(async () => {
    state.sessionId = id;
    state.documentId = null;
    localStorage.setItem(LAST_SESSION, id);
    sessions.setActive(id);
    await Promise.all([chat.load(id), reloadSession(), brands.load(id)]);
  });
  return opening;
}

async function openFirstSession(): Promise<void> {
  const list = await sessions.refresh();
  const remembered = localStorage.getItem(LAST_SESSION);
  const next = list.find((session) => session.id === remembered) ?? list[0];
  if (next) return openSession(next.id);
  state.sessionId = state.documentId = null;
  state.documents = [];
  sessions.setActive(null);
  await Promise.all([chat.load(null), brands.load(null)]);
  await refreshDocument();
}

/** Re-reads the session's documents (titles, new ones) and then the active document. */
async function reloadSession(): Promise<void> {
  if (!state.sessionId) return;
  const detail = await api.getSession(state.sessionId);
  state.documents = detail.documents;
  const known = detail.documents.some((doc) => doc.id === state.documentId);
  if (!known) state.documentId = detail.activeDocumentId ?? detail.documents[0]?.id ?? null;
  await refreshDocument();
}

async function refreshDocument(): Promise<void> {
  preview.setDocuments(state.documents, state.documentId);
  const list = await versions.load(state.sessionId, state.documentId);
  state.latestVersion = list[0]?.version ?? null;
  showVersion(state.latestVersion);
}

async function refreshBudget(): Promise<void> {
  renderBudgetNote(byId("budget"), await api.budget());
}

function route(): void {
  const showCosts = location.hash === "#costs";
  byId("builder").hidden = showCosts;
  byId("costs-view").hidden = !showCosts;
  byId("nav-builder").setAttribute("aria-current", showCosts ? "false" : "page");
  byId("nav-costs").setAttribute("aria-current", showCosts ? "page" : "false");
  if (showCosts) void costs.load();
}

async function boot(): Promise<void> {
  try {
    state.me = await api.me();
    replace(
      byId("me"),
      h("span", { class: "visually-hidden" }, "Signed in as "),
      state.me.user,
      state.me.isAdmin ? h("span", { class: "badge" }, "admin") : null,
    );
  } catch (error) {
    showBanner(`Could not identify you: ${errorText(error)}`);
  }
  void act(refreshBudget);
  window.addEventListener("hashchange", route);
  document.addEventListener("keydown", onEscape);
  route();
  await openFirstSession();
}

void boot();
