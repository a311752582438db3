import { z } from "zod";
import { crossField, EVEN_AFTER_FIELD_ERRORS } from "./cross-field";
import { cidr, imageReference, kubernetesName, port, urlWithScheme } from "./common";
import { isSecretSetting, managingKey, metadataEntries, SECRET_FROM_STACK, UNTRUSTED_CONNECTIONS_ENV, urlWithCredentials } from "./mattermost-env";
import { podKeyChecks, podKeys, PodKeysConfig } from "./pod";

/**
 * The psql image of the Jobs that write into Mattermost's config store (they receive the database
 * owner's connection string), pinned by digest: a tag can be re-pushed, a digest cannot. The digest
 * is the multi-platform index (`application/vnd.oci.image.index.v1+json`, 16 platforms) that
 * Docker's official-images bot recorded for `postgres:17.11-alpine` (built 17 Sep 2026 on Alpine
 * 3.24.2): docker-library/repo-info, `repos/postgres/remote/17.11-alpine.md`, commit
 * 14ad5cc17dd0e9a01079feefc7a59c24536f5291. The earlier default, 17.6-alpine, is not in the copy
 * of repo-info this was checked against, so its digest could not be verified and was replaced.
 * Renew: read that file's newest version (or `docker buildx imagetools inspect postgres:<tag>`,
 * the "Digest" line) and update docs/security.md.
 */
export const PSQL_IMAGE = "postgres:17.11-alpine@sha256:b0f9560a2de083e2cc7382e75f808c7381a32852a7ec49117deedb300e552b24";

/** Outgoing mail; the password is the sensitive variable `smtp_password`. */
export const smtpSchema = z
  .object({
    host: z.string().min(1, "name the SMTP server"),
    port: port.default(587),
    /** Login; when set, SMTP auth is on and the password comes from the variable `smtp_password`. */
    user: z.string().default(""),
    connectionSecurity: z.enum(["", "TLS", "STARTTLS"], { message: 'must be "", TLS or STARTTLS' }).default("STARTTLS"),
    fromAddress: z.email("must be an e-mail address"),
    replyToAddress: z.union([z.literal(""), z.email("must be an e-mail address or empty")]).default(""),
  })
  .strict();

/**
 * SAML single sign-on: `preset: ubuntu-sso` (what the charm's `sso` option hard-coded) or a generic
 * identity provider. Mattermost reads the IdP certificate from its database-backed config store,
 * never from the pod's file system: with `idpCertificateSecretName` a Job copies it there from a
 * Secret; without it, upload it once through the System Console (see docs/app.md).
 */
export const samlSchema = z
  .object({
    preset: z.enum(["ubuntu-sso"], { message: "must be ubuntu-sso (or leave it out for a generic IdP)" }).optional(),
    idpUrl: urlWithScheme("https").optional(),
    idpMetadataUrl: urlWithScheme("https").optional(),
    /**
     * The IdP's issuer (entity id). Mattermost refuses the whole configuration, at start and in
     * `mattermost db migrate`, unless it is an http(s) URL: mattermost/mattermost
     * server/public/model/config.go, (*SamlSettings).isValid, IsValidHTTPURL(IdpDescriptorURL).
     */
    idpDescriptorUrl: urlWithScheme("http", "https").optional(),
    serviceProviderIdentifier: z.string().min(1).optional(),
    loginButtonText: z.string().min(1).optional(),
    emailAttribute: z.string().min(1).optional(),
    usernameAttribute: z.string().min(1).optional(),
    idAttribute: z.string().min(1).optional(),
    firstNameAttribute: z.string().optional(),
    lastNameAttribute: z.string().optional(),
    /** Turn off e-mail/username sign-in so SAML is the only way in. Default: on with the preset. */
    samlOnly: z.boolean().optional(),
    /**
     * The IdP's PEM certificate itself (it is public: IdPs publish it in their metadata). The stack
     * keeps it in a ConfigMap, so nothing has to exist before the first deploy.
     */
    idpCertificate: z
      .string()
      .regex(/^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/, "must be a PEM certificate: -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- (use a YAML block scalar: idpCertificate: |)")
      .optional(),
    /**
     * Or an existing Secret in the namespace that holds only the key `certificate` (the IdP's PEM
     * certificate). The stack reads it at plan; see docs/app.md for the first deploy.
     */
    idpCertificateSecretName: kubernetesName.optional(),
    /** psql image of the Job that copies the certificate into the config store. */
    certificateUploaderImage: imageReference.default(PSQL_IMAGE),
  })
  .strict();

