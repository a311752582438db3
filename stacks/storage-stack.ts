import { TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { AwsConfig } from "../config/schema/aws";
import type { KubernetesConfig } from "../config/schema/kubernetes";
import type { StorageConfig } from "../config/schema/storage";
import { BucketUser } from "../constructs/bucket-user";
import { PublishedOffer } from "../constructs/offer";
import { PersistentFiles } from "../constructs/persistent-files";
import { PrivateBucket } from "../constructs/private-bucket";
import { useAws, useKubernetes } from "../constructs/providers";
import { StateLocation, storeStateAt } from "../constructs/state-location";
import { STORAGE_OFFER, StorageOfferField } from "../constructs/storage-offer";

/** Props of {@link StorageStack}. */
export interface StorageStackProps {
  readonly environmentName: string;
  readonly storage: StorageConfig;
  /** Required when `storage.kind` is `s3`. */
  readonly aws?: AwsConfig;
  /** The cluster and namespace; the stack makes the namespace when it holds a claim. */
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
 * S3-compatible bucket, or a claim with its namespace). Publishes the storage offer. Its state
 * outlives the app: destroying the app never touches the files.
 */
export class StorageStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id);
    storeStateAt(this, props.state);
    new PublishedOffer(this, "offer", { offer: STORAGE_OFFER, values: this.provision(id, props) });
  }

  private provision(id: string, props: StorageStackProps): StorageOfferValues {
    const storage = props.storage;
    switch (storage.kind) {
      case "local": {
        useKubernetes(this, props.kubernetes);
        const files = new PersistentFiles(this, "files", {
          environmentName: props.environmentName,
          namespace: props.kubernetes.namespace,
          size: storage.size,
          accessMode: storage.accessMode,
          ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
        });
        return { ...NOTHING, driver: "local", claimName: files.claimName, namespace: files.namespace };
      }
      case "s3": {
        if (!props.aws) throw new Error(`${id}: aws.region is required when storage.kind is s3`);
        useAws(this, props.aws.region, props.environmentName, id);
        const bucket = new PrivateBucket(this, "bucket", {
          namePrefix: `mattermost-${props.environmentName}-files-`,
          ...(storage.bucketName ? { bucketName: storage.bucketName } : {}),
          ...(storage.kmsKeyArn ? { kmsKeyArn: storage.kmsKeyArn } : {}),
        });
        const user = new BucketUser(this, "access", {
          name: `mattermost-${props.environmentName}-files`,
          bucketArn: bucket.bucket.arn,
          ...(storage.kmsKeyArn ? { kmsKeyArn: storage.kmsKeyArn } : {}),
        });
        return {
          ...NOTHING,
          driver: "amazons3",
          bucket: bucket.bucket.bucket,
          region: props.aws.region,
          endpoint: `s3.${props.aws.region}.amazonaws.com`,
          ssl: "true",
          sse: String(storage.serverSideEncryption),
          accessKeyId: user.accessKeyId,
          secretAccessKey: user.secretAccessKey,
        };
      }
      case "external": {
        const endpoint = new URL(storage.endpoint);
        const accessKeyId = new TerraformVariable(this, "storage_access_key_id", {
          type: "string",
          nullable: false,
          description: `Access key id for bucket ${storage.bucket} at ${endpoint.host}`,
        });
        const secretAccessKey = new TerraformVariable(this, "storage_secret_access_key", {
          type: "string",
          sensitive: true,
          nullable: false,
          description: `Secret access key for bucket ${storage.bucket} at ${endpoint.host}`,
        });
        return {
          ...NOTHING,
          driver: "amazons3",
          bucket: storage.bucket,
          region: storage.region,
          endpoint: endpoint.host,
          pathPrefix: storage.pathPrefix,
          ssl: String(endpoint.protocol === "https:"),
          accessKeyId: accessKeyId.stringValue,
          secretAccessKey: secretAccessKey.stringValue,
        };
      }
    }
  }
}
