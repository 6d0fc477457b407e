import type { MiddlewareHandler } from "hono";
import { trustedProxyMatcher } from "../../config/schema.js";
import type { Config } from "../../config/schema.js";
import { ApiError } from "../errors.js";
import { requestHeader } from "../request-header.js";
import type { AppEnv } from "../types.js";
import { decodeForwardedUser } from "../user-name.js";
import { remembered } from "../../shared/remembered.js";

export const ANONYMOUS = "anonymous";
/** Peer addresses whose trust is kept (a proxy's few, or a busy public server's recent clients). */
const REMEMBERED_PEERS = 1024;

/**
 * X-Forwarded-User and X-Forwarded-For are believed only when the TCP peer is a trusted proxy;
 * anyone else could send them. A trusted proxy's user name that cannot be read is refused (400), never taken for
 * anonymous: that would share one set of sessions with every unauthenticated caller.
 */
export function identity(config: Config): MiddlewareHandler<AppEnv> {
  const matchesProxy = trustedProxyMatcher(config.TRUSTED_PROXIES);
  const trustedAddress = remembered((address: string) => matchesProxy(address), REMEMBERED_PEERS);
  const isTrusted = (address: string | undefined) => address !== undefined && trustedAddress(address);
  const admins = new Set(config.ADMIN_USERS);
  return (c, next) => {
    const peer = c.env?.incoming?.socket?.remoteAddress;
    const trusted = isTrusted(peer);
    const user = trusted ? forwardedUserOf(requestHeader(c, "x-forwarded-user")) : ANONYMOUS;
    c.set("user", user);
    c.set("isAdmin", user !== ANONYMOUS && admins.has(user));
    c.set(
      "clientAddress",
      trusted ? firstUntrustedHop(requestHeader(c, "x-forwarded-for"), isTrusted, peer) : (peer ?? "unknown"),
    );
    return next();
  };
}

/** Walks X-Forwarded-For from the right (nearest hop) and returns the first address that is not a trusted proxy. */
export function firstUntrustedHop(
  header: string | undefined,
  isTrusted: (address: string) => boolean,
  peer: string | undefined,
): string {
  if (!header) return peer ?? "unknown";
  const hops = header
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index] as string;
    if (!isTrusted(hop)) return hop;
  }
  return hops[0] ?? peer ?? "unknown";
}

function forwardedUserOf(headerValue: string | undefined): string {
  if (headerValue === undefined || headerValue.trim() === "") return ANONYMOUS;
  const result = decodeForwardedUser(headerValue);
  if (!result.ok) throw new ApiError(400, "invalid_user", `the proxy's X-Forwarded-User ${result.problem}`);
  return result.user;
}

/** Peers are few (the proxy, a few clients): their answers are kept, up to a bound, instead of matched each time. */
