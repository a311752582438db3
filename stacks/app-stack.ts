import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { KubernetesConfig } from "../config/schema/kubernetes";
import type { MattermostConfig } from "../config/schema/mattermost";
import type { StorageConfig } from "../config/schema/storage";
import { DATABASE_OFFER } from "../constructs/database-offer";
import { mattermostLabels } from "../constructs/labels";
import { MattermostWorkload } from "../constructs/mattermost-workload";
import { ConsumedOffer } from "../constructs/offer";
import { useKubernetes } from "../constructs/providers";
import { StateLocation, storeStateAt } from "../constructs/state-location";
import { STORAGE_OFFER } from "../constructs/storage-offer";

/** Props of {@link AppStack}. */
export interface AppStackProps {
  readonly environmentName: string;
  readonly mattermost: MattermostConfig;
  readonly kubernetes: KubernetesConfig;
  /** Which kind of storage the storage stack provides (decides volumes and who holds the namespace). */
  readonly storageKind: StorageConfig["kind"];
  /** Where the database stack keeps its state (its offer is read from there). */
  readonly databaseState: StateLocation;
  /** Where the storage stack keeps its state. */
  readonly storageState: StateLocation;
  readonly state: StateLocation;
}

/**
 * `<env>-app`: the Mattermost workload in Kubernetes. It consumes the database and storage offers
 * and holds nothing another stack needs, so it can be destroyed and rebuilt without data loss.
 */
export class AppStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id);
    storeStateAt(this, props.state);
    useKubernetes(this, props.kubernetes);
    const database = new ConsumedOffer(this, "database", { offer: DATABASE_OFFER, from: props.databaseState });
    const storage = new ConsumedOffer(this, "storage", { offer: STORAGE_OFFER, from: props.storageState });
    const localFiles = props.storageKind === "local";
    // With local files the storage stack holds the namespace (it holds the claim inside it).
    const namespace = localFiles
      ? storage.get("namespace")
      : new NamespaceV1(this, "namespace", {
          metadata: {
            name: props.kubernetes.namespace,
            labels: { ...mattermostLabels(props.environmentName, "namespace"), "pod-security.kubernetes.io/enforce": "restricted" },
          },
        }).metadata.name;
    const mm = props.mattermost;
    const fileSettings: Record<string, string> = localFiles
      ? { MM_FILESETTINGS_DRIVERNAME: "local", MM_FILESETTINGS_DIRECTORY: "/mattermost/data/" }
      : {
          MM_FILESETTINGS_DRIVERNAME: storage.get("driver"),
          MM_FILESETTINGS_AMAZONS3BUCKET: storage.get("bucket"),
          MM_FILESETTINGS_AMAZONS3REGION: storage.get("region"),
          MM_FILESETTINGS_AMAZONS3ENDPOINT: storage.get("endpoint"),
          MM_FILESETTINGS_AMAZONS3PATHPREFIX: storage.get("pathPrefix"),
          MM_FILESETTINGS_AMAZONS3SSL: storage.get("ssl"),
          MM_FILESETTINGS_AMAZONS3SSE: storage.get("sse"),
          MM_FILESETTINGS_AMAZONS3ACCESSKEYID: storage.get("accessKeyId"),
        };
    new MattermostWorkload(this, "mattermost", {
      environmentName: props.environmentName,
      namespace,
      image: mm.image,
      replicas: mm.replicas,
      settings: {
        MM_SERVICESETTINGS_SITEURL: mm.siteUrl,
        MM_SQLSETTINGS_DRIVERNAME: "postgres",
        MM_FILESETTINGS_MAXFILESIZE: String(mm.maxFileSizeMb * 1048576),
        ...fileSettings,
      },
      secrets: {
        dsn: database.get("dsn"),
        ...(localFiles ? {} : { "s3-secret-access-key": storage.get("secretAccessKey") }),
      },
      secretSettings: {
        MM_CONFIG: "dsn",
        MM_SQLSETTINGS_DATASOURCE: "dsn",
        ...(localFiles ? {} : { MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY: "s3-secret-access-key" }),
      },
      ...(localFiles ? { dataClaimName: storage.get("claimName") } : {}),
    });
  }
}