/** Private registry the image is pulled from; the password is the sensitive variable `registry_password`. */
const REGISTRY_HOST = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?$/;

export const registrySchema = z
  .object({
    server: z.string().regex(REGISTRY_HOST, "must be a registry host such as registry.example.com or ghcr.io"),
    username: z.string().min(1, "name the registry user"),
  })
  .strict();

const cpuQuantity = z.string().regex(/^\d+(\.\d+)?m?$/, "must be a CPU quantity such as 500m or 2");
const memoryQuantity = z.string().regex(/^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, "must be a memory quantity such as 512Mi or 4Gi");
const computeResources = z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict();

/** Container requests and limits. */
export const resourcesSchema = z
  .object({
    requests: computeResources.prefault({ cpu: "250m", memory: "512Mi" }),
    limits: computeResources.prefault({ cpu: "2", memory: "4Gi" }),
  })
  .strict();

/**
 * Variables the stack sets from secrets or owns outright: extraEnv may not replace them, or a
 * secret would end up as a literal value in the Deployment.
 */
export const RESERVED_ENV = SECRET_FROM_STACK;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const settingValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/**
 * Names and values extraEnv may not hold, all from the one table of config/schema/mattermost-env.ts:
 * what the stack fills from a Secret, any other secret-carrying setting (a literal would sit in the
 * Deployment, the plan and the state), what a key manages, and a URL with credentials in it.
 */
const extraEnvSchema = z.record(z.string(), settingValue).superRefine((env, ctx) => {
  for (const [name, value] of Object.entries(env)) {
    const problem = (message: string) => ctx.addIssue({ code: "custom", path: [name], message });
    if (!ENV_NAME.test(name)) {
      problem("is not an environment variable name; use letters, digits and '_', not starting with a digit (e.g. MM_SERVICESETTINGS_ENABLELOCALMODE)");
    } else if ((RESERVED_ENV as readonly string[]).includes(name.toUpperCase())) {
      problem("carries or locates a secret and is set by the stack from a Kubernetes Secret; remove it from extraEnv (database, storage and licence come from the offers and the variable mattermost_licence, the SMTP password from smtp_password)");
    } else if (isSecretSetting(name)) {
      problem(
        "carries a secret (Mattermost masks it in its config), and extraEnv values are literal: it would sit in clear in the Deployment, the plan and the state; remove it from extraEnv and give it from a Secret with envValueFrom (e.g. envValueFrom: { NAME: { secretKeyRef: { name: my-secret, key: value } } }), or set it once in the System Console, which keeps it in the database-backed config",
      );
    } else if (managingKey(name)) {
      problem(`is managed by ${managingKey(name)}; set that key instead of overriding it in extraEnv`);
    } else if (name.toUpperCase() === UNTRUSTED_CONNECTIONS_ENV && metadataEntries(value).length > 0) {
      problem(
        `lets Mattermost connect to the cloud metadata service (${metadataEntries(value).join(", ")}), where any user who can post a link could read the node's cloud credentials; remove those entries`,
      );
    } else if (urlWithCredentials(value)) {
      problem(`holds a URL with credentials (${urlWithCredentials(value)}), which would sit in clear in the Deployment, the plan and the state; remove the user and password from the URL`);
    }
  }
});

/** The variables Go reads the proxy's URL from (golang.org/x/net/http/httpproxy, FromEnvironment; upper case first, then lower). */
const PROXY_URL_ENV = ["HTTP_PROXY", "HTTPS_PROXY"];

