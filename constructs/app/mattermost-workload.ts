import { DeploymentV1, DeploymentV1SpecTemplateSpecContainerVolumeMount } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import type { MattermostConfig } from "../../config/schema/mattermost";
import {
  CONTAINER_SECURITY_CONTEXT,
  imagePullSecrets,
  MattermostPodProps,
  mattermostContainer,
  mattermostVolumes,
  POD_SECURITY_CONTEXT,
  POD_START_SECONDS,
  schedulingFields,
  TERMINATION_GRACE_SECONDS,
} from "./mattermost-pod";
import { providerExtraContainer, providerVolumeMounts, providerVolumes } from "./pod-options";
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
  /** What only the serving pods get, never the Jobs: annotations, labels, extra volumes, sidecars. Default: none. */
  readonly podExtras?: Partial<ServingPodExtras>;
  /** The Service's type, annotations and (LoadBalancer) source ranges. Default: ClusterIP, no annotations. */
  readonly service?: Partial<ServiceOptions>;
  /**
   * A HorizontalPodAutoscaler owns the number of pods: the Deployment starts at `minReplicas` and
   * Terraform ignores later changes of it; rollout deadlines are sized for `maxReplicas`.
   */
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number };
}

/** The serving pods' own extras, as the environment file gives them. */
export interface ServingPodExtras {
  readonly annotations: Readonly<Record<string, string>>;
  /** Extra pod labels; the stack's own (and so the selector) always win. */
  readonly labels: Readonly<Record<string, string>>;
  readonly volumes: MattermostConfig["extraVolumes"];
  /** Mounts of `volumes` into the Mattermost container. */
  readonly volumeMounts: MattermostConfig["extraVolumeMounts"];
  readonly containers: MattermostConfig["extraContainers"];
  readonly initContainers: MattermostConfig["extraInitContainers"];
}

/** The Service's options. */
export interface ServiceOptions {
  readonly type: "ClusterIP" | "NodePort" | "LoadBalancer";
  readonly annotations: Readonly<Record<string, string>>;
  readonly loadBalancerSourceRanges: readonly string[];
}

/**
 * Terraform address of the Deployment's replica count. The provider replaces the whole spec on
 * update (resourceKubernetesDeploymentV1Update in hashicorp/terraform-provider-kubernetes,
 * kubernetes/resource_kubernetes_deployment_v1.go: a ReplaceOperation on /spec built from the
 * configuration), so without ignore_changes every apply would reset the autoscaler's count.
 */
export const REPLICAS_ADDRESS = "spec[0].replicas";

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
    const deadlines = rolloutDeadlines(props.autoscaling ? Math.max(props.autoscaling.maxReplicas, props.replicas) : props.replicas);
    const extras = props.podExtras ?? {};
    const annotations = {
      ...(metrics ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(METRICS_PORT), "prometheus.io/path": "/metrics" } : {}),
      ...extras.annotations,
      ...props.pod.rolloutAnnotations,
    };
    const mattermost = mattermostContainer(props.pod, { serving: true });
    const extraMounts = providerVolumeMounts(extras.volumeMounts ?? []);
    this.deployment = new DeploymentV1(this, "deployment", {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: {
        replicas: String(props.autoscaling ? props.autoscaling.minReplicas : props.replicas),
        selector: { matchLabels: selector },
        strategy: rolloutStrategy(props.pod),
        // The provider stops waiting when Kubernetes reports ProgressDeadlineExceeded
        // (waitForDeploymentReplicasFunc in kubernetes/resource_kubernetes_deployment_v1.go).
        progressDeadlineSeconds: deadlines.progressDeadlineSeconds,
        template: {
          metadata: {
            labels: { ...extras.labels, ...labels },
            ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
          },
          spec: {
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: props.mountServiceAccountToken,
            enableServiceLinks: false,
            securityContext: POD_SECURITY_CONTEXT,
            ...imagePullSecrets(props.pod),
            ...schedulingFields(props.pod),
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
            topologySpreadConstraint: [
              { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: [{ matchLabels: selector }] },
              { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: [{ matchLabels: selector }] },
            ],
            ...((extras.initContainers ?? []).length > 0
              ? { initContainer: extras.initContainers!.map((c) => providerExtraContainer(c, CONTAINER_SECURITY_CONTEXT)) }
              : {}),
            container: [
              extraMounts.length > 0 ? { ...mattermost, volumeMount: [...(mattermost.volumeMount as DeploymentV1SpecTemplateSpecContainerVolumeMount[]), ...extraMounts] } : mattermost,
              // Sidecars get the Mattermost container's restricted context unless they bring their own.
              ...(extras.containers ?? []).map((c) => providerExtraContainer(c, CONTAINER_SECURITY_CONTEXT)),
            ],
            volume: [...mattermostVolumes(props.pod, true), ...providerVolumes(extras.volumes ?? [])],
          },
        },
      },
      waitForRollout: true,
      // The provider's default is 10 minutes (resourceKubernetesDeploymentV1), less than 3 pods' startup allowance.
      timeouts: deadlines.timeouts,
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
      ...(props.autoscaling ? { lifecycle: { ignoreChanges: [REPLICAS_ADDRESS] } } : {}),
    });
    const service = props.service ?? {};
    const serviceAnnotations = service.annotations ?? {};
    this.service = new ServiceV1(this, "service", {
      metadata: { name: this.name, namespace: props.namespace, labels, ...(Object.keys(serviceAnnotations).length > 0 ? { annotations: { ...serviceAnnotations } } : {}) },
      spec: {
        type: service.type ?? "ClusterIP",
        ...(service.type === "LoadBalancer" && service.loadBalancerSourceRanges ? { loadBalancerSourceRanges: [...service.loadBalancerSourceRanges] } : {}),
        selector,
        port: [
          { name: "http", port: HTTP_PORT, targetPort: String(HTTP_PORT), protocol: "TCP" },
          ...(metrics ? [{ name: "metrics", port: METRICS_PORT, targetPort: String(METRICS_PORT), protocol: "TCP" }] : []),
        ],
      },
    });
  }
}
