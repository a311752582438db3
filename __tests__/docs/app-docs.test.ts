import * as fs from "fs";
import * as path from "path";
import { mattermostSchema } from "../../config/schema/mattermost";
import { PROJECT_ROOT } from "../support/synth";

/** Every option of the charm's config.yaml (legacy branch), and its one action. */
const CHARM_OPTIONS = [
  "clustering", "debug", "extra_env", "image_proxy_enabled", "ingress_whitelist_source_range", "licence",
  "mattermost_image_path", "mattermost_image_username", "mattermost_image_password", "max_channels_per_team",
  "max_users_per_team", "outbound_proxy", "outbound_proxy_exceptions", "performance_monitoring_enabled",
  "primary_team", "push_notification_server", "push_notifications_include_message_snippet", "site_url",
  "tls_secret_name", "max_file_size", "s3_enabled", "s3_endpoint", "s3_bucket", "s3_region", "s3_access_key_id",
  "s3_secret_access_key", "s3_server_side_encryption", "smtp_connection_security", "smtp_from_address", "smtp_host",
  "smtp_password", "smtp_user", "smtp_port", "smtp_reply_to_address", "sso", "use_canonical_defaults",
  "use_experimental_saml_library", "grant-admin-role",
];

describe("docs/app.md", () => {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "app.md"), "utf8");
  const table = doc.slice(doc.indexOf("## The charm's options and their keys"));

  test.each(CHARM_OPTIONS.map((o) => [o]))("the charm option table has a row for %s", (option) => {
    expect(table).toMatch(new RegExp(`^\\| (action )?\`${option}\` \\|`, "m"));
  });

  test("names the grant-admin-role command and the push notification caveats", () => {
    expect(doc).toContain("mmctl --local roles system-admin");
    expect(doc).toMatch(/hosted push service[\s\S]*licence/);
    expect(doc).toMatch(/self-hosted `mattermost-push-proxy` only works with mobile apps that you build and\s+sign yourself/);
  });

  test("every key of the mattermost section has a row in the keys table", () => {
    const section = doc.slice(doc.indexOf("## Keys"), doc.indexOf("## Editions"));
    const firstCells = section.split("\n").filter((line) => line.startsWith("| ")).map((line) => line.split("|")[1]);
    for (const key of Object.keys(mattermostSchema.shape)) {
      expect([key, firstCells.some((cell) => cell.includes(`\`${key}\``))]).toEqual([key, true]);
    }
  });

  test.each([
    ["the licence as MM_LICENSE, read at every start", "server/channels/app/platform/license.go", "PlatformService.LoadLicense"],
    ["a map override replaces the whole map", "server/config/environment.go", "applyEnvKey"],
    ["the plugins Job saves the way Mattermost saves", "server/config/database.go", "DatabaseStore.persist"],
    ["the SAML issuer must be an http(s) URL", "server/public/model/config.go", "(*SamlSettings).isValid"],
    ["SAML is configured at start and on config events", "server/channels/app/enterprise.go", "initEnterprise"],
    ["the Secret data source returns null for a missing Secret", "kubernetes/data_source_kubernetes_secret_v1.go", "dataSourceKubernetesSecretV1Read"],
    ["the client address from the trusted header", "server/channels/utils/utils.go", "GetIPAddress"],
    ["the untrusted-URL client refuses private addresses, the proxy's included", "server/public/shared/httpservice/client.go", "dialContextFilter"],
    ["the support packet's installation type", "server/channels/app/platform/support_packet.go", "getSupportPacketDiagnostics"],
    ["Team Edition expects no licence", "server/channels/app/server.go", "doLicenseExpirationCheck"],
    ["Calls' RTC port", "mattermost/mattermost-plugin-calls `server/configuration.go`", "SetDefaults"],
  ])("cites the upstream source it rests on: %s", (_claim, file, fn) => {
    expect(doc).toContain(file);
    expect(doc).toContain(fn);
  });

  test("says what the stack does not do for Calls, and what to do instead", () => {
    expect(doc).toMatch(/does \*\*not\*\*\s+expose that port/);
    expect(doc).toMatch(/rtcd/);
  });
});

describe("docs/app.md, the pod options for Helm users", () => {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "app.md"), "utf8");

  test.each([
    ["the Prometheus Operator ignores prometheus.io annotations", "charts/kube-prometheus-stack/README.md", "prometheus.io/scrape"],
    ["kube-prometheus-stack selects ServiceMonitors by its release", "charts/kube-prometheus-stack/values.yaml", "serviceMonitorSelectorNilUsesHelmValues"],
    ["kubernetes_manifest needs the cluster at plan time", "docs/resources/manifest.md", "Before you use this"],
    ["the provider replaces the Deployment's whole spec on update", "kubernetes/resource_kubernetes_deployment_v1.go", "resourceKubernetesDeploymentV1Update"],
    ["env wins over envFrom", "core/v1 `Container.envFrom`", "Values defined by an Env with a duplicate key will take precedence"],
    ["an empty header list makes Mattermost take the TCP peer", "server/config/environment.go", "GetIPAddress"],
  ])("cites the upstream source it rests on: %s", (_claim, where, what) => {
    expect(doc).toContain(where);
    expect(doc.replace(/\s+/g, " ")).toContain(what);
  });
});

