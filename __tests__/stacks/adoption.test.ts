import { ADOPTED_DATABASE_IGNORES } from "../../constructs/database/mattermost-database";
import { ADOPTED_PASSWORD_VARIABLE } from "../../stacks/database-stack";
import { awsInput, environment, localInput, onlyResource, rejectionsOf, resources, StackJson, synthEnvironments } from "../support/synth";

// Taking over what a Helm release runs (docs/helm.md, "Moving in"): the database and role, the
// namespace and claim, a bucket, the licence Secret and pull Secrets are referenced or imported,
// never created anew. The names are the Helm release's (release `chat`, chart
// mattermost-team-edition): the claim `chat-mattermost-team-edition` (the chart's fullname,
// templates/_helpers.tpl), the role and database of externalDB.externalConnectionString
// `mmuser:<password>@db.internal:5432/mattermost_prod?sslmode=require`.
const HELM_CLAIM = "chat-mattermost-team-edition";
const HELM_ROLE = "mmuser";
const HELM_DATABASE = "mattermost_prod";

function stacksOf(input: any, name = "dev"): Record<string, StackJson> {
  return synthEnvironments([environment(name, input)]);
}

/** The stack's `import` blocks (Terraform JSON writes them as a list at the top level). */
function importsOf(stack: StackJson): { to: string; id: string }[] {
  return (stack as any).import ?? [];
}

/** `type.name` of the single resource of `type`. */
function addressOf(stack: StackJson, type: string): string {
  const names = Object.keys(stack.resource?.[type] ?? {});
  expect(names).toHaveLength(1);
  return `${type}.${names[0]}`;
}

function adoptingInput(adopt: any = {}): any {
  const input = localInput();
  input.database = { ...input.database, user: HELM_ROLE, name: HELM_DATABASE, adopt };
  return input;
}

function problemsOf(change: (input: any) => void, base: () => any = localInput): string[] {
  const input = base();
  change(input);
  // Messages start with the file's path; the folder is a temporary one.
  return rejectionsOf({ "dev.yaml": input }).map((problem) => problem.replace(/^.*\/(?=dev\.yaml: )/, ""));
}

