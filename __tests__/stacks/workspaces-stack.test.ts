import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { DEFAULT_TERRAFORM_VERSION } from "../../config/schema/backend";
import { stateLocation } from "../../constructs/offers/state-location";
import { addEnvironmentStacks } from "../../stacks/environment-stacks";
import { TerraformCloudWorkspace } from "../../constructs/terraform-cloud/terraform-cloud-workspace";
import { WorkspacesStack } from "../../stacks/workspaces-stack";
import { awsInput, environment, localInput, resources, StackJson, synthEnvironments, synthShipped, rejectionsOf, tempDir } from "../support/synth";

const KINDS = ["database", "storage", "app"] as const;
const DEPRECATED_ON_WORKSPACE = ["execution_mode", "agent_pool_id", "global_remote_state", "remote_state_consumer_ids", "operations"];

/** A cloud backend as a user writes it. */
function cloud(extra: Record<string, unknown> = {}) {
  return { kind: "cloud", organization: "example-org", ...extra };
}

/** An environment with a cloud backend, an existing database and an existing bucket: it declares secrets. */
function externalCloudInput(backend: Record<string, unknown> = {}): any {
  const input = localInput();
  input.backend = cloud(backend);
  input.storage = { kind: "external", bucket: "mattermost-files", endpoint: "https://s3.example.com", region: "us-east-1" };
  return input;
}

/** The resource key and body of the tfe_workspace named `name`. */
function workspaceNamed(stack: StackJson, name: string): { key: string; body: any } {
  const found = Object.entries(stack.resource?.tfe_workspace ?? {}).filter(([, body]) => body.name === name);
  if (found.length !== 1) throw new Error(`expected one tfe_workspace named ${name}, found ${found.length}`);
  return { key: found[0][0], body: found[0][1] };
}

function idOf(key: string): string {
  return `\${tfe_workspace.${key}.id}`;
}

/** The workspace settings of the workspace with resource key `key`. */
function settingsOf(stack: StackJson, key: string): any {
  const found = resources(stack, "tfe_workspace_settings").filter((s) => s.workspace_id === idOf(key));
  if (found.length !== 1) throw new Error(`expected one tfe_workspace_settings for ${key}, found ${found.length}`);
  return found[0];
}

/** The variables of the workspace with resource key `key`, by name. */
function variablesOf(stack: StackJson, key: string): Record<string, any> {
  return Object.fromEntries(resources(stack, "tfe_variable").filter((v) => v.workspace_id === idOf(key)).map((v) => [v.key, v]));
}

/** The variables a stack's workspace must supply: sensitive ones and those without a default. */
function needed(stack: StackJson): Record<string, { sensitive?: boolean }> {
  return Object.fromEntries(Object.entries(stack.variable ?? {}).filter(([, v]) => v.sensitive === true || !("default" in v)));
}

/** The problems synth reports for one environment file. */
const problemsOf = (input: unknown): string[] => rejectionsOf({ "prod.yaml": input });

