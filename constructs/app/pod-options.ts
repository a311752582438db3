import type { MattermostConfig } from "../../config/schema/mattermost";
import { EXTRA_CONTAINER_RESOURCES } from "../../config/schema/pod";

/*
 * The Helm-style pod options of the environment file (Kubernetes API shapes) translated into the
 * kubernetes provider's blocks: repeated blocks are singular lists (`toleration`, `nodeSelectorTerm`,
 * `initContainer`), a label selector is a list of one, integers that may be unset are strings.
 */

/** Where the pods of the environment may run: given to the Deployment and to every Job alike. */
export interface PodScheduling {
  readonly nodeSelector: MattermostConfig["nodeSelector"];
  readonly tolerations: MattermostConfig["tolerations"];
  readonly affinity?: MattermostConfig["affinity"];
  readonly priorityClassName?: string;
}

/** The scheduling options of an environment's `mattermost` section. */
export function schedulingOf(mm: Pick<MattermostConfig, "nodeSelector" | "tolerations" | "affinity" | "priorityClassName">): PodScheduling {
  return { nodeSelector: mm.nodeSelector, tolerations: mm.tolerations, ...(mm.affinity ? { affinity: mm.affinity } : {}), ...(mm.priorityClassName ? { priorityClassName: mm.priorityClassName } : {}) };
}

/** The pod-spec fields of `scheduling`, only those that are set. */
export function podScheduling(scheduling: PodScheduling | undefined) {
  if (!scheduling) return {};
  return {
    ...(Object.keys(scheduling.nodeSelector).length > 0 ? { nodeSelector: { ...scheduling.nodeSelector } } : {}),
    ...(scheduling.tolerations.length > 0
      ? {
          toleration: scheduling.tolerations.map((t) => ({
            operator: t.operator,
            ...(t.key !== undefined ? { key: t.key } : {}),
            ...(t.value !== undefined ? { value: t.value } : {}),
            ...(t.effect !== undefined ? { effect: t.effect } : {}),
            ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: String(t.tolerationSeconds) } : {}),
          })),
        }
      : {}),
    ...(scheduling.affinity ? { affinity: providerAffinity(scheduling.affinity) } : {}),
    ...(scheduling.priorityClassName ? { priorityClassName: scheduling.priorityClassName } : {}),
  };
}

type Affinity = NonNullable<MattermostConfig["affinity"]>;
type PodAffinity = NonNullable<Affinity["podAffinity"]>;
type PodAffinityTerm = NonNullable<PodAffinity["requiredDuringSchedulingIgnoredDuringExecution"]>[number];
type LabelSelector = NonNullable<PodAffinityTerm["labelSelector"]>;

function providerSelector(selector: LabelSelector) {
  return [{ ...(selector.matchLabels ? { matchLabels: selector.matchLabels } : {}), ...(selector.matchExpressions ? { matchExpressions: selector.matchExpressions } : {}) }];
}

function providerPodAffinityTerm(term: PodAffinityTerm) {
  return {
    topologyKey: term.topologyKey,
    ...(term.namespaces ? { namespaces: term.namespaces } : {}),
    ...(term.labelSelector ? { labelSelector: providerSelector(term.labelSelector) } : {}),
    ...(term.namespaceSelector ? { namespaceSelector: providerSelector(term.namespaceSelector) } : {}),
  };
}

function providerPodAffinity(affinity: PodAffinity) {
  return {
    ...(affinity.requiredDuringSchedulingIgnoredDuringExecution
      ? { requiredDuringSchedulingIgnoredDuringExecution: affinity.requiredDuringSchedulingIgnoredDuringExecution.map(providerPodAffinityTerm) }
      : {}),
    ...(affinity.preferredDuringSchedulingIgnoredDuringExecution
      ? {
          preferredDuringSchedulingIgnoredDuringExecution: affinity.preferredDuringSchedulingIgnoredDuringExecution.map((p) => ({
            weight: p.weight,
            podAffinityTerm: providerPodAffinityTerm(p.podAffinityTerm),
          })),
        }
      : {}),
  };
}

