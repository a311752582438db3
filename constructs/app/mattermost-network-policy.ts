import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Construct } from "constructs";
import { EgressRule, IPV4_NOT_INTERNET, IPV6_INTERNET, MATTERMOST_INTERNET_PORTS } from "../../config/schema/network";
import { mattermostLabels } from "../shared/labels";
import { GOSSIP_PORT, HTTP_PORT, METRICS_PORT } from "./mattermost-settings";
import { serverSelector } from "./mattermost-workload";

/** Props of {@link MattermostNetworkPolicy}. */
export interface MattermostNetworkPolicyProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** Namespace of the ingress controller, let in on 8065; omitted when there is no Ingress. */
  readonly ingressControllerNamespace?: string;
  /**
   * Networks the ingress controller connects from when it runs on hostNetwork (its node's address
   * matches no namespace selector). Default none; only with ingressControllerNamespace.
   */
  readonly ingressControllerCidrs?: readonly string[];
  /** More sources let in on 8065 (a Gateway's namespace, a load balancer's network). Default: none. */
  readonly httpSources?: readonly HttpSource[];
  /** Namespace of the metrics scraper, let in on 8067; omitted when metrics are off. */
  readonly metricsNamespace?: string;
  /** Let Mattermost pods gossip with each other on 8074 TCP and UDP. */
  readonly gossip: boolean;
  /** Where the pods may connect. Default: DNS, the database port on private networks, public addresses on 443 and 80. */
  readonly egress?: MattermostEgress;
}

/** A source the policy admits on 8065: pods of a namespace (optionally only some), or a network. */
export type HttpSource = { readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> } | { readonly cidr: string };

function peerOf(source: HttpSource) {
  if ("cidr" in source) return { ipBlock: { cidr: source.cidr } };
  return { ...namespaceNamed(source.namespace), ...(source.podLabels ? { podSelector: { matchLabels: { ...source.podLabels } } } : {}) };
}

/** Where Mattermost's pods may connect. */
export interface MattermostEgress {
  /** Namespace of the cluster DNS (port 53 UDP and TCP). Default `kube-system`. */
  readonly dnsNamespace?: string;
  /**
   * The PostgreSQL server: its address when it is an IP literal (only that address is let through),
   * else only its port, on private networks (the address behind a name is not known at synth).
   */
  readonly database: { readonly host?: string; readonly port: number };
  /**
   * Public internet addresses (S3, SMTP, push, marketplace, previews): on these TCP ports
   * (`{ ports }`, e.g. from config's internetEgress), on every port (`"all"`), or not at all
   * (`false`). Default (`true` or omitted): the ports Mattermost itself needs, 443 and 80
   * (MATTERMOST_INTERNET_PORTS).
   */
  readonly internet?: boolean | "all" | { readonly ports: readonly number[] };
  /** Further destinations the user listed (network.egress.allow). */
  readonly allow?: readonly EgressRule[];
}

/** The internet rule's addresses (config/schema/network.ts, where the ports are derived too). */
export { IPV4_NOT_INTERNET, IPV6_INTERNET };
/** Private networks, where a database known by name may be (RFC 1918, RFC 6598, RFC 4193 without AWS's metadata address). */
const PRIVATE_NETWORKS = [
  { ipBlock: { cidr: "10.0.0.0/8" } },
  { ipBlock: { cidr: "172.16.0.0/12" } },
  { ipBlock: { cidr: "192.168.0.0/16" } },
  { ipBlock: { cidr: "100.64.0.0/10" } },
  { ipBlock: { cidr: "fc00::/7", except: ["fd00:ec2::254/128"] } },
];

function namespaceNamed(name: string) {
  return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } };
}

function tcp(...ports: number[]) {
  return ports.map((port) => ({ port: String(port), protocol: "TCP" }));
}

/** An IP literal's single-address network, or undefined for a host name. */
function hostNetwork(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bare)) return `${bare}/32`;
  if (bare.includes(":") && /^[0-9a-fA-F:.]+$/.test(bare)) return `${bare}/128`;
  return undefined;
}

/**
 * Who may connect to Mattermost's pods, and where they may connect.
 *
 * Ingress: the ingress controller on 8065 (by namespace, or from the nodes for a hostNetwork
 * controller), the metrics scraper on 8067, other Mattermost pods on the gossip port.
 *
 * Egress: DNS, the database, other Mattermost pods (gossip), the public internet on the TCP ports
 * Mattermost uses (S3, SMTP, push, marketplace; NetworkPolicy cannot name a destination by DNS name,
 * so the addresses are all public ones) unless turned off, and what the environment lists; never
 * the cloud metadata service (169.254.169.254, fd00:ec2::254), the VPC or the cluster otherwise. A compromised pod or plugin
 * cannot read the node's cloud credentials or wander through private networks. Kubernetes ORs the
 * rules of all policies selecting a pod (NetworkPolicy API: "policies are additive"), so this policy
 * is the whole allow-list only while no other policy selects these pods.
 */
