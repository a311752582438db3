import { z } from "zod";
import { crossField, EVEN_AFTER_FIELD_ERRORS } from "./cross-field";

/** State in a file per stack under `stateDir` (relative to the project root; never an absolute path). */
export const localBackendSchema = z
  .object({
    kind: z.literal("local"),
    /** Folder for the state files, relative to the project root. Default `state`. */
    stateDir: z
      .string()
      .regex(/^(?!\/)(?![A-Za-z]:)[^\0]+$/, "must be a relative folder such as state (absolute paths break on other machines)")
      .default("state"),
  })
  .strict();

/** Terraform version the workspaces run: a release (checked at synth) or a `~>` constraint. */
export const DEFAULT_TERRAFORM_VERSION = "1.14.1";

/** Terraform Cloud tag names: lowercase letters, digits, ':' and '-', starting and ending alphanumeric. */
const TAG_NAME = /^[a-z0-9](?:[a-z0-9:-]*[a-z0-9])?$/;

/** Where the `<env>-workspaces` stack keeps its own state. */
export const workspacesStateSchema = z.discriminatedUnion("kind", [
  // Same as the stacks' local backend: a relative state file under stateDir.
  localBackendSchema,
  z
    .object({
      kind: z.literal("workspace"),
      /** Workspace name. Default `<workspacePrefix><env>-workspaces`. */
      name: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/, "may hold only letters, digits, '-' and '_' (Terraform Cloud workspace names)")
        .optional(),
    })
    .strict(),
]);

/** A VCS connection for VCS-driven runs (each workspace runs in `cdktf.out/stacks/<stack id>`). */
export const vcsSchema = z
  .object({
    /** `<vcs organization>/<repository>` as the VCS provider names it. */
    repository: z.string().regex(/^[^/\s]+\/[^\s]+$/, "must be <vcs organization>/<repository>, e.g. example/mattermost-deploy"),
    /** Branch the runs use. Default: the repository's default branch. */
    branch: z.string().min(1).optional(),
    /** VCS connection through an OAuth client (`ot-...`, Organization settings > VCS providers). */
    oauthTokenId: z.string().regex(/^ot-\w+$/, "must be an OAuth token id such as ot-AbCd1234 (Organization settings > VCS providers)").optional(),
    /** VCS connection through the GitHub App (`ghain-...`). */
    githubAppInstallationId: z.string().regex(/^ghain-\w+$/, "must be a GitHub App installation id such as ghain-AbCd1234").optional(),
  })
  .strict();

/**
 * Terraform Cloud / Enterprise: one workspace per stack, named `<workspacePrefix><stack id>`. The
 * `<env>-workspaces` stack creates those workspaces with the settings below.
 */
