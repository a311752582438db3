import { JobV1, JobV1SpecTemplateSpecContainerEnv, JobV1SpecTemplateSpecContainerVolumeMount, JobV1SpecTemplateSpecVolume } from "@cdktf/provider-kubernetes/lib/job-v1";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { mattermostLabels } from "../shared/labels";
import { CONTAINER_SECURITY_CONTEXT, MattermostPodProps, mattermostVolumes, RUN_ONCE_JOB, runOncePod } from "./mattermost-pod";

/** Props of {@link configStoreJob}. */
export interface ConfigStoreJobProps {
  readonly environmentName: string;
  readonly namespace: string;
  /** What the Job writes (`plugins`, `saml-certificate`): its label component and part of its name. */
  readonly purpose: string;
  /** Short hash of what it writes: the Job's name carries it, so new content runs a new Job. */
  readonly revision: string;
  /** The Mattermost pod's make-up: its env Secret (the DSN), mounted Secrets (the database CA), pull secrets, scheduling. */
  readonly pod: MattermostPodProps;
  /** A PostgreSQL client image (psql). */
  readonly clientImage: string;
  readonly containerName: string;
  /** The `sh -ec` script; it finds the DSN in `$MATTERMOST_DSN`. */
  readonly script: string;
  readonly env?: JobV1SpecTemplateSpecContainerEnv[];
  readonly volumeMounts?: JobV1SpecTemplateSpecContainerVolumeMount[];
  readonly volumes?: JobV1SpecTemplateSpecVolume[];
  /** What must have run first: the migration Job, which creates the config store's tables. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A run-once Job that writes into Mattermost's database config store with psql, connected as
 * Mattermost through the DSN of the env Secret (and its CA), where the servers may run. A function,
 * not a construct, so the Job keeps the address `scope/id` of the construct that makes it.
 */
export function configStoreJob(scope: Construct, id: string, props: ConfigStoreJobProps): JobV1 {
  const labels = mattermostLabels(props.environmentName, props.purpose);
  return new JobV1(scope, id, {
    metadata: { name: `mattermost-${props.environmentName}-${props.purpose}-${props.revision}`, namespace: props.namespace, labels },
    spec: {
      ...RUN_ONCE_JOB,
      template: {
        metadata: { labels },
        spec: {
          ...runOncePod(props.pod),
          container: [
            {
              name: props.containerName,
              image: props.clientImage,
              command: ["sh", "-ec", props.script],
              env: [{ name: "MATTERMOST_DSN", valueFrom: { secretKeyRef: { name: props.pod.envSecretName, key: "dsn" } } }, ...(props.env ?? [])],
              resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
              securityContext: CONTAINER_SECURITY_CONTEXT,
              volumeMount: [...props.pod.mountedSecrets.map((s) => ({ name: s.volume, mountPath: s.mountPath, readOnly: true })), ...(props.volumeMounts ?? [])],
            },
          ],
          volume: [...mattermostVolumes(props.pod, false), ...(props.volumes ?? [])],
        },
      },
    },
    waitForCompletion: true,
    timeouts: { create: "5m", update: "5m" },
    ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
  });
}
