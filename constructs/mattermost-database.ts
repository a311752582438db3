import { Database } from "@cdktf/provider-postgresql/lib/database";
import { Grant } from "@cdktf/provider-postgresql/lib/grant";
import { PostgresqlProvider } from "@cdktf/provider-postgresql/lib/provider";
import { Role } from "@cdktf/provider-postgresql/lib/role";
import { Password } from "@cdktf/provider-random/lib/password";
import { Fn } from "cdktf";
import { Construct } from "constructs";

/** How to reach the PostgreSQL server (what both the admin and the owner connections share). */
export interface PostgresEndpoint {
  readonly host: string;
  /** A number, or a token for one. */
  readonly port: number;
  readonly sslMode: string;
  /** Path (relative to the stack's Terraform directory) of the CA file for verify-ca/verify-full. */
  readonly sslRootCert?: string;
}

/** Props of {@link MattermostDatabase}. */
export interface MattermostDatabaseProps {
  /** Database name. */
  readonly name: string;
  /** Login role that owns it. */
  readonly user: string;
  /** The server; the owner connects here to lock its database down. */
  readonly endpoint: PostgresEndpoint;
  /** Most sessions the role may hold; -1 for no limit of its own. Default -1. */
  readonly connectionLimit?: number;
}

/**
 * Mattermost's login role (no superuser, cannot create roles or databases, no replication) with a
 * generated password, and a UTF8 database it owns that no other role can connect to. Needs the
 * default postgresql provider (an admin that can create roles and databases) in scope.
 */
export class MattermostDatabase extends Construct {
  /** The role's password (a token; never a literal). */
  public readonly password: string;
  public readonly name: string;
  public readonly user: string;

  constructor(scope: Construct, id: string, props: MattermostDatabaseProps) {
    super(scope, id);
    const connectionLimit = props.connectionLimit ?? -1;
    if (!Number.isInteger(connectionLimit) || connectionLimit < -1) {
      throw new Error(`MattermostDatabase ${id}: connectionLimit must be -1 (no limit) or a number of connections (got ${connectionLimit})`);
    }
    // Letters and digits only: nothing in the DSN or a shell needs escaping, 40 characters keep ~238 bits.
    const password = new Password(this, "password", { length: 40, special: false });
    const role = new Role(this, "role", {
      name: props.user,
      login: true,
      password: password.result,
      superuser: false,
      createDatabase: false,
      createRole: false,
      inherit: true,
      replication: false,
      bypassRowLevelSecurity: false,
      connectionLimit,
    });
    const database = new Database(this, "database", {
      name: props.name,
      owner: role.name,
      encoding: "UTF8",
      lcCollate: "C",
      lcCtype: "C",
      template: "template0",
      allowConnections: true,
    });
    // PostgreSQL lets every role (PUBLIC) connect to a new database and create temporary tables in
    // it. Only the owner can take that back when the admin is no superuser (RDS), so the owner does
    // it over its own connection; Mattermost keeps what it has as owner.
    const owner = new PostgresqlProvider(this, "owner", {
      alias: `${id}-owner`,
      host: props.endpoint.host,
      port: props.endpoint.port,
      database: database.name,
      username: role.name,
      password: password.result,
      sslmode: props.endpoint.sslMode,
      ...(props.endpoint.sslRootCert ? { sslrootcert: props.endpoint.sslRootCert } : {}),
      superuser: false,
      connectTimeout: 15,
    });
    new Grant(this, "no-public-access", {
      provider: owner,
      database: database.name,
      role: "public",
      objectType: "database",
      privileges: [],
    });
    this.password = password.result;
    this.name = database.name;
    this.user = role.name;
  }

  /**
   * The DSN Mattermost wants: `postgres://user:pass@host:port/db?sslmode=...&connect_timeout=10`, the
   * password URL-encoded, `sslrootcert` when the server's CA is checked (the path in the container).
   */
  public dsn(host: string, port: string, sslMode: string, sslRootCert?: string): string {
    const query = [`sslmode=${sslMode}`, ...(sslRootCert ? [`sslrootcert=${sslRootCert}`] : []), "connect_timeout=10"].join("&");
    return `postgres://${this.user}:${Fn.urlencode(this.password)}@${host}:${port}/${this.name}?${query}`;
  }
}