describe("database.adopt: the Helm release's database and role are imported, not created", () => {
  const stack = stacksOf(adoptingInput())["dev-database"];

  test("import blocks name the role and the database by their names (the provider's import ids)", () => {
    expect(importsOf(stack)).toEqual(
      expect.arrayContaining([
        { to: addressOf(stack, "postgresql_role"), id: HELM_ROLE },
        { to: addressOf(stack, "postgresql_database"), id: HELM_DATABASE },
      ]),
    );
    expect(importsOf(stack)).toHaveLength(2);
  });

  test("they keep their names: the role and the database are the ones the release uses", () => {
    expect(onlyResource(stack, "postgresql_role").name).toBe(HELM_ROLE);
    const database = onlyResource(stack, "postgresql_database");
    expect(database.name).toBe(HELM_DATABASE);
    expect(database.owner).toBe(`\${${addressOf(stack, "postgresql_role")}.name}`);
  });

  test("the role keeps its password: none generated, none set, changes to it ignored, still guarded", () => {
    expect(resources(stack, "random_password")).toEqual([]);
    const role = onlyResource(stack, "postgresql_role");
    expect(role.password).toBeUndefined();
    expect(role.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["password"] });
  });

  test("the database is never replaced for what it was created with (encoding, locale, template)", () => {
    const database = onlyResource(stack, "postgresql_database");
    expect(database.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ADOPTED_DATABASE_IGNORES });
    expect(ADOPTED_DATABASE_IGNORES).toEqual(["encoding", "lc_collate", "lc_ctype", "template"]);
  });

  test("the existing password comes in a sensitive variable, checked at plan, and reaches the offer and the DSN", () => {
    expect(stack.variable![ADOPTED_PASSWORD_VARIABLE]).toMatchObject({ type: "string", sensitive: true, nullable: false });
    expect((stack.variable![ADOPTED_PASSWORD_VARIABLE] as any).validation[0]).toEqual({
      condition: `\${length(var.${ADOPTED_PASSWORD_VARIABLE}) > 0}`,
      error_message: expect.stringContaining(`set it as TF_VAR_${ADOPTED_PASSWORD_VARIABLE} (the password in the Helm chart's externalDB.externalConnectionString), or set database.adopt.password: rotate`),
    });
    const outputs = stack.output!;
    expect(outputs.database_password).toMatchObject({ value: `\${var.${ADOPTED_PASSWORD_VARIABLE}}`, sensitive: true });
    expect(outputs.database_user.value).toBe(`\${postgresql_role.${addressOf(stack, "postgresql_role").split(".")[1]}.name}`);
    expect(String(outputs.database_dsn.value)).toContain(`urlencode(var.${ADOPTED_PASSWORD_VARIABLE})`);
  });

  test("the password is checked at plan: a provider logs in with it as the role, into its database, and reads it", () => {
    const [admin, login] = stack.provider!.postgresql;
    expect(admin.alias).toBeUndefined();
    expect(login).toEqual({
      alias: "mattermost_login",
      host: admin.host,
      port: admin.port,
      sslmode: admin.sslmode,
      username: HELM_ROLE,
      password: `\${var.${ADOPTED_PASSWORD_VARIABLE}}`,
      database: HELM_DATABASE,
      superuser: false,
      connect_timeout: 15,
    });
    expect(onlyResource({ resource: stack.data } as any, "postgresql_schemas")).toMatchObject({ provider: "postgresql.mattermost_login", database: HELM_DATABASE });
  });

  test("through a tunnel the check goes through it too", () => {
    const input = adoptingInput();
    Object.assign(input.database, { adminHost: "localhost", adminPort: 15432 });
    const login = stacksOf(input)["dev-database"].provider!.postgresql[1];
    expect(login).toMatchObject({ alias: "mattermost_login", host: "localhost", port: 15432 });
  });

  test("password: rotate imports the same way and replaces the password with a generated one", () => {
    const rotating = stacksOf(adoptingInput({ password: "rotate" }))["dev-database"];
    expect(importsOf(rotating).map((block) => block.id).sort()).toEqual([HELM_DATABASE, HELM_ROLE]);
    const role = onlyResource(rotating, "postgresql_role");
    expect(role.password).toMatch(/^\$\{random_password\.\w+\.result\}$/);
    expect(role.lifecycle).toEqual({ prevent_destroy: true });
    expect(rotating.variable?.[ADOPTED_PASSWORD_VARIABLE]).toBeUndefined();
    expect(rotating.provider!.postgresql).toHaveLength(1);
    expect(rotating.data?.postgresql_schemas).toBeUndefined();
  });

  test("without adopt nothing is imported and the role gets a generated password", () => {
    const made = stacksOf(localInput())["dev-database"];
    expect(importsOf(made)).toEqual([]);
    expect(onlyResource(made, "postgresql_role").password).toMatch(/^\$\{random_password\.\w+\.result\}$/);
    expect(onlyResource(made, "postgresql_database").lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe("database.adopt: rejected input names the key and the fix", () => {
  test("adopt with kind rds points to kind external on the instance's endpoint", () => {
    expect(problemsOf((input) => (input.database.adopt = {}), awsInput)).toEqual([
      expect.stringMatching(/^dev\.yaml: database\.adopt: is only for a server made elsewhere.*use kind: external with host: <the instance's endpoint> and adminUser: <its master user>$/),
    ]);
  });

  test("an unknown password mode lists keep and rotate", () => {
    expect(problemsOf((input) => (input.database.adopt = { password: "reset" }))).toEqual([
      expect.stringMatching(/^dev\.yaml: database\.adopt\.password: must be keep \(the role keeps its password, given in TF_VAR_database_mattermost_password\) or rotate/),
    ]);
  });
});

describe("database.adminHost / adminPort: the provider goes through a tunnel, Mattermost does not", () => {
  test("an existing server: the provider dials the tunnel, the offer keeps the server's host and port", () => {
    const input = localInput();
    Object.assign(input.database, { host: "db.internal", port: 5432, adminHost: "localhost", adminPort: 15432 });
    const stack = stacksOf(input)["dev-database"];
    expect(stack.provider!.postgresql[0]).toMatchObject({ host: "localhost", port: 15432, sslmode: "require" });
    expect(stack.output!.database_host.value).toBe("db.internal");
    expect(String(stack.output!.database_dsn.value)).toContain("@db.internal:");
  });

  test("RDS through a tunnel: the provider checks the CA only (the tunnel's name is not in the certificate)", () => {
    const input = awsInput();
    Object.assign(input.database, {
      adminHost: "127.0.0.1",
      adminPort: 15432,
      sslMode: "verify-full",
      caCertificate: "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTESTCA0000000000000000000000wCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n",
    });
    const stack = stacksOf(input)["dev-database"];
    expect(stack.provider!.postgresql[0]).toMatchObject({ host: "127.0.0.1", port: 15432, sslmode: "verify-ca" });
    // Mattermost connects to the instance itself and checks its name.
    expect(String(stack.output!.database_dsn.value)).toContain("sslmode=verify-full");
    expect(String(stack.output!.database_host.value)).toMatch(/aws_db_instance/);
  });

  test("an IPv6 tunnel end is bracketed for the provider's connection URL", () => {
    const input = localInput();
    input.database.adminHost = "::1";
    expect(stacksOf(input)["dev-database"].provider!.postgresql[0].host).toBe("[::1]");
  });

  test("without them the provider connects where Mattermost does", () => {
    const stack = stacksOf(localInput())["dev-database"];
    expect(stack.provider!.postgresql[0]).toMatchObject({ host: "db.internal", port: 5432 });
  });

  test("a port or scheme in adminHost is refused with the fix", () => {
    expect(problemsOf((input) => (input.database.adminHost = "localhost:15432"))).toEqual([
      expect.stringMatching(/^dev\.yaml: database\.adminHost: must be a host name or an IP address such as localhost .* without a port or scheme; the port goes in database\.adminPort$/),
    ]);
  });
});

describe("storage.existingClaim: the release's claim is mounted, its namespace adopted", () => {
  const input = localInput();
  input.storage = { kind: "local", existingClaim: HELM_CLAIM };
  const stacks = stacksOf(input);
  const storage = stacks["dev-storage"];

  test("no claim is made and the offer names the release's claim", () => {
    expect(resources(storage, "kubernetes_persistent_volume_claim_v1")).toEqual([]);
    expect(storage.output!.storage_claim_name.value).toBe(HELM_CLAIM);
  });

  test("the namespace is imported by its name, still guarded", () => {
    expect(importsOf(storage)).toEqual([{ to: "kubernetes_namespace_v1.namespace", id: "mattermost" }]);
    expect(onlyResource(storage, "kubernetes_namespace_v1").lifecycle).toEqual({ prevent_destroy: true });
  });

  test("the app mounts the claim the offer names", () => {
    const deployment = onlyResource(stacks["dev-app"], "kubernetes_deployment_v1");
    const data = deployment.spec.template.spec.volume.find((v: any) => v.name === "data");
    expect(data.persistent_volume_claim.claim_name).toMatch(/storage_claim_name/);
  });

  test("a storage class with an existing claim is refused with the fix", () => {
    expect(problemsOf((i) => (i.storage = { kind: "local", existingClaim: HELM_CLAIM, storageClassName: "gp3" }))).toEqual([
      `dev.yaml: storage.storageClassName: is only used for a claim the stack makes, but storage.existingClaim (${HELM_CLAIM}) is a claim that exists; remove storageClassName`,
    ]);
  });

  test("without it the claim is made and nothing is imported", () => {
    const made = stacksOf(localInput())["dev-storage"];
    expect(resources(made, "kubernetes_persistent_volume_claim_v1")).toHaveLength(1);
    expect(importsOf(made)).toEqual([]);
  });
});

describe("kubernetes.adoptNamespace: the release's namespace with S3 files", () => {
  test("imports the namespace instead of creating it", () => {
    const input = awsInput();
    input.kubernetes = { namespace: "chat", adoptNamespace: true };
    const storage = stacksOf(input)["dev-storage"];
    expect(importsOf(storage)).toEqual([{ to: "kubernetes_namespace_v1.namespace", id: "chat" }]);
  });
});

describe("storage.existingBucket: the release's bucket with an IRSA role made for it", () => {
  const input = awsInput();
  input.storage = {
    kind: "s3",
    existingBucket: "chat-files",
    access: "irsa",
    irsa: { oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" },
  };
  const storage = stacksOf(input)["dev-storage"];

  test("no bucket (or its settings) is made; the offer names the existing bucket", () => {
    expect(Object.keys(storage.resource ?? {}).filter((type) => type.startsWith("aws_s3_"))).toEqual([]);
    expect(storage.output!.storage_bucket.value).toBe("chat-files");
  });

  test("the role's policy is scoped to that bucket and no access key exists", () => {
    const policy = JSON.stringify(storage.data?.aws_iam_policy_document ?? storage.resource);
    expect(policy).toContain("arn:aws:s3:::chat-files");
    expect(resources(storage, "aws_iam_role")).toHaveLength(1);
    expect(resources(storage, "aws_iam_access_key")).toEqual([]);
    expect(String(storage.output!.storage_role_arn.value)).toMatch(/aws_iam_role/);
  });

  test("files under a folder of the bucket: pathPrefix reaches the offer", () => {
    const withPrefix = awsInput();
    withPrefix.storage = { kind: "s3", existingBucket: "chat-files", pathPrefix: "mattermost/files" };
    expect(stacksOf(withPrefix)["dev-storage"].output!.storage_path_prefix.value).toBe("mattermost/files");
  });

  test("bucketName together with existingBucket is refused with the fix", () => {
    expect(problemsOf((i) => (i.storage = { kind: "s3", existingBucket: "chat-files", bucketName: "other-files" }), awsInput)).toEqual([
      "dev.yaml: storage.bucketName: names a bucket to create, but storage.existingBucket (chat-files) is the bucket to use; remove bucketName",
    ]);
  });
});

describe("mattermost.licenceSecret and imagePullSecrets: Secrets that exist are referenced", () => {
  const input = awsInput();
  input.mattermost = { ...input.mattermost, licenceSecret: { name: "chat-licence", key: "license" }, imagePullSecrets: ["regcred", "mirror-cred"] };
  const app = stacksOf(input)["dev-app"];

  test("no licence Secret and no licence variable; MM_LICENSE reads the existing Secret's key", () => {
    expect(resources(app, "kubernetes_secret_v1").filter((s) => s.metadata.name.includes("-licence-"))).toEqual([]);
    expect(app.variable?.mattermost_licence).toBeUndefined();
    const container = onlyResource(app, "kubernetes_deployment_v1").spec.template.spec.container[0];
    const licence = container.env.find((e: any) => e.name === "MM_LICENSE");
    expect(licence).toEqual({ name: "MM_LICENSE", value_from: { secret_key_ref: { name: "chat-licence", key: "license" } } });
  });

  test("the licence Secret is checked at plan: missing, or without the key, fails with the command that makes it", () => {
    const source = onlyResource({ resource: app.data } as any, "kubernetes_secret_v1");
    expect(source.metadata).toEqual({ name: "chat-licence", namespace: "mattermost" });
    expect(source.lifecycle.postcondition).toEqual([
      {
        condition: '${try(length(self.data["license"]) > 0, false)}',
        error_message: expect.stringContaining(
          'mattermost.licenceSecret: Secret "chat-licence" in namespace "mattermost" is missing or has no key "license" with the licence. Create it with: kubectl -n mattermost create secret generic chat-licence --from-file=license=',
        ),
      },
    ]);
  });

  test("every pod (the Deployment and the migration Job) lists the existing pull Secrets", () => {
    const expected = [{ name: "regcred" }, { name: "mirror-cred" }];
    expect(onlyResource(app, "kubernetes_deployment_v1").spec.template.spec.image_pull_secrets).toEqual(expected);
    expect(onlyResource(app, "kubernetes_job_v1").spec.template.spec.image_pull_secrets).toEqual(expected);
  });

  test("licenceSecret without licensed: true is refused with the fix", () => {
    expect(problemsOf((i) => (i.mattermost = { ...i.mattermost, image: "mattermost/mattermost-enterprise-edition:10.11.4", licenceSecret: { name: "chat-licence", key: "license" } }))).toEqual([
      "dev.yaml: mattermost.licenceSecret: names the Secret chat-licence with the licence, but licensed is false, so it would never be read; set mattermost.licensed: true or remove licenceSecret",
    ]);
  });
});
