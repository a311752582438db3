import { loadEnvironments } from "../../../config/load";
import { internetEgress, MATTERMOST_INTERNET_PORTS } from "../../../config/schema/network";
import { environment, localInput, onlyResource, rejectionsOf, SHIPPED_ENVIRONMENTS, StackJson, synthEnvironments, synthShipped } from "../../support/synth";

/**
 * The pods' way to the public internet is open only on the TCP ports Mattermost's outbound features
 * use (443 and 80) and those of the servers the environment names, unless the file widens it.
 * NetworkPolicy cannot name a destination by DNS name, so the addresses are every public one.
 */

/** The egress rule whose peers are the public internet (0.0.0.0/0 minus the private ranges). */
function internetRule(stack: StackJson): any {
  const spec = onlyResource(stack, "kubernetes_network_policy_v1").spec;
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
  "an SMTP server at a private address (allow must list it)": [withMattermost(localInput(), { smtp: { ...SMTP, host: "10.0.5.5" } }), [443, 80]],
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
      { port: 587, why: "mattermost.smtp (email-smtp.eu-west-1.amazonaws.com)" },
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
