import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import {
  imagePullSecrets,
  MattermostPodProps,
  mattermostContainer,
  mattermostVolumes,
  POD_SECURITY_CONTEXT,
  POD_START_SECONDS,
  TERMINATION_GRACE_SECONDS,
} from "./mattermost-pod";
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
 * How the Deployment replaces its pods. With files on a claim that only one node (ReadWriteOnce)
 * or one pod (ReadWriteOncePod) may use, a rolling update never finishes: the surge pod cannot
 * mount the claim the old pod holds (ReadWriteOncePod: it is not even scheduled; ReadWriteOnce:
 * Multi-Attach on another node), and maxUnavailable 0 keeps the old pod. Recreate stops the old
 * pod first, a short downtime; anything else rolls one extra pod at a time. Access modes:
 * https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
 */
export function rolloutStrategy(pod: Pick<MattermostPodProps, "dataClaimName" | "dataClaimAccessMode">) {
  const exclusiveClaim = pod.dataClaimName !== undefined && (pod.dataClaimAccessMode ?? "ReadWriteOnce") !== "ReadWriteMany";
  return exclusiveClaim ? { type: "Recreate" } : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "0", maxSurge: "1" } };
}

/**
 * How long a rollout of `replicas` pods may take. Rolling: one pod after the other, each within
 * POD_START_SECONDS, plus one termination grace. Recreate: old pods go first (the grace), then all
 * start together, which the same sum bounds. Kubernetes' own progress deadline is one pod's start
 * and a grace, so a pod that never gets Ready fails the apply after minutes, not after the sum.
 */
export function rolloutDeadlines(replicas: number) {
  const timeout = `${replicas * POD_START_SECONDS + TERMINATION_GRACE_SECONDS}s`;
  return { progressDeadlineSeconds: POD_START_SECONDS + TERMINATION_GRACE_SECONDS, timeouts: { create: timeout, update: timeout } };
}

/**
 * The Mattermost Deployment and its Service. Rolls one pod at a time and never below the wanted
 * number of ready pods (Recreate with a claim that is not ReadWriteMany); Terraform waits for the
 * rollout, as long as the pods' startup probes allow and no longer.
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
    const deadlines = rolloutDeadlines(props.replicas);
    const annotations = {
      ...(metrics ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(METRICS_PORT), "prometheus.io/path": "/metrics" } : {}),
      ...props.pod.rolloutAnnotations,
    };
    this.deployment = new DeploymentV1(this, "deployment", {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: {
        replicas: String(props.replicas),
        selector: { matchLabels: selector },
        strategy: rolloutStrategy(props.pod),
        // The provider stops waiting when Kubernetes reports ProgressDeadlineExceeded
        // (waitForDeploymentReplicasFunc in kubernetes/resource_kubernetes_deployment_v1.go).
        progressDeadlineSeconds: deadlines.progressDeadlineSeconds,
        template: {
          metadata: {
            labels,
            ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
          },
          spec: {
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: props.mountServiceAccountToken,
            enableServiceLinks: false,
            securityContext: POD_SECURITY_CONTEXT,
            ...imagePullSecrets(props.pod),
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
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
      // The provider's default is 10 minutes (resourceKubernetesDeploymentV1), less than 3 pods' startup allowance.
      timeouts: deadlines.timeouts,
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
