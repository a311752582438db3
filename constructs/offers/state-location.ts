import {
  DataTerraformRemoteState,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  LocalBackend,
  S3Backend,
  TerraformBackend,
  TerraformRemoteState,
  TerraformStack,
} from "cdktf";
import { Construct } from "constructs";
import type { BackendConfig } from "../../config/schema/backend";

/**
 * Where one stack keeps its state. The producer configures its backend from it and every consumer
 * builds its `terraform_remote_state` from the very same value, so the two cannot disagree.
 */
export type StateLocation = (
  | { readonly kind: "local"; readonly path: string }
  | { readonly kind: "cloud"; readonly hostname: string; readonly organization: string; readonly workspace: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly key: string; readonly region: string; readonly dynamodbTable?: string }
) & {
  /** The id of the stack whose state this is: consumers name it when it must be deployed first. */
  readonly stack: string;
};

/**
 * The state location of stack `stackId` under an environment's `backend` settings.
 *
 * Local paths are relative to the stack's working directory (`cdktf.out/stacks/<stack id>`), so the
 * files land in `<stateDir>/` at the project root and the JSON holds no path of the machine.
 */
export function stateLocation(backend: BackendConfig, stackId: string): StateLocation {
  switch (backend.kind) {
    case "local":
      return { kind: "local", stack: stackId, path: `../../../${backend.stateDir.replace(/\/+$/, "")}/${stackId}.tfstate` };
    case "cloud":
      return { kind: "cloud", stack: stackId, hostname: backend.hostname, organization: backend.organization, workspace: `${backend.workspacePrefix}${stackId}` };
    case "s3":
      return {
        kind: "s3",
        stack: stackId,
        bucket: backend.bucket,
        key: `${backend.keyPrefix}/${stackId}.tfstate`,
        region: backend.region,
        ...(backend.dynamodbTable ? { dynamodbTable: backend.dynamodbTable } : {}),
      };
  }
}

/** Configures `stack` to keep its state at `location`. */
export function storeStateAt(stack: TerraformStack, location: StateLocation): void {
  switch (location.kind) {
    case "local":
      new LocalBackend(stack, { path: location.path });
      return;
    case "cloud":
      new TerraformCloudBlock(stack, location);
      return;
    case "s3": {
      const backend = new S3Backend(stack, {
        bucket: location.bucket,
        key: location.key,
        region: location.region,
        encrypt: true,
        ...(location.dynamodbTable ? { dynamodbTable: location.dynamodbTable } : {}),
      });
      // cdktf 0.21 predates S3-native locking (Terraform >= 1.10): set it by override. Always on:
      // DynamoDB locking is deprecated (Terraform 1.11); a table only adds its lock (docs/backends.md).
      backend.addOverride("use_lockfile", true);
      return;
    }
  }
}

/** A `terraform_remote_state` data source reading the state at `location`. */
export function readStateAt(scope: Construct, id: string, location: StateLocation): TerraformRemoteState {
  switch (location.kind) {
    case "local":
      return new DataTerraformRemoteStateLocal(scope, id, { path: location.path });
    case "cloud":
      // Needs the producer workspace to share its whole state with this one, not only its outputs.
      // The producers' states hold nothing secret but their offer (state-contents.ts, tested), so
      // this gives the app what tfe_outputs would, without the standing API token tfe_outputs needs
      // in the consumer's workspace (README, Offers).
      return new DataTerraformRemoteState(scope, id, {
        hostname: location.hostname,
        organization: location.organization,
        workspaces: { name: location.workspace },
      });
    case "s3":
      return new DataTerraformRemoteStateS3(scope, id, { bucket: location.bucket, key: location.key, region: location.region });
  }
}

/**
 * The `terraform { cloud { ... } }` block. cdktf's own CloudBackend runs `terraform version` during
 * synth, which fails on machines without terraform (CI, review bots); this one only writes JSON.
 */
class TerraformCloudBlock extends TerraformBackend {
  constructor(scope: Construct, private readonly location: Extract<StateLocation, { kind: "cloud" }>) {
    super(scope, "backend", "cloud");
  }

  public toTerraform(): object {
    return {
      terraform: {
        cloud: {
          hostname: this.location.hostname,
          organization: this.location.organization,
          workspaces: { name: this.location.workspace },
        },
      },
    };
  }

  public toMetadata(): object {
    return { backend: "cloud", cloud: this.location.hostname.startsWith("app.terraform.io") ? "tfc" : "tfe" };
  }

  public getRemoteStateDataSource(scope: Construct, name: string, _fromStack: string): TerraformRemoteState {
    return readStateAt(scope, name, this.location);
  }
}
