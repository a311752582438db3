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

/** An IPv4 or IPv6 network in CIDR notation, parsed strictly: host bits set is an error. */
export const cidr = z.string().superRefine((value, ctx) => {
  const problem = cidrProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Why `value` is not a strict CIDR, or undefined when it is one. */
export function cidrProblem(value: string): string | undefined {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(value);
  if (!match) return `must be a network in CIDR notation such as 10.0.0.0/8 (got "${value}")`;
  const [, address, prefixText] = match;
  const prefix = Number(prefixText);
  const bits = parseIp(address);
  if (!bits) return `"${address}" is not an IP address (in "${value}")`;
  if (prefix > bits.length) return `prefix /${prefix} is longer than the address allows (in "${value}")`;
  if (bits.slice(prefix).includes("1")) {
    return `host bits are set in "${value}"; write the network address (e.g. ${networkOf(address, bits, prefix)}/${prefix})`;
  }
  return undefined;
}

function parseIp(address: string): string | undefined {
  if (address.includes(":")) return parseIpv6(address);
  const parts = address.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return undefined;
  return parts.map((p) => Number(p).toString(2).padStart(8, "0")).join("");
}

function parseIpv6(address: string): string | undefined {
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const groups = (text: string) => (text === "" ? [] : text.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16).toString(2).padStart(16, "0")).join("");
}

function networkOf(address: string, bits: string, prefix: number): string {
  const network = bits.slice(0, prefix).padEnd(bits.length, "0");
  if (address.includes(":")) {
    const groups = network.match(/.{16}/g)!.map((g) => parseInt(g, 2).toString(16));
    return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
  }
  return network.match(/.{8}/g)!.map((o) => parseInt(o, 2)).join(".");
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
      ctx.addIssue({ code: "custom", message: `must start with ${list} and name a host (got "${value}")` });
    }
  });
}