describe("the shipped production environment (backend cloud) gets production-workspaces", () => {
  const stacks = synthShipped();
  const ws = stacks["production-workspaces"];

  test("local environments get no workspaces stack; production gets one", () => {
    expect(Object.keys(stacks).filter((id) => id.endsWith("-workspaces"))).toEqual(["production-workspaces"]);
  });

  test("each workspace has exactly the name and organization of its stack's cloud block", () => {
    expect(resources(ws, "tfe_workspace")).toHaveLength(3);
    for (const kind of KINDS) {
      const cloudBlock = stacks[`production-${kind}`].terraform.cloud;
      expect(cloudBlock.workspaces.name).toBe(`mattermost-production-${kind}`);
      const { body } = workspaceNamed(ws, cloudBlock.workspaces.name);
      expect(body.organization).toBe(cloudBlock.organization);
    }
    expect(ws.provider!.tfe).toEqual([{ hostname: stacks["production-app"].terraform.cloud.hostname, organization: "example-org" }]);
  });

  test("database and storage share their state with the app workspace only; the app shares with nobody", () => {
    const app = workspaceNamed(ws, "mattermost-production-app");
    for (const producer of ["database", "storage"]) {
      const { key } = workspaceNamed(ws, `mattermost-production-${producer}`);
      expect(settingsOf(ws, key)).toMatchObject({ global_remote_state: false, remote_state_consumer_ids: [idOf(app.key)] });
    }
    expect(settingsOf(ws, app.key)).toMatchObject({ global_remote_state: false, remote_state_consumer_ids: [] });
  });

  test("settings live in tfe_workspace_settings, not in tfe_workspace's deprecated arguments", () => {
    for (const workspace of resources(ws, "tfe_workspace")) {
      for (const attribute of DEPRECATED_ON_WORKSPACE) expect(workspace).not.toHaveProperty(attribute);
    }
  });

  test("runs on the agent pool production.yaml names (the runner must reach the private RDS)", () => {
    for (const settings of resources(ws, "tfe_workspace_settings")) {
      expect(settings).toMatchObject({ execution_mode: "agent", agent_pool_id: "apool-0a1b2c3d4e5f6789" });
    }
  });

  test("pinned Terraform, reviewed plans (no auto-apply), no speculative plans, tagged", () => {
    for (const kind of KINDS) {
      const { body } = workspaceNamed(ws, `mattermost-production-${kind}`);
      expect(body).toMatchObject({
        terraform_version: DEFAULT_TERRAFORM_VERSION,
        auto_apply: false,
        speculative_enabled: false,
        queue_all_runs: false,
        tag_names: ["mattermost", "env:production", `stack:${kind}`, "team:chat"],
      });
      expect(body).not.toHaveProperty("vcs_repo");
    }
    expect(DEFAULT_TERRAFORM_VERSION).toMatch(/^1\.\d+\.\d+$/);
  });

  test("the workspaces live in the project Mattermost, which the stack creates", () => {
    const [[projectKey, project]] = Object.entries(ws.resource!.tfe_project);
    expect(project).toMatchObject({ name: "Mattermost", organization: "example-org" });
    for (const workspace of resources(ws, "tfe_workspace")) expect(workspace.project_id).toBe(`\${tfe_project.${projectKey}.id}`);
  });

  test("every variable a stack needs is a workspace variable of that stack's workspace, from this stack's input", () => {
    for (const kind of KINDS) {
      const { key } = workspaceNamed(ws, `mattermost-production-${kind}`);
      const wanted = needed(stacks[`production-${kind}`]);
      const given = variablesOf(ws, key);
      expect(Object.keys(given).sort()).toEqual(Object.keys(wanted).sort());
      for (const [name, declared] of Object.entries(wanted)) {
        expect(given[name]).toMatchObject({ category: "terraform", sensitive: declared.sensitive === true, value: `\${var.${name}}` });
        expect(ws.variable![name].sensitive).toBe(declared.sensitive === true);
      }
    }
  });

  test("CLI-driven: no working directory, so a run uploads only cdktf.out/stacks/<stack id>, never the repository root", () => {
    // terraform uploads the folder it runs in minus the workspace's working directory
    // (hashicorp/terraform internal/cloud/backend_plan.go): with none, cdktf's stack folder alone.
    for (const workspace of resources(ws, "tfe_workspace")) expect(workspace).not.toHaveProperty("working_directory");
  });

  test("a change the database or storage workspace applies queues a plan of the app workspace (run triggers)", () => {
    const app = workspaceNamed(ws, "mattermost-production-app").key;
    const triggers = resources(ws, "tfe_run_trigger").map(({ workspace_id, sourceable_id }) => ({ workspace_id, sourceable_id }));
    expect(triggers).toEqual([
      { workspace_id: idOf(app), sourceable_id: idOf(workspaceNamed(ws, "mattermost-production-database").key) },
      { workspace_id: idOf(app), sourceable_id: idOf(workspaceNamed(ws, "mattermost-production-storage").key) },
    ]);
  });

  test("each secret input refuses an empty value at plan, so a deploy without TF_VAR_<name> never blanks a workspace variable", () => {
    const secrets = Object.entries<any>(ws.variable ?? {}).filter(([, v]) => v.sensitive);
    expect(secrets.map(([name]) => name).sort()).toEqual(["mattermost_licence", "smtp_password"]);
    for (const [name, variable] of secrets) {
      expect(variable).toMatchObject({ nullable: false, validation: [{ condition: `\${length(var.${name}) > 0}` }] });
      expect(variable.validation[0].error_message).toMatch(new RegExp(`^TF_VAR_${name} is empty: export it before deploying production-workspaces\\.`));
    }
  });

  test("real terraform: a plan without TF_VAR_<secret> fails naming the variable; with it the plan goes on", () => {
    // The tfe provider cannot be installed here: plan the secret inputs alone, as synthesized.
    const dir = tempDir("ws-validation");
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ variable: ws.variable, output: { planned: { value: "yes" } } }));
    const terraform = (args: string[], env: Record<string, string> = {}) => {
      const run = spawnSync("terraform", args, { cwd: dir, encoding: "utf8", env: { ...process.env, TF_IN_AUTOMATION: "1", ...env } });
      if (run.error) throw new Error(`terraform is needed for this test: install Terraform >= 1.10 on PATH (${run.error.message})`);
      return { status: run.status, output: `${run.stdout}${run.stderr}` };
    };
    expect(terraform(["init", "-input=false", "-no-color"]).status).toBe(0);
    const empty = terraform(["plan", "-input=false", "-no-color"], { TF_VAR_smtp_password: "s3cret" });
    expect(empty.status).toBe(1);
    expect(empty.output.replace(/\s+/g, " ")).toContain("TF_VAR_mattermost_licence is empty: export it before deploying production-workspaces.");
    expect(empty.output.match(/Error: Invalid value for variable/g)).toHaveLength(1);
    expect(empty.output).toContain('var.mattermost_licence is ""');
    const set = terraform(["plan", "-input=false", "-no-color"], { TF_VAR_smtp_password: "s3cret", TF_VAR_mattermost_licence: "licence" });
    expect(set.output).toContain('+ planned = "yes"');
    expect(set.status).toBe(0);
  });

  test("its own state is a relative local file; it is not a workspace it manages", () => {
    expect(ws.terraform.backend).toEqual({ local: { path: "../../../state/production-workspaces.tfstate" } });
    expect(ws.terraform.cloud).toBeUndefined();
  });

  test("the three stacks never read the workspaces stack's state", () => {
    for (const kind of KINDS) {
      const stack = JSON.stringify(stacks[`production-${kind}`]);
      expect(stack).not.toContain("production-workspaces");
    }
  });

  test("no token or secret literal anywhere: the tfe token comes from TFE_TOKEN, values from variables", () => {
    const text = JSON.stringify(ws);
    expect(text).not.toMatch(/"token"/);
    expect(text).not.toMatch(/atlasv1/);
    for (const variable of resources(ws, "tfe_variable")) expect(variable.value).toMatch(/^\$\{(var\.\w+|jsonencode\(var\.\w+\))\}$/);
    // A secret's only possible default is "nothing" (an optional secret), never a value.
    for (const variable of Object.values<any>(ws.variable ?? {})) if (variable.sensitive && "default" in variable) expect(["", null]).toContain(variable.default);
  });
});