/** Kubernetes' `affinity` in the provider's shape (`nodeSelectorTerms` becomes `nodeSelectorTerm`, selectors lists of one). */
export function providerAffinity(affinity: Affinity) {
  const node = affinity.nodeAffinity;
  return {
    ...(node
      ? {
          nodeAffinity: {
            ...(node.requiredDuringSchedulingIgnoredDuringExecution
              ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerm: node.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms } }
              : {}),
            ...(node.preferredDuringSchedulingIgnoredDuringExecution ? { preferredDuringSchedulingIgnoredDuringExecution: node.preferredDuringSchedulingIgnoredDuringExecution } : {}),
          },
        }
      : {}),
    ...(affinity.podAffinity ? { podAffinity: providerPodAffinity(affinity.podAffinity) } : {}),
    ...(affinity.podAntiAffinity ? { podAntiAffinity: providerPodAffinity(affinity.podAntiAffinity) } : {}),
  };
}

/** `envFrom` entries in the provider's shape. */
export function providerEnvFrom(sources: MattermostConfig["envFrom"]) {
  return sources.map((s) => ({
    ...(s.prefix ? { prefix: s.prefix } : {}),
    ...(s.secretRef ? { secretRef: { ...s.secretRef } } : {}),
    ...(s.configMapRef ? { configMapRef: { ...s.configMapRef } } : {}),
  }));
}

/** Single variables from Secret or ConfigMap keys, as `env` entries with `valueFrom`. */
export function providerEnvValueFrom(variables: MattermostConfig["envValueFrom"]) {
  return Object.entries(variables).map(([name, from]) => ({
    name,
    valueFrom: from.secretKeyRef ? { secretKeyRef: { ...from.secretKeyRef } } : { configMapKeyRef: { ...from.configMapKeyRef! } },
  }));
}

/** Extra volumes in the provider's shape (modes stay octal strings, as the provider wants them). */
export function providerVolumes(volumes: MattermostConfig["extraVolumes"]) {
  return volumes.map((v) => ({
    name: v.name,
    ...(v.secret ? { secret: { ...v.secret, ...(v.secret.items ? { items: v.secret.items.map((i) => ({ ...i })) } : {}) } } : {}),
    ...(v.configMap ? { configMap: { ...v.configMap, ...(v.configMap.items ? { items: v.configMap.items.map((i) => ({ ...i })) } : {}) } } : {}),
    ...(v.emptyDir ? { emptyDir: { ...v.emptyDir } } : {}),
    ...(v.persistentVolumeClaim ? { persistentVolumeClaim: { ...v.persistentVolumeClaim } } : {}),
    ...(v.csi ? { csi: { ...v.csi } } : {}),
  }));
}

/** Volume mounts in the provider's shape. */
export function providerVolumeMounts(mounts: MattermostConfig["extraVolumeMounts"]) {
  return mounts.map((m) => ({ ...m }));
}

/**
 * A sidecar or init container. Without a securityContext it gets `restricted`, the Mattermost
 * container's own (`restricted`); with one, the user's replaces it as a whole, and the security
 * policy (pods-hardened) still checks it at synth. Without resources it gets EXTRA_CONTAINER_RESOURCES.
 */
export function providerExtraContainer(container: MattermostConfig["extraContainers"][number], restricted: object) {
  const resources = container.resources ?? EXTRA_CONTAINER_RESOURCES;
  const context = container.securityContext;
  return {
    name: container.name,
    image: container.image,
    ...(container.command ? { command: container.command } : {}),
    ...(container.args ? { args: container.args } : {}),
    env: [...Object.entries(container.env).map(([name, value]) => ({ name, value })), ...providerEnvValueFrom(container.envValueFrom)],
    ...(container.envFrom.length > 0 ? { envFrom: providerEnvFrom(container.envFrom) } : {}),
    volumeMount: providerVolumeMounts(container.volumeMounts),
    ...(container.ports.length > 0 ? { port: container.ports.map((p) => ({ ...p })) } : {}),
    resources: { requests: { ...resources.requests }, limits: { ...resources.limits } },
    securityContext: context
      ? {
          ...context,
          ...(context.runAsUser !== undefined ? { runAsUser: String(context.runAsUser) } : {}),
          ...(context.runAsGroup !== undefined ? { runAsGroup: String(context.runAsGroup) } : {}),
        }
      : restricted,
  };
}
