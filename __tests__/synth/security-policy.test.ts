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
import { waiverSchema, Waiver } from "../../config/schema/policy";
import { describeViolation, PolicyError, SecurityPolicy } from "../../synth/security-policy";
import { synthesize } from "../../synth/synthesize";
import { environment, localInput, EXAMPLE_ENVIRONMENTS, tempDir } from "../support/synth";
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
    expect(byRule("no-open-ingress")).toEqual(["aws_vpc_security_group_ingress_rule.world: admits the whole internet"]);
  });

  test("fails a root container without limits", () => {
    expect(byRule("pods-hardened")).toEqual([
      "kubernetes_deployment_v1.root-pod: does not set runAsNonRoot on the pod",
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
      'dev-storage: aws_s3_bucket.open-bucket (dev-storage/open-bucket): s3-encrypted: has no default encryption; fix it, or waive it for this environment in environments/dev.yaml: policy.waivers: [{ rule: s3-encrypted, stack: storage, reason: "..." }]',
    );
  });

  test("a waiver covers its rule in its environment and nothing else", () => {
    const waived = checkBadStack([{ rule: "s3-tls-only", reason: "the bucket sits behind a VPC endpoint that only speaks TLS" }]);
    expect(waived.filter((v) => v.rule === "s3-tls-only")).toEqual([]);
    expect(waived).toHaveLength(violations.length - 1);
    const otherStack = checkBadStack([{ rule: "s3-encrypted", stack: "app", reason: "only for the app stack, not this one" }]);
    expect(otherStack.filter((v) => v.rule === "s3-encrypted")).toHaveLength(1);
  });

  test("a waiver needs a written reason", () => {
    const result = waiverSchema.safeParse({ rule: "s3-tls-only", reason: "because" });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ["reason"], message: "explain in a sentence why this environment may break the rule" });
  });

  test("the shipped environments pass", () => {
    expect(() => synthesize(loadEnvironments(EXAMPLE_ENVIRONMENTS), path.join(tempDir("policy"), "cdktf.out"))).not.toThrow();
  });

  test("synth fails with every violation and leaves the previous output alone", () => {
    const outdir = path.join(tempDir("policy"), "cdktf.out");
    synthesize([environment("dev", localInput())], outdir);
    const before = fs.readFileSync(path.join(outdir, "manifest.json"), "utf8");
    const finding = { rule: "pods-hardened" as const, address: "kubernetes_deployment_v1.x", path: "dev-app/x", problem: "runs as root" };
    const spy = jest.spyOn(rules, "checkStack").mockImplementation((stack: any) => (stack.resource?.kubernetes_deployment_v1 ? [finding] : []));
    try {
      expect(() => synthesize([environment("dev", localInput())], outdir)).toThrow(PolicyError);
      try {
        synthesize([environment("dev", localInput())], outdir);
      } catch (error) {
        expect((error as PolicyError).violations).toEqual([{ ...finding, stack: "dev-app", file: "environments/dev.yaml" }]);
      }
    } finally {
      spy.mockRestore();
    }
    expect(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).toBe(before);
    expect(fs.existsSync(`${outdir}.next`)).toBe(false);
  });
});
