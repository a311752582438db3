import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Construct } from "constructs";
import type { KubernetesConfig } from "../../config/schema/kubernetes";

/** Tags every AWS resource of an environment carries, so a bill or an audit can find them. */
export function awsDefaultTags(environmentName: string, stackId: string): Record<string, string> {
  return { "app.kubernetes.io/part-of": "mattermost", "mattermost-cdktf/environment": environmentName, "mattermost-cdktf/stack": stackId };
}

/** The AWS provider for `region`, tagging everything it makes. */
export function useAws(scope: Construct, region: string, environmentName: string, stackId: string): AwsProvider {
  return new AwsProvider(scope, "aws", { region, defaultTags: [{ tags: awsDefaultTags(environmentName, stackId) }] });
}

/** The Kubernetes provider for the environment's cluster (kubeconfig path and context). */
export function useKubernetes(scope: Construct, kubernetes: KubernetesConfig): KubernetesProvider {
  return new KubernetesProvider(scope, "kubernetes", {
    ...(kubernetes.configPath ? { configPath: kubernetes.configPath } : {}),
    ...(kubernetes.configContext ? { configContext: kubernetes.configContext } : {}),
  });
}
