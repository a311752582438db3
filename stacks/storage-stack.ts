import { TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { AwsConfig } from "../config/schema/aws";
import type { KubernetesConfig } from "../config/schema/kubernetes";
import type { ExternalStorageConfig, S3StorageConfig, StorageConfig } from "../config/schema/storage";
import { BucketAccessPolicy } from "../constructs/storage/bucket-access-policy";
import { BucketUser } from "../constructs/storage/bucket-user";
import { IrsaRole } from "../constructs/storage/irsa-role";
import { mattermostServiceAccountName } from "../constructs/shared/labels";
import { PublishedOffer } from "../constructs/offers/offer";
import { MattermostNamespace } from "../constructs/storage/mattermost-namespace";
import { PersistentFiles } from "../constructs/storage/persistent-files";
import { MAX_BUCKET_PREFIX_LENGTH, PrivateBucket } from "../constructs/storage/private-bucket";
import { useAws, useKubernetes } from "../constructs/shared/providers";
import { StateLocation, storeStateAt } from "../constructs/offers/state-location";
import { STORAGE_OFFER, StorageOfferField } from "../constructs/offers/storage-offer";

/** Props of {@link StorageStack}. */
export interface StorageStackProps {
  readonly environmentName: string;
  readonly storage: StorageConfig;
  /** Required when `storage.kind` is `s3`. */
  readonly aws?: AwsConfig;
  /** The cluster and namespace; the stack makes the namespace (whatever the kind) and the claim. */
  readonly kubernetes: KubernetesConfig;
  readonly state: StateLocation;
}

type StorageOfferValues = { [K in StorageOfferField]: string };

const NOTHING: StorageOfferValues = {
  driver: "",
  bucket: "",
  region: "",
  endpoint: "",
  pathPrefix: "",
  ssl: "false",
  sse: "false",
  accessKeyId: "",
  secretAccessKey: "",
  roleArn: "",
  claimName: "",
  namespace: "",
};

/**
 * `<env>-storage`: where Mattermost's files live (a private S3 bucket and its access, an existing
 * S3-compatible bucket, or a claim), and Mattermost's namespace, which holds the claim and the
 * Secrets users create by hand. Publishes the storage offer. Its state outlives the app:
 * destroying the app never touches the files or the namespace.
 */
export class StorageStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id);
    storeStateAt(this, props.state);
    useKubernetes(this, props.kubernetes);
    const namespace = new MattermostNamespace(this, "namespace", {
      environmentName: props.environmentName,
      name: props.kubernetes.namespace,
      // A claim that exists lives in a namespace that exists.
      adopt: props.kubernetes.adoptNamespace || (props.storage.kind === "local" && props.storage.existingClaim !== undefined),
    });
    const files = this.provision(id, props, namespace.name);
    new PublishedOffer(this, "offer", { offer: STORAGE_OFFER, values: { ...files, namespace: namespace.name } });
  }

  private provision(id: string, props: StorageStackProps, namespace: string): StorageOfferValues {
    const storage = props.storage;
    switch (storage.kind) {
      case "local": {
        // The claim is there already (a Helm release's): the pods mount it, nothing is made.
        if (storage.existingClaim) return { ...NOTHING, driver: "local", claimName: storage.existingClaim };
        const files = new PersistentFiles(this, "files", {
          environmentName: props.environmentName,
          namespace,
          size: storage.size,
          accessMode: storage.accessMode,
          ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
        });
        return { ...NOTHING, driver: "local", claimName: files.claimName };
      }
      case "s3":
        if (!props.aws) throw new Error(`${id}: aws.region is required when storage.kind is s3`);
        return this.createBucket(id, props, storage, props.aws);
      case "external":
        return this.useExistingBucket(storage);
    }
  }

  /** A private bucket in this account, and either an IAM user with a key or an IRSA role for it. */
  private createBucket(id: string, props: StorageStackProps, storage: S3StorageConfig, aws: AwsConfig): StorageOfferValues {
    useAws(this, aws.region, props.environmentName, id);
    const env = props.environmentName;
    // An existing bucket is only named: its access below is scoped to it, nothing else is made.
    const bucket = storage.existingBucket
      ? { name: storage.existingBucket, arn: `arn:${awsPartition(aws.region)}:s3:::${storage.existingBucket}` }
      : madeBucket(
          new PrivateBucket(this, "bucket", {
            namePrefix: generatedBucketPrefix(env),
            noncurrentVersionDays: storage.noncurrentVersionDays,
            ...(storage.bucketName ? { bucketName: storage.bucketName } : {}),
            ...(storage.kmsKeyArn ? { kmsKeyArn: storage.kmsKeyArn } : {}),
          }),
        );
    const policy = new BucketAccessPolicy(this, "access-policy", {
      bucketArn: bucket.arn,
      ...(storage.kmsKeyArn ? { kmsKeyArn: storage.kmsKeyArn } : {}),
    });
    const where = {
      ...NOTHING,
      driver: "amazons3",
      bucket: bucket.name,
      pathPrefix: storage.pathPrefix,
      region: aws.region,
      endpoint: s3Endpoint(aws.region),
      ssl: "true",
      sse: String(storage.serverSideEncryption),
    };
    if (storage.access === "irsa") {
      // The schema requires storage.irsa with access: irsa; this guards callers that bypass it.
      if (!storage.irsa) throw new Error(`${id}: storage.irsa.oidcProviderArn is required when storage.access is irsa`);
      const role = new IrsaRole(this, "access-role", {
        name: `mattermost-${env}-files`,
        oidcProviderArn: storage.irsa.oidcProviderArn,
        namespace: props.kubernetes.namespace,
        serviceAccountName: mattermostServiceAccountName(env),
        policyJson: policy.json,
      });
      // Empty keys make Mattermost (minio-go) take credentials from the web identity token.
      return { ...where, roleArn: role.roleArn };
    }
    const user = new BucketUser(this, "access", {
      name: `mattermost-${env}-files`,
      policyJson: policy.json,
      ...(storage.accessKeyVersion !== undefined ? { keyVersion: storage.accessKeyVersion } : {}),
      ...(storage.previousAccessKeyVersion !== undefined ? { previousKeyVersion: storage.previousAccessKeyVersion } : {}),
    });
    return { ...where, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
  }

  /** An S3-compatible bucket made elsewhere: no resources, its keys come in as variables. */
  private useExistingBucket(storage: ExternalStorageConfig): StorageOfferValues {
    const endpoint = new URL(storage.endpoint);
    // The access key id identifies, it does not authenticate: plain, so plans can show which key is used.
    const accessKeyId = new TerraformVariable(this, "storage_access_key_id", {
      type: "string",
      nullable: false,
      description: `Access key id for bucket ${storage.bucket} at ${endpoint.host}`,
      validation: [notEmpty("storage_access_key_id", `the access key id for bucket ${storage.bucket}`)],
    });
    const secretAccessKey = new TerraformVariable(this, "storage_secret_access_key", {
      type: "string",
      sensitive: true,
      nullable: false,
      description: `Secret access key for bucket ${storage.bucket} at ${endpoint.host}`,
      validation: [notEmpty("storage_secret_access_key", `the secret access key for bucket ${storage.bucket}`)],
    });
    return {
      ...NOTHING,
      driver: "amazons3",
      bucket: storage.bucket,
      region: storage.region,
      // URL.host is host[:port] and drops the scheme's default port, which is what Mattermost wants.
      endpoint: endpoint.host,
      pathPrefix: storage.pathPrefix,
      ssl: String(endpoint.protocol === "https:"),
      accessKeyId: accessKeyId.stringValue,
      secretAccessKey: secretAccessKey.stringValue,
    };
  }
}

