import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Construct } from "constructs";
import { DATABASE_CA_FILE } from "../offers/database-offer";
import { mattermostLabels } from "../shared/labels";

/** Props of {@link DatabaseCaSecret}. */
export interface DatabaseCaSecretProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** PEM of the CA, from the database offer. */
  readonly caCertificate: string;
}

/**
 * The CA that signed the database server's certificate, as the file the DSN's `sslrootcert` names
 * (mount the Secret at DATABASE_CA_MOUNT_DIR). Needed for sslMode verify-ca and verify-full.
 */
export class DatabaseCaSecret extends Construct {
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: DatabaseCaSecretProps) {
    super(scope, id);
    const secret = new SecretV1(this, "secret", {
      metadata: {
        name: `mattermost-${props.environmentName}-database-ca`,
        namespace: props.namespace,
        labels: mattermostLabels(props.environmentName, "database-ca"),
      },
      type: "Opaque",
      data: { [DATABASE_CA_FILE]: props.caCertificate },
    });
    this.secretName = secret.metadata.name;
  }
}
