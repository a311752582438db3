import { loadEnvironments } from "../../config/load";
import { awsInput, environmentsFolder, localInput, rejectionsOf } from "../support/synth";

// The pod, service and ingress options Helm users rely on (config/schema/pod.ts): bad input is
// refused at synth with the file, the key, what is wrong and the fix.

const ENTERPRISE = "mattermost/mattermost-enterprise-edition:10.11.4";

/** The problems of one environment `dev` (local files, Enterprise image) with `mattermost` merged in. */
function problemsWith(mattermost: Record<string, unknown>, base: any = localInput()): string[] {
  base.mattermost = { ...base.mattermost, image: ENTERPRISE, ...mattermost };
  return rejectionsOf({ "dev.yaml": base }).map((p) => p.replace(/^.*\/dev\.yaml/, "environments/dev.yaml"));
}

/** The loaded `mattermost` section of `dev` with `mattermost` merged in. */
function loaded(mattermost: Record<string, unknown>, base: any = localInput()): any {
  base.mattermost = { ...base.mattermost, image: ENTERPRISE, ...mattermost };
  return loadEnvironments(environmentsFolder({ "dev.yaml": base }))[0].config.mattermost;
}

describe("pod options: accepted as a Helm values.yaml writes them", () => {
  test("defaults change nothing: no scheduling, no extras, ClusterIP, an Ingress, no autoscaler", () => {
    const mm = loaded({});
    expect(mm).toMatchObject({ nodeSelector: {}, tolerations: [], podAnnotations: {}, podLabels: {}, extraVolumes: [], extraContainers: [], envFrom: [], envValueFrom: {}, serviceType: "ClusterIP", ingressEnabled: true, httpAllowedFrom: [] });
    expect(mm.affinity).toBeUndefined();
    expect(mm.autoscaling).toBeUndefined();
    expect(mm.serviceMonitor).toBeUndefined();
  });

  test("a toleration defaults to operator Equal; an autoscaler to 2 pods at 80 % CPU; a ServiceMonitor to 30 s", () => {
    const mm = loaded(
      { licensed: true, clustering: true, performanceMonitoring: true, tolerations: [{ key: "dedicated", value: "chat" }], autoscaling: { maxReplicas: 4 }, serviceMonitor: {} },
      awsInput(),
    );
    expect(mm.tolerations).toEqual([{ key: "dedicated", value: "chat", operator: "Equal" }]);
    expect(mm.autoscaling).toEqual({ minReplicas: 2, maxReplicas: 4, targetCpuUtilizationPercentage: 80 });
    expect(mm.serviceMonitor).toEqual({ labels: {}, interval: "30s" });
  });
});

