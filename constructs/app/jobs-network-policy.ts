import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Construct } from "constructs";
import type { EgressRule } from "../../config/schema/network";
import { mattermostLabels } from "../shared/labels";
import { allowEgressRules, databaseEgressRule, dnsEgressRule, MattermostEgress } from "./mattermost-network-policy";

/** Props of {@link JobsNetworkPolicy}. */
export interface JobsNetworkPolicyProps {
  readonly environmentName: string;
  readonly namespace: string;
  /**
   * The `app.kubernetes.io/component` labels of the Jobs' pods (`migration`, `plugins`,
   * `saml-certificate`): the policy selects the pods of this environment that carry one of them.
   * Never `server`.
   */
  readonly components: readonly string[];
  /** Namespace of the cluster DNS (port 53 UDP and TCP). Default `kube-system`. */
  readonly dnsNamespace?: string;
  /** The PostgreSQL server, as for Mattermost's policy. */
  readonly database: MattermostEgress["database"];
  /** What network.egress.allow lists (an outbound proxy, a database reached through an in-cluster pooler). Default none. */
  readonly allow?: readonly EgressRule[];
}

/**
 * Where the run-once Jobs' pods (the migration, the config store writers) may connect: DNS, the
 * database and what `network.egress.allow` lists, with the same rules as Mattermost's policy (one
 * code path, constructs/app/mattermost-network-policy.ts); no one may connect to them. Each Job
 * talks to PostgreSQL only: `mattermost db migrate` loads the config store from MM_CONFIG (the DSN)
 * and opens the SQL store, nothing else (mattermost/mattermost server/cmd/mattermost/commands/db.go,
 * migrateCmdF: config.NewStoreFromDSN, sqlstore.New); the plugins and SAML certificate Jobs run
 * psql against $MATTERMOST_DSN (config-store-job.ts). Without this policy their pods would reach
 * the cloud metadata service and the whole VPC.
 *
 * A policy of their own, not the server's: the server's opens the public internet and gossip,
 * which the Jobs never use, and selects `component: server` only. The Jobs are selected by their
 * existing labels (instance + component In [...]), so no Job's pod template changes, and no
 * finished Job is replaced (a template change would run it again).
 */
export class JobsNetworkPolicy extends Construct {
  public readonly policy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: JobsNetworkPolicyProps) {
    super(scope, id);
    if (props.components.length === 0 || props.components.includes("server")) {
      throw new Error(`JobsNetworkPolicy: components must name the Jobs' pods, never the server (got ${JSON.stringify(props.components)})`);
    }
    const instance = mattermostLabels(props.environmentName, "jobs")["app.kubernetes.io/instance"];
    this.policy = new NetworkPolicyV1(this, "policy", {
      metadata: { name: `mattermost-${props.environmentName}-jobs`, namespace: props.namespace, labels: mattermostLabels(props.environmentName, "jobs") },
      spec: {
        podSelector: {
          matchLabels: { "app.kubernetes.io/instance": instance },
          matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: [...props.components] }],
        },
        // Ingress listed with no rule: nothing may connect to the Jobs' pods.
        policyTypes: ["Ingress", "Egress"],
        egress: [dnsEgressRule(props.dnsNamespace), databaseEgressRule(props.database), ...allowEgressRules(props.allow ?? [])],
      },
    });
  }
}
