import { z } from "zod";
import { cidr, port } from "./common";

const sslMode = z.enum(["require", "verify-ca", "verify-full", "disable"], {
  message: "must be one of require, verify-ca, verify-full, disable",
});
const postgresIdentifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a PostgreSQL identifier: lowercase letters, digits and '_', not starting with a digit");

/** What every database kind has: the Mattermost database and role made on the server. */
const mattermostDatabase = {
  /** Database for Mattermost. Default `mattermost`. */
  name: postgresIdentifier.default("mattermost"),
  /** Login role for Mattermost. Default `mattermost`. */
  user: postgresIdentifier.default("mattermost"),
  /** sslmode in the DSN Mattermost uses. Default `require`. */
  sslMode: sslMode.default("require"),
};

/** An existing PostgreSQL server; its admin password is the sensitive variable `database_admin_password`. */
export const externalDatabaseSchema = z
  .object({
    kind: z.literal("external"),
    host: z.string().min(1, "name the PostgreSQL server's host"),
    port: port.default(5432),
    /** Role the postgresql provider logs in as to create Mattermost's role and database. Default `postgres`. */
    adminUser: z.string().min(1).default("postgres"),
    ...mattermostDatabase,
  })
  .strict();

/** Amazon RDS for PostgreSQL in the environment's VPC. */
export const rdsDatabaseSchema = z
  .object({
    kind: z.literal("rds"),
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, "must be a VPC id such as vpc-0123456789abcdef0"),
    subnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]+$/, "must be a subnet id such as subnet-0123456789abcdef0"))
      .min(2, "list at least two subnets in different availability zones (RDS requires it)"),
    /** Networks allowed to reach PostgreSQL on 5432. */
    allowedCidrs: z.array(cidr).default([]),
    /** Security groups allowed to reach PostgreSQL on 5432 (e.g. the cluster's node group). */
    allowedSecurityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/, "must be a security group id such as sg-0123456789abcdef0")).default([]),
    instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.t4g.medium").default("db.t4g.medium"),
    allocatedStorageGb: z.number().int().min(20, "RDS PostgreSQL needs at least 20 GB").max(65536).default(20),
    /** Upper bound for storage autoscaling. Default 100. */
    maxAllocatedStorageGb: z.number().int().min(20).max(65536).default(100),
    engineVersion: z.string().regex(/^\d+(\.\d+)?$/, "must be a PostgreSQL version such as 16 or 16.4").default("16"),
    multiAz: z.boolean().default(false),
    backupRetentionDays: z.number().int().min(1, "keep automated backups at least 1 day").max(35).default(7),
    deletionProtection: z.boolean().default(true),
    ...mattermostDatabase,
  })
  .strict();

export const databaseSchema = z.discriminatedUnion("kind", [externalDatabaseSchema, rdsDatabaseSchema]);

export type DatabaseConfig = z.output<typeof databaseSchema>;
export type ExternalDatabaseConfig = z.output<typeof externalDatabaseSchema>;
export type RdsDatabaseConfig = z.output<typeof rdsDatabaseSchema>;
