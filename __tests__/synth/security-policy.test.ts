import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { App, Aspects, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import * as rules from "../../synth/policy-rules";

// A stand-in rule set for one test: the module's own functions, with checkStack replaceable
// (compiled ES module exports cannot be redefined by jest.spyOn).
jest.mock("../../synth/policy-rules", () => {
  const actual = jest.requireActual("../../synth/policy-rules");
  return { ...actual, checkStack: jest.fn(actual.checkStack) };
});
import { POLICY_RULES, waiverSchema, Waiver } from "../../config/schema/policy";
import { describeViolation, PolicyError, SecurityPolicy } from "../../synth/security-policy";
import { synthesize } from "../../synth/synthesize";
import { environment, localInput, PROJECT_ROOT, rejectionsOf, EXAMPLE_ENVIRONMENTS, tempDir } from "../support/synth";
import { activeWaivers, formatSummary, summarize } from "../../synth/summary";
import { loadEnvironments } from "../../config/load";

/** A stack that breaks every rule once, checked with `waivers`. */
function checkBadStack(waivers: Waiver[] = []) {
  const app = new App({ outdir: path.join(tempDir("policy"), "out") });
  const stack = new TerraformStack(app, "dev-storage");
  new LocalBackend(stack, { path: "x.tfstate" });
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new KubernetesProvider(stack, "kubernetes", {});
  new S3Bucket(stack, "open-bucket", { bucket: "files", forceDestroy: true });
  new DataAwsIamPolicyDocument(stack, "admin", { statement: [{ effect: "Allow", actions: ["s3:*"], resources: ["*"] }] });
  new DbInstance(stack, "db", { instanceClass: "db.t4g.micro", engine: "postgres", publiclyAccessible: true, password: "hunter22" });
  new VpcSecurityGroupIngressRule(stack, "world", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "0.0.0.0/0" });
  new DeploymentV1(stack, "root-pod", {
    metadata: { name: "x" },
    spec: {
      selector: { matchLabels: { a: "b" } },
      template: {
        metadata: { labels: { a: "b" } },
        spec: { container: [{ name: "app", image: "x", env: [{ name: "MM_SQLSETTINGS_DATASOURCE", value: "postgres://u:p@h/db" }] }] },
      },
    },
  });
  new SecretV1(stack, "literal", { metadata: { name: "s" }, data: { password: "hunter22" } });
  new TerraformOutput(stack, "db_password", { value: "x" });
  const policy = new SecurityPolicy();
  Aspects.of(stack).add(policy.forEnvironment("environments/dev.yaml", waivers));
  app.synth();
  return policy.violations;
}

