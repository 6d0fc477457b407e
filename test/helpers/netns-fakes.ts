/**
 * The provider fakes (127.0.0.1 on the host) reachable from containers that `ahb deploy` creates on Docker's bridge,
 * without host networking (blue and green both listen on 8000 inside) and without any bridge address: each container
 * gets a forwarder in its own network namespace (`nsenter -n`, the host's node and file system) that listens on
 * 127.0.0.1:<fake port> there and relays every connection over a Unix socket in a host directory to the fake on the
 * host's loopback. So ANTHROPIC_BASE_URL / GOOGLE_GEMINI_BASE_URL keep the fakes' own URLs, inside and out.
 *
 * Containers are picked up from Docker's event stream when they start (names starting with `prefix`); the relay
 * counts provider connections per container, which tells which container served a turn.
 */
import { mkdirSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { execa, type ResultPromise } from "execa";

/** Runs inside the container's network namespace: argv = socket directory, then the ports to listen on. */
const INNER = `
const net = require("node:net");
const [dir, ...ports] = process.argv.slice(1);
for (const port of ports)
  net.createServer((client) => {
    const relay = net.connect(dir + "/" + port + ".sock");
    client.pipe(relay).pipe(client);
    client.on("error", () => relay.destroy());
    relay.on("error", () => client.destroy());
  }).listen(Number(port), "127.0.0.1");
`;

export interface NetnsFakes {
  /** Provider connections made by each container id so far. */
  connections: Map<string, number>;
  close(): Promise<void>;
}

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b).pipe(a);
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
}

export async function forwardFakesIntoContainers(
  docker: Docker,
  prefix: string,
  fakeUrls: string[],
  socketRoot: string,
): Promise<NetnsFakes> {
  const ports = fakeUrls.map((url) => new URL(url).port);
  const connections = new Map<string, number>();
  const relays = new Map<string, { servers: Server[]; inner: ResultPromise }>();

  async function attach(id: string): Promise<void> {
    const info = await docker.getContainer(id).inspect();
    if (!info.State.Running || relays.has(id)) return;
    const dir = join(socketRoot, id.slice(0, 12));
    mkdirSync(dir, { recursive: true });
    const servers = await Promise.all(
      ports.map(
        (port) =>
          new Promise<Server>((resolve) => {
            const server = createServer((socket) => {
              connections.set(id, (connections.get(id) ?? 0) + 1);
              pipeBoth(socket, connect(Number(port), "127.0.0.1"));
            });
            server.listen(join(dir, `${port}.sock`), () => resolve(server));
          }),
      ),
    );
    const inner = execa(
      "nsenter",
      ["-t", String(info.State.Pid), "-n", process.execPath, "-e", INNER, dir, ...ports],
      { reject: false, stdio: "ignore" },
    );
    relays.set(id, { servers, inner });
  }

  function detach(id: string): void {
    const relay = relays.get(id);
    if (!relay) return;
    relays.delete(id);
    relay.inner.kill();
    for (const server of relay.servers) server.close();
  }

  const events = (await docker.getEvents({
    filters: { type: ["container"], event: ["start", "die"] },
  })) as Readable;
  let buffered = "";
  events.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      const event = JSON.parse(line) as {
        Action: string;
        id: string;
        Actor: { Attributes: { name?: string } };
      };
      if (!(event.Actor.Attributes.name ?? "").startsWith(prefix)) continue;
      if (event.Action === "start") void attach(event.id).catch(() => undefined);
      else detach(event.id);
    }
  });
  return {
    connections,
    async close() {
      events.destroy();
      for (const id of [...relays.keys()]) detach(id);
      rmSync(socketRoot, { recursive: true, force: true });
    },
  };
}
