import type { Logger } from "../../log.js";
import type { RequestObserver } from "./observe.js";

export const HEALTH_PATH = "/api/health";

/**
 * A probe answering as the one before is logged at most this often. Docker and the proxy probe every few
 * seconds: one line each filled a third of the container's log budget and pushed real requests out of the
 * last lines an operator sees at a rollback.
 */
export const HEALTH_LOG_EVERY_MS = 10 * 60_000;

export interface RequestLogOptions {
  now?: () => number;
  healthLogEveryMs?: number;
}

/**
 * Decides which health probes get a line: the first, any whose status differs from the probe before (a failure
 * and the recovery show at once), and otherwise one per interval. Each line carries `probes`, how many were
 * answered since the previous line, including itself.
 */
export function healthProbeSampler(everyMs: number, now: () => number) {
  let unlogged = 0;
  let lastStatus: number | undefined;
  let loggedAt = -Infinity;
  return (status: number): number | undefined => {
    unlogged += 1;
    const changed = status !== lastStatus;
    lastStatus = status;
    if (!changed && now() - loggedAt < everyMs) return undefined;
    loggedAt = now();
    const probes = unlogged;
    unlogged = 0;
    return probes;
  };
}

/**
 * One line per request: method, path (never the query string, which may carry tokens), status, ms, user;
 * health probes are sampled by healthProbeSampler.
 */
export function requestLog(logger: Logger, options: RequestLogOptions = {}): RequestObserver {
  const sampleHealth = healthProbeSampler(
    options.healthLogEveryMs ?? HEALTH_LOG_EVERY_MS,
    options.now ?? Date.now,
  );
  return (c, elapsedMs) => {
    const probes = c.req.path === HEALTH_PATH ? sampleHealth(c.res.status) : null;
    if (probes === undefined) return;
    logger.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(elapsedMs * 10) / 10,
      // Unset for health probes (answered before identity) and when identity refused the request (an unreadable
      // X-Forwarded-User).
      user: c.get("user") ?? null,
      ...(probes === null ? {} : { probes }),
    });
  };
}
