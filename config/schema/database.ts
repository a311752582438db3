import { isIP } from "net";
import { z } from "zod";
import { crossField, EVEN_AFTER_FIELD_ERRORS } from "./cross-field";
import { cidr, internetCoverage, port } from "./common";

/** The master user RDS instances are made with (the postgresql provider logs in as it). */
export const RDS_MASTER_USERNAME = "mattermost_admin";

const sslModes = ["require", "verify-ca", "verify-full", "disable"] as const;

/**
 * The PostgreSQL majors the stacks offer for RDS (and test on real servers, one per major): the
 * majors the PostgreSQL community still supports, which is Mattermost's own policy ("the oldest
 * supported PostgreSQL version Mattermost supports will match the oldest version supported by the
 * PostgreSQL community"; mattermost/docs source/deployment-guide/software-hardware-requirements.rst,
 * "Minimum PostgreSQL database support policy"). 14 reached its end of life on 2026-11-12.
 */
export const SUPPORTED_POSTGRES_MAJORS = [15, 16, 17, 18] as const;

/**
 * A host name (RFC 1123 labels) or an IP address, nothing else: the host is pasted into the
 * provider's connection URL and into Mattermost's DSN, so a ':', '/', '?', '#' or '@' in it could
 * change the port, the database or sslmode ("pg:5432/mattermost?sslmode=disable#").
 */
const hostName = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
export const databaseHost = z.string().superRefine((value, ctx) => {
  const bare = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  if (isIP(bare) === 6) {
    if (bare !== value) ctx.addIssue({ code: "custom", message: `write the IPv6 address without brackets (${bare}); the stacks bracket it where a URL needs it` });
    return;
  }
  if (isIP(value) === 4 || hostName.test(value)) return;
  ctx.addIssue({
    code: "custom",
    message: `is "${value}", which is not a host name or an IP address; give only the server's name or address (e.g. db.internal, 10.0.0.5 or 2001:db8::5) and the port in database.port`,
  });
});

/**
 * A locale every PostgreSQL server knows by this name: `C` or `POSIX` would make lower() ASCII-only,
 * so refuse them; anything else must look like `ll_CC.UTF-8` (or `C.UTF-8`).
 */
const databaseLocale = z
  .string()
  .regex(/^([a-z]{2,3}_[A-Z]{2}|C)\.(UTF-8|utf8)$/, "must be a UTF-8 locale such as en_US.UTF-8 or C.UTF-8 (not C: with it lower() leaves letters such as É as they are, and Mattermost's searches miss accented names)");
const postgresIdentifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a PostgreSQL identifier: lowercase letters, digits and '_', not starting with a digit");

/** A PEM certificate (bundle): public, so it may live in the environment file. */
const pemCertificate = z
  .string()
  .regex(
    /^\s*(-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*)+$/,
    "must be one or more PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----); write it as a YAML block scalar (caCertificate: |)",
  );

/** What every database kind has: the Mattermost database and role made on the server. */
const mattermostDatabase = {
  /** Database for Mattermost. Default `mattermost`. */
  name: postgresIdentifier.default("mattermost"),
  /** Login role for Mattermost. Default `mattermost`. */
  user: postgresIdentifier.default("mattermost"),
  /** CA that signed the server's certificate; required by (and only used with) verify-ca/verify-full. */
  caCertificate: pemCertificate.optional(),
  /** Most sessions Mattermost's role may hold at once; -1 (default) leaves it to the server's max_connections. */
  connectionLimit: z.number().int().min(-1, "must be -1 (no limit) or a number of connections").default(-1),
  /**
   * Collation and character classes of Mattermost's database, fixed when it is created. Default
   * `en_US.UTF-8`, the locale Mattermost's own guide creates its database with (mattermost/docs
   * source/deployment-guide/server/preparations.rst, "PostgreSQL database setup").
   */
  locale: databaseLocale.default("en_US.UTF-8"),
};

/**
 * Where the postgresql provider (the deploy machine, or Terraform Cloud's agent) reaches the server
 * when that is not where Mattermost does: a tunnel or bastion to a private server
 * (`ssh -L 15432:<server>:5432 bastion`, an SSM port-forwarding session). Mattermost's DSN keeps
 * the server's own host and port. docs/database.md, "A private server through a tunnel".
 */
const providerConnection = {
  /** Host the postgresql provider connects to; default: the server's host (`host`, or the RDS instance's address). */
  adminHost: z
    .string()
    .refine(
      (host) => isIP(host) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host),
      "must be a host name or an IP address such as localhost or 127.0.0.1 (the tunnel's local end), without a port or scheme; the port goes in database.adminPort",
    )
    .optional(),
  /** Port the postgresql provider connects to; default: the server's port. */
  adminPort: port.optional(),
};

