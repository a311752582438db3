import { Database } from "@cdktf/provider-postgresql/lib/database";
import { Grant } from "@cdktf/provider-postgresql/lib/grant";
import { GrantRole } from "@cdktf/provider-postgresql/lib/grant-role";
import { Role } from "@cdktf/provider-postgresql/lib/role";
import { Password } from "@cdktf/provider-random/lib/password";
import { Fn } from "cdktf";
import { Construct } from "constructs";

/** Props of {@link MattermostDatabase}. */
export interface MattermostDatabaseProps {
  /** Database name. */
  readonly name: string;
  /** Login role that owns it. */
  readonly user: string;
  /** The role the postgresql provider logs in as (it becomes a member of Mattermost's role). */
  readonly adminUser: string;
  /** Most sessions the role may hold; -1 for no limit of its own. Default -1. */
  readonly connectionLimit?: number;
}

/**
 * Mattermost's login role (no superuser, cannot create roles or databases, no replication) with a
 * generated password, and a UTF8 database it owns that no other role can connect to. Needs a
 * postgresql provider in scope that logs in as `adminUser` (a role that can create roles and databases).
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
      // Destroying it would REASSIGN OWNED BY, DROP OWNED BY and DROP ROLE: see the database below.
      lifecycle: { preventDestroy: true },
    });
    // The admin acts as the owner through membership: RDS gives no superuser, and only the owner may
    // revoke what PUBLIC has on the database or connect once PUBLIC cannot. The admin can already
    // reset this role's password, so membership hands it nothing it could not take.
    const adminIsOwner = new GrantRole(this, "admin-membership", {
      role: props.adminUser,
      grantRole: role.name,
      withAdminOption: false,
    });
    // After the membership: the provider grants and revokes it around CREATE DATABASE itself when
    // missing, which would race with the membership above.
    const database = new Database(this, "database", {
      name: props.name,
      owner: role.name,
      encoding: "UTF8",
      lcCollate: "C",
      lcCtype: "C",
      template: "template0",
      allowConnections: true,
      dependsOn: [adminIsOwner],
      // Mattermost's data. The provider's delete terminates every session and drops it (with FORCE on
      // PostgreSQL 13+), before Terraform reaches the RDS instance whose deletion protection or final
      // snapshot would have kept it (cyrilgdn/terraform-provider-postgresql v1.26.0,
      // postgresql/resource_postgresql_database.go, resourcePostgreSQLDatabaseDelete; the role's:
      // resource_postgresql_role.go, resourcePostgreSQLRoleDelete). docs/database.md gives the way out.
      lifecycle: { preventDestroy: true },
    });
    // PostgreSQL lets every role (PUBLIC) connect to a new database and make temporary tables in it.
    // Mattermost keeps all it has as owner.
    new Grant(this, "no-public-access", {
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
