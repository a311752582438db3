import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import { imagePullSecrets, MattermostPodProps, mattermostContainer, mattermostVolumes, POD_SECURITY_CONTEXT } from "./mattermost-pod";
import { HTTP_PORT, METRICS_PORT } from "./mattermost-settings";

/** Props of {@link MattermostWorkload}. */
export interface MattermostWorkloadProps {
  readonly environmentName: string;
  readonly namespace: string;
  readonly replicas: number;
  readonly pod: MattermostPodProps;
  readonly serviceAccountName: string;
  /** Mount the service account token (only for IRSA). */
  readonly mountServiceAccountToken: boolean;
  /** What must be done before the pods roll (the migration Job). */
  readonly dependsOn?: ITerraformDependable[];
}

/** The pods that serve Mattermost (labels `component: server`), as a Deployment behind a Service. */
export function serverSelector(environmentName: string): Record<string, string> {
  const labels = mattermostLabels(environmentName, "server");
  return { "app.kubernetes.io/instance": labels["app.kubernetes.io/instance"], "app.kubernetes.io/component": "server" };
}

/**
 * The Mattermost Deployment and its Service. Rolls one pod at a time and never below the wanted
 * number of ready pods; Terraform waits for the rollout.
 */
export class MattermostWorkload extends Construct {
  public readonly name: string;
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;

  constructor(scope: Construct, id: string, props: MattermostWorkloadProps) {
    super(scope, id);
    this.name = `mattermost-${props.environmentName}`;
    const labels = mattermostLabels(props.environmentName, "server");
    const selector = serverSelector(props.environmentName);
    const metrics = props.pod.metrics;
    this.deployment = new DeploymentV1(this, "deployment", {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: {
        replicas: String(props.replicas),
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "0", maxSurge: "1" } },
        template: {
          metadata: {
            labels,
            ...(metrics ? { annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(METRICS_PORT), "prometheus.io/path": "/metrics" } } : {}),
          },
          spec: {
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: props.mountServiceAccountToken,
            enableServiceLinks: false,
            securityContext: POD_SECURITY_CONTEXT,
            ...imagePullSecrets(props.pod),
            // Mattermost drains websockets on SIGTERM; give it time before the kill.
            terminationGracePeriodSeconds: 60,
            topologySpreadConstraint: [
              { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: [{ matchLabels: selector }] },
              { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: [{ matchLabels: selector }] },
            ],
            container: [mattermostContainer(props.pod, { serving: true })],
            volume: mattermostVolumes(props.pod, true),
          },
        },
      },
      waitForRollout: true,
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
    });
    this.service = new ServiceV1(this, "service", {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: {
        type: "ClusterIP",
        selector,
        port: [
          { name: "http", port: HTTP_PORT, targetPort: String(HTTP_PORT), protocol: "TCP" },
          ...(metrics ? [{ name: "metrics", port: METRICS_PORT, targetPort: String(METRICS_PORT), protocol: "TCP" }] : []),
        ],
      },
    });
  }
}
