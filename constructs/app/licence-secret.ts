import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, Op } from "cdktf";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";

/** Props of {@link LicenceSecret}. */
export interface LicenceSecretProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** The licence file's contents: a token of a sensitive variable, never a literal. */
  readonly licence: string;
  /** Variable name to mention when the licence is missing. */
  readonly variableName: string;
}

/**
 * The Enterprise licence as a Secret with one key, `licence`, which the container reads as
 * `MM_LICENSE` through secretKeyRef: that variable overrides every other source and is read at every
 * start, unlike the licence file, which Mattermost reads only while its database holds no licence
 * (mattermost/mattermost server/channels/app/platform/license.go, PlatformService.LoadLicense). The
 * Secret's name carries a short hash of the licence, so a new licence is a new Secret, which changes
 * the pod template and rolls the pods. Plan fails when the licence is empty.
 */
export class LicenceSecret extends Construct {
  public static readonly KEY = "licence";
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: LicenceSecretProps) {
    super(scope, id);
    // A hash of the licence tells nothing about it; unmarking it keeps the Secret's name readable in plans.
    const hash = Fn.substr(Fn.nonsensitive(Fn.sha256(props.licence)), 0, 8);
    const secret = new SecretV1(this, "secret", {
      metadata: {
        name: `mattermost-${props.environmentName}-licence-${hash}`,
        namespace: props.namespace,
        labels: mattermostLabels(props.environmentName, "licence"),
      },
      type: "Opaque",
      data: { [LicenceSecret.KEY]: props.licence },
      lifecycle: {
        // Pods of the old ReplicaSet still read the old Secret until the rollout is done.
        createBeforeDestroy: true,
        precondition: [
          {
            condition: Op.gte(Fn.lengthOf(Fn.trimspace(props.licence)), 1),
            errorMessage: `mattermost.licensed is true but the variable ${props.variableName} is empty: set it to the contents of the licence file (TF_VAR_${props.variableName}, or a sensitive workspace variable in Terraform Cloud)`,
          },
        ],
      },
    });
    this.secretName = secret.metadata.name;
  }
}
