import { RESERVED_ENV } from "../../config/schema/mattermost";
import { imageHash } from "../../constructs/app/migration-job";
import { IMAGE_PULL_SECONDS } from "../../constructs/app/mattermost-pod";
import { awsInput, environment, localInput, onlyResource, resources, serverPolicy, StackJson, synthEnvironments, synthShipped } from "../support/synth";

/** The Mattermost server pods' NetworkPolicy (the app stack also has one for its Jobs' pods). */
/** The app stack of an environment built from `input`. */
function appOf(input: any, name = "dev"): StackJson {
  return synthEnvironments([environment(name, input)])[`${name}-app`];
}

function deploymentOf(stack: StackJson): any {
  return onlyResource(stack, "kubernetes_deployment_v1");
}

function containerOf(stack: StackJson): any {
  return deploymentOf(stack).spec.template.spec.container[0];
}

/** name -> env entry of the Deployment's container. */
function envOf(stack: StackJson): Record<string, any> {
  return Object.fromEntries(containerOf(stack).env.map((e: any) => [e.name, e]));
}

function withMattermost(base: any, mattermost: any): any {
  return { ...base, mattermost: { ...base.mattermost, ...mattermost } };
}

/** Every Kubernetes object of the stack (resources whose type starts with kubernetes_). */
function kubernetesObjects(stack: StackJson): any[] {
  return Object.entries(stack.resource ?? {})
    .filter(([type]) => type.startsWith("kubernetes_"))
    .flatMap(([, byName]) => Object.values(byName));
}

/** Variables whose value is a secret (the licence path is reserved too, but it is a path). */
const SECRET_CARRYING: string[] = RESERVED_ENV.filter((name) => name !== "MM_SERVICESETTINGS_LICENSEFILELOCATION");

