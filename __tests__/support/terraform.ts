import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "./synth";

/**
 * The real `terraform` binary, for tests of what Terraform core does with the JSON we synthesize:
 * outputs, the local backend, `terraform_remote_state`, `terraform_data`, lifecycle rules,
 * preconditions, variable validation, `check` blocks, `sensitive()`, `terraform show -json`.
 *
 * No provider registry is reachable from CI, so only the built-in `terraform` provider runs; see
 * {@link coreOnly} for how the stacks' guards are put in front of real Terraform anyway.
 *
 * A missing or too old terraform FAILS the test (never skips) with what to install.
 */

/** The oldest Terraform the stacks support (S3-native locking, `cdktf deploy` of cdktf 0.21). */
export const MIN_TERRAFORM = [1, 10] as const;

const INSTALL_HINT =
  `install Terraform >= ${MIN_TERRAFORM.join(".")} and put it on the PATH ` +
  "(https://developer.hashicorp.com/terraform/install, or `apt-get install terraform` from apt.releases.hashicorp.com)";

let checkedVersion: string | undefined;

/** The version of the terraform on the PATH; throws (the test fails) when it is missing or older than 1.10. */
export function requireTerraform(): string {
  if (checkedVersion) return checkedVersion;
  const result = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", env: terraformEnv() });
  if (result.error) {
    throw new Error(`These tests run the real terraform, but it could not be started (${result.error.message}): ${INSTALL_HINT}.`);
  }
  let version: string;
  try {
    version = JSON.parse(result.stdout).terraform_version;
  } catch {
    throw new Error(`\`terraform version -json\` printed no version (exit ${result.status}): ${INSTALL_HINT}.\n${result.stdout}${result.stderr}`);
  }
  const [major, minor] = version.split(".").map(Number);
  if (major < MIN_TERRAFORM[0] || (major === MIN_TERRAFORM[0] && minor < MIN_TERRAFORM[1])) {
    throw new Error(`terraform ${version} is on the PATH, but these tests need ${MIN_TERRAFORM.join(".")} or later: ${INSTALL_HINT}.`);
  }
  checkedVersion = version;
  return version;
}

/**
 * The environment every terraform run gets: no prompts, no colours, no update checks, and Go's
 * garbage collector held back. Terraform is a Go program, and on these runs (a small configuration,
 * well under a second) its collector took about a quarter of its CPU; with GOGC=off and a memory
 * limit Go collects only when the heap nears the limit (pkg.go.dev/runtime, "Environment
 * Variables": GOGC, GOMEMLIMIT), which these runs never reach. What Terraform does is unchanged.
 */
function terraformEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // TF_VAR_* of the developer's shell must not leak into a test.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("TF_VAR_") && key !== "TF_WORKSPACE"));
  return { ...inherited, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1", GOGC: "off", GOMEMLIMIT: "512MiB", ...extra };
}

/** What one terraform command did. */
export interface TerraformRun {
  readonly args: readonly string[];
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr, for assertions on messages wherever terraform printed them. */
  readonly output: string;
  /** `output` with every run of whitespace made one space: terraform wraps messages at 78 columns. */
  readonly text: string;
}

/** Options of {@link TerraformDir.run}. */
export interface RunOptions {
  /** Sets `TF_VAR_<name>` for this run. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Non-zero exit is expected (the run is returned instead of throwing). */
  readonly mayFail?: boolean;
}

/**
 * One Terraform working directory: write the configuration (JSON), `init` once, then plan/apply.
 * Every command runs with `-input=false -no-color` and TF_IN_AUTOMATION=1.
 */
export class TerraformDir {
  private initialized = false;

