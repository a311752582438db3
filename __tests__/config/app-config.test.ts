import { loadEnvironments } from "../../config/load";
import { RESERVED_ENV } from "../../config/schema/mattermost";
import { environmentsFolder, localInput, rejectionsOf } from "../support/synth";

/** The problems loadEnvironments reports for one environment `dev` with `mattermost` merged in. */
function problemsWith(mattermost: Record<string, unknown>): string[] {
  const env = localInput();
  env.mattermost = { ...env.mattermost, ...mattermost };
  // The folder is a temporary one; show it as the user's environments/.
  return rejectionsOf({ "dev.yaml": env }).map((p) => p.replace(/^.*\/dev\.yaml/, "environments/dev.yaml"));
}

describe("mattermost section: rejected input names the key and the fix", () => {
  test.each(RESERVED_ENV.map((name) => [name]))("extraEnv may not set %s (it carries or locates a secret)", (name) => {
    expect(problemsWith({ extraEnv: { [name]: "x" } })).toEqual([
      expect.stringMatching(new RegExp(`^environments/dev\\.yaml: mattermost\\.extraEnv\\.${name}: carries or locates a secret and is set by the stack from a Kubernetes Secret; remove it from extraEnv`)),
    ]);
  });

  test("extraEnv is checked case-insensitively against the reserved names", () => {
    expect(problemsWith({ extraEnv: { mm_config: "x" } })[0]).toContain("mattermost.extraEnv.mm_config: carries or locates a secret");
  });

  test("extraEnv names must be environment variable names", () => {
    expect(problemsWith({ extraEnv: { "MM-BAD": "x" } })).toEqual([
      expect.stringContaining("environments/dev.yaml: mattermost.extraEnv.MM-BAD: is not an environment variable name; use letters, digits and '_'"),
    ]);
  });

  test.each([
    ["MM_SERVICESETTINGS_SITEURL", "mattermost.siteUrl"],
    ["MM_CLUSTERSETTINGS_CLUSTERNAME", "mattermost.clustering (the name follows the environment)"],
    ["MM_SAMLSETTINGS_IDPURL", "mattermost.saml"],
    ["https_proxy", "mattermost.outboundProxy"],
  ])("extraEnv may not override %s, which a key manages", (name, key) => {
    expect(problemsWith({ extraEnv: { [name]: "x" } })).toEqual([
      `environments/dev.yaml: mattermost.extraEnv.${name}: is managed by ${key}; set that key instead of overriding it in extraEnv`,
    ]);
  });

  test("extraEnv may set what no key manages, such as local mode or another log level", () => {
    const env = localInput();
    env.mattermost.extraEnv = { MM_SERVICESETTINGS_ENABLELOCALMODE: true, MM_LOGSETTINGS_CONSOLELEVEL: "WARN" };
    const [loaded] = loadEnvironments(environmentsFolder({ "dev.yaml": env }));
    expect(loaded.config.mattermost.extraEnv).toEqual({ MM_SERVICESETTINGS_ENABLELOCALMODE: "true", MM_LOGSETTINGS_CONSOLELEVEL: "WARN" });
  });

  test("a cert-manager issuer needs the TLS secret it fills", () => {
    expect(problemsWith({ siteUrl: "https://chat.test", certManagerClusterIssuer: "letsencrypt" })).toEqual([
      "environments/dev.yaml: mattermost.certManagerClusterIssuer: needs tlsSecretName: cert-manager writes the certificate into that Secret; add tlsSecretName",
    ]);
  });

  test("SAML needs an https site URL", () => {
    const problems = problemsWith({ licensed: true, saml: { preset: "ubuntu-sso" } });
    expect(problems).toContainEqual(expect.stringContaining('mattermost.saml: needs an https:// siteUrl: identity providers post assertions to https only (got "http://chat.test")'));
  });

  test("a generic SAML IdP names its URL, issuer and attributes", () => {
    const problems = problemsWith({ siteUrl: "https://chat.test", licensed: true, saml: { idpUrl: "https://idp.test/sso" } });
    expect(problems).toEqual([
      "environments/dev.yaml: mattermost.saml.idpDescriptorUrl: is required for a generic identity provider (or use preset: ubuntu-sso)",
      "environments/dev.yaml: mattermost.saml.emailAttribute: is required for a generic identity provider (or use preset: ubuntu-sso)",
      "environments/dev.yaml: mattermost.saml.usernameAttribute: is required for a generic identity provider (or use preset: ubuntu-sso)",
    ]);
  });

  test("proxy exceptions without a proxy", () => {
    expect(problemsWith({ outboundProxyExceptions: [".internal"] })).toEqual([
      "environments/dev.yaml: mattermost.outboundProxyExceptions: has no effect without outboundProxy; set outboundProxy or remove it",
    ]);
  });

  test("a registry is a host, not a URL", () => {
    expect(problemsWith({ registry: { server: "https://registry.test", username: "u" } })).toEqual([
      "environments/dev.yaml: mattermost.registry.server: must be a registry host such as registry.example.com or ghcr.io",
    ]);
  });

  test("a registry must be where the image comes from", () => {
    expect(problemsWith({ registry: { server: "registry.test", username: "u" } })).toEqual([
      'environments/dev.yaml: mattermost.registry.server: is registry.test but image "mattermost/mattermost-team-edition:10.11.4" is pulled from elsewhere, so the pull secret would never be used; write the image as registry.test/<repository>:<tag> or remove registry',
    ]);
  });

  test("resources are Kubernetes quantities", () => {
    expect(problemsWith({ resources: { limits: { cpu: "two", memory: "4GB" } } })).toEqual([
      "environments/dev.yaml: mattermost.resources.limits.cpu: must be a CPU quantity such as 500m or 2",
      "environments/dev.yaml: mattermost.resources.limits.memory: must be a memory quantity such as 512Mi or 4Gi",
    ]);
  });

  test("plugin ids", () => {
    expect(problemsWith({ plugins: ["has space"] })).toEqual([
      "environments/dev.yaml: mattermost.plugins.0: must be a plugin id such as com.github.matterpoll.matterpoll",
    ]);
  });

  test("namespaces for the network policy are Kubernetes names", () => {
    expect(problemsWith({ ingressControllerNamespace: "Ingress_Nginx" })[0]).toMatch(/^environments\/dev\.yaml: mattermost\.ingressControllerNamespace: must be a Kubernetes name/);
  });
});
