import type { MattermostConfig } from "../../config/schema/mattermost";

/** Where Mattermost keeps files, as the storage offer describes them (values may be tokens). */
export type FileStore =
  | { readonly kind: "local" }
  | {
      readonly kind: "s3";
      readonly bucket: string;
      readonly region: string;
      readonly endpoint: string;
      readonly pathPrefix: string;
      readonly ssl: string;
      readonly sse: string;
      /** The pod's IAM role grants access (IRSA): no keys are set at all. */
      readonly irsa: boolean;
    };

/** Keys of the workload's Secret that settings may reference. */
export type SecretKey = "dsn" | "s3-access-key-id" | "s3-secret-access-key" | "smtp-password";

/** A key of another Secret (the licence's, whose name changes with its content). */
export interface SecretRef {
  readonly secretName: string;
  readonly key: string;
}

/** Input of {@link mattermostSettings}. */
export interface MattermostSettingsInput {
  readonly environmentName: string;
  readonly mattermost: MattermostConfig;
  readonly files: FileStore;
  /** The licence's Secret and key; required when `mattermost.licensed`. */
  readonly licence?: SecretRef;
  /**
   * Changes whenever a Job writes into the config store (the plugins, the SAML certificate): the
   * running servers never see such a write (see CONFIG_REVISION_VARIABLE), so the pods must roll.
   */
  readonly configRevision?: string;
}

/** The container's environment: literal values, and variables read from the workload's Secret. */
export interface MattermostSettings {
  /** Name -> value; never a secret. */
  readonly literal: Readonly<Record<string, string>>;
  /** Name -> key of the workload's Secret, or of another Secret (reaches the container through secretKeyRef). */
  readonly fromSecret: Readonly<Partial<Record<string, SecretKey | SecretRef>>>;
}

/** Where Mattermost writes files with the local driver: the storage stack's claim is mounted here. */
export const DATA_DIRECTORY = "/mattermost/data";
export const HTTP_PORT = 8065;
export const METRICS_PORT = 8067;
export const GOSSIP_PORT = 8074;

const UBUNTU_SSO = {
  idpUrl: "https://login.ubuntu.com/saml/",
  idpMetadataUrl: "https://login.ubuntu.com/+saml/metadata",
  idpDescriptorUrl: "https://login.ubuntu.com",
  serviceProviderIdentifier: "https://login.ubuntu.com",
  loginButtonText: "Ubuntu SSO",
  emailAttribute: "email",
  usernameAttribute: "username",
  idAttribute: "openid",
  firstNameAttribute: "fullname",
  lastNameAttribute: "",
  samlOnly: true,
};

/** The file name Mattermost's API stores an uploaded IdP certificate under in its config store. */
export const SAML_IDP_CERTIFICATE = "saml-idp.crt";

/**
 * What the support packet reports as the installation type. Mattermost copies MM_INSTALL_TYPE
 * verbatim into diagnostics.yaml (mattermost/mattermost server/channels/app/platform/
 * support_packet.go, getSupportPacketDiagnostics; "unknown" when unset). It is free text:
 * mattermost-operator sets `kubernetes-operator`, Docker images commonly set `docker`; these stacks
 * are neither, so they say what they are (Kubernetes, deployed with Terraform) without claiming the
 * operator.
 */
export const INSTALL_TYPE = "kubernetes-terraform";

/**
 * The header ingress-nginx sets to the client's address as it sees it (`X-Real-IP $the_real_ip`,
 * kubernetes/ingress-nginx rootfs/etc/nginx/template/nginx.tmpl). Mattermost takes the client
 * address from the first header of ServiceSettings.TrustedProxyIPHeader that is present, else from
 * the TCP peer, the ingress pod (mattermost/mattermost server/channels/utils/utils.go, GetIPAddress).
 * Only the ingress controller reaches port 8065 (the NetworkPolicy), so no client can forge it.
 */
export const TRUSTED_PROXY_HEADER = "X-Real-IP";

