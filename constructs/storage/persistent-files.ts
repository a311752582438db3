import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";

/** Props of {@link PersistentFiles}. */
export interface PersistentFilesProps {
  readonly environmentName: string;
  /** The namespace the claim lives in (MattermostNamespace, in the same stack: it dies with the claim). */
  readonly namespace: string;
  /** Requested size, e.g. `10Gi`. */
  readonly size: string;
  /** Storage class; the cluster's default when omitted. */
  readonly storageClassName?: string;
  readonly accessMode: string;
}

/**
 * The PersistentVolumeClaim for `/mattermost/data`. Deleting a namespace deletes its claims, so
 * the stack that holds the claim also holds its namespace.
 */
export class PersistentFiles extends Construct {
  public readonly claimName: string;

  constructor(scope: Construct, id: string, props: PersistentFilesProps) {
    super(scope, id);
    const labels = mattermostLabels(props.environmentName, "files");
    const claim = new PersistentVolumeClaimV1(this, "claim", {
      metadata: { name: `mattermost-${props.environmentName}-files`, namespace: props.namespace, labels },
      spec: {
        accessModes: [props.accessMode],
        resources: { requests: { storage: props.size } },
        ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
      },
      // With WaitForFirstConsumer classes the claim binds only when the app's pod starts.
      waitUntilBound: false,
      lifecycle: { preventDestroy: true },
    });
    this.claimName = claim.metadata.name;
  }
}
