import * as ipaddr from "ipaddr.js";
import { METADATA_ADDRESSES } from "./network";

/**
 * The one table of the Mattermost container's environment: which variables carry secrets and which
 * ones an environment key manages. The extraEnv schema and the `secrets-not-literal` policy rule
 * both read it, and a test holds it to what `mattermostSettings()` really sets.
 *
 * Names are compared in upper case, as Mattermost does: `GetEnvironment` upper-cases every variable
 * name before it maps `MM_<SECTION>_<SETTING>` onto the config (mattermost/mattermost,
 * server/config/environment.go, `GetEnvironment` and `applyEnvKey`), so `mm_ldapsettings_bindpassword`
 * sets the LDAP bind password exactly as `MM_LDAPSETTINGS_BINDPASSWORD` does.
 */

/**
 * Settings Mattermost itself treats as secrets: the ones its config sanitizer masks before showing
 * the config (mattermost/mattermost, server/public/model/config.go, `(*Config).Sanitize`).
 */
export const SANITIZED_SETTINGS = [
  "MM_LDAPSETTINGS_BINDPASSWORD",
  "MM_FILESETTINGS_PUBLICLINKSALT",
  "MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY",
  "MM_EMAILSETTINGS_SMTPPASSWORD",
  "MM_GITLABSETTINGS_SECRET",
  "MM_GOOGLESETTINGS_SECRET",
  "MM_OFFICE365SETTINGS_SECRET",
  "MM_OPENIDSETTINGS_SECRET",
  "MM_SQLSETTINGS_DATASOURCE",
  "MM_SQLSETTINGS_ATRESTENCRYPTKEY",
  "MM_ELASTICSEARCHSETTINGS_PASSWORD",
  "MM_SQLSETTINGS_DATASOURCEREPLICAS",
  "MM_SQLSETTINGS_DATASOURCESEARCHREPLICAS",
  "MM_SQLSETTINGS_REPLICALAGSETTINGS",
  "MM_MESSAGEEXPORTSETTINGS_GLOBALRELAYSETTINGS_SMTPPASSWORD",
  "MM_SERVICESETTINGS_SPLITKEY",
  "MM_CACHESETTINGS_REDISPASSWORD",
] as const;

/**
 * Secrets the sanitizer does not list: the DSN Mattermost reads its config from (`MM_CONFIG`), the
 * licence text, every plugin's settings (plugins keep their tokens and keys there), the invite salt
 * (masked by earlier versions' Sanitize) and the export bucket's key.
 */
export const OTHER_SECRET_SETTINGS = [
  "MM_CONFIG",
  "MM_LICENSE",
  "MM_PLUGINSETTINGS_PLUGINS",
  "MM_EMAILSETTINGS_INVITESALT",
  "MM_FILESETTINGS_EXPORTAMAZONS3SECRETACCESSKEY",
] as const;

/** Settings added later that carry secrets by their name (a password, a secret, a salt, a key, a DSN). */
const SECRET_NAME = /(PASSWORD|SECRET|SALT|ENCRYPTKEY|SPLITKEY|PRIVATEKEY|DATASOURCE)/;

/** Whether variable `name` carries a secret (case-insensitive, as Mattermost reads it). */
export function isSecretSetting(name: string): boolean {
  const upper = name.toUpperCase();
  return (SANITIZED_SETTINGS as readonly string[]).includes(upper) || (OTHER_SECRET_SETTINGS as readonly string[]).includes(upper) || SECRET_NAME.test(upper);
}

/**
 * Credentials inside a URL (`scheme://user:password@host`, `scheme://token@host`): a proxy, a
 * replica DSN or a webhook with its password in clear. Returns the URL with the credentials masked.
 */