export class MattermostNetworkPolicy extends Construct {
  public readonly policy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: MattermostNetworkPolicyProps) {
    super(scope, id);
    const selector = serverSelector(props.environmentName);
    const egress = props.egress;
    // Without an Ingress its controller has no business with the pods (httpSources names who has).
    const controllerPeers = props.ingressControllerNamespace
      ? [namespaceNamed(props.ingressControllerNamespace), ...(props.ingressControllerCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }))]
      : [];
    const gossipPorts = [
      { port: String(GOSSIP_PORT), protocol: "TCP" },
      { port: String(GOSSIP_PORT), protocol: "UDP" },
    ];
    this.policy = new NetworkPolicyV1(this, "policy", {
      metadata: { name: `mattermost-${props.environmentName}`, namespace: props.namespace, labels: mattermostLabels(props.environmentName, "server") },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: egress ? ["Ingress", "Egress"] : ["Ingress"],
        ingress: [
          ...(controllerPeers.length > 0 ? [{ from: controllerPeers, ports: tcp(HTTP_PORT) }] : []),
          ...((props.httpSources ?? []).length > 0 ? [{ from: props.httpSources!.map(peerOf), ports: tcp(HTTP_PORT) }] : []),
          ...(props.metricsNamespace ? [{ from: [namespaceNamed(props.metricsNamespace)], ports: tcp(METRICS_PORT) }] : []),
          ...(props.gossip ? [{ from: [{ podSelector: { matchLabels: selector } }], ports: gossipPorts }] : []),
        ],
        ...(egress ? { egress: egressRules(egress, props.gossip ? { selector, ports: gossipPorts } : undefined) } : {}),
      },
    });
  }
}

/** The rule to public addresses: on `ports`, on every port, or none. */
function internetRule(internet: NonNullable<MattermostEgress["internet"]>) {
  if (internet === false) return [];
  const to = [{ ipBlock: { cidr: "0.0.0.0/0", except: IPV4_NOT_INTERNET } }, { ipBlock: { cidr: IPV6_INTERNET } }];
  if (internet === "all") return [{ to }];
  const ports = internet === true ? MATTERMOST_INTERNET_PORTS.map((p) => p.port) : internet.ports;
  return [{ to, ports: tcp(...ports) }];
}

function egressRules(egress: MattermostEgress, gossip: { selector: Record<string, string>; ports: { port: string; protocol: string }[] } | undefined) {
  return [
    dnsEgressRule(egress.dnsNamespace),
    databaseEgressRule(egress.database),
    ...(gossip ? [{ to: [{ podSelector: { matchLabels: gossip.selector } }], ports: gossip.ports }] : []),
    ...internetRule(egress.internet ?? true),
    ...allowEgressRules(egress.allow ?? []),
  ];
}

/** DNS: the cluster DNS pods of `dnsNamespace` (default `kube-system`), port 53 UDP and TCP. Shared with the Jobs' policy. */
export function dnsEgressRule(dnsNamespace: string | undefined) {
  return {
    to: [namespaceNamed(dnsNamespace ?? "kube-system")],
    ports: [
      { port: "53", protocol: "UDP" },
      { port: "53", protocol: "TCP" },
    ],
  };
}

/**
 * The PostgreSQL server: that address when the host is an IP literal, else its port on private
 * networks (never the metadata address). Shared with the Jobs' policy.
 */
export function databaseEgressRule(database: MattermostEgress["database"]) {
  const address = hostNetwork(database.host);
  return { to: address ? [{ ipBlock: { cidr: address } }] : PRIVATE_NETWORKS, ports: tcp(database.port) };
}

/**
 * What `network.egress.allow` lists: a network or a namespace's pods, on the listed ports with the
 * listed protocols (TCP unless `protocols` says otherwise), or on every port. Shared with the Jobs' policy.
 */
export function allowEgressRules(allow: readonly EgressRule[]) {
  return allow.map((rule) => ({
    to: [rule.cidr ? { ipBlock: { cidr: rule.cidr } } : namespaceNamed(rule.namespace!)],
    ...(rule.ports ? { ports: rule.ports.flatMap((port) => (rule.protocols ?? ["TCP"]).map((protocol) => ({ port: String(port), protocol }))) } : {}),
  }));
}
