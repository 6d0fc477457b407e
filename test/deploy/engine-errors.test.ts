import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { UserError } from "../../src/errors.js";
import { Engine } from "../../src/ops/docker/engine.js";

/** An engine API that refuses every request the way dockerd does: a status and {"message"}. */
function refusingEngine(): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(500, { "content-type": "application/json" });
    response.end(JSON.stringify({ message: "driver failed programming external connectivity" }));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("Docker engine errors", () => {
  let server: Server;
  const saved = process.env.DOCKER_HOST;
  before(async () => {
    server = await refusingEngine();
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
    server.close();
  });

  it("a request the engine refuses exits 70 with the engine's message, not 1 (a bug)", async () => {
    const engine = Engine.connect();
    for (const call of [() => engine.version(), () => engine.createContainer({ Image: "ahb:none" })]) {
      await assert.rejects(call(), (error) => {
        assert.ok(error instanceof UserError, String(error));
        assert.equal(error.exitCode, 70);
        assert.match(error.message, /driver failed programming external connectivity/);
        return true;
      });
    }
  });

  it("an engine that does not answer exits 69", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${port}`;
    await assert.rejects(
      Engine.connect().version(),
      (error) => error instanceof UserError && error.exitCode === 69,
    );
  });
});
