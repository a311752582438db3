import { z } from "zod";
import { cidr, imageReference, kubernetesName } from "./common";
import { crossField, CrossFieldCheck } from "./cross-field";

/*
 * The pod, service and ingress options Helm users rely on (mattermost/mattermost-helm,
 * charts/mattermost-team-edition/values.yaml): scheduling, extra volumes and containers, environment
 * from existing Secrets and ConfigMaps, the Service, the Ingress, an autoscaler and a ServiceMonitor.
 * Shapes follow the Kubernetes API (camelCase, as in a manifest), so a values.yaml block can be
 * pasted; the constructs translate them into the kubernetes provider's blocks.
 */

/** A DNS subdomain (RFC 1123): what priority classes and annotation prefixes must be. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The name part of a label or annotation key (after the optional `prefix/`). */
const QUALIFIED_NAME = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^((?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Why `key` is not a Kubernetes label or annotation key, or undefined. */
function qualifiedKeyProblem(key: string): string | undefined {
  const parts = key.split("/");
  const ok = parts.length === 1 ? QUALIFIED_NAME.test(key) : parts.length === 2 && DNS_SUBDOMAIN.test(parts[0]) && QUALIFIED_NAME.test(parts[1]);
  return ok ? undefined : "is not a Kubernetes label or annotation key: [prefix/]name, the name at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. example.com/team)";
}

/** A map of annotations: keys checked, values any string. */
const annotations = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).superRefine((map, ctx) => {
  for (const key of Object.keys(map)) {
    const problem = qualifiedKeyProblem(key);
    if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
  }
});

/** A map of labels: keys and values checked. */
const labels = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).superRefine((map, ctx) => {
  for (const [key, value] of Object.entries(map)) {
    const problem = qualifiedKeyProblem(key);
    if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
    else if (!LABEL_VALUE.test(value)) {
      ctx.addIssue({ code: "custom", path: [key], message: `has value "${value}", which is not a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit` });
    }
  }
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string().regex(ENV_NAME, "is not an environment variable name; use letters, digits and '_', not starting with a digit");
const literal = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** The stack's own labels: every object carries them and the selectors use them. */
export const STACK_LABELS = [
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/component",
  "app.kubernetes.io/part-of",
  "app.kubernetes.io/managed-by",
] as const;

/** Volume names the stack uses in the Mattermost pod. */
export const STACK_VOLUMES = ["data", "database-ca", "saml-certificate"] as const;

/** Directories the stack mounts into the Mattermost container (local files, the database CA). */
export const STACK_MOUNT_PATHS = ["/mattermost/data", "/mattermost/db-ca"] as const;

const selectorRequirement = z
  .object({
    key: z.string().min(1),
    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"], { message: "must be In, NotIn, Exists, DoesNotExist, Gt or Lt" }),
    values: z.array(z.string()).optional(),
  })
  .strict();

const nodeSelectorTerm = z.object({ matchExpressions: z.array(selectorRequirement).optional(), matchFields: z.array(selectorRequirement).optional() }).strict();

const labelSelector = z.object({ matchLabels: z.record(z.string(), z.string()).optional(), matchExpressions: z.array(selectorRequirement).optional() }).strict();

const podAffinityTerm = z
  .object({
    labelSelector: labelSelector.optional(),
    namespaceSelector: labelSelector.optional(),
    namespaces: z.array(kubernetesName).optional(),
    topologyKey: z.string().min(1, "name the topology key, e.g. kubernetes.io/hostname"),
  })
  .strict();

const weight = z.number().int().min(1, "must be a weight between 1 and 100").max(100, "must be a weight between 1 and 100");

const podAffinity = z
  .object({
    requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
    preferredDuringSchedulingIgnoredDuringExecution: z.array(z.object({ weight, podAffinityTerm }).strict()).optional(),
  })
  .strict();

/** Affinity as in a pod spec (`affinity:` of values.yaml). */
export const affinitySchema = z
  .object({
    nodeAffinity: z
      .object({
        requiredDuringSchedulingIgnoredDuringExecution: z.object({ nodeSelectorTerms: z.array(nodeSelectorTerm).min(1) }).strict().optional(),
        preferredDuringSchedulingIgnoredDuringExecution: z.array(z.object({ weight, preference: nodeSelectorTerm }).strict()).optional(),
      })
      .strict()
      .optional(),
    podAffinity: podAffinity.optional(),
    podAntiAffinity: podAffinity.optional(),
  })
  .strict();

/** A toleration as in a pod spec. */
export const tolerationSchema = z
  .object({
    key: z.string().optional(),
    operator: z.enum(["Equal", "Exists"], { message: "must be Equal or Exists" }).default("Equal"),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"], { message: "must be NoSchedule, PreferNoSchedule or NoExecute (or leave it out for every effect)" }).optional(),
    tolerationSeconds: z.number().int().min(0).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.operator === "Exists" && t.value) ctx.addIssue({ code: "custom", path: ["value"], message: "must be empty with operator Exists; remove value or use operator Equal" });
    if (t.operator === "Equal" && !t.key) ctx.addIssue({ code: "custom", path: ["key"], message: "is required with operator Equal (only Exists without a key tolerates every taint)" });
    if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
      ctx.addIssue({ code: "custom", path: ["tolerationSeconds"], message: "only applies to effect NoExecute; set effect: NoExecute or remove tolerationSeconds" });
    }
  });

