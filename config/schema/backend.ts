import { z } from "zod";

/** State in a file per stack under `stateDir` (relative to the project root; never an absolute path). */
export const localBackendSchema = z
  .object({
    kind: z.literal("local"),
    /** Folder for the state files, relative to the project root. Default `state`. */
    stateDir: z
      .string()
      .regex(/^(?!\/)(?![A-Za-z]:)[^\0]+$/, "must be a relative folder such as state (absolute paths break on other machines)")
      .default("state"),
  })
  .strict();

/** Terraform Cloud / Enterprise: one workspace per stack, named `<workspacePrefix><stack id>`. */
export const cloudBackendSchema = z
  .object({
    kind: z.literal("cloud"),
    organization: z.string().min(1, "name the Terraform Cloud organization"),
    /** Prepended to the stack id to name each stack's workspace. Default `mattermost-`. */
    workspacePrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]*$/, "may hold only letters, digits, '-' and '_' (Terraform Cloud workspace names)")
      .default("mattermost-"),
    /** Terraform Enterprise host name. Default `app.terraform.io`. */
    hostname: z.string().min(1).default("app.terraform.io"),
  })
  .strict();

/** An S3 bucket: one key per stack under `keyPrefix`, encrypted, with locking. */
export const s3BackendSchema = z
  .object({
    kind: z.literal("s3"),
    bucket: z.string().min(3, "name the S3 bucket that holds the state"),
    region: z.string().min(1, "name the bucket's AWS region, e.g. eu-west-1"),
    /** Key prefix; each stack's state is `<keyPrefix>/<stack id>.tfstate`. Default `mattermost`. */
    keyPrefix: z.string().regex(/^[^/].*[^/]$|^[^/]$/, "must not start or end with '/'").default("mattermost"),
    /** DynamoDB table for locking; without it the lock is a lock file in the bucket (Terraform >= 1.10). */
    dynamodbTable: z.string().min(1).optional(),
  })
  .strict();

export const backendSchema = z.discriminatedUnion("kind", [localBackendSchema, cloudBackendSchema, s3BackendSchema]);

export type BackendConfig = z.output<typeof backendSchema>;
