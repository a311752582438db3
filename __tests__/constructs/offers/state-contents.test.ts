import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../../../config/load";
import { STORAGE_OFFER } from "../../../constructs/offers/storage-offer";
import { offerOf, PRODUCER_SENSITIVE_VARIABLES, PRODUCER_STATE_CONTENTS, producerStateFindings } from "../../../constructs/offers/state-contents";
import { awsInput, environment, EXAMPLE_ENVIRONMENTS, localInput, PROJECT_ROOT, StackJson, synthEnvironments } from "../../support/synth";
import { TerraformDir } from "../../support/terraform";

// In Terraform Cloud the app workspace may read the producers' whole states (README, Offers). These
// tests prove that nothing secret but the offer is in them: every block type the producer stacks
// write, for every kind of database and storage, is classified in constructs/offers/state-contents.ts,
// and every secret-carrying attribute is the offer's own, write-only, ephemeral or never set.

const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTESTCA0000000000000000000000wCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n";
const KMS_KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OIDC_PROVIDER_ARN = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

/** Every kind of database and storage, each in at least one environment beside the shipped examples. */
function matrix() {
  const adoptKeep = localInput();
  adoptKeep.database.adopt = { password: "keep" };
  adoptKeep.storage = { kind: "local", existingClaim: "mattermost-files", accessMode: "ReadWriteOnce" };

  const adoptRotate = localInput();
  adoptRotate.database.adopt = { password: "rotate" };
  adoptRotate.storage = { kind: "external", endpoint: "https://minio.example.com", bucket: "chat-files" };

  const tunnel = awsInput();
  tunnel.database = { kind: "external", host: "db.internal", sslMode: "verify-full", caCertificate: CA, adminHost: "localhost", adminPort: 15432 };
  tunnel.storage = { kind: "s3", access: "irsa", irsa: { oidcProviderArn: OIDC_PROVIDER_ARN } };

  const rdsKms = awsInput();
  Object.assign(rdsKms.database, { kmsKeyArn: KMS_KEY_ARN, performanceInsights: true, logExports: ["postgresql", "upgrade"] });
  rdsKms.storage = { kind: "s3", kmsKeyArn: KMS_KEY_ARN, bucketName: "chat-files-rds-kms", accessKeyVersion: 2, previousAccessKeyVersion: 1 };

  const existingBucket = awsInput();
  existingBucket.storage = { kind: "s3", existingBucket: "chat-files-existing", access: "keys" };

  return [
    ...loadEnvironments(EXAMPLE_ENVIRONMENTS),
    environment("adoptkeep", adoptKeep),
    environment("adoptrotate", adoptRotate),
    environment("tunnel", tunnel),
    environment("rdskms", rdsKms),
    environment("existingbucket", existingBucket),
  ];
}

// One synth for every environment of the matrix (about a second).
const stacks = synthEnvironments(matrix());
const producers = Object.entries(stacks).filter(([id]) => /-(database|storage)$/.test(id));