/**
 * Not a Mattermost setting (Mattermost reads only MM_* names): its value follows what the Jobs wrote
 * into the config store, so a change rolls the pods. Mattermost reads its config at start and on
 * config events; a write straight into the database raises none (mattermost/mattermost
 * server/config/store.go, Store.Load / Store.Set are the only paths that invoke the listeners).
 */
export const CONFIG_REVISION_VARIABLE = "MATTERMOST_CDKTF_CONFIG_REVISION";

/** Whether the ingress controller is the only client of port 8065 (so its X-Real-IP can be trusted). */
export function ingressOnlyWayIn(mm: { readonly ingressEnabled?: boolean; readonly httpAllowedFrom?: readonly unknown[] }): boolean {
  return mm.ingressEnabled !== false && (mm.httpAllowedFrom ?? []).length === 0;
}

/** The ACS URL Mattermost serves: `/login/sso/saml` under the site URL (which has no path: see the schema). */
export function assertionConsumerServiceUrl(siteUrl: string): string {
  return `${siteUrl.replace(/\/+$/, "")}/login/sso/saml`;
}

/**
 * Every setting of the Mattermost container, from the environment's `mattermost` section and the
 * storage offer. Pure: same input, same output; no construct is made. Order of precedence (as the
 * charm had it): base, feature settings, extraEnv, then the licence path that extraEnv cannot touch.
 */
