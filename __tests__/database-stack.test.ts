import { awsInput, environment, localInput, onlyResource, resources, resourceTypes, synthEnvironments, synthShipped } from "./support/synth";

describe("database stack, existing server (local)", () => {
  const stack = synthShipped()["local-database"];

  test("has no AWS resources or provider at all", () => {
    expect(resourceTypes(stack).filter((t) => t.startsWith("aws_"))).toEqual([]);
    expect(stack.provider?.aws).toBeUndefined();
  });

  test("logs in as the admin with a sensitive variable, with an explicit sslmode", () => {
    const [provider] = stack.provider!.postgresql;
    expect(provider).toMatchObject({ host: "postgres.local", port: 5432, username: "postgres", sslmode: "require", superuser: false });
    expect(provider.password).toBe("${var.database_admin_password}");
    expect(stack.variable!.database_admin_password).toMatchObject({ type: "string", sensitive: true });
  });

  test("Mattermost's role can log in and nothing more, with a generated password", () => {
    const role = onlyResource(stack, "postgresql_role");
    expect(role).toMatchObject({ name: "mattermost", login: true, superuser: false, create_database: false, create_role: false, replication: false });
    expect(role.password).toMatch(/^\$\{random_password\.[\w-]+\.result\}$/);
    const password = onlyResource(stack, "random_password");
    expect(password.length).toBeGreaterThanOrEqual(32);
  });

  test("a UTF8 database owned by the role", () => {
    const database = onlyResource(stack, "postgresql_database");
    expect(database).toMatchObject({ name: "mattermost", encoding: "UTF8", template: "template0" });
    expect(database.owner).toMatch(/^\$\{postgresql_role\.[\w-]+\.name\}$/);
  });

  test("publishes the database offer; secrets are sensitive outputs", () => {
    const outputs = stack.output!;
    expect(Object.keys(outputs).sort()).toEqual(
      ["database_database", "database_dsn", "database_host", "database_password", "database_port", "database_ssl_mode", "database_user"],
    );
    expect(outputs.database_password.sensitive).toBe(true);
    expect(outputs.database_dsn.sensitive).toBe(true);
    expect(outputs.database_host).toMatchObject({ value: "postgres.local", sensitive: false });
    expect(outputs.database_ssl_mode.value).toBe("require");
  });

  test("the DSN is the one Mattermost wants: postgres://, URL-encoded password, sslmode, connect_timeout", () => {
    const dsn = String(stack.output!.database_dsn.value);
    expect(dsn).toMatch(/^postgres:\/\/\$\{postgresql_role\.[\w-]+\.name\}:\$\{urlencode\(random_password\.[\w-]+\.result\)\}@postgres\.local:/);
    expect(dsn).toMatch(/\/\$\{postgresql_database\.[\w-]+\.name\}\?sslmode=require&connect_timeout=10$/);
  });

  test("a chosen sslmode reaches the DSN", () => {
    const env = localInput();
    env.database.sslMode = "verify-full";
    const stack = synthEnvironments([environment("dev", env)])["dev-database"];
    expect(String(stack.output!.database_dsn.value)).toContain("sslmode=verify-full&");
    expect(stack.provider!.postgresql[0].sslmode).toBe("verify-full");
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
      storage_encrypted: true,
      publicly_accessible: false,
      multi_az: true,
      backup_retention_period: 14,
      deletion_protection: true,
      skip_final_snapshot: false,
      auto_minor_version_upgrade: true,
      manage_master_user_password: true,
    });
    expect(instance.password).toBeUndefined();
    const parameters = onlyResource(stack, "aws_db_parameter_group");
    expect(parameters.family).toBe("postgres16");
    expect(parameters.parameter).toContainEqual(expect.objectContaining({ name: "rds.force_ssl", value: "1" }));
  });

  test("5432 is open only to the allowed networks", () => {
    const rules = resources(stack, "aws_vpc_security_group_ingress_rule");
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ ip_protocol: "tcp", from_port: 5432, to_port: 5432, cidr_ipv4: "10.20.0.0/16" });
    expect(JSON.stringify(stack)).not.toContain("0.0.0.0/0");
  });

  test("the postgresql provider logs in with the RDS-managed master secret", () => {
    const [provider] = stack.provider!.postgresql;
    expect(provider.host).toMatch(/^\$\{aws_db_instance\.[\w-]+\.address\}$/);
    expect(provider.password).toMatch(/jsondecode\(data\.aws_secretsmanager_secret_version\.[\w-]+\.secret_string\)/);
    expect(stack.variable?.database_admin_password).toBeUndefined();
  });

  test("the offer's host is the instance address", () => {
    expect(stack.output!.database_host.value).toMatch(/^\$\{aws_db_instance\.[\w-]+\.address\}$/);
  });

  test("security groups can be admitted instead of networks", () => {
    const env = awsInput();
    env.database.allowedCidrs = [];
    env.database.allowedSecurityGroupIds = ["sg-0123456789abcdef0"];
    const stack = synthEnvironments([environment("dev", env)])["dev-database"];
    expect(onlyResource(stack, "aws_vpc_security_group_ingress_rule")).toMatchObject({ referenced_security_group_id: "sg-0123456789abcdef0", from_port: 5432 });
  });
});
