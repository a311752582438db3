import { Project } from "@cdktf/provider-tfe/lib/project";
import { TfeProvider } from "@cdktf/provider-tfe/lib/provider";
import { Fn, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { CloudBackendConfig } from "../config/schema/backend";
import { StateLocation, stateLocation, storeStateAt } from "../constructs/offers/state-location";
import { TerraformCloudWorkspace } from "../constructs/terraform-cloud/terraform-cloud-workspace";

/** The role a stack plays in its environment. */
export type StackKind = "database" | "storage" | "app";

/** One of the environment's stacks and where its state lives. */
export interface ManagedStack {
  readonly stack: TerraformStack;
  /** The very location the stack's `cloud` block was built from. */
  readonly state: StateLocation;
}

/** Props of {@link WorkspacesStack}. */
export interface WorkspacesStackProps {
  readonly environmentName: string;
  readonly backend: CloudBackendConfig;
  readonly stacks: Readonly<Record<StackKind, ManagedStack>>;
}

/** A Terraform variable a stack declares that its workspace must supply. */
export interface DeclaredVariable {
  readonly name: string;
  readonly sensitive: boolean;
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
}

/**
 * The variables of `stack` a run needs from its workspace: every sensitive variable (secrets come
 * from the workspace, never from a file) and every other variable without a default. Read from the
 * built construct tree, so a variable a stack adds later is picked up without touching this file.
 */
export function declaredVariables(stack: TerraformStack): DeclaredVariable[] {
  return stack.node
    .findAll()
    .filter((c): c is TerraformVariable => c instanceof TerraformVariable)
    .filter((v) => v.sensitive === true || v.default === undefined)
    .map((v) => ({
      name: v.friendlyUniqueId,
      sensitive: v.sensitive === true,
      ...(v.type ? { type: v.type } : {}),
      ...(v.description ? { description: v.description } : {}),
      ...(v.default !== undefined ? { default: v.default } : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const DESCRIPTIONS: Record<StackKind, string> = {
  database: "PostgreSQL for Mattermost and the database offer",
  storage: "Mattermost's file storage and the storage offer",
  app: "the Mattermost workload in Kubernetes",
};

/**
 * `<env>-workspaces`: the Terraform Cloud side of an environment whose backend is `cloud`. It
 * creates the three stacks' workspaces under the names their `cloud` blocks use, shares the
 * database and storage state with the app workspace only, and fills each workspace's variables
 * from this stack's own variables, so every secret is entered once (`TF_VAR_<name>`).
 *
 * The tfe provider reads its token from `TFE_TOKEN`; no token ever appears in the configuration.
 */
export class WorkspacesStack extends TerraformStack {
  /** The workspaces by stack kind. */
  public readonly workspaces: Readonly<Record<StackKind, TerraformCloudWorkspace>>;

  constructor(scope: Construct, id: string, props: WorkspacesStackProps) {
    super(scope, id);
    const { backend } = props;
    const own = workspacesStackState(backend, id);
    const managed = Object.values(props.stacks).map((m) => (m.state.kind === "cloud" ? m.state.workspace : ""));
    if (own.kind === "cloud" && managed.includes(own.workspace)) {
      throw new Error(`backend.workspacesState.name: "${own.workspace}" is the workspace of one of the stacks it creates; choose another name such as ${backend.workspacePrefix}${id}`);
    }
    storeStateAt(this, own);
    new TfeProvider(this, "tfe", { hostname: backend.hostname, organization: backend.organization });

    const projectId = backend.project
      ? new Project(this, "project", { name: backend.project, organization: backend.organization }).id
      : backend.projectId;

    const workspace = (kind: StackKind): TerraformCloudWorkspace => {
      const { stack, state } = props.stacks[kind];
      if (state.kind !== "cloud") throw new Error(`${stack.node.id}: keeps its state in ${state.kind}, not in Terraform Cloud`);
      return new TerraformCloudWorkspace(this, kind, {
        state,
        description: `${stack.node.id}: ${DESCRIPTIONS[kind]} (mattermost-cdktf, environment ${props.environmentName})`,
        terraformVersion: backend.terraformVersion,
        executionMode: backend.executionMode,
        ...(backend.agentPoolId ? { agentPoolId: backend.agentPoolId } : {}),
        ...(projectId ? { projectId } : {}),
        tags: [...new Set(["mattermost", `env:${props.environmentName}`, `stack:${kind}`, ...backend.tags])],
        // VCS-driven runs plan the committed cdktf.out/stacks/<stack id>. CLI-driven runs have no
        // working directory: terraform then uploads only the folder cdktf runs it in, that same
        // cdktf.out/stacks/<stack id>, never the repository root.
        ...(backend.vcs ? { repository: backend.vcs, workingDirectory: `cdktf.out/stacks/${stack.node.id}` } : {}),
        speculativePlans: backend.speculativePlans,
      });
    };
    const workspaces = { database: workspace("database"), storage: workspace("storage"), app: workspace("app") };
    // The offers' consumer is the app and nobody else (juju offer + juju consume).
    workspaces.database.shareStateWith(workspaces.app);
    workspaces.storage.shareStateWith(workspaces.app);
    // A change the database or storage workspace applies queues a plan of the app workspace (the
    // relation-changed hook), which waits for confirmation like every run.
    workspaces.app.queueRunsAfter(workspaces.database);
    workspaces.app.queueRunsAfter(workspaces.storage);
    this.workspaces = workspaces;

    this.passVariables(props.stacks);
  }

  /** One input per distinct variable name, handed to every workspace whose stack declares it. */
  private passVariables(stacks: Readonly<Record<StackKind, ManagedStack>>): void {
    const inputs = new Map<string, TerraformVariable>();
    const declared = (Object.keys(stacks) as StackKind[]).flatMap((kind) =>
      declaredVariables(stacks[kind].stack).map((variable) => ({ kind, variable })),
    );
    const sensitiveNames = new Set(declared.filter((d) => d.variable.sensitive).map((d) => d.variable.name));
    for (const { kind, variable } of declared) {
      const sensitive = sensitiveNames.has(variable.name);
      let input = inputs.get(variable.name);
      if (!input) {
        input = new TerraformVariable(this, variable.name, {
          type: variable.type ?? "string",
          sensitive,
          description: `${variable.description ?? variable.name} (set as a ${sensitive ? "sensitive " : ""}variable of the workspaces of the stacks that declare it)`,
          ...(variable.default !== undefined ? { default: variable.default } : {}),
          // An empty secret would overwrite the value the workspace holds (a deploy without the
          // TF_VAR_ exported): refuse it at plan, before any tfe_variable changes.
          ...(sensitive ? { nullable: false, validation: [neverEmpty(variable.name, this.node.id)] } : {}),
        });
        inputs.set(variable.name, input);
      }
      const plainString = variable.type === undefined || variable.type === "string";
      this.workspaces[kind].addVariable(variable.name, {
        value: plainString ? input.stringValue : Fn.jsonencode(input.value),
        hcl: !plainString,
        sensitive,
        ...(variable.description ? { description: variable.description } : {}),
      });
    }
  }
}

/** The validation of a secret input: not empty, naming the variable to export and why. */
function neverEmpty(name: string, stackId: string) {
  return {
    condition: `\${length(var.${name}) > 0}`,
    errorMessage: `TF_VAR_${name} is empty: export it before deploying ${stackId}. An empty value would overwrite the secret the workspace holds; to keep it, export the same value again.`,
  };
}

/** Where the workspaces stack keeps its own state: a local file by default, or a workspace of its own. */
export function workspacesStackState(backend: CloudBackendConfig, stackId: string): StateLocation {
  const own = backend.workspacesState;
  if (own.kind === "local") return stateLocation({ kind: "local", stateDir: own.stateDir }, stackId);
  const location = stateLocation(backend, stackId);
  return own.name && location.kind === "cloud" ? { ...location, workspace: own.name } : location;
}
