import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";

/** Props of {@link PrivateBucket}. */
export interface PrivateBucketProps {
  /** Exact bucket name; otherwise Terraform generates one from `namePrefix`. */
  readonly bucketName?: string;
  /** Prefix of a generated name, e.g. `mattermost-production-files-`; at most 37 characters. */
  readonly namePrefix: string;
  /** KMS key for default encryption (SSE-KMS with a bucket key); SSE-S3 without it. */
  readonly kmsKeyArn?: string;
  /** Days an overwritten or deleted object's old version is kept. */
  readonly noncurrentVersionDays: number;
}

/** The longest `bucket_prefix` the AWS provider accepts (it appends a 26-character unique suffix). */
export const MAX_BUCKET_PREFIX_LENGTH = 37;

/** Days after which an unfinished multipart upload's parts are deleted (Mattermost's uploads take seconds). */
export const ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7;

/**
 * A bucket nobody outside the account can read: public access blocked, no ACLs, encrypted by
 * default, versioned (old versions expire), TLS-only, and never destroyed with its files:
 * `prevent_destroy` stops any plan that would delete it, and `force_destroy` is off so even a
 * deliberate delete fails while it holds objects.
 */
export class PrivateBucket extends Construct {
  public readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    if (!props.bucketName && props.namePrefix.length > MAX_BUCKET_PREFIX_LENGTH) {
      throw new Error(`namePrefix: "${props.namePrefix}" is longer than ${MAX_BUCKET_PREFIX_LENGTH} characters; pass a shorter prefix or a bucketName`);
    }
    this.bucket = new S3Bucket(this, "bucket", {
      ...(props.bucketName ? { bucket: props.bucketName } : { bucketPrefix: props.namePrefix }),
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: "AES256" },
          bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
        },
      ],
    });
    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-old-versions-and-abandoned-uploads",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays }],
          // Once a deleted file's last old version expires, its delete marker is all that is left.
          expiration: [{ expiredObjectDeleteMarker: true }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS }],
        },
      ],
      // AWS evaluates noncurrent-version rules only once versioning is on.
      dependsOn: [versioning],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls-only", {
      statement: [
        {
          sid: "DenyWithoutTLS",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    // S3 rejects concurrent changes to a bucket's access settings; the block goes first.
    new S3BucketPolicy(this, "policy", { bucket: this.bucket.id, policy: tlsOnly.json, dependsOn: [publicAccessBlock] });
  }
}
