import { mattermostSchema, MattermostInput } from "../../../config/schema/mattermost";
import { CONFIG_REVISION_VARIABLE, FileStore, mattermostSettings, SecretRef } from "../../../constructs/app/mattermost-settings";

const S3: FileStore = { kind: "s3", bucket: "files", region: "eu-west-1", endpoint: "s3.eu-west-1.amazonaws.com", pathPrefix: "", ssl: "true", sse: "false", irsa: false };

const LICENCE: SecretRef = { secretName: "mattermost-test-licence-abcd1234", key: "licence" };

/** Settings for `mattermost` (defaults filled in) of environment "test". */
function settingsOf(mattermost: Partial<MattermostInput>, files: FileStore = { kind: "local" }, licence?: SecretRef, configRevision?: string) {
  const config = mattermostSchema.parse({ image: "mattermost/mattermost-enterprise-edition:10.11.4", siteUrl: "http://chat.test", ...mattermost });
  return mattermostSettings({ environmentName: "test", mattermost: config, files, ...(licence ? { licence } : {}), ...(configRevision ? { configRevision } : {}) });
}

describe("Mattermost settings (the charm's environment, ported from its unit tests)", () => {
  test("the base settings: site URL, console logging at INFO, no log file, image proxy off and local, team limits", () => {
    const { literal } = settingsOf({ maxUsersPerTeam: 20, maxChannelsPerTeam: 30 });
    expect(literal).toMatchObject({
      MM_SERVICESETTINGS_SITEURL: "http://chat.test",
      MM_SQLSETTINGS_DRIVERNAME: "postgres",
      MM_LOGSETTINGS_CONSOLELEVEL: "INFO",
      MM_LOGSETTINGS_ENABLECONSOLE: "true",
      MM_LOGSETTINGS_ENABLEFILE: "false",
      MM_IMAGEPROXYSETTINGS_ENABLE: "false",
      MM_IMAGEPROXYSETTINGS_IMAGEPROXYTYPE: "local",
      MM_TEAMSETTINGS_MAXUSERSPERTEAM: "20",
      MM_TEAMSETTINGS_MAXCHANNELSPERTEAM: "30",
    });
    // The charm's no-op variable is gone, and optional settings stay unset.
    expect(literal.MATTERMOST_HTTPD_LISTEN_PORT).toBeUndefined();
    for (const name of ["MM_TEAMSETTINGS_EXPERIMENTALPRIMARYTEAM", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "MM_CLUSTERSETTINGS_ENABLE", "MM_METRICSSETTINGS_ENABLE", "MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS", "MM_SAMLSETTINGS_ENABLE", "MM_EMAILSETTINGS_SMTPSERVER", "MM_SERVICESETTINGS_LICENSEFILELOCATION"]) {
      expect(literal[name]).toBeUndefined();
    }
  });

  test("the database DSN is MM_CONFIG and MM_SQLSETTINGS_DATASOURCE, both from the Secret", () => {
    const settings = settingsOf({});
    expect(settings.fromSecret).toEqual({ MM_CONFIG: "dsn", MM_SQLSETTINGS_DATASOURCE: "dsn" });
    expect(settings.literal.MM_CONFIG).toBeUndefined();
  });

  test("debug: console level DEBUG (and S3 tracing)", () => {
    expect(settingsOf({ debug: true }, S3).literal).toMatchObject({ MM_LOGSETTINGS_CONSOLELEVEL: "DEBUG", MM_FILESETTINGS_AMAZONS3TRACE: "true" });
  });

  test("image_proxy_enabled", () => {
    expect(settingsOf({ imageProxyEnabled: true }).literal).toMatchObject({ MM_IMAGEPROXYSETTINGS_ENABLE: "true", MM_IMAGEPROXYSETTINGS_IMAGEPROXYTYPE: "local" });
  });

  test("primary_team", () => {
    expect(settingsOf({ primaryTeam: "engineering" }).literal.MM_TEAMSETTINGS_EXPERIMENTALPRIMARYTEAM).toBe("engineering");
  });

  test("outbound_proxy and outbound_proxy_exceptions", () => {
    const { literal } = settingsOf({ outboundProxy: "http://squid.internal:3128", outboundProxyExceptions: ["10.0.0.0/8", ".internal"] });
    expect(literal).toMatchObject({ HTTP_PROXY: "http://squid.internal:3128", HTTPS_PROXY: "http://squid.internal:3128", NO_PROXY: "10.0.0.0/8,.internal" });
  });

  test("max_file_size: bytes whatever the storage (the charm set it only with S3)", () => {
    expect(settingsOf({ maxFileSizeMb: 5 }).literal.MM_FILESETTINGS_MAXFILESIZE).toBe("5242880");
    expect(settingsOf({ maxFileSizeMb: 5 }, S3).literal.MM_FILESETTINGS_MAXFILESIZE).toBe("5242880");
  });

  test("clustering: on, a cluster name with the environment's name, peers by IP, gossip port 8074", () => {
    expect(settingsOf({ clustering: true, licensed: true }, S3, LICENCE).literal).toMatchObject({
      MM_CLUSTERSETTINGS_ENABLE: "true",
      MM_CLUSTERSETTINGS_CLUSTERNAME: "mattermost-test",
      MM_CLUSTERSETTINGS_USEIPADDRESS: "true",
      MM_CLUSTERSETTINGS_GOSSIPPORT: "8074",
    });
  });

  test("performance_monitoring_enabled: metrics on :8067", () => {
    expect(settingsOf({ performanceMonitoring: true }).literal).toMatchObject({ MM_METRICSSETTINGS_ENABLE: "true", MM_METRICSSETTINGS_LISTENADDRESS: ":8067" });
  });

  test("push_notification_server: id_loaded without the snippet, full with it", () => {
    expect(settingsOf({ pushNotificationServer: "https://push.mattermost.com" }).literal).toMatchObject({
      MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS: "true",
      MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER: "https://push.mattermost.com",
      MM_EMAILSETTINGS_PUSHNOTIFICATIONCONTENTS: "id_loaded",
    });
    const full = settingsOf({ pushNotificationServer: "https://push.example.com", pushNotificationsIncludeMessageSnippet: true });
    expect(full.literal.MM_EMAILSETTINGS_PUSHNOTIFICATIONCONTENTS).toBe("full");
  });

  test("smtp_*: server, port, security, auth with a user, addresses; the password from the Secret", () => {
    const settings = settingsOf({ smtp: { host: "smtp.example.com", port: 587, user: "chat", connectionSecurity: "STARTTLS", fromAddress: "chat@example.com", replyToAddress: "noreply@example.com" } });
    expect(settings.literal).toMatchObject({
      MM_EMAILSETTINGS_SMTPSERVER: "smtp.example.com",
      MM_EMAILSETTINGS_SMTPPORT: "587",
      MM_EMAILSETTINGS_CONNECTIONSECURITY: "STARTTLS",
      MM_EMAILSETTINGS_ENABLESMTPAUTH: "true",
      MM_EMAILSETTINGS_SMTPUSERNAME: "chat",
      MM_EMAILSETTINGS_FEEDBACKEMAIL: "chat@example.com",
      MM_EMAILSETTINGS_REPLYTOADDRESS: "noreply@example.com",
    });
    expect(settings.fromSecret.MM_EMAILSETTINGS_SMTPPASSWORD).toBe("smtp-password");
    expect(settings.literal.MM_EMAILSETTINGS_SMTPPASSWORD).toBeUndefined();
  });

  test("smtp without a user: no auth and no password", () => {
    const settings = settingsOf({ smtp: { host: "relay.internal", fromAddress: "chat@example.com" } });
    expect(settings.literal).toMatchObject({ MM_EMAILSETTINGS_ENABLESMTPAUTH: "false", MM_EMAILSETTINGS_SMTPPORT: "587", MM_EMAILSETTINGS_SMTPUSERNAME: "" });
    expect(settings.fromSecret.MM_EMAILSETTINGS_SMTPPASSWORD).toBeUndefined();
  });

  test("sso (saml preset ubuntu-sso): what the charm hard-coded, certificate from the config store", () => {
    const { literal } = settingsOf({ siteUrl: "https://chat.example.com", licensed: true, saml: { preset: "ubuntu-sso" } }, S3, LICENCE);
    expect(literal).toMatchObject({
      MM_EMAILSETTINGS_ENABLESIGNINWITHEMAIL: "false",
      MM_EMAILSETTINGS_ENABLESIGNINWITHUSERNAME: "false",
      MM_EMAILSETTINGS_ENABLESIGNUPWITHEMAIL: "false",
      MM_SAMLSETTINGS_ENABLE: "true",
      MM_SAMLSETTINGS_VERIFY: "true",
      MM_SAMLSETTINGS_ENCRYPT: "false",
      MM_SAMLSETTINGS_IDPURL: "https://login.ubuntu.com/saml/",
      MM_SAMLSETTINGS_IDPDESCRIPTORURL: "https://login.ubuntu.com",
      MM_SAMLSETTINGS_SERVICEPROVIDERIDENTIFIER: "https://login.ubuntu.com",
      MM_SAMLSETTINGS_IDPMETADATAURL: "https://login.ubuntu.com/+saml/metadata",
      MM_SAMLSETTINGS_ASSERTIONCONSUMERSERVICEURL: "https://chat.example.com/login/sso/saml",
      MM_SAMLSETTINGS_LOGINBUTTONTEXT: "Ubuntu SSO",
      MM_SAMLSETTINGS_EMAILATTRIBUTE: "email",
      MM_SAMLSETTINGS_USERNAMEATTRIBUTE: "username",
      MM_SAMLSETTINGS_IDATTRIBUTE: "openid",
      MM_SAMLSETTINGS_FIRSTNAMEATTRIBUTE: "fullname",
      MM_SAMLSETTINGS_LASTNAMEATTRIBUTE: "",
      MM_SAMLSETTINGS_IDPCERTIFICATEFILE: "saml-idp.crt",
    });
  });

  test("generic saml: the IdP's values, password sign-in left alone unless samlOnly", () => {
    const { literal } = settingsOf(
      {
        siteUrl: "https://chat.example.com",
        licensed: true,
        saml: { idpUrl: "https://idp.example.com/sso", idpDescriptorUrl: "https://idp.example.com", emailAttribute: "mail", usernameAttribute: "uid", loginButtonText: "Company SSO" },
      },
      S3,
      LICENCE,
    );
    expect(literal).toMatchObject({
      MM_SAMLSETTINGS_IDPURL: "https://idp.example.com/sso",
      MM_SAMLSETTINGS_IDPDESCRIPTORURL: "https://idp.example.com",
      MM_SAMLSETTINGS_SERVICEPROVIDERIDENTIFIER: "https://chat.example.com",
      MM_SAMLSETTINGS_EMAILATTRIBUTE: "mail",
      MM_SAMLSETTINGS_USERNAMEATTRIBUTE: "uid",
      MM_SAMLSETTINGS_LOGINBUTTONTEXT: "Company SSO",
    });
    expect(literal.MM_EMAILSETTINGS_ENABLESIGNINWITHEMAIL).toBeUndefined();
  });

  test("licence: MM_LICENSE from the licence Secret (read at every start), never a file path", () => {
    const settings = settingsOf({ licensed: true }, { kind: "local" }, LICENCE);
    expect(settings.fromSecret.MM_LICENSE).toEqual(LICENCE);
    expect(settings.literal.MM_LICENSE).toBeUndefined();
    expect(settings.literal.MM_SERVICESETTINGS_LICENSEFILELOCATION).toBeUndefined();
  });

  test("licensed without the licence Secret is a programming error", () => {
    expect(() => settingsOf({ licensed: true })).toThrow(/licence is required/);
  });

  test("plugins: no PluginStates variable (it would replace the whole map and pin the System Console)", () => {
    const { literal } = settingsOf({ plugins: ["com.github.matterpoll.matterpoll", "mattermost-autolink"] });
    expect(literal.MM_PLUGINSETTINGS_PLUGINSTATES).toBeUndefined();
    expect(literal.MM_PLUGINSETTINGS_ENABLE).toBeUndefined();
  });

  test("client addresses: the ingress's X-Real-IP header is trusted", () => {
    expect(settingsOf({}).literal.MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER).toBe("X-Real-IP");
  });

  test("install type: the support packet says Kubernetes with Terraform", () => {
    expect(settingsOf({}).literal.MM_INSTALL_TYPE).toBe("kubernetes-terraform");
  });

  test("outbound proxy: its host (only the host) may be a private address for the untrusted-URL client", () => {
    expect(settingsOf({ outboundProxy: "http://10.0.0.7:3128" }).literal.MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS).toBe("10.0.0.7");
    expect(settingsOf({ outboundProxy: "http://[fd00::7]:3128" }).literal.MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS).toBe("fd00::7");
    // What extraEnv lists stays, the proxy's host comes after it, once.
    const merged = settingsOf({ outboundProxy: "http://squid.proxy.svc:3128", extraEnv: { MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: "gitlab.internal 10.1.0.0/16" } });
    expect(merged.literal.MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS).toBe("gitlab.internal 10.1.0.0/16 squid.proxy.svc");
    const listed = settingsOf({ outboundProxy: "http://squid:3128", extraEnv: { MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS: "squid" } });
    expect(listed.literal.MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS).toBe("squid");
    expect(settingsOf({}).literal.MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS).toBeUndefined();
  });

  test("config revision: a variable Mattermost does not read, only when a Job wrote into the config store", () => {
    expect(settingsOf({}, { kind: "local" }, undefined, "0a1b2c3d").literal[CONFIG_REVISION_VARIABLE]).toBe("0a1b2c3d");
    expect(settingsOf({}).literal[CONFIG_REVISION_VARIABLE]).toBeUndefined();
    expect(CONFIG_REVISION_VARIABLE.startsWith("MM")).toBe(false);
  });

  test("extra_env: applied last, overriding what came before", () => {
    const { literal } = settingsOf({ debug: true, extraEnv: { MM_LOGSETTINGS_CONSOLELEVEL: "WARN", MM_SERVICESETTINGS_ENABLELOCALMODE: true } });
    expect(literal.MM_LOGSETTINGS_CONSOLELEVEL).toBe("WARN");
    expect(literal.MM_SERVICESETTINGS_ENABLELOCALMODE).toBe("true");
  });

  test("local files: the local driver in /mattermost/data/", () => {
    expect(settingsOf({}).literal).toMatchObject({ MM_FILESETTINGS_DRIVERNAME: "local", MM_FILESETTINGS_DIRECTORY: "/mattermost/data/" });
  });

  test("S3 with keys: every file setting explicit, region included; keys from the Secret", () => {
    const settings = settingsOf({}, S3);
    expect(settings.literal).toMatchObject({
      MM_FILESETTINGS_DRIVERNAME: "amazons3",
      MM_FILESETTINGS_AMAZONS3BUCKET: "files",
      MM_FILESETTINGS_AMAZONS3REGION: "eu-west-1",
      MM_FILESETTINGS_AMAZONS3ENDPOINT: "s3.eu-west-1.amazonaws.com",
      MM_FILESETTINGS_AMAZONS3PATHPREFIX: "",
      MM_FILESETTINGS_AMAZONS3SSL: "true",
      MM_FILESETTINGS_AMAZONS3SSE: "false",
    });
    expect(settings.fromSecret).toMatchObject({ MM_FILESETTINGS_AMAZONS3ACCESSKEYID: "s3-access-key-id", MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY: "s3-secret-access-key" });
  });

  test("S3 with IRSA: no keys at all", () => {
    const settings = settingsOf({}, { ...S3, irsa: true });
    expect(settings.fromSecret.MM_FILESETTINGS_AMAZONS3ACCESSKEYID).toBeUndefined();
    expect(settings.fromSecret.MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY).toBeUndefined();
    expect(settings.literal.MM_FILESETTINGS_AMAZONS3ACCESSKEYID).toBeUndefined();
    expect(settings.literal.MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY).toBeUndefined();
  });

  test("every variable is MM_<SECTION>_<SETTING>, a variable Mattermost reads by name, or a proxy variable", () => {
    const { literal, fromSecret } = settingsOf(
      {
        siteUrl: "https://chat.example.com",
        licensed: true,
        clustering: true,
        performanceMonitoring: true,
        pushNotificationServer: "https://push.mattermost.com",
        smtp: { host: "smtp.example.com", user: "u", fromAddress: "a@example.com" },
        saml: { preset: "ubuntu-sso" },
        outboundProxy: "http://proxy:3128",
        outboundProxyExceptions: [".internal"],
        primaryTeam: "t",
        plugins: ["p"],
      },
      S3,
      LICENCE,
    );
    for (const name of [...Object.keys(literal), ...Object.keys(fromSecret)]) {
      expect(name).toMatch(/^(MM_[A-Z0-9]+SETTINGS_[A-Z0-9]+|MM_CONFIG|MM_LICENSE|MM_INSTALL_TYPE|HTTPS?_PROXY|NO_PROXY)$/);
    }
  });
});