/**
 * Take over the Mattermost database and role that already exist on the server (a Helm release's,
 * `externalDB.externalConnectionString`) instead of creating them: Terraform `import` blocks put
 * them in the state, nothing is copied, the database is never recreated and the role keeps its
 * password, which comes in the sensitive variable `database_mattermost_password`.
 * docs/database.md, "Adopting an existing database".
 */
export const databaseAdoptSchema = z
  .object({
    /**
     * `keep` (default): the role keeps the password it has, given in `database_mattermost_password`;
     * Terraform never changes it. `rotate`: a generated password replaces it at the next apply (do
     * it once the Helm release is gone: pods still on the old password fail their next connection).
     */
    password: z.enum(["keep", "rotate"], { message: "must be keep (the role keeps its password, given in TF_VAR_database_mattermost_password) or rotate (a generated one replaces it)" }).default("keep"),
  })
  .strict();

type SslChecked = { sslMode?: string | undefined; caCertificate?: string | undefined };

/** verify-ca/verify-full need the CA; a CA with any other mode would silently go unused. */
function checkCa(db: SslChecked, ctx: z.RefinementCtx, whereToGetIt: string): void {
  const verifies = db.sslMode === "verify-ca" || db.sslMode === "verify-full";
  if (verifies && !db.caCertificate) {
    ctx.addIssue({
      code: "custom",
      path: ["caCertificate"],
      message: `is required when database.sslMode is ${db.sslMode}: paste the PEM of the CA that signed the server's certificate (${whereToGetIt}), or use sslMode: require`,
    });
  }
  if (db.sslMode !== undefined && !verifies && db.caCertificate) {
    ctx.addIssue({
      code: "custom",
      path: ["caCertificate"],
      message: `is only used with sslMode verify-ca or verify-full (sslMode is ${db.sslMode}); set database.sslMode: verify-full or remove caCertificate`,
    });
  }
}

/** An existing PostgreSQL server; its admin password is the sensitive variable `database_admin_password`. */
export const externalDatabaseSchema = z
  .object({
    kind: z.literal("external"),
    host: databaseHost,
    port: port.default(5432),
    /** Role the postgresql provider logs in as to create Mattermost's role and database. Default `postgres`. */
    adminUser: z.string().min(1, "name the role that creates Mattermost's role and database, such as postgres").default("postgres"),
    /**
     * sslmode of every connection (the provider's and Mattermost's). Default: `verify-full` when
     * `caCertificate` is given (the server is checked), else `require` (encrypted, not checked).
     */
    sslMode: z.enum(sslModes, { message: "must be one of require, verify-ca, verify-full, disable" }).optional(),
    ...mattermostDatabase,
    ...providerConnection,
    /** Take over the existing database `name` and role `user` instead of creating them. */
    adopt: databaseAdoptSchema.optional(),
  })
  .strict()
  .superRefine(crossField((db, ctx) => {
    checkCa(db, ctx, "the server's administrator has it");
    if (db.user === db.adminUser) {
      ctx.addIssue({ code: "custom", path: ["user"], message: `is also database.adminUser (${db.adminUser}); Mattermost needs a role of its own: keep user: mattermost or name another role` });
    }
  }), EVEN_AFTER_FIELD_ERRORS)
  .transform(({ sslMode, ...db }) => ({ ...db, sslMode: sslMode ?? (db.caCertificate ? ("verify-full" as const) : ("require" as const)) }));

