import { get } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

export interface LoadReport {
  sent: number;
  failed: number;
  /** Versions the JSON answers named (the tiny site's and the app's /api/health carry one), in order of first sight. */
  versions: string[];
  /** The first few failures, for the assertion message. */
  failures: string[];
}

export interface RequestLoop {
  stop(): Promise<LoadReport>;
}

/**
 * A bounded request loop at one URL: one request every intervalMs (sequential, so a slow answer lowers the rate
 * instead of piling up), at most maxRequests; anything but a 200 counts as failed.
 */
export function startRequestLoop(
  url: string,
  options: { intervalMs: number; maxRequests: number },
): RequestLoop {
  let running = true;
  const report: LoadReport = { sent: 0, failed: 0, versions: [], failures: [] };
  const loop = (async () => {
    while (running && report.sent < options.maxRequests) {
      const sentAt = Date.now();
      report.sent++;
      try {
        const text = await getOnce(url);
        const version = (JSON.parse(text) as { version?: string }).version;
        if (version !== undefined && !report.versions.includes(version)) report.versions.push(version);
      } catch (error) {
        report.failed++;
        if (report.failures.length < 5)
          report.failures.push(`${new Date().toISOString()} ${(error as Error).message}`);
      }
      await sleep(Math.max(0, options.intervalMs - (Date.now() - sentAt)));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return report;
    },
  };
}

/**
 * One GET on its own connection. A graceful nginx reload closes idle keep-alive client connections, and a client
 * that sends on one at that instant gets a reset; browsers resend an idempotent request then, fetch does not. A
 * connection per request measures the server side, which is what a deploy changes.
 */
function getOnce(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: 5000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        response.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${response.statusCode}`)),
      );
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error("timed out after 5 s")));
    request.on("error", reject);
  });
}