describe("the producers' states hold nothing secret but their offer", () => {
  test("the matrix covers every kind (so every table row is exercised by a real stack)", () => {
    const written = new Set(producers.flatMap(([, stack]) => (["resource", "data", "ephemeral"] as const).flatMap((block) => Object.keys(stack[block as keyof StackJson] ?? {}).map((type) => `${block}.${type}`))));
    const classified = PRODUCER_STATE_CONTENTS.map((entry) => `${entry.block}.${entry.type}`);
    // Nothing the stacks write is missing from the table, and no row is dead.
    expect([...written].filter((type) => !classified.includes(type))).toEqual([]);
    expect(classified.filter((type) => !written.has(type))).toEqual([]);
    const variables = new Set(producers.flatMap(([, stack]) => Object.entries(stack.variable ?? {}).filter(([, v]) => v.sensitive).map(([name]) => name)));
    expect([...variables].sort()).toEqual(Object.keys(PRODUCER_SENSITIVE_VARIABLES).sort());
  });

  test.each(producers)("%s: every block is classified and every secret in it is the offer's", (_id, stack) => {
    const offer = offerOf(stack);
    expect(offer).toBeDefined();
    expect(producerStateFindings(stack, offer!)).toEqual([]);
  });

  test("the table lists every secret-looking attribute of each block type's schema (the provider bindings name them all)", () => {
    // The @cdktf/provider-* bindings are generated from the providers' schemas: a getter per
    // attribute, computed ones included. A name that says password, secret, token, key or hash must
    // be classified (the schema citation in the table says which are Sensitive).
    const secretLooking = /password|secret|token|private|credential|passphrase|pgp|hash|(^|_)key$/;
    const missing: string[] = [];
    for (const entry of PRODUCER_STATE_CONTENTS) {
      // cdktf 0.21 has no classes for ephemeral blocks; an ephemeral block keeps nothing anyway.
      if (entry.block === "ephemeral") continue;
      const attributes = bindingAttributes(entry.block, entry.type);
      for (const attribute of attributes.filter((a) => secretLooking.test(a))) {
        if (!entry.attributes[attribute]) missing.push(`${entry.block}.${entry.type}.${attribute}`);
      }
      for (const attribute of Object.keys(entry.attributes)) {
        if (!attributes.includes(attribute)) missing.push(`${entry.block}.${entry.type}.${attribute} (not in the schema)`);
      }
    }
    expect(missing).toEqual([]);
  });
});

test("docs/terraform-cloud.md lists every block type of the table (the docs say what the app workspace can read)", () => {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "terraform-cloud.md"), "utf8");
  const section = doc.slice(doc.indexOf("## State sharing"), doc.indexOf("## Workflow"));
  const named = (entry: (typeof PRODUCER_STATE_CONTENTS)[number]) => `\`${entry.block === "resource" ? "" : `${entry.block}.`}${entry.type}\``;
  expect(PRODUCER_STATE_CONTENTS.map(named).filter((name) => !section.includes(name))).toEqual([]);
});

