import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { cidr, kubernetesName, parseCidr, port } from "./common";
import type { MattermostConfig } from "./mattermost";
import type { StorageConfig } from "./storage";

/**
 * Cloud instance metadata services: a pod that reaches them can read the node's cloud credentials.
 * AWS IMDS answers on 169.254.169.254 and, on Nitro instances with IPv6, on fd00:ec2::254 (AWS EC2
 * User Guide, "Access instance metadata"); GCP and Azure use 169.254.169.254 too. No egress rule may
 * contain them.
 */
export const METADATA_ADDRESSES = ["169.254.169.254/32", "fd00:ec2::254/128"] as const;

/** The metadata address inside `network` (a CIDR), if any. */
export function metadataAddressIn(network: string): string | undefined {
  return METADATA_ADDRESSES.find((address) => networkContains(network, address));
}

/** Whether the network `outer` (a CIDR) holds every address of `inner` (a CIDR). */
function networkContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || o.family !== i.family || i.prefix < o.prefix) return false;
  const shift = BigInt((o.family === "ipv4" ? 32 : 128) - o.prefix);
  return i.start >> shift === o.start >> shift;
}

/**
 * Addresses that are not the public internet (IANA special-purpose registries, RFC 6890): cut out
 * of the internet rule. 169.254.0.0/16 holds the cloud metadata service (169.254.169.254); the
 * other private ranges hold the VPC, the nodes and the cluster's pods and services.
 */
export const IPV4_NOT_INTERNET = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"];
/** IPv6 global unicast (RFC 4291 section 2.4): excludes ULAs (fc00::/7, holding AWS's fd00:ec2::254) and link-local. */
export const IPV6_INTERNET = "2000::/3";

/** Whether `address` (an IP literal) is one the internet rule reaches. */
function isInternetAddress(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const single = `${address.toString()}/${address.kind() === "ipv4" ? 32 : 128}`;
  if (address.kind() === "ipv6") return networkContains(IPV6_INTERNET, single);
  return !IPV4_NOT_INTERNET.some((network) => networkContains(network, single));
}

/** One place Mattermost's pods may connect to: a network, or the pods of a namespace; on some ports or all. */
export const egressRuleSchema = z
  .object({
    /** A network such as the database subnets, an SMTP relay or a proxy (`10.20.0.0/16`, `10.0.3.7/32`). */
    cidr: cidr.optional(),
    /** Pods of this namespace (an in-cluster PostgreSQL, a proxy, an S3-compatible store). */
    namespace: kubernetesName.optional(),
    /** Ports (TCP unless `protocols` says otherwise); every port of every protocol when omitted. */
    ports: z.array(port).min(1).optional(),
    /**
     * The protocols `ports` are opened for. Default `[TCP]`; DNS needs `[UDP, TCP]` (a NodeLocal
     * DNSCache address: docs/network.md, "DNS through NodeLocal DNSCache").
     */
    protocols: z.array(z.enum(["TCP", "UDP"], { error: "must be TCP or UDP" })).min(1).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if ((rule.cidr === undefined) === (rule.namespace === undefined)) {
      ctx.addIssue({ code: "custom", message: "give exactly one of cidr (a network) or namespace (in-cluster pods)" });
    }
    if (rule.protocols && !rule.ports) {
      ctx.addIssue({
        code: "custom",
        path: ["protocols"],
        message: "applies to ports, and this entry lists none (it opens every port of every protocol already); list the ports (e.g. ports: [53], protocols: [UDP, TCP]) or remove protocols",
      });
    }
    const metadata = rule.cidr ? metadataAddressIn(rule.cidr) : undefined;
    if (metadata) {
      ctx.addIssue({
        code: "custom",
        path: ["cidr"],
        message: `${rule.cidr} contains the cloud metadata address ${metadata}, which hands out the node's cloud credentials; list a narrower network`,
      });
    }
  });

const INTERNET_FORMS =
  "must be true (the ports Mattermost needs: 443, 80 and those of the servers this file names), false (no public address: list the proxy in network.egress.allow) or { ports: [8443] } to open more ports ({ ports: all } opens every port)";

