import { createInterface } from "node:readline";
import { PassThrough, Readable } from "node:stream";
import Docker from "dockerode";
import { ExitCode, UserError } from "../../errors.js";
import { demultiplex } from "./demux.js";
import { parseBuildLine, summarizeBuild, type BuildEvent, type BuildSummary } from "./build-stream.js";
import { LABEL_APP, LABEL_BUILD_TIME, LABEL_STAGE, LABEL_STAGE_APP, LABEL_VERSION } from "./spec.js";

/** An image ahb built for this container (found by the ahb.app label; nothing else is ever considered). */
export interface KeptImage {
  id: string;
  version: string;
  builtAt: string;
  tags: string[];
}

/** The last image of a Dockerfile stage (FROM … AS <stage>), which the final image does not descend from. */
export interface StageImage {
  id: string;
  stage: string;
  created: number;
}

/** The one module that talks to the Docker engine; everything it returns is plain data. */

export interface EngineVersion {
  version: string;
  apiVersion: string;
}

export interface ContainerState {
  id: string;
  name: string;
  imageId: string;
  imageRef: string;
  version?: string;
  running: boolean;
  status: string;
  health?: string;
  healthLog?: string;
  exitCode: number;
  restartCount: number;
  startedAt: string;
  env: string[];
  published?: { hostIp: string; hostPort: number };
  networks: Record<string, string>;
}

export interface LogLine {
  stream: "stdout" | "stderr";
  time?: string;
  text: string;
}

export interface LogRequest {
  follow: boolean;
  stdout: true;
  stderr: true;
  timestamps: boolean;
  tail?: number;
  since?: number;
}

export interface RawStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: { inactive_file?: number } };
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOENT",
  "EACCES",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ETIMEDOUT",
]);

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}

/** Host port conflicts are the operator's to fix (exit 13), like the preflight's own port check. */
const PORT_CONFLICT = /port is already allocated|address already in use/i;

function dockerMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  return json?.message ?? (error as Error).message;
}

export class Engine {
  readonly docker: Docker;
  readonly endpoint: string;

  private constructor(docker: Docker, endpoint: string) {
    this.docker = docker;
    this.endpoint = endpoint;
  }

  /** DOCKER_HOST or the default socket, exactly as dockerode resolves them. */
  static connect(env: NodeJS.ProcessEnv = process.env): Engine {
    const endpoint = env.DOCKER_HOST || "unix:///var/run/docker.sock";
    try {
      return new Engine(new Docker(), endpoint);
    } catch (error) {
      throw new UserError(`DOCKER_HOST is not usable: ${(error as Error).message}`, ExitCode.CONFIG_INVALID);
    }
  }

  /** Every engine call goes through here: a dead socket becomes one clear line and exit 69. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code && UNREACHABLE_CODES.has(code))
        throw new UserError(
          `Docker engine unreachable at ${this.endpoint} (${code})`,
          ExitCode.ENGINE_UNAVAILABLE,
        );
      if (error instanceof UserError) throw error;
      const message = `docker ${what}: ${dockerMessage(error)}`;
      if (statusCode(error) === 404) throw new Error(message, { cause: error });
      if (PORT_CONFLICT.test(message))
        throw new UserError(message, ExitCode.PREFLIGHT_FAILED, [], { cause: error });
      if (statusCode(error) !== undefined)
        throw new UserError(message, ExitCode.DOCKER_API_FAILED, [], { cause: error });
      throw new Error(message, { cause: error });
    }
  }

  private async orNotFound<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(what, run);
    } catch (error) {
      if (statusCode((error as Error).cause) === 404) return undefined;
      throw error;
    }
  }

  version(): Promise<EngineVersion> {
    return this.call("version", async () => {
      const info = await this.docker.version();
      return { version: info.Version, apiVersion: info.ApiVersion };
    });
  }

  dockerRootDir(): Promise<string> {
    return this.call(
      "info",
      async () => ((await this.docker.info()) as { DockerRootDir: string }).DockerRootDir,
    );
  }

  /** Builds from a context tar, handing every event to onEvent; the summary says whether it really succeeded. */
  build(
    context: NodeJS.ReadableStream,
    options: Docker.ImageBuildOptions,
    onEvent: (event: BuildEvent) => void,
  ): Promise<BuildSummary> {
    return this.call("build", async () => {
      const response = await this.docker.buildImage(context, options);
      const events: BuildEvent[] = [];
      for await (const line of createInterface({ input: Readable.from(response), crlfDelay: Infinity })) {
        for (const event of parseBuildLine(line)) {
          events.push(event);
          onEvent(event);
        }
      }
      return summarizeBuild(events);
    });
  }

