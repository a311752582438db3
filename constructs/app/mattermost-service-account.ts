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
 * The identity Mattermost's pods run as. Its name is the one the storage stack's IRSA role trusts;
 * the API token is mounted only when IRSA needs it (Mattermost never talks to the Kubernetes API).
 */
export class MattermostServiceAccount extends Construct {
  public readonly name: string;
  /** Whether pods must mount the service account token (the projected IRSA token rides on it). */
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
      automountServiceAccountToken: props.roleArn !== undefined,
    });
    this.name = account.metadata.name;
    this.mountToken = props.roleArn !== undefined;
  }
}