export function urlWithCredentials(value: string): string | undefined {
  const match = /([a-z][a-z0-9+.-]*:\/\/)([^/\s@?#]+)@/i.exec(value);
  return match ? value.replace(match[0], `${match[1]}***@`) : undefined;
}

/**
 * Variables an environment key (or the stack) manages, and which key: extraEnv may not override
 * them, or the key would lie. A name ending in "_" stands for every setting of that group. The
 * variables the stack fills from a Kubernetes Secret are {@link SECRET_FROM_STACK}.
 */
export const MANAGED_ENV: readonly (readonly [string, string])[] = [
  ["MM_SERVICESETTINGS_SITEURL", "mattermost.siteUrl"],
  ["MM_SERVICESETTINGS_LISTENADDRESS", "the stack (the Service and the probes use 8065)"],
  ["MM_FILESETTINGS_MAXFILESIZE", "mattermost.maxFileSizeMb"],
  ["MM_FILESETTINGS_DRIVERNAME", "storage.kind"],
  ["MM_FILESETTINGS_DIRECTORY", "storage.kind (the claim is mounted there)"],
  ["MM_FILESETTINGS_AMAZONS3BUCKET", "storage (the storage offer)"],
  ["MM_FILESETTINGS_AMAZONS3REGION", "storage (the storage offer)"],
  ["MM_FILESETTINGS_AMAZONS3ENDPOINT", "storage (the storage offer)"],
  ["MM_FILESETTINGS_AMAZONS3PATHPREFIX", "storage (the storage offer)"],
  ["MM_FILESETTINGS_AMAZONS3SSL", "storage (the storage offer)"],
  ["MM_FILESETTINGS_AMAZONS3SSE", "storage.serverSideEncryption"],
  ["MM_FILESETTINGS_AMAZONS3TRACE", "mattermost.debug"],
  ["MM_SQLSETTINGS_DRIVERNAME", "database (always postgres)"],
  ["MM_CLUSTERSETTINGS_ENABLE", "mattermost.clustering"],
  ["MM_CLUSTERSETTINGS_CLUSTERNAME", "mattermost.clustering (the name follows the environment)"],
  ["MM_CLUSTERSETTINGS_USEIPADDRESS", "mattermost.clustering"],
  ["MM_CLUSTERSETTINGS_GOSSIPPORT", "mattermost.clustering (the network policy opens 8074)"],
  ["MM_METRICSSETTINGS_ENABLE", "mattermost.performanceMonitoring"],
  ["MM_METRICSSETTINGS_LISTENADDRESS", "mattermost.performanceMonitoring"],
  ["MM_EMAILSETTINGS_SMTPSERVER", "mattermost.smtp.host"],
  ["MM_EMAILSETTINGS_SMTPPORT", "mattermost.smtp.port"],
  ["MM_EMAILSETTINGS_CONNECTIONSECURITY", "mattermost.smtp.connectionSecurity"],
  ["MM_EMAILSETTINGS_ENABLESMTPAUTH", "mattermost.smtp.user"],
  ["MM_EMAILSETTINGS_SMTPUSERNAME", "mattermost.smtp.user"],
  ["MM_EMAILSETTINGS_FEEDBACKEMAIL", "mattermost.smtp.fromAddress"],
  ["MM_EMAILSETTINGS_REPLYTOADDRESS", "mattermost.smtp.replyToAddress"],
  ["MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS", "mattermost.pushNotificationServer"],
  ["MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER", "mattermost.pushNotificationServer"],
  ["MM_EMAILSETTINGS_PUSHNOTIFICATIONCONTENTS", "mattermost.pushNotificationsIncludeMessageSnippet"],
  ["MM_EMAILSETTINGS_ENABLESIGNINWITHEMAIL", "mattermost.saml.samlOnly"],
  ["MM_EMAILSETTINGS_ENABLESIGNINWITHUSERNAME", "mattermost.saml.samlOnly"],
  ["MM_EMAILSETTINGS_ENABLESIGNUPWITHEMAIL", "mattermost.saml.samlOnly"],
  ["MM_SAMLSETTINGS_", "mattermost.saml"],
  ["MM_PLUGINSETTINGS_ENABLE", "mattermost.plugins"],
  ["MM_PLUGINSETTINGS_PLUGINSTATES", "mattermost.plugins (a Job enables the listed plugins in the config store; the System Console keeps working)"],
  ["MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER", "the ingress (X-Real-IP, set by ingress-nginx)"],
  ["MM_INSTALL_TYPE", "the stack (what the support packet reports)"],
  ["MATTERMOST_CDKTF_CONFIG_REVISION", "the stack (rolls the pods after the config store Jobs)"],
  ["MM_TEAMSETTINGS_MAXUSERSPERTEAM", "mattermost.maxUsersPerTeam"],
  ["MM_TEAMSETTINGS_MAXCHANNELSPERTEAM", "mattermost.maxChannelsPerTeam"],
  ["MM_TEAMSETTINGS_EXPERIMENTALPRIMARYTEAM", "mattermost.primaryTeam"],
  ["MM_IMAGEPROXYSETTINGS_ENABLE", "mattermost.imageProxyEnabled"],
  ["MM_IMAGEPROXYSETTINGS_IMAGEPROXYTYPE", "mattermost.imageProxyEnabled (the built-in proxy)"],
  ["HTTP_PROXY", "mattermost.outboundProxy"],
  ["HTTPS_PROXY", "mattermost.outboundProxy"],
  ["NO_PROXY", "mattermost.outboundProxyExceptions"],
];

/**
 * Settings the stack sets and extraEnv may still set, deliberately: how much Mattermost logs
 * (mattermost.debug sets a default only), and the hosts Mattermost may reach despite its SSRF
 * filter (extraEnv lists them; the stack adds the outbound proxy's host to the list).
 */
export const OVERRIDABLE_ENV = [
  "MM_LOGSETTINGS_ENABLECONSOLE",
  "MM_LOGSETTINGS_CONSOLELEVEL",
  "MM_LOGSETTINGS_ENABLEFILE",
  "MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS",
] as const;

/** Variables the stack fills from a Kubernetes Secret or owns outright (the licence path). */
export const SECRET_FROM_STACK = [
  "MM_CONFIG",
  "MM_LICENSE",
  "MM_SQLSETTINGS_DATASOURCE",
  "MM_SERVICESETTINGS_LICENSEFILELOCATION",
  "MM_FILESETTINGS_AMAZONS3ACCESSKEYID",
  "MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY",
  "MM_EMAILSETTINGS_SMTPPASSWORD",
] as const;

/** The environment key that manages variable `name`, if any (case-insensitive). */
export function managingKey(name: string): string | undefined {
  const upper = name.toUpperCase();
  return MANAGED_ENV.find(([variable]) => (variable.endsWith("_") ? upper.startsWith(variable) : upper === variable))?.[1];
}

/**
 * Mattermost's outgoing proxy variables are read by Go's net/http in either case
 * (golang.org/x/net/http/httpproxy `FromEnvironment`: HTTP_PROXY or http_proxy, ...), so they are
 * compared in upper case too.
 */
export const PROXY_ENV = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"] as const;

/**
 * Mattermost refuses user-triggered requests (link previews, webhooks, slash commands, plugin HTTP)
 * to reserved addresses, link-local included (mattermost/mattermost,
 * server/public/shared/httpservice/client.go, `IsReservedIP`), unless
 * `ServiceSettings.AllowedUntrustedInternalConnections` lists them (hosts, IPs or CIDRs, separated by
 * spaces or commas). An entry that reaches a cloud metadata service would let any user who can post
 * a link read the node's cloud credentials.
 */
export const UNTRUSTED_CONNECTIONS_ENV = "MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS";

/** Host names of metadata services (AWS `instance-data`, GCP `metadata.google.internal`). */
const METADATA_HOSTS = /^(instance-data(\.ec2\.internal)?|metadata(\.google\.internal)?)\.?$/i;

/** The entries of an AllowedUntrustedInternalConnections value that reach a metadata service. */
export function metadataEntries(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .filter((entry) => METADATA_HOSTS.test(entry) || coversMetadata(entry.replace(/^\[(.*)\]$/, "$1")));
}

/** Whether an IP address or a network (host bits allowed, as Go's net.ParseCIDR allows) holds a metadata address. */
function coversMetadata(entry: string): boolean {
  let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    range = entry.includes("/") ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), entry.includes(":") ? 128 : 32];
  } catch {
    return false;
  }
  return METADATA_ADDRESSES.some((cidr) => {
    const [address] = ipaddr.parseCIDR(cidr);
    return address.kind() === range[0].kind() && address.match(range);
  });
}