describe("app stack, production (S3 with keys, https, 3 clustered licensed replicas)", () => {
  const stack = synthShipped()["production-app"];
  const env = envOf(stack);

  test("the migration Job runs `mattermost db migrate` with the same image, env and security, and gates the Deployment", () => {
    const job = onlyResource(stack, "kubernetes_job_v1");
    const deployment = deploymentOf(stack);
    const jobPod = job.spec.template.spec;
    const jobContainer = jobPod.container[0];
    expect(jobContainer.command).toEqual(["mattermost", "db", "migrate"]);
    expect(jobContainer.image).toBe(containerOf(stack).image);
    expect(jobContainer.env).toEqual(containerOf(stack).env);
    expect(jobContainer.security_context).toEqual(containerOf(stack).security_context);
    expect(jobPod.security_context).toEqual(deployment.spec.template.spec.security_context);
    expect(jobPod.restart_policy).toBe("Never");
    expect(job.spec.backoff_limit).toBeGreaterThan(0);
    expect(job.wait_for_completion).toBe(true);
    const jobAddress = `kubernetes_job_v1.${Object.keys(stack.resource!.kubernetes_job_v1)[0]}`;
    expect(deployment.depends_on).toEqual([jobAddress]);
  });

  test("the Job's name follows the image, so a new image is a new Job", () => {
    const job = onlyResource(stack, "kubernetes_job_v1");
    expect(job.metadata.name).toBe(`mattermost-production-migrate-${imageHash("mattermost/mattermost-enterprise-edition:10.11.4")}`);
    const input = withMattermost(awsInput(), { image: "mattermost/mattermost-enterprise-edition:10.12.0" });
    const other = onlyResource(appOf(input, "production"), "kubernetes_job_v1");
    expect(other.metadata.name).not.toBe(job.metadata.name);
    expect(other.metadata.name).toMatch(/^mattermost-production-migrate-[0-9a-f]{10}$/);
  });

  test("the Job's pods are not the Deployment's: the Service, PDB and policy never select them", () => {
    const jobLabels = onlyResource(stack, "kubernetes_job_v1").spec.template.metadata.labels;
    const selector = deploymentOf(stack).spec.selector.match_labels;
    expect(Object.entries(selector).every(([k, v]) => jobLabels[k] === v)).toBe(false);
  });

  test("rolls one pod at a time, never below the wanted ready pods, and Terraform waits", () => {
    const deployment = deploymentOf(stack);
    expect(deployment.spec.replicas).toBe("3");
    expect(deployment.spec.strategy).toEqual({ type: "RollingUpdate", rolling_update: { max_unavailable: "0", max_surge: "1" } });
    expect(deployment.wait_for_rollout).toBe(true);
  });

  test("non-root uid/gid 2000, no escalation, no capabilities, RuntimeDefault seccomp, no service account token", () => {
    const pod = deploymentOf(stack).spec.template.spec;
    expect(pod.security_context).toEqual({ run_as_non_root: true, run_as_user: "2000", run_as_group: "2000", fs_group: "2000", fs_group_change_policy: "OnRootMismatch", seccomp_profile: { type: "RuntimeDefault" } });
    expect(containerOf(stack).security_context).toEqual({ allow_privilege_escalation: false, privileged: false, run_as_non_root: true, capabilities: { drop: ["ALL"] } });
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.service_account_name).toMatch(/^\$\{kubernetes_service_account_v1\./);
    expect(onlyResource(stack, "kubernetes_service_account_v1")).toMatchObject({ metadata: { name: "mattermost-production" }, automount_service_account_token: false });
  });

  test("startup, readiness and liveness probes on /api/v4/system/ping:8065", () => {
    const container = containerOf(stack);
    for (const probe of ["startup_probe", "readiness_probe", "liveness_probe"]) {
      expect(container[probe].http_get).toEqual({ path: "/api/v4/system/ping", port: "8065" });
    }
  });

  test("resource requests and limits (defaults)", () => {
    expect(containerOf(stack).resources).toEqual({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "4Gi" } });
  });

  test("spread across nodes and zones", () => {
    const spread = deploymentOf(stack).spec.template.spec.topology_spread_constraint;
    expect(spread.map((c: any) => c.topology_key)).toEqual(["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
    expect(spread[0].label_selector[0].match_labels).toEqual(deploymentOf(stack).spec.selector.match_labels);
  });

  test("a PodDisruptionBudget for the 3 replicas", () => {
    const pdb = onlyResource(stack, "kubernetes_pod_disruption_budget_v1");
    expect(pdb.spec).toEqual({ max_unavailable: "1", selector: { match_labels: deploymentOf(stack).spec.selector.match_labels } });
  });

  test("clustering: gossip 8074 TCP and UDP on the container, let in only from Mattermost pods", () => {
    expect(containerOf(stack).port).toEqual(
      expect.arrayContaining([
        { name: "gossip-tcp", container_port: 8074, protocol: "TCP" },
        { name: "gossip-udp", container_port: 8074, protocol: "UDP" },
      ]),
    );
    const policy = serverPolicy(stack);
    const selector = deploymentOf(stack).spec.selector.match_labels;
    expect(policy.spec.pod_selector.match_labels).toEqual(selector);
    expect(policy.spec.policy_types).toEqual(["Ingress", "Egress"]);
    const gossip = policy.spec.ingress.find((rule: any) => rule.ports.some((p: any) => p.port === "8074"));
    expect(gossip).toEqual({ from: [{ pod_selector: { match_labels: selector } }], ports: [{ port: "8074", protocol: "TCP" }, { port: "8074", protocol: "UDP" }] });
    expect(env.MM_CLUSTERSETTINGS_CLUSTERNAME.value).toContain("production");
  });

  test("network policy: 8065 only from the ingress controller's namespace, 8067 only from the metrics namespace", () => {
    const rules = serverPolicy(stack).spec.ingress;
    expect(rules).toContainEqual({ from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ port: "8065", protocol: "TCP" }] });
    expect(rules).toContainEqual({ from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ port: "8067", protocol: "TCP" }] });
    expect(rules).toHaveLength(3);
  });

  test("performance monitoring: 8067 on the container and the Service, Prometheus annotations", () => {
    expect(containerOf(stack).port).toContainEqual({ name: "metrics", container_port: 8067, protocol: "TCP" });
    const service = onlyResource(stack, "kubernetes_service_v1");
    expect(service.spec.port).toContainEqual({ name: "metrics", port: 8067, target_port: "8067", protocol: "TCP" });
    expect(deploymentOf(stack).spec.template.metadata.annotations).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "8067", "prometheus.io/path": "/metrics" });
    expect(env.MM_METRICSSETTINGS_ENABLE.value).toBe("true");
  });

  test("ingress for https: TLS for the host with the named secret, body size, allow-list, no ssl-redirect override", () => {
    const ingress = onlyResource(stack, "kubernetes_ingress_v1");
    expect(ingress.metadata.name).toBe("mattermost-production");
    expect(ingress.spec.ingress_class_name).toBe("nginx");
    expect(ingress.spec.tls).toEqual([{ hosts: ["chat.example.com"], secret_name: "chat-example-com-tls" }]);
    expect(ingress.spec.rule).toEqual([
      {
        host: "chat.example.com",
        http: { path: [{ path: "/", path_type: "Prefix", backend: { service: { name: expect.stringMatching(/^\$\{kubernetes_service_v1\./), port: { number: 8065 } } } }] },
      },
    ]);
    expect(ingress.metadata.annotations).toMatchObject({
      "nginx.ingress.kubernetes.io/proxy-body-size": "100m",
      "nginx.ingress.kubernetes.io/whitelist-source-range": "10.0.0.0/8",
    });
    expect(ingress.metadata.annotations["nginx.ingress.kubernetes.io/ssl-redirect"]).toBeUndefined();
  });

  test("licence: a sensitive variable, in a Secret whose name follows its hash, given as MM_LICENSE through secretKeyRef", () => {
    expect(stack.variable!.mattermost_licence).toMatchObject({ type: "string", sensitive: true });
    const licence = resources(stack, "kubernetes_secret_v1").find((s) => s.metadata.name.includes("-licence-"));
    expect(licence.metadata.name).toBe("mattermost-production-licence-${substr(nonsensitive(sha256(var.mattermost_licence)), 0, 8)}");
    expect(licence.data).toEqual({ licence: "${var.mattermost_licence}" });
    expect(licence.lifecycle.create_before_destroy).toBe(true);
    expect(licence.lifecycle.precondition).toEqual([
      { condition: "${(length(trimspace(var.mattermost_licence)) >= 1)}", error_message: expect.stringContaining("mattermost.licensed is true but the variable mattermost_licence is empty") },
    ]);
    // MM_LICENSE is read at every start; the file would be read only while the database has no licence.
    expect(env.MM_LICENSE).toEqual({ name: "MM_LICENSE", value_from: { secret_key_ref: { name: expect.stringMatching(/^\$\{kubernetes_secret_v1\.licence_secret_[\w]+\.metadata\[0\]\.name\}$/), key: "licence" } } });
    expect(env.MM_SERVICESETTINGS_LICENSEFILELOCATION).toBeUndefined();
    expect(deploymentOf(stack).spec.template.spec.volume.map((v: any) => v.name)).not.toContain("licence");
  });

  test("S3 with keys: keys only through secretKeyRef, every file setting explicit", () => {
    expect(env.MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY.value_from.secret_key_ref.key).toBe("s3-secret-access-key");
    expect(env.MM_FILESETTINGS_AMAZONS3ACCESSKEYID.value_from.secret_key_ref.key).toBe("s3-access-key-id");
    expect(env.MM_FILESETTINGS_AMAZONS3REGION.value).toBe("${data.terraform_remote_state.storage.outputs.storage_region}");
    const secret = resources(stack, "kubernetes_secret_v1").find((s) => s.metadata.name === "mattermost-production-env");
    expect(secret.data).toEqual({
      // Sensitive offer fields are marked sensitive again where they are read (ConsumedOffer.get).
      dsn: "${sensitive(data.terraform_remote_state.database.outputs.database_dsn)}",
      "s3-access-key-id": "${data.terraform_remote_state.storage.outputs.storage_access_key_id}",
      "s3-secret-access-key": "${sensitive(data.terraform_remote_state.storage.outputs.storage_secret_access_key)}",
      "smtp-password": "${var.smtp_password}",
    });
    expect(Object.keys(stack.variable ?? {}).sort()).toEqual(["mattermost_licence", "smtp_password"]);
  });

  test("the namespace is the storage stack's (S3 too): destroying the app never deletes what users keep in it", () => {
    expect(resources(stack, "kubernetes_namespace_v1")).toEqual([]);
    expect(deploymentOf(stack).metadata.namespace).toBe("${data.terraform_remote_state.storage.outputs.storage_namespace}");
  });
});

