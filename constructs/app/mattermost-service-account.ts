import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { mattermostLabels, mattermostServiceAccountName } from "../shared/labels";

/** Props of {@link MattermostServiceAccount}. */
export interface MattermostServiceAccountProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** IAM role the pods assume through IRSA (the storage offer's roleArn); omitted without IRSA. */
  readonly roleArn?: string;
}

/**
 * The identity Mattermost's pods run as. Its name is the one the storage stack's IRSA role trusts.
 * The Kubernetes API token is never mounted: Mattermost never talks to the Kubernetes API, and IRSA
 * does not need it. EKS's pod identity webhook adds its own projected web-identity token (volume
 * `aws-iam-token`, audience sts.amazonaws.com) to pods whose account carries the role annotation,
 * whatever automountServiceAccountToken says (aws/amazon-eks-pod-identity-webhook,
 * pkg/handler/testdata/rawPodWithoutVolumes.pod.yaml: the patch adds that projected volume); the
 * setting only governs the API token volume (Kubernetes, "Configure Service Accounts for Pods",
 * opt out of API credential automounting).
 */
export class MattermostServiceAccount extends Construct {
  public readonly name: string;
  /** Whether pods must mount the Kubernetes API token: never (kept for the workload's prop). */
  public readonly mountToken: boolean;

  constructor(scope: Construct, id: string, props: MattermostServiceAccountProps) {
    super(scope, id);
    const account = new ServiceAccountV1(this, "account", {
      metadata: {
        name: mattermostServiceAccountName(props.environmentName),
        namespace: props.namespace,
        labels: mattermostLabels(props.environmentName, "server"),
        ...(props.roleArn ? { annotations: { "eks.amazonaws.com/role-arn": props.roleArn } } : {}),
      },
      automountServiceAccountToken: false,
    });
    this.name = account.metadata.name;
    this.mountToken = false;
  }
}
