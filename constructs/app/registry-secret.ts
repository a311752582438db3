import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, Op } from "cdktf";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";

/** Props of {@link RegistrySecret}. */
export interface RegistrySecretProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** Registry host, e.g. registry.example.com. */
  readonly server: string;
  readonly username: string;
  /** Token of a sensitive variable. */
  readonly password: string;
  /** Variable name to mention when the password is missing. */
  readonly variableName: string;
}

/** A `kubernetes.io/dockerconfigjson` Secret so the pods can pull Mattermost from a private registry. */
export class RegistrySecret extends Construct {
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: RegistrySecretProps) {
    super(scope, id);
    const auth = Fn.base64encode(Fn.join(":", [props.username, props.password]));
    const secret = new SecretV1(this, "secret", {
      metadata: { name: `mattermost-${props.environmentName}-registry`, namespace: props.namespace, labels: mattermostLabels(props.environmentName, "registry") },
      type: "kubernetes.io/dockerconfigjson",
      data: {
        ".dockerconfigjson": Fn.jsonencode({ auths: { [props.server]: { username: props.username, password: props.password, auth } } }),
      },
      lifecycle: {
        precondition: [
          {
            condition: Op.gte(Fn.lengthOf(props.password), 1),
            errorMessage: `mattermost.registry is set but the variable ${props.variableName} is empty: set it to the password or token of ${props.username} at ${props.server}`,
          },
        ],
      },
    });
    this.secretName = secret.metadata.name;
  }
}
