import { DataKubernetesSecretV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import { CONTAINER_SECURITY_CONTEXT, MattermostPodProps, mattermostVolumes, RUN_ONCE_JOB, RUN_ONCE_POD } from "./mattermost-pod";
import { SAML_IDP_CERTIFICATE } from "./mattermost-settings";

/** Props of {@link SamlCertificateJob}. */
export interface SamlCertificateJobProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** An existing Secret whose key `certificate` is the IdP's PEM certificate. */
  readonly certificateSecretName: string;
  /** The Mattermost pod's make-up: its env Secret (the DSN) and mounted files (the database CA). */
  readonly pod: MattermostPodProps;
  /** A PostgreSQL client image (psql). */
  readonly clientImage: string;
  readonly dependsOn?: ITerraformDependable[];
}

/** Key of the certificate in the Secret named by `mattermost.saml.idpCertificateSecretName`. */
export const SAML_CERTIFICATE_KEY = "certificate";

const CERTIFICATE_DIR = "/saml";

/**
 * Writes the IdP certificate from a Kubernetes Secret into Mattermost's database-backed config
 * store (table `configurationfiles`, file `saml-idp.crt`), where Mattermost reads it when its
 * config lives in the database: a file mounted in the pod would never be read. The Job's name
 * follows a hash of the Secret, so a new certificate runs it again; no one inserts it by hand.
 */
export class SamlCertificateJob extends Construct {
  public readonly job: JobV1;

  constructor(scope: Construct, id: string, props: SamlCertificateJobProps) {
    super(scope, id);
    const labels = mattermostLabels(props.environmentName, "saml-certificate");
    const source = new DataKubernetesSecretV1(this, "source", {
      metadata: { name: props.certificateSecretName, namespace: props.namespace },
    });
    // A hash says nothing about the certificate (which is public anyway); unmarking keeps the name readable.
    const hash = Fn.substr(Fn.nonsensitive(Fn.sha256(Fn.jsonencode(source.data))), 0, 8);
    this.job = new JobV1(this, "job", {
      metadata: { name: `mattermost-${props.environmentName}-saml-certificate-${hash}`, namespace: props.namespace, labels },
      spec: {
        ...RUN_ONCE_JOB,
        template: {
          metadata: { labels },
          spec: {
            ...RUN_ONCE_POD,
            container: [
              {
                name: "upload",
                image: props.clientImage,
                command: ["sh", "-ec", UPLOAD_SCRIPT],
                env: [{ name: "MATTERMOST_DSN", valueFrom: { secretKeyRef: { name: props.pod.envSecretName, key: "dsn" } } }],
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                securityContext: CONTAINER_SECURITY_CONTEXT,
                volumeMount: [
                  ...props.pod.mountedSecrets.map((s) => ({ name: s.volume, mountPath: s.mountPath, readOnly: true })),
                  { name: "saml-certificate", mountPath: CERTIFICATE_DIR, readOnly: true },
                ],
              },
            ],
            volume: [
              ...mattermostVolumes(props.pod, false),
              { name: "saml-certificate", secret: { secretName: props.certificateSecretName, defaultMode: "0444" } },
            ],
          },
        },
      },
      waitForCompletion: true,
      timeouts: { create: "5m", update: "5m" },
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
    });
  }
}

/**
 * Mattermost's own table definition (created at its first start with a database config), then an
 * upsert. psql's :'cert' quotes the file's contents as a literal, so the PEM needs no escaping.
 */
const UPLOAD_SCRIPT = `psql "$MATTERMOST_DSN" -v ON_ERROR_STOP=1 -v cert="$(cat ${CERTIFICATE_DIR}/${SAML_CERTIFICATE_KEY})" <<'SQL'
CREATE TABLE IF NOT EXISTS configurationfiles (name VARCHAR(64) PRIMARY KEY, data TEXT NOT NULL, createat BIGINT NOT NULL, updateat BIGINT NOT NULL);
INSERT INTO configurationfiles (name, data, createat, updateat)
VALUES ('${SAML_IDP_CERTIFICATE}', :'cert', (extract(epoch from now()) * 1000)::bigint, (extract(epoch from now()) * 1000)::bigint)
ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data, updateat = EXCLUDED.updateat;
SQL
`;