  inspectContainer(nameOrId: string): Promise<ContainerState | undefined> {
    return this.orNotFound("inspect", async () =>
      toState(await this.docker.getContainer(nameOrId).inspect()),
    );
  }

  createContainer(spec: Docker.ContainerCreateOptions): Promise<string> {
    return this.call("create", async () => (await this.docker.createContainer(spec)).id);
  }

  startContainer(id: string): Promise<void> {
    return this.call("start", async () => {
      await this.docker.getContainer(id).start();
    });
  }

  /**
   * Waits the container's own StopTimeout (the drain grace it was created with) before SIGKILL. Stopping a stopped
   * container is not an error (304).
   */
  stopContainer(id: string): Promise<void> {
    return this.call("stop", async () => {
      try {
        await this.docker.getContainer(id).stop();
      } catch (error) {
        if (statusCode(error) !== 304) throw error;
      }
    });
  }

  /** Like stopContainer, within the container's own StopTimeout. */
  restartContainer(id: string): Promise<void> {
    return this.call("restart", async () => {
      await this.docker.getContainer(id).restart();
    });
  }

  removeContainer(id: string, force = false): Promise<void> {
    return this.call("remove", async () => {
      try {
        await this.docker.getContainer(id).remove({ force });
      } catch (error) {
        if (statusCode(error) !== 404) throw error;
      }
    });
  }

  renameContainer(id: string, name: string): Promise<void> {
    return this.call("rename", async () => {
      await this.docker.getContainer(id).rename({ name });
    });
  }

  inspectImage(ref: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
    return this.orNotFound("image inspect", async () => {
      const info = await this.docker.getImage(ref).inspect();
      return { id: info.Id, labels: info.Config?.Labels ?? {} };
    });
  }

