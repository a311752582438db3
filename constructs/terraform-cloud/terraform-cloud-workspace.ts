import { Variable } from "@cdktf/provider-tfe/lib/variable";
import { Workspace } from "@cdktf/provider-tfe/lib/workspace";
import { WorkspaceSettings } from "@cdktf/provider-tfe/lib/workspace-settings";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import type { StateLocation } from "../offers/state-location";

/** How a workspace's runs execute. */
export type ExecutionMode = "remote" | "agent" | "local";

/** A repository that drives runs (VCS-driven workflow). */
export interface WorkspaceRepository {
  /** `<vcs organization>/<repository>`. */
  readonly repository: string;
  /** Default: the repository's default branch. */
  readonly branch?: string;
  /** Exactly one of oauthTokenId and githubAppInstallationId. */
  readonly oauthTokenId?: string;
  readonly githubAppInstallationId?: string;
}

export interface TerraformCloudWorkspaceProps {
  /** The stack's state location: the workspace is created under exactly this name and organization. */
  readonly state: Extract<StateLocation, { kind: "cloud" }>;
  readonly description: string;
  /** Terraform version or `~>` constraint. */
  readonly terraformVersion: string;
  readonly executionMode: ExecutionMode;
  /** Required with executionMode agent, refused otherwise. */
  readonly agentPoolId?: string;
  /** Default: the organization's default project. */
  readonly projectId?: string;
  readonly tags: readonly string[];
  /** Folder the runs execute in, relative to the repository root (`cdktf.out/stacks/<stack id>`). */
  readonly workingDirectory: string;
  /** Default: none, runs are CLI-driven. */
  readonly repository?: WorkspaceRepository;
}

/** A workspace variable's value and how Terraform Cloud treats it. */
export interface WorkspaceVariableOptions {
  readonly value: string;
  /** Write-only in Terraform Cloud: never shown again in the UI or API. */
  readonly sensitive: boolean;
  /** The value is HCL (numbers, lists, maps), not a plain string. Default false. */
  readonly hcl?: boolean;
  readonly description?: string;
}

/**
 * One Terraform Cloud workspace that holds one stack's state and runs its plans: the workspace, its
 * execution and state-sharing settings, and its Terraform variables.
 *
 * State is shared with nobody unless `shareStateWith` names a consumer, never with the whole
 * organization. Execution mode, agent pool and state sharing live in `tfe_workspace_settings`: the
 * same arguments on `tfe_workspace` are deprecated in the tfe provider.
 */
export class TerraformCloudWorkspace extends Construct {
  /** The workspace id (`ws-...`). */
  public readonly id: string;
  public readonly name: string;
  private readonly consumers: TerraformCloudWorkspace[] = [];

  constructor(scope: Construct, id: string, props: TerraformCloudWorkspaceProps) {
    super(scope, id);
    if ((props.executionMode === "agent") !== (props.agentPoolId !== undefined)) {
      throw new Error(`${this.node.path}: agentPoolId is required with executionMode agent and refused otherwise (executionMode is ${props.executionMode})`);
    }
    this.name = props.state.workspace;
    const workspace = new Workspace(this, "workspace", {
      name: props.state.workspace,
      organization: props.state.organization,
      description: props.description,
      terraformVersion: props.terraformVersion,
      workingDirectory: props.workingDirectory,
      tagNames: [...props.tags],
      ...(props.projectId ? { projectId: props.projectId } : {}),
      // Plans are reviewed before anything changes; pull requests get speculative plans.
      autoApply: false,
      speculativeEnabled: true,
      // A new workspace must not start a run before its variables exist.
      queueAllRuns: false,
      ...(props.repository
        ? {
            vcsRepo: vcsRepo(props.repository),
            // Only a change to this stack's synthesized JSON triggers a run.
            fileTriggersEnabled: true,
          }
        : {}),
    });
    this.id = workspace.id;
    new WorkspaceSettings(this, "settings", {
      workspaceId: workspace.id,
      executionMode: props.executionMode,
      ...(props.agentPoolId ? { agentPoolId: props.agentPoolId } : {}),
      globalRemoteState: false,
      remoteStateConsumerIds: Lazy.listValue({ produce: () => this.consumers.map((consumer) => consumer.id) }),
    });
  }

  /** Lets `consumer`'s runs read this workspace's state (outputs), as `juju consume` would. */
  public shareStateWith(consumer: TerraformCloudWorkspace): void {
    if (!this.consumers.includes(consumer)) this.consumers.push(consumer);
  }

  /** A Terraform variable (category terraform) of this workspace. */
  public addVariable(key: string, options: WorkspaceVariableOptions): Variable {
    return new Variable(this, `variable-${key}`, {
      workspaceId: this.id,
      key,
      value: options.value,
      category: "terraform",
      sensitive: options.sensitive,
      hcl: options.hcl ?? false,
      ...(options.description ? { description: options.description } : {}),
    });
  }
}

/** tfe's `vcs_repo` block: the repository is its `identifier`; branch and connection pass as they are. */
function vcsRepo({ repository, ...branchAndConnection }: WorkspaceRepository) {
  return { ...branchAndConnection, identifier: repository };
}
