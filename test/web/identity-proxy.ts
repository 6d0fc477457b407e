import { request as httpRequest, createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const USER_COOKIE = "ahb_test_user";

export interface SeenRequest {
  method: string;
  url: string;
  user: string | null;
  origin: string | null;
}

export interface IdentityProxy {
  url: string;
  seen: SeenRequest[];
  /** Sends what comes next to another upstream port, the way a blue/green switch does. */
  retarget(port: number): void;
  close(): Promise<void>;
}

function cookieUser(request: IncomingMessage): string | null {
  const match = new RegExp(`(?:^|;\\s*)${USER_COOKIE}=([^;]+)`).exec(request.headers.cookie ?? "");
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/**
 * Stands in for Nginx Proxy Manager with forward auth: the browser's session cookie decides who the user
 * is, the proxy sends X-Forwarded-User (never passing a client's own), and every request is recorded so
 * tests can see who asked for what. Responses stream through unbuffered (SSE).
 */
export async function startIdentityProxy(targetPort: number): Promise<IdentityProxy> {
  const seen: SeenRequest[] = [];
  let target = targetPort;
  const server: Server = createServer((incoming, outgoing) => {
    const user = cookieUser(incoming);
    seen.push({
      method: incoming.method ?? "GET",
      url: incoming.url ?? "/",
      user,
      origin: incoming.headers.origin ?? null,
    });
    const headers = { ...incoming.headers };
    delete headers["x-forwarded-user"];
    if (user) headers["x-forwarded-user"] = user;
    const upstream = httpRequest(
      { host: "127.0.0.1", port: target, method: incoming.method, path: incoming.url, headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on("error", () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    outgoing.on("close", () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    retarget(port) {
      target = port;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
