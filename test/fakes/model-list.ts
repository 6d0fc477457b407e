import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Wire-format fake of the two model-listing endpoints only: Anthropic `GET /v1/models` and Gemini
 * `GET /v1beta/models`. The chat fakes (Messages, generateContent) live in anthropic.ts / gemini.ts.
 */
export type ListingMode = "ok" | "invalid_key" | "forbidden" | "rate_limited";

export interface SeenRequest {
  provider: "anthropic" | "google";
  method: string;
  path: string;
  /** The key the SDK sent (x-api-key or Authorization: Bearer / x-goog-api-key). */
  apiKey: string | undefined;
  hadKeyInUrl: boolean;
}

export interface ModelListFake {
  url: string;
  modes: { anthropic: ListingMode; google: ListingMode };
  requests: SeenRequest[];
  close(): Promise<void>;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const anthropicModels = {
  data: [
    {
      type: "model",
      id: "claude-sonnet-4-5-20250929",
      display_name: "Claude Sonnet 4.5",
      created_at: "2025-09-29T00:00:00Z",
    },
    {
      type: "model",
      id: "claude-opus-4-1-20250805",
      display_name: "Claude Opus 4.1",
      created_at: "2025-08-05T00:00:00Z",
    },
  ],
  has_more: false,
  first_id: "claude-sonnet-4-5-20250929",
  last_id: "claude-opus-4-1-20250805",
};

function anthropicError(type: string, message: string) {
  return { type: "error", error: { type, message }, request_id: "req_fake_0001" };
}

function answerAnthropic(mode: ListingMode, res: ServerResponse): void {
  const headers = { "request-id": "req_fake_0001" };
  if (mode === "ok") return sendJson(res, 200, anthropicModels, headers);
  if (mode === "invalid_key")
    return sendJson(res, 401, anthropicError("authentication_error", "invalid x-api-key"), headers);
  if (mode === "forbidden")
    return sendJson(
      res,
      403,
      anthropicError(
        "permission_error",
        "Your API key does not have permission to use the specified resource.",
      ),
      headers,
    );
  return sendJson(
    res,
    429,
    anthropicError("rate_limit_error", "Number of requests has exceeded your rate limit."),
    {
      ...headers,
      "retry-after": "30",
    },
  );
}

const geminiModels = {
  models: [
    {
      name: "models/gemini-2.5-pro",
      version: "2.5",
      displayName: "Gemini 2.5 Pro",
      description: "Stable release of Gemini 2.5 Pro",
      inputTokenLimit: 1048576,
      outputTokenLimit: 65536,
      supportedGenerationMethods: ["generateContent", "countTokens"],
    },
    {
      name: "models/gemini-3-pro-image-preview",
      version: "3.0",
      displayName: "Nano Banana Pro",
      description: "Gemini 3 Pro Image Preview",
      inputTokenLimit: 65536,
      outputTokenLimit: 32768,
      supportedGenerationMethods: ["generateContent"],
    },
  ],
};

function googleError(code: number, status: string, message: string, reason: string) {
  return {
    error: {
      code,
      message,
      status,
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason,
          domain: "googleapis.com",
          metadata: { service: "generativelanguage.googleapis.com" },
        },
      ],
    },
  };
}

function answerGoogle(mode: ListingMode, res: ServerResponse): void {
  if (mode === "ok") return sendJson(res, 200, geminiModels);
  if (mode === "invalid_key")
    return sendJson(
      res,
      400,
      googleError(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        "API_KEY_INVALID",
      ),
    );
  if (mode === "forbidden")
    return sendJson(
      res,
      403,
      googleError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.", "SERVICE_DISABLED"),
    );
  return sendJson(
    res,
    429,
    googleError(
      429,
      "RESOURCE_EXHAUSTED",
      "Resource has been exhausted (e.g. check quota).",
      "RATE_LIMIT_EXCEEDED",
    ),
  );
}

/** The API accepts `x-api-key`; SDK 1.x sends the key as `Authorization: Bearer`. */
function anthropicKey(req: IncomingMessage): string | undefined {
  const header = req.headers["x-api-key"];
  if (typeof header === "string") return header;
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
}

function route(fake: ModelListFake, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://fake");
  const hadKeyInUrl = url.searchParams.has("key");
  if (req.method === "GET" && url.pathname === "/v1/models") {
    fake.requests.push({
      provider: "anthropic",
      method: "GET",
      path: url.pathname,
      apiKey: anthropicKey(req),
      hadKeyInUrl,
    });
    return answerAnthropic(fake.modes.anthropic, res);
  }
  if (req.method === "GET" && url.pathname === "/v1beta/models") {
    const apiKey = req.headers["x-goog-api-key"];
    fake.requests.push({
      provider: "google",
      method: "GET",
      path: url.pathname,
      apiKey: typeof apiKey === "string" ? apiKey : undefined,
      hadKeyInUrl,
    });
    return answerGoogle(fake.modes.google, res);
  }
  sendJson(res, 404, { error: { code: 404, message: `no fake for ${req.method} ${url.pathname}` } });
}

/** Starts the fake on 127.0.0.1 with a free port; point ANTHROPIC_BASE_URL / GOOGLE_GEMINI_BASE_URL at url. */
export async function startModelListFake(
  modes: Partial<ModelListFake["modes"]> = {},
): Promise<ModelListFake> {
  const server = createServer((req, res) => route(fake, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const fake: ModelListFake = {
    url: `http://127.0.0.1:${port}`,
    modes: { anthropic: "ok", google: "ok", ...modes },
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return fake;
}
