import * as path from "path";
import { DATABASE_OFFER } from "../../constructs/offers/database-offer";
import { Offer, offerOutputName } from "../../constructs/offers/offer";
import { STORAGE_OFFER } from "../../constructs/offers/storage-offer";
import { coreAddress, coreOnly, TerraformDir } from "../support/terraform";
import { loadEnvironments } from "../../config/load";
import { awsInput, environment, localInput, resources, EXAMPLE_ENVIRONMENTS, StackJson, synthEnvironments, tempDir } from "../support/synth";

// The guards that Terraform core enforces (prevent_destroy, preconditions, variable validation),
// on the real terraform, on the very JSON synth writes for a stack. coreOnly (support/terraform.ts)
// swaps each provider resource for a terraform_data that keeps its lifecycle block, and says why that
// is faithful. Offers' own guards (missing producer state) are proven in offers-terraform.test.ts.

const aws = awsInput();
aws.mattermost = {
  ...aws.mattermost,
  smtp: { host: "smtp.example.com", user: "chat", fromAddress: "chat@example.com" },
  image: "registry.example.com/chat/mattermost-enterprise-edition:10.11.4",
  registry: { server: "registry.example.com", username: "deploy" },
};
const local = localInput();
const external = { ...localInput(), storage: { kind: "external", endpoint: "https://minio.example.com", bucket: "chat-files" } };
const shipped = loadEnvironments(EXAMPLE_ENVIRONMENTS);
// One synth for all: the shipped environments and three built to switch every guard on.
const environments = [...shipped, environment("guarded", aws), environment("laptop", local), environment("minio", external)];
const stacks = synthEnvironments(environments);

/** The addresses of the resources of `type` in `stack`, as coreOnly names them. */
function addressesOf(stack: StackJson, type: string): string[] {
  return Object.keys(stack.resource?.[type] ?? {}).map((name) => coreAddress(type, name));
}

/** A working directory holding coreOnly(stack), applied with `vars` so the guarded resources exist in state. */
function applied(stack: StackJson, vars: Record<string, string>): TerraformDir {
  const dir = new TerraformDir().write(coreOnly(stack));
  dir.apply({ vars });
  return dir;
}

/**
 * `<env>-database` and `<env>-storage` states holding their offers (literal values, the namespace
 * the environment names) under `<root>/state/`, where an app stack's checks read them.
 */
function publishOffers(root: string, env: string, namespace = environments.find((e) => e.name === env)!.config.kubernetes.namespace): Record<string, string> {
  const states: Record<string, string> = {};
  for (const offer of [DATABASE_OFFER, STORAGE_OFFER] as Offer<string>[]) {
    const output = Object.fromEntries(
      Object.entries(offer.fields).map(([field, spec]) => [offerOutputName(offer, field), { value: field === "namespace" ? namespace : `stub-${field}`, sensitive: spec.sensitive ?? false }]),
    );
    const state = `../../../state/${env}-${offer.name}.tfstate`;
    new TerraformDir(path.join(root, "cdktf.out", "stacks", `${env}-${offer.name}`)).write({ terraform: { backend: { local: { path: state } } }, output }).apply();
    states[offer.name] = state;
  }
  return states;
}

/**
 * One initialized, never applied directory per stack, shared by the plan-only tests (a plan changes
 * nothing). An app stack's checks read its producers' offers, so it runs beside published offers.
 */
const planDirs = new Map<string, TerraformDir>();
function planDir(id: string): TerraformDir {
  if (!planDirs.has(id)) {
    if (id.endsWith("-app")) {
      const root = tempDir("guards-app");
      const states = publishOffers(root, id.slice(0, -"-app".length));
      planDirs.set(id, new TerraformDir(path.join(root, "cdktf.out", "stacks", id)).write(coreOnly(stacks[id], { remoteStateAt: states })));
    } else {
      planDirs.set(id, new TerraformDir().write(coreOnly(stacks[id])));
    }
  }
  return planDirs.get(id)!;
}

