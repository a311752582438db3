import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { synthShipped, tempDir } from "../support/synth";

/**
 * What real Terraform (1.10+) can check of the RDS database stack without the aws provider, which
 * no registry here serves: `terraform init` decodes the whole configuration before it installs
 * providers, so an unknown block (such as `ephemeral` before Terraform 1.10, or a misspelt one)
 * fails there, and a configuration that passes stops only at the missing provider.
 */
function terraformInit(json: unknown): string {
  const dir = tempDir("tf-init");
  fs.mkdirSync(path.join(dir, "mirror"));
  // An empty mirror: providers are looked for here only, and found nowhere.
  fs.writeFileSync(path.join(dir, "cli.tfrc"), `provider_installation {\n  filesystem_mirror {\n    path = "${path.join(dir, "mirror")}"\n  }\n}\n`);
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(json));
  try {
    return execFileSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], {
      cwd: dir,
      env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(dir, "cli.tfrc"), TF_IN_AUTOMATION: "1" },
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (error: any) {
    if (error.code === "ENOENT") throw new Error("terraform is not on the PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install)");
    return `${error.stdout ?? ""}${error.stderr ?? ""}`;
  }
}

describe("the RDS database stack on real Terraform", () => {
  const stack: any = synthShipped()["production-database"];

  test("Terraform accepts the configuration, the ephemeral master-secret block included; only the providers are missing", () => {
    expect(stack.ephemeral.aws_secretsmanager_secret_version).toBeDefined();
    const output = terraformInit(stack);
    expect(output).toMatch(/provider registry\.terraform\.io\/hashicorp\/aws was not found/);
    expect(output).not.toMatch(/No argument or block type is named|Unsupported block type|Invalid (reference|expression)|Error parsing/);
  });

  test("the same check fails on a block Terraform does not know (the check can fail)", () => {
    const broken = { ...stack, ephemerall: stack.ephemeral };
    delete broken.ephemeral;
    expect(terraformInit(broken)).toMatch(/No argument or block type is named "ephemerall"/);
  });
});