describe("app stack, local (claim, http, one replica)", () => {
  const stack = synthShipped()["local-app"];

  test("the storage stack's claim at /mattermost/data, its namespace, no namespace here", () => {
    expect(resources(stack, "kubernetes_namespace_v1")).toEqual([]);
    const pod = deploymentOf(stack).spec.template.spec;
    expect(pod.volume).toEqual([{ name: "data", persistent_volume_claim: { claim_name: "${data.terraform_remote_state.storage.outputs.storage_claim_name}" } }]);
    expect(containerOf(stack).volume_mount).toEqual([{ name: "data", mount_path: "/mattermost/data" }]);
    expect(deploymentOf(stack).metadata.namespace).toBe("${data.terraform_remote_state.storage.outputs.storage_namespace}");
  });

  test("the migration Job does not mount the claim (a ReadWriteOnce claim would block it)", () => {
    const job = onlyResource(stack, "kubernetes_job_v1");
    expect(job.spec.template.spec.volume ?? []).toEqual([]);
  });

  test("ingress for http: ssl-redirect false, no TLS", () => {
    const ingress = onlyResource(stack, "kubernetes_ingress_v1");
    expect(ingress.metadata.annotations["nginx.ingress.kubernetes.io/ssl-redirect"]).toBe("false");
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.spec.rule[0].host).toBe("mattermost.local");
  });

  test("one replica: no PDB, no gossip, no metrics port, no licence variable", () => {
    expect(resources(stack, "kubernetes_pod_disruption_budget_v1")).toEqual([]);
    expect(containerOf(stack).port).toEqual([{ name: "http", container_port: 8065, protocol: "TCP" }]);
    expect(serverPolicy(stack).spec.ingress).toHaveLength(1);
    expect(stack.variable?.mattermost_licence).toBeUndefined();
  });
});