describe("secrets: each sensitive variable a stack declares is a sensitive variable of its workspace", () => {
  const stacks = synthEnvironments([environment("prod", externalCloudInput())]);
  const ws = stacks["prod-workspaces"];
  const key = (kind: string) => workspaceNamed(ws, `mattermost-prod-${kind}`).key;

  test("the existing server's admin password goes to the database workspace only, sensitive", () => {
    expect(stacks["prod-database"].variable!.database_admin_password.sensitive).toBe(true);
    expect(variablesOf(ws, key("database")).database_admin_password).toMatchObject({
      category: "terraform",
      sensitive: true,
      hcl: false,
      value: "${var.database_admin_password}",
    });
    expect(variablesOf(ws, key("storage"))).not.toHaveProperty("database_admin_password");
    expect(variablesOf(ws, key("app"))).not.toHaveProperty("database_admin_password");
  });

  test("the bucket's keys go to the storage workspace: the secret key sensitive, the key id not", () => {
    const storage = variablesOf(ws, key("storage"));
    expect(storage.storage_secret_access_key).toMatchObject({ sensitive: true, value: "${var.storage_secret_access_key}" });
    expect(storage.storage_access_key_id).toMatchObject({ sensitive: false, value: "${var.storage_access_key_id}" });
  });

  test("the workspaces stack asks for each secret once, as a sensitive variable (TF_VAR_<name>)", () => {
    expect(ws.variable!.database_admin_password).toMatchObject({ type: "string", sensitive: true });
    expect(ws.variable!.storage_secret_access_key).toMatchObject({ type: "string", sensitive: true });
    expect(ws.variable!.storage_access_key_id.sensitive).toBe(false);
  });
});

