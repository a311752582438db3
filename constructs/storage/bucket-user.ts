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
  /** Version of the key handed out; a new version is a new key. Default 1. */
  readonly keyVersion?: number;
  /** During a rotation: the version the running pods still use, kept until they have the new one. */
  readonly previousKeyVersion?: number;
}

/**
 * The construct id of access key `version`. Version 1 keeps the id releases before key versions
 * used, so its Terraform address (and the key) stay the same.
 */
export function accessKeyId(version: number): string {
  return version === 1 ? "access-key" : `access-key-v${version}`;
}

/**
 * An IAM user allowed only what its policy says, and its access keys: the current version, and
 * during a rotation the previous one (IAM allows two keys per user). Rotation without an outage:
 * raise the version keeping the old one as previous (both keys work), deploy the app (its pods
 * roll with the new key), then drop the previous version (its key is deleted).
 */
export class BucketUser extends Construct {
  public readonly accessKeyId: string;
  /** Sensitive. */
  public readonly secretAccessKey: string;

  constructor(scope: Construct, id: string, props: BucketUserProps) {
    super(scope, id);
    const user = new IamUser(this, "user", { name: props.name, path: "/mattermost/" });
    new IamUserPolicy(this, "policy", { name: "mattermost-files", user: user.name, policy: props.policyJson });
    const current = props.keyVersion ?? 1;
    if (props.previousKeyVersion !== undefined && props.previousKeyVersion >= current) {
      throw new Error(`previousKeyVersion: ${props.previousKeyVersion} must be lower than keyVersion (${current})`);
    }
    if (props.previousKeyVersion !== undefined) new IamAccessKey(this, accessKeyId(props.previousKeyVersion), { user: user.name });
    const key = new IamAccessKey(this, accessKeyId(current), { user: user.name });
    this.accessKeyId = key.id;
    this.secretAccessKey = key.secret;
  }
}
