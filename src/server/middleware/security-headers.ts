import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types.js";
import { HEALTH_PATH } from "./request-log.js";

/** The app's own pages: scripts only from our origin, no eval, framed only by ourselves. */
export const APP_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  frameSrc: ["'self'", "blob:", "data:"],
  frameAncestors: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

export function cspHeader(policy: Record<string, string[]>): string {
  return Object.entries(policy)
    .map(([directive, sources]) => `${kebab(directive)} ${sources.join(" ")}`)
    .join("; ");
}

/** Every response's headers (HSTS belongs to the TLS-terminating proxy). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": cspHeader(APP_CSP),
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Origin-Agent-Cluster": "?1",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Content-Type-Options": "nosniff",
  "X-DNS-Prefetch-Control": "off",
  "X-Download-Options": "noopen",
  "X-Frame-Options": "SAMEORIGIN",
  "X-Permitted-Cross-Domain-Policies": "none",
  "X-XSS-Protection": "0",
};

/**
 * Answers only machines read (Docker's and the proxy's health probes, Prometheus): never rendered, framed or run as
 * a script, so the page policy's browser features (opener, permissions, referrer, DNS prefetch) have nothing to
 * act on. These keep what still matters for such an answer, as OWASP's REST guidance lists it: no sniffing into a
 * document, no framing, no resources, no cross-origin reads. A third of the page set, it is most of a probe's cost.
 */
export const MACHINE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
};

/** Paths whose answers are MACHINE_HEADERS' kind; everything else gets SECURITY_HEADERS. */
export const MACHINE_PATHS: ReadonlySet<string> = new Set([HEALTH_PATH, "/metrics"]);

/**
 * A route that sets one of these headers itself keeps its value (the document preview has its own sandbox CSP).
 * On a real socket the headers go onto Node's response before the route runs, where whatever the route answers
 * replaces them, for a fraction of the cost of editing the finished response; without a socket (app.request()
 * in tests) the finished response gets the missing ones.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const pageEntries = Object.entries(SECURITY_HEADERS);
  const machineEntries = Object.entries(MACHINE_HEADERS);
  return (c, next) => {
    const entries = MACHINE_PATHS.has(c.req.path) ? machineEntries : pageEntries;
    const outgoing = c.env?.outgoing;
    if (outgoing) {
      for (const [name, value] of entries) outgoing.setHeader(name, value);
      return next();
    }
    return next().then(() => {
      for (const [name, value] of entries) if (!c.res.headers.has(name)) c.res.headers.set(name, value);
    });
  };
}
