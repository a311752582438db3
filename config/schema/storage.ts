import { z } from "zod";
import { crossField, EVEN_AFTER_FIELD_ERRORS } from "./cross-field";
import { kubernetesName, urlWithScheme } from "./common";

/** Files on a PersistentVolumeClaim that the storage stack makes in Mattermost's namespace. */
export const localStorageSchema = z
  .object({
    kind: z.literal("local"),
    /** Requested size. Default `10Gi`. */
    size: z.string().regex(/^[1-9]\d*(Mi|Gi|Ti)$/, "must be a Kubernetes quantity such as 10Gi").default("10Gi"),
    /** Storage class; the cluster's default class when omitted. */
    storageClassName: kubernetesName.optional(),
    /**
     * Default `ReadWriteOnce`; several replicas need `ReadWriteMany` (checked in environment.ts, which
     * rejects ReadWriteOncePod with more than one replica for the same reason). With anything but
     * ReadWriteMany the app replaces its pod with the Recreate strategy (a short downtime per rollout).
     */
    accessMode: z.enum(["ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod"], {
      message: "must be one of ReadWriteOnce, ReadWriteMany, ReadWriteOncePod",
    }).default("ReadWriteOnce"),
    /**
     * A claim that already holds Mattermost's files in `kubernetes.namespace` (the Helm chart's
     * `persistence.data.existingClaim`, or the claim it made: `<release>-mattermost-team-edition`):
     * the pods mount it and no claim is made. Its namespace exists, so the storage stack adopts it
     * (import) instead of creating it. `size` is then unused; set `accessMode` to the claim's.
     */
    existingClaim: kubernetesName.optional(),
  })
  .strict()
  .superRefine((storage, ctx) => {
    if (storage.existingClaim && storage.storageClassName) {
      ctx.addIssue({
        code: "custom",
        path: ["storageClassName"],
        message: `is only used for a claim the stack makes, but storage.existingClaim (${storage.existingClaim}) is a claim that exists; remove storageClassName`,
      });
    }
  });

/** Why `name` cannot be an S3 bucket name (AWS's general-purpose bucket naming rules), or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
    return `must be an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit (got "${name}")`;
  }
  if (name.includes("..")) return `must not contain two dots in a row (got "${name}")`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return `must not look like an IP address (got "${name}")`;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
    return `uses a prefix or suffix AWS reserves (got "${name}"); choose another name`;
  }
  return undefined;
}

const bucketName = z.string().superRefine((value, ctx) => {
  const problem = bucketNameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** `arn:aws:iam::<account>:oidc-provider/<issuer host and path>`: the cluster's IAM OIDC provider. */
export const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/([^/\s]+(\/[^\s]+)?)$/;

/** IRSA settings: the cluster's OIDC provider, which IAM trusts to vouch for service accounts. */
export const irsaSchema = z
  .object({
    /** ARN of the cluster's IAM OIDC provider, e.g. `arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE`. */
    oidcProviderArn: z.string().regex(
      OIDC_PROVIDER_ARN,
      "must be an IAM OIDC provider ARN such as arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE (aws eks describe-cluster --query cluster.identity.oidc.issuer gives the part after oidc-provider/)",
    ),
  })
  .strict();