export const cloudBackendSchema = z
  .object({
    kind: z.literal("cloud"),
    // prefault runs "" through min(1), so a missing organization gets this message, fix included.
    organization: z
      .string()
      .min(1, "is required with backend.kind cloud; add organization: <your Terraform Cloud organization name> (the name in app.terraform.io/app/<organization>)")
      .prefault(""),
    /** Prepended to the stack id to name each stack's workspace. Default `mattermost-`. */
    workspacePrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]*$/, "may hold only letters, digits, '-' and '_' (Terraform Cloud workspace names)")
      .default("mattermost-"),
    /** Terraform Enterprise host name. Default `app.terraform.io`. */
    hostname: z.string().min(1).default("app.terraform.io"),
    /** A project the workspaces stack creates and owns, by name. Default: the organization's default project. */
    project: z.string().min(1).max(40, "must be at most 40 characters (Terraform Cloud project names)").optional(),
    /** An existing project (`prj-...`) for the workspaces, instead of `project`. */
    projectId: z.string().regex(/^prj-\w+$/, "must be a project id such as prj-AbCd1234 (the project's settings page)").optional(),
    /** Terraform version of every workspace. Default a pinned release. */
    terraformVersion: z
      .string()
      .regex(/^(~>\s*)?\d+\.\d+\.\d+$/, "must be a release such as 1.14.1 or a constraint such as ~> 1.14.0")
      .default(DEFAULT_TERRAFORM_VERSION),
    /** `remote` (Terraform Cloud's runners), `agent` (your agent pool) or `local` (state only). Default `remote`. */
    executionMode: z.enum(["remote", "agent", "local"]).default("remote"),
    /** The agent pool (`apool-...`) for executionMode agent, e.g. inside the VPC of a private database. */
    agentPoolId: z.string().regex(/^apool-\w+$/, "must be an agent pool id such as apool-AbCd1234 (Organization settings > Agents)").optional(),
    /** Extra tags on every workspace, beside `mattermost`, `env:<env>` and `stack:<kind>`. */
    tags: z.array(z.string().regex(TAG_NAME, "must be lowercase letters, digits, ':' and '-', starting and ending with a letter or digit")).default([]),
    /** VCS-driven runs; without it runs are CLI-driven (`cdktf deploy <stack>`). */
    vcs: vcsSchema.optional(),
    /**
     * Speculative plans of pull requests (VCS-driven runs). Default false: such a plan runs the
     * pull request's configuration, unreviewed, with the workspace's secrets and on its runner
     * (an agent inside the VPC). Turn on only when everyone who can open a pull request may
     * read those secrets.
     */
    speculativePlans: z.boolean().default(false),
    /** Where the workspaces stack keeps its own state. Default a local file under `state/`. */
    workspacesState: workspacesStateSchema.prefault({ kind: "local" }),
  })
  .strict()
  .superRefine(crossField((backend, ctx) => {
    const problem = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
    if (backend.executionMode === "agent" && !backend.agentPoolId) {
      problem("agentPoolId", "is required when backend.executionMode is agent; add agentPoolId: apool-... (Organization settings > Agents) or use executionMode: remote");
    }
    if (backend.executionMode !== "agent" && backend.agentPoolId) {
      problem("agentPoolId", `is only used with executionMode agent (executionMode is ${backend.executionMode}); remove it or set executionMode: agent`);
    }
    if (backend.project && backend.projectId) {
      problem("projectId", "and backend.project both name a project; keep project (created by the workspaces stack) or projectId (an existing project)");
    }
    if (backend.vcs && !backend.vcs.oauthTokenId === !backend.vcs.githubAppInstallationId) {
      problem("vcs", "needs exactly one of oauthTokenId (ot-...) or githubAppInstallationId (ghain-...) to connect the repository");
    }
  }), EVEN_AFTER_FIELD_ERRORS);

/**
 * An S3 bucket: one key per stack under `keyPrefix`, encrypted, locked by a lock file next to the
 * state (`use_lockfile`, Terraform >= 1.10). DynamoDB locking is deprecated in Terraform 1.11
 * (developer.hashicorp.com/terraform/language/backend/s3; terraform 1.11 warns "The parameter
 * "dynamodb_table" is deprecated. Use parameter "use_lockfile" instead."): `dynamodbTable` only
 * adds the old lock beside the lock file while a team migrates. See docs/backends.md.
 */
export const s3BackendSchema = z
  .object({
    kind: z.literal("s3"),
    bucket: z.string().min(3, "name the S3 bucket that holds the state"),
    region: z.string().min(1, "name the bucket's AWS region, e.g. eu-west-1"),
    /** Key prefix; each stack's state is `<keyPrefix>/<stack id>.tfstate`. Default `mattermost`. */
    keyPrefix: z.string().regex(/^[^/].*[^/]$|^[^/]$/, "must not start or end with '/'").default("mattermost"),
    /**
     * Deprecated (Terraform 1.11): a DynamoDB table locked too, beside the lock file, while users
     * on older Terraform still share the state. Remove it once everyone runs Terraform >= 1.10.
     */
    dynamodbTable: z.string().min(1).optional(),
  })
  .strict();

export const backendSchema = z.discriminatedUnion("kind", [localBackendSchema, cloudBackendSchema, s3BackendSchema]);

export type BackendConfig = z.output<typeof backendSchema>;
export type CloudBackendConfig = Extract<BackendConfig, { kind: "cloud" }>;