/** CloudWatch Logs retention periods AWS accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

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
    /**
     * `16` (a major: RDS picks the minor and upgrades it automatically) or `16.4` (pinned: no
     * automatic minor upgrades, or the next plan would be a downgrade). Majors: SUPPORTED_POSTGRES_MAJORS.
     */
    engineVersion: z
      .string()
      .superRefine((version, ctx) => {
        if (/^\d+(\.\d+)?$/.test(version) && (SUPPORTED_POSTGRES_MAJORS as readonly number[]).includes(Number(version.split(".")[0]))) return;
        ctx.addIssue({
          code: "custom",
          message: `is "${version}"; use a supported PostgreSQL major (${SUPPORTED_POSTGRES_MAJORS.join(", ")}), such as "16", or pin a minor of one, such as "16.4" (quote it in YAML)`,
        });
      })
      .default("16"),
    /**
     * Apply changes to the instance now instead of in the next maintenance window. Default false.
     * A major upgrade needs it for that deploy (the old parameter group is deleted in the same apply).
     */
    applyImmediately: z.boolean().default(false),
    multiAz: z.boolean().default(false),
    backupRetentionDays: z.number().int().min(1, "keep automated backups at least 1 day").max(35, "RDS keeps automated backups at most 35 days").default(7),
    deletionProtection: z.boolean().default(true),
    /** Customer-managed KMS key for storage, the master secret and Performance Insights. Default: AWS-managed keys. */
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, "must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
      .optional(),
    /** Performance Insights (7 days, free tier). Default false. */
    performanceInsights: z.boolean().default(false),
    /** RDS logs exported to CloudWatch Logs. Default postgresql and upgrade. */
    logExports: z.array(z.enum(["postgresql", "upgrade"], { message: "must be postgresql or upgrade" })).default(["postgresql", "upgrade"]),
    /** Days CloudWatch keeps the exported logs. Default 30. */
    logRetentionDays: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), `must be one of the periods CloudWatch accepts: ${LOG_RETENTION_DAYS.join(", ")}`)
      .default(30),
    /**
     * sslmode of every connection; RDS only admits TLS here (rds.force_ssl). Default `verify-full`:
     * RDS's CA is public and known, so the server's certificate and name are always checked.
     */
    sslMode: z.enum(["require", "verify-ca", "verify-full"], { message: "must be one of require, verify-ca, verify-full (the instance only admits TLS)" }).default("verify-full"),
    ...mattermostDatabase,
    ...providerConnection,
    /** Refused with its fix (adoption is for a server made elsewhere: kind external). */
    adopt: z.unknown().optional(),
  })
  .strict()
  .superRefine(crossField((db, ctx) => {
    let alone = false;
    db.allowedCidrs.forEach((network, index) => {
      if (internetCoverage([network])) {
        alone = true;
        ctx.addIssue({
          code: "custom",
          path: ["allowedCidrs", index],
          message: `is ${network}, which would open PostgreSQL to the whole internet; list only the networks Mattermost runs in (e.g. the cluster's node subnets) or use database.allowedSecurityGroupIds`,
        });
      }
    });
    // Together, too: 0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0 (config/schema/common.ts, internetCoverage).
    const together = alone ? undefined : internetCoverage(db.allowedCidrs);
    if (together) {
      ctx.addIssue({
        code: "custom",
        path: ["allowedCidrs"],
        message: `${together}, which would open PostgreSQL to the whole internet; list only the networks Mattermost runs in (e.g. the cluster's node subnets) or use database.allowedSecurityGroupIds`,
      });
    }
    if (db.allowedCidrs.length === 0 && db.allowedSecurityGroupIds.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["allowedCidrs"],
        message: "nothing may reach PostgreSQL: list the cluster's networks in database.allowedCidrs or its security groups in database.allowedSecurityGroupIds",
      });
    }
    if (db.maxAllocatedStorageGb < db.allocatedStorageGb) {
      ctx.addIssue({
        code: "custom",
        path: ["maxAllocatedStorageGb"],
        message: `is ${db.maxAllocatedStorageGb} but allocatedStorageGb is ${db.allocatedStorageGb}: the autoscaling ceiling must be at least the allocated storage; raise maxAllocatedStorageGb`,
      });
    }
    if (db.user === RDS_MASTER_USERNAME) {
      ctx.addIssue({ code: "custom", path: ["user"], message: `is the instance's master user (${RDS_MASTER_USERNAME}); Mattermost needs a role of its own: keep user: mattermost or name another role` });
    }
    if (db.adopt !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["adopt"],
        message: "is only for a server made elsewhere: kind rds makes a new instance, which holds no Mattermost database to take over; to adopt the database on an existing RDS instance use kind: external with host: <the instance's endpoint> and adminUser: <its master user>",
      });
    }
    if (db.caCertificate && db.sslMode === "require") {
      ctx.addIssue({ code: "custom", path: ["caCertificate"], message: "is only used with sslMode verify-ca or verify-full (sslMode is require); remove sslMode (verify-full is the default) or remove caCertificate" });
    }
  }), EVEN_AFTER_FIELD_ERRORS);

export const databaseSchema = z.discriminatedUnion("kind", [externalDatabaseSchema, rdsDatabaseSchema]);

export type DatabaseConfig = z.output<typeof databaseSchema>;
export type ExternalDatabaseConfig = z.output<typeof externalDatabaseSchema>;
export type RdsDatabaseConfig = z.output<typeof rdsDatabaseSchema>;
export type DatabaseSslMode = DatabaseConfig["sslMode"];