  listAppImages(app: string): Promise<KeptImage[]> {
    return this.call("images", async () => {
      const images = await this.docker.listImages({ filters: { label: [`${LABEL_APP}=${app}`] } });
      return images.map((image) => ({
        id: image.Id,
        version: image.Labels?.[LABEL_VERSION] ?? "",
        builtAt: image.Labels?.[LABEL_BUILD_TIME] ?? new Date(image.Created * 1000).toISOString(),
        tags: (image.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>"),
      }));
    });
  }

  /** Removes by tag first so an image that other tags still name is only untagged, never forced. */
  removeImage(image: KeptImage): Promise<void> {
    return this.call("rmi", async () => {
      for (const ref of image.tags.length > 0 ? image.tags : [image.id])
        await this.docker.getImage(ref).remove();
    });
  }

  /** Untagged images of a Dockerfile stage (label ahb.stage) built for this app, newest first. */
  listDanglingStageImages(app: string): Promise<StageImage[]> {
    return this.call("images", async () => {
      const images = await this.docker.listImages({
        filters: { dangling: ["true"], label: [`${LABEL_STAGE_APP}=${app}`] },
      });
      return images
        .map((image) => ({ id: image.Id, stage: image.Labels?.[LABEL_STAGE] ?? "", created: image.Created }))
        .sort((a, b) => b.created - a.created);
    });
  }

  tagImage(id: string, repo: string, tag: string): Promise<void> {
    return this.call("tag", async () => {
      await this.docker.getImage(id).tag({ repo, tag });
    });
  }

  /** Removes an untagged image and the parent layers no other image uses (they were its build cache). */
  removeUntaggedImage(id: string): Promise<void> {
    return this.call("rmi", async () => {
      try {
        await this.docker.getImage(id).remove();
      } catch (error) {
        if (statusCode(error) !== 404) throw error;
      }
    });
  }

  imagesInUse(): Promise<Set<string>> {
    return this.call("ps", async () => {
      const containers = await this.docker.listContainers({ all: true });
      return new Set(containers.map((container) => container.ImageID));
    });
  }

  /** Name of a running container publishing this host port, if any. */
  containerPublishing(hostPort: number): Promise<string | undefined> {
    return this.call("ps", async () => {
      const containers = await this.docker.listContainers();
      const holder = containers.find((container) =>
        container.Ports.some((port) => port.PublicPort === hostPort),
      );
      return holder?.Names[0]?.replace(/^\//, "");
    });
  }

  /** Runs a command in a running container (docker exec) and returns its exit code and output. */
  exec(container: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
    return this.call("exec", async () => {
      const exec = await this.docker.getContainer(container).exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({ hijack: true, stdin: false });
      const output = new PassThrough();
      const chunks: Buffer[] = [];
      output.on("data", (chunk: Buffer) => chunks.push(chunk));
      await demultiplex(stream as AsyncIterable<Buffer>, output, output);
      const inspected = await exec.inspect();
      return { exitCode: inspected.ExitCode ?? -1, output: Buffer.concat(chunks).toString("utf8") };
    });
  }

  stats(id: string): Promise<RawStats> {
    return this.call(
      "stats",
      async () => (await this.docker.getContainer(id).stats({ stream: false })) as RawStats,
    );
  }

  /** Demultiplexes stdout/stderr and hands over whole lines until the stream ends or signal aborts. */
  logs(
    id: string,
    request: LogRequest,
    onLine: (line: LogLine) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.call("logs", async () => {
      const container = this.docker.getContainer(id);
      const source: NodeJS.ReadableStream = request.follow
        ? await container.logs({ ...request, follow: true })
        : Readable.from([await container.logs({ ...request, follow: false })]);
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const done = Promise.all([
        forwardLines(stdout, "stdout", request.timestamps, onLine),
        forwardLines(stderr, "stderr", request.timestamps, onLine),
      ]);
      const stop = () => (source as Readable).destroy();
      signal?.addEventListener("abort", stop, { once: true });
      await demultiplex(source as AsyncIterable<Buffer>, stdout, stderr).catch((error: unknown) => {
        // Destroying the source is how --follow stops: that premature close is the end, not a failure.
        if (!signal?.aborted) throw error;
      });
      await done;
      signal?.removeEventListener("abort", stop);
    });
  }
}

async function forwardLines(
  input: PassThrough,
  stream: LogLine["stream"],
  timestamps: boolean,
  onLine: (line: LogLine) => void,
): Promise<void> {
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    const space = raw.indexOf(" ");
    if (timestamps && space > 0) onLine({ stream, time: raw.slice(0, space), text: raw.slice(space + 1) });
    else onLine({ stream, text: raw });
  }
}

function toState(info: Docker.ContainerInspectInfo): ContainerState {
  // While it runs, the port Docker really bound (an ephemeral request says "" in HostConfig); else the request.
  const bound = Object.values(info.NetworkSettings.Ports ?? {})[0] as
    { HostIp: string; HostPort: string }[] | null | undefined;
  const requested = Object.values(info.HostConfig.PortBindings ?? {})[0] as
    { HostIp: string; HostPort: string }[] | undefined;
  const binding = bound?.[0] && Number(bound[0].HostPort) > 0 ? bound : requested;
  const health = info.State.Health;
  const lastCheck = health?.Log?.at(-1);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    imageId: info.Image,
    imageRef: info.Config.Image,
    version: info.Config.Labels?.[LABEL_VERSION],
    running: info.State.Running,
    status: info.State.Status,
    health: health?.Status,
    healthLog: lastCheck?.Output?.trim() || undefined,
    exitCode: info.State.ExitCode,
    restartCount: info.RestartCount,
    startedAt: info.State.StartedAt,
    env: info.Config.Env ?? [],
    published:
      binding?.[0] && Number(binding[0].HostPort) > 0
        ? { hostIp: binding[0].HostIp || "0.0.0.0", hostPort: Number(binding[0].HostPort) }
        : undefined,
    networks: Object.fromEntries(
      Object.entries(info.NetworkSettings.Networks ?? {}).map(([name, net]) => [name, net.IPAddress]),
    ),
  };
}
