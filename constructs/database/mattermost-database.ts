import { Database } from "@cdktf/provider-postgresql/lib/database";
import { Grant } from "@cdktf/provider-postgresql/lib/grant";
import { GrantRole } from "@cdktf/provider-postgresql/lib/grant-role";
import { Role } from "@cdktf/provider-postgresql/lib/role";
import { Password } from "@cdktf/provider-random/lib/password";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { importExisting } from "../shared/import-existing";

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
  /**
   * Take over the database `name` and role `user` that exist on the server (import blocks) instead
   * of creating them. Default: create both.
   */
  readonly adopt?: MattermostDatabaseAdoption;
}

/** How {@link MattermostDatabase} takes over an existing database and role. */
export interface MattermostDatabaseAdoption {
  /**
   * The role's current password (a token of a sensitive variable): the role keeps it and Terraform
   * never sets it. Omitted: a generated password replaces it at the next apply (a rotation).
   */
  readonly existingPassword?: string;
}

/**
 * What an adopted database may differ in without being recreated. These attributes are ForceNew in
 * the provider (cyrilgdn/terraform-provider-postgresql, postgresql/resource_postgresql_database.go,
 * the `encoding`, `lc_collate`, `lc_ctype` and `template` schema entries), and its Read sets them
 * from pg_database (`template` from the state, `template0` after an import: resourcePostgreSQLDatabaseReadImpl),
 * so a database made with another locale would plan a replacement, which `prevent_destroy` refuses.
 * They are fixed at creation anyway; what the server has is what Mattermost keeps.
 */
export const ADOPTED_DATABASE_IGNORES = ["encoding", "lc_collate", "lc_ctype", "template"];

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
    const existingPassword = props.adopt?.existingPassword;
    // Letters and digits only: nothing in the DSN or a shell needs escaping, 40 characters keep ~238 bits.
    const password = existingPassword ?? new Password(this, "password", { length: 40, special: false }).result;
    const role = new Role(this, "role", {
      name: props.user,
      login: true,
      // An adopted role keeping its password gets none here: with `superuser = false` the provider
      // never reads a password back (readRolePassword returns the state's, empty after an import),
      // and an Update would run ALTER ROLE ... PASSWORD (setRolePassword), so the attribute is also
      // ignored (cyrilgdn/terraform-provider-postgresql, postgresql/resource_postgresql_role.go).
      ...(existingPassword ? {} : { password }),
      superuser: false,
      createDatabase: false,
      createRole: false,
      inherit: true,
      replication: false,
      bypassRowLevelSecurity: false,
      connectionLimit,
      // Destroying it would REASSIGN OWNED BY, DROP OWNED BY and DROP ROLE: see the database below.
      lifecycle: { preventDestroy: true, ...(existingPassword ? { ignoreChanges: ["password"] } : {}) },
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
      lifecycle: { preventDestroy: true, ...(props.adopt ? { ignoreChanges: ADOPTED_DATABASE_IGNORES } : {}) },
    });
    if (props.adopt) {
      // Both providers' importers pass the id through as the name (ImportStatePassthrough), and Read
      // looks the name up in pg_roles / pg_database (resourcePostgreSQLRoleReadImpl,
      // resourcePostgreSQLDatabaseReadImpl in the files cited above).
      importExisting(role, props.user);
      importExisting(database, props.name);
    }
    // PostgreSQL lets every role (PUBLIC) connect to a new database and make temporary tables in it.
    // Mattermost keeps all it has as owner.
    new Grant(this, "no-public-access", {
      database: database.name,
      role: "public",
      objectType: "database",
      privileges: [],
    });
    this.password = password;
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