/** A private S3 bucket that the storage stack creates, with its access. */
export const s3StorageSchema = z
  .object({
    kind: z.literal("s3"),
    /** Bucket name; default generated: `mattermost-<environment>-files-<unique suffix>`. */
    bucketName: bucketName.optional(),
    /**
     * A bucket in this account that already holds Mattermost's files (a Helm release's
     * `FileSettings.AmazonS3Bucket`): no bucket is made; the stack makes only its access (the IAM
     * user with `access: keys`, the IRSA role with `access: irsa`), scoped to this bucket.
     */
    existingBucket: bucketName.optional(),
    /** Folder inside the bucket for Mattermost's files (an existing bucket's `FileSettings.AmazonS3PathPrefix`). Default "" (the root). */
    pathPrefix: z
      .string()
      .regex(/^([^/]+(\/[^/]+)*)?$/, "must be a relative folder such as mattermost/files: no leading, trailing or doubled '/'")
      .default(""),
    /** How Mattermost reaches the bucket: an IAM user's keys, or an IRSA role. Default `keys`. */
    access: z.enum(["keys", "irsa"], { message: "must be keys or irsa" }).default("keys"),
    /** Required when `access` is `irsa`. */
    irsa: irsaSchema.optional(),
    /** KMS key for default encryption (SSE-KMS with a bucket key); SSE-S3 without it. */
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-z0-9-]+$/, "must be a KMS key ARN such as arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (a key ARN, not an alias)")
      .optional(),
    /** Mattermost asks S3 for server-side encryption on every write (needs the licence). Default false. */
    serverSideEncryption: z.boolean().default(false),
    /** Days before overwritten or deleted files' old versions expire. Default 30. */
    noncurrentVersionDays: z.number().int().min(1, "must be at least 1 (days)").default(30),
    /** `access: keys`: the version of the IAM user's access key Mattermost uses; raise it to rotate the key. Default 1. */
    accessKeyVersion: z.number().int().min(1, "must be a whole number, at least 1").optional(),
    /** `access: keys`, during a rotation: the version the running pods still use, kept until the app is deployed. */
    previousAccessKeyVersion: z.number().int().min(1, "must be a whole number, at least 1").optional(),
  })
  .strict()
  .superRefine(crossField((storage, ctx) => {
    const problem = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
    if (storage.existingBucket && storage.bucketName) {
      problem("bucketName", `names a bucket to create, but storage.existingBucket (${storage.existingBucket}) is the bucket to use; remove bucketName`);
    }
    if (storage.access === "irsa") {
      for (const key of ["accessKeyVersion", "previousAccessKeyVersion"] as const) {
        if (storage[key] !== undefined) problem(key, "is only used with access: keys (IRSA has no static key to rotate); remove it");
      }
      return;
    }
    const current = storage.accessKeyVersion ?? 1;
    if (storage.previousAccessKeyVersion !== undefined && storage.previousAccessKeyVersion >= current) {
      problem(
        "previousAccessKeyVersion",
        `is ${storage.previousAccessKeyVersion} but accessKeyVersion is ${current}: the previous key must be older; to rotate, set accessKeyVersion: ${storage.previousAccessKeyVersion + 1} and keep previousAccessKeyVersion: ${storage.previousAccessKeyVersion}`,
      );
    }
  }), EVEN_AFTER_FIELD_ERRORS);

/** An existing S3-compatible bucket (MinIO, Ceph RGW, another account); keys are sensitive variables. */
export const externalStorageSchema = z
  .object({
    kind: z.literal("external"),
    /** `https://host[:port]` or `http://host[:port]`; the scheme decides Mattermost's AmazonS3SSL. */
    endpoint: urlWithScheme("http", "https").superRefine((value, ctx) => {
      const url = parseUrl(value);
      const web = url && (url.protocol === "http:" || url.protocol === "https:");
      if (url && web && (url.pathname !== "/" || url.search || url.hash || url.username || url.password)) {
        ctx.addIssue({
          code: "custom",
          message: `must be just scheme://host[:port] (got "${value}"); put the bucket in storage.bucket and a folder in storage.pathPrefix`,
        });
      }
    }),
    bucket: z.string().min(1, "name the bucket"),
    /** Default `us-east-1` (what MinIO and most S3-compatible servers accept). */
    region: z.string().min(1).default("us-east-1"),
    /** Folder inside the bucket for Mattermost's files. Default "" (the bucket's root). */
    pathPrefix: z
      .string()
      .regex(/^([^/]+(\/[^/]+)*)?$/, "must be a relative folder such as mattermost/files: no leading, trailing or doubled '/'")
      .default(""),
  })
  .strict();

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

export const storageSchema = z.discriminatedUnion("kind", [localStorageSchema, s3StorageSchema, externalStorageSchema], {
  error: "set storage.kind to local (a PersistentVolumeClaim), s3 (a bucket this project creates) or external (an existing S3-compatible bucket)",
});

export type StorageConfig = z.output<typeof storageSchema>;
export type LocalStorageConfig = z.output<typeof localStorageSchema>;
export type S3StorageConfig = z.output<typeof s3StorageSchema>;
export type ExternalStorageConfig = z.output<typeof externalStorageSchema>;
