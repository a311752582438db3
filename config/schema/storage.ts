import { z } from "zod";
import { kubernetesName, urlWithScheme } from "./common";

/** Files on a PersistentVolumeClaim that the storage stack makes in Mattermost's namespace. */
export const localStorageSchema = z
  .object({
    kind: z.literal("local"),
    size: z.string().regex(/^\d+(Mi|Gi|Ti)$/, "must be a Kubernetes quantity such as 10Gi").default("10Gi"),
    storageClassName: kubernetesName.optional(),
    accessMode: z.enum(["ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod"], {
      message: "must be one of ReadWriteOnce, ReadWriteMany, ReadWriteOncePod",
    }).default("ReadWriteOnce"),
  })
  .strict();

/** A private S3 bucket that the storage stack creates, with its access. */
export const s3StorageSchema = z
  .object({
    kind: z.literal("s3"),
    /** Bucket name; default `mattermost-<environment>-files-<random suffix>`. */
    bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-'").optional(),
    /** How Mattermost reaches the bucket: an IAM user's keys, or an IRSA role. Default `keys`. */
    access: z.enum(["keys", "irsa"], { message: "must be keys or irsa" }).default("keys"),
    /** KMS key for default encryption; SSE-S3 without it. */
    kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:/, "must be a KMS key ARN").optional(),
    /** Mattermost's own server-side encryption flag (needs the licence). */
    serverSideEncryption: z.boolean().default(false),
    /** Days before old object versions expire. Default 30. */
    noncurrentVersionDays: z.number().int().min(1).default(30),
  })
  .strict();

/** An existing S3-compatible bucket (MinIO, Ceph RGW, another account); keys are sensitive variables. */
export const externalStorageSchema = z
  .object({
    kind: z.literal("external"),
    endpoint: urlWithScheme("http", "https"),
    bucket: z.string().min(1, "name the bucket"),
    region: z.string().min(1).default("us-east-1"),
    pathPrefix: z.string().default(""),
  })
  .strict();

export const storageSchema = z.discriminatedUnion("kind", [localStorageSchema, s3StorageSchema, externalStorageSchema]);

export type StorageConfig = z.output<typeof storageSchema>;
export type LocalStorageConfig = z.output<typeof localStorageSchema>;
export type S3StorageConfig = z.output<typeof s3StorageSchema>;
export type ExternalStorageConfig = z.output<typeof externalStorageSchema>;
