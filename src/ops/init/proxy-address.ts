import type Docker from "dockerode";

/** What the engine says about the network ahb's container joins (or publishes through). */
export interface NetworkView {
  name: string;
  /** The bridge's gateway: the source address of connections that reach a published port from the host. */
  gateway?: string;
  members: { name: string; image: string; ipv4?: string }[];
}

export interface ProxyAddress {
  /** The exact TRUSTED_PROXIES value: one /32 per address that forwards requests to ahb. */
  value: string;
  source: "proxy-container" | "bridge-gateway" | "loopback";
  detail: string;
}

/** Images of the reverse proxies an operator puts in front of ahb (Nginx Proxy Manager first). */
const PROXY_IMAGE = /nginx-proxy-manager|(^|\/)(nginx|openresty|caddy|traefik|haproxy)(:|@|$)/i;

const LOOPBACK: ProxyAddress = {
  value: "127.0.0.1/32,::1/128",
  source: "loopback",
  detail: "no Docker network to inspect: only a proxy on this machine's loopback is trusted",
};

/**
 * Pure decision: a proxy container on the shared network is trusted by its own address; with no such container
 * (nginx on the host, reaching a published port) the requests arrive from the bridge's gateway. Never a range:
 * every address trusted may claim to be any user.
 */
export function decideTrustedProxies(view: NetworkView | undefined, appContainer: string): ProxyAddress {
  if (!view) return LOOPBACK;
  const proxies = view.members.filter(
    (member) => member.name !== appContainer && member.ipv4 && PROXY_IMAGE.test(member.image),
  );
  if (proxies.length > 0) {
    return {
      value: proxies.map((proxy) => `${proxy.ipv4}/32`).join(","),
      source: "proxy-container",
      detail: `${proxies.map((proxy) => `${proxy.name} (${proxy.image})`).join(", ")} on network ${view.name}`,
    };
  }
  if (view.gateway) {
    return {
      value: `${view.gateway}/32`,
      source: "bridge-gateway",
      detail: `no proxy container on network ${view.name}: a proxy on the host connects from its gateway`,
    };
  }
  return LOOPBACK;
}

/** Network inspect (members and gateway) plus each member's image; undefined when the network does not exist. */
export async function inspectNetwork(docker: Docker, network: string): Promise<NetworkView | undefined> {
  let info: {
    Name: string;
    IPAM?: { Config?: { Gateway?: string }[] };
    Containers?: Record<string, { Name: string; IPv4Address?: string }>;
  };
  try {
    info = (await docker.getNetwork(network).inspect()) as typeof info;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
  const members = await Promise.all(
    Object.entries(info.Containers ?? {}).map(async ([id, member]) => {
      const container = (await docker.getContainer(id).inspect()) as { Config: { Image: string } };
      return { name: member.Name, image: container.Config.Image, ipv4: member.IPv4Address?.split("/")[0] };
    }),
  );
  const gateway = info.IPAM?.Config?.find(
    (config) => config.Gateway && !config.Gateway.includes(":"),
  )?.Gateway;
  return { name: info.Name, gateway, members };
}

/** The network ahb joins (AHB_NETWORK), or Docker's default bridge when it publishes a port instead. */
export async function discoverTrustedProxies(
  docker: Docker,
  ops: { network?: string; container: string },
): Promise<ProxyAddress> {
  return decideTrustedProxies(await inspectNetwork(docker, ops.network ?? "bridge"), ops.container);
}

/** For `ahb init`, which must work before Docker is set up: with no engine answering, loopback only. */
export async function discoverOrLoopback(
  docker: Docker,
  ops: { network?: string; container: string },
): Promise<ProxyAddress> {
  try {
    return await discoverTrustedProxies(docker, ops);
  } catch {
    return LOOPBACK;
  }
}