/**
 * The refusal of `mattermost.outboundProxy` with credentials in it, and the way out: the URL
 * without them in the file, the URL with them from a Secret. Mattermost's outgoing requests and the
 * S3 client both take the proxy from HTTP_PROXY/HTTPS_PROXY (mattermost/mattermost
 * server/public/shared/httpservice/client.go, getProxyFn: httpproxy.FromEnvironment; minio/minio-go
 * transport.go, DefaultTransport: http.ProxyFromEnvironment) and send the URL's user and password
 * as Proxy-Authorization (Go net/http transport.go, (*connectMethod).proxyAuth).
 */
function proxyCredentialsMessage(value: string, masked: string): string {
  // The URL as written minus its credentials (the masked form when it does not parse: the scheme check has the rest).
  const bare = parseUrl(value);
  if (bare) bare.username = bare.password = "";
  const withoutCredentials = !bare ? masked.replace("***@", "") : bare.pathname === "/" && !value.endsWith("/") ? bare.toString().replace(/\/$/, "") : bare.toString();
  return (
    `holds credentials (${masked}), which would sit in clear in the Deployment, the plan and the state; write it without them ` +
    `(outboundProxy: ${withoutCredentials}) and give the URL with credentials from a Secret: ` +
    `envValueFrom: { HTTP_PROXY: { secretKeyRef: { name: <secret>, key: <key> } }, HTTPS_PROXY: { secretKeyRef: { name: <secret>, key: <key> } } } ` +
    `(e.g. kubectl -n <namespace> create secret generic <secret> --from-literal=<key>=http://user:password@host:port)`
  );
}

/**
 * Why envValueFrom may not give `name`: the proxy variables only beside `mattermost.outboundProxy`
 * (which names the proxy for the network policy and Mattermost's filtering dialer, and whose literal
 * they then replace: constructs/app/mattermost-settings.ts), every other name as {@link envNameProblem}.
 */
export function proxyEnvProblem(mm: { readonly outboundProxy?: string }, name: string): string | undefined {
  if (!PROXY_URL_ENV.includes(name.toUpperCase())) return envNameProblem(name);
  if (mm.outboundProxy) return undefined;
  return "gives the outbound proxy's URL, but mattermost.outboundProxy does not name the proxy; set mattermost.outboundProxy to its URL without credentials (e.g. http://proxy.example.com:3128), which opens the network policy to it and lets Mattermost's own requests through it, and keep the URL with credentials here";
}

/**
 * Why a variable read from a Secret or ConfigMap (envValueFrom) may not be set, or undefined when it
 * may: not a variable name, set by the stack from its own Secret, or managed by a key. A secret
 * setting is welcome here: its value stays in the user's Secret, never in the Deployment.
 */
export function envNameProblem(name: string): string | undefined {
  if (!ENV_NAME.test(name)) return "is not an environment variable name; use letters, digits and '_', not starting with a digit (e.g. MM_SERVICESETTINGS_ENABLELOCALMODE)";
  if ((RESERVED_ENV as readonly string[]).includes(name.toUpperCase())) {
    return "carries or locates a secret and is set by the stack from a Kubernetes Secret; remove it from extraEnv (database, storage and licence come from the offers and the variable mattermost_licence, the SMTP password from smtp_password)";
  }
  const key = managingKey(name);
  return key ? `is managed by ${key}; set that key instead of overriding it in extraEnv` : undefined;
}

/** Mattermost's editions: Team Edition is built without the enterprise code and never uses a licence. */
export type Edition = "team" | "enterprise";

/**
 * Repository names (the last path segment, before the tag) that tell the edition: the official
 * images on Docker Hub, and image/build.sh's default tag `mattermost-<edition>:<version>`.
 */
const EDITION_BY_REPOSITORY: Readonly<Record<string, Edition>> = {
  "mattermost-team-edition": "team",
  "mattermost-team": "team",
  "mattermost-enterprise-edition": "enterprise",
  "mattermost-enterprise": "enterprise",
};

/** The edition an image reference's repository name tells, or undefined when the name tells none. */
export function imageEdition(image: string): Edition | undefined {
  const withoutDigest = image.split("@")[0];
  const lastSegment = withoutDigest.split("/").pop() ?? "";
  const repository = lastSegment.split(":")[0];
  return EDITION_BY_REPOSITORY[repository];
}


