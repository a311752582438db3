import { App, TerraformOutput, TerraformResource, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import * as fs from "fs";
import * as path from "path";
import { DATABASE_OFFER, DatabaseOfferField } from "../../../constructs/offers/database-offer";
import { ConsumedOffer, Offer, offerOutputName, PublishedOffer } from "../../../constructs/offers/offer";
import { StateLocation, stateLocation, storeStateAt } from "../../../constructs/offers/state-location";
import { STORAGE_OFFER, StorageOfferField } from "../../../constructs/offers/storage-offer";
import { backendSchema, BackendConfig } from "../../../config/schema/backend";
import { tempDir } from "../../support/synth";
import { TerraformDir } from "../../support/terraform";

// The offers on the real Terraform: a producer publishes literal values (no provider needed), the
// consumer reads them through terraform_remote_state built by the project's own ConsumedOffer from
// the same state location, and both are applied on the local backend.

/** Values with characters that matter in a DSN or a shell; nothing Terraform would read as a template. */
const DATABASE_VALUES: { [K in DatabaseOfferField]: string } = {
  host: "db.internal",
  port: "5432",
  database: "mattermost",
  user: "mmuser",
  password: "p@ss:w/rd?#%",
  sslMode: "verify-full",
  caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  dsn: "postgres://mmuser:p%40ss%3Aw%2Frd%3F%23%25@db.internal:5432/mattermost?sslmode=verify-full&connect_timeout=10",
};
const STORAGE_VALUES: { [K in StorageOfferField]: string } = {
  driver: "amazons3",
  bucket: "mattermost-files",
  region: "eu-west-1",
  endpoint: "s3.eu-west-1.amazonaws.com",
  pathPrefix: "",
  ssl: "true",
  sse: "true",
  accessKeyId: "AKIAEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  roleArn: "",
  claimName: "",
  namespace: "",
};

const ENV = "offers";
const ids = { database: `${ENV}-database`, storage: `${ENV}-storage`, app: `${ENV}-app` };

/**
 * A `terraform_data` (built into Terraform) whose `input` is `value`: the JSON cdktf's DataResource
 * writes, without the `terraform version` check DataResource adds to itself at synth (cdktf
 * lib/terraform-data-resource.js, ValidateTerraformVersion: a shell and a terraform process per
 * resource, 120 per run of this file, 3 s of CPU). The terraform that runs the JSON below checks
 * what it needs itself.
 */
class TerraformData extends TerraformResource {
  constructor(scope: Construct, id: string, private readonly value: string) {
    super(scope, id, { terraformResourceType: "terraform_data", terraformGeneratorMetadata: { providerName: "terraform" } });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: this.value };
  }
}

/** The consumer uses every field the way the app does (in a resource), and re-exports it under its own name. */
function consume<F extends string>(stack: TerraformStack, offer: Offer<F>, from: StateLocation): void {
  const consumed = new ConsumedOffer(stack, offer.name, { offer, from });
  for (const field of Object.keys(offer.fields) as F[]) {
    const value = consumed.get(field);
    new TerraformData(stack, `${offer.name}-${field}`, value).overrideLogicalId(offerOutputName(offer, field));
    new TerraformOutput(stack, `${offer.name}-${field}-out`, {
      value,
      sensitive: offer.fields[field].sensitive ?? false,
    }).overrideLogicalId(`got_${offerOutputName(offer, field)}`);
  }
}

/** Synthesizes producers and consumer into `<root>/cdktf.out` the way `cdktf synth` does. */
function synthesize(root: string, backend: BackendConfig) {
  const app = new App({ outdir: path.join(root, "cdktf.out") });
  const state = { database: stateLocation(backend, ids.database), storage: stateLocation(backend, ids.storage), app: stateLocation(backend, ids.app) };
  const database = new TerraformStack(app, ids.database);
  storeStateAt(database, state.database);
  new PublishedOffer(database, "offer", { offer: DATABASE_OFFER, values: DATABASE_VALUES });
  const storage = new TerraformStack(app, ids.storage);
  storeStateAt(storage, state.storage);
  new PublishedOffer(storage, "offer", { offer: STORAGE_OFFER, values: STORAGE_VALUES });
  const consumer = new TerraformStack(app, ids.app);
  storeStateAt(consumer, state.app);
  consume(consumer, DATABASE_OFFER, state.database);
  consume(consumer, STORAGE_OFFER, state.storage);
  app.synth();
  const dir = (id: string) => new TerraformDir(path.join(root, "cdktf.out", "stacks", id));
  return { database: dir(ids.database), storage: dir(ids.storage), app: dir(ids.app) };
}

