/**
 * Adoption on real PostgreSQL: a database and role made the way a Helm user made them (by a DBA,
 * with a password Mattermost already uses, another locale, data in it) are taken over by the
 * database stack with `database.adopt`. The test runs, as the stack's admin, the provider's import
 * lookups and then the statements the first apply issues for what the plan creates (the same
 * statements __tests__/constructs/database/postgres-contract.test.ts issues, cited there), and
 * checks what the docs promise (docs/database.md, "Adopting an existing database"): the import
 * finds both by name, the role needs no change, the database's locale differs (so only
 * ignore_changes keeps it from a replacement), the role's stored password is byte for byte the
 * same afterwards, Mattermost's data is there, and the plan-time password check logs in with the
 * right password and fails with a wrong one.
 */
import { SUPPORTED_POSTGRES_MAJORS } from "../../config/schema/database";
import { ADOPTED_PASSWORD_VARIABLE } from "../../stacks/database-stack";
import { conninfo, PostgresServer, psql, psqlOk, serversOfThisRun, stopAll } from "../support/postgres";
import { environment, localInput, onlyResource, StackJson, synthEnvironments } from "../support/synth";

const MAJORS = [...SUPPORTED_POSTGRES_MAJORS];
// Names of their own: the servers of a run are shared with the contract test.
const ADMIN = "helm_admin";
const ADMIN_PASSWORD = "helm-admin-only-for-tests";
const ROLE = "helm_mmuser";
const ROLE_PASSWORD = "the-password-the-release-uses";
const DATABASE = "helm_mattermost";
/** A locale no default of the stack uses: the release's DBA chose it. */
const HELM_LOCALE = "C.UTF-8";

const input = localInput();
input.database = { kind: "external", host: "127.0.0.1", adminUser: ADMIN, user: ROLE, name: DATABASE, sslMode: "require", adopt: {} };
const stack: StackJson = synthEnvironments([environment("helm", input)])["helm-database"];

let servers: PostgresServer[] = [];
let stopServers = false;
const serverOf = (major: number) => servers.find((server) => server.major === major)!;
const connect = (major: number, user: string, password: string, dbname = "postgres") =>
  conninfo({ host: serverOf(major).host, port: serverOf(major).port, user, password, dbname, sslmode: "verify-full", sslrootcert: serverOf(major).caFile });
const asAdmin = (major: number, dbname?: string) => connect(major, ADMIN, ADMIN_PASSWORD, dbname);
const storedPassword = (major: number) => psqlOk(serverOf(major).bootstrap, `SELECT rolpassword FROM pg_authid WHERE rolname = '${ROLE}'`);

async function eachMajor(check: (major: number) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(MAJORS.map((major) => check(major)));
  const failures = results.flatMap((result, index) => (result.status === "rejected" ? [`PostgreSQL ${MAJORS[index]}: ${(result.reason as Error)?.message ?? result.reason}`] : []));
  if (failures.length > 0) throw new Error(failures.join("\n\n"));
}

const passwordsBefore = new Map<number, string>();

beforeAll(async () => {
  ({ servers, stop: stopServers } = await serversOfThisRun(MAJORS));
  await eachMajor(async (major) => {
    const bootstrap = serverOf(major).bootstrap;
    // The admin as RDS makes its master user; the release's role made by that admin (a DBA), its
    // database made by the server's superuser, owned by the role, with the DBA's locale.
    await psqlOk(bootstrap, `CREATE ROLE ${ADMIN} WITH LOGIN NOSUPERUSER CREATEROLE CREATEDB PASSWORD '${ADMIN_PASSWORD}'`);
    await psqlOk(asAdmin(major), `CREATE ROLE ${ROLE} WITH LOGIN PASSWORD '${ROLE_PASSWORD}'`);
    await psqlOk(bootstrap, `CREATE DATABASE ${DATABASE} OWNER ${ROLE} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE '${HELM_LOCALE}' LC_CTYPE '${HELM_LOCALE}'`);
    // Mattermost's data, written as the role the release logs in as.
    await psqlOk(connect(major, ROLE, ROLE_PASSWORD, DATABASE), "CREATE TABLE posts (id int PRIMARY KEY, message text); INSERT INTO posts VALUES (1, 'written by the Helm release')");
    passwordsBefore.set(major, await storedPassword(major));
  });
}, 120_000);

afterAll(async () => {
  if (stopServers) await stopAll(servers);
});