/** The Mattermost workload and its settings. */
export const mattermostSchema = z
  .object({
    /** Image reference (charm: mattermost_image_path). */
    image: imageReference,
    /**
     * `team` or `enterprise`. Default: what the image's repository name tells (see imageEdition).
     * Set it when the name tells nothing (a custom `--tag`); without either, nothing is checked.
     */
    edition: z.enum(["team", "enterprise"], { message: "must be team or enterprise" }).optional(),
    /** Private registry (charm: mattermost_image_username / _password). */
    registry: registrySchema.optional(),
    /** Public URL (charm: site_url); https turns TLS on at the ingress. */
    siteUrl: urlWithScheme("http", "https"),
    tlsSecretName: kubernetesName.optional(),
    /** cert-manager ClusterIssuer that fills tlsSecretName. */
    certManagerClusterIssuer: kubernetesName.optional(),
    ingressClassName: kubernetesName.optional(),
    ingressAllowedSourceRanges: z.array(cidr).default([]),
    /** Namespace of the ingress controller: the only one let in on 8065. */
    ingressControllerNamespace: kubernetesName.default("ingress-nginx"),
    /** Namespace of Prometheus: the only one let in on 8067 when performanceMonitoring is on. */
    metricsNamespace: kubernetesName.default("monitoring"),
    maxFileSizeMb: z.number().int().min(1).max(10240).default(100),
    replicas: z.number().int().min(1).max(100).default(1),
    resources: resourcesSchema.prefault({}),
    clustering: z.boolean().default(false),
    licensed: z.boolean().default(false),
    performanceMonitoring: z.boolean().default(false),
    pushNotificationServer: urlWithScheme("http", "https").optional(),
    pushNotificationsIncludeMessageSnippet: z.boolean().default(false),
    smtp: smtpSchema.optional(),
    saml: samlSchema.optional(),
    /**
     * The outbound proxy's URL, without credentials: it becomes HTTP_PROXY and HTTPS_PROXY, opens the
     * network policy to the proxy's port and is listed in AllowedUntrustedInternalConnections. A
     * proxy that wants a password: the URL with credentials comes from a Secret through
     * `envValueFrom` HTTP_PROXY and HTTPS_PROXY (see {@link proxyEnvProblem}).
     */
    outboundProxy: urlWithScheme("http", "https")
      .superRefine((value, ctx) => {
        const masked = urlWithCredentials(value);
        if (masked) ctx.addIssue({ code: "custom", message: proxyCredentialsMessage(value, masked) });
      })
      .optional(),
    outboundProxyExceptions: z.array(z.string().min(1)).default([]),
    imageProxyEnabled: z.boolean().default(false),
    primaryTeam: z.string().default(""),
    maxUsersPerTeam: z.number().int().min(1).default(1000),
    maxChannelsPerTeam: z.number().int().min(1).default(3000),
    /** Plugin ids to enable (bundled in the image or uploaded); a Job enables them in the config store. */
    plugins: z.array(z.string().regex(/^[a-zA-Z0-9._-]+$/, "must be a plugin id such as com.github.matterpoll.matterpoll")).default([]),
    /** psql image of the Job that enables `plugins` in the config store. */
    configJobImage: imageReference.default(PSQL_IMAGE),
    debug: z.boolean().default(false),
    extraEnv: extraEnvSchema.default({}),
    /**
     * The licence is in a Secret that exists in `kubernetes.namespace` (made by hand, or kept from a
     * Helm release): the pods read `MM_LICENSE` from its `key`, and the variable mattermost_licence
     * is not used. Needs `licensed: true`.
     */
    licenceSecret: z
      .object({
        name: kubernetesName,
        /** The Secret's key that holds the licence file's contents. */
        key: z.string().regex(/^[-._a-zA-Z0-9]+$/, "must be a Secret key such as license or mattermost.mattermost-license"),
      })
      .strict()
      .optional(),
    /** Pull Secrets that exist in `kubernetes.namespace` (kubernetes.io/dockerconfigjson), for every pod and Job. */
    imagePullSecrets: z.array(kubernetesName).default([]),
    // Scheduling, extra volumes and containers, env from Secrets, Service, Ingress, autoscaler, ServiceMonitor (pod.ts).
    ...podKeys,
  })
  .strict()
  // Independent checks (crossField): each runs even when other keys failed.
  .superRefine(crossField((mm, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (mm.certManagerClusterIssuer && !mm.tlsSecretName) {
      problem(["certManagerClusterIssuer"], "needs tlsSecretName: cert-manager writes the certificate into that Secret; add tlsSecretName");
    }
  }, (mm, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (mm.registry && REGISTRY_HOST.test(mm.registry.server) && !mm.image.startsWith(`${mm.registry.server}/`)) {
      problem(["registry", "server"], `is ${mm.registry.server} but image "${mm.image}" is pulled from elsewhere, so the pull secret would never be used; write the image as ${mm.registry.server}/<repository>:<tag> or remove registry`);
    }
  }, (mm, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const site = parseUrl(mm.siteUrl);
    if (site && (site.pathname !== "/" || site.search || site.hash)) {
      problem(
        ["siteUrl"],
        `has a path, query or fragment ("${mm.siteUrl}"): the stack serves Mattermost at the root of its host (the Ingress path, the probes and the SAML assertion consumer URL are all under /); use ${site.protocol}//${site.host} and give Mattermost a host of its own`,
      );
    }
  }, (mm, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const named = imageEdition(mm.image);
    if (mm.edition && named && mm.edition !== named) {
      problem(["edition"], `is ${mm.edition} but image "${mm.image}" is the ${named} edition; fix the image or remove edition`);
    }
    if ((mm.edition ?? named) === "team") {
      const licensedKeys = ([
        ["licensed", mm.licensed],
        ["clustering", mm.clustering],
        ["performanceMonitoring", mm.performanceMonitoring],
        ["saml", mm.saml !== undefined],
      ] as const).filter(([, used]) => used).map(([key]) => `mattermost.${key}`);
      if (licensedKeys.length > 0) {
        problem(
          ["image"],
          `"${mm.image}" is Team Edition, which cannot use a licence, so ${licensedKeys.join(", ")} cannot work; use an Enterprise Edition image (e.g. mattermost/mattermost-enterprise-edition:<version>, or image/build.sh --edition enterprise) or remove ${licensedKeys.join(", ")}`,
        );
      }
    }
  }, (mm, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (mm.saml) {
      if (!mm.siteUrl.startsWith("https://")) problem(["saml"], `needs an https:// siteUrl: identity providers post assertions to https only (got "${mm.siteUrl}")`);
      if (mm.saml.idpCertificate && mm.saml.idpCertificateSecretName) {
        problem(["saml", "idpCertificateSecretName"], "is set together with saml.idpCertificate, and both give the IdP certificate; keep one of them");
      }
      if (!mm.saml.preset) {
        for (const key of ["idpUrl", "idpDescriptorUrl", "emailAttribute", "usernameAttribute"] as const) {
          if (!mm.saml[key]) problem(["saml", key], "is required for a generic identity provider (or use preset: ubuntu-sso)");
        }
      }
    }
    if (mm.licenceSecret && !mm.licensed) {
      problem(["licenceSecret"], `names the Secret ${mm.licenceSecret.name} with the licence, but licensed is false, so it would never be read; set mattermost.licensed: true or remove licenceSecret`);
    }
  }, (mm, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (mm.outboundProxyExceptions.length > 0 && !mm.outboundProxy) {
      problem(["outboundProxyExceptions"], "has no effect without outboundProxy; set outboundProxy or remove it");
    }
  },
  // The pod options' checks (config/schema/pod.ts), on their own: they run even when a key above failed.
  (mm, ctx) => podKeyChecks((name) => proxyEnvProblem(mm, name))(mm, ctx as unknown as z.core.$RefinementCtx<PodKeysConfig>)), EVEN_AFTER_FIELD_ERRORS);

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

export type MattermostConfig = z.output<typeof mattermostSchema>;
export type MattermostInput = z.input<typeof mattermostSchema>;