/**
 * `mattermost-<env>-files-`, or `mm-<env>-files-` when that would pass the provider's 37-character
 * limit on bucket prefixes (environment names of 20 characters).
 */
export function generatedBucketPrefix(environmentName: string): string {
  const prefix = `mattermost-${environmentName}-files-`;
  return prefix.length <= MAX_BUCKET_PREFIX_LENGTH ? prefix : `mm-${environmentName}-files-`;
}

/** The regional S3 endpoint Mattermost talks to. */
export function s3Endpoint(region: string): string {
  return region.startsWith("cn-") ? `s3.${region}.amazonaws.com.cn` : `s3.${region}.amazonaws.com`;
}

/** A plan-time check that a variable holding a credential was given a value. */
function notEmpty(variable: string, what: string) {
  return {
    condition: `\${length(var.${variable}) > 0}`,
    errorMessage: `${variable} is empty: set ${what} as TF_VAR_${variable} (or a sensitive workspace variable in Terraform Cloud).`,
  };
}

/** The name and ARN of the bucket the stack made. */
function madeBucket(bucket: PrivateBucket): { name: string; arn: string } {
  return { name: bucket.bucket.bucket, arn: bucket.bucket.arn };
}

/** The AWS partition of `region`, for ARNs built from a name (S3 bucket ARNs carry no region or account). */
export function awsPartition(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
