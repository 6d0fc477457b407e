import { isIP } from "node:net";

/** The eight 16-bit groups of an IPv6 address (zone id dropped, embedded IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let text = address.split("%")[0] as string;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = (v4Tail[1] as string).split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The network an IPv6 client address belongs to, as "2001:db8:1:2::/64": one ISP customer usually holds a whole
 * /64 and may use any address in it, so per-address budgets would be per-customer budgets times 2^64.
 * IPv4 (and IPv4-mapped IPv6) addresses come back unchanged.
 */
export function clientNetwork(address: string, ipv6PrefixBits: number): string {
  const plain = address.split("%")[0] as string;
  if (isIP(plain) !== 6) return address;
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(plain)) return plain.slice(7);
  const groups = ipv6Groups(plain).map((group, index) => {
    const bitsBefore = index * 16;
    if (bitsBefore >= ipv6PrefixBits) return 0;
    const kept = Math.min(16, ipv6PrefixBits - bitsBefore);
    return group & ((0xffff << (16 - kept)) & 0xffff);
  });
  return `${groups.map((group) => group.toString(16)).join(":")}/${ipv6PrefixBits}`;
}