const keyToPath = z.object({ key: z.string().min(1), path: z.string().min(1), mode: z.string().regex(/^0[0-7]{3}$/, "must be an octal mode such as 0444").optional() }).strict();
const fileMode = z.string().regex(/^0[0-7]{3}$/, "must be an octal mode such as 0444 (quote it in YAML)");

/**
 * An extra volume. Only kinds that stay inside the pod's own sandbox: Secret, ConfigMap, emptyDir,
 * a PersistentVolumeClaim and CSI. `hostPath` (the node's own files) is what Pod Security's
 * `restricted` profile forbids, and is refused.
 */
export const volumeSchema = z
  .object({
    name: kubernetesName,
    secret: z.object({ secretName: kubernetesName, items: z.array(keyToPath).optional(), defaultMode: fileMode.optional(), optional: z.boolean().optional() }).strict().optional(),
    configMap: z.object({ name: kubernetesName, items: z.array(keyToPath).optional(), defaultMode: fileMode.optional(), optional: z.boolean().optional() }).strict().optional(),
    emptyDir: z
      .object({
        medium: z.enum(["", "Memory"], { message: 'must be "" (the node\'s disk) or Memory' }).optional(),
        sizeLimit: z.string().regex(/^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, "must be a quantity such as 1Gi").optional(),
      })
      .strict()
      .optional(),
    persistentVolumeClaim: z.object({ claimName: kubernetesName, readOnly: z.boolean().optional() }).strict().optional(),
    csi: z
      .object({ driver: z.string().min(1), readOnly: z.boolean().optional(), volumeAttributes: z.record(z.string(), z.string()).optional(), fsType: z.string().optional() })
      .strict()
      .optional(),
    hostPath: z.unknown().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.hostPath !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["hostPath"],
        message: "is refused: it gives the pod the node's own files (Pod Security 'restricted' forbids it); use a persistentVolumeClaim, a csi volume, a Secret, a ConfigMap or an emptyDir",
      });
      return;
    }
    const kinds = (["secret", "configMap", "emptyDir", "persistentVolumeClaim", "csi"] as const).filter((k) => v[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: "custom", path: [], message: `must have exactly one of secret, configMap, emptyDir, persistentVolumeClaim or csi (has ${kinds.length === 0 ? "none" : kinds.join(", ")})` });
    }
  });

