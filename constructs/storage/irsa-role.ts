import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";

/** Props of {@link IrsaRole}. */
export interface IrsaRoleProps {
  /** IAM role name. */
  readonly name: string;
  /** The cluster's IAM OIDC provider: `arn:aws:iam::<account>:oidc-provider/<issuer host and path>`. */
  readonly oidcProviderArn: string;
  /** Namespace of the one service account allowed to assume the role. */
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** The role's only permissions, as JSON. */
  readonly policyJson: string;
}

/** The issuer (host and path, no scheme) an OIDC provider ARN names: the prefix of its condition keys. */
export function oidcIssuerOf(oidcProviderArn: string): string {
  const match = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(oidcProviderArn);
  if (!match) throw new Error(`oidcProviderArn: must be arn:aws:iam::<account>:oidc-provider/<issuer> (got "${oidcProviderArn}")`);
  return match[1];
}

/**
 * IAM Roles for Service Accounts: a role that exactly one Kubernetes service account may assume with
 * the token the cluster projects into its pods, for STS only. No static keys exist to leak.
 */
export class IrsaRole extends Construct {
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: IrsaRoleProps) {
    super(scope, id);
    const issuer = oidcIssuerOf(props.oidcProviderArn);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          sid: "ServiceAccountOnly",
          effect: "Allow",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [props.oidcProviderArn] }],
          condition: [
            // StringEquals, not StringLike: one namespace, one name, no patterns.
            { test: "StringEquals", variable: `${issuer}:sub`, values: [`system:serviceaccount:${props.namespace}:${props.serviceAccountName}`] },
            { test: "StringEquals", variable: `${issuer}:aud`, values: ["sts.amazonaws.com"] },
          ],
        },
      ],
    });
    const role = new IamRole(this, "role", { name: props.name, path: "/mattermost/", assumeRolePolicy: trust.json });
    new IamRolePolicy(this, "policy", { name: "mattermost-files", role: role.name, policy: props.policyJson });
    this.roleArn = role.arn;
  }
}
