import { DATABASE_OFFER, DatabaseOfferField } from "./database-offer";
import { Offer, offerOutputName } from "./offer";
import { STORAGE_OFFER, StorageOfferField } from "./storage-offer";

/*
 * What a producer's state may hold: nothing secret but its offer.
 *
 * In Terraform Cloud the app workspace reads the producers' offers with `terraform_remote_state`, so
 * each producer workspace shares its state with it, and a run of the app workspace may read the
 * producer's whole state snapshot, not only its outputs. Terraform keeps in state every attribute of
 * every managed resource and the whole result of every data source, sensitive or not
 * (https://developer.hashicorp.com/terraform/language/state/sensitive-data). It keeps no variable
 * value, no provider configuration and no ephemeral value (proven on the real terraform in
 * __tests__/constructs/offers/state-contents.test.ts). So the producers' states hold nothing secret
 * but the offer exactly when every secret-carrying attribute of every block they write is one of:
 * - the offer's own secret (the value an offer output publishes, or derived from it),
 * - write-only or ephemeral (never in plan or state),
 * - or never set by this project.
 *
 * This table says which, per block type and attribute, citing the provider's schema. The test suite
 * synthesizes the producer stacks of every environment kind and fails on any block type or
 * secret-carrying attribute it does not classify (__tests__/constructs/offers/state-contents.test.ts):
 * a new resource or data source in `<env>-database` or `<env>-storage` must be added here, with its
 * provider's schema, before it can ship. It is consulted by the tests, not at synth: the producer
 * stacks are code, not configuration, so a change to them goes through the test line. It is
 * exported for library users who compose producer stacks of their own: `producerStateFindings`.
 */

/** The offer field a secret attribute or variable carries. */
export type OfferSecret =
  | { readonly offer: Offer<DatabaseOfferField>; readonly field: DatabaseOfferField }
  | { readonly offer: Offer<StorageOfferField>; readonly field: StorageOfferField };

/** How one secret-carrying (or secret-looking) attribute of a block type reaches the state. */
export type AttributeRule =
  /**
   * Computed secret that an offer output publishes: the output reads exactly this attribute of
   * this block. `rotation`: during a key rotation one more instance may exist, the other key of the
   * same IAM user (the one the offer published before the rotation): a credential of the same
   * principal with the same permissions, so it gives nothing the offer's key does not.
   */
  | { readonly rule: "published"; readonly carries: OfferSecret; readonly rotation?: boolean; readonly schema: string }
  /** Computed from attribute `from` of the same block by a public function: it tells nothing `from` does not. */
  | { readonly rule: "derived"; readonly from: string; readonly schema: string }
  /** Argument that, when set, is exactly the value an offer output publishes. */
  | { readonly rule: "same-as-offer"; readonly carries: OfferSecret; readonly schema: string }
  /** Write-only argument: Terraform sends it to the provider and never writes it to a plan or the state. */
  | { readonly rule: "write-only"; readonly schema: string }
  /** A secret argument this project never sets; setting it would put the secret in the state. */
  | { readonly rule: "never-set"; readonly schema: string }
  /** Named like a secret, holds none (an ARN, a flag, a version number). */
  | { readonly rule: "not-a-secret"; readonly holds: string };

/** One block type a producer stack may write. */
export interface StateContentType {
  /** `resource`, `data` (its whole result is kept in state) or `ephemeral` (nothing is kept). */
  readonly block: "resource" | "data" | "ephemeral";
  readonly type: string;
  /** What the state keeps of it, for the docs and a reviewer. */
  readonly holds: string;
  /**
   * Every attribute the provider schema marks Sensitive, and every one named like a credential
   * (password, secret, token, key, hash...). Attributes not listed hold no secret; for a type with
   * none listed, the test checks that its provider binding names no attribute like a credential.
   */
  readonly attributes: Readonly<Record<string, AttributeRule>>;
  /** Where the provider defines the block, when a reviewer should see that nothing in it is secret. */
  readonly schema?: string;
}

const DATABASE_PASSWORD: OfferSecret = { offer: DATABASE_OFFER, field: "password" };
const STORAGE_SECRET: OfferSecret = { offer: STORAGE_OFFER, field: "secretAccessKey" };

