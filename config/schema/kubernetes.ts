import { z } from "zod";
import { kubernetesName } from "./common";

/** Which cluster the stacks talk to, and the namespace Mattermost lives in. */
export const kubernetesSchema = z
  .object({
    /** Namespace for Mattermost. Default `mattermost`. */
    namespace: kubernetesName.default("mattermost"),
    /** kubeconfig file; omitted means the provider's own discovery (KUBE_CONFIG_PATH, in-cluster). */
    configPath: z.string().min(1).optional(),
    /** kubeconfig context to use. */
    configContext: z.string().min(1).optional(),
    /**
     * The namespace exists already (a Helm release's): the storage stack adopts it (import) instead
     * of creating it, and guards it like one it made. Default false; `storage.existingClaim` implies it.
     */
    adoptNamespace: z.boolean().default(false),
  })
  .strict();

export type KubernetesConfig = z.output<typeof kubernetesSchema>;
