import { loadEnvironments } from "../../../config/load";
import { awsInput, environment, environmentsFolder, localInput, peerAdmits, rejectionsOf, resources, serverPolicy, StackJson, synthEnvironments, synthShipped } from "../../support/synth";

/**
 * The run-once Jobs' pods (migration, plugins, SAML certificate) have a NetworkPolicy of their own:
 * DNS, the database and network.egress.allow, nothing else; and no pod template of the app stack is
 * left without a policy that restricts its egress.
 */

const METADATA = ["169.254.169.254", "fd00:ec2::254"];

/** Whether a Kubernetes label selector (match_labels and match_expressions) selects `labels`. */
function selects(selector: any, labels: Record<string, string> = {}): boolean {
  const byLabel = Object.entries<string>(selector.match_labels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.match_expressions ?? []).every((e: any) => {
    switch (e.operator) {
      case "In":
        return e.key in labels && e.values.includes(labels[e.key]);
      case "NotIn":
        return !(e.key in labels) || !e.values.includes(labels[e.key]);
      case "Exists":
        return e.key in labels;
      case "DoesNotExist":
        return !(e.key in labels);
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
  return byLabel && byExpression;
}

/**
 * Every pod template of a stack, whatever the resource type (Deployment, Job, StatefulSet,
 * DaemonSet, CronJob, a bare Pod, a kubernetes_manifest of any of them): its address, namespace
 * and labels. A resource type added later is found without changing this test.
 */
function podTemplates(stack: StackJson): { address: string; namespace: string; labels: Record<string, string> }[] {
  const found: { address: string; namespace: string; labels: Record<string, string> }[] = [];
  for (const [type, byName] of Object.entries<any>(stack.resource ?? {})) {
    for (const [name, body] of Object.entries<any>(byName)) {
      const object = type === "kubernetes_manifest" ? body.manifest : body;
      const namespace = object?.metadata?.namespace;
      const template = object?.spec?.template ?? object?.spec?.job_template?.spec?.template ?? object?.spec?.jobTemplate?.spec?.template;
      if (template?.metadata) found.push({ address: `${type}.${name}`, namespace, labels: template.metadata.labels ?? {} });
      else if (/^kubernetes_pod(_v1)?$/.test(type) || (type === "kubernetes_manifest" && object?.kind === "Pod")) {
        found.push({ address: `${type}.${name}`, namespace, labels: object.metadata.labels ?? {} });
      }
    }
  }
  return found;
}

function policies(stack: StackJson): any[] {
  return resources(stack, "kubernetes_network_policy_v1");
}

function jobsPolicy(stack: StackJson): any {
  const found = policies(stack).filter((p) => p.metadata.name.endsWith("-jobs"));
  expect(found).toHaveLength(1);
  return found[0];
}

/** IRSA, SAML from a Secret, plugins: every Job the app stack makes. */
function everyJob(): any {
  const input = awsInput();
  input.storage = { kind: "s3", access: "irsa", irsa: { oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789" } };
  input.mattermost = { ...input.mattermost, saml: { preset: "ubuntu-sso", idpCertificateSecretName: "ubuntu-sso-idp" }, plugins: ["mattermost-autolink"] };
  return input;
}

/** NodeLocal DNSCache: its link-local address, port 53 on UDP and TCP (docs/network.md). */
const NODE_LOCAL_DNS = { cidr: "169.254.20.10/32", ports: [53], protocols: ["UDP", "TCP"] };

function withNodeLocalDns(): any {
  const input = localInput();
  input.database.host = "10.0.3.7";
  input.network = { egress: { allow: [NODE_LOCAL_DNS, { cidr: "10.0.9.0/24", ports: [3128] }] } };
  return input;
}

// One synth run for the environments built here (the shipped ones are synthesized once per file).
const built = synthEnvironments([environment("every", everyJob()), environment("nodelocal", withNodeLocalDns())]);
const APP_STACKS: Record<string, StackJson> = {
  ...Object.fromEntries(Object.entries(synthShipped()).filter(([id]) => id.endsWith("-app"))),
  "every-app": built["every-app"],
  "nodelocal-app": built["nodelocal-app"],
};

describe("the Jobs' network policy", () => {
  test("the shipped environments and one with every Job are all checked", () => {
    expect(Object.keys(APP_STACKS).sort()).toEqual(["every-app", "local-app", "nodelocal-app", "production-app"]);
    const components = resources(APP_STACKS["every-app"], "kubernetes_job_v1").map((job) => job.spec.template.metadata.labels["app.kubernetes.io/component"]);
    expect(components.sort()).toEqual(["migration", "plugins", "saml-certificate"]);
  });

  test.each(Object.keys(APP_STACKS))("%s: it selects every Job's pods and not Mattermost's; Mattermost's selects no Job's pods", (id) => {
    const stack = APP_STACKS[id];
    const jobs = resources(stack, "kubernetes_job_v1");
    expect(jobs.length).toBeGreaterThan(0);
    const forJobs = jobsPolicy(stack).spec.pod_selector;
    const forServer = serverPolicy(stack).spec.pod_selector;
    for (const job of jobs) {
      const labels = job.spec.template.metadata.labels;
      expect([job.metadata.name, selects(forJobs, labels), selects(forServer, labels)]).toEqual([job.metadata.name, true, false]);
      expect(job.metadata.namespace).toBe(jobsPolicy(stack).metadata.namespace);
    }
    const [deployment] = resources(stack, "kubernetes_deployment_v1");
    expect(selects(forJobs, deployment.spec.template.metadata.labels)).toBe(false);
    expect(selects(forServer, deployment.spec.template.metadata.labels)).toBe(true);
  });

  test.each(Object.keys(APP_STACKS))("%s: no ingress; egress only to DNS, the database and network.egress.allow, the very rules Mattermost's policy has", (id) => {
    const stack = APP_STACKS[id];
    const spec = jobsPolicy(stack).spec;
    expect(spec.policy_types).toEqual(["Ingress", "Egress"]);
    expect(spec.ingress).toBeUndefined();
    const server = serverPolicy(stack).spec.egress;
    const allowed = server.filter((rule: any) => !rule.to.some((peer: any) => peer.ip_block?.cidr === "0.0.0.0/0") && !rule.to.some((peer: any) => peer.pod_selector));
    // DNS, the database, then what allow lists: the same objects as in Mattermost's policy, minus the internet and gossip.
    expect(spec.egress).toEqual(allowed);
    expect(spec.egress[0].to).toEqual([{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kube-system" } } }]);
    expect(spec.egress[1].ports).toEqual([{ port: "5432", protocol: "TCP" }]);
  });

  test.each(Object.keys(APP_STACKS))("%s: the Jobs' pods reach neither the metadata service nor any public address", (id) => {
    for (const rule of jobsPolicy(APP_STACKS[id]).spec.egress) {
      expect(rule.to.length).toBeGreaterThan(0);
      for (const address of [...METADATA, "8.8.8.8", "52.95.110.1", "2a05:d018::1"]) {
        expect([id, address, rule.to.some((peer: any) => peerAdmits(peer, address))]).toEqual([id, address, false]);
      }
    }
  });

  test("the Jobs of a file with a proxy and NodeLocal DNSCache get those allow entries too", () => {
    expect(jobsPolicy(APP_STACKS["nodelocal-app"]).spec.egress).toEqual([
      { to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kube-system" } } }], ports: [{ port: "53", protocol: "UDP" }, { port: "53", protocol: "TCP" }] },
      { to: [{ ip_block: { cidr: "10.0.3.7/32" } }], ports: [{ port: "5432", protocol: "TCP" }] },
      { to: [{ ip_block: { cidr: "169.254.20.10/32" } }], ports: [{ port: "53", protocol: "UDP" }, { port: "53", protocol: "TCP" }] },
      { to: [{ ip_block: { cidr: "10.0.9.0/24" } }], ports: [{ port: "3128", protocol: "TCP" }] },
    ]);
  });
});

describe("every pod of the app stack has its egress restricted", () => {
  test.each(Object.keys(APP_STACKS))("%s: each pod template is selected by a NetworkPolicy with Egress in policyTypes", (id) => {
    const stack = APP_STACKS[id];
    const templates = podTemplates(stack);
    // The Deployment and each Job at least: the walk finds pod templates.
    expect(templates.length).toBeGreaterThanOrEqual(1 + resources(stack, "kubernetes_job_v1").length);
    const restricting = policies(stack).filter((p) => p.spec.policy_types.includes("Egress"));
    for (const template of templates) {
      const selected = restricting.some((p) => p.metadata.namespace === template.namespace && selects(p.spec.pod_selector, template.labels));
      expect([template.address, selected]).toEqual([template.address, true]);
    }
  });
});

describe("DNS through NodeLocal DNSCache (docs/network.md)", () => {
  test("an allow entry opens its ports on UDP and TCP when protocols says so, in Mattermost's policy too", () => {
    expect(serverPolicy(APP_STACKS["nodelocal-app"]).spec.egress).toContainEqual({
      to: [{ ip_block: { cidr: "169.254.20.10/32" } }],
      ports: [
        { port: "53", protocol: "UDP" },
        { port: "53", protocol: "TCP" },
      ],
    });
  });

  test("169.254.20.10/32 is link-local but not the metadata address: the schema and the security policy accept it", () => {
    // The synth above ran the security policy; the schema accepts the entry as a file would give it.
    expect(loadEnvironments(environmentsFolder({ "dev.yaml": withNodeLocalDns() }))).toHaveLength(1);
    const input = localInput();
    input.network = { egress: { allow: [{ ...NODE_LOCAL_DNS, cidr: "169.254.169.254/32" }] } };
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([expect.stringMatching(/dev\.yaml: network\.egress\.allow\.0\.cidr: 169\.254\.169\.254\/32 contains the cloud metadata address/)]);
  });

  test("without protocols an entry's ports stay TCP only", () => {
    const rule = serverPolicy(APP_STACKS["nodelocal-app"]).spec.egress.find((r: any) => r.to[0].ip_block?.cidr === "10.0.9.0/24");
    expect(rule.ports).toEqual([{ port: "3128", protocol: "TCP" }]);
  });

  test.each([
    [{ cidr: "169.254.20.10/32", protocols: ["UDP"] }, /dev\.yaml: network\.egress\.allow\.0\.protocols: applies to ports, .*; list the ports \(e\.g\. ports: \[53\], protocols: \[UDP, TCP\]\) or remove protocols$/],
    [{ cidr: "169.254.20.10/32", ports: [53], protocols: ["ICMP"] }, /dev\.yaml: network\.egress\.allow\.0\.protocols\.0: must be TCP or UDP$/],
  ])("a bad protocols entry is refused, naming the key and the fix (%j)", (rule, message) => {
    const input = localInput();
    input.network = { egress: { allow: [rule] } };
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([expect.stringMatching(message)]);
  });

  test("a UDP-only entry does not let the pods reach a TCP server the file names", () => {
    const input = localInput();
    input.mattermost.smtp = { host: "10.0.5.5", port: 587, fromAddress: "chat@example.com" };
    input.network = { egress: { allow: [{ cidr: "10.0.5.5/32", ports: [587], protocols: ["UDP"] }] } };
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([expect.stringMatching(/dev\.yaml: mattermost\.smtp\.host: .*add \{ cidr: 10\.0\.5\.5\/32, ports: \[587\] \} to network\.egress\.allow$/)]);
  });
});