/** Where a volume appears in a container. */
export const volumeMountSchema = z
  .object({
    name: kubernetesName,
    mountPath: z.string().regex(/^\/[^:]*$/, "must be an absolute path such as /mattermost/plugins"),
    subPath: z.string().optional(),
    readOnly: z.boolean().optional(),
  })
  .strict();

/** One variable from a key of an existing Secret or ConfigMap. */
export const valueFromSchema = z
  .object({
    secretKeyRef: z.object({ name: kubernetesName, key: z.string().min(1), optional: z.boolean().optional() }).strict().optional(),
    configMapKeyRef: z.object({ name: kubernetesName, key: z.string().min(1), optional: z.boolean().optional() }).strict().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.secretKeyRef === undefined) === (v.configMapKeyRef === undefined)) {
      ctx.addIssue({ code: "custom", path: [], message: "must have exactly one of secretKeyRef or configMapKeyRef, e.g. { secretKeyRef: { name: gitlab-oauth, key: secret } }" });
    }
  });

/** Every key of an existing Secret or ConfigMap as variables (`envFrom`). */
export const envFromSchema = z
  .object({
    secretRef: z.object({ name: kubernetesName, optional: z.boolean().optional() }).strict().optional(),
    configMapRef: z.object({ name: kubernetesName, optional: z.boolean().optional() }).strict().optional(),
    prefix: z.string().regex(/^([A-Za-z_][A-Za-z0-9_]*)?$/, "must be the start of an environment variable name (letters, digits, '_')").optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.secretRef === undefined) === (v.configMapRef === undefined)) {
      ctx.addIssue({ code: "custom", path: [], message: "must have exactly one of secretRef or configMapRef, e.g. { secretRef: { name: mattermost-extra } }" });
    }
  });

const cpuQuantity = z.string().regex(/^\d+(\.\d+)?m?$/, "must be a CPU quantity such as 100m or 1");
const memoryQuantity = z.string().regex(/^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, "must be a memory quantity such as 128Mi");
const computeResources = z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict();

/** What a sidecar or init container gets when its resources are not given. */
export const EXTRA_CONTAINER_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } } as const;

/**
 * The security context of an extra container when the user gives one. It replaces the stack's
 * restricted default as a whole; the security policy (pods-hardened) still checks the result.
 */
const securityContextSchema = z
  .object({
    allowPrivilegeEscalation: z.boolean().optional(),
    privileged: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    runAsNonRoot: z.boolean().optional(),
    runAsUser: z.number().int().min(0).optional(),
    runAsGroup: z.number().int().min(0).optional(),
    capabilities: z.object({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() }).strict().optional(),
  })
  .strict();

/** A sidecar or init container. */
export const extraContainerSchema = z
  .object({
    name: kubernetesName,
    /** With a tag or a digest, never bare or `:latest`, as `mattermost.image` (docs/security.md, Supply chain). */
    image: imageReference,
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    /** Literal variables (the security policy refuses secret-looking names here: use envValueFrom). */
    env: z.record(envName, literal).default({}),
    envValueFrom: z.record(envName, valueFromSchema).default({}),
    envFrom: z.array(envFromSchema).default([]),
    volumeMounts: z.array(volumeMountSchema).default([]),
    ports: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, "must be a port name: at most 15 lowercase letters, digits and '-'").optional(),
            containerPort: z.number().int().min(1).max(65535),
            protocol: z.enum(["TCP", "UDP"]).default("TCP"),
          })
          .strict(),
      )
      .default([]),
    resources: z.object({ requests: computeResources, limits: computeResources }).strict().optional(),
    securityContext: securityContextSchema.optional(),
  })
  .strict();

