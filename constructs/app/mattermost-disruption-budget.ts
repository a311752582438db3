import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import { serverSelector } from "./mattermost-workload";

/** Props of {@link MattermostDisruptionBudget}. */
export interface MattermostDisruptionBudgetProps {
  readonly environmentName: string;
  readonly namespace: string;
}

/** Node drains take Mattermost's pods down one at a time (only worth having with several replicas). */
export class MattermostDisruptionBudget extends Construct {
  constructor(scope: Construct, id: string, props: MattermostDisruptionBudgetProps) {
    super(scope, id);
    new PodDisruptionBudgetV1(this, "budget", {
      metadata: { name: `mattermost-${props.environmentName}`, namespace: props.namespace, labels: mattermostLabels(props.environmentName, "server") },
      spec: { maxUnavailable: "1", selector: { matchLabels: serverSelector(props.environmentName) } },
    });
  }
}
