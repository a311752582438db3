import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { RDS_CA_CERT_IDENTIFIER } from "../../config/rds-ca";
import { internetCoverage } from "../../config/schema/common";
import { RDS_MASTER_USERNAME } from "../../config/schema/database";
import { terraformExpression } from "../shared/terraform-expression";

export { RDS_CA_CERT_IDENTIFIER };

/** Props of {@link RdsPostgres}. */
export interface RdsPostgresProps {
  /** Names every AWS resource, e.g. `mattermost-production`. */
  readonly name: string;
  readonly vpcId: string;
  /** At least two subnets in different availability zones. */
  readonly subnetIds: readonly string[];
  /** Networks admitted on 5432; never 0.0.0.0/0 or ::/0. */
  readonly allowedCidrs: readonly string[];
  /** Security groups admitted on 5432. At least one network or group is required. */
  readonly allowedSecurityGroupIds: readonly string[];
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  /** Storage autoscaling ceiling; at least `allocatedStorageGb`. */
  readonly maxAllocatedStorageGb: number;
  /**
   * `16` (RDS picks the minor and upgrades it in the maintenance window) or `16.4` (pinned: no
   * automatic minor upgrades). The parameter group family follows the major version.
   */
  readonly engineVersion: string;
  /** Apply changes now rather than in the next maintenance window. Default false. */
  readonly applyImmediately?: boolean;
  readonly multiAz: boolean;
  /** Days of automated backups (point-in-time recovery window). */
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  /** Customer-managed KMS key for storage, the master secret and Performance Insights. Default: AWS-managed keys. */
  readonly kmsKeyArn?: string;
  /** Performance Insights, 7 days. Default false. */
  readonly performanceInsights?: boolean;
  /** Logs exported to CloudWatch (`postgresql`, `upgrade`). Default none. */
  readonly logExports?: readonly string[];
  /** Days CloudWatch keeps exported logs. Default 30. */
  readonly logRetentionDays?: number;
}

/**
 * A private, encrypted Amazon RDS for PostgreSQL instance that only admits TLS, reachable on 5432
 * from the listed networks and security groups only and reaching out nowhere. The master password
 * is managed by RDS in Secrets Manager: no password is ever written in the configuration.
 */