// Upstream schemas, at the versions the @cdktf/provider-* packages were generated from
// (aws 6.25.0, kubernetes 2.38.0, postgresql 1.26.0, random 3.7.2).
const RANDOM_PASSWORD = "hashicorp/terraform-provider-random internal/provider/resource_password.go: `result` and `bcrypt_hash` are Computed, Sensitive: true";
const POSTGRESQL_ROLE = "cyrilgdn/terraform-provider-postgresql postgresql/resource_postgresql_role.go, resourcePostgreSQLRole: `password` Sensitive: true";
const AWS_DB_INSTANCE =
  "hashicorp/terraform-provider-aws internal/service/rds/instance.go, ResourceInstance: `password` Sensitive: true; `manage_master_user_password` ConflictsWith password; `master_user_secret` Computed kms_key_id, secret_arn, secret_status (none Sensitive)";
const AWS_ACCESS_KEY =
  "hashicorp/terraform-provider-aws internal/service/iam/access_key.go, ResourceAccessKey: `secret` and `ses_smtp_password_v4` Computed, Sensitive: true; resourceAccessKeyCreate sets ses_smtp_password_v4 from the secret (SigV4 HMAC chain) and, only when `pgp_key` is set, encrypted_secret and encrypted_ses_smtp_password_v4 instead";
const WRITE_ONLY =
  "write-only (WriteOnly: true): \"Write-only attribute values are not saved to the Terraform plan or state artifacts\" (hashicorp/terraform-plugin-sdk CHANGELOG.md, 2.36.0); Terraform >= 1.11";

const NO_SECRET = {} as const;

/** A block type none of whose attributes holds a secret (the test checks its binding names none). */
function plain(type: string, holds: string, block: "resource" | "data" = "resource"): StateContentType {
  return { block, type, holds, attributes: NO_SECRET };
}