describe("prevent_destroy: what holds data survives `destroy` of its stack", () => {
  test.each([
    ["guarded-database", ["postgresql_database", "postgresql_role"], {}],
    ["guarded-storage", ["aws_s3_bucket", "kubernetes_namespace_v1"], {}],
    ["laptop-storage", ["kubernetes_persistent_volume_claim_v1", "kubernetes_namespace_v1"], {}],
    ["laptop-database", ["postgresql_database", "postgresql_role"], { database_admin_password: "admin" }],
  ] as const)("%s: plan -destroy fails on %s", (id, types, vars) => {
    const stack = stacks[id];
    const guarded = types.flatMap((type) => addressesOf(stack, type));
    expect(guarded.length).toBe(types.length);
    const dir = applied(stack, vars);
    const run = dir.plan({ destroy: true, vars, mayFail: true });
    expect(run.status).not.toBe(0);
    for (const address of guarded) {
      expect(run.text).toContain(`Error: Instance cannot be destroyed`);
      expect(run.text).toContain(`Resource ${address} has lifecycle.prevent_destroy set`);
    }
    // Everything else in the stack may go: only what holds data is guarded.
    const destroyable = Object.entries(stack.resource ?? {})
      .flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => ({ address: coreAddress(type, name), guarded: body.lifecycle?.prevent_destroy === true })))
      .filter((r) => !r.guarded)
      .map((r) => r.address);
    for (const address of destroyable) expect(run.text).not.toContain(`Resource ${address} has lifecycle.prevent_destroy`);
  });

  test("a change that replaces a guarded resource is refused too, whatever forces the replacement", () => {
    // Which attribute changes force a replacement is the provider's call (its schema's ForceNew);
    // refusing a planned replacement of a prevent_destroy resource is core's (checkPreventDestroy).
    const stack = stacks["guarded-database"];
    const guarded = ["postgresql_database", "postgresql_role"].flatMap((type) => addressesOf(stack, type));
    const withTrigger = (value: string) => {
      const core = coreOnly(stack);
      for (const address of guarded) core.resource.terraform_data[address.split(".")[1]].triggers_replace = value;
      return core;
    };
    const dir = new TerraformDir().write(withTrigger("v1"));
    dir.apply();
    const run = dir.write(withTrigger("v2")).plan({ mayFail: true });
    expect(run.status).not.toBe(0);
    for (const address of guarded) expect(run.text).toContain(`Resource ${address} has lifecycle.prevent_destroy set`);
  });

  test.each([
    ["guarded-database", ["postgresql_database", "postgresql_role"], "docs/database.md"],
    ["guarded-storage", ["aws_s3_bucket", "kubernetes_namespace_v1"], "docs/storage.md"],
    ["laptop-storage", ["kubernetes_persistent_volume_claim_v1", "kubernetes_namespace_v1"], "docs/storage.md"],
  ])("%s: the removal path (%s, %s) works: terraform state rm of what is guarded, then destroy", (id, types, _doc) => {
    const stack = stacks[id];
    const dir = applied(stack, {});
    for (const type of types) {
      for (const address of addressesOf(stack, type)) dir.run(["state", "rm", "-no-color", address]);
    }
    const run = dir.plan({ destroy: true });
    expect(run.status).toBe(0);
    // What is left is destroyed; nothing is guarded any more (a stack holding only guarded things has nothing left).
    expect(run.text).toMatch(/Plan: 0 to add, 0 to change, \d+ to destroy|No changes/);
    expect(run.text).not.toContain("prevent_destroy");
  });
});

describe("preconditions and validations: a missing secret fails the plan with the variable to set", () => {
  test.each([
    ["guarded-app", "mattermost_licence", "mattermost.licensed is true but the variable mattermost_licence is empty"],
    ["guarded-app", "smtp_password", "mattermost.smtp.user is set but the variable smtp_password is empty"],
    ["guarded-app", "registry_password", "mattermost.registry is set but the variable registry_password is empty"],
    ["minio-storage", "storage_access_key_id", "storage_access_key_id is empty: set the access key id for bucket chat-files as TF_VAR_storage_access_key_id"],
    ["minio-storage", "storage_secret_access_key", "storage_secret_access_key is empty: set the secret access key for bucket chat-files as TF_VAR_storage_secret_access_key"],
    ["laptop-database", "database_admin_password", "database_admin_password is empty: set the password of postgres on db.internal as TF_VAR_database_admin_password"],
  ])("%s: empty %s", (id, variable, message) => {
    const stack = stacks[id];
    const secrets = Object.entries(stack.variable ?? {}).map(([name]) => name);
    expect(secrets).toContain(variable);
    const good = Object.fromEntries(secrets.map((name) => [name, `value-of-${name}`]));
    const dir = planDir(id);
    // With every secret set, the plan passes: the guard is about this one variable.
    expect(dir.plan({ vars: good }).status).toBe(0);
    const run = dir.plan({ vars: { ...good, [variable]: "" }, mayFail: true });
    expect(run.status).not.toBe(0);
    expect(run.text).toContain(message);
  });

  test("a licence of blanks is as empty as no licence", () => {
    const vars = { mattermost_licence: " \n ", smtp_password: "x", registry_password: "x" };
    const run = planDir("guarded-app").plan({ vars, mayFail: true });
    expect(run.text).toContain("the variable mattermost_licence is empty");
  });
});

