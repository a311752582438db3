import { Database } from "@cdktf/provider-postgresql/lib/database";
import { Grant } from "@cdktf/provider-postgresql/lib/grant";
import { GrantRole } from "@cdktf/provider-postgresql/lib/grant-role";
import { Role } from "@cdktf/provider-postgresql/lib/role";
import { Password } from "@cdktf/provider-random/lib/password";
import { isIP } from "net";
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
   * Collation and character classes of the database (LC_COLLATE and LC_CTYPE), fixed at creation.
   * Default `en_US.UTF-8`. Never `C`: Mattermost searches with `lower(x) LIKE lower(y)`, and under
   * `C` lower() folds ASCII letters only, so a search for "élodie" misses "Élodie".
   */
  readonly locale?: string;
  /**
   * Take over the database `name` and role `user` that exist on the server (import blocks) instead
   * of creating them. Default: create both.
   */
  readonly adopt?: MattermostDatabaseAdoption;
}

/** `host` as a URL writes it: an IPv6 literal in brackets (RFC 3986, 3.2.2), anything else as it is. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * A Terraform value percent-encoded for any part of a URL. Terraform's urlencode() is Go's
 * url.QueryEscape (hashicorp/terraform internal/lang/funcs/encoding.go, URLEncodeFunc): it writes a
 * space as "+", which only a query string reads back as a space (libpq and Go's net/url keep "+" in
 * the user info); a literal "+" is already "%2B", so every "+" left is a space and becomes "%20".
 */
export function urlEncodeToken(value: string): string {
  return Fn.replace(Fn.urlencode(value), "+", "%20");
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
    //
    // PostgreSQL 16+ also gives a CREATEROLE admin that is no superuser (the RDS master user) an
    // implicit membership WITH ADMIN OPTION, recorded as granted by the bootstrap superuser, so
    // pg_auth_members holds two rows for (admin, role). The provider reads one of them, whichever
    // comes first, without ORDER BY and without the grantor (cyrilgdn/terraform-provider-postgresql
    // v1.26.0, postgresql/resource_postgresql_grant_role.go, getGrantRoleQuery in readGrantRole),
    // so it reads with_admin_option = true and, the attribute being ForceNew, would replace the
    // grant at every plan; asking for true instead fails ("ADMIN option cannot be granted back to
    // your own grantor"). What the admin needs is the membership itself, so the option is left to
    // what the server recorded. Proven on real PostgreSQL 15-18 in
    // __tests__/constructs/database/postgres-contract.test.ts.
    const adminIsOwner = new GrantRole(this, "admin-membership", {
      role: props.adminUser,
      grantRole: role.name,
      withAdminOption: false,
      lifecycle: { ignoreChanges: ["with_admin_option"] },
    });
    // After the membership: the provider grants and revokes it around CREATE DATABASE itself when
    // missing, which would race with the membership above.
    const database = new Database(this, "database", {
      name: props.name,
      owner: role.name,
      encoding: "UTF8",
      lcCollate: props.locale ?? "en_US.UTF-8",
      lcCtype: props.locale ?? "en_US.UTF-8",
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
   * The DSN Mattermost wants: `postgres://user:pass@host:port/db?sslmode=...&connect_timeout=10`,
   * `sslrootcert` when the server's CA is checked (the path in the container). Every part is
   * encoded as its part (an IPv6 host in brackets), so no value can end one part and start another.
   * `host` must be a host name or an IP address (the schema checks literals; a token is RDS's name).
   */
  public dsn(host: string, port: string, sslMode: string, sslRootCert?: string): string {
    const query = [
      `sslmode=${encodeURIComponent(sslMode)}`,
      ...(sslRootCert ? [`sslrootcert=${encodeURIComponent(sslRootCert).replace(/%2F/g, "/")}`] : []),
      "connect_timeout=10",
    ].join("&");
    return `postgres://${urlEncodeToken(this.user)}:${urlEncodeToken(this.password)}@${urlHost(host)}:${port}/${urlEncodeToken(this.name)}?${query}`;
  }
}