/** Every block type `<env>-database` and `<env>-storage` may write, whatever the environment's kinds. */
export const PRODUCER_STATE_CONTENTS: readonly StateContentType[] = [
  // <env>-database, every kind: Mattermost's role and database on the server.
  {
    block: "resource",
    type: "random_password",
    holds: "the generated password of Mattermost's role (the offer's password) and its bcrypt hash",
    attributes: {
      result: { rule: "published", carries: DATABASE_PASSWORD, schema: RANDOM_PASSWORD },
      bcrypt_hash: { rule: "derived", from: "result", schema: RANDOM_PASSWORD },
    },
  },
  {
    block: "resource",
    type: "postgresql_role",
    holds: "Mattermost's role: name, attributes, the password it was given (the offer's; none for an adopted role that keeps its own)",
    attributes: {
      password: { rule: "same-as-offer", carries: DATABASE_PASSWORD, schema: POSTGRESQL_ROLE },
      password_wo: { rule: "write-only", schema: `${POSTGRESQL_ROLE}; password_wo ${WRITE_ONLY}` },
      password_wo_version: { rule: "not-a-secret", holds: "a version label that triggers a password_wo update" },
      encrypted_password: { rule: "not-a-secret", holds: "a flag: store the password hashed in pg_authid" },
    },
  },
  plain("postgresql_database", "Mattermost's database: name, owner, encoding, locale"),
  plain("postgresql_grant", "PUBLIC's (empty) privileges on the database"),
  plain("postgresql_grant_role", "the admin's membership in Mattermost's role"),
  plain("postgresql_schemas", "the schema names of Mattermost's database (database.adopt with password: keep checks the kept password with it)", "data"),
  // <env>-database, kind rds.
  {
    block: "resource",
    type: "aws_db_instance",
    holds: "the RDS instance: identifier, ARN, address, port, master user name, settings, and the ARN of the RDS-managed secret (not its value)",
    attributes: {
      password: { rule: "never-set", schema: AWS_DB_INSTANCE },
      password_wo: { rule: "write-only", schema: `${AWS_DB_INSTANCE}; password_wo ${WRITE_ONLY}` },
      password_wo_version: { rule: "not-a-secret", holds: "a version number that triggers a password_wo update" },
      manage_master_user_password: { rule: "not-a-secret", holds: "a flag: RDS keeps the master password in Secrets Manager" },
      master_user_secret: { rule: "not-a-secret", holds: "the secret's ARN, KMS key id and status (no value)" },
      master_user_secret_kms_key_id: { rule: "not-a-secret", holds: "a KMS key ARN" },
      domain_auth_secret_arn: { rule: "not-a-secret", holds: "an ARN (unset: no Active Directory)" },
      ca_cert_identifier: { rule: "not-a-secret", holds: "the name of RDS's public CA" },
    },
  },
  {
    block: "ephemeral",
    type: "aws_secretsmanager_secret_version",
    holds: "nothing: the RDS master password it reads goes to the postgresql provider's configuration only; ephemeral resources are never written to a plan or the state",
    attributes: NO_SECRET,
  },
  plain("aws_db_parameter_group", "the parameter group (rds.force_ssl)"),
  plain("aws_db_subnet_group", "the subnet group: subnet ids"),
  plain("aws_security_group", "the database's security group: name, id, VPC"),
  plain("aws_vpc_security_group_ingress_rule", "who may reach 5432: CIDRs and security group ids"),
  plain("aws_cloudwatch_log_group", "the log groups' names and retention"),
  // <env>-storage, every kind: the namespace; kind local: the claim.
  {
    ...plain("kubernetes_namespace_v1", "Mattermost's namespace: name, labels"),
    schema: "hashicorp/terraform-provider-kubernetes kubernetes/resource_kubernetes_namespace_v1.go: metadata and wait_for_default_service_account, read back from the Namespace object",
  },
  {
    ...plain("kubernetes_persistent_volume_claim_v1", "the files' claim: name, size, access mode, storage class, volume name"),
    schema: "hashicorp/terraform-provider-kubernetes kubernetes/resource_kubernetes_persistent_volume_claim_v1.go: metadata, spec and wait_until_bound, read back from the claim object",
  },
  // <env>-storage, kind s3.
  plain("aws_s3_bucket", "the bucket: name, ARN, region, domain names"),
  plain("aws_s3_bucket_public_access_block", "the bucket's public access settings"),
  plain("aws_s3_bucket_ownership_controls", "the bucket's ownership setting"),
  plain("aws_s3_bucket_server_side_encryption_configuration", "the bucket's default encryption (and KMS key ARN)"),
  plain("aws_s3_bucket_versioning", "the bucket's versioning status"),
  plain("aws_s3_bucket_lifecycle_configuration", "the bucket's lifecycle rules"),
  plain("aws_s3_bucket_policy", "the bucket policy JSON (TLS only)"),
  plain("aws_iam_policy_document", "policy JSON built from its arguments (ARNs, actions, conditions); it reads nothing from AWS", "data"),
  plain("aws_iam_user", "the IAM user: name, path, ARN, unique id"),
  plain("aws_iam_user_policy", "the user's policy JSON"),
  {
    block: "resource",
    type: "aws_iam_access_key",
    holds: "the user's access key: id, status, creation date, its secret (the offer's) and the SES SMTP password derived from it",
    attributes: {
      secret: { rule: "published", carries: STORAGE_SECRET, rotation: true, schema: AWS_ACCESS_KEY },
      ses_smtp_password_v4: { rule: "derived", from: "secret", schema: AWS_ACCESS_KEY },
      pgp_key: { rule: "never-set", schema: AWS_ACCESS_KEY },
      encrypted_secret: { rule: "derived", from: "secret", schema: AWS_ACCESS_KEY },
      encrypted_ses_smtp_password_v4: { rule: "derived", from: "secret", schema: AWS_ACCESS_KEY },
    },
  },
  plain("aws_iam_role", "the IRSA role: name, ARN, trust policy JSON"),
  plain("aws_iam_role_policy", "the role's policy JSON"),
];

/** How a sensitive variable of a producer stack is used. Variables are never written to the state. */
export type VariableRule =
  /** Only in provider configuration (and its own validation), which the state does not keep. */
  | { readonly rule: "provider-only" }
  /** Published by the offer: may reach the offer's sensitive outputs, nothing else. */
  | { readonly rule: "published"; readonly carries: OfferSecret };