export function mattermostSettings(input: MattermostSettingsInput): MattermostSettings {
  const mm = input.mattermost;
  const literal: Record<string, string> = {
    MM_SERVICESETTINGS_SITEURL: mm.siteUrl,
    MM_SERVICESETTINGS_LISTENADDRESS: `:${HTTP_PORT}`,
    // When only the ingress controller reaches the pods, take the client's address from its header.
    // Without the Ingress, or with other sources let in (httpAllowedFrom), a client could send the
    // header itself: trust none. An empty value is the list [""] (server/config/environment.go,
    // applyEnvKey: strings.Split), and GetIPAddress then falls back to the TCP peer; a stored list
    // (older releases stored X-Forwarded-For and X-Real-IP) is overridden.
    MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER: ingressOnlyWayIn(mm) ? TRUSTED_PROXY_HEADER : "",
    MM_INSTALL_TYPE: INSTALL_TYPE,
    MM_SQLSETTINGS_DRIVERNAME: "postgres",
    MM_LOGSETTINGS_ENABLECONSOLE: "true",
    MM_LOGSETTINGS_CONSOLELEVEL: mm.debug ? "DEBUG" : "INFO",
    // Pods are cattle: logs go to stdout for the cluster's log collector, not to a file that dies with the pod.
    MM_LOGSETTINGS_ENABLEFILE: "false",
    MM_IMAGEPROXYSETTINGS_ENABLE: String(mm.imageProxyEnabled),
    MM_IMAGEPROXYSETTINGS_IMAGEPROXYTYPE: "local",
    MM_TEAMSETTINGS_MAXUSERSPERTEAM: String(mm.maxUsersPerTeam),
    MM_TEAMSETTINGS_MAXCHANNELSPERTEAM: String(mm.maxChannelsPerTeam),
    // The charm set this only with S3 (LP:1881227); the ingress limit is useless without it.
    MM_FILESETTINGS_MAXFILESIZE: String(mm.maxFileSizeMb * 1048576),
  };
  const fromSecret: Partial<Record<string, SecretKey | SecretRef>> = { MM_CONFIG: "dsn", MM_SQLSETTINGS_DATASOURCE: "dsn" };

  if (input.files.kind === "local") {
    Object.assign(literal, { MM_FILESETTINGS_DRIVERNAME: "local", MM_FILESETTINGS_DIRECTORY: `${DATA_DIRECTORY}/` });
  } else {
    const s3 = input.files;
    Object.assign(literal, {
      MM_FILESETTINGS_DRIVERNAME: "amazons3",
      MM_FILESETTINGS_AMAZONS3BUCKET: s3.bucket,
      MM_FILESETTINGS_AMAZONS3REGION: s3.region,
      MM_FILESETTINGS_AMAZONS3ENDPOINT: s3.endpoint,
      MM_FILESETTINGS_AMAZONS3PATHPREFIX: s3.pathPrefix,
      MM_FILESETTINGS_AMAZONS3SSL: s3.ssl,
      MM_FILESETTINGS_AMAZONS3SSE: s3.sse,
      MM_FILESETTINGS_AMAZONS3TRACE: String(mm.debug),
    });
    // With IRSA the AWS SDK finds the web identity token; empty keys make Mattermost use that chain.
    if (!s3.irsa) Object.assign(fromSecret, { MM_FILESETTINGS_AMAZONS3ACCESSKEYID: "s3-access-key-id", MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY: "s3-secret-access-key" });
  }

  if (mm.primaryTeam) literal.MM_TEAMSETTINGS_EXPERIMENTALPRIMARYTEAM = mm.primaryTeam;

  if (mm.outboundProxy) {
    // The URL with credentials may come from a Secret (envValueFrom HTTP_PROXY / HTTPS_PROXY, any
    // case: config/schema/mattermost.ts, proxyEnvProblem); then the literal gives way to it.
    const fromSecretEnv = new Set(Object.keys(mm.envValueFrom ?? {}).map((name) => name.toUpperCase()));
    for (const name of ["HTTP_PROXY", "HTTPS_PROXY"]) if (!fromSecretEnv.has(name)) literal[name] = mm.outboundProxy;
    if (mm.outboundProxyExceptions.length > 0) literal.NO_PROXY = mm.outboundProxyExceptions.join(",");
  }

  if (mm.clustering) {
    Object.assign(literal, {
      MM_CLUSTERSETTINGS_ENABLE: "true",
      // Unique per environment, so two environments sharing a database server never join one cluster.
      MM_CLUSTERSETTINGS_CLUSTERNAME: `mattermost-${input.environmentName}`,
      MM_CLUSTERSETTINGS_USEIPADDRESS: "true",
      MM_CLUSTERSETTINGS_GOSSIPPORT: String(GOSSIP_PORT),
    });
  }

  if (mm.performanceMonitoring) {
    Object.assign(literal, { MM_METRICSSETTINGS_ENABLE: "true", MM_METRICSSETTINGS_LISTENADDRESS: `:${METRICS_PORT}` });
  }

  if (mm.pushNotificationServer) {
    Object.assign(literal, {
      MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS: "true",
      MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER: mm.pushNotificationServer,
      MM_EMAILSETTINGS_PUSHNOTIFICATIONCONTENTS: mm.pushNotificationsIncludeMessageSnippet ? "full" : "id_loaded",
    });
  }

  if (mm.smtp) {
    const smtp = mm.smtp;
    Object.assign(literal, {
      MM_EMAILSETTINGS_SMTPSERVER: smtp.host,
      MM_EMAILSETTINGS_SMTPPORT: String(smtp.port),
      MM_EMAILSETTINGS_CONNECTIONSECURITY: smtp.connectionSecurity,
      MM_EMAILSETTINGS_ENABLESMTPAUTH: String(smtp.user !== ""),
      MM_EMAILSETTINGS_SMTPUSERNAME: smtp.user,
      MM_EMAILSETTINGS_FEEDBACKEMAIL: smtp.fromAddress,
      MM_EMAILSETTINGS_REPLYTOADDRESS: smtp.replyToAddress,
    });
    if (smtp.user !== "") fromSecret.MM_EMAILSETTINGS_SMTPPASSWORD = "smtp-password";
  }

  if (mm.saml) {
    const saml = mm.saml.preset === "ubuntu-sso" ? { ...UBUNTU_SSO, ...withoutPreset(mm.saml) } : mm.saml;
    Object.assign(literal, {
      MM_SAMLSETTINGS_ENABLE: "true",
      MM_SAMLSETTINGS_VERIFY: "true",
      MM_SAMLSETTINGS_ENCRYPT: "false",
      MM_SAMLSETTINGS_IDPURL: saml.idpUrl ?? "",
      MM_SAMLSETTINGS_IDPDESCRIPTORURL: saml.idpDescriptorUrl ?? "",
      MM_SAMLSETTINGS_IDPMETADATAURL: saml.idpMetadataUrl ?? "",
      MM_SAMLSETTINGS_SERVICEPROVIDERIDENTIFIER: saml.serviceProviderIdentifier ?? mm.siteUrl,
      MM_SAMLSETTINGS_ASSERTIONCONSUMERSERVICEURL: assertionConsumerServiceUrl(mm.siteUrl),
      MM_SAMLSETTINGS_IDPCERTIFICATEFILE: SAML_IDP_CERTIFICATE,
      MM_SAMLSETTINGS_LOGINBUTTONTEXT: saml.loginButtonText ?? "SAML",
      MM_SAMLSETTINGS_EMAILATTRIBUTE: saml.emailAttribute ?? "",
      MM_SAMLSETTINGS_USERNAMEATTRIBUTE: saml.usernameAttribute ?? "",
      MM_SAMLSETTINGS_IDATTRIBUTE: saml.idAttribute ?? "",
      MM_SAMLSETTINGS_FIRSTNAMEATTRIBUTE: saml.firstNameAttribute ?? "",
      MM_SAMLSETTINGS_LASTNAMEATTRIBUTE: saml.lastNameAttribute ?? "",
    });
    if (saml.samlOnly) {
      Object.assign(literal, {
        MM_EMAILSETTINGS_ENABLESIGNINWITHEMAIL: "false",
        MM_EMAILSETTINGS_ENABLESIGNINWITHUSERNAME: "false",
        MM_EMAILSETTINGS_ENABLESIGNUPWITHEMAIL: "false",
      });
    }
  }

  // mattermost.plugins sets no variable: an environment override of PluginStates replaces the whole
  // map (mattermost/mattermost server/config/environment.go, applyEnvKey, reflect.Map case) and is
  // re-applied on every save (Store.Set), which would switch off every prepackaged plugin and pin the
  // System Console. The PluginStatesJob enables the listed plugins in the config store instead.

  // Applied last so it can override any literal above; the schema keeps it off the secret-carrying names.
  Object.assign(literal, mm.extraEnv);

  if (mm.outboundProxy) {
    // Mattermost's client for untrusted URLs dials through the proxy with its filtering dialer, which
    // refuses reserved (private) addresses, the proxy's included, unless the host is listed in
    // AllowedUntrustedInternalConnections (mattermost/mattermost server/platform/shared/httpservice/
    // client.go, dialContextFilter: allowHost(host) is asked before the name is resolved;
    // httpservice.go, MakeTransport). The proxy's host is listed (host only, never a network), after
    // whatever extraEnv lists.
    const name = Object.keys(literal).find((n) => n.toUpperCase() === "MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS") ?? "MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS";
    const host = new URL(mm.outboundProxy).hostname.replace(/^\[(.*)\]$/, "$1");
    const listed = (literal[name] ?? "").split(/[\s,]+/).filter((entry) => entry !== "");
    literal[name] = [...listed, ...(listed.includes(host) ? [] : [host])].join(" ");
  }

  if (input.configRevision) literal[CONFIG_REVISION_VARIABLE] = input.configRevision;

  if (mm.licensed) {
    if (!input.licence) throw new Error("mattermostSettings: licence is required when mattermost.licensed is true");
    // MM_LICENSE overrides every other source and is read at every start; the licence file is read
    // only while the database holds no active licence, so a renewed file would be ignored
    // (mattermost/mattermost server/channels/app/platform/license.go, PlatformService.LoadLicense).
    fromSecret.MM_LICENSE = input.licence;
  }
  return { literal, fromSecret };
}

function withoutPreset<T extends { preset?: unknown }>(saml: T): Omit<T, "preset"> {
  const { preset: _preset, ...rest } = saml;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Omit<T, "preset">;
}