/** `network.egress.internet` as written. */
const internetSchema = z
  .union(
    [
      z.boolean(),
      z
        .object({
          /** More TCP ports to open to public addresses, besides those Mattermost needs; or `all`. */
          ports: z.union([z.array(port).min(1, "lists no port; list the TCP ports to open (e.g. ports: [8443]), or write internet: true"), z.literal("all")], {
            error: "must be a list of TCP ports (e.g. ports: [8443]) or all",
          }),
        })
        .strict(),
    ],
    { error: INTERNET_FORMS },
  )
  .default(true);

/**
 * Where Mattermost's pods may connect (the NetworkPolicy's egress) and who may connect to them
 * besides the ingress controller's namespace. See docs/network.md.
 */
export const networkSchema = z
  .object({
    /**
     * Addresses the ingress controller connects from when it is not a pod in
     * `mattermost.ingressControllerNamespace`: a controller on hostNetwork connects from its node's
     * address, which no namespace selector matches. List the nodes' network (e.g. `10.0.0.0/24`).
     */
    ingressControllerCidrs: z.array(cidr).default([]),
    /**
     * Whether the ingress controller sees each client's own address. Behind a load balancer with the
     * Service default `externalTrafficPolicy: Cluster` the nodes source-NAT every connection, so nginx
     * sees node addresses and `mattermost.ingressAllowedSourceRanges` admits everyone (Kubernetes,
     * Service `externalTrafficPolicy`; ingress-nginx, "Retaining Client IPAddress"). Set it to true
     * once the controller's Service has `externalTrafficPolicy: Local` or the load balancer speaks
     * PROXY protocol to nginx (`use-proxy-protocol: "true"`); an allow-list needs it.
     */
    ingressSeesClientAddress: z.boolean().default(false),
    egress: z
      .object({
        /**
         * Public internet addresses (everything but private, shared, loopback and link-local ranges,
         * so never the metadata service), on the TCP ports Mattermost's outbound features use:
         * `true` (default) opens 443 and 80 plus the ports of the servers this file names (SMTP, an
         * S3 endpoint, the push server, the proxy; see {@link internetEgress}); `{ ports: [...] }`
         * opens those and the ports listed, `{ ports: all }` every port; `false` none (everything
         * goes through `mattermost.outboundProxy` or what `allow` lists).
         */
        internet: internetSchema,
        /** Namespace of the cluster's DNS (kube-dns/CoreDNS); port 53 there. */
        dnsNamespace: kubernetesName.default("kube-system"),
        /** Private destinations: the database, an SMTP relay, the proxy, an S3 endpoint in the VPC. */
        allow: z.array(egressRuleSchema).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type NetworkConfig = z.output<typeof networkSchema>;
export type EgressRule = z.output<typeof egressRuleSchema>;

/** A TCP port open to public addresses, and why Mattermost needs it. */
export interface InternetPort {
  readonly port: number;
  readonly why: string;
}

/**
 * The TCP ports Mattermost's outbound features use whatever the environment says (docs/network.md,
 * "Egress", has the sources):
 * - 443: https. S3 and STS (AWS's public endpoints), the push proxy (Mattermost's default
 *   `EmailSettings.PushNotificationServer` on a new install is `https://push-test.mattermost.com`:
 *   mattermost/mattermost server/public/model/config.go, GenericNotificationServer and
 *   (*EmailSettings).SetDefaults), the marketplace (PluginSettingsDefaultMarketplaceURL
 *   `https://api.integrations.mattermost.com`), notices, link previews and webhooks to https URLs.
 * - 80: plain http. Link previews are on by default (ServiceSettings.EnableLinkPreviews defaults to
 *   true, same file) and fetch the first autolinked URL of a post as written, http:// included
 *   (server/channels/app/post_metadata.go, getFirstLink and getLinkMetadataForURL); outgoing webhooks
 *   are on by default (EnableOutgoingWebhooks) and their callback URLs may be http://
 *   (server/public/model/outgoing_webhook.go, (*OutgoingWebhook).IsValid: IsValidHTTPURL).
 */
export const MATTERMOST_INTERNET_PORTS: readonly InternetPort[] = [
  { port: 443, why: "https: S3, STS, the push proxy, the marketplace, link previews and webhooks" },
  { port: 80, why: "http: link previews and outgoing webhooks to http:// URLs (both on by default)" },
];

/** The public internet for the NetworkPolicy: none, every port, or these TCP ports. */
export type InternetEgress = false | "all" | readonly InternetPort[];

/** What {@link internetEgress} reads: the network section and the servers the environment names. */
export interface EgressInputs {
  readonly network?: NetworkConfig;
  readonly mattermost: Pick<MattermostConfig, "smtp" | "pushNotificationServer" | "outboundProxy"> & { readonly extraEnv?: Readonly<Record<string, string>> };
  readonly storage?: StorageConfig;
}

/**
 * Where the pods may connect on the public internet, derived in this one place from the
 * environment: {@link MATTERMOST_INTERNET_PORTS}, plus the port of each server the file names
 * (`mattermost.smtp`, `storage.endpoint`, `mattermost.pushNotificationServer`,
 * `mattermost.outboundProxy`, and in `mattermost.extraEnv` an LDAP server, Elasticsearch, the
 * export bucket's endpoint, another marketplace, the Calls plugin's rtcd) unless the internet rule
 * is not how the pods reach it (see reachedOtherwise), plus what `network.egress.internet.ports`
 * adds.
 * NetworkPolicy cannot name a destination by DNS name (Kubernetes, "Network Policies", "What you
 * can't do with network policies"), so a server known by name is reached on its port at any public
 * address.
 */
export function internetEgress(env: EgressInputs): InternetEgress {
  const setting = env.network?.egress.internet ?? true;
  if (setting === false) return false;
  if (setting !== true && setting.ports === "all") return "all";
  const allow = env.network?.egress.allow ?? [];
  const ports = [...MATTERMOST_INTERNET_PORTS];
  const add = (port: number, why: string) => {
    if (!ports.some((p) => p.port === port)) ports.push({ port, why });
  };
  for (const server of namedServers(env)) {
    if (!reachedOtherwise(server.host, server.port, allow)) add(server.port, `${server.path.join(".")} (${server.host.includes(":") ? `[${server.host}]` : server.host}:${server.port})`);
  }
  if (setting !== true) for (const port of setting.ports as readonly number[]) add(port, "network.egress.internet.ports");
  return ports;
}

/** A server Mattermost connects to that the environment names: where, and the key that names it. */
interface NamedServer {
  readonly host: string;
  readonly port: number;
  /** The key, as a path (`["mattermost", "smtp", "host"]`). */
  readonly path: readonly string[];
}

/** The servers Mattermost connects to that the environment names, with their TCP port. */
function namedServers(env: EgressInputs): NamedServer[] {
  const servers: NamedServer[] = [];
  const mm = env.mattermost;
  if (mm.smtp) servers.push({ host: mm.smtp.host, port: mm.smtp.port, path: ["mattermost", "smtp", "host"] });
  const urls: [string | undefined, string[]][] = [
    [env.storage?.kind === "external" ? env.storage.endpoint : undefined, ["storage", "endpoint"]],
    [mm.pushNotificationServer, ["mattermost", "pushNotificationServer"]],
    [mm.outboundProxy, ["mattermost", "outboundProxy"]],
  ];
  // Servers set through extraEnv (Mattermost reads MM_<SECTION>_<SETTING> in any letter case).
  const extra: Record<string, { name: string; value: string }> = {};
  for (const [name, value] of Object.entries(mm.extraEnv ?? {})) extra[name.toUpperCase()] = { name, value };
  const key = (upper: string) => ["mattermost", "extraEnv", extra[upper].name];
  if (extra.MM_LDAPSETTINGS_LDAPSERVER) {
    // LdapSettings.LdapPort defaults to 389 (mattermost/mattermost server/public/model/config.go, (*LdapSettings).SetDefaults).
    const port = Number(extra.MM_LDAPSETTINGS_LDAPPORT?.value ?? 389);
    servers.push({ host: extra.MM_LDAPSETTINGS_LDAPSERVER.value, port, path: key("MM_LDAPSETTINGS_LDAPSERVER") });
  }
  if (extra.MM_FILESETTINGS_EXPORTAMAZONS3ENDPOINT) {
    // host[:port]; ExportAmazonS3SSL defaults to true (same file, (*FileSettings).SetDefaults).
    const scheme = /^false$/i.test(extra.MM_FILESETTINGS_EXPORTAMAZONS3SSL?.value ?? "") ? "http" : "https";
    urls.push([`${scheme}://${extra.MM_FILESETTINGS_EXPORTAMAZONS3ENDPOINT.value}`, key("MM_FILESETTINGS_EXPORTAMAZONS3ENDPOINT")]);
  }
  // Elasticsearch, another marketplace, and the Calls plugin's rtcd (docs/app.md, "Calls": the
  // plugin reads these two before its own setting).
  for (const name of ["MM_ELASTICSEARCHSETTINGS_CONNECTIONURL", "MM_PLUGINSETTINGS_MARKETPLACEURL", "MM_CALLS_RTCD_SERVICE_URL", "MM_CALLS_RTCD_URL"]) {
    if (extra[name]) urls.push([extra[name].value, key(name)]);
  }
  for (const [value, path] of urls) {
    const url = value ? parseUrl(value) : undefined;
    if (!url) continue;
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    servers.push({ host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port, path });
  }
  return servers.filter((server) => Number.isInteger(server.port) && server.port >= 1 && server.port <= 65535);
}

/** An IP literal host as an address, or undefined for a name. */
function ipLiteral(host: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(host) || (host.includes(":") && ipaddr.IPv6.isValid(host))) return ipaddr.process(host);
  return undefined;
}

/** Whether an `allow` entry opens TCP `port` (the servers the file names all speak TCP). */
function opensTcp(rule: EgressRule, port: number): boolean {
  return !rule.ports || (rule.ports.includes(port) && (rule.protocols ?? ["TCP"]).includes("TCP"));
}

/** Whether an `allow` network open on TCP `port` holds `address`. */
function allowedNetwork(address: ipaddr.IPv4 | ipaddr.IPv6, port: number, allow: readonly EgressRule[]): boolean {
  const single = `${address.toString()}/${address.kind() === "ipv4" ? 32 : 128}`;
  return allow.some((rule) => rule.cidr !== undefined && opensTcp(rule, port) && networkContains(rule.cidr, single));
}

/**
 * Whether `host:port` is reached without the internet rule: an IP address that is not public (the
 * internet rule never reaches it, only `allow` can), a public address inside an `allow` network open
 * on that port, or an in-cluster name `<service>.<namespace>.svc[.cluster.local]` (a Service address,
 * private too: `allow` must list its namespace).
 */
function reachedOtherwise(host: string, port: number, allow: readonly EgressRule[]): boolean {
  const address = ipLiteral(host);
  if (address) return !isInternetAddress(address) || allowedNetwork(address, port, allow);
  return /\.svc(\.cluster\.local)?\.?$/i.test(host);
}

/**
 * Servers the file names at a private address that no `allow` entry can let the pods reach (no
 * network holding it on its port, and no namespace rule on that port, which could hold a Service
 * address): the pods would time out connecting. Loopback is left alone (a sidecar; a pod's own
 * traffic is never filtered). One problem per server: the key that names it, and the entry to add.
 */
export function unreachableServers(env: EgressInputs): { path: string[]; message: string }[] {
  const allow = env.network?.egress.allow ?? [];
  return namedServers(env).flatMap((server) => {
    const address = ipLiteral(server.host);
    if (!address || isInternetAddress(address) || ["loopback", "unspecified"].includes(address.range())) return [];
    if (allowedNetwork(address, server.port, allow)) return [];
    if (allow.some((rule) => rule.namespace !== undefined && opensTcp(rule, server.port))) return [];
    const cidr = `${address.toString()}/${address.kind() === "ipv4" ? 32 : 128}`;
    return [
      {
        path: [...server.path],
        message: `points at ${address.toString()} port ${server.port}, a private address, which the network policy lets the pods reach only through network.egress.allow; add { cidr: ${cidr}, ports: [${server.port}] } to network.egress.allow`,
      },
    ];
  });
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
