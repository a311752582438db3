import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, Op } from "cdktf";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import type { SecretKey } from "./mattermost-settings";

/** Props of {@link MattermostEnvSecret}. */
export interface MattermostEnvSecretProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** Secret values (tokens of offers' sensitive outputs or sensitive variables) by key. */
  readonly values: Readonly<Partial<Record<SecretKey, string>>>;
  /** When SMTP auth is on: the variable that must hold the password. */
  readonly smtpPasswordVariable?: string;
}

/** The Secret the Mattermost container's secret-backed variables read through secretKeyRef. */
export class MattermostEnvSecret extends Construct {
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: MattermostEnvSecretProps) {
    super(scope, id);
    const smtpPassword = props.values["smtp-password"];
    const secret = new SecretV1(this, "secret", {
      metadata: { name: `mattermost-${props.environmentName}-env`, namespace: props.namespace, labels: mattermostLabels(props.environmentName, "server") },
      type: "Opaque",
      data: Object.fromEntries(Object.entries(props.values).filter(([, v]) => v !== undefined)) as Record<string, string>,
      ...(smtpPassword !== undefined && props.smtpPasswordVariable
        ? {
            lifecycle: {
              precondition: [
                {
                  condition: Op.gte(Fn.lengthOf(smtpPassword), 1),
                  errorMessage: `mattermost.smtp.user is set but the variable ${props.smtpPasswordVariable} is empty: set it to the SMTP password (TF_VAR_${props.smtpPasswordVariable}), or remove smtp.user to send without authentication`,
                },
              ],
            },
          }
        : {}),
    });
    this.secretName = secret.metadata.name;
  }
}
