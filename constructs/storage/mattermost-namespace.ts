import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { importExisting } from "../shared/import-existing";
import { mattermostLabels } from "../shared/labels";

/** Props of {@link MattermostNamespace}. */
export interface MattermostNamespaceProps {
  readonly environmentName: string;
  /** The namespace's name (`kubernetes.namespace`). */
  readonly name: string;
  /**
   * The namespace exists (a Helm release's): an import block puts it in the state instead of
   * creating it (the kubernetes provider's import id for a namespace is its name). Default false.
   */
  readonly adopt?: boolean;
}

/** Address of the namespace in this stack: the one `terraform import` and `state rm` take. */
export const NAMESPACE_ADDRESS = "kubernetes_namespace_v1.namespace";

/** Where releases that made the namespace only for a claim kept it in the storage state. */
export const LEGACY_FILES_NAMESPACE_ADDRESS = "kubernetes_namespace_v1.files_namespace_7989ADAF";

/**
 * Mattermost's namespace (Pod Security `restricted`), held by the storage stack for every kind of
 * storage: it holds what must outlive the app, the claim with local files and the Secrets users
 * create by hand (TLS, SAML IdP certificate). Deleting a namespace deletes everything in it, so it
 * has `prevent_destroy`; docs/storage.md gives the deliberate removal path.
 */
export class MattermostNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: MattermostNamespaceProps) {
    super(scope, id);
    const namespace = new NamespaceV1(this, "namespace", {
      metadata: { name: props.name, labels: { ...mattermostLabels(props.environmentName, "namespace"), "pod-security.kubernetes.io/enforce": "restricted" } },
      lifecycle: { preventDestroy: true },
    });
    namespace.overrideLogicalId("namespace");
    if (props.adopt) importExisting(namespace, props.name);
    // A storage state from a release that made the namespace inside PersistentFiles keeps it: a
    // `moved` block renames it in state (and does nothing when that address is not in the state).
    TerraformStack.of(this).addOverride("moved", [{ from: LEGACY_FILES_NAMESPACE_ADDRESS, to: NAMESPACE_ADDRESS }]);
    this.name = namespace.metadata.name;
  }
}
