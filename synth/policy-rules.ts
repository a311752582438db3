import { internetCoverage } from "../config/schema/common";
import { isSecretSetting, urlWithCredentials } from "../config/schema/mattermost-env";
import { METADATA_ADDRESSES, metadataAddressIn } from "../config/schema/network";
import type { PolicyRule } from "../config/schema/policy";

/** One broken rule: which resource, and what is wrong with it. */
export interface Finding {
  readonly rule: PolicyRule;
  /** Terraform address, e.g. `aws_s3_bucket.bucket_bucket_1A2B3C4D`. */
  readonly address: string;
  /** Construct path, e.g. `production-storage/bucket/bucket`. */
  readonly path: string;
  readonly problem: string;
}

type Json = Record<string, any>;
type Block = { type: string; name: string; body: Json };

/** Checks one synthesized stack (its Terraform JSON) against every rule. */
export function checkStack(stack: Json): Finding[] {
  const resources = blocks(stack.resource);
  const data = blocks(stack.data);
  const found: Finding[] = [];
  const flag = (rule: PolicyRule, block: Block, problem: string, prefix = "") =>
    found.push({ rule, address: `${prefix}${block.type}.${block.name}`, path: block.body["//"]?.metadata?.path ?? "", problem });

  const refersTo = (value: unknown, block: Block) => typeof value === "string" && value.includes(`${block.type}.${block.name}.`);
  const policyDocuments = data.filter((d) => d.type === "aws_iam_policy_document");

  for (const bucket of resources.filter((r) => r.type === "aws_s3_bucket")) {
    const attached = (type: string) => resources.filter((r) => r.type === type && refersTo(r.body.bucket, bucket));
    const block = attached("aws_s3_bucket_public_access_block")[0]?.body;
    if (!block || !["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every((k) => block[k] === true)) {
      flag("s3-private-bucket", bucket, "has no public access block with all four settings on");
    }
    if (attached("aws_s3_bucket_ownership_controls")[0]?.body.rule?.object_ownership !== "BucketOwnerEnforced") {
      flag("s3-private-bucket", bucket, "does not enforce bucket ownership (ACLs stay possible)");
    }
    if (bucket.body.force_destroy === true) flag("s3-private-bucket", bucket, "is force_destroy: a destroy would delete every file");
    if (attached("aws_s3_bucket_server_side_encryption_configuration").length === 0) flag("s3-encrypted", bucket, "has no default encryption");
    const tlsOnly = attached("aws_s3_bucket_policy").some((policy) =>
      policyDocuments.some(
        (doc) =>
          refersTo(policy.body.policy, { ...doc, type: `data.${doc.type}` }) &&
          (doc.body.statement ?? []).some(
            (s: Json) => s.effect === "Deny" && (s.condition ?? []).some((c: Json) => c.variable === "aws:SecureTransport" && (c.values ?? []).includes("false")),
          ),
      ),
    );
    if (!tlsOnly) flag("s3-tls-only", bucket, "has no bucket policy denying requests without TLS (aws:SecureTransport)");
  }

  for (const doc of policyDocuments) {
    for (const statement of doc.body.statement ?? []) {
      if (statement.effect === "Deny") continue;
      const broad = [...(statement.actions ?? [])].filter((a: string) => a === "*" || a.endsWith(":*"));
      if (broad.length > 0) flag("iam-least-privilege", doc, `allows wildcard actions ${broad.join(", ")}`, "data.");
      if ((statement.resources ?? []).includes("*")) flag("iam-least-privilege", doc, `allows ${statement.actions?.join(", ")} on every resource ("*")`, "data.");
    }
  }

  for (const instance of resources.filter((r) => r.type === "aws_db_instance")) {
    if (instance.body.publicly_accessible !== false) flag("database-private", instance, "is not explicitly publicly_accessible: false");
    if (instance.body.storage_encrypted !== true) flag("database-private", instance, "does not encrypt its storage");
    if (typeof instance.body.password === "string") flag("secrets-not-literal", instance, "sets the master password in the configuration");
  }

  // Parsed and taken together per security group: 0::/0, or 0.0.0.0/1 and 128.0.0.0/1 in two
  // rules, admit the whole internet as surely as 0.0.0.0/0.
  const ingressBySecurityGroup = new Map<string, { block: Block; cidrs: string[] }[]>();
  for (const rule of resources.filter((r) => r.type === "aws_vpc_security_group_ingress_rule")) {
    const group = String(rule.body.security_group_id ?? `${rule.type}.${rule.name}`);
    const cidrs = [rule.body.cidr_ipv4, rule.body.cidr_ipv6].filter((c): c is string => typeof c === "string");
    ingressBySecurityGroup.set(group, [...(ingressBySecurityGroup.get(group) ?? []), { block: rule, cidrs }]);
  }
  for (const rules of ingressBySecurityGroup.values()) {
    const open = internetCoverage(rules.flatMap((r) => r.cidrs));
    if (open) for (const rule of rules.filter((r) => r.cidrs.length > 0)) flag("no-open-ingress", rule.block, `admits the whole internet (${open})`);
  }
  for (const group of resources.filter((r) => r.type === "aws_security_group")) {
    const cidrs = (group.body.ingress ?? []).flatMap((ingress: Json) => [...(ingress.cidr_blocks ?? []), ...(ingress.ipv6_cidr_blocks ?? [])]);
    const open = internetCoverage(cidrs.filter((c: unknown): c is string => typeof c === "string"));
    if (open) flag("no-open-ingress", group, `admits the whole internet (${open})`);
  }

  for (const workload of resources.filter((r) => ["kubernetes_deployment_v1", "kubernetes_job_v1", "kubernetes_stateful_set_v1"].includes(r.type))) {
    const pod = workload.body.spec?.template?.spec ?? {};
    if (pod.security_context?.run_as_non_root !== true) flag("pods-hardened", workload, "does not set runAsNonRoot on the pod");
    // Nothing here talks to the Kubernetes API; with IRSA, EKS projects its own token (docs/security.md).
    if (pod.automount_service_account_token !== false) flag("pods-hardened", workload, "mounts a Kubernetes API token (set automountServiceAccountToken: false)");
    for (const container of [...(pod.init_container ?? []), ...(pod.container ?? [])]) {
      const context = container.security_context ?? {};
      const name = `container ${container.name}`;
      if (context.allow_privilege_escalation !== false) flag("pods-hardened", workload, `${name} allows privilege escalation`);
      if (!(context.capabilities?.drop ?? []).includes("ALL")) flag("pods-hardened", workload, `${name} does not drop ALL capabilities`);
      if (context.privileged === true) flag("pods-hardened", workload, `${name} is privileged`);
      if (!container.resources?.limits?.memory || !container.resources?.limits?.cpu) flag("pods-hardened", workload, `${name} has no cpu and memory limits`);
      for (const env of container.env ?? []) {
        if (typeof env.value !== "string" || env.value === "") continue;
        if (isSecretSetting(env.name)) {
          flag("secrets-not-literal", workload, `${name} sets ${env.name} as a literal value; use a secretKeyRef`);
        } else if (urlWithCredentials(env.value)) {
          flag("secrets-not-literal", workload, `${name} sets ${env.name} to a URL with credentials (${urlWithCredentials(env.value)}); keep credentials out of URLs or use a secretKeyRef`);
        }
      }
    }
  }

  // A network policy's egress must never reach the cloud metadata service: it hands out the node's
  // cloud credentials to whatever runs in the pod (docs/network.md).
  for (const policy of resources.filter((r) => r.type === "kubernetes_network_policy_v1")) {
    for (const rule of policy.body.spec?.egress ?? []) {
      const peers: Json[] = rule.to ?? [];
      if (peers.length === 0) {
        flag("pods-hardened", policy, "has an egress rule without destinations, which lets the pods reach everything, the cloud metadata service included");
        continue;
      }
      for (const peer of peers) {
        const block = peer.ip_block;
        if (typeof block?.cidr !== "string") continue;
        const reached = METADATA_ADDRESSES.filter(
          (address) => metadataAddressIn(block.cidr) === address && !(block.except ?? []).some((except: string) => metadataAddressIn(except) === address),
        );
        if (reached.length > 0) flag("pods-hardened", policy, `lets the pods reach the cloud metadata service (${reached.join(", ")}) through ${block.cidr}`);
      }
    }
  }

  for (const secret of resources.filter((r) => r.type === "kubernetes_secret_v1")) {
    for (const [key, value] of Object.entries<unknown>(secret.body.data ?? {})) {
      if (typeof value === "string" && value !== "" && !value.includes("${")) {
        flag("secrets-not-literal", secret, `holds a literal value under "${key}"; fill it from a sensitive variable or a resource`);
      }
    }
  }

  for (const [name, output] of Object.entries<Json>(stack.output ?? {})) {
    if (SECRET_NAME.test(name) && output.sensitive !== true) {
      found.push({ rule: "secrets-not-literal", address: `output.${name}`, path: "", problem: "carries a secret but is not sensitive" });
    }
  }
  for (const [name, variable] of Object.entries<Json>(stack.variable ?? {})) {
    if (SECRET_NAME.test(name) && variable.sensitive !== true) {
      found.push({ rule: "secrets-not-literal", address: `var.${name}`, path: "", problem: "carries a secret but is not sensitive" });
    }
  }
  return found;
}

/** Output and variable names that carry secrets. */
const SECRET_NAME = /(password|secret|dsn|licen[cs]e|token)/i;

function blocks(section: Record<string, Record<string, Json>> | undefined): Block[] {
  return Object.entries(section ?? {}).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => ({ type, name, body })));
}
