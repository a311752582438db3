import * as fs from "fs";
import * as path from "path";
import { awsInput, environment, PROJECT_ROOT, resources, synthEnvironments } from "../support/synth";
import { MIN_TERRAFORM } from "../support/terraform";

/**
 * Claims of docs/network.md and docs/security.md that no other test proved, checked on the
 * synthesized JSON. Each test names the sentence it holds to.
 */

/** True when a Kubernetes label selector (matchLabels, and matchExpressions with In) selects `labels`. */
function selects(selector: any, labels: Record<string, string> = {}): boolean {
  const byLabel = Object.entries<string>(selector.match_labels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.match_expressions ?? []).every((e: any) => {
    if (e.operator !== "In") throw new Error(`selects: operator ${e.operator} not handled`);
    return e.values.includes(labels[e.key]);
  });
  return byLabel && byExpression;
}

describe("an app with IRSA, SAML and plugins (every Job the app stack makes)", () => {
  const input = awsInput();
  input.storage = {
    kind: "s3",
    access: "irsa",
    irsa: { oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789" },
  };
  input.mattermost = {
    ...input.mattermost,
    saml: { preset: "ubuntu-sso", idpCertificateSecretName: "ubuntu-sso-idp" },
    plugins: ["mattermost-autolink"],
  };
  const stack = synthEnvironments([environment("dev", input)])["dev-app"];
  const policies = resources(stack, "kubernetes_network_policy_v1");
  const jobs = resources(stack, "kubernetes_job_v1");

  test("network.md: Mattermost's policy selects the server pods and none of the Jobs' pods; the Jobs' policy selects every Job's pods and not the server's", () => {
    expect(policies.map((policy) => policy.metadata.name).sort()).toEqual(["mattermost-dev", "mattermost-dev-jobs"]);
    const server = policies.find((policy) => policy.metadata.name === "mattermost-dev").spec.pod_selector;
    const forJobs = policies.find((policy) => policy.metadata.name === "mattermost-dev-jobs").spec.pod_selector;
    const [deployment] = resources(stack, "kubernetes_deployment_v1");
    expect([selects(server, deployment.spec.template.metadata.labels), selects(forJobs, deployment.spec.template.metadata.labels)]).toEqual([true, false]);
    expect(jobs.map((job) => job.spec.template.metadata.labels["app.kubernetes.io/component"]).sort()).toEqual([
      "migration",
      "plugins",
      "saml-certificate",
    ]);
    for (const job of jobs) {
      const labels = job.spec.template.metadata.labels;
      expect([job.metadata.name, selects(server, labels), selects(forJobs, labels)]).toEqual([job.metadata.name, false, true]);
    }
  });

  test("security.md: the Jobs run as the namespace's default account, without its token; only the server has the IRSA role", () => {
    for (const job of jobs) {
      const pod = job.spec.template.spec;
      expect([job.metadata.name, pod.service_account_name, pod.automount_service_account_token]).toEqual([job.metadata.name, undefined, false]);
    }
    const [account] = resources(stack, "kubernetes_service_account_v1");
    expect(Object.keys(account.metadata.annotations)).toEqual(["eks.amazonaws.com/role-arn"]);
  });
});

describe("README.md, the test line", () => {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const testLine = /Install and run the whole test suite:\n\n```sh\n([^\n]+)\n```/.exec(readme)?.[1];

  test(".ci/run runs exactly the README's test line", () => {
    expect(testLine).toBe("npm ci && npm test");
    const commands = fs
      .readFileSync(path.join(PROJECT_ROOT, ".ci", "run"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#") && !/^(set|cd) /.test(line));
    expect(commands).toEqual([testLine]);
  });

  test("its prerequisites are listed beside it: Node 20 (package.json engines) and terraform >= 1.10 (what the harness demands)", () => {
    // The paragraph right after the test line.
    const prerequisites = readme.slice(readme.indexOf(testLine!)).split("\n\n")[1].replace(/\s+/g, " ");
    expect(prerequisites).toContain("The tests need Node 20 and terraform >= 1.10 on the PATH");
    expect(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).engines.node).toBe(">=20");
    expect(MIN_TERRAFORM.join(".")).toBe("1.10");
  });
});
