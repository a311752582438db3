/**
 * Day-two behaviour of the synthesized blocks, on the real terraform binary. The kubernetes
 * provider cannot be downloaded here, so each block is taken from the synthesized JSON and pointed
 * at Terraform's built-in `terraform_data` instead: what is tested is Terraform core's handling of
 * `removed`, `moved` and `sensitive()`, which does not depend on the resource type.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { awsInput, environment, synthEnvironments, synthShipped, tempDir } from "../../support/synth";

let checked = false;
function terraformBinary(): string {
  if (checked) return "terraform";
  const found = spawnSync("terraform", ["version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) {
    throw new Error("terraform is not on PATH: install terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) to run these tests");
  }
  checked = true;
  return "terraform";
}

/** Runs terraform in `dir`; returns stdout+stderr and the exit code. */
function terraform(dir: string, ...args: string[]): { output: string; status: number } {
  const run = spawnSync(terraformBinary(), args, { cwd: dir, encoding: "utf8", env: { ...process.env, TF_IN_AUTOMATION: "1", NO_COLOR: "1" } });
  return { output: `${run.stdout}${run.stderr}`, status: run.status ?? -1 };
}

function writeConfig(dir: string, config: unknown): void {
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config, null, 1));
}

/** The actions of a saved plan, by address. */
function plannedActions(dir: string): Record<string, string[]> {
  expect(terraform(dir, "plan", "-input=false", "-no-color", "-out=plan").status).toBe(0);
  const plan = JSON.parse(execFileSync(terraformBinary(), ["show", "-json", "plan"], { cwd: dir, encoding: "utf8" }));
  return Object.fromEntries((plan.resource_changes ?? []).map((c: any) => [c.address, c.change.actions]));
}

/** A folder with `resource` applied to its local state. */
function appliedState(resource: string): string {
  const dir = tempDir("tf-daytwo");
  const [type, name] = resource.split(".");
  writeConfig(dir, { resource: { [type]: { [name]: { input: "mattermost" } } } });
  expect(terraform(dir, "init", "-input=false", "-no-color").status).toBe(0);
  expect(terraform(dir, "apply", "-auto-approve", "-input=false", "-no-color").status).toBe(0);
  return dir;
}

const asTerraformData = (address: string) => address.replace(/^kubernetes_namespace_v1\./, "terraform_data.");

describe("destroying or upgrading <env>-app never deletes the namespace an older release made (real terraform)", () => {
  const removed = (synthShipped()["production-app"] as any).removed.map((block: any) => ({ ...block, from: asTerraformData(block.from) }));

  test("an app state that holds the namespace forgets it: the plan's only action is forget, never delete", () => {
    const dir = appliedState("terraform_data.namespace");
    writeConfig(dir, { removed });
    expect(plannedActions(dir)).toEqual({ "terraform_data.namespace": ["forget"] });
  });

  test("an app state without it (every new environment): the block plans nothing", () => {
    const dir = tempDir("tf-daytwo");
    writeConfig(dir, { removed });
    expect(terraform(dir, "init", "-input=false", "-no-color").status).toBe(0);
    expect(plannedActions(dir)).toEqual({});
  });
});

describe("the storage stack's namespace keeps an existing one (real terraform)", () => {
  const moved = (synthShipped()["local-storage"] as any).moved.map((block: any) => ({ from: asTerraformData(block.from), to: asTerraformData(block.to) }));
  const config = { resource: { terraform_data: { namespace: { input: "mattermost" } } }, moved };

  test("a local-storage state from before: the namespace moves to its new address, nothing is replaced", () => {
    const dir = appliedState("terraform_data.files_namespace_7989ADAF");
    writeConfig(dir, config);
    expect(plannedActions(dir)).toEqual({ "terraform_data.namespace": ["no-op"] });
  });

  test("a new environment: the moved block is ignored and the namespace is created", () => {
    const dir = tempDir("tf-daytwo");
    writeConfig(dir, config);
    expect(terraform(dir, "init", "-input=false", "-no-color").status).toBe(0);
    expect(plannedActions(dir)).toEqual({ "terraform_data.namespace": ["create"] });
  });
});

describe("the namespace is guarded: destroying the storage stack stops at it (real terraform)", () => {
  test("prevent_destroy as synthesized makes `terraform destroy` fail before anything is deleted", () => {
    const { lifecycle } = (synthShipped()["production-storage"].resource as any).kubernetes_namespace_v1.namespace;
    const dir = appliedState("terraform_data.namespace");
    writeConfig(dir, { resource: { terraform_data: { namespace: { input: "mattermost", lifecycle } } } });
    const destroy = terraform(dir, "destroy", "-auto-approve", "-input=false", "-no-color");
    expect(destroy.status).not.toBe(0);
    expect(destroy.output).toContain("Instance cannot be destroyed");
    expect(terraform(dir, "state", "list").output).toContain("terraform_data.namespace");
  });
});