describe("offers on real Terraform, local backend", () => {
  const root = tempDir("offers");
  const dirs = synthesize(root, { kind: "local", stateDir: "state" });
  let appPlan: any;
  let appOutputs: Record<string, { sensitive: boolean; value: unknown }>;

  beforeAll(() => {
    dirs.database.apply();
    dirs.storage.apply();
    appPlan = dirs.app.planJson();
    dirs.app.applySaved();
    appOutputs = dirs.app.outputs();
  });

  test("the state files are where the README says: state/<stack id>.tfstate at the project root", () => {
    for (const id of Object.values(ids)) {
      expect(fs.existsSync(path.join(root, "state", `${id}.tfstate`))).toBe(true);
    }
    // Nothing lands beside the stacks' JSON.
    expect(fs.readdirSync(path.join(root, "cdktf.out", "stacks", ids.app)).filter((f) => f.endsWith(".tfstate"))).toEqual([]);
  });

  test.each([
    [DATABASE_OFFER.name, DATABASE_OFFER as Offer<string>, DATABASE_VALUES as Record<string, string>],
    [STORAGE_OFFER.name, STORAGE_OFFER as Offer<string>, STORAGE_VALUES as Record<string, string>],
  ])("every field of the %s offer arrives under the name the consumer reads", (_name, offer, values) => {
    for (const field of Object.keys(offer.fields)) {
      expect({ field, value: appOutputs[`got_${offerOutputName(offer, field)}`]?.value }).toEqual({ field, value: values[field] });
    }
  });

  test.each([
    [DATABASE_OFFER.name, DATABASE_OFFER as Offer<string>],
    [STORAGE_OFFER.name, STORAGE_OFFER as Offer<string>],
  ])(
    "sensitive fields of the %s offer are sensitive where the consumer uses them (plan JSON and terraform output)",
    (_name, offer) => {
      const resources: any[] = appPlan.planned_values.root_module.resources;
      for (const [field, spec] of Object.entries(offer.fields)) {
        const name = offerOutputName(offer, field);
        const planned = resources.find((r) => r.address === `terraform_data.${name}`);
        const sensitive = spec.sensitive ?? false;
        // What run tasks and policy checks read: the mark on the value where the consumer uses it.
        expect({ field, sensitive: planned.sensitive_values.input === true }).toEqual({ field, sensitive });
        const change = appPlan.resource_changes.find((c: any) => c.address === `terraform_data.${name}`);
        expect({ field, sensitive: change.change.after_sensitive.input === true }).toEqual({ field, sensitive });
        expect({ field, sensitive: appOutputs[`got_${name}`].sensitive }).toEqual({ field, sensitive });
      }
    },
  );

  test("what the consumer cannot change: the remote state data source's own `outputs` stay unmarked in the plan JSON", () => {
    // Terraform gives the data source no marks (data_source_state.go), and a JSON plan carries every
    // value in clear beside its marks (developer.hashicorp.com/terraform/cli/commands/show). The app's
    // own plan and state hold the offer in clear: that is the offer, which the app needs anyway; what
    // else the producers' states hold is no secret (state-contents.test.ts, README Offers).
    const source = appPlan.prior_state.values.root_module.resources.find((r: any) => r.address === "data.terraform_remote_state.database");
    expect(source.values.outputs.database_dsn).toBe(DATABASE_VALUES.dsn);
    expect(source.sensitive_values.outputs).toEqual({});
  });

  test("Terraform itself refuses to show a sensitive field in a non-sensitive output of the consumer", () => {
    const consumer = JSON.parse(fs.readFileSync(path.join(dirs.app.dir, "cdk.tf.json"), "utf8"));
    consumer.output.leak = { value: consumer.output.got_database_dsn.value };
    // Same relative paths as the app's folder: two levels below a sibling of state/.
    const nested = new TerraformDir(path.join(root, "cdktf.out", "stacks", "leak"));
    delete consumer.terraform.backend;
    nested.write(consumer, "cdk.tf.json");
    const run = nested.plan({ mayFail: true });
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/Output refers to sensitive values/);
  });
});

