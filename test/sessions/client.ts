import { fromPeer, type TestApp } from "../helpers/app.js";

export const PROXY = "127.0.0.1";

export interface ErrorBody {
  error: { code: string; message: string; details?: string[] };
}

/**
 * Requests as `user` arriving through the trusted proxy (the default TRUSTED_PROXIES holds 127.0.0.1).
 * A string body is sent as is (to test malformed JSON); anything else is JSON-encoded.
 */
export function asUser(t: TestApp, user: string, extraHeaders: Record<string, string> = {}) {
  return (method: string, path: string, body?: unknown) =>
    t.app.request(
      path,
      {
        method,
        headers: {
          "X-Forwarded-User": user,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          ...extraHeaders,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      },
      fromPeer(PROXY),
    );
}

export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export async function errorCode(response: Response): Promise<string> {
  return (await json<ErrorBody>(response)).error.code;
}
