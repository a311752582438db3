import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";

/** Props of {@link PersistentFiles}. */
export interface PersistentFilesProps {
  readonly environmentName: string;
  /** Namespace to create; it holds the claim, so it lives and dies with the files. */
  readonly namespace: string;
  /** Requested size, e.g. `10Gi`. */
  readonly size: string;
  /** Storage class; the cluster's default when omitted. */
  readonly storageClassName?: string;
  readonly accessMode: string;
}

/**
 * Mattermost's namespace and the PersistentVolumeClaim for `/mattermost/data`. Deleting a namespace
 * deletes its claims, so whoever holds the claim must also hold the namespace.
 */
export class PersistentFiles extends Construct {
  public readonly claimName: string;
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: PersistentFilesProps) {
    super(scope, id);
    const labels = mattermostLabels(props.environmentName, "files");
    const namespace = new NamespaceV1(this, "namespace", {
      metadata: { name: props.namespace, labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted" } },
      // Deleting the namespace deletes the claim in it, and with it (usually) the volume.
      lifecycle: { preventDestroy: true },
    });
    const claim = new PersistentVolumeClaimV1(this, "claim", {
      metadata: { name: `mattermost-${props.environmentName}-files`, namespace: namespace.metadata.name, labels },
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
    this.namespace = namespace.metadata.name;
  }
}