describe("the rollout hash of the env Secret stays sensitive (real terraform)", () => {
  // terraform_remote_state hands outputs over without their sensitive marks: a plain variable stands in.
  const annotation: string = (synthShipped()["local-app"].resource!.kubernetes_deployment_v1 as any)[
    Object.keys(synthShipped()["local-app"].resource!.kubernetes_deployment_v1)[0]
  ].spec.template.metadata.annotations["mattermost-cdktf/env-secret-sha256"];
  const expression = annotation.replace(/data\.terraform_remote_state\.database\.outputs\.database_dsn/g, "var.database_dsn");

  test("the expression reads only the DSN here, through the stand-in", () => {
    expect(expression).toMatch(/^\$\{sensitive\(sha256\(jsonencode\(\{"dsn" = [^,]*var\.database_dsn[^,]*\}\)\)\)\}$/);
  });

  test("a non-sensitive output of it is refused: the hash never shows in a plan", () => {
    const dir = tempDir("tf-daytwo");
    writeConfig(dir, { variable: { database_dsn: { type: "string", default: "postgres://mm:old@db/mm" } }, output: { hash: { value: expression } } });
    expect(terraform(dir, "init", "-input=false", "-no-color").status).toBe(0);
    const plan = terraform(dir, "plan", "-input=false", "-no-color");
    expect(plan.status).not.toBe(0);
    expect(plan.output).toContain("Output refers to sensitive values");
  });

  test("a new password is a new hash (a new pod template)", () => {
    const dir = tempDir("tf-daytwo");
    writeConfig(dir, { variable: { database_dsn: { type: "string" } }, output: { hash: { value: expression, sensitive: true } } });
    expect(terraform(dir, "init", "-input=false", "-no-color").status).toBe(0);
    const hashWith = (dsn: string) => {
      expect(terraform(dir, "apply", "-auto-approve", "-input=false", "-no-color", `-var=database_dsn=${dsn}`).status).toBe(0);
      return JSON.parse(execFileSync(terraformBinary(), ["output", "-json", "hash"], { cwd: dir, encoding: "utf8" }));
    };
    const before = hashWith("postgres://mm:old@db/mm");
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(hashWith("postgres://mm:new@db/mm")).not.toBe(before);
  });
});

describe("the Secrets a user keeps are checked at plan: the data sources' postconditions (real terraform)", () => {
  // Both data sources of the app stack with a postcondition (constructs/app/existing-licence-secret.ts,
  // saml-certificate-job.ts), as synthesized. The kubernetes provider cannot run here: each
  // postcondition is put on a terraform_data whose `input` stands for the data source's `data` (a
  // sensitive map; null or {} for a missing Secret, which the provider reads without an error:
  // hashicorp/terraform-provider-kubernetes, data_source_kubernetes_secret_v1.go,
  // dataSourceKubernetesSecretV1Read). Terraform core evaluates a postcondition whose values are
  // known at plan (hashicorp/terraform internal/terraform/eval_conditions.go, evalCheckRules), and
  // fails the plan with its error_message; which Secret shapes pass is what is tested here.
  const input = awsInput();
  input.mattermost = {
    ...input.mattermost,
    licenceSecret: { name: "chat-licence", key: "license" },
    saml: { preset: "ubuntu-sso", idpCertificateSecretName: "ubuntu-sso-idp" },
  };
  const sources = Object.values<any>((synthEnvironments([environment("kept", input)])["kept-app"] as any).data.kubernetes_secret_v1);
  const rule = (secret: string) => {
    const source = sources.find((s) => s.metadata.name === secret);
    expect(source.lifecycle.postcondition).toHaveLength(1);
    return source.lifecycle.postcondition[0] as { condition: string; error_message: string };
  };
  const cases: [string, string, string | undefined, boolean][] = [
    ["licence_missing_null", "chat-licence", undefined, false],
    ["licence_missing_empty", "chat-licence", "{}", false],
    ["licence_other_key", "chat-licence", '{ "mattermost.mattermost-license" = "x" }', false],
    ["licence_empty_value", "chat-licence", '{ license = "" }', false],
    ["licence_good", "chat-licence", '{ license = "licence-text", other = "y" }', true],
    ["saml_missing_null", "ubuntu-sso-idp", undefined, false],
    ["saml_missing_empty", "ubuntu-sso-idp", "{}", false],
    ["saml_more_keys", "ubuntu-sso-idp", '{ certificate = "pem", "tls.key" = "secret" }', false],
    ["saml_other_key", "ubuntu-sso-idp", '{ "idp.crt" = "pem" }', false],
    ["saml_good", "ubuntu-sso-idp", '{ certificate = "pem" }', true],
  ];

  test("a missing Secret, a missing key or (SAML) any other key fails the plan with the message; the right Secret passes", () => {
    const standIns: Record<string, any> = {};
    for (const [name, secret, data] of cases) {
      const { condition, error_message } = rule(secret);
      expect(condition).toContain("self.data");
      standIns[name] = {
        ...(data === undefined ? {} : { input: `\${sensitive(${data})}` }),
        lifecycle: { postcondition: [{ condition: condition.replace(/\bself\.data\b/g, "self.input"), error_message }] },
      };
    }
    const dir = tempDir("tf-secret-checks");
    writeConfig(dir, { resource: { terraform_data: standIns } });
    expect(terraform(dir, "init", "-input=false", "-no-color").status).toBe(0);
    const plan = terraform(dir, "plan", "-input=false", "-no-color");
    expect(plan.status).not.toBe(0);
    const failed = [...plan.output.matchAll(/in resource\.terraform_data\.(\w+)\.lifecycle\.postcondition/g)].map((m) => m[1]).sort();
    expect(failed).toEqual(cases.filter(([, , , passes]) => !passes).map(([name]) => name).sort());
    const text = plan.output.replace(/\s+/g, " ");
    for (const secret of ["chat-licence", "ubuntu-sso-idp"]) expect(text).toContain(rule(secret).error_message.replace(/\s+/g, " "));
  });
});
