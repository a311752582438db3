import { loadEnvironments } from "../../config/load";
import { imageEdition, RESERVED_ENV } from "../../config/schema/mattermost";
import { awsInput, environmentsFolder, localInput, rejectionsOf } from "../support/synth";

const ENTERPRISE = "mattermost/mattermost-enterprise-edition:10.11.4";

/** The problems loadEnvironments reports for one environment `dev` (Enterprise image) with `mattermost` merged in. */
function problemsWith(mattermost: Record<string, unknown>): string[] {
  const env = localInput();
  env.mattermost = { ...env.mattermost, image: ENTERPRISE, ...mattermost };
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
      'environments/dev.yaml: mattermost.registry.server: is registry.test but image "mattermost/mattermost-enterprise-edition:10.11.4" is pulled from elsewhere, so the pull secret would never be used; write the image as registry.test/<repository>:<tag> or remove registry',
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

/** True when `dev` (Enterprise image) with `mattermost` merged in loads without a problem. */
function acceptedWith(mattermost: Record<string, unknown>): boolean {
  const env = localInput();
  env.mattermost = { ...env.mattermost, image: ENTERPRISE, ...mattermost };
  return loadEnvironments(environmentsFolder({ "dev.yaml": env })).length === 1;
}

const TEAM = "mattermost/mattermost-team-edition:10.11.4";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

describe("editions: a Team Edition image cannot use a licence", () => {
  test.each([
    ["licensed", { licensed: true }, "mattermost.licensed"],
    ["clustering", { licensed: true, clustering: true }, "mattermost.licensed, mattermost.clustering"],
    ["performanceMonitoring", { licensed: true, performanceMonitoring: true }, "mattermost.licensed, mattermost.performanceMonitoring"],
    ["saml", { siteUrl: "https://chat.test", licensed: true, saml: { preset: "ubuntu-sso" } }, "mattermost.licensed, mattermost.saml"],
  ])("%s with the Team Edition image is rejected, naming the image, the keys and the fix", (_key, mattermost, keys) => {
    expect(problemsWith({ image: TEAM, ...mattermost })).toEqual([
      `environments/dev.yaml: mattermost.image: "${TEAM}" is Team Edition, which cannot use a licence, so ${keys} cannot work; use an Enterprise Edition image (e.g. mattermost/mattermost-enterprise-edition:<version>, or image/build.sh --edition enterprise) or remove ${keys}`,
    ]);
  });

  test("storage.serverSideEncryption with the Team Edition image is rejected too", () => {
    const env = awsInput();
    env.storage = { kind: "s3", serverSideEncryption: true };
    env.mattermost = { ...env.mattermost, image: TEAM, licensed: false };
    expect(rejectionsOf({ "dev.yaml": env }).map((p) => p.replace(/^.*\/dev\.yaml/, "environments/dev.yaml"))).toContainEqual(
      `environments/dev.yaml: storage.serverSideEncryption: needs the Enterprise Edition but mattermost.image "${TEAM}" is Team Edition; use an Enterprise Edition image or turn it off`,
    );
  });

  test("the edition comes from the repository name: the official images and image/build.sh's default tags", () => {
    expect(imageEdition("mattermost/mattermost-team-edition:10.11.4")).toBe("team");
    expect(imageEdition("mattermost/mattermost-enterprise-edition:10.11.4@sha256:" + "a".repeat(64))).toBe("enterprise");
    expect(imageEdition("mattermost-team:10.11.4")).toBe("team");
    expect(imageEdition("registry.example.com:5000/chat/mattermost-enterprise:10.11.4")).toBe("enterprise");
    expect(imageEdition("registry.example.com/chat:1.0")).toBeUndefined();
  });

  test("an image whose name tells nothing: edition says it, and a Team Edition one is rejected alike", () => {
    expect(acceptedWith({ image: "registry.test/chat:1.0", licensed: true })).toBe(true);
    expect(problemsWith({ image: "registry.test/chat:1.0", edition: "team", licensed: true })[0]).toContain('mattermost.image: "registry.test/chat:1.0" is Team Edition');
  });

  test("edition may not contradict the image's name", () => {
    expect(problemsWith({ image: TEAM, edition: "enterprise" })).toEqual([
      `environments/dev.yaml: mattermost.edition: is enterprise but image "${TEAM}" is the team edition; fix the image or remove edition`,
    ]);
  });
});

describe("SAML input Mattermost would refuse", () => {
  test("the IdP issuer (idpDescriptorUrl) must be an http(s) URL", () => {
    const saml = { idpUrl: "https://idp.test/sso", idpDescriptorUrl: "idp-entity", emailAttribute: "mail", usernameAttribute: "uid" };
    expect(problemsWith({ siteUrl: "https://chat.test", licensed: true, saml })).toEqual([
      'environments/dev.yaml: mattermost.saml.idpDescriptorUrl: must start with http:// or https:// and name a host (got "idp-entity")',
    ]);
    expect(acceptedWith({ siteUrl: "https://chat.test", licensed: true, saml: { ...saml, idpDescriptorUrl: "http://idp.test/entity" } })).toBe(true);
  });

  test("the certificate inline must be PEM, and only one source of it", () => {
    expect(problemsWith({ siteUrl: "https://chat.test", licensed: true, saml: { preset: "ubuntu-sso", idpCertificate: "MIIB" } })[0]).toContain(
      "mattermost.saml.idpCertificate: must be a PEM certificate: -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- (use a YAML block scalar: idpCertificate: |)",
    );
    expect(problemsWith({ siteUrl: "https://chat.test", licensed: true, saml: { preset: "ubuntu-sso", idpCertificate: PEM, idpCertificateSecretName: "idp" } })).toEqual([
      "environments/dev.yaml: mattermost.saml.idpCertificateSecretName: is set together with saml.idpCertificate, and both give the IdP certificate; keep one of them",
    ]);
    expect(acceptedWith({ siteUrl: "https://chat.test", licensed: true, saml: { preset: "ubuntu-sso", idpCertificate: PEM } })).toBe(true);
  });
});

describe("site URLs under a path are rejected (the Ingress, the probes and the SAML ACS URL are all at /)", () => {
  test.each([["https://chat.test/mattermost"], ["https://chat.test/mattermost/"], ["https://chat.test/?x=1"]])("%s", (siteUrl) => {
    expect(problemsWith({ siteUrl })).toEqual([
      `environments/dev.yaml: mattermost.siteUrl: has a path, query or fragment ("${siteUrl}"): the stack serves Mattermost at the root of its host (the Ingress path, the probes and the SAML assertion consumer URL are all under /); use https://chat.test and give Mattermost a host of its own`,
    ]);
  });

  test("a trailing slash alone is the root", () => {
    expect(acceptedWith({ siteUrl: "https://chat.test/" })).toBe(true);
  });
});

describe("S3 encryption", () => {
  test("serverSideEncryption with a KMS key is rejected: Mattermost's AES256 header would override the key", () => {
    const env = awsInput();
    env.storage = { kind: "s3", serverSideEncryption: true, kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" };
    expect(rejectionsOf({ "dev.yaml": env }).map((p) => p.replace(/^.*\/dev\.yaml/, "environments/dev.yaml"))).toEqual([
      "environments/dev.yaml: storage.serverSideEncryption: is true together with kmsKeyArn: Mattermost would ask S3 for SSE-S3 (AES256) on every write, overriding the bucket's default encryption with your KMS key; remove serverSideEncryption (the bucket already encrypts every object with the key)",
    ]);
  });
});

describe("extraEnv may not override the trusted proxy header the ingress needs", () => {
  test("MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER", () => {
    expect(problemsWith({ extraEnv: { MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER: "X-Forwarded-For" } })).toEqual([
      "environments/dev.yaml: mattermost.extraEnv.MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER: is managed by the ingress (X-Real-IP, set by ingress-nginx); set that key instead of overriding it in extraEnv",
    ]);
  });
});