  /** `dir` defaults to a fresh temporary folder. */
  constructor(public readonly dir: string = tempDir("tf")) {
    requireTerraform();
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Writes `config` as `main.tf.json` (replacing what was there). */
  public write(config: object, file = "main.tf.json"): this {
    fs.writeFileSync(path.join(this.dir, file), JSON.stringify(config, null, 2));
    return this;
  }

  /** Runs `terraform <args>` here; throws with terraform's output when it fails, unless `mayFail`. */
  public run(args: readonly string[], options: RunOptions = {}): TerraformRun {
    const vars = Object.fromEntries(Object.entries(options.vars ?? {}).map(([name, value]) => [`TF_VAR_${name}`, value]));
    const started = Date.now();
    const result = spawnSync("terraform", [...args], { cwd: this.dir, encoding: "utf8", env: terraformEnv(vars), maxBuffer: 64 * 1024 * 1024 });
    // MMCDKTF_TERRAFORM_TIMING=1 prints how long each command took (to keep these tests fast).
    if (process.env.MMCDKTF_TERRAFORM_TIMING) process.stderr.write(`terraform ${args[0]} ${path.basename(this.dir)}: ${Date.now() - started} ms\n`);
    if (result.error) throw new Error(`terraform ${args.join(" ")}: ${result.error.message} (${INSTALL_HINT})`);
    // The CLI-config warning (TF_CLI_CONFIG_FILE pointing nowhere) is noise in every assertion.
    const stderr = stripCliConfigWarning(result.stderr);
    const output = `${result.stdout}\n${stderr}`;
    const run = { args, status: result.status ?? -1, stdout: result.stdout, stderr, output, text: output.replace(/\s+/g, " ") };
    if (run.status !== 0 && !options.mayFail) {
      throw new Error(`terraform ${args.join(" ")} failed in ${this.dir} (exit ${run.status}):\n${run.output}`);
    }
    return run;
  }

  /** `terraform init` once per directory (only the built-in provider: no download, well under a second). */
  public init(extraArgs: readonly string[] = []): TerraformRun | undefined {
    if (this.initialized && extraArgs.length === 0) return undefined;
    const run = this.run(["init", "-input=false", "-no-color", ...extraArgs]);
    this.initialized = extraArgs.length === 0;
    return run;
  }

  /**
   * What plan and apply do first: {@link init}, unless the configuration is one that init has
   * nothing to do for. Without a `terraform` block (backend, required providers), a `provider` or a
   * `module` block, a configuration uses the built-in provider and the default local backend only,
   * and `terraform init` writes nothing (no `.terraform/`, no lock file: `__tests__/terraform/harness.test.ts`),
   * so plan and apply run the same without it. About half the directories of the suite are such
   * (coreOnly's); skipping their init saves a terraform process each.
   */
  private initIfNeeded(): void {
    if (this.initialized || !needsInit(this.dir)) return;
    this.init();
  }

  /** `terraform plan`, writing the plan to `planFile` when given. Initializes first if needed. */
  public plan(options: RunOptions & { readonly destroy?: boolean; readonly planFile?: string } = {}): TerraformRun {
    this.initIfNeeded();
    const args = ["plan", "-input=false", "-no-color", "-lock=false", ...(options.destroy ? ["-destroy"] : []), ...(options.planFile ? [`-out=${options.planFile}`] : [])];
    return this.run(args, options);
  }

  /** `terraform apply -auto-approve`. */
  public apply(options: RunOptions = {}): TerraformRun {
    this.initIfNeeded();
    return this.run(["apply", "-input=false", "-no-color", "-auto-approve"], options);
  }

  /** `terraform apply <planFile>`: applies a plan saved by {@link planJson} without planning again. */
  public applySaved(planFile = "tfplan", options: RunOptions = {}): TerraformRun {
    return this.run(["apply", "-input=false", "-no-color", planFile], options);
  }

  /** `terraform show -json tfplan` of a fresh plan saved as `tfplan`: what a run task or policy check receives. */
  public planJson(options: RunOptions = {}): any {
    this.plan({ ...options, planFile: "tfplan" });
    return JSON.parse(this.run(["show", "-json", "-no-color", "tfplan"]).stdout);
  }

  /** `terraform output -json`: every root output with its `sensitive` flag. */
  public outputs(): Record<string, { sensitive: boolean; value: unknown; type: unknown }> {
    return JSON.parse(this.run(["output", "-json", "-no-color"]).stdout);
  }
}

/**
 * Whether `terraform init` has anything to do in `dir`: a configuration in HCL (not read here), or a
 * JSON one with a `terraform`, `provider` or `module` block.
 */
export function needsInit(dir: string): boolean {
  for (const file of fs.readdirSync(dir)) {
    if (file.endsWith(".tf")) return true;
    if (!file.endsWith(".tf.json")) continue;
    const config = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    if (["terraform", "provider", "module"].some((block) => block in config)) return true;
  }
  return false;
}

function stripCliConfigWarning(stderr: string): string {
  return stderr.replace(/There are some problems with the CLI configuration:\n[\s\S]*?does not exist\.\n╵\n?/g, "");
}

// ---------------------------------------------------------------------------------------------
// coreOnly: a stack's guards in front of real Terraform without its providers

/** Options of {@link coreOnly}. */
export interface CoreOnlyOptions {
  /**
   * Keep the stack's `terraform_remote_state` data sources (built into Terraform) verbatim, with
   * their lifecycle checks, and let conditions read them. Their states must then be where the stack
   * says, relative to the folder terraform runs in. Default false.
   */
  readonly remoteState?: boolean;
  /**
   * Like `remoteState`, but each named data source (`database`, `storage`) reads the local state
   * file given here instead of its own backend (an s3 bucket or a Terraform Cloud workspace that is
   * out of reach): the outputs and every check on them stay as synthesized.
   */
  readonly remoteStateAt?: Readonly<Record<string, string>>;
}

/**
 * The Terraform-core part of a synthesized stack, runnable with no provider installed.
 *
 * Every provider resource becomes a `terraform_data` named `<type>__<name>` (the original address
 * with `.` replaced, so error messages still say which resource it was) that keeps the resource's
 * `lifecycle` block verbatim: `prevent_destroy`, `precondition`, `create_before_destroy` (not
 * `ignore_changes`, which names attributes the stand-in does not have). Variables
 * (with their `validation` and `sensitive`) are copied verbatim; `check` blocks too, and on request
 * the `terraform_remote_state` data sources. Providers, provider data sources, outputs and the
 * backend are dropped (state goes to the local backend).
 *
 * Why this is faithful for these guards: they are enforced by Terraform core before any provider is
 * asked anything, and identically for every resource type.
 * - `prevent_destroy`: core refuses a plan whose change for the instance is Delete or a replace
 *   (hashicorp/terraform internal/terraform/node_resource_abstract_instance.go, checkPreventDestroy,
 *   called from the plan and plan-destroy nodes), before the provider's PlanResourceChange.
 * - `precondition`: core evaluates the conditions (internal/terraform/eval_conditions.go,
 *   evalCheckRules) before it plans the resource, against variables and other values in scope.
 * - variable `validation`: evaluated by core when the variable's value is set (eval_variable.go).
 * What it cannot show: anything the provider decides (which attribute changes force a replacement,
 * what Delete does on the server). Those are cited from the provider's source where they matter.
 *
 * A condition that reads anything but variables, locals and (when kept) the remote state data
 * sources (another resource's attributes, `self`) cannot be carried over faithfully, so coreOnly
 * refuses it instead of guessing.
 */
export function coreOnly(stack: Record<string, any>, options: CoreOnlyOptions = {}): Record<string, any> {
  const config: Record<string, any> = {};
  if (stack.variable) config.variable = structuredClone(stack.variable);
  if (stack.locals) config.locals = structuredClone(stack.locals);
  if (stack.check) config.check = structuredClone(stack.check);
  // Built into Terraform (terraform.io/builtin/terraform): kept verbatim, lifecycle checks included.
  const keepRemoteState = Boolean(options.remoteState || options.remoteStateAt);
  if (keepRemoteState && stack.data?.terraform_remote_state) {
    const sources: Record<string, any> = structuredClone(stack.data.terraform_remote_state);
    for (const [name, path] of Object.entries(options.remoteStateAt ?? {})) {
      if (!sources[name]) throw new Error(`coreOnly: the stack has no data.terraform_remote_state.${name}`);
      sources[name] = { ...sources[name], backend: "local", config: { path } };
    }
    config.data = { terraform_remote_state: sources };
  }
  const readable = keepRemoteState ? /^(var|local|data\.terraform_remote_state)\b/ : /^(var|local)\./;
  const data: Record<string, any> = {};
  for (const [type, byName] of Object.entries<Record<string, any>>(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const lifecycle = body.lifecycle ? structuredClone(body.lifecycle) : undefined;
      // ignore_changes names the provider resource's attributes, which the stand-in has none of;
      // it only steers which diffs a plan shows and guards nothing, so it is left out.
      if (lifecycle) delete lifecycle.ignore_changes;
      for (const rule of [...(lifecycle?.precondition ?? []), ...(lifecycle?.postcondition ?? [])]) {
        const refs = references(rule.condition);
        const foreign = refs.filter((ref) => !readable.test(ref));
        if (foreign.length > 0) {
          throw new Error(
            `coreOnly: ${type}.${name} has a condition that reads ${foreign.join(", ")}; only var.*, local.* ` +
              "(and data.terraform_remote_state.* when kept) can be carried over faithfully",
          );
        }
      }
      data[`${type}__${name}`] = lifecycle && Object.keys(lifecycle).length > 0 ? { lifecycle } : {};
    }
  }
  if (Object.keys(data).length > 0) config.resource = { terraform_data: data };
  return config;
}

/** The references (`var.x`, `aws_s3_bucket.y.arn`, ...) inside a `${...}` expression string. */
function references(expression: unknown): string[] {
  if (typeof expression !== "string") return [];
  const inner = [...expression.matchAll(/\$\{([\s\S]*?)\}/g)].map((m) => m[1]).join(" ");
  // Identifiers followed by a dot, not preceded by a dot or a word character (attribute access), and not function calls.
  return [...inner.matchAll(/(?<![\w.])([a-z_][\w-]*\.[\w-]+)/g)].map((m) => m[1]);
}

/** The address coreOnly gives to the provider resource `type.name`. */
export function coreAddress(type: string, name: string): string {
  return `terraform_data.${type}__${name}`;
}
