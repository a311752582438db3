import { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";

/** Props of {@link MattermostAutoscaler}. */
export interface MattermostAutoscalerProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** Name of the Deployment it scales. */
  readonly deploymentName: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU use, in percent of the pods' CPU requests, the autoscaler keeps the pods at. */
  readonly targetCpuUtilizationPercentage: number;
  /** The same for memory; omitted: CPU only. */
  readonly targetMemoryUtilizationPercentage?: number;
}

/**
 * A HorizontalPodAutoscaler (autoscaling/v2) for the Mattermost Deployment, on resource utilisation
 * relative to the pods' requests (the stack always sets them). It needs the cluster's metrics API
 * (metrics-server). The Deployment leaves its replica count to it (see MattermostWorkload).
 */
export class MattermostAutoscaler extends Construct {
  public readonly autoscaler: HorizontalPodAutoscalerV2;

  constructor(scope: Construct, id: string, props: MattermostAutoscalerProps) {
    super(scope, id);
    const utilisation = (name: string, percent: number) => ({ type: "Resource", resource: { name, target: { type: "Utilization", averageUtilization: percent } } });
    this.autoscaler = new HorizontalPodAutoscalerV2(this, "autoscaler", {
      metadata: { name: `mattermost-${props.environmentName}`, namespace: props.namespace, labels: mattermostLabels(props.environmentName, "server") },
      spec: {
        minReplicas: props.minReplicas,
        maxReplicas: props.maxReplicas,
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: props.deploymentName },
        metric: [
          utilisation("cpu", props.targetCpuUtilizationPercentage),
          ...(props.targetMemoryUtilizationPercentage !== undefined ? [utilisation("memory", props.targetMemoryUtilizationPercentage)] : []),
        ],
      },
    });
  }
}
