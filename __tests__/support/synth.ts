import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ipaddr from "ipaddr.js";
import { stringify } from "yaml";
import { Environment, EnvironmentError, loadEnvironments } from "../../config/load";
import { environmentSchema, EnvironmentInput } from "../../config/schema/environment";
import { environmentJsonSchema } from "../../config/json-schema";
import { describeViolation, PolicyError } from "../../synth/security-policy";
import { synthesize } from "../../synth/synthesize";

/** Terraform JSON of one stack, loosely typed for assertions. */
export type StackJson = {
  terraform: Record<string, any>;
  provider?: Record<string, any[]>;
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  variable?: Record<string, { type?: string; sensitive?: boolean; description?: string }>;
};

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The example environments as the project ships them (local: a laptop cluster; production: Terraform
 * Cloud, RDS, S3), copied as test fixtures. Tests of our behaviour read these, never the user's
 * `environments/` folder: that folder is the user's to add to or empty, and only
 * `__tests__/environments.test.ts` reads it (every file that is there), so a user's own environments
 * never break the test line (`__tests__/environments.test.ts` keeps it that way). When a change
 * edits the shipped examples, copy them here too (only the `$schema` line differs):
 * `for f in local production; do sed '1s|.*|# yaml-language-server: $schema=../../../environments/schema.json|' environments/$f.yaml > __tests__/fixtures/environments/$f.yaml; done`
 */
export const EXAMPLE_ENVIRONMENTS = path.join(PROJECT_ROOT, "__tests__", "fixtures", "environments");
/** @deprecated The fixtures are no longer the shipped folder: use {@link EXAMPLE_ENVIRONMENTS}. */
export const SHIPPED_ENVIRONMENTS = EXAMPLE_ENVIRONMENTS;

/**
 * The user's environments folder, what `npm run synth` reads: `MATTERMOST_ENVIRONMENTS_DIR`, or
 * `environments/` of the project. Only the user's-folder suite reads it.
 */
export function userEnvironmentsDir(): string {
  return path.resolve(PROJECT_ROOT, process.env.MATTERMOST_ENVIRONMENTS_DIR ?? "environments");
}

const temporaryDirs: string[] = [];
process.on("exit", () => temporaryDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * A fresh temporary folder. Under jest it is inside the test file's own temporary folder, which
 * the test environment removes when the file is done (support/node-environment.ts); elsewhere it
 * is removed when the process exits.
 */
export function tempDir(prefix: string): string {
  const fileTemp = process.env.MMCDKTF_TEST_TEMP;
  const dir = fs.mkdtempSync(path.join(fileTemp ?? os.tmpdir(), `mmcdktf-${prefix}-`));
  if (!fileTemp) temporaryDirs.push(dir);
  return dir;
}

/** Synthesizes `environments` and returns every stack's JSON by stack id. */
export function synthEnvironments(environments: readonly Environment[]): Record<string, StackJson> {
  const outdir = path.join(tempDir("out"), "cdktf.out");
  synthesize(environments, outdir);
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
  const stacks: Record<string, StackJson> = {};
  for (const [id, entry] of Object.entries<any>(manifest.stacks)) {
    stacks[id] = JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), "utf8"));
  }
  return stacks;
}

/**
 * The example environments as shipped, from their fixture copies ({@link EXAMPLE_ENVIRONMENTS}),
 * never the user's folder; synthesized once per test file.
 */
let shipped: Record<string, StackJson> | undefined;
export function synthShipped(): Record<string, StackJson> {
  shipped ??= synthEnvironments(loadEnvironments(EXAMPLE_ENVIRONMENTS));
  return shipped;
}

/** An environment from an object as a user would write it (defaults are filled in by the schema). */
export function environment(name: string, input: EnvironmentInput): Environment {
  return { name, file: `environments/${name}.yaml`, config: environmentSchema.parse(input) };
}

/** Writes `files` (name -> YAML object or raw text) into a fresh folder and returns it. */
export function environmentsFolder(files: Record<string, unknown>): string {
  const dir = tempDir("envs");
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), typeof content === "string" ? content : stringify(content));
  }
  return dir;
}