/** Every sensitive variable the producer stacks declare. */
export const PRODUCER_SENSITIVE_VARIABLES: Readonly<Record<string, VariableRule>> = {
  database_admin_password: { rule: "provider-only" },
  database_mattermost_password: { rule: "published", carries: DATABASE_PASSWORD },
  storage_secret_access_key: { rule: "published", carries: STORAGE_SECRET },
};

/** Top-level keys of a producer's Terraform JSON whose contents are checked or carry nothing into the state. */
const KNOWN_SECTIONS = new Set(["//", "terraform", "provider", "resource", "data", "ephemeral", "output", "variable", "moved", "import"]);
/** Meta-arguments of a block: not attributes, not kept as values in the state. */
const META_ARGUMENTS = new Set(["//", "lifecycle", "depends_on", "provider", "count", "for_each"]);

type Json = Record<string, any>;

/** `type.name.attribute` or `data.type.name.attribute` references inside a string. */
function references(text: string): { prefix: string; type: string; name: string; attribute: string }[] {
  return [...text.matchAll(/(?<![\w.-])(data\.|ephemeral\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)/g)].map((m) => ({
    prefix: m[1] ?? "",
    type: m[2],
    name: m[3],
    attribute: m[4],
  }));
}

/** The sensitive variables a string reads. */
function variablesIn(text: string): string[] {
  return [...text.matchAll(/(?<![\w.-])var\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]);
}

function ruleFor(block: StateContentType["block"], type: string): StateContentType | undefined {
  return PRODUCER_STATE_CONTENTS.find((entry) => entry.block === block && entry.type === type);
}

/**
 * What in a producer stack's Terraform JSON would put a secret other than `offer`'s into its state,
 * one message per problem naming the block, what is wrong and the fix. Empty: the state holds
 * nothing secret but the offer.
 */
