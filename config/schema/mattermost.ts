import { z } from "zod";
import { cidr, kubernetesName, port, urlWithScheme } from "./common";

/** Outgoing mail; the password is the sensitive variable `smtp_password`. */
export const smtpSchema = z
  .object({
    host: z.string().min(1, "name the SMTP server"),
    port: port.default(587),
    user: z.string().default(""),
    connectionSecurity: z.enum(["", "TLS", "STARTTLS"], { message: 'must be "", TLS or STARTTLS' }).default("STARTTLS"),
    fromAddress: z.email("must be an e-mail address"),
    replyToAddress: z.union([z.literal(""), z.email("must be an e-mail address or empty")]).default(""),
  })
  .strict();

/** SAML single sign-on: a preset (`ubuntu-sso`) or a generic identity provider. */
export const samlSchema = z
  .object({
    preset: z.enum(["ubuntu-sso"], { message: "must be ubuntu-sso (or leave it out for a generic IdP)" }).optional(),
    idpUrl: urlWithScheme("https").optional(),
    idpMetadataUrl: urlWithScheme("https").optional(),
    idpDescriptorUrl: z.string().min(1).optional(),
    serviceProviderIdentifier: z.string().min(1).optional(),
    loginButtonText: z.string().optional(),
    /** Kubernetes Secret (key `certificate`) holding the IdP's certificate. */
    idpCertificateSecretName: kubernetesName,
  })
  .strict();

const settingValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** The Mattermost workload and its settings. */
export const mattermostSchema = z
  .object({
    /** Image reference (charm: mattermost_image_path). */
    image: z
      .string()
      .regex(
        /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
        "must be an image reference such as mattermost/mattermost-team-edition:10.11.4",
      ),
    /** Public URL (charm: site_url); https turns TLS on at the ingress. */
    siteUrl: urlWithScheme("http", "https"),
    tlsSecretName: kubernetesName.optional(),
    ingressClassName: kubernetesName.optional(),
    ingressAllowedSourceRanges: z.array(cidr).default([]),
    maxFileSizeMb: z.number().int().min(1).max(10240).default(100),
    replicas: z.number().int().min(1).max(100).default(1),
    clustering: z.boolean().default(false),
    licensed: z.boolean().default(false),
    performanceMonitoring: z.boolean().default(false),
    pushNotificationServer: urlWithScheme("http", "https").optional(),
    pushNotificationsIncludeMessageSnippet: z.boolean().default(false),
    smtp: smtpSchema.optional(),
    saml: samlSchema.optional(),
    outboundProxy: urlWithScheme("http", "https").optional(),
    outboundProxyExceptions: z.array(z.string().min(1)).default([]),
    imageProxyEnabled: z.boolean().default(false),
    primaryTeam: z.string().default(""),
    maxUsersPerTeam: z.number().int().min(1).default(1000),
    maxChannelsPerTeam: z.number().int().min(1).default(3000),
    debug: z.boolean().default(false),
    extraEnv: z.record(z.string(), settingValue).default({}),
  })
  .strict();

export type MattermostConfig = z.output<typeof mattermostSchema>;
