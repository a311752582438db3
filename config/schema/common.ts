import * as ipaddr from "ipaddr.js";
import { z } from "zod";

/** A Kubernetes object name (RFC 1123 label): what namespaces, secrets and classes must be. */
export const kubernetesName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "must be a Kubernetes name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
  );

/** A TCP port. */
export const port = z.number().int().min(1, "must be a port between 1 and 65535").max(65535, "must be a port between 1 and 65535");

/**
 * An IPv4 or IPv6 network in CIDR notation, parsed strictly (dotted-quad IPv4, no zone, host bits
 * set is an error) and normalized (`0::/0` -> `::/0`, `2001:DB8::/32` -> `2001:db8::/32`), so every
 * comparison, the policy and AWS all see one spelling (AWS stores IPv6 CIDRs compressed and in lower
 * case; another spelling would show as a change on every plan).
 */
export const cidr = z
  .string()
  .superRefine((value, ctx) => {
    const problem = cidrProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((value) => normalizeCidr(value) ?? value);

/** A list of networks that must not, alone or together, admit the whole internet. */
export function privateCidrs(what: string) {
  return z.array(cidr).superRefine((list, ctx) => {
    const open = internetCoverage(list);
    if (open) ctx.addIssue({ code: "custom", message: `${open}: ${what} would be open to the whole internet; list only the networks that need it` });
  });
}

/** A parsed network: family, first address and prefix length. */
export interface Network {
  readonly family: "ipv4" | "ipv6";
  /** First address as an unsigned integer. */
  readonly start: bigint;
  readonly prefix: number;
}

/** Why `value` is not a strict CIDR, or undefined when it is one. */
export function cidrProblem(value: string): string | undefined {
  const match = /^([^/\s%]+)\/(\d{1,3})$/.exec(value);
  if (!match) return `must be a network in CIDR notation such as 10.0.0.0/8 (got "${value}")`;
  const [, address, prefixText] = match;
  const prefix = Number(prefixText);
  const ip = parseAddress(address);
  if (!ip) return `"${address}" is not an IP address (in "${value}")`;
  const bits = ip.kind() === "ipv4" ? 32 : 128;
  if (prefix > bits) return `prefix /${prefix} is longer than the address allows (in "${value}")`;
  const network = networkAddress(ip, prefix);
  if (network.toString() !== ip.toString()) {
    return `host bits are set in "${value}"; write the network address (e.g. ${network.toString()}/${prefix})`;
  }
  return undefined;
}

/** The one spelling of a valid CIDR (ipaddr.js `toString`: dotted quad, compressed lower-case IPv6), or undefined. */
export function normalizeCidr(value: string): string | undefined {
  const network = parseCidr(value);
  if (!network) return undefined;
  const [address] = ipaddr.parseCIDR(value);
  return `${address.toString()}/${network.prefix}`;
}

/** A valid CIDR as numbers; undefined when {@link cidrProblem} has something to say. */
export function parseCidr(value: string): Network | undefined {
  if (cidrProblem(value)) return undefined;
  const [address, prefix] = ipaddr.parseCIDR(value);
  const bytes = address.toByteArray();
  const start = bytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
  return { family: address.kind(), start, prefix };
}

/**
 * The strict address parser: ipaddr.js accepts the old inet_aton forms (`10.1`, `0x0a.0.0.1`, octal),
 * which nothing else here would read the same way, so IPv4 must be four decimal parts.
 */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (address.includes(":") && ipaddr.IPv6.isValid(address)) return ipaddr.IPv6.parse(address);
  return undefined;
}

function networkAddress(ip: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = ip.toByteArray();
  const masked = bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return byte & (0xff << (8 - keep)) & 0xff;
  });
  return ipaddr.fromByteArray(masked);
}

/**
 * Addresses that are not on the public internet (IANA IPv4 Special-Purpose Address Registry,
 * RFC 6890): a list that admits every address but these admits the whole internet, e.g. the
 * classic "everything but RFC 1918" list.
 */
const IPV4_NOT_PUBLIC = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/3",
];
/** IPv6's global unicast space (RFC 4291 section 2.4): all of the IPv6 internet. */
const IPV6_PUBLIC = "2000::/3";
/** IPv4-mapped IPv6 addresses (RFC 4291 section 2.5.5.2) are IPv4 addresses. */
const IPV4_MAPPED = { start: 0xffffn << 32n, prefix: 96 };