describe("the variable list is derived from the stacks' construct trees", () => {
  function build(declare: (stacks: Record<(typeof KINDS)[number], TerraformStack>) => void): StackJson {
    const app = Testing.app();
    const backend = environment("prod", externalCloudInput()).config.backend;
    if (backend.kind !== "cloud") throw new Error("cloud backend expected");
    const stacks = { database: new TerraformStack(app, "prod-database"), storage: new TerraformStack(app, "prod-storage"), app: new TerraformStack(app, "prod-app") };
    declare(stacks);
    const managed = (kind: (typeof KINDS)[number]) => ({ stack: stacks[kind], state: stateLocation(backend, `prod-${kind}`) });
    const ws = new WorkspacesStack(app, "prod-workspaces", {
      environmentName: "prod",
      backend,
      stacks: { database: managed("database"), storage: managed("storage"), app: managed("app") },
    });
    return JSON.parse(Testing.synth(ws));
  }

  test("a secret a stack adds later appears on its workspace; one input per name even when two stacks declare it", () => {
    const ws = build((stacks) => {
      new TerraformVariable(stacks.app, "mattermost_licence", { type: "string", sensitive: true });
      new TerraformVariable(stacks.app, "shared_secret", { type: "string", sensitive: true });
      new TerraformVariable(stacks.database, "shared_secret", { type: "string", sensitive: true });
      new TerraformVariable(stacks.app, "replicas_hint", { type: "number", default: 2 });
    });
    expect(Object.keys(ws.variable!).sort()).toEqual(["mattermost_licence", "shared_secret"]);
    const app = variablesOf(ws, workspaceNamed(ws, "mattermost-prod-app").key);
    const database = variablesOf(ws, workspaceNamed(ws, "mattermost-prod-database").key);
    expect(Object.keys(app).sort()).toEqual(["mattermost_licence", "shared_secret"]);
    expect(Object.keys(database)).toEqual(["shared_secret"]);
    expect(app.shared_secret.value).toBe(database.shared_secret.value);
  });

  test("a non-string variable without default is passed as HCL", () => {
    const ws = build((stacks) => new TerraformVariable(stacks.app, "allowed_ranges", { type: "list(string)" }));
    const app = variablesOf(ws, workspaceNamed(ws, "mattermost-prod-app").key);
    expect(app.allowed_ranges).toMatchObject({ hcl: true, sensitive: false, value: "${jsonencode(var.allowed_ranges)}" });
  });
});

