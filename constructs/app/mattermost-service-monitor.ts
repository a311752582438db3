import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import { serverSelector } from "./mattermost-workload";

/** Props of {@link MattermostServiceMonitor}. */
export interface MattermostServiceMonitorProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** Name of the Service port that serves the metrics. */
  readonly port: string;
  /** Labels the Prometheus resource selects ServiceMonitors by (kube-prometheus-stack: `release: <release>`). */
  readonly labels: Readonly<Record<string, string>>;
  /** How often Prometheus scrapes, e.g. `30s`. */
  readonly interval: string;
}

/**
 * A Prometheus Operator ServiceMonitor (monitoring.coreos.com/v1) for Mattermost's metrics port.
 * The Operator ignores `prometheus.io/*` annotations: it discovers targets only through its own
 * resources (prometheus-community/helm-charts, charts/kube-prometheus-stack/README.md, section
 * "prometheus.io/scrape"). A custom resource has no typed resource in the kubernetes provider, so
 * this is a `kubernetes_manifest`, which reads the cluster's API, and the CRD, at plan time
 * (hashicorp/terraform-provider-kubernetes, docs/resources/manifest.md, "Before you use this resource").
 */
export class MattermostServiceMonitor extends Construct {
  public readonly manifest: Manifest;

  constructor(scope: Construct, id: string, props: MattermostServiceMonitorProps) {
    super(scope, id);
    this.manifest = new Manifest(this, "service-monitor", {
      manifest: {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
          name: `mattermost-${props.environmentName}`,
          namespace: props.namespace,
          labels: { ...props.labels, ...mattermostLabels(props.environmentName, "server") },
        },
        spec: {
          // The Service carries the server pods' labels; its own namespace only.
          selector: { matchLabels: serverSelector(props.environmentName) },
          endpoints: [{ port: props.port, path: "/metrics", interval: props.interval }],
        },
      },
    });
  }
}
