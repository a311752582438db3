import { loadEnvironments } from "../../../config/load";
import { internetEgress, MATTERMOST_INTERNET_PORTS } from "../../../config/schema/network";
import { awsInput, environment, environmentsFolder, localInput, onlyResource, peerAdmits, rejectionsOf, serverPolicy, SHIPPED_ENVIRONMENTS, StackJson, synthEnvironments, synthShipped } from "../../support/synth";

/** The Mattermost server pods' NetworkPolicy (the app stack also has one for its Jobs' pods). */
const METADATA = ["169.254.169.254", "fd00:ec2::254"];

function policyOf(input: any): any {
  const stacks = synthEnvironments([environment("dev", input)]);
  return serverPolicy(stacks["dev-app"]).spec;
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
    // Only the ports Mattermost's outbound features use (the tests further down have the rest).
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
      const spec = serverPolicy(stack).spec;
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
    const spec = serverPolicy(synthShipped()["local-app"]).spec;
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

/**
 * The pods' way to the public internet is open only on the TCP ports Mattermost's outbound features
 * use (443 and 80) and those of the servers the environment names, unless the file widens it.
 * NetworkPolicy cannot name a destination by DNS name, so the addresses are every public one.
 */

/** The egress rule whose peers are the public internet (0.0.0.0/0 minus the private ranges). */
function internetRule(stack: StackJson): any {
  const spec = serverPolicy(stack).spec;
  const rules = spec.egress.filter((rule: any) => rule.to.some((peer: any) => peer.ip_block?.cidr === "0.0.0.0/0"));
  expect(rules.length).toBeLessThanOrEqual(1);
  return rules[0];
}

/** The TCP ports of the internet rule, "all" when it has none, undefined when there is no such rule. */
function internetPorts(stack: StackJson): number[] | "all" | undefined {
  const rule = internetRule(stack);
  if (!rule) return undefined;
  if (!rule.ports) return "all";
  for (const p of rule.ports) expect(p.protocol).toBe("TCP");
  return rule.ports.map((p: any) => Number(p.port));
}

function withMattermost(input: any, mattermost: Record<string, unknown>): any {
  return { ...input, mattermost: { ...input.mattermost, ...mattermost } };
}

function withEgress(input: any, egress: Record<string, unknown>): any {
  return { ...input, network: { egress } };
}

const SMTP = { host: "smtp.example.com", port: 2525, fromAddress: "chat@example.com" };

/** name -> [environment as written, the internet rule's ports]. One synth run for all of them. */
const CASES: Record<string, [any, number[] | "all" | undefined]> = {
  "nothing named": [localInput(), [443, 80]],
  "an SMTP server by name": [withMattermost(localInput(), { smtp: SMTP }), [443, 80, 2525]],
  "an SMTP server at a private address that allow lists": [
    withEgress(withMattermost(localInput(), { smtp: { ...SMTP, host: "10.0.5.5" } }), { allow: [{ cidr: "10.0.5.0/24", ports: [2525] }] }),
    [443, 80],
  ],
  "an SMTP server at a public address that allow lists on its port": [
    withEgress(withMattermost(localInput(), { smtp: { ...SMTP, host: "203.0.113.25" } }), { allow: [{ cidr: "203.0.113.0/24", ports: [2525] }] }),
    [443, 80],
  ],
  "an SMTP server at a public address that allow lists on another port": [
    withEgress(withMattermost(localInput(), { smtp: { ...SMTP, host: "203.0.113.25" } }), { allow: [{ cidr: "203.0.113.0/24", ports: [25] }] }),
    [443, 80, 2525],
  ],
  "an SMTP relay in the cluster": [withMattermost(localInput(), { smtp: { ...SMTP, host: "relay.mail.svc.cluster.local" } }), [443, 80]],
  "an S3-compatible endpoint with a port": [{ ...localInput(), storage: { kind: "external", endpoint: "https://minio.example.com:9000", bucket: "files" } }, [443, 80, 9000]],
  "an S3-compatible endpoint in the cluster": [{ ...localInput(), storage: { kind: "external", endpoint: "http://minio.storage.svc:9000", bucket: "files" } }, [443, 80]],
  "a push server and a proxy with ports": [
    withMattermost(localInput(), { pushNotificationServer: "https://push.example.com:8443", outboundProxy: "http://proxy.example.com:3128" }),
    [443, 80, 8443, 3128],
  ],
  "servers set through extraEnv (LDAP, Elasticsearch, the export bucket, rtcd), any letter case": [
    withMattermost(localInput(), {
      extraEnv: {
        MM_LDAPSETTINGS_LDAPSERVER: "ldap.example.com",
        mm_ldapsettings_ldapport: 636,
        MM_ELASTICSEARCHSETTINGS_CONNECTIONURL: "https://search.example.com:9243",
        MM_FILESETTINGS_EXPORTAMAZONS3ENDPOINT: "exports.example.com:9000",
        MM_CALLS_RTCD_SERVICE_URL: "http://rtcd.example.com:8045",
      },
    }),
    [443, 80, 636, 9000, 9243, 8045],
  ],
  "an LDAP server on a private address that allow lists, default port": [
    withEgress(withMattermost(localInput(), { extraEnv: { MM_LDAPSETTINGS_LDAPSERVER: "10.0.7.7" } }), { allow: [{ cidr: "10.0.7.7/32" }] }),
    [443, 80],
  ],
  "an LDAP server by name, default port": [withMattermost(localInput(), { extraEnv: { MM_LDAPSETTINGS_LDAPSERVER: "ldap.example.com" } }), [443, 80, 389]],
  "ports added by the file": [withEgress(withMattermost(localInput(), { smtp: SMTP }), { internet: { ports: [5432, 443] } }), [443, 80, 2525, 5432]],
  "every port": [withEgress(localInput(), { internet: { ports: "all" } }), "all"],
  "internet: true": [withEgress(localInput(), { internet: true }), [443, 80]],
  "internet: false": [withEgress(withMattermost(localInput(), { smtp: SMTP }), { internet: false }), undefined],
};

describe("the public internet: only the ports Mattermost uses", () => {
  test("the shipped environments: 443 and 80, plus production's SMTP port 587 (SES); never every port", () => {
    const stacks = synthShipped();
    expect(internetPorts(stacks["local-app"])).toEqual([443, 80]);
    expect(internetPorts(stacks["production-app"])).toEqual([443, 80, 587]);
    // The rule's addresses are still every public one, nothing private.
    expect(internetRule(stacks["production-app"]).to).toEqual([
      { ip_block: { cidr: "0.0.0.0/0", except: ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"] } },
      { ip_block: { cidr: "2000::/3" } },
    ]);
  });

  test("each port says why it is open (one table: config/schema/network.ts)", () => {
    const production = loadEnvironments(SHIPPED_ENVIRONMENTS).find((e) => e.name === "production")!;
    expect(internetEgress(production.config)).toEqual([
      ...MATTERMOST_INTERNET_PORTS,
      { port: 587, why: "mattermost.smtp.host (email-smtp.eu-west-1.amazonaws.com:587)" },
    ]);
    expect(MATTERMOST_INTERNET_PORTS.map((p) => p.port)).toEqual([443, 80]);
  });

  describe("derived from the servers the file names, widened only by the file", () => {
    let stacks: Record<string, StackJson>;
    const names = Object.keys(CASES);
    beforeAll(() => {
      stacks = synthEnvironments(names.map((name, i) => environment(`case${i}`, CASES[name][0])));
    });
    test.each(names.map((name, i) => [name, i]))("%s", (name, i) => {
      expect(internetPorts(stacks[`case${i}-app`])).toEqual(CASES[name as string][1]);
    });
  });
});

describe("network.egress.internet: bad input names the key and the fix", () => {
  test.each([
    ["yes", /network\.egress\.internet: must be true \(the ports Mattermost needs: 443, 80 and those of the servers this file names\), false .* or \{ ports: \[8443\] \} to open more ports \(\{ ports: all \} opens every port\)$/],
    [{ ports: [] }, /network\.egress\.internet\.ports: lists no port; list the TCP ports to open \(e\.g\. ports: \[8443\]\), or write internet: true$/],
    [{ ports: [70000] }, /network\.egress\.internet\.ports\.0: must be a port between 1 and 65535$/],
    [{ ports: "some" }, /network\.egress\.internet: must be true .* or \{ ports: \[8443\] \} to open more ports/],
    [{ ports: [443], port: [25] }, /network\.egress\.internet\.port: unknown key; did you mean ports\?$/],
  ])("%j", (internet, message) => {
    const input = withEgress(localInput(), { internet });
    const problems = rejectionsOf({ "dev.yaml": input });
    expect(problems).toEqual([expect.stringMatching(message)]);
    expect(problems[0]).toMatch(/\/dev\.yaml: network\.egress\.internet/);
  });
});

describe("a server the file names at a private address needs an egress.allow entry", () => {
  test.each([
    ["mattermost.smtp.host", withMattermost(localInput(), { smtp: { ...SMTP, host: "10.0.5.5" } }), "10.0.5.5 port 2525", "{ cidr: 10.0.5.5/32, ports: [2525] }"],
    ["mattermost.outboundProxy", withMattermost(localInput(), { outboundProxy: "http://[fd00::7]:3128" }), "fd00::7 port 3128", "{ cidr: fd00::7/128, ports: [3128] }"],
    ["storage.endpoint", { ...localInput(), storage: { kind: "external", endpoint: "http://192.168.1.20:9000", bucket: "files" } }, "192.168.1.20 port 9000", "{ cidr: 192.168.1.20/32, ports: [9000] }"],
    ["mattermost.extraEnv.mm_ldapsettings_ldapserver", withMattermost(localInput(), { extraEnv: { mm_ldapsettings_ldapserver: "172.16.0.9" } }), "172.16.0.9 port 389", "{ cidr: 172.16.0.9/32, ports: [389] }"],
    // Allowed, but on another port.
    ["mattermost.smtp.host", withEgress(withMattermost(localInput(), { smtp: { ...SMTP, host: "10.0.5.5" } }), { allow: [{ cidr: "10.0.5.0/24", ports: [25] }] }), "10.0.5.5 port 2525", "{ cidr: 10.0.5.5/32, ports: [2525] }"],
  ])("%s", (key, input, what, entry) => {
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([
      expect.stringContaining(`/dev.yaml: ${key}: points at ${what}, a private address, which the network policy lets the pods reach only through network.egress.allow; add ${entry} to network.egress.allow`),
    ]);
  });

  test("a namespace rule on the port may hold it (a Service address), and loopback is a sidecar: both load", () => {
    const viaNamespace = withEgress(withMattermost(localInput(), { smtp: { ...SMTP, host: "10.96.0.25" } }), { allow: [{ namespace: "mail", ports: [2525] }] });
    const sidecar = withMattermost(localInput(), { smtp: { ...SMTP, host: "127.0.0.1" } });
    expect(loadEnvironments(environmentsFolder({ "a.yaml": viaNamespace, "b.yaml": sidecar }))).toHaveLength(2);
  });
});
