import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { Construct } from "constructs";

/** Props of {@link BucketUser}. */
export interface BucketUserProps {
  /** IAM user name. */
  readonly name: string;
  readonly bucketArn: string;
  /** KMS key the bucket encrypts with, which the user must be able to use. */
  readonly kmsKeyArn?: string;
}

/** An IAM user allowed only what Mattermost does with its bucket, and an access key for it. */
export class BucketUser extends Construct {
  public readonly accessKeyId: string;
  /** Sensitive. */
  public readonly secretAccessKey: string;

  constructor(scope: Construct, id: string, props: BucketUserProps) {
    super(scope, id);
    const user = new IamUser(this, "user", { name: props.name, path: "/mattermost/" });
    const policy = new DataAwsIamPolicyDocument(this, "policy-document", {
      statement: [
        { sid: "ListBucket", effect: "Allow", actions: ["s3:ListBucket"], resources: [props.bucketArn] },
        {
          sid: "ReadWriteFiles",
          effect: "Allow",
          actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          resources: [`${props.bucketArn}/*`],
        },
        ...(props.kmsKeyArn
          ? [{ sid: "UseBucketKey", effect: "Allow", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [props.kmsKeyArn] }]
          : []),
      ],
    });
    new IamUserPolicy(this, "policy", { name: "mattermost-files", user: user.name, policy: policy.json });
    const key = new IamAccessKey(this, "access-key", { user: user.name });
    this.accessKeyId = key.id;
    this.secretAccessKey = key.secret;
  }
}
