import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../support/synth";
import { needsInit, TerraformDir } from "../support/terraform";

// The real-terraform tests never skip: without terraform >= 1.10 they fail and say what to install.
// Each check loads a fresh copy of the harness (its version check is cached) with another PATH.

const HARNESS = path.resolve(__dirname, "..", "support", "terraform.ts");

function requireTerraformWith(pathDirs: string[]): { status: number; output: string } {
  const saved = process.env.PATH;
  process.env.PATH = pathDirs.join(path.delimiter);
  try {
    let version = "";
    jest.isolateModules(() => {
      version = require(HARNESS).requireTerraform();
    });
    return { status: 0, output: version };
  } catch (error) {
    return { status: 1, output: (error as Error).message };
  } finally {
    process.env.PATH = saved;
  }
}

/** A folder with a fake `terraform` that reports `version`. */
function fakeTerraform(version: string): string {
  const dir = tempDir("fake-tf");
  const file = path.join(dir, "terraform");
  fs.writeFileSync(file, `#!/bin/sh\necho '{"terraform_version":"${version}","platform":"linux_amd64"}'\n`, { mode: 0o755 });
  return dir;
}

describe("the terraform harness fails, never skips", () => {
  test("no terraform on the PATH: the failure says what to install", () => {
    const result = requireTerraformWith([tempDir("empty-path")]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/install Terraform >= 1\.10/);
  });

  test("terraform 1.9: the failure names the version found and the one needed", () => {
    const result = requireTerraformWith([fakeTerraform("1.9.8"), "/bin", "/usr/bin"]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/terraform 1\.9\.8 is on the PATH, but these tests need 1\.10 or later/);
  });

  test("terraform 1.10 and later pass", () => {
    expect(requireTerraformWith([fakeTerraform("1.10.0"), "/bin", "/usr/bin"]).status).toBe(0);
    expect(requireTerraformWith([fakeTerraform("2.0.0"), "/bin", "/usr/bin"]).status).toBe(0);
  });
});

describe("the harness runs terraform init only where it does something", () => {
  test("init writes nothing for a configuration of built-ins only; one with a backend block cannot plan without init", () => {
    // What coreOnly writes: terraform_data with lifecycle rules, variables, checks, remote state read locally.
    const builtIns = new TerraformDir().write({
      variable: { secret: { type: "string", sensitive: true } },
      resource: { terraform_data: { kept: { lifecycle: { prevent_destroy: true } } } },
      data: { terraform_remote_state: { producer: { backend: "local", config: { path: "producer.tfstate" } } } },
    });
    expect(needsInit(builtIns.dir)).toBe(false);
    builtIns.init();
    expect(fs.readdirSync(builtIns.dir)).toEqual(["main.tf.json"]);

    const withBackend = new TerraformDir().write({ terraform: { backend: { local: { path: "state.tfstate" } } }, resource: { terraform_data: { kept: {} } } });
    expect(needsInit(withBackend.dir)).toBe(true);
    const run = withBackend.run(["plan", "-input=false", "-no-color"], { mayFail: true });
    expect(run.status).not.toBe(0);
    expect(run.text).toContain("Backend initialization required");
  });
});
