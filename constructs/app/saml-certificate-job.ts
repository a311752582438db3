import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DataKubernetesSecretV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1";
import type { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { createHash } from "crypto";
import { mattermostLabels } from "../shared/labels";
import type { MattermostPodProps } from "./mattermost-pod";
import { configStoreJob } from "./config-store-job";
import { SAML_IDP_CERTIFICATE } from "./mattermost-settings";
import { terraformExpression } from "../shared/terraform-expression";

/** Where the IdP certificate comes from. */
export type SamlCertificateSource =
  /** The PEM itself, from the environment file (it is public): kept in a ConfigMap the stack makes. */
  | { readonly kind: "inline"; readonly pem: string }
  /** An existing Secret in the namespace holding only the key `certificate`. */
  | { readonly kind: "secret"; readonly secretName: string };

/** Props of {@link SamlCertificateJob}. */
export interface SamlCertificateJobProps {
  readonly environmentName: string;
  /** The namespace (may be a reference to the Namespace resource). */
  readonly namespace: string;
  /**
   * The namespace's name as plain text, for the Secret's data source: Terraform defers reading a
   * data source that refers to a resource with pending changes until apply, so with a reference the
   * check would pass the plan of a first deploy and fail half-way through its apply.
   */
  readonly namespaceName: string;
  readonly source: SamlCertificateSource;
  /**
   * The Mattermost pod's make-up: its env Secret (the DSN), the Secrets it mounts (the database CA,
   * which the DSN may point at) and its image pull secret. Never the licence: it is no file.
   */
  readonly pod: MattermostPodProps;
  /** A PostgreSQL client image (psql). */
  readonly clientImage: string;
  readonly dependsOn?: ITerraformDependable[];
}

/** Key of the certificate in the Secret named by `mattermost.saml.idpCertificateSecretName`. */
export const SAML_CERTIFICATE_KEY = "certificate";

const CERTIFICATE_DIR = "/saml";

/**
 * Writes the IdP certificate into Mattermost's database-backed config store (table
 * `configurationfiles`, file `saml-idp.crt`), where Mattermost reads it when its config lives in the
 * database: a file mounted in the pod would never be read. The Job's name follows a hash of the
 * certificate, so a new certificate runs it again; `revision` carries the same hash so the caller can
 * roll the pods, because Mattermost configures SAML only at start and on config events
 * (mattermost/mattermost server/channels/app/enterprise.go, initEnterprise: Saml.ConfigureSP once,
 * then again from a config listener), and a write straight into the table raises none.
 */
export class SamlCertificateJob extends Construct {
  public readonly job: JobV1;
  /** The pods' `app.kubernetes.io/component` label (the Jobs' network policy selects it). */
  public readonly component = "saml-certificate";
  /** Short hash of the certificate (a token with a Secret): changes when the certificate does. */
  public readonly revision: string;

  constructor(scope: Construct, id: string, props: SamlCertificateJobProps) {
    super(scope, id);
    const { volume, revision } = props.source.kind === "inline" ? this.fromPem(props, props.source.pem) : this.fromSecret(props, props.source.secretName);
    this.revision = revision;
    this.job = configStoreJob(this, "job", {
      ...props,
      purpose: this.component,
      revision,
      containerName: "upload",
      script: SAML_UPLOAD_SCRIPT,
      volumeMounts: [{ name: "saml-certificate", mountPath: CERTIFICATE_DIR, readOnly: true }],
      volumes: [volume],
    });
  }

  /** The PEM in a ConfigMap named after its hash (a new certificate is a new ConfigMap and a new Job). */
  private fromPem(props: SamlCertificateJobProps, pem: string) {
    const revision = createHash("sha256").update(pem).digest("hex").slice(0, 8);
    const configMap = new ConfigMapV1(this, "certificate", {
      metadata: {
        name: `mattermost-${props.environmentName}-saml-idp-${revision}`,
        namespace: props.namespace,
        labels: mattermostLabels(props.environmentName, "saml-certificate"),
      },
      data: { [SAML_CERTIFICATE_KEY]: pem },
      // The Job of the old certificate may still read it while the new one is created.
      lifecycle: { createBeforeDestroy: true },
    });
    return { revision, volume: { name: "saml-certificate", configMap: { name: configMap.metadata.name, defaultMode: "0444" } } };
  }

  /**
   * A Secret the user keeps in the namespace. The kubernetes provider's Secret data source returns no
   * data, and no error, for a Secret that does not exist (hashicorp/terraform-provider-kubernetes
   * kubernetes/data_source_kubernetes_secret_v1.go, dataSourceKubernetesSecretV1Read: `if
   * apierrors.IsNotFound(err) { return nil }`), and it reads every key into the state; the
   * postcondition turns both into a plan-time error. Only the key `certificate` is mounted.
   */
  private fromSecret(props: SamlCertificateJobProps, secretName: string) {
    const source = new DataKubernetesSecretV1(this, "source", {
      metadata: { name: secretName, namespace: props.namespaceName },
      lifecycle: {
        postcondition: [
          {
            // Raw Terraform (cdktf has no token for `self`): synth escapes every literal string.
            condition: terraformExpression(`try(length(self.data) == 1 && contains(keys(self.data), "${SAML_CERTIFICATE_KEY}"), false)`),
            errorMessage:
              `mattermost.saml.idpCertificateSecretName: Secret "${secretName}" in namespace "${props.namespaceName}" is missing or holds more than the key "${SAML_CERTIFICATE_KEY}" ` +
              `(every key of it is read into the app stack's state). Create it with: kubectl -n ${props.namespaceName} create secret generic ${secretName} --from-file=${SAML_CERTIFICATE_KEY}=idp.crt ` +
              `(check the name's spelling). While the namespace does not exist yet no Secret can: create the Secret once it exists, or give the certificate as mattermost.saml.idpCertificate instead (it is public).`,
          },
        ],
      },
    });
    // A hash says nothing about the certificate (which is public anyway); unmarking keeps the name readable.
    const revision = Fn.substr(Fn.nonsensitive(Fn.sha256(Fn.jsonencode(source.data))), 0, 8);
    return {
      revision,
      volume: { name: "saml-certificate", secret: { secretName, defaultMode: "0444", items: [{ key: SAML_CERTIFICATE_KEY, path: SAML_CERTIFICATE_KEY }] } },
    };
  }
}

/**
 * Mattermost's own table definition (created at its first start with a database config), then an
 * upsert. psql's :'cert' quotes the file's contents as a literal, so the PEM needs no escaping.
 */
export const SAML_UPLOAD_SCRIPT = `psql "$MATTERMOST_DSN" -v ON_ERROR_STOP=1 -v cert="$(cat ${CERTIFICATE_DIR}/${SAML_CERTIFICATE_KEY})" <<'SQL'
CREATE TABLE IF NOT EXISTS configurationfiles (name VARCHAR(64) PRIMARY KEY, data TEXT NOT NULL, createat BIGINT NOT NULL, updateat BIGINT NOT NULL);
INSERT INTO configurationfiles (name, data, createat, updateat)
VALUES ('${SAML_IDP_CERTIFICATE}', :'cert', (extract(epoch from now()) * 1000)::bigint, (extract(epoch from now()) * 1000)::bigint)
ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data, updateat = EXCLUDED.updateat;
SQL
`;
