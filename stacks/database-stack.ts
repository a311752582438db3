import { PostgresqlProvider } from "@cdktf/provider-postgresql/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Fn, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { AwsConfig } from "../config/schema/aws";
import type { DatabaseConfig } from "../config/schema/database";
import { DATABASE_OFFER } from "../constructs/database-offer";
import { MattermostDatabase } from "../constructs/mattermost-database";
import { PublishedOffer } from "../constructs/offer";
import { useAws } from "../constructs/providers";
import { RdsPostgres } from "../constructs/rds-postgres";
import { StateLocation, storeStateAt } from "../constructs/state-location";

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
    if (db.kind === "rds") {
      if (!props.aws) throw new Error(`${id}: aws.region is required when database.kind is rds`);
      useAws(this, props.aws.region, props.environmentName, id);
      const { kind: _kind, name: _database, user: _user, sslMode: _sslMode, ...instance } = db;
      const rds = new RdsPostgres(this, "rds", { name: `mattermost-${props.environmentName}`, ...instance });
      server = { host: rds.address, port: rds.instance.port, adminUser: rds.masterUsername, adminPassword: rds.masterPassword };
    } else {
      const adminPassword = new TerraformVariable(this, "database_admin_password", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `Password of ${db.adminUser} on ${db.host}, used to create Mattermost's role and database`,
      });
      server = { host: db.host, port: db.port, adminUser: db.adminUser, adminPassword: adminPassword.stringValue };
    }
    new PostgresqlProvider(this, "postgresql", {
      host: server.host,
      port: server.port,
      username: server.adminUser,
      password: server.adminPassword,
      sslmode: db.sslMode,
      // RDS and most managed servers give no real superuser; the provider must not assume one.
      superuser: false,
      connectTimeout: 15,
    });
    const mattermost = new MattermostDatabase(this, "mattermost", { name: db.name, user: db.user });
    new PublishedOffer(this, "offer", {
      offer: DATABASE_OFFER,
      values: {
        host: server.host,
        port: Fn.tostring(server.port),
        database: mattermost.name,
        user: mattermost.user,
        password: mattermost.password,
        sslMode: db.sslMode,
        dsn: mattermost.dsn(server.host, Fn.tostring(server.port), db.sslMode),
      },
    });
  }
}
