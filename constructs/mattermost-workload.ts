import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Construct } from "constructs";
import { mattermostLabels } from "./labels";

/** A container environment variable: a literal, or a key of a Kubernetes Secret. */
export type EnvValue = { readonly value: string } | { readonly secretKey: string };

/** Props of {@link MattermostWorkload}. */
export interface MattermostWorkloadProps {
  readonly environmentName: string;
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  /** Literal settings (`MM_*` and proxy variables); never secrets. */
  readonly settings: Readonly<Record<string, string>>;
  /** Secret values by key; each reaches the container through `secretKeyRef`. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Secret-backed variables: variable name -> key in `secrets`. */
  readonly secretSettings: Readonly<Record<string, string>>;
  /** PersistentVolumeClaim mounted at /mattermost/data, if files are local. */
  readonly dataClaimName?: string;
}

/** The Mattermost Deployment, its Secret and its Service. */
export class MattermostWorkload extends Construct {
  public readonly name: string;
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;

  constructor(scope: Construct, id: string, props: MattermostWorkloadProps) {
    super(scope, id);
    this.name = `mattermost-${props.environmentName}`;
    const labels = mattermostLabels(props.environmentName, "server");
    const selector = { "app.kubernetes.io/instance": labels["app.kubernetes.io/instance"], "app.kubernetes.io/component": "server" };
    const secret = new SecretV1(this, "secret", {
      metadata: { name: `${this.name}-env`, namespace: props.namespace, labels },
      type: "Opaque",
      data: { ...props.secrets },
    });
    const env = [
      ...Object.entries(props.secretSettings).map(([name, key]) => ({
        name,
        valueFrom: { secretKeyRef: { name: secret.metadata.name, key } },
      })),
      ...Object.entries(props.settings).map(([name, value]) => ({ name, value })),
    ];
    this.deployment = new DeploymentV1(this, "deployment", {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: {
        replicas: String(props.replicas),
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "0", maxSurge: "1" } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: "2000",
              runAsGroup: "2000",
              fsGroup: "2000",
              seccompProfile: { type: "RuntimeDefault" },
            },
            container: [
              {
                name: "mattermost",
                image: props.image,
                port: [{ name: "http", containerPort: 8065, protocol: "TCP" }],
                env,
                readinessProbe: {
                  httpGet: { path: "/api/v4/system/ping", port: "8065" },
                  periodSeconds: 5,
                  failureThreshold: 6,
                },
                livenessProbe: {
                  httpGet: { path: "/api/v4/system/ping", port: "8065" },
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                startupProbe: {
                  httpGet: { path: "/api/v4/system/ping", port: "8065" },
                  periodSeconds: 10,
                  failureThreshold: 30,
                },
                resources: {
                  requests: { cpu: "250m", memory: "512Mi" },
                  limits: { cpu: "2", memory: "4Gi" },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  runAsNonRoot: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMount: props.dataClaimName ? [{ name: "data", mountPath: "/mattermost/data" }] : [],
              },
            ],
            volume: props.dataClaimName ? [{ name: "data", persistentVolumeClaim: { claimName: props.dataClaimName } }] : [],
          },
        },
      },
      waitForRollout: true,
    });
    this.service = new ServiceV1(this, "service", {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: {
        type: "ClusterIP",
        selector,
        port: [{ name: "http", port: 8065, targetPort: "8065", protocol: "TCP" }],
      },
    });
  }
}
