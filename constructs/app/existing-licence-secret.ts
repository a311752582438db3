import { DataKubernetesSecretV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1";
import { Construct } from "constructs";
import { terraformExpression } from "../shared/terraform-expression";

/** Props of {@link ExistingLicenceSecret}. */
export interface ExistingLicenceSecretProps {
  /** The namespace's name as the environment file gives it (`kubernetes.namespace`). */
  readonly namespace: string;
  /** The Secret that holds the licence (`mattermost.licenceSecret.name`). */
  readonly name: string;
  /** Its key with the licence file's contents (`mattermost.licenceSecret.key`); validated by the schema. */
  readonly key: string;
}

/**
 * A licence Secret that exists already (kept from a Helm release, or made by hand), checked at plan.
 * Without the check a missing Secret or key would surface only when the migration Job's pod cannot
 * start (CreateContainerConfigError) and Terraform waits out the Job's deadline. The kubernetes
 * provider's Secret data source returns no data, and no error, for a Secret that does not exist
 * (hashicorp/terraform-provider-kubernetes kubernetes/data_source_kubernetes_secret_v1.go,
 * dataSourceKubernetesSecretV1Read: `if apierrors.IsNotFound(err) { return nil }`), hence the
 * postcondition. The data source reads the Secret into the app stack's state (sensitive), as the
 * Secret the stack would otherwise make from the variable mattermost_licence holds it there too.
 */
export class ExistingLicenceSecret extends Construct {
  public readonly secretName: string;
  public readonly key: string;

  constructor(scope: Construct, id: string, props: ExistingLicenceSecretProps) {
    super(scope, id);
    new DataKubernetesSecretV1(this, "secret", {
      metadata: { name: props.name, namespace: props.namespace },
      lifecycle: {
        postcondition: [
          {
            // Raw Terraform (cdktf has no token for `self`); the key is validated ([-._a-zA-Z0-9]+).
            condition: terraformExpression(`try(length(self.data["${props.key}"]) > 0, false)`),
            errorMessage:
              `mattermost.licenceSecret: Secret "${props.name}" in namespace "${props.namespace}" is missing or has no key "${props.key}" with the licence. ` +
              `Create it with: kubectl -n ${props.namespace} create secret generic ${props.name} --from-file=${props.key}=<the .mattermost-license file> (check the name and the key), ` +
              `or remove mattermost.licenceSecret and give the licence in the variable mattermost_licence.`,
          },
        ],
      },
    });
    this.secretName = props.name;
    this.key = props.key;
  }
}