/** Who, besides the Ingress controller, may connect to Mattermost on 8065. */
export const httpSourceSchema = z
  .object({
    /** A namespace (e.g. the Gateway API implementation's). */
    namespace: kubernetesName.optional(),
    /** Only the pods with these labels in that namespace. */
    podLabels: z.record(z.string(), z.string()).optional(),
    /** A network (e.g. the subnets of a load balancer that sends traffic straight to the pods). */
    cidr: cidr.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.namespace === undefined) === (s.cidr === undefined)) {
      ctx.addIssue({ code: "custom", path: [], message: "must have exactly one of namespace or cidr, e.g. { namespace: envoy-gateway-system } or { cidr: 10.0.0.0/16 }" });
    }
    if (s.podLabels && !s.namespace) ctx.addIssue({ code: "custom", path: ["podLabels"], message: "needs namespace: it narrows the pods of that namespace" });
  });

/** A HorizontalPodAutoscaler on CPU (and memory) utilisation of the requests. */
export const autoscalingSchema = z
  .object({
    minReplicas: z.number().int().min(1).max(100).default(2),
    maxReplicas: z.number().int().min(1).max(100),
    targetCpuUtilizationPercentage: z.number().int().min(1).max(100).default(80),
    targetMemoryUtilizationPercentage: z.number().int().min(1).max(100).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.maxReplicas < a.minReplicas) {
      ctx.addIssue({ code: "custom", path: ["maxReplicas"], message: `is ${a.maxReplicas}, below minReplicas ${a.minReplicas}; raise maxReplicas or lower minReplicas` });
    }
  });

/** A Prometheus Operator ServiceMonitor for the metrics port. */
export const serviceMonitorSchema = z
  .object({
    /** Labels the Prometheus resource selects ServiceMonitors by (kube-prometheus-stack: `release: <its release name>`). */
    labels: labels.default({}),
    interval: z.string().regex(/^\d+(ms|s|m|h)$/, "must be a duration such as 30s or 1m").default("30s"),
  })
  .strict();

const hostname = z
  .string()
  .regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, "must be a host name such as chat.example.org (lowercase, no scheme or path)");

/** The keys this file adds to the `mattermost` section. */
export const podKeys = {
  /** Node labels the pods (Deployment and Jobs) must be scheduled on. */
  nodeSelector: labels.default({}),
  /** Taints the pods (Deployment and Jobs) tolerate. */
  tolerations: z.array(tolerationSchema).default([]),
  /** Node and pod (anti-)affinity of the pods (Deployment and Jobs); the topology spread stays. */
  affinity: affinitySchema.optional(),
  /** PriorityClass of the pods (Deployment and Jobs). */
  priorityClassName: z.string().regex(DNS_SUBDOMAIN, "must be a PriorityClass name (lowercase letters, digits, '-' and '.')").optional(),
  /** Extra annotations on the Mattermost pods. */
  podAnnotations: annotations.default({}),
  /** Extra labels on the Mattermost pods; never the stack's own. */
  podLabels: labels.default({}),
  extraVolumes: z.array(volumeSchema).default([]),
  /** Mounts of extraVolumes into the Mattermost container. */
  extraVolumeMounts: z.array(volumeMountSchema).default([]),
  /** Sidecars of the Mattermost pods. */
  extraContainers: z.array(extraContainerSchema).default([]),
  extraInitContainers: z.array(extraContainerSchema).default([]),
  /** Variables from every key of existing Secrets or ConfigMaps (Mattermost container and migration Job). */
  envFrom: z.array(envFromSchema).default([]),
  /** Single variables from a key of an existing Secret or ConfigMap. */
  envValueFrom: z.record(z.string(), valueFromSchema).default({}),
  serviceType: z.enum(["ClusterIP", "NodePort", "LoadBalancer"], { message: "must be ClusterIP, NodePort or LoadBalancer" }).default("ClusterIP"),
  serviceAnnotations: annotations.default({}),
  serviceLoadBalancerSourceRanges: z.array(cidr).default([]),
  /** false: no Ingress (Gateway API, a self-managed load balancer); name who connects in httpAllowedFrom. */
  ingressEnabled: z.boolean().default(true),
  ingressAnnotations: annotations.default({}),
  /** More hosts routed to Mattermost besides siteUrl's. */
  ingressExtraHosts: z.array(hostname).default([]),
  /** Sources the NetworkPolicy admits on 8065 besides the Ingress controller's namespace. */
  httpAllowedFrom: z.array(httpSourceSchema).default([]),
  autoscaling: autoscalingSchema.optional(),
  serviceMonitor: serviceMonitorSchema.optional(),
};

