import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { Construct } from "constructs";

/** Props of {@link BucketUser}. */
export interface BucketUserProps {
  /** IAM user name. */
  readonly name: string;
  /** The user's only permissions (see BucketAccessPolicy), as JSON. */
  readonly policyJson: string;
}

/** An IAM user allowed only what its policy says, and an access key for it. */
export class BucketUser extends Construct {
  public readonly accessKeyId: string;
  /** Sensitive. */
  public readonly secretAccessKey: string;

  constructor(scope: Construct, id: string, props: BucketUserProps) {
    super(scope, id);
    const user = new IamUser(this, "user", { name: props.name, path: "/mattermost/" });
    new IamUserPolicy(this, "policy", { name: "mattermost-files", user: user.name, policy: props.policyJson });
    const key = new IamAccessKey(this, "access-key", { user: user.name });
    this.accessKeyId = key.id;
    this.secretAccessKey = key.secret;
  }
}