describe("app stack options", () => {
  test("SAML: a Job copies the IdP certificate from its Secret into the config store, after the migration and before the rollout", () => {
    const input = withMattermost(awsInput(), { saml: { preset: "ubuntu-sso", idpCertificateSecretName: "ubuntu-sso-idp" } });
    const stack = appOf(input);
    const source = Object.values<any>(stack.data!.kubernetes_secret_v1);
    expect(source).toEqual([expect.objectContaining({ metadata: { name: "ubuntu-sso-idp", namespace: expect.any(String) } })]);
    const jobs = resources(stack, "kubernetes_job_v1");
    const upload = jobs.find((j) => j.metadata.name.includes("-saml-certificate-"));
    expect(upload.metadata.name).toMatch(/^mattermost-dev-saml-certificate-\$\{substr\(nonsensitive\(sha256\(jsonencode\(data\.kubernetes_secret_v1\.[\w-]+\.data\)\)\), 0, 8\)\}$/);
    const pod = upload.spec.template.spec;
    const container = pod.container[0];
    expect(container.image).toMatch(/^postgres:17\.11-alpine@sha256:[a-f0-9]{64}$/);
    expect(container.command[2]).toContain("INSERT INTO configurationfiles (name, data, createat, updateat)");
    expect(container.command[2]).toContain("VALUES ('saml-idp.crt', :'cert',");
    expect(container.env).toEqual([{ name: "MATTERMOST_DSN", value_from: { secret_key_ref: { name: expect.any(String), key: "dsn" } } }]);
    expect(pod.volume).toContainEqual({ name: "saml-certificate", secret: { secret_name: "ubuntu-sso-idp", default_mode: "0444", items: [{ key: "certificate", path: "certificate" }] } });
    expect(pod.security_context.run_as_non_root).toBe(true);
    expect(container.security_context).toMatchObject({ allow_privilege_escalation: false, capabilities: { drop: ["ALL"] } });
    const migration = Object.keys(stack.resource!.kubernetes_job_v1).find((id) => id.startsWith("migration"))!;
    const uploadId = Object.keys(stack.resource!.kubernetes_job_v1).find((id) => id.startsWith("saml-certificate"))!;
    expect(upload.depends_on).toEqual([`kubernetes_job_v1.${migration}`]);
    expect(deploymentOf(stack).depends_on).toEqual([`kubernetes_job_v1.${migration}`, `kubernetes_job_v1.${uploadId}`]);
    expect(resources(appOf(withMattermost(awsInput(), { saml: { preset: "ubuntu-sso" } })), "kubernetes_job_v1")).toHaveLength(1);
  });

  test("verify-full: the database offer's CA is mounted where the DSN's sslrootcert points, in the pods and the migration", () => {
    const input = localInput();
    Object.assign(input.database, { sslMode: "verify-full", caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" });
    const stack = appOf(input);
    const secret = resources(stack, "kubernetes_secret_v1").find((s) => s.metadata.name === "mattermost-dev-database-ca");
    expect(secret.data).toEqual({ "ca.crt": "${data.terraform_remote_state.database.outputs.database_ca_certificate}" });
    for (const pod of [deploymentOf(stack).spec.template.spec, onlyResource(stack, "kubernetes_job_v1").spec.template.spec]) {
      const volume = pod.volume.find((v: any) => v.name === "database-ca");
      expect(volume.secret.secret_name).toMatch(/^\$\{kubernetes_secret_v1\.database-ca_secret_\w+\.metadata\[0\]\.name\}$/);
      expect(pod.container[0].volume_mount).toContainEqual(expect.objectContaining({ name: volume.name, mount_path: "/mattermost/db-ca", read_only: true }));
    }
    expect(resources(appOf(localInput()), "kubernetes_secret_v1").map((s) => s.metadata.name)).not.toContain("mattermost-dev-database-ca");
  });

  test("http with an allow-list (the charm's http ingress test)", () => {
    const stack = appOf({ ...withMattermost(localInput(), { ingressAllowedSourceRanges: ["10.0.0.0/8", "192.168.0.0/16"], maxFileSizeMb: 5 }), network: { ingressSeesClientAddress: true } });
    expect(onlyResource(stack, "kubernetes_ingress_v1").metadata.annotations).toMatchObject({
      "nginx.ingress.kubernetes.io/whitelist-source-range": "10.0.0.0/8,192.168.0.0/16",
      "nginx.ingress.kubernetes.io/ssl-redirect": "false",
      "nginx.ingress.kubernetes.io/proxy-body-size": "5m",
    });
    expect(envOf(stack).MM_FILESETTINGS_MAXFILESIZE.value).toBe("5242880");
  });

  test("https without a TLS secret: TLS for the host with the controller's default certificate", () => {
    const stack = appOf(withMattermost(localInput(), { siteUrl: "https://chat.test" }));
    expect(onlyResource(stack, "kubernetes_ingress_v1").spec.tls).toEqual([{ hosts: ["chat.test"] }]);
  });

  test("cert-manager: the ClusterIssuer annotation", () => {
    const stack = appOf(withMattermost(localInput(), { siteUrl: "https://chat.test", tlsSecretName: "chat-tls", certManagerClusterIssuer: "letsencrypt" }));
    expect(onlyResource(stack, "kubernetes_ingress_v1").metadata.annotations["cert-manager.io/cluster-issuer"]).toBe("letsencrypt");
  });

  test("IRSA: the service account carries the offer's role, no API token is mounted, no keys are set", () => {
    const input = awsInput();
    input.storage.access = "irsa";
    input.storage.irsa = { oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789" };
    const stack = appOf(input);
    const account = onlyResource(stack, "kubernetes_service_account_v1");
    expect(account.metadata.name).toBe("mattermost-dev");
    expect(account.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": "${data.terraform_remote_state.storage.outputs.storage_role_arn}" });
    // EKS's webhook projects its own web-identity token; the Kubernetes API token is not needed.
    expect(account.automount_service_account_token).toBe(false);
    expect(deploymentOf(stack).spec.template.spec.automount_service_account_token).toBe(false);
    // The migration talks to PostgreSQL only: not Mattermost's account, so no cloud identity.
    const job = onlyResource(stack, "kubernetes_job_v1").spec.template.spec;
    expect(job.automount_service_account_token).toBe(false);
    expect(job.service_account_name).toBeUndefined();
    const env = envOf(stack);
    expect(env.MM_FILESETTINGS_AMAZONS3ACCESSKEYID).toBeUndefined();
    expect(env.MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY).toBeUndefined();
    const secret = resources(stack, "kubernetes_secret_v1").find((s) => s.metadata.name === "mattermost-dev-env");
    expect(Object.keys(secret.data)).toEqual(["dsn"]);
  });

  test("an existing S3-compatible bucket: its keys through the Secret, its endpoint and SSL from the offer", () => {
    const input = localInput();
    input.storage = { kind: "external", endpoint: "http://minio.storage:9000", bucket: "chat" };
    const stack = appOf(input);
    const env = envOf(stack);
    expect(env.MM_FILESETTINGS_DRIVERNAME.value).toBe("amazons3");
    expect(env.MM_FILESETTINGS_AMAZONS3ENDPOINT.value).toBe("${data.terraform_remote_state.storage.outputs.storage_endpoint}");
    expect(env.MM_FILESETTINGS_AMAZONS3SSL.value).toBe("${data.terraform_remote_state.storage.outputs.storage_ssl}");
    expect(env.MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY.value_from.secret_key_ref.key).toBe("s3-secret-access-key");
    expect(resources(stack, "kubernetes_namespace_v1")).toEqual([]);
    expect(deploymentOf(stack).spec.template.spec.volume).toEqual([]);
  });

  test("SMTP with a user: the password is a sensitive variable in the Secret, with a precondition", () => {
    const stack = appOf(withMattermost(localInput(), { smtp: { host: "smtp.example.com", user: "chat", fromAddress: "chat@example.com" } }));
    expect(stack.variable!.smtp_password).toMatchObject({ type: "string", sensitive: true });
    expect(envOf(stack).MM_EMAILSETTINGS_SMTPPASSWORD.value_from.secret_key_ref.key).toBe("smtp-password");
    const secret = resources(stack, "kubernetes_secret_v1").find((s) => s.metadata.name === "mattermost-dev-env");
    expect(secret.data["smtp-password"]).toBe("${var.smtp_password}");
    expect(secret.lifecycle.precondition[0]).toEqual({ condition: "${(length(var.smtp_password) >= 1)}", error_message: expect.stringContaining("smtp.user is set but the variable smtp_password is empty") });
  });

  test("SMTP without a user: no password variable", () => {
    const stack = appOf(withMattermost(localInput(), { smtp: { host: "relay.internal", fromAddress: "chat@example.com" } }));
    expect(stack.variable?.smtp_password).toBeUndefined();
  });

  test("a private registry: dockerconfigjson Secret from a sensitive variable, used by the Deployment and the Job", () => {
    const stack = appOf(withMattermost(localInput(), { image: "registry.example.com/chat/mattermost:10.11.4", registry: { server: "registry.example.com", username: "deploy" } }));
    expect(stack.variable!.registry_password).toMatchObject({ type: "string", sensitive: true });
    const secret = resources(stack, "kubernetes_secret_v1").find((s) => s.type === "kubernetes.io/dockerconfigjson");
    expect(secret.metadata.name).toBe("mattermost-dev-registry");
    expect(secret.data[".dockerconfigjson"]).toContain("var.registry_password");
    expect(secret.lifecycle.precondition[0].error_message).toContain("registry_password is empty");
    const pull = [{ name: expect.stringContaining("kubernetes_secret_v1.registry") }];
    expect(deploymentOf(stack).spec.template.spec.image_pull_secrets).toEqual(pull);
    expect(onlyResource(stack, "kubernetes_job_v1").spec.template.spec.image_pull_secrets).toEqual(pull);
  });

  test("resources, controller and metrics namespaces are configurable", () => {
    const input = withMattermost(localInput(), {
      image: "mattermost/mattermost-enterprise-edition:10.11.4",
      resources: { requests: { cpu: "1", memory: "2Gi" } },
      ingressControllerNamespace: "traefik",
      performanceMonitoring: true,
      licensed: true,
      metricsNamespace: "prometheus",
    });
    const stack = appOf(input);
    expect(containerOf(stack).resources).toEqual({ requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } });
    const namespaces = serverPolicy(stack).spec.ingress.map((r: any) => r.from[0].namespace_selector.match_labels["kubernetes.io/metadata.name"]);
    expect(namespaces).toEqual(["traefik", "prometheus"]);
  });

  test("extraEnv reaches the container last", () => {
    const stack = appOf(withMattermost(localInput(), { extraEnv: { MM_SERVICESETTINGS_ENABLELOCALMODE: true } }));
    expect(envOf(stack).MM_SERVICESETTINGS_ENABLELOCALMODE.value).toBe("true");
  });
});

describe("secrets are never literal, names and labels derive from the environment", () => {
  const stacks = synthShipped();
  const everything = withMattermost(awsInput(), {
    smtp: { host: "smtp.example.com", user: "chat", fromAddress: "chat@example.com" },
    image: "registry.example.com/chat/mattermost-enterprise-edition:10.11.4",
    registry: { server: "registry.example.com", username: "deploy" },
    clustering: true,
    replicas: 2,
  });
  const all: [string, StackJson][] = [["production", stacks["production-app"]], ["local", stacks["local-app"]], ["dev", appOf(everything)]];

  test.each(all)("%s: no secret-carrying variable has a literal value, in the Deployment or the Job", (_name, stack) => {
    const containers = [containerOf(stack), onlyResource(stack, "kubernetes_job_v1").spec.template.spec.container[0]];
    for (const container of containers) {
      for (const entry of container.env) {
        if (SECRET_CARRYING.includes(entry.name)) {
          expect(entry.value).toBeUndefined();
          expect(entry.value_from.secret_key_ref).toBeDefined();
        }
        // No value anywhere refers to a sensitive variable or a sensitive offer output.
        expect(String(entry.value ?? "")).not.toMatch(/var\.|database_dsn|database_password|secret_access_key/);
      }
    }
  });

  test.each(all)("%s: every variable of the app stack is sensitive", (_name, stack) => {
    for (const variable of Object.values(stack.variable ?? {})) expect(variable.sensitive).toBe(true);
  });

  test("the full-featured stack has the licence, SMTP and registry variables", () => {
    expect(Object.keys(all[2][1].variable ?? {}).sort()).toEqual(["mattermost_licence", "registry_password", "smtp_password"]);
  });

  test.each(all)("%s: every Kubernetes object carries the app.kubernetes.io labels of its environment", (name, stack) => {
    const objects = kubernetesObjects(stack);
    expect(objects.length).toBeGreaterThan(5);
    for (const object of objects) {
      expect(object.metadata.labels).toMatchObject({ "app.kubernetes.io/name": "mattermost", "app.kubernetes.io/instance": `mattermost-${name}`, "app.kubernetes.io/part-of": "mattermost", "app.kubernetes.io/managed-by": "mattermost-cdktf" });
      expect(object.metadata.labels["app.kubernetes.io/component"]).toBeTruthy();
      if (object.metadata.name !== "mattermost") expect(object.metadata.name).toContain(`mattermost-${name}`);
    }
  });
});

describe("day two: upgrades that finish, rotations that reach the pods, a destroy that keeps users' Secrets, a quiet plan", () => {
  const withFiles = (storage: any, mattermost: any = {}) => appOf({ ...localInput(), storage: { kind: "local", ...storage }, mattermost: { ...localInput().mattermost, ...mattermost } });
  const clustered = { image: "mattermost/mattermost-enterprise-edition:10.11.4", replicas: 2, clustering: true, licensed: true };

  test.each([
    ["ReadWriteOnce (the default)", {}],
    ["ReadWriteOncePod", { accessMode: "ReadWriteOncePod" }],
  ])("files on a %s claim: Recreate (a surge pod could never mount the claim the old pod holds)", (_mode, storage) => {
    expect(deploymentOf(withFiles(storage)).spec.strategy).toEqual({ type: "Recreate" });
  });

  test("files on a ReadWriteMany claim, or on S3: one extra pod at a time, never below the wanted ready pods", () => {
    const rolling = { type: "RollingUpdate", rolling_update: { max_unavailable: "0", max_surge: "1" } };
    expect(deploymentOf(withFiles({ accessMode: "ReadWriteMany" }, clustered)).spec.strategy).toEqual(rolling);
    expect(deploymentOf(synthShipped()["production-app"]).spec.strategy).toEqual(rolling);
  });

  test("Terraform waits for a rollout as long as the startup probes allow, one pod after the other", () => {
    for (const [stack, replicas] of [[synthShipped()["production-app"], 3], [synthShipped()["local-app"], 1]] as const) {
      const deployment = deploymentOf(stack);
      const container = containerOf(stack);
      const startup = container.startup_probe.period_seconds * container.startup_probe.failure_threshold;
      const podStart = IMAGE_PULL_SECONDS + startup + container.readiness_probe.period_seconds;
      const grace = deployment.spec.template.spec.termination_grace_period_seconds;
      expect(startup).toBe(300);
      expect(deployment.timeouts).toEqual({ create: `${replicas * podStart + grace}s`, update: `${replicas * podStart + grace}s` });
      // Kubernetes gives up on a pod that never gets Ready after one pod's allowance, and the provider with it.
      expect(deployment.spec.progress_deadline_seconds).toBe(podStart + grace);
    }
    expect(deploymentOf(synthShipped()["production-app"]).timeouts.update).toBe("1515s");
  });

  test("the migration Job: Kubernetes' deadline covers every retry, and Terraform waits a minute longer", () => {
    const job = onlyResource(synthShipped()["production-app"], "kubernetes_job_v1");
    expect(job.spec.active_deadline_seconds).toBe(1800);
    expect(job.timeouts).toEqual({ create: "1860s", update: "1860s" });
  });

  test("a new database password, S3 key or SMTP password changes the pod template (a sensitive hash of the env Secret's values)", () => {
    const stack = synthShipped()["production-app"];
    const annotation = deploymentOf(stack).spec.template.metadata.annotations["mattermost-cdktf/env-secret-sha256"];
    const secret = resources(stack, "kubernetes_secret_v1").find((s) => s.metadata.name === "mattermost-production-env");
    const entries = Object.entries<string>(secret.data).map(([key, value]) => `"${key}" = ${value.slice(2, -1)}`);
    expect(annotation).toBe(`\${sensitive(sha256(jsonencode({${entries.join(", ")}})))}`);
    expect(annotation).toContain("database_dsn");
    expect(annotation).toContain("storage_secret_access_key");
    expect(annotation).toContain("var.smtp_password");
    expect(annotation).not.toContain("nonsensitive");
  });

  test("the hash is on the Deployment only: the migration Job is not re-run by a rotation", () => {
    const job = onlyResource(synthShipped()["production-app"], "kubernetes_job_v1");
    expect(job.spec.template.metadata.annotations).toBeUndefined();
  });

  test.each(["local-app", "production-app"])("%s holds no namespace, forgets one an older release made, and names the stack to deploy first", (id) => {
    const stack: any = synthShipped()[id];
    expect(resources(stack, "kubernetes_namespace_v1")).toEqual([]);
    expect(stack.removed).toEqual([{ from: "kubernetes_namespace_v1.namespace", lifecycle: { destroy: false } }]);
    const env = id.replace(/-app$/, "");
    const secret = resources(stack, "kubernetes_secret_v1").find((s) => s.metadata.name === `mattermost-${env}-env`);
    expect(secret.lifecycle.precondition).toContainEqual({
      condition: '${(data.terraform_remote_state.storage.outputs.storage_namespace == "mattermost")}',
      error_message: expect.stringContaining(`deploy ${env}-storage first, it holds the namespace`),
    });
  });

  test("a quiet plan: no Job has a TTL (the provider would plan a deleted Job again)", () => {
    const saml = appOf(withMattermost(awsInput(), { saml: { preset: "ubuntu-sso", idpCertificateSecretName: "ubuntu-sso-idp" } }));
    const jobs = [saml, synthShipped()["production-app"], synthShipped()["local-app"]].flatMap((stack) => resources(stack, "kubernetes_job_v1"));
    expect(jobs.length).toBe(4);
    for (const job of jobs) expect(job.spec.ttl_seconds_after_finished).toBeUndefined();
  });
});

describe("app stack, the pod and service options Helm users rely on (issue 16)", () => {
  /** Every option at once, on an S3, licensed, clustered environment of our own. */
  const input = withMattermost(awsInput(), {
    clustering: true,
    performanceMonitoring: true,
    nodeSelector: { "node.kubernetes.io/pool": "chat" },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "chat", effect: "NoSchedule" }, { key: "spot", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }],
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }] } },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/name": "mattermost" } } } },
        ],
      },
    },
    priorityClassName: "business-critical",
    podAnnotations: { "linkerd.io/inject": "enabled" },
    podLabels: { team: "chat" },
    extraVolumes: [{ name: "ca-bundle", configMap: { name: "corporate-ca" } }, { name: "scratch", emptyDir: { sizeLimit: "1Gi" } }],
    extraVolumeMounts: [{ name: "ca-bundle", mountPath: "/etc/ssl/corporate", readOnly: true }],
    extraContainers: [{ name: "log-shipper", image: "fluent/fluent-bit:3.1", volumeMounts: [{ name: "scratch", mountPath: "/scratch" }] }],
    extraInitContainers: [{ name: "warm-up", image: "busybox:1.36", command: ["true"], resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } } }],
    envFrom: [{ secretRef: { name: "mattermost-extra" } }, { configMapRef: { name: "mattermost-tuning" }, prefix: "MM_" }],
    envValueFrom: { MM_GITLABSETTINGS_SECRET: { secretKeyRef: { name: "gitlab-oauth", key: "secret" } }, MM_GITLABSETTINGS_ID: { configMapKeyRef: { name: "gitlab", key: "id" } } },
    serviceType: "LoadBalancer",
    serviceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" },
    serviceLoadBalancerSourceRanges: ["10.0.0.0/8"],
    httpAllowedFrom: [{ cidr: "10.0.0.0/16" }, { namespace: "envoy-gateway-system", podLabels: { "gateway.envoyproxy.io/owning-gateway-name": "chat" } }],
    ingressAnnotations: { "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600" },
    ingressExtraHosts: ["mattermost.test"],
    autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 85 },
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
  });
  const stack = appOf(input, "helm");
  const deployment = deploymentOf(stack);
  const pod = deployment.spec.template.spec;
  const jobs = resources(stack, "kubernetes_job_v1");

  test("nodeSelector, tolerations, affinity and priority class reach the Deployment, in the provider's shape", () => {
    expect(pod.node_selector).toEqual({ "node.kubernetes.io/pool": "chat" });
    expect(pod.toleration).toEqual([
      { key: "dedicated", operator: "Equal", value: "chat", effect: "NoSchedule" },
      { key: "spot", operator: "Exists", effect: "NoExecute", toleration_seconds: "30" },
    ]);
    expect(pod.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_term).toEqual([
      { match_expressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] },
    ]);
    expect(pod.affinity.pod_anti_affinity.preferred_during_scheduling_ignored_during_execution).toEqual([
      { weight: 50, pod_affinity_term: { topology_key: "kubernetes.io/hostname", label_selector: [{ match_labels: { "app.kubernetes.io/name": "mattermost" } }] } },
    ]);
    expect(pod.priority_class_name).toBe("business-critical");
    // The fixed spread stays next to the user's affinity.
    expect(pod.topology_spread_constraint).toHaveLength(2);
  });

  test("every Job (migration, plugins, SAML certificate) gets the same scheduling, or it could not run on a tainted node group", () => {
    const withJobs = appOf(
      withMattermost(input, { plugins: ["com.github.matterpoll.matterpoll"], saml: { preset: "ubuntu-sso", idpCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" } }),
      "helm",
    );
    const all = resources(withJobs, "kubernetes_job_v1");
    expect(all.map((j) => j.metadata.name.replace(/-[0-9a-f]+$/, "")).sort()).toEqual(["mattermost-helm-migrate", "mattermost-helm-plugins", "mattermost-helm-saml-certificate"]);
    for (const job of all) {
      const spec = job.spec.template.spec;
      expect([job.metadata.name, spec.node_selector, spec.toleration, spec.affinity, spec.priority_class_name]).toEqual([job.metadata.name, pod.node_selector, pod.toleration, pod.affinity, pod.priority_class_name]);
    }
  });

  test("pod annotations and labels are added; the stack's labels and the selector stay", () => {
    const metadata = deployment.spec.template.metadata;
    expect(metadata.annotations["linkerd.io/inject"]).toBe("enabled");
    expect(metadata.annotations["prometheus.io/scrape"]).toBe("true");
    expect(metadata.labels.team).toBe("chat");
    expect(Object.entries(deployment.spec.selector.match_labels).every(([k, v]) => metadata.labels[k] === v)).toBe(true);
    // Only the servers: a Job's pods never carry them.
    expect(jobs[0].spec.template.metadata.labels.team).toBeUndefined();
  });

  test("extra volumes and mounts are the servers' (after the stack's), never the migration Job's", () => {
    const extraNames = ["ca-bundle", "scratch"];
    expect(pod.volume.slice(-2)).toEqual([
      { name: "ca-bundle", config_map: { name: "corporate-ca" } },
      { name: "scratch", empty_dir: { size_limit: "1Gi" } },
    ]);
    expect(containerOf(stack).volume_mount.slice(-1)).toEqual([{ name: "ca-bundle", mount_path: "/etc/ssl/corporate", read_only: true }]);
    const jobPod = onlyResource(stack, "kubernetes_job_v1").spec.template.spec;
    expect((jobPod.volume ?? []).filter((v: any) => extraNames.includes(v.name))).toEqual([]);
    expect((jobPod.container[0].volume_mount ?? []).filter((m: any) => extraNames.includes(m.name))).toEqual([]);
  });

  test("sidecars and init containers get the restricted security context and resources unless they bring their own", () => {
    const [mattermost, sidecar] = pod.container;
    expect(mattermost.name).toBe("mattermost");
    expect(sidecar.name).toBe("log-shipper");
    expect(sidecar.security_context).toEqual(mattermost.security_context);
    expect(sidecar.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
    expect(sidecar.volume_mount).toEqual([{ name: "scratch", mount_path: "/scratch" }]);
    const [init] = pod.init_container;
    expect(init).toMatchObject({ name: "warm-up", image: "busybox:1.36", command: ["true"], resources: { limits: { cpu: "100m", memory: "32Mi" } } });
    expect(init.security_context).toEqual(mattermost.security_context);
  });

  test("a sidecar that brings a privileged security context fails the security policy at synth", () => {
    const privileged = withMattermost(input, { extraContainers: [{ name: "debug", image: "busybox:1.36", securityContext: { privileged: true, allowPrivilegeEscalation: true } }] });
    expect(() => appOf(privileged, "helm")).toThrow(/pods-hardened: container debug allows privilege escalation/);
  });

  test("envFrom and envValueFrom reach the servers and the migration alike, after the stack's variables", () => {
    const server = containerOf(stack);
    const migration = onlyResource(stack, "kubernetes_job_v1").spec.template.spec.container[0];
    expect(server.env_from).toEqual([{ secret_ref: { name: "mattermost-extra" } }, { prefix: "MM_", config_map_ref: { name: "mattermost-tuning" } }]);
    expect(migration.env_from).toEqual(server.env_from);
    expect(envOf(stack).MM_GITLABSETTINGS_SECRET).toEqual({ name: "MM_GITLABSETTINGS_SECRET", value_from: { secret_key_ref: { name: "gitlab-oauth", key: "secret" } } });
    expect(envOf(stack).MM_GITLABSETTINGS_ID).toEqual({ name: "MM_GITLABSETTINGS_ID", value_from: { config_map_key_ref: { name: "gitlab", key: "id" } } });
    expect(migration.env).toEqual(server.env);
  });

  test("a secret through envValueFrom needs no waiver, where the same secret in extraEnv is refused and pointed there", () => {
    // `stack` above synthesized under the policy with MM_GITLABSETTINGS_SECRET from a Secret.
    expect(envOf(stack).MM_GITLABSETTINGS_SECRET.value).toBeUndefined();
    const literal = withMattermost(awsInput(), { extraEnv: { MM_GITLABSETTINGS_SECRET: "hunter2" } });
    expect(() => appOf(literal, "helm")).toThrow(/extraEnv[\s\S]*MM_GITLABSETTINGS_SECRET[\s\S]*carries a secret[\s\S]*give it from a Secret with envValueFrom/);
  });

  test("a sidecar's literal secret-looking variable fails the policy (secrets-not-literal): envValueFrom is the way", () => {
    const literal = withMattermost(input, { extraContainers: [{ name: "shipper", image: "fluent/fluent-bit:3.1", env: { SHIPPER_PASSWORD: "hunter2" } }] });
    expect(() => appOf(literal, "helm")).toThrow(/secrets-not-literal: container shipper sets SHIPPER_PASSWORD as a literal value; use a secretKeyRef/);
  });

  test("the Service takes the type, annotations and source ranges", () => {
    const service = onlyResource(stack, "kubernetes_service_v1");
    expect(service.spec.type).toBe("LoadBalancer");
    expect(service.spec.load_balancer_source_ranges).toEqual(["10.0.0.0/8"]);
    expect(service.metadata.annotations).toEqual({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" });
  });

  test("the NetworkPolicy admits the named sources on 8065 besides the ingress controller", () => {
    const rules = serverPolicy(stack).spec.ingress;
    const http = rules.filter((r: any) => r.ports.some((p: any) => p.port === "8065"));
    expect(http).toEqual([
      { from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ port: "8065", protocol: "TCP" }] },
      {
        from: [
          { ip_block: { cidr: "10.0.0.0/16" } },
          { namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } }, pod_selector: { match_labels: { "gateway.envoyproxy.io/owning-gateway-name": "chat" } } },
        ],
        ports: [{ port: "8065", protocol: "TCP" }],
      },
    ]);
  });

  test("the Ingress routes the extra hosts too and takes the extra annotations over the stack's", () => {
    const ingress = onlyResource(stack, "kubernetes_ingress_v1");
    expect(ingress.spec.rule.map((r: any) => r.host)).toEqual(["chat.test", "mattermost.test"]);
    expect(ingress.spec.tls[0].hosts).toEqual(["chat.test", "mattermost.test"]);
    expect(ingress.metadata.annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]).toBe("3600");
    expect(ingress.metadata.annotations["nginx.ingress.kubernetes.io/proxy-body-size"]).toBe("100m");
  });

  test("with the Ingress off: no Ingress, and the NetworkPolicy admits only what the user names on 8065", () => {
    const off = appOf(withMattermost(awsInput(), { ingressEnabled: false, httpAllowedFrom: [{ namespace: "envoy-gateway-system" }] }), "helm");
    expect(resources(off, "kubernetes_ingress_v1")).toEqual([]);
    // Nothing in front is known to overwrite X-Real-IP: Mattermost trusts no header and takes the TCP peer.
    expect(envOf(off).MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER).toEqual({ name: "MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER", value: "" });
    // With other sources let in next to the ingress controller, they could forge the header too.
    expect(envOf(stack).MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER.value).toBe("");
    expect(envOf(appOf(awsInput(), "helm")).MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER.value).toBe("X-Real-IP");
    expect(serverPolicy(off).spec.ingress).toEqual([
      { from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } } }], ports: [{ port: "8065", protocol: "TCP" }] },
    ]);
  });

  test("the autoscaler owns the replica count: the Deployment starts at minReplicas and Terraform ignores the count", () => {
    const hpa = onlyResource(stack, "kubernetes_horizontal_pod_autoscaler_v2");
    expect(hpa.spec.min_replicas).toBe(2);
    expect(hpa.spec.max_replicas).toBe(6);
    expect(hpa.spec.scale_target_ref).toEqual({ api_version: "apps/v1", kind: "Deployment", name: deployment.metadata.name });
    expect(hpa.spec.metric).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", average_utilization: 70 } } },
      { type: "Resource", resource: { name: "memory", target: { type: "Utilization", average_utilization: 85 } } },
    ]);
    expect(deployment.spec.replicas).toBe("2");
    expect(deployment.lifecycle.ignore_changes).toEqual(["spec[0].replicas"]);
    // Terraform waits for a rollout of as many pods as the autoscaler may run.
    expect(deployment.timeouts.update).toBe(`${6 * 485 + 60}s`);
  });

  test("the PodDisruptionBudget follows the autoscaler's minimum", () => {
    expect(resources(stack, "kubernetes_pod_disruption_budget_v1")).toHaveLength(1);
    const single = appOf(withMattermost(awsInput(), { clustering: true, autoscaling: { minReplicas: 1, maxReplicas: 3 } }), "helm");
    expect(resources(single, "kubernetes_pod_disruption_budget_v1")).toEqual([]);
    expect(deploymentOf(single).spec.replicas).toBe("1");
  });

  test("without an autoscaler the Deployment owns its replicas (no ignore_changes) and no HPA exists", () => {
    const plain = appOf(withMattermost(awsInput(), { clustering: true, replicas: 3 }), "helm");
    expect(deploymentOf(plain).spec.replicas).toBe("3");
    expect(deploymentOf(plain).lifecycle).toBeUndefined();
    expect(resources(plain, "kubernetes_horizontal_pod_autoscaler_v2")).toEqual([]);
  });

  test("a ServiceMonitor selects the Service's metrics port, with the labels Prometheus selects by", () => {
    const monitor = onlyResource(stack, "kubernetes_manifest").manifest;
    expect(monitor.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(monitor.kind).toBe("ServiceMonitor");
    expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
    const service = onlyResource(stack, "kubernetes_service_v1");
    expect(Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => service.metadata.labels[k] === v)).toBe(true);
    expect(service.spec.port.map((p: any) => p.name)).toContain(monitor.spec.endpoints[0].port);
    expect(monitor.spec.endpoints[0]).toEqual({ port: "metrics", path: "/metrics", interval: "30s" });
  });
});
