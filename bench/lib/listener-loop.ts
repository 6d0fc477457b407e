// Drives a fetch app through @hono/node-server's real request listener with Node's own IncomingMessage and
// ServerResponse over a socket that discards what it is given: the server's whole per-request work (parsing aside)
// without the loopback syscalls and the load generator, which on a shared machine drown the difference.
import { IncomingMessage, ServerResponse } from "node:http";
import { Duplex } from "node:stream";
import { getRequestListener } from "@hono/node-server";

type Fetch = Parameters<typeof getRequestListener>[0];

function discardingSocket(): Duplex {
  const socket = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback();
    },
    writev(_chunks, callback) {
      callback();
    },
  });
  Object.defineProperty(socket, "remoteAddress", { value: "127.0.0.1" });
  return socket;
}

function oneRequest(
  listener: ReturnType<typeof getRequestListener>,
  socket: Duplex,
  path: string,
): Promise<number> {
  const incoming = new IncomingMessage(socket as never);
  incoming.method = "GET";
  incoming.url = path;
  incoming.headers = { host: "127.0.0.1", "user-agent": "bench", accept: "*/*" };
  incoming.rawHeaders = ["Host", "127.0.0.1", "User-Agent", "bench", "Accept", "*/*"];
  incoming.push(null);
  const outgoing = new ServerResponse(incoming);
  outgoing.assignSocket(socket as never);
  return new Promise((resolve, reject) => {
    outgoing.once("finish", () => {
      outgoing.detachSocket(socket as never);
      resolve(outgoing.statusCode);
    });
    outgoing.once("error", reject);
    void listener(incoming, outgoing);
  });
}

/**
 * CPU microseconds per request (the process's own CPU time, which a busy machine inflates far less than wall
 * time), over `count` sequential requests.
 */
export async function listenerMicros(fetch: Fetch, path: string, count: number): Promise<number> {
  const listener = getRequestListener(fetch);
  const socket = discardingSocket();
  const started = process.cpuUsage();
  for (let i = 0; i < count; i += 1) {
    const status = await oneRequest(listener, socket, path);
    if (status !== 200) throw new Error(`${path} answered ${status}`);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / count;
}
