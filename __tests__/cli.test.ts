import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { environmentsFolder, localInput, PROJECT_ROOT, SHIPPED_ENVIRONMENTS, tempDir } from "./support/synth";

// `npm test` compiles dist/ first, so this runs the same JavaScript `npm run synth` and cdktf.json run.
const MAIN = path.join(PROJECT_ROOT, "dist", "main.js");

function synthIn(cwd: string, environmentsDir: string) {
  const result = spawnSync(process.execPath, [MAIN], {
    cwd,
    encoding: "utf8",
    // A terraform that does not exist: synth must never need the binary, whatever the backend.
    env: { ...process.env, MATTERMOST_ENVIRONMENTS_DIR: environmentsDir, TERRAFORM_BINARY_NAME: "terraform-is-not-installed", CDKTF_OUTDIR: undefined },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run synth (node dist/main.js)", () => {
  const cwd = tempDir("cli");

  test("synthesizes every shipped environment into cdktf.out/ and prints a summary", () => {
    const run = synthIn(cwd, SHIPPED_ENVIRONMENTS);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^stack\s+resources\s+data\s+outputs\s+offers read\s+deploys after$/m);
    expect(run.stdout).toMatch(/^production-app\s+\d+\s+\d+\s+0\s+database, storage\s+production-database, production-storage, production-workspaces$/m);
    expect(run.stdout).toMatch(/^production-workspaces\s+\d+\s+\d+\s+\d+\s+-\s+-$/m);
    expect(run.stdout).toMatch(/^local-database\s+\d+\s+\d+\s+\d+\s+-\s+-$/m);
    const manifest = JSON.parse(fs.readFileSync(path.join(cwd, "cdktf.out", "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      "local-app", "local-database", "local-storage", "production-app", "production-database", "production-storage", "production-workspaces",
    ]);
    expect(manifest.stacks["production-app"].dependencies.sort()).toEqual(["production-database", "production-storage", "production-workspaces"]);
    expect(fs.existsSync(path.join(cwd, "cdktf.out.next"))).toBe(false);
    expect(fs.readFileSync(path.join(cwd, "cdktf.out", "stacks.mmd"), "utf8")).toContain('production_database -- "database offer" --> production_app');
  });

  test("bad input: one line per problem, no stack trace, exit 1, and the previous cdktf.out untouched", () => {
    const manifest = path.join(cwd, "cdktf.out", "manifest.json");
    const before = fs.readFileSync(manifest, "utf8");
    const bad = localInput();
    bad.mattermost.siteUrl = "chat.example.com";
    bad.database.port = "5432";
    const run = synthIn(cwd, environmentsFolder({ "prod.yaml": bad }));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/prod\.yaml: mattermost\.siteUrl: must start with http:\/\/ or https:\/\/ and name a host \(got "chat\.example\.com"\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/prod\.yaml: database\.port: .*number/));
    expect(run.stderr).toContain("Nothing was synthesized; cdktf.out/ is unchanged.");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(manifest, "utf8")).toBe(before);
  });

  test("a missing environments folder says how to fix it", () => {
    const run = synthIn(cwd, path.join(cwd, "no-such-folder"));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no-such-folder: no such folder; create it with one <env>\.yaml per environment, or point MATTERMOST_ENVIRONMENTS_DIR at one/);
  });
});

describe("npx cdktf synth", () => {
  test("works on a machine without terraform and writes every stack", () => {
    // A PATH with node and sh only: no terraform anywhere.
    const bin = tempDir("bin");
    fs.symlinkSync(process.execPath, path.join(bin, "node"));
    fs.symlinkSync("/bin/sh", path.join(bin, "sh"));
    const output = path.join(tempDir("cdktf-cli"), "out");
    const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf"), "synth", "--output", output], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      env: { HOME: tempDir("home"), PATH: bin, CHECKPOINT_DISABLE: "1", CI: "1" },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Generated Terraform code for the stacks: local-app, local-database,\s+local-storage, production-app/);
    const manifest = JSON.parse(fs.readFileSync(path.join(output, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toHaveLength(7);
  });
});