describe("backend settings", () => {
  const synthWith = (backend: Record<string, unknown>) => synthEnvironments([environment("prod", { ...awsInput(), backend: cloud(backend) })])["prod-workspaces"];

  test("agent execution: every workspace runs on the agent pool", () => {
    const ws = synthWith({ executionMode: "agent", agentPoolId: "apool-AbCd1234" });
    for (const settings of resources(ws, "tfe_workspace_settings")) expect(settings).toMatchObject({ execution_mode: "agent", agent_pool_id: "apool-AbCd1234" });
  });

  test("project by name: the stack creates it and puts the workspaces in it", () => {
    const ws = synthWith({ project: "Mattermost" });
    const projects = Object.entries(ws.resource!.tfe_project);
    expect(projects).toHaveLength(1);
    expect(projects[0][1]).toMatchObject({ name: "Mattermost", organization: "example-org" });
    for (const workspace of resources(ws, "tfe_workspace")) expect(workspace.project_id).toBe(`\${tfe_project.${projects[0][0]}.id}`);
  });

  test("an existing project by id: no project is created", () => {
    const ws = synthWith({ projectId: "prj-AbCd1234" });
    expect(resources(ws, "tfe_project")).toEqual([]);
    for (const workspace of resources(ws, "tfe_workspace")) expect(workspace.project_id).toBe("prj-AbCd1234");
  });

  test("terraform version, extra tags and a VCS repository", () => {
    const ws = synthWith({
      terraformVersion: "~> 1.14.0",
      tags: ["team:chat"],
      vcs: { repository: "example/mattermost-deploy", branch: "main", oauthTokenId: "ot-AbCd1234" },
    });
    const { body } = workspaceNamed(ws, "mattermost-prod-database");
    expect(body).toMatchObject({
      terraform_version: "~> 1.14.0",
      tag_names: ["mattermost", "env:prod", "stack:database", "team:chat"],
      file_triggers_enabled: true,
      working_directory: "cdktf.out/stacks/prod-database",
      vcs_repo: { identifier: "example/mattermost-deploy", branch: "main", oauth_token_id: "ot-AbCd1234" },
      speculative_enabled: false,
    });
  });

  test("speculative plans of pull requests only when asked for (they run unreviewed code with the workspace's secrets)", () => {
    const vcs = { repository: "example/mattermost-deploy", oauthTokenId: "ot-AbCd1234" };
    for (const workspace of resources(synthWith({ vcs }), "tfe_workspace")) expect(workspace.speculative_enabled).toBe(false);
    for (const workspace of resources(synthWith({ vcs, speculativePlans: true }), "tfe_workspace")) expect(workspace.speculative_enabled).toBe(true);
    expect(problemsOf({ ...localInput(), backend: cloud({ speculativePlans: "yes" }) })).toEqual([expect.stringMatching(/prod\.yaml: backend\.speculativePlans: /)]);
  });

  test("a working directory without a repository is refused by the construct (it would upload the repository root)", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const state = { kind: "cloud", hostname: "app.terraform.io", organization: "o", workspace: "w", stack: "s" } as const;
    const props = { state, description: "d", terraformVersion: "1.11.0", executionMode: "remote", tags: [], workingDirectory: "cdktf.out/stacks/s" } as const;
    expect(() => new TerraformCloudWorkspace(stack, "ws", props)).toThrow(/workingDirectory is only for VCS-driven workspaces/);
  });

  test("its own state in a workspace of its own: default name, or the one given", () => {
    expect(synthWith({ workspacesState: { kind: "workspace" } }).terraform.cloud).toMatchObject({
      organization: "example-org",
      workspaces: { name: "mattermost-prod-workspaces" },
    });
    expect(synthWith({ workspacesState: { kind: "workspace", name: "tfc-admin" } }).terraform.cloud.workspaces.name).toBe("tfc-admin");
    expect(synthWith({ workspacesState: { kind: "local", stateDir: "admin-state" } }).terraform.backend).toEqual({
      local: { path: "../../../admin-state/prod-workspaces.tfstate" },
    });
  });

  test("a workspacesState name that is one of the stacks' workspaces fails, naming the key and the fix", () => {
    expect(() => synthWith({ workspacesState: { kind: "workspace", name: "mattermost-prod-app" } })).toThrow(
      /backend\.workspacesState\.name: "mattermost-prod-app" is the workspace of one of the stacks it creates; choose another name/,
    );
  });

  test("no cdktf stack dependency: each stack deploys alone (the order is the docs' and the summary's, see cli.test.ts)", () => {
    const built = addEnvironmentStacks(new App({ outdir: "unused" }), environment("prod", { ...awsInput(), backend: cloud() }));
    for (const kind of KINDS) expect(built[kind].dependencies).toEqual([]);
    expect(addEnvironmentStacks(new App({ outdir: "unused" }), environment("dev", localInput())).workspaces).toBeUndefined();
  });
});

