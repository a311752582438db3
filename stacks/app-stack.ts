import { Op, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { KubernetesConfig } from "../config/schema/kubernetes";
import type { MattermostConfig } from "../config/schema/mattermost";
import { InternetEgress, internetEgress, NetworkConfig } from "../config/schema/network";
import type { LocalStorageConfig, S3StorageConfig, StorageConfig } from "../config/schema/storage";
import { DatabaseCaSecret } from "../constructs/app/database-ca-secret";
import { DATABASE_CA_MOUNT_DIR, DATABASE_OFFER } from "../constructs/offers/database-offer";
import { ExistingLicenceSecret } from "../constructs/app/existing-licence-secret";
import { LicenceSecret } from "../constructs/app/licence-secret";
import { MattermostAutoscaler } from "../constructs/app/mattermost-autoscaler";
import { MattermostDisruptionBudget } from "../constructs/app/mattermost-disruption-budget";
import { ENV_SECRET_HASH_ANNOTATION, MattermostEnvSecret } from "../constructs/app/mattermost-env-secret";
import { MattermostIngress } from "../constructs/app/mattermost-ingress";
import { JobsNetworkPolicy } from "../constructs/app/jobs-network-policy";
import { MattermostNetworkPolicy } from "../constructs/app/mattermost-network-policy";
import { MattermostPodProps, MountedSecret } from "../constructs/app/mattermost-pod";
import { MattermostServiceAccount } from "../constructs/app/mattermost-service-account";
import { MattermostServiceMonitor } from "../constructs/app/mattermost-service-monitor";
import { schedulingOf } from "../constructs/app/pod-options";
import { FileStore, mattermostSettings, SecretKey } from "../constructs/app/mattermost-settings";
import { MattermostWorkload } from "../constructs/app/mattermost-workload";
import { MigrationJob } from "../constructs/app/migration-job";
import { ConsumedOffer } from "../constructs/offers/offer";
import { useKubernetes } from "../constructs/shared/providers";
import { RegistrySecret } from "../constructs/app/registry-secret";
import { PluginStatesJob } from "../constructs/app/plugin-states-job";
import { SamlCertificateJob } from "../constructs/app/saml-certificate-job";
import { StateLocation, storeStateAt } from "../constructs/offers/state-location";
import { STORAGE_OFFER } from "../constructs/offers/storage-offer";

/** Props of {@link AppStack}. */
export interface AppStackProps {
  readonly environmentName: string;
  readonly mattermost: MattermostConfig;
  readonly kubernetes: KubernetesConfig;
  /** Which kind of storage the storage stack provides (decides the volumes). */
  readonly storageKind: StorageConfig["kind"];
  /** With `storageKind: local`: the claim's access mode (decides the rollout strategy). Default `ReadWriteOnce`. */
  readonly filesAccessMode?: LocalStorageConfig["accessMode"];
  /** With `storageKind: s3`: keys from the offer, or the offer's IAM role through IRSA. Default `keys`. */
  readonly storageAccess?: S3StorageConfig["access"];
  /** Where the database stack keeps its state (its offer is read from there). */
  readonly databaseState: StateLocation;
  /** True when the DSN verifies the server (sslMode verify-ca/verify-full): the offer's CA is mounted. */
  readonly databaseVerifiesServer?: boolean;
  /** Where the pods may connect (the NetworkPolicy's egress) and hostNetwork ingress controllers. */
  readonly network?: NetworkConfig;
  /**
   * The public internet the pods reach: internetEgress() of the whole environment (it knows the S3
   * endpoint). Default: internetEgress() of `network` and `mattermost`.
   */
  readonly internetEgress?: InternetEgress;
  /** The PostgreSQL server as the environment file names it, for the egress rule (RDS: port only). */
  readonly databaseEndpoint?: { readonly host?: string; readonly port: number };
  /** Where the storage stack keeps its state. */
  readonly storageState: StateLocation;
  readonly state: StateLocation;
}

/** Sensitive variables of the app stack (TF_VAR_<name>, or workspace variables in Terraform Cloud). */
export const APP_VARIABLES = { licence: "mattermost_licence", smtpPassword: "smtp_password", registryPassword: "registry_password" } as const;

/**
 * `<env>-app`: the Mattermost workload in Kubernetes. It consumes the database and storage offers
 * and holds nothing another stack needs, so it can be destroyed and rebuilt without data loss.
 */
export class AppStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id);
    storeStateAt(this, props.state);
    useKubernetes(this, props.kubernetes);
    const env = props.environmentName;
    const mm = props.mattermost;
    const database = new ConsumedOffer(this, "database", { offer: DATABASE_OFFER, from: props.databaseState });
    const storage = new ConsumedOffer(this, "storage", { offer: STORAGE_OFFER, from: props.storageState });
    const localFiles = props.storageKind === "local";
    const irsa = props.storageKind === "s3" && props.storageAccess === "irsa";

    // The storage stack holds the namespace, whatever the storage: users keep their own Secrets
    // in it (TLS, SAML certificate), and destroying this stack must never delete them.
    const namespace = storage.get("namespace");
    forgetNamespaceOfOlderReleases(this);

    const files: FileStore = localFiles
      ? { kind: "local" }
      : {
          kind: "s3",
          bucket: storage.get("bucket"),
          region: storage.get("region"),
          endpoint: storage.get("endpoint"),
          pathPrefix: storage.get("pathPrefix"),
          ssl: storage.get("ssl"),
          sse: storage.get("sse"),
          irsa,
        };

    const mountedSecrets: MountedSecret[] = [];
    if (props.databaseVerifiesServer) {
      const ca = new DatabaseCaSecret(this, "database-ca", { environmentName: env, namespace, caCertificate: database.get("caCertificate") });
      mountedSecrets.push({ volume: "database-ca", secretName: ca.secretName, mountPath: DATABASE_CA_MOUNT_DIR });
    }
    // The licence reaches the container as MM_LICENSE (secretKeyRef), never as a file (see mattermostSettings).
    const licence = mm.licenceSecret
      ? // The licence is in a Secret that exists (mattermost.licenceSecret): checked at plan, never made.
        new ExistingLicenceSecret(this, "licence", { namespace: props.kubernetes.namespace, name: mm.licenceSecret.name, key: mm.licenceSecret.key })
      : mm.licensed
      ? {
          secretName: new LicenceSecret(this, "licence", {
            environmentName: env,
            namespace,
            licence: this.secretVariable(APP_VARIABLES.licence, "Contents of the Mattermost Enterprise licence file"),
            variableName: APP_VARIABLES.licence,
          }).secretName,
          key: LicenceSecret.KEY,
        }
      : undefined;

    const settings = mattermostSettings({ environmentName: env, mattermost: mm, files, ...(licence ? { licence } : {}) });
    const secretValues: Partial<Record<SecretKey, string>> = { dsn: database.get("dsn") };
    const needed = new Set(Object.values(settings.fromSecret));
    if (needed.has("s3-access-key-id")) secretValues["s3-access-key-id"] = storage.get("accessKeyId");
    if (needed.has("s3-secret-access-key")) secretValues["s3-secret-access-key"] = storage.get("secretAccessKey");
    if (needed.has("smtp-password")) secretValues["smtp-password"] = this.secretVariable(APP_VARIABLES.smtpPassword, `Password of ${mm.smtp?.user} at ${mm.smtp?.host}`);
    const envSecret = new MattermostEnvSecret(this, "env", {
      environmentName: env,
      namespace,
      values: secretValues,
      ...(needed.has("smtp-password") ? { smtpPasswordVariable: APP_VARIABLES.smtpPassword } : {}),
      preconditions: [namespacePublished(namespace, props.kubernetes.namespace, env)],
    });

    const registry = mm.registry
      ? new RegistrySecret(this, "registry", {
          environmentName: env,
          namespace,
          server: mm.registry.server,
          username: mm.registry.username,
          password: this.secretVariable(APP_VARIABLES.registryPassword, `Password or token of ${mm.registry.username} at ${mm.registry.server}`),
          variableName: APP_VARIABLES.registryPassword,
        })
      : undefined;

    const serviceAccount = new MattermostServiceAccount(this, "service-account", {
      environmentName: env,
      namespace,
      ...(irsa ? { roleArn: storage.get("roleArn") } : {}),
    });

    const pod: MattermostPodProps = {
      image: mm.image,
      settings,
      envSecretName: envSecret.secretName,
      mountedSecrets,
      resources: mm.resources,
      metrics: mm.performanceMonitoring,
      gossip: mm.clustering,
      ...(localFiles ? { dataClaimName: storage.get("claimName"), dataClaimAccessMode: props.filesAccessMode ?? "ReadWriteOnce" } : {}),
      // A rotated password or key is a new pod template, so the pods restart with it.
      rolloutAnnotations: { [ENV_SECRET_HASH_ANNOTATION]: envSecret.valuesHash },
      ...(registry ? { imagePullSecretName: registry.secretName } : {}),
      ...(mm.imagePullSecrets.length > 0 ? { existingImagePullSecretNames: mm.imagePullSecrets } : {}),
      // The Jobs run where the servers run, and see the same variables.
      scheduling: schedulingOf(mm),
      envFrom: mm.envFrom,
      envValueFrom: mm.envValueFrom,
    };
    const migration = new MigrationJob(this, "migration", { environmentName: env, namespace, pod });
    // Writes into the config store come after the migration made sure its tables are there.
    const saml = mm.saml;
    const samlCertificate =
      saml?.idpCertificate || saml?.idpCertificateSecretName
        ? new SamlCertificateJob(this, "saml-certificate", {
            environmentName: env,
            namespace,
            namespaceName: props.kubernetes.namespace,
            source: saml.idpCertificate ? { kind: "inline", pem: saml.idpCertificate } : { kind: "secret", secretName: saml.idpCertificateSecretName! },
            pod,
            clientImage: saml.certificateUploaderImage,
            dependsOn: [migration.job],
          })
        : undefined;
    const plugins =
      mm.plugins.length > 0
        ? new PluginStatesJob(this, "plugins", { environmentName: env, namespace, plugins: mm.plugins, pod, clientImage: mm.configJobImage, dependsOn: [migration.job] })
        : undefined;
    const configJobs = [samlCertificate, plugins].filter((job) => job !== undefined);
    // The servers read the config store only at start: what the Jobs wrote changes the pod template.
    const configRevision = configJobs.map((job) => job.revision).join("-");
    const servingPod: MattermostPodProps = configRevision ? { ...pod, settings: mattermostSettings({ environmentName: env, mattermost: mm, files, configRevision, ...(licence ? { licence } : {}) }) } : pod;
    const workload = new MattermostWorkload(this, "mattermost", {
      environmentName: env,
      namespace,
      replicas: mm.replicas,
      pod: servingPod,
      serviceAccountName: serviceAccount.name,
      mountServiceAccountToken: serviceAccount.mountToken,
      dependsOn: [migration.job, ...configJobs.map((job) => job.job)],
      podExtras: {
        annotations: mm.podAnnotations,
        labels: mm.podLabels,
        volumes: mm.extraVolumes,
        volumeMounts: mm.extraVolumeMounts,
        containers: mm.extraContainers,
        initContainers: mm.extraInitContainers,
      },
      service: { type: mm.serviceType, annotations: mm.serviceAnnotations, loadBalancerSourceRanges: mm.serviceLoadBalancerSourceRanges },
      ...(mm.autoscaling ? { autoscaling: mm.autoscaling } : {}),
    });
    if (mm.autoscaling) {
      new MattermostAutoscaler(this, "autoscaler", {
        environmentName: env,
        namespace,
        deploymentName: workload.name,
        ...mm.autoscaling,
      });
    }
    // The fewest pods there will be: a budget only helps when a drain can leave one running.
    if ((mm.autoscaling?.minReplicas ?? mm.replicas) > 1) new MattermostDisruptionBudget(this, "disruption-budget", { environmentName: env, namespace });
    if (mm.serviceMonitor) {
      new MattermostServiceMonitor(this, "service-monitor", { environmentName: env, namespace, port: "metrics", labels: mm.serviceMonitor.labels, interval: mm.serviceMonitor.interval });
    }
    new MattermostNetworkPolicy(this, "network-policy", {
      environmentName: env,
      namespace,
      // Without an Ingress its controller has no business with the pods; httpAllowedFrom names who does.
      ...(mm.ingressEnabled ? { ingressControllerNamespace: mm.ingressControllerNamespace, ingressControllerCidrs: props.network?.ingressControllerCidrs ?? [] } : {}),
      httpSources: mm.httpAllowedFrom.map((s) => (s.cidr ? { cidr: s.cidr } : { namespace: s.namespace!, ...(s.podLabels ? { podLabels: s.podLabels } : {}) })),
      ...(mm.performanceMonitoring ? { metricsNamespace: mm.metricsNamespace } : {}),
      gossip: mm.clustering,
      egress: {
        dnsNamespace: props.network?.egress.dnsNamespace ?? "kube-system",
        database: props.databaseEndpoint ?? { port: 5432 },
        internet: internetRuleOf(props.internetEgress ?? internetEgress({ network: props.network, mattermost: mm })),
        allow: props.network?.egress.allow ?? [],
      },
    });
    // The Jobs' pods: DNS, the database and what allow lists, never the metadata service or the VPC.
    new JobsNetworkPolicy(this, "jobs-network-policy", {
      environmentName: env,
      namespace,
      components: [migration.component, ...configJobs.map((job) => job.component)],
      dnsNamespace: props.network?.egress.dnsNamespace ?? "kube-system",
      database: props.databaseEndpoint ?? { port: 5432 },
      allow: props.network?.egress.allow ?? [],
    });
    if (mm.ingressEnabled) new MattermostIngress(this, "ingress", {
      environmentName: env,
      namespace,
      siteUrl: mm.siteUrl,
      serviceName: workload.service.metadata.name,
      allowedSourceRanges: mm.ingressAllowedSourceRanges,
      maxFileSizeMb: mm.maxFileSizeMb,
      ...(mm.tlsSecretName ? { tlsSecretName: mm.tlsSecretName } : {}),
      ...(mm.certManagerClusterIssuer ? { certManagerClusterIssuer: mm.certManagerClusterIssuer } : {}),
      ...(mm.ingressClassName ? { ingressClassName: mm.ingressClassName } : {}),
      extraHosts: mm.ingressExtraHosts,
      extraAnnotations: mm.ingressAnnotations,
    });
  }

  /** A sensitive string variable named exactly `name` (no construct-path suffix). */
  private secretVariable(name: string, description: string): string {
    const variable = new TerraformVariable(this, name, { type: "string", sensitive: true, nullable: false, default: "", description });
    variable.overrideLogicalId(name);
    return variable.stringValue;
  }
}

