import type { MiddlewareHandler } from "hono";
import { trustedProxyMatcher } from "../../config/schema.js";
import type { Config } from "../../config/schema.js";
import { requestHeader } from "../request-header.js";
import type { AppEnv } from "../types.js";

export const ANONYMOUS = "anonymous";
const USER_PATTERN = /^[\p{L}\p{N}._@+-]{1,128}$/u;

/**
 * X-Forwarded-User and X-Forwarded-For are believed only when the TCP peer is a trusted proxy;
 * anyone else could send them.
 */
export function identity(config: Config): MiddlewareHandler<AppEnv> {
  const isTrusted = remembered(trustedProxyMatcher(config.TRUSTED_PROXIES));
  const admins = new Set(config.ADMIN_USERS);
  return async (c, next) => {
    const peer = c.env?.incoming?.socket?.remoteAddress;
    const trusted = isTrusted(peer);
    const forwardedUser = requestHeader(c, "x-forwarded-user")?.trim();
    const user = trusted && forwardedUser && USER_PATTERN.test(forwardedUser) ? forwardedUser : ANONYMOUS;
    c.set("user", user);
    c.set("isAdmin", user !== ANONYMOUS && admins.has(user));
    c.set(
      "clientAddress",
      trusted ? firstUntrustedHop(requestHeader(c, "x-forwarded-for"), isTrusted, peer) : (peer ?? "unknown"),
    );
    await next();
  };
}

/** Walks X-Forwarded-For from the right (nearest hop) and returns the first address that is not a trusted proxy. */
export function firstUntrustedHop(
  header: string | undefined,
  isTrusted: (address: string) => boolean,
  peer: string | undefined,
): string {
  const hops = (header ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index] as string;
    if (!isTrusted(hop)) return hop;
  }
  return hops[0] ?? peer ?? "unknown";
}

/** Peers are few (the proxy, a few clients): their answers are kept, up to a bound, instead of matched each time. */
const REMEMBERED_PEERS = 1024;

function remembered(
  isTrusted: (address: string | undefined) => boolean,
): (address: string | undefined) => boolean {
  const known = new Map<string, boolean>();
  return (address) => {
    if (address === undefined) return false;
    let trusted = known.get(address);
    if (trusted === undefined) {
      trusted = isTrusted(address);
      if (known.size >= REMEMBERED_PEERS) known.clear();
      known.set(address, trusted);
    }
    return trusted;
  };
}