describe("bad backend settings fail at synth naming the key and the fix", () => {
  const withBackend = (backend: Record<string, unknown>) => ({ ...localInput(), backend });

  test("a cloud backend without an organization", () => {
    expect(problemsOf(withBackend({ kind: "cloud" }))).toEqual([
      expect.stringMatching(/prod\.yaml: backend\.organization: is required with backend\.kind cloud; add organization: <your Terraform Cloud organization name>/),
    ]);
  });

  test("agent execution without an agent pool", () => {
    expect(problemsOf(withBackend(cloud({ executionMode: "agent" })))).toEqual([
      expect.stringMatching(/prod\.yaml: backend\.agentPoolId: is required when backend\.executionMode is agent; add agentPoolId: apool-\.\.\./),
    ]);
  });

  test("an agent pool without agent execution", () => {
    expect(problemsOf(withBackend(cloud({ agentPoolId: "apool-AbCd1234" })))).toEqual([
      expect.stringMatching(/backend\.agentPoolId: is only used with executionMode agent \(executionMode is remote\); remove it or set executionMode: agent/),
    ]);
  });

  test("both project and projectId", () => {
    expect(problemsOf(withBackend(cloud({ project: "Mattermost", projectId: "prj-AbCd1234" })))).toEqual([
      expect.stringMatching(/backend\.projectId: and backend\.project both name a project; keep project .* or projectId/),
    ]);
  });

  test("an invalid tag, execution mode, Terraform version or agent pool id", () => {
    expect(problemsOf(withBackend(cloud({ tags: ["Team Chat"] })))).toEqual([expect.stringMatching(/backend\.tags\.0: must be lowercase letters, digits/)]);
    expect(problemsOf(withBackend(cloud({ executionMode: "cloud" })))).toEqual([expect.stringMatching(/backend\.executionMode: /)]);
    expect(problemsOf(withBackend(cloud({ terraformVersion: "latest" })))).toEqual([expect.stringMatching(/backend\.terraformVersion: must be a release such as 1\.14\.1/)]);
    expect(problemsOf(withBackend(cloud({ executionMode: "agent", agentPoolId: "pool1" })))).toEqual([expect.stringMatching(/backend\.agentPoolId: must be an agent pool id such as apool-/)]);
  });

  test("a VCS repository without exactly one connection", () => {
    expect(problemsOf(withBackend(cloud({ vcs: { repository: "example/deploy" } })))).toEqual([
      expect.stringMatching(/backend\.vcs: needs exactly one of oauthTokenId \(ot-\.\.\.\) or githubAppInstallationId/),
    ]);
  });

  test("an absolute stateDir for the workspaces stack's own state", () => {
    expect(problemsOf(withBackend(cloud({ workspacesState: { kind: "local", stateDir: "/var/state" } })))).toEqual([
      expect.stringMatching(/backend\.workspacesState\.stateDir: must be a relative folder/),
    ]);
  });
});
