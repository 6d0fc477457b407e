/**
 * Real nginx in front of a test site, never the system service: a host nginx with its own prefix, config and pid
 * file in a temp directory, or an "NPM-like" container (the host's nginx binary and the two libraries the offline
 * base image lacks, copied onto ahb-test/node-base:bookworm: apt has no network there) on the host network.
 * Both listen on an ephemeral 127.0.0.1 port and include the upstream file ahb rewrites.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { execa } from "execa";
import { BASE_IMAGE, removeContainer, removeImageUnlessKept, TEST_LABELS } from "./docker.js";
import { freePort } from "./net.js";
import { toolRequired } from "./tools.js";

export const NGINX_BIN = "/usr/sbin/nginx";

function httpBlock(prefix: string, include: string, port: number): string {
  return `
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
worker_processes 1;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  include ${include};
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://ahb;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
`;
}

export interface HostNginx {
  port: number;
  upstreamFile: string;
  /** The ops config's proxy entry for this instance. */
  proxy: { kind: "nginx"; upstreamFile: string; testCommand: string[]; reloadCommand: string[] };
  stop(): Promise<void>;
}

/** The version the app behind the proxy on this port reports, or undefined while nothing healthy answers. */
export async function versionThroughProxy(port: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/health`, {
      signal: AbortSignal.timeout(3000),
    });
    return response.status === 200 ? ((await response.json()) as { version: string }).version : undefined;
  } catch {
    return undefined;
  }
}

export async function nginxSkipReason(): Promise<string | false> {
  try {
    await execa(NGINX_BIN, ["-v"]);
    return false;
  } catch {
    return toolRequired("nginx", `${NGINX_BIN} not found (apt-get install nginx)`);
  }
}

/** Starts nginx with prefix dir/nginx; the upstream file must already exist (nginx refuses a missing include). */
export async function startHostNginx(dir: string, upstreamText: string): Promise<HostNginx> {
  const prefix = join(dir, "nginx");
  mkdirSync(join(prefix, "tmp"), { recursive: true });
  const port = await freePort();
  const upstreamFile = join(prefix, "ahb-upstream.conf");
  writeFileSync(upstreamFile, upstreamText);
  const conf = join(prefix, "nginx.conf");
  writeFileSync(conf, httpBlock(prefix, upstreamFile, port));
  const base = [NGINX_BIN, "-p", prefix, "-c", conf, "-e", join(prefix, "error.log")];
  await execa(base[0] as string, base.slice(1));
  return {
    port,
    upstreamFile,
    proxy: {
      kind: "nginx",
      upstreamFile,
      testCommand: [...base, "-t"],
      reloadCommand: [...base, "-s", "reload"],
    },
    async stop() {
      const pid = Number(readFileSync(join(prefix, "nginx.pid"), "utf8").trim());
      if (pid > 0) process.kill(pid, "SIGQUIT");
    },
  };
}

export interface NpmContainer {
  port: number;
  name: string;
  upstreamFile: string;
  proxy: { kind: "npm"; container: string; upstreamFile: string };
  stop(): Promise<void>;
}

/** An nginx container standing in for Nginx Proxy Manager: data/nginx/custom/http_top.conf is the user's include. */
export async function startNpmContainer(
  dir: string,
  name: string,
  image: string,
  upstreamText: string,
): Promise<NpmContainer> {
  const docker = new Docker();
  const context = join(dir, "npm-context");
  mkdirSync(context, { recursive: true });
  copyFileSync(NGINX_BIN, join(context, "nginx"));
  for (const lib of ["libssl.so.3", "libcrypto.so.3"])
    copyFileSync(`/lib/x86_64-linux-gnu/${lib}`, join(context, lib));
  const port = await freePort();
  writeFileSync(
    join(context, "nginx.conf"),
    httpBlock("/var/lib/nginx", "/data/nginx/custom/http_top.conf", port),
  );
  writeFileSync(
    join(context, "Dockerfile"),
    [
      `FROM ${BASE_IMAGE}`,
      "COPY nginx /usr/sbin/nginx",
      "COPY libssl.so.3 libcrypto.so.3 /usr/lib/x86_64-linux-gnu/",
      "RUN mkdir -p /var/lib/nginx/tmp /var/log/nginx /etc/nginx && /usr/sbin/nginx -V",
      "COPY nginx.conf /etc/nginx/nginx.conf",
      'CMD ["/usr/sbin/nginx", "-g", "daemon off;", "-e", "/var/lib/nginx/error.log"]',
      "",
    ].join("\n"),
  );
  const labels = Object.entries(TEST_LABELS).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  await execa("docker", ["build", "-q", "-t", image, ...labels, context], { env: { DOCKER_BUILDKIT: "0" } });
  const data = join(dir, "npm-data");
  const upstreamFile = join(data, "nginx", "custom", "http_top.conf");
  mkdirSync(join(data, "nginx", "custom"), { recursive: true });
  writeFileSync(upstreamFile, upstreamText);
  await removeContainer(docker, name);
  const container = await docker.createContainer({
    name,
    Image: image,
    Labels: TEST_LABELS,
    // Host network: NPM reaches the containers' loopback ports as a host nginx does.
    HostConfig: { NetworkMode: "host", Binds: [`${data}:/data`] },
  });
  await container.start();
  return {
    port,
    name,
    upstreamFile,
    proxy: { kind: "npm", container: name, upstreamFile },
    async stop() {
      await removeContainer(docker, name);
      await removeImageUnlessKept(docker, image);
    },
  };
}