describe("pod options: rejected input names the key and the fix", () => {
  test.each([["app.kubernetes.io/instance"], ["app.kubernetes.io/component"], ["app.kubernetes.io/name"]])("podLabels may not set the stack's label %s", (label) => {
    expect(problemsWith({ podLabels: { [label]: "x" } })).toEqual([
      `environments/dev.yaml: mattermost.podLabels.${label}: is one of the stack's own labels (the Service, PodDisruptionBudget and NetworkPolicy select the pods by them); use another key`,
    ]);
  });

  test("label keys and values are checked like Kubernetes checks them", () => {
    expect(problemsWith({ podLabels: { "bad key!": "x", team: "has space" } })).toEqual([
      expect.stringContaining("environments/dev.yaml: mattermost.podLabels.bad key!: is not a Kubernetes label or annotation key"),
      expect.stringContaining('environments/dev.yaml: mattermost.podLabels.team: has value "has space", which is not a label value'),
    ]);
  });

  test("podAnnotations may not take the stack's rollout annotation nor the prometheus.io ones", () => {
    expect(problemsWith({ podAnnotations: { "mattermost-cdktf/env-secret-sha256": "x", "prometheus.io/scrape": "true" } })).toEqual([
      "environments/dev.yaml: mattermost.podAnnotations.mattermost-cdktf/env-secret-sha256: is in the stack's own prefix mattermost-cdktf/ (it rolls the pods when a secret changes); use another key",
      "environments/dev.yaml: mattermost.podAnnotations.prometheus.io/scrape: is set by mattermost.performanceMonitoring; set that key instead",
    ]);
  });

  test("tolerations: Exists takes no value, Equal needs a key, tolerationSeconds only with NoExecute", () => {
    expect(problemsWith({ tolerations: [{ key: "a", operator: "Exists", value: "b" }, { value: "c" }, { key: "d", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 5 }] })).toEqual([
      "environments/dev.yaml: mattermost.tolerations.0.value: must be empty with operator Exists; remove value or use operator Equal",
      "environments/dev.yaml: mattermost.tolerations.1.key: is required with operator Equal (only Exists without a key tolerates every taint)",
      "environments/dev.yaml: mattermost.tolerations.2.tolerationSeconds: only applies to effect NoExecute; set effect: NoExecute or remove tolerationSeconds",
    ]);
  });

  test("affinity is the Kubernetes shape: a misspelt field is named", () => {
    expect(problemsWith({ affinity: { nodeAffinity: { requiredDuringScheduling: {} } } })[0]).toMatch(/^environments\/dev\.yaml: mattermost\.affinity\.nodeAffinity\.requiredDuringScheduling: unknown key/);
  });

  test("a hostPath volume is refused with the alternatives", () => {
    expect(problemsWith({ extraVolumes: [{ name: "host", hostPath: { path: "/var/log" } }] })).toEqual([
      "environments/dev.yaml: mattermost.extraVolumes.0.hostPath: is refused: it gives the pod the node's own files (Pod Security 'restricted' forbids it); use a persistentVolumeClaim, a csi volume, a Secret, a ConfigMap or an emptyDir",
    ]);
  });

  test("a volume has exactly one source", () => {
    expect(problemsWith({ extraVolumes: [{ name: "two", emptyDir: {}, configMap: { name: "x" } }] })).toEqual([
      "environments/dev.yaml: mattermost.extraVolumes.0: must have exactly one of secret, configMap, emptyDir, persistentVolumeClaim or csi (has configMap, emptyDir)",
    ]);
  });

  test("a volume has a name of its own, and mounts name a volume outside the stack's paths", () => {
    expect(
      problemsWith({
        extraVolumes: [{ name: "data", emptyDir: {} }, { name: "two", configMap: { name: "x" } }],
        extraVolumeMounts: [{ name: "missing", mountPath: "/x" }, { name: "two", mountPath: "/mattermost/data/plugins" }],
      }),
    ).toEqual([
      'environments/dev.yaml: mattermost.extraVolumes.0.name: is "data", a volume of the stack (data, database-ca, saml-certificate); choose another name',
      'environments/dev.yaml: mattermost.extraVolumeMounts.0.name: names volume "missing", which is not in mattermost.extraVolumes; add it there or fix the name',
      "environments/dev.yaml: mattermost.extraVolumeMounts.1.mountPath: is /mattermost/data/plugins, where the stack mounts its own volume (/mattermost/data, /mattermost/db-ca); mount it elsewhere",
    ]);
  });

  test("a sidecar may not be called mattermost, and mounts only extraVolumes", () => {
    expect(problemsWith({ extraContainers: [{ name: "mattermost", image: "busybox:1.36", volumeMounts: [{ name: "nope", mountPath: "/n" }] }] })).toEqual([
      'environments/dev.yaml: mattermost.extraContainers.0.name: is "mattermost", already the name of Mattermost\'s container; choose another name',
      'environments/dev.yaml: mattermost.extraContainers.0.volumeMounts.0.name: names volume "nope", which is not in mattermost.extraVolumes; add it there or fix the name',
    ]);
  });

  test("envValueFrom may not set a variable that carries a secret the stack manages", () => {
    expect(problemsWith({ envValueFrom: { MM_CONFIG: { secretKeyRef: { name: "s", key: "k" } } } })).toEqual([
      expect.stringMatching(/^environments\/dev\.yaml: mattermost\.envValueFrom\.MM_CONFIG: carries or locates a secret and is set by the stack from a Kubernetes Secret; remove it from envValueFrom/),
    ]);
  });

  test("envValueFrom may not override a setting a key manages, and names the key", () => {
    expect(problemsWith({ envValueFrom: { MM_SERVICESETTINGS_SITEURL: { configMapKeyRef: { name: "c", key: "url" } } } })).toEqual([
      "environments/dev.yaml: mattermost.envValueFrom.MM_SERVICESETTINGS_SITEURL: is managed by mattermost.siteUrl; set that key instead of overriding it in envValueFrom",
    ]);
  });

  test("envValueFrom needs exactly one reference, and may not repeat an extraEnv name", () => {
    expect(problemsWith({ extraEnv: { MM_X: "1" }, envValueFrom: { MM_X: { secretKeyRef: { name: "s", key: "k" } }, MM_Y: {} } })).toEqual([
      "environments/dev.yaml: mattermost.envValueFrom.MM_Y: must have exactly one of secretKeyRef or configMapKeyRef, e.g. { secretKeyRef: { name: gitlab-oauth, key: secret } }",
      "environments/dev.yaml: mattermost.envValueFrom.MM_X: is also set in extraEnv; keep one of them",
    ]);
  });

  test("envFrom needs exactly one source, and its prefix may not fall in a group a key manages", () => {
    expect(problemsWith({ envFrom: [{ secretRef: { name: "a" }, configMapRef: { name: "b" } }] })).toEqual([
      "environments/dev.yaml: mattermost.envFrom.0: must have exactly one of secretRef or configMapRef, e.g. { secretRef: { name: mattermost-extra } }",
    ]);
    expect(problemsWith({ envFrom: [{ secretRef: { name: "c" }, prefix: "MM_SAMLSETTINGS_" }] })).toEqual([
      "environments/dev.yaml: mattermost.envFrom.0.prefix: is managed by mattermost.saml; set that key instead of reading it from a Secret or ConfigMap",
    ]);
  });

  test("a LoadBalancer Service needs its source ranges and the sources the NetworkPolicy admits", () => {
    expect(problemsWith({ serviceType: "LoadBalancer" })).toEqual([
      "environments/dev.yaml: mattermost.serviceLoadBalancerSourceRanges: is required with serviceType LoadBalancer: name the networks that may connect (0.0.0.0/0 for the whole internet, said explicitly)",
      expect.stringContaining("environments/dev.yaml: mattermost.httpAllowedFrom: is required with serviceType LoadBalancer: the NetworkPolicy admits only the Ingress controller's namespace on 8065"),
    ]);
  });

  test("source ranges only with a LoadBalancer", () => {
    expect(problemsWith({ serviceLoadBalancerSourceRanges: ["10.0.0.0/8"] })).toEqual([
      "environments/dev.yaml: mattermost.serviceLoadBalancerSourceRanges: only applies to serviceType LoadBalancer (serviceType is ClusterIP); set serviceType: LoadBalancer or remove it",
    ]);
  });

  test("ingressAnnotations may not replace what a key sets", () => {
    expect(problemsWith({ ingressAnnotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "1g" } })).toEqual([
      "environments/dev.yaml: mattermost.ingressAnnotations.nginx.ingress.kubernetes.io/proxy-body-size: is set by mattermost.maxFileSizeMb; set that key instead",
    ]);
  });

  test("ingressExtraHosts are host names other than siteUrl's", () => {
    expect(problemsWith({ ingressExtraHosts: ["other.test", "https://other.test"] })).toEqual([
      "environments/dev.yaml: mattermost.ingressExtraHosts.1: must be a host name such as chat.example.org (lowercase, no scheme or path)",
    ]);
    expect(problemsWith({ ingressExtraHosts: ["chat.test"] })).toEqual([
      "environments/dev.yaml: mattermost.ingressExtraHosts.0: is siteUrl's host (chat.test), which the Ingress already routes; remove it",
    ]);
  });

  test("with the Ingress off, Ingress keys are refused and someone must be admitted on 8065", () => {
    expect(problemsWith({ ingressEnabled: false, ingressAllowedSourceRanges: ["10.0.0.0/8"], ingressClassName: "nginx" })).toEqual([
      "environments/dev.yaml: mattermost.ingressAllowedSourceRanges: configures the Ingress, but ingressEnabled is false; remove it (or set it on whatever replaces the Ingress: your Gateway or load balancer)",
      "environments/dev.yaml: mattermost.ingressClassName: configures the Ingress, but ingressEnabled is false; remove it (or set it on whatever replaces the Ingress: your Gateway or load balancer)",
      expect.stringContaining("environments/dev.yaml: mattermost.httpAllowedFrom: is required with ingressEnabled: false"),
    ]);
  });

  test("httpAllowedFrom: a namespace or a network, podLabels only with a namespace", () => {
    expect(problemsWith({ httpAllowedFrom: [{ namespace: "gw", cidr: "10.0.0.0/8" }, { cidr: "10.0.0.0/8", podLabels: { a: "b" } }] })).toEqual([
      "environments/dev.yaml: mattermost.httpAllowedFrom.0: must have exactly one of namespace or cidr, e.g. { namespace: envoy-gateway-system } or { cidr: 10.0.0.0/16 }",
      "environments/dev.yaml: mattermost.httpAllowedFrom.1.podLabels: needs namespace: it narrows the pods of that namespace",
    ]);
  });

  test("an autoscaler needs clustering, shared files, and leaves replicas to itself", () => {
    expect(problemsWith({ licensed: true, clustering: true, replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 5 } })).toEqual(
      expect.arrayContaining([
        "environments/dev.yaml: mattermost.replicas: is 3 but autoscaling manages the number of pods (the Deployment starts at autoscaling.minReplicas 2); remove replicas",
        "environments/dev.yaml: storage.accessMode: is ReadWriteOnce but mattermost.autoscaling may run 5 pods: pods need shared files; use ReadWriteMany or storage.kind: s3",
      ]),
    );
    expect(problemsWith({ licensed: true, autoscaling: { minReplicas: 2, maxReplicas: 5 } }, awsInput())).toEqual([
      "environments/dev.yaml: mattermost.autoscaling: can run up to 5 pods but clustering is off: pods would not see each other's messages; set mattermost.clustering: true (needs the licence) or remove autoscaling",
    ]);
  });

  test("an autoscaler's maximum is not below its minimum", () => {
    expect(problemsWith({ licensed: true, clustering: true, autoscaling: { minReplicas: 4, maxReplicas: 2 } }, awsInput())).toEqual([
      "environments/dev.yaml: mattermost.autoscaling.maxReplicas: is 2, below minReplicas 4; raise maxReplicas or lower minReplicas",
    ]);
  });

  test("nodeSelector, priorityClassName and serviceAnnotations are checked like Kubernetes checks them", () => {
    expect(problemsWith({ nodeSelector: { "pool name": "chat" }, priorityClassName: "Critical", serviceAnnotations: { "-bad": "x" } })).toEqual([
      expect.stringContaining("environments/dev.yaml: mattermost.nodeSelector.pool name: is not a Kubernetes label or annotation key"),
      "environments/dev.yaml: mattermost.priorityClassName: must be a PriorityClass name (lowercase letters, digits, '-' and '.')",
      expect.stringContaining("environments/dev.yaml: mattermost.serviceAnnotations.-bad: is not a Kubernetes label or annotation key"),
    ]);
  });

  test("an init container may not take a sidecar's name", () => {
    expect(problemsWith({ extraContainers: [{ name: "helper", image: "busybox:1.36" }], extraInitContainers: [{ name: "helper", image: "busybox:1.36" }] })).toEqual([
      'environments/dev.yaml: mattermost.extraInitContainers.0.name: is "helper", already the name of another container; choose another name',
    ]);
  });

  test("a ServiceMonitor's labels may not replace the stack's", () => {
    expect(problemsWith({ licensed: true, performanceMonitoring: true, serviceMonitor: { labels: { "app.kubernetes.io/name": "chat" } } })).toEqual([
      "environments/dev.yaml: mattermost.serviceMonitor.labels.app.kubernetes.io/name: is one of the stack's own labels, which every object of the environment carries; use another key (e.g. release)",
    ]);
  });

  test("a ServiceMonitor's interval is a duration", () => {
    expect(problemsWith({ licensed: true, performanceMonitoring: true, serviceMonitor: { interval: "often" } })).toEqual([
      "environments/dev.yaml: mattermost.serviceMonitor.interval: must be a duration such as 30s or 1m",
    ]);
  });

  test("a ServiceMonitor needs performanceMonitoring", () => {
    expect(problemsWith({ serviceMonitor: { labels: { release: "kps" } } })).toEqual([
      "environments/dev.yaml: mattermost.serviceMonitor: needs performanceMonitoring: true (Mattermost serves metrics on 8067 only then); set it or remove serviceMonitor",
    ]);
  });
});