describe("the shipped environments' guards are valid Terraform", () => {
  const ids = Object.keys(stacks).filter((id) => shipped.some((env) => id.startsWith(`${env.name}-`)));

  test.each(ids)("%s: with every variable set, the plan of its guards passes", (id) => {
    const stack = stacks[id];
    const vars = Object.fromEntries(Object.keys(stack.variable ?? {}).map((name) => [name, `value-of-${name}`]));
    const run = planDir(id).plan({ vars, mayFail: true });
    expect({ id, status: run.status, output: run.status === 0 ? "" : run.text }).toEqual({ id, status: 0, output: "" });
  });
});

describe("the app stack as synthesized: planned before its producers, it names the stack to deploy first", () => {
  test.each([
    ["laptop-app", "laptop-database", "laptop-storage"],
    ["local-app", "local-database", "local-storage"],
  ])("%s", (id, database, storage) => {
    // The real app stack's remote state data sources and their checks, in a folder with no state next to it.
    const stack = stacks[id];
    const vars = Object.fromEntries(Object.keys(stack.variable ?? {}).map((name) => [name, `value-of-${name}`]));
    const run = new TerraformDir().write(coreOnly(stack, { remoteState: true })).plan({ vars, mayFail: true });
    expect(run.status).not.toBe(0);
    expect(run.text).toContain(`The database offer comes from stack ${database}, whose state ../../../state/${database}.tfstate does not exist yet: deploy ${database} first (npx cdktf deploy ${database})`);
    expect(run.text).toContain(`The storage offer comes from stack ${storage}`);
  });
});

describe("the app's checks on what its producers published", () => {
  test("a storage offer naming another namespace (an older storage stack) fails the app's plan, naming the stack to deploy", () => {
    const root = tempDir("guards-namespace");
    const states = publishOffers(root, "laptop", "chat");
    const dir = new TerraformDir(path.join(root, "cdktf.out", "stacks", "laptop-app")).write(coreOnly(stacks["laptop-app"], { remoteStateAt: states }));
    const run = dir.plan({ mayFail: true });
    expect(run.status).not.toBe(0);
    expect(run.text).toContain('The storage offer of laptop-storage names namespace "chat", not "mattermost" (kubernetes.namespace): deploy laptop-storage first');
  });
});

describe("coreOnly is honest", () => {
  test("it refuses a condition that reads another resource, which a terraform_data could not stand in for", () => {
    const stack = {
      resource: { aws_s3_bucket: { b: { lifecycle: { precondition: [{ condition: "${aws_kms_key.k.arn != \"\"}", error_message: "x" }] } } } },
    };
    expect(() => coreOnly(stack)).toThrow(/aws_s3_bucket\.b has a condition that reads aws_kms_key\.k;/);
  });

  test("every lifecycle block of the shipped-like stacks is carried over verbatim (but ignore_changes, which guards nothing)", () => {
    for (const [id, stack] of Object.entries(stacks)) {
      const core = coreOnly(stack, { remoteState: true });
      for (const [type, byName] of Object.entries(stack.resource ?? {})) {
        for (const [name, body] of Object.entries<any>(byName)) {
          const { ignore_changes: _ignored, ...kept } = body.lifecycle ?? {};
          const expected = Object.keys(kept).length > 0 ? kept : undefined;
          expect({ id, name, lifecycle: core.resource.terraform_data[`${type}__${name}`].lifecycle }).toEqual({ id, name, lifecycle: expected });
        }
      }
      expect(core.variable).toEqual(stack.variable);
    }
    expect(resources(stacks["guarded-storage"], "aws_s3_bucket")[0].lifecycle.prevent_destroy).toBe(true);
  });
});