/** Ingress annotations a key sets: the key to use instead. */
const MANAGED_INGRESS_ANNOTATIONS: Readonly<Record<string, string>> = {
  "nginx.ingress.kubernetes.io/proxy-body-size": "mattermost.maxFileSizeMb",
  "nginx.ingress.kubernetes.io/whitelist-source-range": "mattermost.ingressAllowedSourceRanges",
  "cert-manager.io/cluster-issuer": "mattermost.certManagerClusterIssuer",
  "nginx.ingress.kubernetes.io/ssl-redirect": "mattermost.siteUrl (http:// turns the redirect off, https:// keeps it)",
};

/** What a problem is reported with. */
type Problem = (path: (string | number)[], message: string) => void;

/** The fields of the mattermost section these checks read. */
const podKeysObject = z.object(podKeys);
/** The pod options with every default filled in. */
export type PodKeysOutput = z.output<typeof podKeysObject>;
export type PodKeysConfig = PodKeysOutput & {
  readonly replicas: number;
  readonly clustering: boolean;
  readonly performanceMonitoring: boolean;
  readonly siteUrl: string;
  readonly ingressAllowedSourceRanges: readonly string[];
  readonly tlsSecretName?: string;
  readonly certManagerClusterIssuer?: string;
  readonly ingressClassName?: string;
  readonly extraEnv: Readonly<Record<string, string>>;
};

/** One cross-field check of the pod options; `envProblem` is the mattermost section's check of a variable name. */
export type PodKeyCheck = (mm: PodKeysConfig, problem: Problem, envProblem: (name: string) => string | undefined) => void;

/**
 * The pod options' cross-key checks, each on its own so one that reads a key which failed
 * validation stops alone (config/schema/cross-field.ts) and the others still report.
 */