export class RdsPostgres extends Construct {
  public readonly address: string;
  public readonly masterUsername: string;
  /** The master password, read from the RDS-managed secret by an ephemeral resource: for provider configuration only. */
  public readonly masterPassword: string;
  public readonly instance: DbInstance;
  public readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: RdsPostgresProps) {
    super(scope, id);
    validate(id, props);
    const major = props.engineVersion.split(".")[0];
    const pinned = props.engineVersion.includes(".");
    const identifier = `${props.name}-postgres`;
    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: identifier,
      description: `PostgreSQL for ${props.name}: 5432 from the allowed networks only`,
      vpcId: props.vpcId,
      // A database answers; it never opens connections, so it gets no egress at all.
      egress: [],
    });
    props.allowedCidrs.forEach((cidr, index) => {
      new VpcSecurityGroupIngressRule(this, `from-cidr-${index}`, {
        securityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
        description: `PostgreSQL from ${cidr}`,
      });
    });
    props.allowedSecurityGroupIds.forEach((groupId, index) => {
      new VpcSecurityGroupIngressRule(this, `from-group-${index}`, {
        securityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        referencedSecurityGroupId: groupId,
        description: `PostgreSQL from ${groupId}`,
      });
    });
    const subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: identifier,
      subnetIds: [...props.subnetIds],
    });
    // One group per major, made before the old one is destroyed: a major upgrade attaches the new
    // family's group in the same modification, and the old one can only go once it is detached
    // (hashicorp/terraform-provider-aws website/docs/r/db_parameter_group.html.markdown,
    // "create_before_destroy Lifecycle Configuration", which pairs it with apply_immediately = true).
    const parameterGroup = new DbParameterGroup(this, "parameter-group", {
      name: `${identifier}${major}`,
      family: `postgres${major}`,
      description: `TLS-only PostgreSQL ${major} for ${props.name}`,
      parameter: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }],
      lifecycle: { createBeforeDestroy: true },
    });
    // Made before the instance so RDS writes into groups with a retention, not ones kept forever.
    const logGroups = (props.logExports ?? []).map(
      (log) =>
        new CloudwatchLogGroup(this, `log-${log}`, {
          name: `/aws/rds/instance/${identifier}/${log}`,
          retentionInDays: props.logRetentionDays ?? 30,
        }),
    );
    const kms = props.kmsKeyArn;
    this.instance = new DbInstance(this, "instance", {
      identifier,
      engine: "postgres",
      engineVersion: props.engineVersion,
      instanceClass: props.instanceClass,
      allocatedStorage: props.allocatedStorageGb,
      maxAllocatedStorage: props.maxAllocatedStorageGb,
      storageType: "gp3",
      storageEncrypted: true,
      ...(kms ? { kmsKeyId: kms } : {}),
      username: RDS_MASTER_USERNAME,
      manageMasterUserPassword: true,
      ...(kms ? { masterUserSecretKmsKeyId: kms } : {}),
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: parameterGroup.name,
      publiclyAccessible: false,
      caCertIdentifier: RDS_CA_CERT_IDENTIFIER,
      multiAz: props.multiAz,
      backupRetentionPeriod: props.backupRetentionDays,
      // Automated backups outlive the instance (until their retention ends): a deleted instance can
      // still be restored to a point in time, not only from the final snapshot.
      deleteAutomatedBackups: false,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      // A pinned minor (`16.4`) with automatic minor upgrades would be upgraded by RDS to 16.x, and
      // the next plan would ask to go back to 16.4, which RDS refuses: pinned means no auto upgrade.
      autoMinorVersionUpgrade: !pinned,
      // Only allows: a major upgrade happens when engineVersion names a new major. The provider
      // sends it with every engine_version change (internal/service/rds/instance.go,
      // resourceInstanceUpdate: input.AllowMajorVersionUpgrade), and RDS refuses a major upgrade
      // without it.
      allowMajorVersionUpgrade: true,
      applyImmediately: props.applyImmediately ?? false,
      performanceInsightsEnabled: props.performanceInsights ?? false,
      ...(props.performanceInsights ? { performanceInsightsRetentionPeriod: 7, ...(kms ? { performanceInsightsKmsKeyId: kms } : {}) } : {}),
      enabledCloudwatchLogsExports: [...(props.logExports ?? [])],
      dependsOn: logGroups,
    });
    // The master password is read through an ephemeral resource (Terraform 1.10+): it reaches the
    // postgresql provider's configuration and is written to no plan and no state, unlike a data
    // source. cdktf 0.21 has no class for ephemeral blocks, so the block is written as an override.
    const stack = TerraformStack.of(this);
    const ephemeralName = `${this.node.id}_master_secret`.replace(/[^a-zA-Z0-9_]/g, "_");
    stack.addOverride(`ephemeral.aws_secretsmanager_secret_version.${ephemeralName}`, {
      secret_id: this.instance.masterUserSecret.get(0).secretArn,
    });
    this.address = this.instance.address;
    this.masterUsername = this.instance.username;
    this.masterPassword = terraformExpression(`jsondecode(ephemeral.aws_secretsmanager_secret_version.${ephemeralName}.secret_string)["password"]`);
  }
}

/** Fails early, naming the prop, for what AWS would accept but must never be made. */
function validate(id: string, props: RdsPostgresProps): void {
  // Parsed, alone or together: 0::/0 and 0.0.0.0/1 + 128.0.0.0/1 are the whole internet too.
  const open = internetCoverage(props.allowedCidrs);
  if (open) {
    throw new Error(`RdsPostgres ${id}: allowedCidrs must not contain ${props.allowedCidrs.join(", ")}: ${open}; list only the networks the app runs in`);
  }
  if (props.allowedCidrs.length === 0 && props.allowedSecurityGroupIds.length === 0) {
    throw new Error(`RdsPostgres ${id}: nothing may reach PostgreSQL; give allowedCidrs or allowedSecurityGroupIds`);
  }
  if (props.maxAllocatedStorageGb < props.allocatedStorageGb) {
    throw new Error(`RdsPostgres ${id}: maxAllocatedStorageGb (${props.maxAllocatedStorageGb}) must be at least allocatedStorageGb (${props.allocatedStorageGb})`);
  }
}
