import type { DeploymentV1SpecTemplateSpecContainer, DeploymentV1SpecTemplateSpecVolume } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import type { MattermostConfig } from "../../config/schema/mattermost";
import { DATA_DIRECTORY, GOSSIP_PORT, HTTP_PORT, METRICS_PORT, MattermostSettings } from "./mattermost-settings";
import { PodScheduling, podScheduling, providerEnvFrom, providerEnvValueFrom } from "./pod-options";

/** A Secret mounted read-only as files. */
export interface MountedSecret {
  /** Volume name inside the pod. */
  readonly volume: string;
  readonly secretName: string;
  /** Directory the Secret's keys appear in. */
  readonly mountPath: string;
}

/**
 * What a Mattermost container is made of, shared by the migration Job and the Deployment so the
 * schema is migrated by exactly the binary, settings and secrets that will then serve.
 */
export interface MattermostPodProps {
  readonly image: string;
  readonly settings: MattermostSettings;
  /** The workload Secret that `settings.fromSecret` refers to. */
  readonly envSecretName: string;
  /** Secrets mounted as files (the licence). */
  readonly mountedSecrets: readonly MountedSecret[];
  /** Claim for /mattermost/data (local files); omitted with S3. */
  readonly dataClaimName?: string;
  /**
   * The claim's access mode (`ReadWriteOnce`, `ReadWriteMany`, `ReadWriteOncePod`). Anything but
   * ReadWriteMany makes the Deployment stop its old pod before it starts the new one. Default `ReadWriteOnce`.
   */
  readonly dataClaimAccessMode?: string;
  readonly resources: MattermostConfig["resources"];
  readonly metrics: boolean;
  readonly gossip: boolean;
  /** dockerconfigjson Secret for a private registry. */
  readonly imagePullSecretName?: string;
  /** Pull Secrets that exist in the namespace (`mattermost.imagePullSecrets`), after imagePullSecretName. */
  readonly existingImagePullSecretNames?: readonly string[];
  /**
   * Pod-template annotations that change when something the pods read only at start changes (a
   * hash of the env Secret's values): a new value is a new pod template, so the Deployment rolls.
   * Values derived from secrets must stay sensitive (never `nonsensitive()`).
   */
  readonly rolloutAnnotations?: Readonly<Record<string, string>>;
  /**
   * Node selector, tolerations, affinity and priority class: the Deployment and every Job get them,
   * so a Job can run where the servers run (a tainted node group). Default: none.
   */
  readonly scheduling?: PodScheduling;
  /** Variables from every key of existing Secrets or ConfigMaps (servers and migration alike). Default: none. */
  readonly envFrom?: MattermostConfig["envFrom"];
  /** Single variables from Secret or ConfigMap keys (servers and migration alike). Default: none. */
  readonly envValueFrom?: MattermostConfig["envValueFrom"];
}

/** uid/gid of the `mattermost` user in the images of image/ and the official ones. */
export const MATTERMOST_UID = "2000";

/** Pod-level security: non-root, RuntimeDefault seccomp, files owned by Mattermost's group. */
export const POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: MATTERMOST_UID,
  runAsGroup: MATTERMOST_UID,
  fsGroup: MATTERMOST_UID,
  fsGroupChangePolicy: "OnRootMismatch", // chown the files claim only when its root's group is wrong, not at every start
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * What every run-once Job of the stack shares: a few retries, and no `ttlSecondsAfterFinished`.
 * A finished Job stays until Terraform replaces it (its name follows what it runs), because the
 * kubernetes provider forgets a Job it cannot find: resourceKubernetesJobV1Read
 * (hashicorp/terraform-provider-kubernetes, kubernetes/resource_kubernetes_job_v1.go) calls
 * d.SetId("") on NotFound, so a Job the TTL controller deleted is planned again on every plan
 * (provider issue #2531; PR #2596 handled ttl 0 only and was reverted by PR #2650).
 */
export const RUN_ONCE_JOB = { backoffLimit: 3 };

/** Seconds Terraform waits past a Job's activeDeadlineSeconds, so Kubernetes marks it Failed first. */
export const JOB_DEADLINE_MARGIN_SECONDS = 60;

/**
 * The deadline of a run-once Job in Kubernetes (activeDeadlineSeconds: every retry and image pull
 * included) and Terraform's wait for it, a little longer. The provider waits in
 * retryUntilJobV1IsFinished until the Job is Complete or Failed (kubernetes/resource_kubernetes_job_v1.go,
 * default timeout 1 minute); with the deadline first, a stuck Job ends as "job ... is in failed
 * state" instead of Terraform giving up while Kubernetes keeps running it.
 */
export function runOnceJobDeadline(seconds: number) {
  const wait = `${seconds + JOB_DEADLINE_MARGIN_SECONDS}s`;
  return { activeDeadlineSeconds: seconds, timeouts: { create: wait, update: wait } };
}

/**
 * The pod of a run-once Job: no restarts in place, no service-account token, no service links,
 * hardened; the servers' registry credentials (its image may live in the private registry too) and
 * their scheduling (tainted node groups, node selectors, priority: where the servers may run, so may
 * the Job).
 */
export function runOncePod(props: Pick<MattermostPodProps, "scheduling" | "imagePullSecretName" | "existingImagePullSecretNames">) {
  return {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: POD_SECURITY_CONTEXT,
    ...imagePullSecrets(props),
    ...schedulingFields(props),
  };
}

/** Container-level security: no privilege escalation, no capabilities at all. */
export const CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  privileged: false,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
};

