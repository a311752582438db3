import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { awsInput, environment, synthEnvironments, tempDir } from "./support/synth";

/** The `terraform` block (the backend) of `dev-app` for an s3 backend with `extra` settings. */
function s3Terraform(extra: Record<string, unknown> = {}) {
  const input = awsInput();
  input.backend = { kind: "s3", bucket: "acme-terraform-state", region: "eu-west-1", ...extra };
  return synthEnvironments([environment("dev", input)])["dev-app"].terraform;
}

/**
 * `terraform init` of that backend alone, with real terraform. No AWS here: STS is pointed at a
 * name that never resolves (RFC 6761 `.invalid`), so init stops right after reading the backend
 * configuration, whose warnings it has printed by then.
 */
function initOutput(terraform: object): string {
  const dir = tempDir("s3-backend");
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ terraform }));
  const run = spawnSync("terraform", ["init", "-input=false", "-no-color"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "example", AWS_ENDPOINT_URL_STS: "http://sts.invalid", AWS_EC2_METADATA_DISABLED: "true" },
  });
  if (run.error) throw new Error(`terraform is needed for this test: install Terraform >= 1.10 on PATH (${run.error.message})`);
  expect(run.status).not.toBe(0); // no AWS: it must stop at the credentials, after the configuration
  expect(run.stderr).toMatch(/validating provider credentials/);
  return `${run.stdout}${run.stderr}`.replace(/\s+/g, " ");
}

describe("s3 backend: S3-native locking (use_lockfile) by default; DynamoDB locking is deprecated", () => {
  test("by default the lock is a lock file next to the state, and terraform 1.11 accepts it without a warning", () => {
    const terraform = s3Terraform();
    expect(terraform.backend.s3).toEqual({ bucket: "acme-terraform-state", key: "mattermost/dev-app.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true });
    expect(initOutput(terraform)).not.toMatch(/Deprecated Parameter/);
  });

  test("a dynamodbTable adds the old lock beside the lock file, and terraform 1.11 warns it is deprecated", () => {
    const terraform = s3Terraform({ dynamodbTable: "terraform-locks" });
    expect(terraform.backend.s3).toMatchObject({ dynamodb_table: "terraform-locks", use_lockfile: true });
    expect(initOutput(terraform)).toContain('The parameter "dynamodb_table" is deprecated. Use parameter "use_lockfile" instead.');
  });

  test("the app reads the producers' state from the same bucket and keys", () => {
    const input = awsInput();
    input.backend = { kind: "s3", bucket: "acme-terraform-state", region: "eu-west-1", keyPrefix: "chat" };
    const remote = synthEnvironments([environment("dev", input)])["dev-app"].data!.terraform_remote_state;
    expect(Object.values<any>(remote).map((r) => r.config.key).sort()).toEqual(["chat/dev-database.tfstate", "chat/dev-storage.tfstate"]);
  });
});
