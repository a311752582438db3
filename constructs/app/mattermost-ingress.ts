import { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import { HTTP_PORT } from "./mattermost-settings";

/** Props of {@link MattermostIngress}. */
export interface MattermostIngressProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** Site URL without a path: its host is the rule's host, `https://` turns TLS on. */
  readonly siteUrl: string;
  readonly serviceName: string;
  /** Kubernetes TLS Secret for the host (https only); the controller's default certificate without it. */
  readonly tlsSecretName?: string;
  /** cert-manager ClusterIssuer that fills `tlsSecretName`. */
  readonly certManagerClusterIssuer?: string;
  readonly ingressClassName?: string;
  readonly allowedSourceRanges: readonly string[];
  readonly maxFileSizeMb: number;
  /** More hosts routed to the same Service (and in the TLS block with https). Default: none. */
  readonly extraHosts?: readonly string[];
  /**
   * More annotations, applied after the stack's, so they may change e.g. the proxy timeouts. The
   * schema refuses those a key sets (body size, allow-list, cluster issuer, ssl-redirect). Default: none.
   */
  readonly extraAnnotations?: Readonly<Record<string, string>>;
}

/** The nginx Ingress for the site URL's host: TLS with https, upload limit, optional allow-list. */
export class MattermostIngress extends Construct {
  public readonly ingress: IngressV1;

  constructor(scope: Construct, id: string, props: MattermostIngressProps) {
    super(scope, id);
    const url = new URL(props.siteUrl);
    // The rule routes "/" and the pods' probes and SAML's ACS URL are at the root: a site under a path
    // would get pages Mattermost does not serve there (the schema rejects it in environment files).
    if (url.pathname !== "/" || url.search || url.hash) {
      throw new Error(`MattermostIngress: siteUrl must have no path, query or fragment (got "${props.siteUrl}"): Mattermost is served at the root of its host`);
    }
    const https = url.protocol === "https:";
    const annotations: Record<string, string> = {
      "nginx.ingress.kubernetes.io/proxy-body-size": `${props.maxFileSizeMb}m`,
      // Websockets stay open for long; nginx's 60 s default would cut them.
      "nginx.ingress.kubernetes.io/proxy-read-timeout": "600",
      "nginx.ingress.kubernetes.io/proxy-send-timeout": "600",
      ...(https ? {} : { "nginx.ingress.kubernetes.io/ssl-redirect": "false" }),
      ...(props.allowedSourceRanges.length > 0 ? { "nginx.ingress.kubernetes.io/whitelist-source-range": props.allowedSourceRanges.join(",") } : {}),
      ...(https && props.certManagerClusterIssuer ? { "cert-manager.io/cluster-issuer": props.certManagerClusterIssuer } : {}),
      ...props.extraAnnotations,
    };
    const hosts = [url.hostname, ...(props.extraHosts ?? [])];
    const backend = { service: { name: props.serviceName, port: { number: HTTP_PORT } } };
    this.ingress = new IngressV1(this, "ingress", {
      metadata: { name: `mattermost-${props.environmentName}`, namespace: props.namespace, labels: mattermostLabels(props.environmentName, "ingress"), annotations },
      spec: {
        ...(props.ingressClassName ? { ingressClassName: props.ingressClassName } : {}),
        rule: hosts.map((host) => ({ host, http: { path: [{ path: "/", pathType: "Prefix", backend }] } })),
        // One certificate (tlsSecretName) for every host: cert-manager asks for all of them in it.
        ...(https ? { tls: [{ hosts, ...(props.tlsSecretName ? { secretName: props.tlsSecretName } : {}) }] } : {}),
      },
    });
  }
}