const PING = { path: "/api/v4/system/ping", port: String(HTTP_PORT) };

/** Up to 5 minutes for a first start (plugins unpacking, a slow database), then strict checks. */
export const STARTUP_PROBE = { periodSeconds: 10, failureThreshold: 30 };
export const READINESS_PROBE = { periodSeconds: 5, failureThreshold: 3 };
export const LIVENESS_PROBE = { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 };

/** What a pod is given to pull the image before its startup probe's clock matters (a ~1 GB image). */
export const IMAGE_PULL_SECONDS = 180;

/** Mattermost drains websockets on SIGTERM; the time it gets before the kill. */
export const TERMINATION_GRACE_SECONDS = 60;

/**
 * The longest one pod may take from creation to Ready: the image pull, the startup probe's whole
 * allowance (period x failureThreshold), and one readiness period. Rollout deadlines derive from it.
 */
export const POD_START_SECONDS =
  IMAGE_PULL_SECONDS + STARTUP_PROBE.periodSeconds * STARTUP_PROBE.failureThreshold + READINESS_PROBE.periodSeconds;

/** The container's env: secret-backed variables through secretKeyRef, the rest as literals. */
export function containerEnv(props: Pick<MattermostPodProps, "settings" | "envSecretName" | "envValueFrom">) {
  return [
    ...Object.entries(props.settings.fromSecret).map(([name, ref]) => ({
      name,
      valueFrom: { secretKeyRef: typeof ref === "string" ? { name: props.envSecretName, key: ref } : { name: ref!.secretName, key: ref!.key } },
    })),
    ...Object.entries(props.settings.literal).map(([name, value]) => ({ name, value })),
    // The schema refuses names the stack sets or reserves, so these add variables and replace none.
    ...providerEnvValueFrom(props.envValueFrom ?? {}),
  ];
}

/** The pod-spec scheduling fields of the pod (nodeSelector, toleration, affinity, priorityClassName). */
export function schedulingFields(props: Pick<MattermostPodProps, "scheduling">) {
  return podScheduling(props.scheduling);
}

/**
 * The Mattermost container. `serving` adds ports and probes (the Deployment); without it the
 * container runs `command` once (the migration Job) and mounts no data claim, so a ReadWriteOnce
 * claim held by a running pod never blocks the Job.
 */
export function mattermostContainer(props: MattermostPodProps, mode: { serving: true } | { serving: false; command: string[] }): DeploymentV1SpecTemplateSpecContainer {
  const mounts = [
    ...props.mountedSecrets.map((s) => ({ name: s.volume, mountPath: s.mountPath, readOnly: true })),
    ...(mode.serving && props.dataClaimName ? [{ name: "data", mountPath: DATA_DIRECTORY }] : []),
  ];
  return {
    name: "mattermost",
    image: props.image,
    ...(mode.serving ? {} : { command: mode.command }),
    env: containerEnv(props),
    // `env` wins over `envFrom` for a name in both (Kubernetes API, core/v1 Container.EnvFrom), so a
    // Secret read whole can add variables but never change one the stack sets.
    ...(props.envFrom && props.envFrom.length > 0 ? { envFrom: providerEnvFrom(props.envFrom) } : {}),
    resources: { requests: { ...props.resources.requests }, limits: { ...props.resources.limits } },
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMount: mounts,
    ...(mode.serving
      ? {
          port: [
            { name: "http", containerPort: HTTP_PORT, protocol: "TCP" },
            ...(props.metrics ? [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }] : []),
            ...(props.gossip
              ? [
                  { name: "gossip-tcp", containerPort: GOSSIP_PORT, protocol: "TCP" },
                  { name: "gossip-udp", containerPort: GOSSIP_PORT, protocol: "UDP" },
                ]
              : []),
          ],
          startupProbe: { httpGet: PING, ...STARTUP_PROBE },
          readinessProbe: { httpGet: PING, ...READINESS_PROBE },
          livenessProbe: { httpGet: PING, ...LIVENESS_PROBE },
        }
      : {}),
  };
}

/** The pod's volumes; `serving` decides whether the data claim is among them. */
export function mattermostVolumes(props: MattermostPodProps, serving: boolean): DeploymentV1SpecTemplateSpecVolume[] {
  return [
    ...props.mountedSecrets.map((s) => ({ name: s.volume, secret: { secretName: s.secretName, defaultMode: "0444" } })),
    ...(serving && props.dataClaimName ? [{ name: "data", persistentVolumeClaim: { claimName: props.dataClaimName } }] : []),
  ];
}

/** The pod spec's imagePullSecrets for a private registry, or nothing. */
export function imagePullSecrets(props: Pick<MattermostPodProps, "imagePullSecretName" | "existingImagePullSecretNames">) {
  const names = [...(props.imagePullSecretName ? [props.imagePullSecretName] : []), ...(props.existingImagePullSecretNames ?? [])];
  return names.length > 0 ? { imagePullSecrets: names.map((name) => ({ name })) } : {};
}
