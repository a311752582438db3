/**
 * Day-two behaviour of the synthesized blocks, on the real terraform binary. The kubernetes
 * provider cannot be downloaded here, so each block is taken from the synthesized JSON and pointed
 * at Terraform's built-in `terraform_data` instead: what is tested is Terraform core's handling of
 * `removed`, `moved` and `sensitive()`, which does not depend on the resource type.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { synthShipped, tempDir } from "../../support/synth";

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