describe("a consumer planned before its producers fails with the stack to deploy first", () => {
  const root = tempDir("offers-order");
  const dirs = synthesize(root, { kind: "local", stateDir: "state" });

  test("no producer state yet: the precondition names the producer and the command", () => {
    const run = dirs.app.plan({ mayFail: true });
    expect(run.status).not.toBe(0);
    expect(run.text).toContain(`The database offer comes from stack ${ids.database}, whose state ../../../state/${ids.database}.tfstate does not exist yet`);
    expect(run.text).toContain(`npx cdktf deploy ${ids.database}`);
    expect(run.text).toContain(`npx cdktf deploy ${ids.storage}`);
    // The guard fires before the read: Terraform's own, unhelpful error never shows.
    expect(run.text).not.toContain("Unable to find remote state");
  });

  test("a producer state without the offer (destroyed producer): the postcondition names it", () => {
    dirs.database.apply();
    dirs.storage.apply();
    dirs.database.run(["destroy", "-auto-approve", "-input=false", "-no-color"]);
    // Terraform keeps the state file after a destroy, with no outputs in it.
    expect(fs.existsSync(path.join(root, "state", `${ids.database}.tfstate`))).toBe(true);
    const run = dirs.app.plan({ mayFail: true });
    expect(run.status).not.toBe(0);
    expect(run.text).toContain(`The database offer comes from stack ${ids.database}, whose state lacks its outputs`);
    expect(run.text).toContain(`npx cdktf deploy ${ids.database}`);
    expect(run.text).not.toContain(`npx cdktf deploy ${ids.storage}`);
  });

  test("destroying the consumer after its producer: the message says how, and that way works", () => {
    // The producer is gone (previous test); the consumer still has what it made from the offer.
    dirs.database.apply();
    dirs.app.apply();
    dirs.database.run(["destroy", "-auto-approve", "-input=false", "-no-color"]);
    const blocked = dirs.app.plan({ destroy: true, mayFail: true });
    expect(blocked.status).not.toBe(0);
    expect(blocked.text).toContain(`To destroy ${ids.app} without ${ids.database}, skip the read: terraform destroy -refresh=false in cdktf.out/stacks/${ids.app}`);
    dirs.app.run(["destroy", "-refresh=false", "-auto-approve", "-input=false", "-no-color"]);
    expect(dirs.app.outputs()).toEqual({});
  });
});

// `init -backend=false` leaves the backend block itself unchecked (reaching S3 or Terraform Cloud
// needs credentials); what validate does check is the consumer's terraform_remote_state config,
// which Terraform validates against the backend's own schema (data_source_state.go, getBackend).
describe.each([
  ["s3", backendSchema.parse({ kind: "s3", bucket: "acme-terraform-state", region: "eu-west-1" })],
  ["cloud", backendSchema.parse({ kind: "cloud", organization: "acme" })],
])("offers with the %s backend: Terraform accepts the configuration (as far as it goes without credentials)", (_kind, backend) => {
  const dirs = synthesize(tempDir("offers-remote"), backend);

  test.each(Object.keys(ids) as (keyof typeof ids)[])("%s: init -backend=false and validate pass", (kind) => {
    const dir = dirs[kind];
    dir.init(["-backend=false"]);
    const run = dir.run(["validate", "-no-color", "-json"]);
    const result = JSON.parse(run.stdout);
    expect({ valid: result.valid, diagnostics: result.diagnostics }).toEqual({ valid: true, diagnostics: [] });
  });
});

describe.each([
  ["S3 lock file", backendSchema.parse({ kind: "s3", bucket: "acme-terraform-state", region: "eu-west-1" })],
  ["DynamoDB lock table", backendSchema.parse({ kind: "s3", bucket: "acme-terraform-state", region: "eu-west-1", dynamodbTable: "tf-locks" })],
])("the s3 backend block (%s) is one Terraform's s3 backend accepts", (_lock, backend) => {
  test("checked against the backend's own schema, through a terraform_remote_state that uses it as its config", () => {
    // `init` with the block itself would reach AWS; terraform_remote_state validates its config with
    // the very same backend code (data_source_state.go, getBackend: ConfigSchema + PrepareConfig).
    const dirs = synthesize(tempDir("offers-s3-block"), backend);
    const producer = JSON.parse(fs.readFileSync(path.join(dirs.database.dir, "cdk.tf.json"), "utf8"));
    const block = producer.terraform.backend.s3;
    expect(block).toMatchObject({ bucket: "acme-terraform-state", key: `mattermost/${ids.database}.tfstate`, region: "eu-west-1", encrypt: true });
    const probe = new TerraformDir().write({ data: { terraform_remote_state: { probe: { backend: "s3", config: block } } } });
    probe.init(["-backend=false"]);
    const result = JSON.parse(probe.run(["validate", "-no-color", "-json"]).stdout);
    expect(result.valid).toBe(true);
    // Terraform 1.11's s3 backend deprecates dynamodb_table in favour of use_lockfile: a warning, not an error.
    const warnings = result.diagnostics.map((d: any) => `${d.severity}: ${d.detail}`);
    expect(warnings).toEqual(block.dynamodb_table ? ['warning: The parameter "dynamodb_table" is deprecated. Use parameter "use_lockfile" instead.'] : []);
    // The check is real: an attribute the backend does not know is refused.
    const bad = new TerraformDir().write({ data: { terraform_remote_state: { probe: { backend: "s3", config: { ...block, lock_file: true } } } } });
    bad.init(["-backend=false"]);
    expect(bad.run(["validate", "-no-color"], { mayFail: true }).text).toContain('unexpected attribute "lock_file"');
  });
});
