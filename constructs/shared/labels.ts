/** The `app.kubernetes.io/*` labels every Kubernetes object of an environment carries. */
export function mattermostLabels(environmentName: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "mattermost",
    "app.kubernetes.io/instance": `mattermost-${environmentName}`,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "mattermost",
    "app.kubernetes.io/managed-by": "mattermost-cdktf",
  };
}

/**
 * The Kubernetes service account Mattermost runs as. The storage stack trusts exactly this name for
 * IRSA and the app stack creates it, so both derive it here.
 */
export function mattermostServiceAccountName(environmentName: string): string {
  return `mattermost-${environmentName}`;
}