describe("the security policy", () => {
  const violations = checkBadStack();
  const byRule = (rule: string) => violations.filter((v) => v.rule === rule).map((v) => `${v.address}: ${v.problem}`);

  test("fails a public, unencrypted, force-destroyed bucket without a TLS-only policy", () => {
    expect(byRule("s3-private-bucket")).toEqual([
      expect.stringMatching(/^aws_s3_bucket\.open-bucket: has no public access block with all four settings on$/),
      expect.stringMatching(/^aws_s3_bucket\.open-bucket: does not enforce bucket ownership/),
      expect.stringMatching(/^aws_s3_bucket\.open-bucket: is force_destroy/),
    ]);
    expect(byRule("s3-encrypted")).toEqual(["aws_s3_bucket.open-bucket: has no default encryption"]);
    expect(byRule("s3-tls-only")).toEqual([expect.stringMatching(/aws:SecureTransport/)]);
  });

  test("fails wildcard IAM", () => {
    expect(byRule("iam-least-privilege")).toEqual([
      "data.aws_iam_policy_document.admin: allows wildcard actions s3:*",
      'data.aws_iam_policy_document.admin: allows s3:* on every resource ("*")',
    ]);
  });

  test("fails a public database and the open internet on 5432", () => {
    expect(byRule("database-private")).toEqual([
      "aws_db_instance.db: is not explicitly publicly_accessible: false",
      "aws_db_instance.db: does not encrypt its storage",
    ]);
    expect(byRule("no-open-ingress")).toEqual(["aws_vpc_security_group_ingress_rule.world: admits the whole internet (0.0.0.0/0 admits every public IPv4 address)"]);
  });

  test("fails a root container without limits, with an API token it does not need", () => {
    expect(byRule("pods-hardened")).toEqual([
      "kubernetes_deployment_v1.root-pod: does not set runAsNonRoot on the pod",
      "kubernetes_deployment_v1.root-pod: mounts a Kubernetes API token (set automountServiceAccountToken: false)",
      "kubernetes_deployment_v1.root-pod: container app allows privilege escalation",
      "kubernetes_deployment_v1.root-pod: container app does not drop ALL capabilities",
      "kubernetes_deployment_v1.root-pod: container app has no cpu and memory limits",
    ]);
  });

  test("fails literal secrets: a DSN in env, a Secret's literal data, a literal master password, a non-sensitive output", () => {
    expect(byRule("secrets-not-literal").sort()).toEqual([
      "aws_db_instance.db: sets the master password in the configuration",
      "kubernetes_deployment_v1.root-pod: container app sets MM_SQLSETTINGS_DATASOURCE as a literal value; use a secretKeyRef",
      'kubernetes_secret_v1.literal: holds a literal value under "password"; fill it from a sensitive variable or a resource',
      "output.db_password: carries a secret but is not sensitive",
    ]);
  });

  test("each message names the stack, the resource, its construct path, the rule and the way out", () => {
    const message = describeViolation(violations.find((v) => v.rule === "s3-encrypted")!);
    expect(message).toBe(
      'dev-storage: aws_s3_bucket.open-bucket (dev-storage/open-bucket): s3-encrypted: has no default encryption; fix it, or waive it for this resource until a date in environments/dev.yaml: policy.waivers: [{ rule: s3-encrypted, stack: storage, resource: aws_s3_bucket.open-bucket, expires: YYYY-MM-DD, reason: "..." }]',
    );
  });

  test("a waiver covers one rule on one resource of one stack until its date, and nothing else", () => {
    const waiver = (change: Partial<Waiver>): Waiver => ({
      rule: "s3-tls-only",
      stack: "storage",
      resource: "aws_s3_bucket.open-bucket",
      expires: "2999-12-31",
      reason: "the bucket sits behind a VPC endpoint that only speaks TLS",
      ...change,
    });
    const waived = checkBadStack([waiver({})]);
    expect(waived.filter((v) => v.rule === "s3-tls-only")).toEqual([]);
    expect(waived).toHaveLength(violations.length - 1);
    // By construct path too, as the violation shows it.
    expect(checkBadStack([waiver({ resource: "dev-storage/open-bucket" })]).filter((v) => v.rule === "s3-tls-only")).toEqual([]);
    // Another resource, another stack, another rule, or an expired date: the finding stands.
    for (const change of [{ resource: "aws_s3_bucket.other" }, { stack: "app" as const }, { rule: "s3-encrypted" as const }, { expires: "2000-01-01" }]) {
      expect(checkBadStack([waiver(change)]).filter((v) => v.rule === "s3-tls-only")).toHaveLength(1);
    }
  });

  test("a waiver names its stack, its resource and an expiry date, and gives a written reason", () => {
    const result = waiverSchema.safeParse({ rule: "s3-tls-only", reason: "because" });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual(
      expect.arrayContaining([
        ["stack", expect.stringMatching(/database, storage or app/)],
        ["resource", expect.any(String)],
        ["expires", expect.any(String)],
        ["reason", "explain in a sentence why this environment may break the rule"],
      ]),
    );
    expect(waiverSchema.safeParse({ rule: "s3-tls-only", stack: "storage", resource: "x", expires: "2027-02-30", reason: "a reason long enough here" }).error!.issues[0]).toMatchObject({
      path: ["expires"],
      message: "is not a calendar day",
    });
  });

  test("an expired waiver fails synth, naming the waiver and the fix", () => {
    const input = localInput();
    input.policy = { waivers: [{ rule: "pods-hardened", stack: "app", resource: "kubernetes_deployment_v1.x", expires: "2020-01-31", reason: "the vendor image needs root for now" }] };
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([
      expect.stringMatching(
        /dev\.yaml: policy\.waivers\.0\.expires: waiver \{ rule: pods-hardened, stack: app, resource: kubernetes_deployment_v1\.x, expires: 2020-01-31 \} expired on 2020-01-31; fix the resource, or review the reason and set a new expires date$/,
      ),
    ]);
  });

  test("every waiver in force is printed in the synth summary, with what it covers", () => {
    const input = localInput();
    const outdir = path.join(tempDir("policy"), "cdktf.out");
    const waiver = { rule: "no-open-ingress", stack: "app", resource: "kubernetes_network_policy_v1.nothing", expires: "2999-01-01", reason: "kept to show a stale waiver in the summary" };
    input.policy = { waivers: [waiver] };
    synthesize([environment("dev", input)], outdir);
    const printed = formatSummary(summarize(outdir), activeWaivers(outdir));
    expect(printed).toContain("Security policy waivers in force (1):");
    expect(printed).toContain(
      "  dev-app: { rule: no-open-ingress, stack: app, resource: kubernetes_network_policy_v1.nothing, expires: 2999-01-01 } covers 0 finding(s) (stale: nothing breaks the rule there; remove it); in environments/dev.yaml; reason: kept to show a stale waiver in the summary",
    );
  });

  test.each(POLICY_RULES.map((r) => [r]))("docs/security.md and the README say which attack %s stops", (rule) => {
    const docs = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "security.md"), "utf8");
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    expect(docs).toMatch(new RegExp(`^\\| \`${rule}\` \\| [^|]+ \\| [^|]+ \\|$`, "m"));
    expect(readme).toMatch(new RegExp(`^\\| \`${rule}\` \\| [^|]+ \\|$`, "m"));
  });

  test("the example environments as shipped pass (the user's own files: environments.test.ts)", () => {
    expect(() => synthesize(loadEnvironments(EXAMPLE_ENVIRONMENTS), path.join(tempDir("policy"), "cdktf.out"))).not.toThrow();
  });

  test("synth fails with every violation and leaves the previous output alone", () => {
    const outdir = path.join(tempDir("policy"), "cdktf.out");
    synthesize([environment("dev", localInput())], outdir);
    const before = fs.readFileSync(path.join(outdir, "manifest.json"), "utf8");
    const finding = { rule: "pods-hardened" as const, address: "kubernetes_deployment_v1.x", path: "dev-app/x", problem: "runs as root" };
    const spy = jest.mocked(rules.checkStack).mockImplementation((stack: any) => (stack.resource?.kubernetes_deployment_v1 ? [finding] : []));
    try {
      expect(() => synthesize([environment("dev", localInput())], outdir)).toThrow(PolicyError);
      try {
        synthesize([environment("dev", localInput())], outdir);
      } catch (error) {
        expect((error as PolicyError).violations).toEqual([{ ...finding, stack: "dev-app", file: "environments/dev.yaml" }]);
      }
    } finally {
      spy.mockImplementation(jest.requireActual("../../synth/policy-rules").checkStack);
    }
    expect(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).toBe(before);
    expect(fs.existsSync(`${outdir}.next`)).toBe(false);
  });
});
