import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import { GOSSIP_PORT, HTTP_PORT, METRICS_PORT } from "./mattermost-settings";
import { serverSelector } from "./mattermost-workload";

/** Props of {@link MattermostNetworkPolicy}. */
export interface MattermostNetworkPolicyProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** Namespace of the ingress controller, let in on 8065; omitted when there is no Ingress. */
  readonly ingressControllerNamespace?: string;
  /** More sources let in on 8065 (a Gateway's namespace, a load balancer's network). Default: none. */
  readonly httpSources?: readonly HttpSource[];
  /** Namespace of the metrics scraper, let in on 8067; omitted when metrics are off. */
  readonly metricsNamespace?: string;
  /** Let Mattermost pods gossip with each other on 8074 TCP and UDP. */
  readonly gossip: boolean;
}

/** A source the policy admits on 8065: pods of a namespace (optionally only some), or a network. */
export type HttpSource = { readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> } | { readonly cidr: string };

function peerOf(source: HttpSource) {
  if ("cidr" in source) return { ipBlock: { cidr: source.cidr } };
  return { ...namespaceNamed(source.namespace), ...(source.podLabels ? { podSelector: { matchLabels: { ...source.podLabels } } } : {}) };
}

function namespaceNamed(name: string) {
  return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } };
}

/**
 * Who may connect to Mattermost's pods: the ingress controller on 8065, the metrics scraper on
 * 8067, and other Mattermost pods on the gossip port. Egress stays open: Mattermost reaches
 * PostgreSQL, S3, SMTP, push and plugin endpoints whose addresses are not known here.
 */
export class MattermostNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: MattermostNetworkPolicyProps) {
    super(scope, id);
    const selector = serverSelector(props.environmentName);
    new NetworkPolicyV1(this, "policy", {
      metadata: { name: `mattermost-${props.environmentName}`, namespace: props.namespace, labels: mattermostLabels(props.environmentName, "server") },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
          ...(props.ingressControllerNamespace ? [{ from: [namespaceNamed(props.ingressControllerNamespace)], ports: [{ port: String(HTTP_PORT), protocol: "TCP" }] }] : []),
          ...((props.httpSources ?? []).length > 0 ? [{ from: props.httpSources!.map(peerOf), ports: [{ port: String(HTTP_PORT), protocol: "TCP" }] }] : []),
          ...(props.metricsNamespace ? [{ from: [namespaceNamed(props.metricsNamespace)], ports: [{ port: String(METRICS_PORT), protocol: "TCP" }] }] : []),
          ...(props.gossip
            ? [{ from: [{ podSelector: { matchLabels: selector } }], ports: [{ port: String(GOSSIP_PORT), protocol: "TCP" }, { port: String(GOSSIP_PORT), protocol: "UDP" }] }]
            : []),
        ],
      },
    });
  }
}
