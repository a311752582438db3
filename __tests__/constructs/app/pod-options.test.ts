import { TerraformStack, Testing } from "cdktf";
import { MattermostAutoscaler } from "../../../constructs/app/mattermost-autoscaler";
import { MattermostIngress, MattermostIngressProps } from "../../../constructs/app/mattermost-ingress";
import { MattermostNetworkPolicy } from "../../../constructs/app/mattermost-network-policy";
import { MattermostServiceMonitor } from "../../../constructs/app/mattermost-service-monitor";
import { podScheduling, providerAffinity, providerEnvFrom, providerExtraContainer, providerVolumes } from "../../../constructs/app/pod-options";

/** The resources of `type` a construct made by `build` synthesizes to. */
function synthOf(build: (stack: TerraformStack) => void, type: string): any[] {
  const stack = new TerraformStack(Testing.app(), "test");
  build(stack);
  return Object.values<any>(JSON.parse(Testing.synth(stack)).resource?.[type] ?? {});
}

describe("pod options in the provider's shape", () => {
  test("pod affinity: selectors become lists of one, terms keep their topology key", () => {
    expect(
      providerAffinity({
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: "topology.kubernetes.io/zone", labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["db"] }] }, namespaceSelector: { matchLabels: { team: "data" } } },
          ],
        },
      }),
    ).toEqual({
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: "topology.kubernetes.io/zone", labelSelector: [{ matchExpressions: [{ key: "app", operator: "In", values: ["db"] }] }], namespaceSelector: [{ matchLabels: { team: "data" } }] },
        ],
      },
    });
  });

  test("node affinity: nodeSelectorTerms becomes nodeSelectorTerm, preferences stay", () => {
    const terms = [{ matchExpressions: [{ key: "pool", operator: "In" as const, values: ["chat"] }] }];
    expect(
      providerAffinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: terms[0] }] } }),
    ).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerm: terms }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: terms[0] }] } });
  });

  test("no scheduling options, no scheduling fields (the pod spec stays as before)", () => {
    expect(podScheduling(undefined)).toEqual({});
    expect(podScheduling({ nodeSelector: {}, tolerations: [] })).toEqual({});
  });

  test("tolerationSeconds is a string, as the provider wants it", () => {
    expect(podScheduling({ nodeSelector: {}, tolerations: [{ key: "spot", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }] })).toEqual({
      toleration: [{ key: "spot", operator: "Exists", effect: "NoExecute", tolerationSeconds: "60" }],
    });
  });

  test("volumes keep their one source; envFrom keeps the prefix", () => {
    expect(providerVolumes([{ name: "certs", secret: { secretName: "corp-ca", items: [{ key: "ca.crt", path: "ca.crt" }], defaultMode: "0444" } }])).toEqual([
      { name: "certs", secret: { secretName: "corp-ca", items: [{ key: "ca.crt", path: "ca.crt" }], defaultMode: "0444" } },
    ]);
    expect(providerEnvFrom([{ configMapRef: { name: "tuning" }, prefix: "MM_" }])).toEqual([{ prefix: "MM_", configMapRef: { name: "tuning" } }]);
  });

  test("a sidecar's own security context replaces the restricted one as a whole, uid as a string", () => {
    const restricted = { allowPrivilegeEscalation: false };
    const own = providerExtraContainer({ name: "s", image: "i:1", env: {}, envValueFrom: {}, envFrom: [], volumeMounts: [], ports: [], securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true } }, restricted);
    expect(own.securityContext).toEqual({ runAsUser: "1000", readOnlyRootFilesystem: true });
    const given = providerExtraContainer({ name: "s", image: "i:1", env: { A: "1" }, envValueFrom: { B: { secretKeyRef: { name: "x", key: "y" } } }, envFrom: [], volumeMounts: [], ports: [] }, restricted);
    expect(given.securityContext).toBe(restricted);
    expect(given.env).toEqual([{ name: "A", value: "1" }, { name: "B", valueFrom: { secretKeyRef: { name: "x", key: "y" } } }]);
  });
});

describe("MattermostIngress extras", () => {
  const props: MattermostIngressProps = { environmentName: "test", namespace: "mattermost", siteUrl: "https://chat.test", serviceName: "mattermost-test", allowedSourceRanges: [], maxFileSizeMb: 100 };

  test("extra hosts get their own rule to the same Service and share the TLS block", () => {
    const [ingress] = synthOf((s) => new MattermostIngress(s, "ingress", { ...props, extraHosts: ["chat2.test"], tlsSecretName: "tls" }), "kubernetes_ingress_v1");
    expect(ingress.spec.rule.map((r: any) => [r.host, r.http.path[0].backend.service.name])).toEqual([["chat.test", "mattermost-test"], ["chat2.test", "mattermost-test"]]);
    expect(ingress.spec.tls).toEqual([{ hosts: ["chat.test", "chat2.test"], secret_name: "tls" }]);
  });

  test("extra annotations come after the stack's", () => {
    const [ingress] = synthOf((s) => new MattermostIngress(s, "ingress", { ...props, extraAnnotations: { "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600", "example.com/team": "chat" } }), "kubernetes_ingress_v1");
    expect(ingress.metadata.annotations).toMatchObject({ "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600", "example.com/team": "chat", "nginx.ingress.kubernetes.io/proxy-body-size": "100m" });
  });
});

describe("MattermostNetworkPolicy sources", () => {
  test("without an ingress controller namespace only the named sources are admitted on 8065", () => {
    const [policy] = synthOf(
      (s) => new MattermostNetworkPolicy(s, "policy", { environmentName: "test", namespace: "mattermost", gossip: false, httpSources: [{ cidr: "192.168.0.0/16" }] }),
      "kubernetes_network_policy_v1",
    );
    expect(policy.spec.ingress).toEqual([{ from: [{ ip_block: { cidr: "192.168.0.0/16" } }], ports: [{ port: "8065", protocol: "TCP" }] }]);
  });
});

describe("MattermostAutoscaler", () => {
  test("CPU only unless memory is asked for", () => {
    const [hpa] = synthOf(
      (s) => new MattermostAutoscaler(s, "hpa", { environmentName: "test", namespace: "mattermost", deploymentName: "mattermost-test", minReplicas: 2, maxReplicas: 3, targetCpuUtilizationPercentage: 80 }),
      "kubernetes_horizontal_pod_autoscaler_v2",
    );
    expect(hpa.metadata.name).toBe("mattermost-test");
    expect(hpa.spec.metric).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", average_utilization: 80 } } }]);
  });
});

describe("MattermostServiceMonitor", () => {
  test("a monitoring.coreos.com/v1 ServiceMonitor in the namespace, the stack's labels winning over the user's", () => {
    const [monitor] = synthOf(
      (s) =>
        new MattermostServiceMonitor(s, "monitor", { environmentName: "test", namespace: "mattermost", port: "metrics", labels: { release: "kps", "app.kubernetes.io/name": "other" } /* the schema refuses this; the construct still keeps its own */, interval: "15s" }),
      "kubernetes_manifest",
    );
    expect(monitor.manifest.metadata).toEqual({
      name: "mattermost-test",
      namespace: "mattermost",
      labels: expect.objectContaining({ release: "kps", "app.kubernetes.io/name": "mattermost", "app.kubernetes.io/component": "server" }),
    });
    expect(monitor.manifest.spec.endpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "15s" }]);
  });
});
