import { mattermostSchema } from "../../config/schema/mattermost";
import { isSecretSetting, managingKey, OVERRIDABLE_ENV, SANITIZED_SETTINGS, SECRET_FROM_STACK } from "../../config/schema/mattermost-env";
import { mattermostSettings } from "../../constructs/app/mattermost-settings";
import { EnvironmentError, loadEnvironments } from "../../config/load";
import { environmentsFolder, localInput } from "../support/synth";

function problemsWith(extraEnv: Record<string, unknown>): string[] {
  const env = localInput();
  env.mattermost.extraEnv = extraEnv;
  try {
    loadEnvironments(environmentsFolder({ "dev.yaml": env }));
    return [];
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    // The folder is a temporary one: show the file as the user's environments/dev.yaml.
    return error.problems.map((p) => p.replace(/^.*dev\.yaml: /, "environments/dev.yaml: "));
  }
}

describe("extraEnv and the one table of the container's environment", () => {
  test("every variable the stack derives from a key is in the table, so extraEnv cannot override it", () => {
    // Every feature on, S3 with keys and with IRSA: the largest set of variables the stack sets.
    const mattermost = mattermostSchema.parse({
      image: "mattermost/mattermost-enterprise-edition:10.11.4",
      siteUrl: "https://chat.test",
      licensed: true,
      clustering: true,
      replicas: 2,
      performanceMonitoring: true,
      pushNotificationServer: "https://push.test",
      smtp: { host: "smtp.test", user: "chat", fromAddress: "chat@test.example", replyToAddress: "noreply@test.example" },
      saml: { preset: "ubuntu-sso" },
      outboundProxy: "http://squid:3128",
      outboundProxyExceptions: [".internal"],
      primaryTeam: "town",
      plugins: ["com.github.matterpoll.matterpoll"],
      debug: true,
    });
    const names = new Set<string>();
    for (const irsa of [false, true]) {
      const files = { kind: "s3" as const, bucket: "b", region: "r", endpoint: "e", pathPrefix: "", ssl: "true", sse: "false", irsa };
      const settings = mattermostSettings({ environmentName: "dev", mattermost, files, licence: { secretName: "licence", key: "licence" }, configRevision: "r1" });
      for (const name of [...Object.keys(settings.literal), ...Object.keys(settings.fromSecret)]) names.add(name);
    }
    const local = mattermostSettings({ environmentName: "dev", mattermost, files: { kind: "local" }, licence: { secretName: "licence", key: "licence" } });
    for (const name of Object.keys(local.literal)) names.add(name);
    const uncovered = [...names].filter(
      (name) => !managingKey(name) && !(SECRET_FROM_STACK as readonly string[]).includes(name) && !(OVERRIDABLE_ENV as readonly string[]).includes(name),
    );
    expect(uncovered).toEqual([]);
  });

  test.each([
    ["MM_EMAILSETTINGS_CONNECTIONSECURITY", "mattermost.smtp.connectionSecurity"],
    ["mm_emailsettings_enablesmtpauth", "mattermost.smtp.user"],
    ["MM_SERVICESETTINGS_LISTENADDRESS", "the stack (the Service and the probes use 8065)"],
    ["Http_Proxy", "mattermost.outboundProxy"],
  ])("extraEnv may not override %s (%s manages it)", (name, key) => {
    expect(problemsWith({ [name]: "x" })).toEqual([`environments/dev.yaml: mattermost.extraEnv.${name}: is managed by ${key}; set that key instead of overriding it in extraEnv`]);
  });

  test.each([
    "mm_ldapsettings_bindpassword",
    "MM_SQLSETTINGS_ATRESTENCRYPTKEY",
    "MM_SQLSETTINGS_DATASOURCESEARCHREPLICAS",
    "MM_SQLSETTINGS_DATASOURCEREPLICAS",
    "MM_PLUGINSETTINGS_PLUGINS",
    "MM_FILESETTINGS_PUBLICLINKSALT",
    "MM_EMAILSETTINGS_INVITESALT",
    "MM_CACHESETTINGS_REDISPASSWORD",
    "mm_openidsettings_secret",
  ])("extraEnv may not carry the secret %s, in any case", (name) => {
    expect(problemsWith({ [name]: "hunter22" })).toEqual([
      expect.stringMatching(new RegExp(`dev\\.yaml: mattermost\\.extraEnv\\.${name}: carries a secret .* set it once in the System Console`)),
    ]);
  });

  test("every setting Mattermost's sanitizer masks counts as a secret, whatever its case", () => {
    for (const name of SANITIZED_SETTINGS) {
      expect(isSecretSetting(name)).toBe(true);
      expect(isSecretSetting(name.toLowerCase())).toBe(true);
    }
    expect(isSecretSetting("MM_SERVICESETTINGS_ENABLELOCALMODE")).toBe(false);
  });

  test("a setting added later counts as a secret when its name says password, secret, salt, encrypt key, split key, private key or data source", () => {
    for (const name of ["MM_NEWSETTINGS_APIPASSWORD", "mm_newsettings_clientsecret", "MM_NEWSETTINGS_TOKENSALT", "MM_NEWSETTINGS_ATRESTENCRYPTKEY", "MM_NEWSETTINGS_SPLITKEY", "MM_NEWSETTINGS_PRIVATEKEY", "MM_NEWSETTINGS_DATASOURCE"]) {
      expect([name, isSecretSetting(name)]).toEqual([name, true]);
    }
    // A key id names the key; it is not the secret (the stack sets it from the storage offer).
    expect(isSecretSetting("MM_FILESETTINGS_AMAZONS3ACCESSKEYID")).toBe(false);
  });

  test("extraEnv may not hold a URL with credentials", () => {
    expect(problemsWith({ MM_ELASTICSEARCHSETTINGS_CONNECTIONURL: "https://elastic:changeme@search.internal:9200" })).toEqual([
      "environments/dev.yaml: mattermost.extraEnv.MM_ELASTICSEARCHSETTINGS_CONNECTIONURL: holds a URL with credentials (https://***@search.internal:9200), which would sit in clear in the Deployment, the plan and the state; remove the user and password from the URL",
    ]);
    expect(problemsWith({ MM_ELASTICSEARCHSETTINGS_CONNECTIONURL: "https://search.internal:9200" })).toEqual([]);
  });
});