describe("docs/app.md, the sources of its Mattermost, Kubernetes, provider and AWS claims", () => {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "app.md"), "utf8").replace(/\s+/g, " ");

  test.each([
    ["Mattermost has no Kubernetes client", "mattermost/mattermost `server/go.mod`", "requires none"],
    ["MM_CONFIG is the configuration source", "server/cmd/mattermost/commands/utils.go", "getConfigDSN"],
    ["a database DSN opens the database store", "server/config/store.go", "NewStoreFromDSN"],
    ["environment overrides win and are locked in the System Console", "Store.GetEnvironmentOverrides", "Store.Load"],
    ["console logs go to stdout", "server/config/logger.go", "makeSimpleConsoleTarget"],
    ["id_loaded needs the licence", "server/channels/app/notification_push.go", "BuildPushNotificationMessage"],
    ["the hosted push service needs the licence", "server/channels/app/notification.go", "canSendPushNotifications"],
    ["the SAML ACS route", "server/channels/web/saml.go", "InitSaml"],
    ["the IdP certificate lives in the config store", "server/channels/app/saml.go", "AddSamlIdpCertificate"],
    ["the database store keeps files in a table", "server/config/database.go", "DatabaseStore.SetFile"],
    ["the IdP certificate API's form field", "server/channels/api4/saml.go", "addSamlIdpCertificate"],
    ["local mode's socket", "server/public/model/config.go", "LocalModeSocketPath"],
    ["mmctl's system-admin command", "server/cmd/mmctl/commands/roles.go", "RolesSystemAdminCmd"],
    ["the old server CLI's system_admin command", "mattermost/mattermost-server `cmd/mattermost/commands/roles.go`", "MakeSystemAdminCmd"],
    ["S3 without keys uses the IAM chain", "server/platform/shared/filestore/s3store.go", "credentials.NewIAM"],
    ["the web identity exchange", "pkg/credentials/iam_aws.go", "(*IAM).Retrieve"],
    ["EKS injects the web identity token", "https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html", "AWS_WEB_IDENTITY_TOKEN_FILE"],
    ["the operator's install type", "mattermost/mattermost-operator `pkg/mattermost/env_var.go`", "generalMattermostEnvVars"],
    ["Calls maps MM_CALLS_ variables onto its settings", "`server/environment.go`, `applyEnvOverrides`", "MM_CALLS_RTCD_SERVICE_URL"],
    ["rtcd needs the licence", "server/activate.go", "RTCDAllowed"],
    ["the migration command", "server/cmd/mattermost/commands/db.go", "migrateCmdF"],
    ["a failed Job's error", "kubernetes/resource_kubernetes_job_v1.go", "retryUntilJobV1IsFinished"],
    ["fsGroupChangePolicy OnRootMismatch", "content/en/docs/tasks/configure-pod-container/security-context.md", "OnRootMismatch"],
    ["ScheduleAnyway only ranks nodes", "content/en/docs/concepts/scheduling-eviction/topology-spread-constraints.md", "ScheduleAnyway"],
    ["restricted forbids hostPort", "content/en/docs/concepts/security/pod-security-standards.md", "Host Ports"],
    ["a taint keeps pods without the toleration off the node", "content/en/docs/concepts/scheduling-eviction/taint-and-toleration.md", "NoSchedule"],
    ["the autoscaler needs the metrics API", "content/en/docs/tasks/run-application/horizontal-pod-autoscale.md", "metrics.k8s.io"],
    ["ingress-nginx's default certificate", "kubernetes/ingress-nginx `docs/user-guide/tls.md`", "Default SSL Certificate"],
    ["cert-manager fills the tls secretName", "https://cert-manager.io/docs/usage/ingress/", "secretName"],
    ["PostgreSQL keeps one password per role", "catalog-pg-authid.html", "rolpassword"],
    ["the push services and the licence", "https://docs.mattermost.com/deploy/mobile-hpns.html", "TPNS"],
    ["the metrics server's address", "server/channels/app/platform/metrics.go", "startMetricsServer"],
    ["the usual annotation scrape config", "charts/prometheus/values.yaml", "kubernetes-pods"],
    ["a Job's deadline covers its retries", "content/en/docs/concepts/workloads/controllers/job.md", "no matter how many Pods are created"],
    ["the S3 client takes the proxy from the environment", "minio/minio-go `transport.go`", "http.ProxyFromEnvironment"],
    ["Calls is on by default", "`PluginSettings.SetDefaults`", "The prepackaged Calls plugin is on by default"],
  ])("cites the source it rests on: %s", (_claim, where, what) => {
    expect(doc).toContain(where);
    expect(doc).toContain(what);
  });

  test("says egress is restricted (it is: the NetworkPolicy has an Egress policy type)", () => {
    expect(doc).toContain("**Egress is restricted**");
    expect(doc).not.toContain("Egress is not restricted");
  });

  test("no longer says finished Jobs are removed after a day (they carry no TTL)", () => {
    expect(doc).not.toContain("has been removed (after a day)");
  });
});
