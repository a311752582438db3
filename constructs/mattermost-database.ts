import { Database } from "@cdktf/provider-postgresql/lib/database";
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
}

/**
 * Mattermost's login role (no superuser, cannot create roles or databases) with a generated
 * password, and a UTF8 database it owns. Needs a configured postgresql provider in scope.
 */
export class MattermostDatabase extends Construct {
  /** The role's password (a token; never a literal). */
  public readonly password: string;
  public readonly name: string;
  public readonly user: string;

  constructor(scope: Construct, id: string, props: MattermostDatabaseProps) {
    super(scope, id);
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
    this.password = password.result;
    this.name = database.name;
    this.user = role.name;
  }

  /** The DSN Mattermost wants: `postgres://user:pass@host:port/db?sslmode=...&connect_timeout=10`. */
  public dsn(host: string, port: string, sslMode: string): string {
    return `postgres://${this.user}:${Fn.urlencode(this.password)}@${host}:${port}/${this.name}?sslmode=${sslMode}&connect_timeout=10`;
  }
}