describe("what the check catches (each of these would have leaked into a state the app workspace reads)", () => {
  const production = () => structuredClone(stacks["production-database"]) as Record<string, any>;
  const storage = () => structuredClone(stacks["production-storage"]) as Record<string, any>;
  const findings = (stack: Record<string, any>) => producerStateFindings(stack, offerOf(stack)!);

  test("the old design: the RDS master password read by a data source (its secret_string saved in the state)", () => {
    // Before the ephemeral resource, RdsPostgres read the RDS-managed secret with
    // DataAwsSecretsmanagerSecretVersion and gave the provider its password (git history of
    // constructs/database/rds-postgres.ts). The same JSON, rebuilt:
    const stack = production();
    stack.data = { aws_secretsmanager_secret_version: { rds_master_secret: stack.ephemeral.aws_secretsmanager_secret_version.rds_master_secret } };
    delete stack.ephemeral;
    stack.provider.postgresql[0].password = stack.provider.postgresql[0].password.replace("ephemeral.", "data.");
    expect(findings(stack)).toEqual([
      expect.stringMatching(/^data\.aws_secretsmanager_secret_version: not in the producers' state contents table \(a data source's whole result is saved in the state, which the app workspace can read: read secrets through an ephemeral resource instead\); classify it/),
    ]);
  });

  test.each([
    ["aws_ssm_parameter", { name: "/mattermost/admin-password" }],
    ["kubernetes_secret_v1", { metadata: { name: "admin", namespace: "mattermost" } }],
    ["aws_secretsmanager_secret_version", { secret_id: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:x" }],
  ])("a data source reading a secret (%s) is refused", (type, body) => {
    const stack = storage();
    stack.data = { ...stack.data, [type]: { leak: body } };
    expect(findings(stack)).toEqual([expect.stringContaining(`data.${type}: not in the producers' state contents table (a data source's whole result is saved in the state`)]);
  });

  test("the master password as a plain argument of the instance (instead of RDS-managed) is refused", () => {
    const stack = production();
    const [name] = Object.keys(stack.resource.aws_db_instance);
    stack.resource.aws_db_instance[name].password = "${var.master_password}";
    expect(findings(stack)).toEqual([expect.stringMatching(new RegExp(`^aws_db_instance\\.${name}: sets password, a secret the state would keep .*Sensitive: true.*; leave it unset$`))]);
  });

  test("the admin password copied into a resource argument, an output, or a second password is refused", () => {
    const stack = structuredClone(stacks["local-database"]) as Record<string, any>;
    const [database] = Object.keys(stack.resource.postgresql_database);
    stack.resource.postgresql_database[database].template = "${var.database_admin_password}";
    stack.output.database_host.value = "${var.database_admin_password}";
    const [role] = Object.keys(stack.resource.postgresql_role);
    stack.resource.postgresql_role[role].password = "${var.database_admin_password}";
    expect(findings(stack)).toEqual([
      `postgresql_database.${database}: template is set from var.database_admin_password, and the state keeps template; pass secrets to provider configuration or write-only arguments only`,
      `postgresql_role.${role}: password is not the value the offer publishes as database_password; the state would keep a secret the offer does not give`,
      "output.database_host: publishes var.database_admin_password, which is not this offer's secret; the state keeps every output",
    ]);
  });

  test("a second access key the offer does not publish is refused; the rotation's previous key is not", () => {
    const rotating = stacks["rdskms-storage"] as Record<string, any>;
    expect(Object.keys(rotating.resource!.aws_iam_access_key)).toHaveLength(2);
    // Library users call it with the offer their stack publishes.
    expect(producerStateFindings(rotating, STORAGE_OFFER)).toEqual([]);
    const stack = storage();
    stack.resource.aws_iam_access_key.other = { user: "someone-else" };
    expect(findings(stack)).toEqual([
      "aws_iam_access_key.other: its secret is a secret the state keeps, but the offer does not publish it (storage_secret_access_key); the app workspace could read it",
    ]);
  });

  test("an output that is not the offer's, a module, a sensitive variable nobody classified: refused", () => {
    const stack = storage();
    stack.output.extra = { value: "x" };
    stack.module = { anything: { source: "./m" } };
    stack.variable = { api_token: { type: "string", sensitive: true } };
    expect(findings(stack)).toEqual([
      expect.stringMatching(/^module: a producer stack may not have module blocks/),
      "output.extra: is not an output of the storage offer; a producer's outputs are its offer",
      expect.stringMatching(/^variable\.api_token: sensitive, but not classified in PRODUCER_SENSITIVE_VARIABLES/),
    ]);
  });
});

describe("on the real terraform: what a state keeps, and what it never does", () => {
  // One directory, a few core-only commands (tens of milliseconds each): the same rules Terraform
  // applies to the providers' blocks, shown with the built-in provider.
  const dir = new TerraformDir();
  const marker = { ephemeral: "EPHEMERAL-admin-password-5f1c", variable: "VARIABLE-admin-password-8d2e", offer: "OFFER-password-0b7a", read: "READ-by-data-source-3c9d" };
  // Another state with an output, read back through a data source (what the old design did with
  // the RDS secret: a data source's result is saved in the state of the stack that reads it).
  fs.writeFileSync(
    path.join(dir.dir, "other.tfstate"),
    JSON.stringify({ version: 4, terraform_version: "1.11.0", serial: 1, lineage: "00000000-0000-0000-0000-000000000000", outputs: { secret: { value: marker.read, type: "string", sensitive: true } }, resources: [] }),
  );
  dir.write({
    variable: {
      // Like the RDS master password read through an ephemeral resource: usable, never stored.
      admin_password: { type: "string", sensitive: true, ephemeral: true, nullable: false },
      // Like database_admin_password: a sensitive variable only the provider configuration reads.
      external_admin_password: { type: "string", sensitive: true, nullable: false },
    },
    data: { terraform_remote_state: { elsewhere: { backend: "local", config: { path: "other.tfstate" } } } },
    resource: {
      terraform_data: {
        role: {
          input: "mattermost",
          lifecycle: { precondition: [{ condition: "${length(var.admin_password) > 0 && length(var.external_admin_password) > 0}", error_message: "no admin password" }] },
        },
      },
    },
    output: { database_password: { value: marker.offer, sensitive: true } },
  });
  let state: string;
  let plan: any;

  beforeAll(() => {
    const vars = { admin_password: marker.ephemeral, external_admin_password: marker.variable };
    dir.apply({ vars });
    state = fs.readFileSync(path.join(dir.dir, "terraform.tfstate"), "utf8");
    plan = dir.planJson({ vars });
  });

  test("the state keeps the offer (sensitive outputs in clear, marked sensitive) and every data source's result", () => {
    const parsed = JSON.parse(state);
    expect(parsed.outputs.database_password).toEqual({ value: marker.offer, type: "string", sensitive: true });
    expect(state).toContain(marker.read);
    // A resource names its provider by address; no provider configuration is kept.
    expect(Object.keys(parsed).sort()).toEqual(["check_results", "lineage", "outputs", "resources", "serial", "terraform_version", "version"]);
    expect(parsed.resources.map((r: any) => r.provider)).toEqual(['provider["terraform.io/builtin/terraform"]', 'provider["terraform.io/builtin/terraform"]']);
  });

  test("the state never keeps a variable's value, and neither the state nor the saved plan an ephemeral one", () => {
    expect(state).not.toContain(marker.ephemeral);
    expect(state).not.toContain(marker.variable);
    // The saved plan (a zip) as terraform show -json renders all of it: variables, changes, prior state.
    expect(JSON.stringify(plan)).not.toContain(marker.ephemeral);
    // A plain sensitive variable is in the saved plan (which state sharing does not give): the plan's variables.
    expect(plan.variables.external_admin_password.value).toBe(marker.variable);
    expect(plan.variables.admin_password).toBeUndefined();
  });

  test("Terraform refuses an ephemeral value in a resource or data source argument or an output: it cannot reach a state", () => {
    const misuse = new TerraformDir();
    misuse.write({
      variable: { admin_password: { type: "string", sensitive: true, ephemeral: true } },
      data: { terraform_remote_state: { lookup: { backend: "local", config: { path: "${var.admin_password}" } } } },
      resource: { terraform_data: { role: { input: "${var.admin_password}" } } },
      output: { leak: { value: "${var.admin_password}", sensitive: true } },
    });
    misuse.init();
    const run = misuse.run(["validate", "-no-color"], { mayFail: true });
    expect(run.status).not.toBe(0);
    expect(run.text).toContain('Ephemeral values are not valid for "input", because it is not a write-only attribute and must be persisted to state.');
    expect(run.text).toContain('Ephemeral values are not valid for "config", because it is not a write-only attribute and must be persisted to state.');
    expect(run.text).toContain("This output value is not declared as returning an ephemeral value, so it cannot be set to a result derived from an ephemeral value.");
  });
});

/** The attribute names (snake_case) of a block type, from its @cdktf/provider-* binding's getters. */
function bindingAttributes(block: "resource" | "data", type: string): string[] {
  const [provider, ...rest] = type.split("_");
  const module = `@cdktf/provider-${provider}/lib/${block === "data" ? `data-${type.replace(/_/g, "-")}` : rest.join("-")}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports: Record<string, any> = require(module);
  const binding = Object.values(exports).find((value) => value?.tfResourceType === type);
  if (!binding) throw new Error(`${module} has no class for ${type}`);
  return Object.getOwnPropertyNames(binding.prototype)
    .filter((name) => Object.getOwnPropertyDescriptor(binding.prototype, name)?.get && !name.endsWith("Input"))
    .map((name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
}
