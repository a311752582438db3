import * as ipaddr from "ipaddr.js";
import { loadEnvironments } from "../../../config/load";
import { awsInput, environment, environmentsFolder, localInput, onlyResource, rejectionsOf, SHIPPED_ENVIRONMENTS, synthEnvironments, synthShipped } from "../../support/synth";

const METADATA = ["169.254.169.254", "fd00:ec2::254"];

function policyOf(input: any): any {
  const stacks = synthEnvironments([environment("dev", input)]);
  return onlyResource(stacks["dev-app"], "kubernetes_network_policy_v1").spec;
}

/** Whether an egress peer lets `address` through (ipBlock cidr minus except). */
function peerAdmits(peer: any, address: string): boolean {
  if (!peer.ip_block) return false;
  const ip = ipaddr.parse(address);
  const inside = (cidr: string) => {
    const [net, prefix] = ipaddr.parseCIDR(cidr);
    return net.kind() === ip.kind() && ip.match(net, prefix);
  };
  return inside(peer.ip_block.cidr) && !(peer.ip_block.except ?? []).some(inside);
}

describe("the network policy's egress", () => {
  test("restricts egress: DNS, the database, gossip, the public internet; nothing else", () => {
    const input = localInput();
    input.database.host = "10.0.3.7";
    const spec = policyOf(input);
    expect(spec.policy_types).toEqual(["Ingress", "Egress"]);
    expect(spec.egress[0]).toEqual({
      to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kube-system" } } }],
      ports: [
        { port: "53", protocol: "UDP" },
        { port: "53", protocol: "TCP" },
      ],
    });
    // An IP literal host: that address only, on its port.
    expect(spec.egress[1]).toEqual({ to: [{ ip_block: { cidr: "10.0.3.7/32" } }], ports: [{ port: "5432", protocol: "TCP" }] });
    const internet = spec.egress[2];
    // Only the ports Mattermost's outbound features use (network-egress.test.ts has the rest).
    expect(internet.ports).toEqual([
      { port: "443", protocol: "TCP" },
      { port: "80", protocol: "TCP" },
    ]);
    expect(internet.to.some((peer: any) => peerAdmits(peer, "52.95.110.1"))).toBe(true); // S3, SES, push
    for (const address of ["10.1.2.3", "172.20.0.1", "192.168.1.1", "100.64.0.1", ...METADATA]) {
      expect(internet.to.some((peer: any) => peerAdmits(peer, address))).toBe(false);
    }
    expect(spec.egress).toHaveLength(3);
  });

  test("no rule ever lets a pod reach the cloud metadata service", () => {
    for (const [name, stack] of Object.entries(synthShipped()).filter(([id]) => id.endsWith("-app"))) {
      const spec = onlyResource(stack, "kubernetes_network_policy_v1").spec;
      for (const rule of spec.egress) {
        for (const address of METADATA) expect([name, rule.to.some((peer: any) => peerAdmits(peer, address))]).toEqual([name, false]);
      }
    }
  });

  test("a database known by name: its port on private networks only (RDS: 5432)", () => {
    const rule = policyOf(awsInput()).egress[1];
    expect(rule.ports).toEqual([{ port: "5432", protocol: "TCP" }]);
    expect(rule.to.some((peer: any) => peerAdmits(peer, "10.20.3.4"))).toBe(true);
    expect(rule.to.some((peer: any) => peerAdmits(peer, "8.8.8.8"))).toBe(false);
    for (const address of METADATA) expect(rule.to.some((peer: any) => peerAdmits(peer, address))).toBe(false);
  });

  test("what network.egress lists is let through; the internet can be turned off", () => {
    const input = localInput();
    input.network = { egress: { internet: false, allow: [{ cidr: "10.0.9.0/24", ports: [3128] }, { namespace: "smtp-relay" }] } };
    const spec = policyOf(input);
    expect(spec.egress.slice(2)).toEqual([
      { to: [{ ip_block: { cidr: "10.0.9.0/24" } }], ports: [{ port: "3128", protocol: "TCP" }] },
      { to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "smtp-relay" } } }] },
    ]);
  });

  test.each([["0.0.0.0/0"], ["169.254.0.0/16"], ["::/0"], ["fd00::/8"]])("network.egress.allow may not contain the metadata service (%s)", (cidr) => {
    const input = localInput();
    input.network = { egress: { allow: [{ cidr }] } };
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([
      expect.stringMatching(/dev\.yaml: network\.egress\.allow\.0\.cidr: .* contains the cloud metadata address .*; list a narrower network$/),
    ]);
  });

  test.each([["169.254.169.254"], ["169.254.0.0/16"], ["169.254.169.1/16"], ["[fd00:ec2::254]"], ["10.0.0.0/8 fd00:ec2::254"], ["instance-data"], ["metadata.google.internal"]])(
    "extraEnv may not let Mattermost's own requests reach the metadata service (%s)",
    (value) => {
      const input = localInput();
      input.mattermost.extraEnv = { MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: value };
      expect(rejectionsOf({ "dev.yaml": input })).toEqual([
        expect.stringMatching(/dev\.yaml: mattermost\.extraEnv\.MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: lets Mattermost connect to the cloud metadata service .*; remove those entries$/),
      ]);
    },
  );

  test("extraEnv may still trust an internal webhook host", () => {
    const input = localInput();
    input.mattermost.extraEnv = { MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: "hooks.internal 10.0.5.0/24" };
    expect(loadEnvironments(environmentsFolder({ "dev.yaml": input }))).toHaveLength(1);
  });
});

describe("the ingress controller on the clusters the README names", () => {
  test("microk8s' ingress add-on runs in namespace ingress: the shipped local environment lets that namespace in", () => {
    const local = loadEnvironments(SHIPPED_ENVIRONMENTS).find((e) => e.name === "local")!;
    expect(local.config.kubernetes.configContext).toBe("microk8s");
    const spec = onlyResource(synthShipped()["local-app"], "kubernetes_network_policy_v1").spec;
    expect(spec.ingress[0].from).toEqual([{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "ingress" } } }]);
    expect(onlyResource(synthShipped()["local-app"], "kubernetes_ingress_v1").spec.ingress_class_name).toBe("public");
  });

  test("a hostNetwork controller is let in from the nodes' network", () => {
    const input = localInput();
    input.network = { ingressControllerCidrs: ["192.168.49.0/24"] };
    const spec = policyOf(input);
    expect(spec.ingress[0]).toEqual({
      from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }, { ip_block: { cidr: "192.168.49.0/24" } }],
      ports: [{ port: "8065", protocol: "TCP" }],
    });
  });
});