type Range = readonly [bigint, bigint];

function rangeOf(start: bigint, prefix: number, bits: number): Range {
  return [start, start + (1n << BigInt(bits - prefix)) - 1n];
}

/** Whether the union of `ranges` contains every address of `target`. */
function covers(ranges: readonly Range[], target: Range): boolean {
  let next = target[0];
  for (const [start, end] of [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (start > next) break;
    if (end >= next) next = end + 1n;
    if (next > target[1]) return true;
  }
  return next > target[1];
}

/**
 * Which family's whole internet `cidrs` admit together, however written (`0.0.0.0/0`, `0::/0`,
 * `0.0.0.0/1` + `128.0.0.0/1`, every public block one by one, `::ffff:0:0/96`), as a sentence; or
 * undefined. Values that are not valid CIDRs are ignored (the schema reports them).
 */
export function internetCoverage(cidrs: readonly string[]): string | undefined {
  const v4: Range[] = [];
  const v6: Range[] = [];
  for (const value of cidrs) {
    const network = parseCidr(value);
    if (!network) continue;
    if (network.family === "ipv4") {
      v4.push(rangeOf(network.start, network.prefix, 32));
      continue;
    }
    const range = rangeOf(network.start, network.prefix, 128);
    v6.push(range);
    const mapped = rangeOf(IPV4_MAPPED.start, IPV4_MAPPED.prefix, 128);
    const lo = range[0] > mapped[0] ? range[0] : mapped[0];
    const hi = range[1] < mapped[1] ? range[1] : mapped[1];
    if (lo <= hi) v4.push([lo - mapped[0], hi - mapped[0]]);
  }
  const notPublic = IPV4_NOT_PUBLIC.map((c) => parseCidr(c)!).map((n) => rangeOf(n.start, n.prefix, 32));
  const found: string[] = [];
  if (v4.length > 0 && covers([...v4, ...notPublic], [0n, (1n << 32n) - 1n])) found.push("every public IPv4 address");
  const public6 = parseCidr(IPV6_PUBLIC)!;
  if (v6.length > 0 && covers(v6, rangeOf(public6.start, public6.prefix, 128))) found.push("every public IPv6 address");
  if (found.length === 0) return undefined;
  return `${cidrs.join(" + ")} admit${cidrs.length === 1 ? "s" : ""} ${found.join(" and ")}`;
}

/**
 * A container image reference (docker/distribution `reference` grammar: optional registry host and
 * port, lowercase path components, then `:tag`, `@sha256:<digest>` or both) that names a tag or a
 * digest. Without one the runtime pulls `:latest`, which moves under you; `:latest` itself is
 * refused for the same reason. A digest is what the registry cannot change: recommended
 * (docs/security.md).
 */
export const imageReference = z.string().superRefine((value, ctx) => {
  const problem = imageReferenceProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const IMAGE_REFERENCE =
  /^(?<name>(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** Why `value` is not a pinned image reference, or undefined. */
export function imageReferenceProblem(value: string): string | undefined {
  const match = IMAGE_REFERENCE.exec(value);
  const example = "mattermost/mattermost-team-edition:10.11.4, or by digest mattermost/mattermost-team-edition:10.11.4@sha256:<64 hex digits>";
  if (!match) return `must be an image reference such as ${example} (got "${value}")`;
  const { tag, digest } = match.groups!;
  if (!tag && !digest) return `names no tag or digest, so the runtime would pull :latest, which changes under you; write ${example}`;
  if (tag === "latest" && !digest) return `is :latest, which changes under you (and the migration Job, named after the image, would never run again); name a version or a digest: ${example}`;
  return undefined;
}

/** An absolute URL with one of the given schemes. */
export function urlWithScheme(...schemes: string[]) {
  const list = schemes.map((s) => `${s}://`).join(" or ");
  return z.string().superRefine((value, ctx) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !schemes.includes(parsed.protocol.replace(/:$/, "")) || !parsed.hostname) {
      // Echo the value without any user and password in it: messages end up in terminals and CI logs.
      const shown = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/\s@?#]+@/i, "$1***@");
      ctx.addIssue({ code: "custom", message: `must start with ${list} and name a host (got "${shown}")` });
    }
  });
}
