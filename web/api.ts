/** Typed client for the JSON API in docs/api.md; every failure becomes an ApiFailure with the server's code. */

import type { CostFields, CostReport as CostsReport } from "../src/costs/report.js";
import type { BudgetReport } from "../src/server/routes/budget.js";
import type { UploadResult } from "../src/upload/extract.js";
import type { AttachmentInfo } from "../src/db/repo/attachments.js";
import type { ChatMessage as Message } from "../src/db/repo/messages.js";

/** The server's own answer types (type-only imports, erased from the bundle). */
export type { AttachmentInfo, CostFields, CostsReport, Message, UploadResult };

export interface SessionSummary {
  id: string;
  title: string;
  createdAt: string;
  lastActive: string;
  documentCount: number;
  pinned: boolean;
  /** When cleanup may delete it; null while pinned. */
  expiresAt: string | null;
}

export interface DocumentSummary {
  id: string;
  title: string;
  isActive: boolean;
  createdAt: string;
  latestVersion: number | null;
}

export interface SessionDetail {
  session: SessionSummary;
  documents: DocumentSummary[];
  activeDocumentId: string | null;
}

export interface VersionInfo {
  version: number;
  prompt: string | null;
  summary: string | null;
  model: string | null;
  createdAt: string;
}

export interface Me {
  user: string;
  isAdmin: boolean;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds the server asked to wait before sending again (Retry-After), when it said. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

function retryAfterSeconds(response: Response): number | undefined {
  const seconds = Number(response.headers.get("retry-after") ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Turns a non-2xx response into an ApiFailure, keeping the server's code and message when it sent JSON. */
export async function failureFrom(response: Response): Promise<ApiFailure> {
  const fallback = `${response.status} ${response.statusText || "request failed"}`;
  try {
    const body = (await response.json()) as {
      error?: { code?: string; message?: string; details?: string[] };
    };
    // "request is invalid" alone hides the reason: the server's details say what to fix.
    const details = body.error?.details?.length ? `: ${body.error.details.join("; ")}` : "";
    const message = body.error?.message ? `${body.error.message}${details}` : fallback;
    return new ApiFailure(
      response.status,
      body.error?.code ?? "http_error",
      message,
      retryAfterSeconds(response),
    );
  } catch {
    return new ApiFailure(response.status, "http_error", fallback);
  }
}

/** A fetch that never rejects with a bare TypeError: network trouble becomes ApiFailure(0, "network"). */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...init });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiFailure(0, "network", "The server could not be reached. Check your connection and retry.");
  }
  if (!response.ok) throw await failureFrom(response);
  return response;
}

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await request(path, init);
  return (await response.json()) as T;
}

function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  return json<T>(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const enc = encodeURIComponent;
const sessionPath = (id: string) => `/api/sessions/${enc(id)}`;
const documentPath = (sessionId: string, docId: string) =>
  `${sessionPath(sessionId)}/documents/${enc(docId)}`;
const versionQuery = (version?: number) => (version === undefined ? "" : `?version=${version}`);

export const api = {
  me: () => json<Me>("/api/me"),
  listSessions: () => json<{ sessions: SessionSummary[]; total: number }>("/api/sessions?limit=100&offset=0"),
  createSession: (title?: string) =>
    send<{ session: SessionSummary }>("POST", "/api/sessions", title ? { title } : {}),
  getSession: (id: string) => json<SessionDetail>(sessionPath(id)),
  renameSession: (id: string, title: string) =>
    send<{ session: SessionSummary }>("PATCH", sessionPath(id), { title }),
  pinSession: (id: string, pinned: boolean) =>
    send<{ session: SessionSummary }>("PATCH", sessionPath(id), { pinned }),
  deleteSession: (id: string) => request(sessionPath(id), { method: "DELETE" }).then(() => undefined),
  messages: (id: string) => json<{ messages: Message[] }>(`${sessionPath(id)}/messages`),
  createDocument: (id: string, title?: string) =>
    send<{ document: DocumentSummary }>("POST", `${sessionPath(id)}/documents`, title ? { title } : {}),
  updateDocument: (id: string, docId: string, patch: { title?: string; active?: true }) =>
    send<{ document: DocumentSummary }>("PATCH", documentPath(id, docId), patch),
  deleteDocument: (id: string, docId: string) =>
    request(documentPath(id, docId), { method: "DELETE" }).then(() => undefined),
  html: (id: string, docId: string, version?: number) =>
    request(`${documentPath(id, docId)}/html${versionQuery(version)}`).then((response) => response.text()),
  previewUrl: (id: string, docId: string, version?: number) =>
    `${documentPath(id, docId)}/preview${versionQuery(version)}`,
  exportUrl: (
    id: string,
    docId: string,
    format: "html" | "pdf" | "png",
    version: number,
    options: Record<string, string> = {},
  ) =>
    `${documentPath(id, docId)}/export/${format}?${new URLSearchParams({ version: String(version), ...options })}`,
  thumbnailUrl: (id: string, docId: string, version: number) =>
    `${documentPath(id, docId)}/thumbnail.png${versionQuery(version)}`,
  versions: (id: string, docId: string) =>
    json<{ versions: VersionInfo[] }>(`${documentPath(id, docId)}/versions`),
  saveVersion: (id: string, docId: string, body: { html: string; baseVersion: number }) =>
    send<{ version: VersionInfo }>("POST", `${documentPath(id, docId)}/versions`, body),
  restore: (id: string, docId: string, version: number) =>
    send<{ version: VersionInfo }>("POST", `${documentPath(id, docId)}/versions/${version}/restore`),
  upload: (file: File, sessionId?: string) => {
    const form = new FormData();
    form.append("file", file);
    if (sessionId) form.append("sessionId", sessionId);
    return json<UploadResult & { attachmentId?: string }>("/api/upload", { method: "POST", body: form });
  },
  budget: () => json<BudgetReport>("/api/budget"),
  costs: (days: number, all: boolean) => json<CostsReport>(`/api/costs${all ? "/all" : ""}?days=${days}`),
};

/** The text to show a user for any thrown value. */
export function errorText(error: unknown): string {
  if (error instanceof ApiFailure) return error.message;
  return error instanceof Error ? error.message : String(error);
}