/** The problems synth reports for `files` (name -> YAML object or raw text); fails when they load. */
export function rejectionsOf(files: Record<string, unknown>): string[] {
  try {
    loadEnvironments(environmentsFolder(files));
  } catch (error) {
    if (error instanceof EnvironmentError) return [...error.problems];
    throw error;
  }
  throw new Error("expected the environment files to be rejected");
}

/** A minimal valid local environment, to change one key at a time in tests. */
export function localInput(): any {
  return {
    backend: { kind: "local" },
    kubernetes: { namespace: "mattermost", configContext: "kind-kind" },
    database: { kind: "external", host: "db.internal", sslMode: "require" },
    storage: { kind: "local", size: "5Gi" },
    mattermost: { image: "mattermost/mattermost-team-edition:10.11.4", siteUrl: "http://chat.test" },
  };
}

/** A minimal valid AWS environment (RDS + S3). */
export function awsInput(): any {
  return {
    backend: { kind: "s3", bucket: "tf-state-bucket", region: "eu-west-1" },
    aws: { region: "eu-west-1" },
    database: {
      kind: "rds",
      vpcId: "vpc-0123456789abcdef0",
      subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      allowedCidrs: ["10.0.0.0/16"],
    },
    storage: { kind: "s3" },
    mattermost: { image: "mattermost/mattermost-enterprise-edition:10.11.4", siteUrl: "https://chat.test", licensed: true },
  };
}

/** All resources of `type` in a stack, as a list of their bodies. */
export function resources(stack: StackJson, type: string): any[] {
  return Object.values(stack.resource?.[type] ?? {});
}

/** The one NetworkPolicy that selects Mattermost's own pods (the server), not the Jobs'. */
export function serverPolicy(stack: StackJson): any {
  const found = resources(stack, "kubernetes_network_policy_v1").filter((p) => p.spec.pod_selector.match_labels?.["app.kubernetes.io/component"] === "server");
  if (found.length !== 1) throw new Error(`expected exactly one NetworkPolicy selecting the server pods, found ${found.length}`);
  return found[0];
}

/** Whether a NetworkPolicy egress peer lets `address` through (ipBlock cidr minus except; selectors never do). */
export function peerAdmits(peer: any, address: string): boolean {
  if (!peer.ip_block) return false;
  const ip = ipaddr.parse(address);
  const inside = (cidr: string) => {
    const [net, prefix] = ipaddr.parseCIDR(cidr);
    return net.kind() === ip.kind() && ip.match(net, prefix);
  };
  return inside(peer.ip_block.cidr) && !(peer.ip_block.except ?? []).some(inside);
}

/** The single resource of `type`; fails when there is not exactly one. */
export function onlyResource(stack: StackJson, type: string): any {
  const found = resources(stack, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}

/** Every resource type in a stack. */
export function resourceTypes(stack: StackJson): string[] {
  return Object.keys(stack.resource ?? {}).sort();
}

/**
 * Every problem `npm run synth` would have with the environments folder `dir`, whatever files are
 * there: each file loads (schema), all of them synthesize together and pass the security policy, and
 * a file that points editors at a schema (`# yaml-language-server: $schema=...`) points at one that
 * exists and is the schema synth validates with. An empty list means the folder is good.
 */
export function environmentsFolderProblems(dir: string): string[] {
  const problems: string[] = [];
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const file of files) {
    const directive = /^#\s*yaml-language-server:\s*\$schema=(\S+)/m.exec(fs.readFileSync(path.join(dir, file), "utf8"));
    if (!directive || /^[a-z]+:\/\//.test(directive[1])) continue;
    const schema = path.resolve(dir, directive[1]);
    if (!fs.existsSync(schema)) problems.push(`${file}: $schema=${directive[1]}: no such file`);
    else if (fs.readFileSync(schema, "utf8") !== environmentJsonSchema()) problems.push(`${file}: $schema=${directive[1]}: is not the schema synth validates with (npm run schema)`);
  }
  if (files.length === 0) return problems;
  try {
    synthesize(loadEnvironments(dir), path.join(tempDir("user-envs"), "cdktf.out"));
  } catch (error) {
    if (error instanceof EnvironmentError) problems.push(...error.problems);
    else if (error instanceof PolicyError) problems.push(...error.violations.map(describeViolation));
    else problems.push(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return problems;
}