/** The network policy's form of the public internet: none, every port, or the derived TCP ports. */
function internetRuleOf(internet: InternetEgress): false | "all" | { ports: number[] } {
  return internet === false || internet === "all" ? internet : { ports: internet.map((p) => p.port) };
}

/**
 * The storage offer names the namespace this environment expects. A storage state written by an
 * older release (S3 or external storage) has an empty one: every object would land elsewhere.
 */
function namespacePublished(offered: string, expected: string, env: string) {
  return {
    condition: Op.eq(offered, expected),
    errorMessage: `The storage offer of ${env}-storage names namespace "${offered}", not "${expected}" (kubernetes.namespace): deploy ${env}-storage first, it holds the namespace (docs/storage.md, "The namespace")`,
  };
}

/** Where releases before the storage stack held every namespace kept it (S3 and external storage). */
export const LEGACY_APP_NAMESPACE_ADDRESS = "kubernetes_namespace_v1.namespace";

/**
 * A `removed` block (Terraform 1.7+) with `destroy = false`: an app state made by an older release
 * still holds the namespace; the next apply forgets it instead of deleting it with everything in
 * it. With nothing at that address (every new environment) the block does nothing. cdktf 0.21 has
 * no class for `removed`, hence the override. https://developer.hashicorp.com/terraform/language/resources/syntax#removing-resources
 */
function forgetNamespaceOfOlderReleases(stack: TerraformStack): void {
  stack.addOverride("removed", [{ from: LEGACY_APP_NAMESPACE_ADDRESS, lifecycle: { destroy: false } }]);
}