export const POD_KEY_CHECKS: readonly PodKeyCheck[] = [
  (mm, problem) => {
    for (const key of Object.keys(mm.podLabels)) {
      if ((STACK_LABELS as readonly string[]).includes(key)) {
        problem(["podLabels", key], "is one of the stack's own labels (the Service, PodDisruptionBudget and NetworkPolicy select the pods by them); use another key");
      }
    }
  },
  (mm, problem) => {
    for (const key of Object.keys(mm.podAnnotations)) {
      if (key.startsWith("mattermost-cdktf/")) problem(["podAnnotations", key], "is in the stack's own prefix mattermost-cdktf/ (it rolls the pods when a secret changes); use another key");
      else if (key.startsWith("prometheus.io/")) problem(["podAnnotations", key], "is set by mattermost.performanceMonitoring; set that key instead");
    }

  },
  (mm, problem) => {
    const volumeNames = mm.extraVolumes.map((v) => v.name);
    mm.extraVolumes.forEach((v, i) => {
      if ((STACK_VOLUMES as readonly string[]).includes(v.name)) problem(["extraVolumes", i, "name"], `is "${v.name}", a volume of the stack (${STACK_VOLUMES.join(", ")}); choose another name`);
      else if (volumeNames.indexOf(v.name) !== i) problem(["extraVolumes", i, "name"], `is "${v.name}" again; volume names must be unique`);
    });
    const checkMounts = (mounts: readonly { name: string; mountPath: string }[], path: (string | number)[], stackPaths: boolean) => {
      const seen = new Set<string>();
      mounts.forEach((m, i) => {
        if (!volumeNames.includes(m.name)) problem([...path, i, "name"], `names volume "${m.name}", which is not in mattermost.extraVolumes; add it there or fix the name`);
        if (stackPaths && STACK_MOUNT_PATHS.some((p) => m.mountPath === p || m.mountPath.startsWith(`${p}/`))) {
          problem([...path, i, "mountPath"], `is ${m.mountPath}, where the stack mounts its own volume (${STACK_MOUNT_PATHS.join(", ")}); mount it elsewhere`);
        }
        if (seen.has(m.mountPath)) problem([...path, i, "mountPath"], `is ${m.mountPath} again; each path takes one mount`);
        seen.add(m.mountPath);
      });
    };
    checkMounts(mm.extraVolumeMounts, ["extraVolumeMounts"], true);

    const containerNames = ["mattermost"];
    for (const [key, list] of [["extraContainers", mm.extraContainers], ["extraInitContainers", mm.extraInitContainers]] as const) {
      list.forEach((c, i) => {
        if (containerNames.includes(c.name)) problem([key, i, "name"], `is "${c.name}", already the name of ${c.name === "mattermost" ? "Mattermost's container" : "another container"}; choose another name`);
        containerNames.push(c.name);
        checkMounts(c.volumeMounts, [key, i, "volumeMounts"], false);
      });
    }

  },
  (mm, problem, envProblem) => {
    for (const name of Object.keys(mm.envValueFrom)) {
      const why = envProblem(name);
      if (why) problem(["envValueFrom", name], why.replace(/extraEnv/g, "envValueFrom"));
      else if (name in mm.extraEnv) problem(["envValueFrom", name], "is also set in extraEnv; keep one of them");
    }
  },
  (mm, problem, envProblem) => {
    mm.envFrom.forEach((source, i) => {
      // Values given by `env` win over `envFrom` (Kubernetes API, core/v1 Container.EnvFrom: "Values
      // defined by an Env with a duplicate key will take precedence"), so every variable the stack sets
      // keeps its value; a prefix inside a group a key manages is refused outright.
      const why = source.prefix ? envProblem(source.prefix) : undefined;
      if (source.prefix && why && /managed by/.test(why)) problem(["envFrom", i, "prefix"], why.replace(/overriding it in extraEnv/, "reading it from a Secret or ConfigMap"));
    });

  },
  (mm, problem) => {
    if (mm.serviceType !== "LoadBalancer" && mm.serviceLoadBalancerSourceRanges.length > 0) {
      problem(["serviceLoadBalancerSourceRanges"], `only applies to serviceType LoadBalancer (serviceType is ${mm.serviceType}); set serviceType: LoadBalancer or remove it`);
    }
    if (mm.serviceType === "LoadBalancer" && mm.serviceLoadBalancerSourceRanges.length === 0) {
      problem(["serviceLoadBalancerSourceRanges"], "is required with serviceType LoadBalancer: name the networks that may connect (0.0.0.0/0 for the whole internet, said explicitly)");
    }
    if (mm.serviceType !== "ClusterIP" && mm.httpAllowedFrom.length === 0) {
      problem(["httpAllowedFrom"], `is required with serviceType ${mm.serviceType}: the NetworkPolicy admits only the Ingress controller's namespace on 8065, so connections through the ${mm.serviceType} Service would be dropped; name their sources (e.g. { cidr: 10.0.0.0/16 }, the nodes' or load balancer's network)`);
    }

  },
  (mm, problem) => {
    for (const key of Object.keys(mm.ingressAnnotations)) {
      const managedBy = MANAGED_INGRESS_ANNOTATIONS[key];
      if (managedBy) problem(["ingressAnnotations", key], `is set by ${managedBy}; set that key instead`);
    }
    const siteHost = hostOf(mm.siteUrl);
    mm.ingressExtraHosts.forEach((host, i) => {
      if (host === siteHost) problem(["ingressExtraHosts", i], `is siteUrl's host (${host}), which the Ingress already routes; remove it`);
      else if (mm.ingressExtraHosts.indexOf(host) !== i) problem(["ingressExtraHosts", i], `is ${host} again; remove the duplicate`);
    });
  },
  (mm, problem) => {
    if (!mm.ingressEnabled) {
      const ingressOnly: [string, boolean][] = [
        ["ingressAnnotations", Object.keys(mm.ingressAnnotations).length > 0],
        ["ingressExtraHosts", mm.ingressExtraHosts.length > 0],
        ["ingressAllowedSourceRanges", mm.ingressAllowedSourceRanges.length > 0],
        ["ingressClassName", mm.ingressClassName !== undefined],
        ["tlsSecretName", mm.tlsSecretName !== undefined],
        ["certManagerClusterIssuer", mm.certManagerClusterIssuer !== undefined],
      ];
      for (const [key, used] of ingressOnly) {
        if (used) problem([key], "configures the Ingress, but ingressEnabled is false; remove it (or set it on whatever replaces the Ingress: your Gateway or load balancer)");
      }
      if (mm.httpAllowedFrom.length === 0) {
        problem(["httpAllowedFrom"], "is required with ingressEnabled: false: without an Ingress the NetworkPolicy would admit no one on 8065; name who connects (e.g. { namespace: envoy-gateway-system } for a Gateway, { cidr: 10.0.0.0/16 } for an ALB in IP mode)");
      }
    }

  },
  (mm, problem) => {
    if (mm.autoscaling) {
      if (mm.replicas !== 1 && mm.replicas !== mm.autoscaling.minReplicas) {
        problem(["replicas"], `is ${mm.replicas} but autoscaling manages the number of pods (the Deployment starts at autoscaling.minReplicas ${mm.autoscaling.minReplicas}); remove replicas`);
      }
      if (mm.autoscaling.maxReplicas > 1 && !mm.clustering) {
        problem(["autoscaling"], `can run up to ${mm.autoscaling.maxReplicas} pods but clustering is off: pods would not see each other's messages; set mattermost.clustering: true (needs the licence) or remove autoscaling`);
      }
    }
  },
  (mm, problem) => {
    for (const key of Object.keys(mm.serviceMonitor?.labels ?? {})) {
      if ((STACK_LABELS as readonly string[]).includes(key)) problem(["serviceMonitor", "labels", key], "is one of the stack's own labels, which every object of the environment carries; use another key (e.g. release)");
    }
    if (mm.serviceMonitor && !mm.performanceMonitoring) {
      problem(["serviceMonitor"], "needs performanceMonitoring: true (Mattermost serves metrics on 8067 only then); set it or remove serviceMonitor");
    }
  },
];

/** Every check of {@link POD_KEY_CHECKS}, one after the other. */
export function checkPodKeys(mm: PodKeysConfig, problem: Problem, envProblem: (name: string) => string | undefined): void {
  for (const check of POD_KEY_CHECKS) check(mm, problem, envProblem);
}

/** The most pods the Deployment may run: what shared files and rollout deadlines are sized for. */
export function maxPods(mm: { readonly replicas: number; readonly autoscaling?: { readonly maxReplicas: number } }): number {
  return mm.autoscaling ? Math.max(mm.autoscaling.maxReplicas, mm.replicas) : mm.replicas;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/**
 * The pod options' checks as one cross-field check of the mattermost section that runs each of
 * them on its own (crossField), so a key that failed validation silences only the check reading it.
 */
export function podKeyChecks(envProblem: (name: string) => string | undefined): CrossFieldCheck<PodKeysConfig> {
  return crossField<PodKeysConfig>(...POD_KEY_CHECKS.map((check): CrossFieldCheck<PodKeysConfig> => (mm, ctx) => check(mm, (path, message) => ctx.addIssue({ code: "custom", path, message }), envProblem)));
}