export function producerStateFindings(stack: Json, offer: Offer<string>): string[] {
  const findings: string[] = [];
  const fix = "classify it in constructs/offers/state-contents.ts (with the provider schema) only if the state keeps no secret but the offer's";
  for (const section of Object.keys(stack)) {
    if (!KNOWN_SECTIONS.has(section)) findings.push(`${section}: a producer stack may not have ${section} blocks (what they put in the state is not classified); ${fix}`);
  }
  const offerOutputs = new Map(Object.keys(offer.fields).map((field) => [offerOutputName(offer, field), field]));
  const outputs: Json = stack.output ?? {};
  for (const name of Object.keys(outputs)) {
    if (!offerOutputs.has(name)) findings.push(`output.${name}: is not an output of the ${offer.name} offer; a producer's outputs are its offer`);
  }
  const sensitiveVariables = Object.entries<Json>(stack.variable ?? {})
    .filter(([, body]) => body.sensitive === true)
    .map(([name]) => name);
  for (const name of sensitiveVariables) {
    if (!PRODUCER_SENSITIVE_VARIABLES[name]) findings.push(`variable.${name}: sensitive, but not classified in PRODUCER_SENSITIVE_VARIABLES; ${fix}`);
  }

  // Every block of the stack, with its table entry.
  const blocks: { block: StateContentType["block"]; type: string; name: string; body: Json; entry?: StateContentType }[] = [];
  for (const block of ["resource", "data", "ephemeral"] as const) {
    for (const [type, byName] of Object.entries<Json>(stack[block] ?? {})) {
      const entry = ruleFor(block, type);
      if (!entry) {
        const why =
          block === "data"
            ? "a data source's whole result is saved in the state, which the app workspace can read: read secrets through an ephemeral resource instead"
            : "what it keeps in the state is not classified";
        findings.push(`${block === "resource" ? "" : `${block}.`}${type}: not in the producers' state contents table (${why}); ${fix}`);
      }
      for (const [name, body] of Object.entries<Json>(byName)) blocks.push({ block, type, name, body, entry });
    }
  }

  /** What a reference reads, when it is a secret: the rule of the attribute it names. */
  const secretRead = (ref: ReturnType<typeof references>[number]): string | undefined => {
    if (ref.prefix === "ephemeral.") return `ephemeral.${ref.type}.${ref.name} (an ephemeral value)`;
    const block = ref.prefix === "data." ? "data" : "resource";
    const rule = ruleFor(block, ref.type)?.attributes[ref.attribute];
    if (rule && rule.rule !== "not-a-secret") return `${ref.prefix}${ref.type}.${ref.name}.${ref.attribute}`;
    return undefined;
  };
  const secretsIn = (value: unknown): string[] => {
    const text = JSON.stringify(value) ?? "";
    return [
      ...references(text).map(secretRead).filter((s): s is string => s !== undefined),
      ...variablesIn(text)
        .filter((v) => sensitiveVariables.includes(v))
        .map((v) => `var.${v}`),
    ];
  };

  for (const { block, type, name, body, entry } of blocks) {
    const address = `${block === "resource" ? "" : `${block}.`}${type}.${name}`;
    if (block === "ephemeral") continue; // never in the state, whatever it reads
    for (const [attribute, value] of Object.entries(body)) {
      if (META_ARGUMENTS.has(attribute)) continue;
      const rule = entry?.attributes[attribute];
      if (rule?.rule === "never-set") {
        findings.push(`${address}: sets ${attribute}, a secret the state would keep (${rule.schema}); leave it unset`);
        continue;
      }
      if (rule?.rule === "write-only") continue;
      if (rule?.rule === "same-as-offer") {
        const published = outputs[offerOutputName(rule.carries.offer as Offer<string>, rule.carries.field)]?.value;
        if (JSON.stringify(value) !== JSON.stringify(published)) {
          findings.push(`${address}: ${attribute} is not the value the offer publishes as ${offerOutputName(rule.carries.offer as Offer<string>, rule.carries.field)}; the state would keep a secret the offer does not give`);
        }
        continue;
      }
      const secrets = secretsIn(value);
      if (secrets.length > 0) {
        findings.push(`${address}: ${attribute} is set from ${[...new Set(secrets)].join(", ")}, and the state keeps ${attribute}; pass secrets to provider configuration or write-only arguments only`);
      }
    }
    // Computed secrets: published by the offer (or derived from what is).
    for (const [attribute, rule] of Object.entries(entry?.attributes ?? {})) {
      if (rule.rule !== "published") continue;
      const output = offerOutputName(rule.carries.offer as Offer<string>, rule.carries.field);
      const reads = (n: string) => JSON.stringify(outputs[output]?.value ?? "").includes(`${type}.${n}.${attribute}`);
      if (reads(name)) continue;
      // A key rotation keeps the other key of the same IAM user for a while: same principal, same permissions.
      const sibling = rule.rotation
        ? blocks.find((other) => other.type === type && other.name !== name && reads(other.name) && JSON.stringify(other.body.user) === JSON.stringify(body.user))
        : undefined;
      if (!sibling) findings.push(`${address}: its ${attribute} is a secret the state keeps, but the offer does not publish it (${output}); the app workspace could read it`);
    }
  }

  // Sensitive variables: only in provider configuration, or in the offer's sensitive outputs when they are the offer's.
  for (const [name, body] of Object.entries<Json>(outputs)) {
    for (const variable of variablesIn(JSON.stringify(body.value ?? ""))) {
      const rule = PRODUCER_SENSITIVE_VARIABLES[variable];
      if (!sensitiveVariables.includes(variable) || !rule) continue;
      if (rule.rule !== "published" || rule.carries.offer.name !== offer.name || body.sensitive !== true) {
        findings.push(`output.${name}: publishes var.${variable}, which is not this offer's secret; the state keeps every output`);
      }
    }
    for (const ref of references(JSON.stringify(body.value ?? ""))) {
      if (ref.prefix === "ephemeral.") findings.push(`output.${name}: reads ephemeral.${ref.type}.${ref.name}; the state keeps every output`);
    }
  }
  return findings;
}

/** The offer a producer stack publishes, from its outputs (`database_*` or `storage_*`). */
export function offerOf(stack: Json): Offer<string> | undefined {
  const names = Object.keys(stack.output ?? {});
  return [DATABASE_OFFER, STORAGE_OFFER].find((offer) => names.some((name) => name.startsWith(`${offer.name}_`))) as Offer<string> | undefined;
}
