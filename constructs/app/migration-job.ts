import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { createHash } from "crypto";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import { MattermostPodProps, mattermostContainer, mattermostVolumes, RUN_ONCE_JOB, runOnceJobDeadline, runOncePod } from "./mattermost-pod";

/** Props of {@link MigrationJob}. */
export interface MigrationJobProps {
  readonly environmentName: string;
  readonly namespace: string;
  readonly pod: MattermostPodProps;
  /**
   * How long the migration may take in all, image pulls and retries included (the Job's
   * activeDeadlineSeconds; Terraform waits a minute longer). Default 1800: big databases migrate slowly.
   */
  readonly deadlineSeconds?: number;
}

/** Default deadline of the migration, in seconds. */
export const MIGRATION_DEADLINE_SECONDS = 1800;

/** The migration command of Mattermost >= 9: applies pending schema migrations and exits. */
export const MIGRATE_COMMAND = ["mattermost", "db", "migrate"];

/** First 10 hex digits of the image reference's SHA-256: the Job's identity. */
export function imageHash(image: string): string {
  return createHash("sha256").update(image).digest("hex").slice(0, 10);
}

/**
 * Runs `mattermost db migrate` with a new image before any pod of that image serves. Its name
 * follows the image, so a new image is a new Job; Terraform waits for it to succeed, and the
 * Deployment depends on it, so a failed migration stops the rollout with the old pods still serving.
 * The finished Job stays in the cluster (no TTL), so the next plan finds it and stays quiet.
 */
export class MigrationJob extends Construct {
  public readonly job: JobV1;
  /** The pods' `app.kubernetes.io/component` label (the Jobs' network policy selects it). */
  public readonly component = "migration";

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const labels = mattermostLabels(props.environmentName, this.component);
    const deadline = runOnceJobDeadline(props.deadlineSeconds ?? MIGRATION_DEADLINE_SECONDS);
    this.job = new JobV1(this, "job", {
      metadata: { name: `mattermost-${props.environmentName}-migrate-${imageHash(props.pod.image)}`, namespace: props.namespace, labels },
      spec: {
        ...RUN_ONCE_JOB,
        activeDeadlineSeconds: deadline.activeDeadlineSeconds,
        template: {
          metadata: { labels },
          spec: {
            // The migration talks to PostgreSQL only: no cloud identity, no token. It runs as the
            // namespace's default account, never Mattermost's: that one carries the IRSA role, and
            // EKS's webhook would hand the Job the role's credentials.
            ...runOncePod(props.pod),
            container: [mattermostContainer(props.pod, { serving: false, command: MIGRATE_COMMAND })],
            volume: mattermostVolumes(props.pod, false),
          },
        },
      },
      waitForCompletion: true,
      timeouts: deadline.timeouts,
    });
  }
}
