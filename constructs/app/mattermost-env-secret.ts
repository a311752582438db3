import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, Op, type Precondition } from "cdktf";
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
  /** More plan-time checks; this Secret is the first object the pods need, so they fail early. */
  readonly preconditions?: readonly Precondition[];
}

/** Pod-template annotation carrying {@link MattermostEnvSecret.valuesHash}. */
export const ENV_SECRET_HASH_ANNOTATION = "mattermost-cdktf/env-secret-sha256";

/**
 * The Secret the Mattermost container's secret-backed variables read through secretKeyRef.
 * Kubernetes reads those variables only when a container starts, so a new value (a rotated
 * database password, S3 key or SMTP password) reaches Mattermost only through new pods: put
 * `valuesHash` on the pod template and the Deployment rolls whenever a value changes.
 */
export class MattermostEnvSecret extends Construct {
  public readonly secretName: string;
  /**
   * SHA-256 of the Secret's values, marked sensitive: a hash of a weak password (an SMTP password
   * a person chose) can be guessed back, and `terraform_remote_state` hands the offers' secrets
   * over unmarked, so the mark is put here explicitly. The plan shows "(sensitive value)" changing.
   */
  public readonly valuesHash: string;

  constructor(scope: Construct, id: string, props: MattermostEnvSecretProps) {
    super(scope, id);
    const smtpPassword = props.values["smtp-password"];
    const preconditions = [
      ...(smtpPassword !== undefined && props.smtpPasswordVariable
        ? [
            {
              condition: Op.gte(Fn.lengthOf(smtpPassword), 1),
              errorMessage: `mattermost.smtp.user is set but the variable ${props.smtpPasswordVariable} is empty: set it to the SMTP password (TF_VAR_${props.smtpPasswordVariable}), or remove smtp.user to send without authentication`,
            },
          ]
        : []),
      ...(props.preconditions ?? []),
    ];
    const data = Object.fromEntries(Object.entries(props.values).filter(([, v]) => v !== undefined)) as Record<string, string>;
    this.valuesHash = Fn.sensitive(Fn.sha256(Fn.jsonencode(data)));
    const secret = new SecretV1(this, "secret", {
      metadata: { name: `mattermost-${props.environmentName}-env`, namespace: props.namespace, labels: mattermostLabels(props.environmentName, "server") },
      type: "Opaque",
      data,
      ...(preconditions.length > 0 ? { lifecycle: { precondition: preconditions } } : {}),
    });
    this.secretName = secret.metadata.name;
  }
}
