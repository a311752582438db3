import { RunTrigger } from "@cdktf/provider-tfe/lib/run-trigger";
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
  /**
   * With `repository` only: the folder the runs execute in, relative to the repository root
   * (`cdktf.out/stacks/<stack id>`). Refused without a repository: for a CLI-driven run terraform
   * uploads the folder it runs in minus this suffix (hashicorp/terraform,
   * internal/cloud/backend_plan.go, the configuration upload of `(*Cloud).plan`:
   * `strings.TrimSuffix(configDir, w.WorkingDirectory)`), so a
   * working directory would upload the whole repository root (node_modules, dist/, local state
   * files) instead of the stack's own folder.
   */
  readonly workingDirectory?: string;
  /** Default: none, runs are CLI-driven. */
  readonly repository?: WorkspaceRepository;
  /**
   * Speculative plans of pull requests (VCS-driven runs). Default false: such a plan runs the pull
   * request's configuration, before anyone reviewed it, with the workspace's variables and on its
   * runner (an agent inside the VPC), so any `data "external"` or provider in the change reads
   * the secrets. tfe: "Setting this to false prevents ... running plans on pull requests, which can
   * improve security if the VCS repository is public or includes untrusted contributors".
   */
  readonly speculativePlans?: boolean;
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
  private readonly triggers = new Map<TerraformCloudWorkspace, RunTrigger>();

  constructor(scope: Construct, id: string, props: TerraformCloudWorkspaceProps) {
    super(scope, id);
    if ((props.executionMode === "agent") !== (props.agentPoolId !== undefined)) {
      throw new Error(`${this.node.path}: agentPoolId is required with executionMode agent and refused otherwise (executionMode is ${props.executionMode})`);
    }
    if (props.workingDirectory !== undefined && !props.repository) {
      throw new Error(`${this.node.path}: workingDirectory is only for VCS-driven workspaces (repository); a CLI-driven run would upload the repository root`);
    }
    this.name = props.state.workspace;
    const workspace = new Workspace(this, "workspace", {
      name: props.state.workspace,
      organization: props.state.organization,
      description: props.description,
      terraformVersion: props.terraformVersion,
      ...(props.workingDirectory !== undefined ? { workingDirectory: props.workingDirectory } : {}),
      tagNames: [...props.tags],
      ...(props.projectId ? { projectId: props.projectId } : {}),
      // Plans are reviewed before anything changes, runs a trigger queues included.
      autoApply: false,
      speculativeEnabled: props.speculativePlans ?? false,
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

  /**
   * Lets `consumer`'s runs read this workspace's state, as `juju consume` would: the whole state,
   * not only its outputs, so a producer shares only a state that holds nothing secret but its offer
   * (constructs/offers/state-contents.ts).
   */
  public shareStateWith(consumer: TerraformCloudWorkspace): void {
    if (!this.consumers.includes(consumer)) this.consumers.push(consumer);
  }

  /**
   * Queues a run (a plan waiting for confirmation: auto-apply is off) of this workspace whenever a
   * run of `source` applies successfully: the relation-changed hook of this world. tfe_run_trigger:
   * "allow runs to queue automatically in your workspace on successful apply of runs in any of the
   * source workspaces" (hashicorp/terraform-provider-tfe, website/docs/r/run_trigger.html.markdown).
   */
  public queueRunsAfter(source: TerraformCloudWorkspace): RunTrigger {
    const existing = this.triggers.get(source);
    if (existing) return existing;
    const trigger = new RunTrigger(this, `runs-after-${source.node.id}`, { workspaceId: this.id, sourceableId: source.id });
    this.triggers.set(source, trigger);
    return trigger;
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
