import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";

/** Props of {@link BucketAccessPolicy}. */
export interface BucketAccessPolicyProps {
  readonly bucketArn: string;
  /** KMS key the bucket encrypts with by default; the holder may use exactly this key. */
  readonly kmsKeyArn?: string;
}

/**
 * What Mattermost's S3 file backend (minio-go) does with its bucket, and nothing more. The same
 * policy serves the IAM user (keys) and the IRSA role.
 *
 * - s3:ListBucket: BucketExists (HeadBucket) in the connection test, and listing folders.
 * - s3:GetObject: reads, StatObject (HeadObject) and the source of CopyObject/ComposeObject.
 * - s3:PutObject: writes, including multipart uploads and the target of CopyObject/ComposeObject.
 * - s3:DeleteObject: RemoveObject(s), moves and deleted folders.
 * - s3:AbortMultipartUpload: minio-go aborts a failed multipart upload (files of unknown size are
 *   always sent in parts); without it the parts would linger until the lifecycle rule removes them.
 *
 * Not granted: s3:ListMultipartUploadParts (minio-go v7 never resumes uploads, so never lists
 * parts) and s3:CreateBucket (the bucket exists; Mattermost only creates one when it is missing).
 */
export class BucketAccessPolicy extends Construct {
  /** The policy document, as JSON. */
  public readonly json: string;

  constructor(scope: Construct, id: string, props: BucketAccessPolicyProps) {
    super(scope, id);
    const document = new DataAwsIamPolicyDocument(this, "document", {
      statement: [
        { sid: "ListBucket", effect: "Allow", actions: ["s3:ListBucket"], resources: [props.bucketArn] },
        {
          sid: "ReadWriteFiles",
          effect: "Allow",
          actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
          resources: [`${props.bucketArn}/*`],
        },
        // SSE-KMS: writing needs a data key, reading (and completing a multipart upload) decrypts it.
        // Only through S3 in the key's region (kms:ViaService, AWS KMS Developer Guide "kms:ViaService"):
        // leaked credentials cannot call KMS directly to decrypt or mint data keys.
        ...(props.kmsKeyArn
          ? [
              {
                sid: "UseBucketKey",
                effect: "Allow",
                actions: ["kms:GenerateDataKey", "kms:Decrypt"],
                resources: [props.kmsKeyArn],
                condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [s3ServiceOf(props.kmsKeyArn)] }],
              },
            ]
          : []),
      ],
    });
    this.json = document.json;
  }
}

/** `s3.<region>.amazonaws.com` (`.com.cn` in China) for the region and partition of a KMS key ARN. */
export function s3ServiceOf(kmsKeyArn: string): string {
  const [, partition, , region] = kmsKeyArn.split(":");
  if (!region) throw new Error(`BucketAccessPolicy: kmsKeyArn must be a key ARN with a region (got "${kmsKeyArn}")`);
  return `s3.${region}.amazonaws.com${partition === "aws-cn" ? ".cn" : ""}`;
}
