import { Offer } from "./offer";

export type StorageOfferField =
  | "driver"
  | "bucket"
  | "region"
  | "endpoint"
  | "pathPrefix"
  | "ssl"
  | "sse"
  | "accessKeyId"
  | "secretAccessKey"
  | "roleArn"
  | "claimName"
  | "namespace";

/** What the storage stack hands the app: where Mattermost's files live and how to reach them. */
export const STORAGE_OFFER: Offer<StorageOfferField> = {
  name: "storage",
  fields: {
    driver: { description: "Mattermost file driver: amazons3 or local" },
    bucket: { description: "S3 bucket, or empty" },
    region: { description: "S3 region, or empty" },
    endpoint: { description: "S3 endpoint as host[:port], or empty" },
    pathPrefix: { description: "Key prefix inside the bucket, or empty" },
    ssl: { description: "true when the S3 endpoint speaks https" },
    sse: { description: "true when Mattermost asks S3 for server-side encryption" },
    accessKeyId: { description: "S3 access key id, or empty (IRSA or local)" },
    secretAccessKey: { description: "S3 secret access key, or empty (IRSA or local)", sensitive: true },
    roleArn: { description: "IAM role for the Mattermost service account (IRSA), or empty" },
    claimName: { description: "PersistentVolumeClaim for /mattermost/data, or empty" },
    namespace: { description: "Mattermost's namespace, which the storage stack holds" },
  },
};