describe(`database.adopt on PostgreSQL ${MAJORS.join(", ")}`, () => {
  test("the import finds the role by its name, and the role is already what the stack asks: no change planned", () =>
    eachMajor(async (major) => {
      // resource_postgresql_role.go, resourcePostgreSQLRoleReadImpl: pg_roles by rolname (the import id).
      const read = await psqlOk(
        asAdmin(major),
        `SELECT rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolconnlimit, COALESCE(rolvaliduntil::TEXT, 'infinity'), rolreplication, rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = '${ROLE}'`,
      );
      const role = onlyResource(stack, "postgresql_role");
      const f = (value: boolean) => (value ? "t" : "f");
      expect(read).toBe(
        [f(role.superuser), f(role.inherit), f(role.create_role), f(role.create_database), f(role.login), role.connection_limit, "infinity", f(role.replication), f(role.bypass_row_level_security)].join("|"),
      );
    }));

  test("the import finds the database by its name; its locale is not the stack's, which only ignore_changes keeps from a replacement", () =>
    eachMajor(async (major) => {
      // resource_postgresql_database.go, resourcePostgreSQLDatabaseReadImpl: pg_database by datname.
      const read = await psqlOk(asAdmin(major), `SELECT pg_catalog.pg_get_userbyid(d.datdba), pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype FROM pg_database d WHERE datname = '${DATABASE}'`);
      expect(read).toBe(`${ROLE}|UTF8|${HELM_LOCALE}|${HELM_LOCALE}`);
      const database = onlyResource(stack, "postgresql_database");
      expect(database.lc_collate).not.toBe(HELM_LOCALE);
      expect(database.lifecycle.ignore_changes).toEqual(expect.arrayContaining(["lc_collate", "lc_ctype"]));
    }));

  test("the first apply adds the admin's membership and revokes PUBLIC; the password is unchanged and the data is there", () =>
    eachMajor(async (major) => {
      // postgresql_grant_role (create): revoke, then grant the membership; postgresql_grant (create):
      // revoke everything PUBLIC has on the database, as the owner (through the membership).
      await psqlOk(asAdmin(major), `BEGIN; REVOKE ${ROLE} FROM ${ADMIN}; GRANT ${ROLE} TO ${ADMIN}; COMMIT;`);
      await psqlOk(asAdmin(major, DATABASE), `BEGIN; REVOKE ALL PRIVILEGES ON DATABASE ${DATABASE} FROM public; COMMIT;`);
      expect(await storedPassword(major)).toBe(passwordsBefore.get(major));
      expect(await psqlOk(connect(major, ROLE, ROLE_PASSWORD, DATABASE), "SELECT message FROM posts WHERE id = 1")).toBe("written by the Helm release");
    }));

  test("GRANT <role> TO <admin>: a CREATEROLE admin may on a role it made (above); on a role someone else made, only before PostgreSQL 16", () =>
    eachMajor(async (major) => {
      // PostgreSQL 16 release notes, "Restrict the privileges of CREATEROLE": adding members needs ADMIN OPTION.
      await psqlOk(serverOf(major).bootstrap, "DROP ROLE IF EXISTS helm_dba_role; CREATE ROLE helm_dba_role LOGIN");
      const grant = await psql(asAdmin(major), `GRANT helm_dba_role TO ${ADMIN}`);
      expect(grant.ok).toBe(major < 16);
      if (major >= 16) expect(grant.stderr).toMatch(/permission denied to grant role "helm_dba_role"/);
    }));

  test(`the plan-time check logs in with ${ADOPTED_PASSWORD_VARIABLE} and reads the schemas; a wrong password fails the plan`, () =>
    eachMajor(async (major) => {
      const check = stack.data!.postgresql_schemas;
      expect(Object.values<any>(check)[0]).toMatchObject({ database: DATABASE, provider: "postgresql.mattermost_login" });
      // data_source_postgresql_schemas.go, dataSourcePostgreSQLSchemasRead, without system schemas.
      const query = "SELECT schema_name FROM information_schema.schemata s WHERE s.schema_name NOT LIKE 'pg_%' AND s.schema_name <> 'information_schema'";
      expect(await psqlOk(connect(major, ROLE, ROLE_PASSWORD, DATABASE), query)).toContain("public");
      const wrong = await psql(connect(major, ROLE, "not-the-password", DATABASE), query);
      expect(wrong.ok).toBe(false);
      expect(wrong.stderr).toContain(`password authentication failed for user "${ROLE}"`);
    }));
});
