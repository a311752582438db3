import { CONFIG_REVISION_VARIABLE } from "../../../constructs/app/mattermost-settings";
import { awsInput, environment, localInput, synthEnvironments, synthShipped } from "../../support/synth";

/**
 * The Mattermost settings the stacks may set, as `Section.Setting` of Mattermost's config
 * (server/public/model/config.go). An MM_ variable that is not one of these is ignored by the
 * server, silently: adding a setting to the stacks means adding it here after checking the source.
 */
const MATTERMOST_SETTINGS = [
  "ServiceSettings.SiteURL",
  "ServiceSettings.ListenAddress",
  "ServiceSettings.TrustedProxyIPHeader",
  "ServiceSettings.AllowedUntrustedInternalConnections",
  "SqlSettings.DriverName",
  "SqlSettings.DataSource",
  "FileSettings.DriverName",
  "FileSettings.Directory",
  "FileSettings.MaxFileSize",
  "FileSettings.AmazonS3AccessKeyId",
  "FileSettings.AmazonS3SecretAccessKey",
  "FileSettings.AmazonS3Bucket",
  "FileSettings.AmazonS3PathPrefix",
  "FileSettings.AmazonS3Region",
  "FileSettings.AmazonS3Endpoint",
  "FileSettings.AmazonS3SSL",
  "FileSettings.AmazonS3SSE",
  "FileSettings.AmazonS3Trace",
  "LogSettings.EnableConsole",
  "LogSettings.ConsoleLevel",
  "LogSettings.EnableFile",
  "ClusterSettings.Enable",
  "ClusterSettings.ClusterName",
  "ClusterSettings.UseIPAddress",
  "ClusterSettings.GossipPort",
  "MetricsSettings.Enable",
  "MetricsSettings.ListenAddress",
  "EmailSettings.SendPushNotifications",
  "EmailSettings.PushNotificationServer",
  "EmailSettings.PushNotificationContents",
  "EmailSettings.SMTPServer",
  "EmailSettings.SMTPPort",
  "EmailSettings.SMTPUsername",
  "EmailSettings.SMTPPassword",
  "EmailSettings.EnableSMTPAuth",
  "EmailSettings.ConnectionSecurity",
  "EmailSettings.FeedbackEmail",
  "EmailSettings.ReplyToAddress",
  "EmailSettings.EnableSignInWithEmail",
  "EmailSettings.EnableSignInWithUsername",
  "EmailSettings.EnableSignUpWithEmail",
  "SamlSettings.Enable",
  "SamlSettings.Verify",
  "SamlSettings.Encrypt",
  "SamlSettings.IdpURL",
  "SamlSettings.IdpDescriptorURL",
  "SamlSettings.IdpMetadataURL",
  "SamlSettings.ServiceProviderIdentifier",
  "SamlSettings.AssertionConsumerServiceURL",
  "SamlSettings.IdpCertificateFile",
  "SamlSettings.LoginButtonText",
  "SamlSettings.EmailAttribute",
  "SamlSettings.UsernameAttribute",
  "SamlSettings.IdAttribute",
  "SamlSettings.FirstNameAttribute",
  "SamlSettings.LastNameAttribute",
  "ImageProxySettings.Enable",
  "ImageProxySettings.ImageProxyType",
  "TeamSettings.MaxUsersPerTeam",
  "TeamSettings.MaxChannelsPerTeam",
  "TeamSettings.ExperimentalPrimaryTeam",
  "PluginSettings.Enable",
  "PluginSettings.PluginStates",
];
const KNOWN = new Set(MATTERMOST_SETTINGS.map((s) => `MM_${s.replace(".", "_").toUpperCase()}`));
/**
 * Not settings, but read by the server itself: the config store's DSN, the licence
 * (server/channels/app/platform/license.go, LoadLicense), the support packet's installation type
 * (server/channels/app/platform/support_packet.go) and Go's proxy variables.
 */
const PROCESS_VARIABLES = new Set(["MM_CONFIG", "MM_LICENSE", "MM_INSTALL_TYPE", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]);
/** Read by nobody: it only changes the pod template (the Jobs' inputs: psql's DSN and the plugin states). */
const NOT_FOR_MATTERMOST = new Set(["MATTERMOST_DSN", "PLUGIN_STATES", CONFIG_REVISION_VARIABLE]);

/** Every container variable name of every Deployment and Job in the stacks. */
function variableNames(stacks: Record<string, any>): string[] {
  const names = new Set<string>();
  for (const stack of Object.values(stacks)) {
    for (const type of ["kubernetes_deployment_v1", "kubernetes_job_v1"]) {
      for (const workload of Object.values<any>(stack.resource?.[type] ?? {})) {
        for (const container of workload.spec.template.spec.container) {
          for (const env of container.env ?? []) names.add(env.name);
        }
      }
    }
  }
  return [...names].sort();
}

describe("every variable the stacks give Mattermost is a real setting", () => {
  const everything = awsInput();
  everything.mattermost = {
    ...everything.mattermost,
    replicas: 3,
    clustering: true,
    performanceMonitoring: true,
    debug: true,
    pushNotificationServer: "https://push.mattermost.com",
    smtp: { host: "smtp.test", user: "chat", fromAddress: "chat@test.example", replyToAddress: "noreply@test.example" },
    saml: { preset: "ubuntu-sso" },
    outboundProxy: "http://squid.test:3128",
    outboundProxyExceptions: [".internal"],
    imageProxyEnabled: true,
    primaryTeam: "staff",
    plugins: ["com.github.matterpoll.matterpoll"],
  };
  const names = variableNames({ ...synthShipped(), ...synthEnvironments([environment("all", everything), environment("files", localInput())]) });

  test("the check covers what matters (sanity: secrets, files, SAML, SMTP are all there)", () => {
    expect(names).toEqual(expect.arrayContaining(["MM_CONFIG", "MM_LICENSE", "MM_INSTALL_TYPE", CONFIG_REVISION_VARIABLE, "MM_SQLSETTINGS_DATASOURCE", "MM_FILESETTINGS_AMAZONS3BUCKET", "MM_FILESETTINGS_DIRECTORY", "MM_SAMLSETTINGS_IDPURL", "MM_EMAILSETTINGS_SMTPSERVER", "HTTP_PROXY"]));
  });

  test("no invented MM_ names", () => {
    expect(names.filter((name) => !KNOWN.has(name) && !PROCESS_VARIABLES.has(name) && !NOT_FOR_MATTERMOST.has(name))).toEqual([]);
  });
});
