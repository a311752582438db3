import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { App, TerraformStack } from "cdktf";
import { cidrProblem, internetCoverage, normalizeCidr } from "../../config/schema/common";
import { checkStack } from "../../synth/policy-rules";
import { awsInput, rejectionsOf } from "../support/synth";

function stackWith(build: (stack: TerraformStack) => void): any {
  const app = new App();
  const stack = new TerraformStack(app, "dev-database");
  build(stack);
  return stack.toTerraform();
}

const HARDENED = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

function deploymentWithEnv(env: Record<string, string>): any {
  return stackWith((stack) => {
    new DeploymentV1(stack, "app", {
      metadata: { name: "x" },
      spec: {
        selector: { matchLabels: { a: "b" } },
        template: {
          metadata: { labels: { a: "b" } },
          spec: {
            securityContext: { runAsNonRoot: true },
            automountServiceAccountToken: false,
            container: [
              {
                name: "app",
                image: "x:1",
                securityContext: HARDENED,
                resources: { limits: { cpu: "1", memory: "1Gi" } },
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
              },
            ],
          },
        },
      },
    });
  });
}

describe("the whole internet, however it is written", () => {
  test.each([
    [["0.0.0.0/0"], "every public IPv4 address"],
    [["0::/0"], "every public IPv6 address"],
    [["::0/0"], "every public IPv6 address"],
    [["0.0.0.0/1", "128.0.0.0/1"], "every public IPv4 address"],
    [["2000::/4", "3000::/4"], "every public IPv6 address"],
    [["::ffff:0:0/96"], "every public IPv4 address"],
    // Everything but the private ranges is still the whole internet.
    [["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/1"], "every public IPv4 address"],
  ])("%j admits %s", (cidrs, what) => {
    expect(internetCoverage(cidrs)).toContain(what);
  });

  test.each([[["10.0.0.0/8"]], [["0.0.0.0/1"]], [["2001:db8::/32"]], [["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]]])("%j does not", (cidrs) => {
    expect(internetCoverage(cidrs)).toBeUndefined();
  });

  test("CIDRs are parsed strictly and written one way", () => {
    expect(normalizeCidr("0::/0")).toBe("::/0");
    expect(normalizeCidr("2001:DB8:0:0::/32")).toBe("2001:db8::/32");
    expect(cidrProblem("10.1/8")).toMatch(/is not an IP address/);
    expect(cidrProblem("012.0.0.0/8")).toMatch(/is not an IP address/);
    expect(cidrProblem("fe80::%eth0/64")).toMatch(/CIDR notation/);
    expect(cidrProblem("10.242.0.0/8")).toMatch(/host bits are set in "10\.242\.0\.0\/8"; write the network address \(e\.g\. 10\.0\.0\.0\/8\)/);
    expect(cidrProblem("2001:db8::1/32")).toMatch(/write the network address \(e\.g\. 2001:db8::\/32\)/);
  });

  test("the policy catches two security group rules that together admit everything", () => {
    const stack = stackWith((s) => {
      const group = new SecurityGroup(s, "db", { name: "db" });
      new VpcSecurityGroupIngressRule(s, "low", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "0.0.0.0/1" });
      new VpcSecurityGroupIngressRule(s, "high", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "128.0.0.0/1" });
      new VpcSecurityGroupIngressRule(s, "v6", { securityGroupId: "sg-2", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv6: "0::/0" });
      new SecurityGroup(s, "inline", { name: "inline", ingress: [{ fromPort: 1, toPort: 1, protocol: "tcp", ipv6CidrBlocks: ["::0/0"] }] });
    });
    const open = checkStack(stack).filter((f) => f.rule === "no-open-ingress").map((f) => f.address);
    expect(open).toEqual([
      "aws_vpc_security_group_ingress_rule.low",
      "aws_vpc_security_group_ingress_rule.high",
      "aws_vpc_security_group_ingress_rule.v6",
      "aws_security_group.inline",
    ]);
  });

  test("the database's allowedCidrs may not admit the internet together, nor in another spelling", () => {
    const together = awsInput();
    together.database.allowedCidrs = ["0.0.0.0/1", "128.0.0.0/1"];
    expect(rejectionsOf({ "dev.yaml": together })).toEqual([
      expect.stringMatching(/dev\.yaml: database\.allowedCidrs: 0\.0\.0\.0\/1 \+ 128\.0\.0\.0\/1 admit every public IPv4 address, which would open PostgreSQL to the whole internet; list only the networks/),
    ]);
    const spelled = awsInput();
    spelled.database.allowedCidrs = ["0::/0"];
    expect(rejectionsOf({ "dev.yaml": spelled })).toEqual([expect.stringMatching(/dev\.yaml: database\.allowedCidrs\.0: is ::\/0, which would open PostgreSQL to the whole internet/)]);
  });
});

describe("a network policy never lets pods reach the cloud metadata service", () => {
  test("open egress, or a block that does not cut the metadata addresses out, fails pods-hardened", () => {
    const stack = stackWith((s) => {
      new NetworkPolicyV1(s, "open", { metadata: { name: "open" }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{}] } });
      new NetworkPolicyV1(s, "wide", {
        metadata: { name: "wide" },
        spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }, { ipBlock: { cidr: "fd00::/8" } }] }] },
      });
      new NetworkPolicyV1(s, "careful", {
        metadata: { name: "careful" },
        spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } }] }] },
      });
    });
    expect(checkStack(stack).map((f) => `${f.rule}: ${f.address}: ${f.problem}`)).toEqual([
      "pods-hardened: kubernetes_network_policy_v1.open: has an egress rule without destinations, which lets the pods reach everything, the cloud metadata service included",
      "pods-hardened: kubernetes_network_policy_v1.wide: lets the pods reach the cloud metadata service (169.254.169.254/32) through 0.0.0.0/0",
      "pods-hardened: kubernetes_network_policy_v1.wide: lets the pods reach the cloud metadata service (fd00:ec2::254/128) through fd00::/8",
    ]);
  });
});

describe("secrets in the container's environment, in any case and inside URLs", () => {
  test.each([
    "mm_ldapsettings_bindpassword",
    "MM_SQLSETTINGS_ATRESTENCRYPTKEY",
    "MM_SQLSETTINGS_DATASOURCESEARCHREPLICAS",
    "MM_PLUGINSETTINGS_PLUGINS",
    "MM_FILESETTINGS_PUBLICLINKSALT",
    "MM_ServiceSettings_SplitKey",
  ])("a literal %s fails secrets-not-literal", (name) => {
    const findings = checkStack(deploymentWithEnv({ [name]: "hunter22" }));
    expect(findings.map((f) => `${f.rule}: ${f.problem}`)).toEqual([`secrets-not-literal: container app sets ${name} as a literal value; use a secretKeyRef`]);
  });

  test("a proxy URL with a password fails, without printing the password", () => {
    const findings = checkStack(deploymentWithEnv({ HTTPS_PROXY: "http://chat:hunter22@squid:3128", NO_PROXY: ".internal" }));
    expect(findings.map((f) => f.problem)).toEqual([
      "container app sets HTTPS_PROXY to a URL with credentials (http://***@squid:3128); keep credentials out of URLs or use a secretKeyRef",
    ]);
  });

  test("ordinary settings pass", () => {
    expect(checkStack(deploymentWithEnv({ MM_SERVICESETTINGS_SITEURL: "https://chat.test", HTTP_PROXY: "http://squid:3128" }))).toEqual([]);
  });
});
