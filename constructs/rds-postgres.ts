import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn } from "cdktf";
import { Construct } from "constructs";

/** Props of {@link RdsPostgres}. */
export interface RdsPostgresProps {
  /** Names every AWS resource, e.g. `mattermost-production`. */
  readonly name: string;
  readonly vpcId: string;
  /** At least two subnets in different availability zones. */
  readonly subnetIds: readonly string[];
  /** Networks admitted on 5432. */
  readonly allowedCidrs: readonly string[];
  /** Security groups admitted on 5432. */
  readonly allowedSecurityGroupIds: readonly string[];
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  /** Storage autoscaling ceiling. */
  readonly maxAllocatedStorageGb: number;
  /** `16` or `16.4`; the parameter group family follows the major version. */
  readonly engineVersion: string;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
}

/**
 * A private, encrypted Amazon RDS for PostgreSQL instance that only admits TLS, reachable on 5432
 * from the listed networks and security groups only. The master password is managed by RDS in
 * Secrets Manager: no password is ever written in the configuration.
 */
export class RdsPostgres extends Construct {
  public readonly address: string;
  public readonly masterUsername: string;
  /** The master password, read from the RDS-managed secret (sensitive). */
  public readonly masterPassword: string;
  public readonly instance: DbInstance;

  constructor(scope: Construct, id: string, props: RdsPostgresProps) {
    super(scope, id);
    const major = props.engineVersion.split(".")[0];
    const securityGroup = new SecurityGroup(this, "security-group", {
      name: `${props.name}-postgres`,
      description: `PostgreSQL for ${props.name}: 5432 from the allowed networks only`,
      vpcId: props.vpcId,
    });
    props.allowedCidrs.forEach((cidr, index) => {
      new VpcSecurityGroupIngressRule(this, `from-cidr-${index}`, {
        securityGroupId: securityGroup.id,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
        description: `PostgreSQL from ${cidr}`,
      });
    });
    props.allowedSecurityGroupIds.forEach((groupId, index) => {
      new VpcSecurityGroupIngressRule(this, `from-group-${index}`, {
        securityGroupId: securityGroup.id,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        referencedSecurityGroupId: groupId,
        description: `PostgreSQL from ${groupId}`,
      });
    });
    const subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: `${props.name}-postgres`,
      subnetIds: [...props.subnetIds],
    });
    const parameterGroup = new DbParameterGroup(this, "parameter-group", {
      name: `${props.name}-postgres${major}`,
      family: `postgres${major}`,
      description: `TLS-only PostgreSQL ${major} for ${props.name}`,
      parameter: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }],
      lifecycle: { createBeforeDestroy: true },
    });
    this.instance = new DbInstance(this, "instance", {
      identifier: `${props.name}-postgres`,
      engine: "postgres",
      engineVersion: props.engineVersion,
      instanceClass: props.instanceClass,
      allocatedStorage: props.allocatedStorageGb,
      maxAllocatedStorage: props.maxAllocatedStorageGb,
      storageType: "gp3",
      storageEncrypted: true,
      username: "mattermost_admin",
      manageMasterUserPassword: true,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      parameterGroupName: parameterGroup.name,
      publiclyAccessible: false,
      multiAz: props.multiAz,
      backupRetentionPeriod: props.backupRetentionDays,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${props.name}-postgres-final`,
      autoMinorVersionUpgrade: true,
      applyImmediately: false,
    });
    const secret = new DataAwsSecretsmanagerSecretVersion(this, "master-secret", {
      secretId: this.instance.masterUserSecret.get(0).secretArn,
    });
    this.address = this.instance.address;
    this.masterUsername = this.instance.username;
    this.masterPassword = Fn.lookup(Fn.jsondecode(secret.secretString), "password", "");
  }
}
