import * as fs from "fs";
import * as path from "path";
import { SUPPORTED_POSTGRES_MAJORS } from "../../config/schema/database";
import { environmentSchema } from "../../config/schema/environment";
import { mattermostSchema, RESERVED_ENV } from "../../config/schema/mattermost";
import { managingKey } from "../../config/schema/mattermost-env";
import { awsInput, environment, localInput, onlyResource, PROJECT_ROOT, resources, serverPolicy, StackJson, synthEnvironments } from "../support/synth";

/** The Mattermost server pods' NetworkPolicy (the app stack also has one for its Jobs' pods). */
/**
 * Claims of docs/app.md and of README.md's key tables that no other test held, checked on the
 * synthesized JSON or against the schema. Each test names the sentence or the table it holds to.
 */

const APP_DOC = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "app.md"), "utf8");
const README = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");

/** The doc between a heading and the next heading of the same level (or the end). */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = /^#+/.exec(heading)![0];
  const next = markdown.slice(start + heading.length).search(new RegExp(`^${level} `, "m"));
  return next < 0 ? markdown.slice(start) : markdown.slice(start, start + heading.length + next);
}

/** The rows of the first Markdown table in `text`, as lists of cells (header and rule dropped). */
function tableRows(text: string): string[][] {
  const all = text.split("\n");
  const start = all.findIndex((line) => line.startsWith("|"));
  const end = all.findIndex((line, i) => i > start && !line.startsWith("|"));
  const lines = all.slice(start, end < 0 ? undefined : end);
  return lines.slice(2).map((line) => line.replace(/\\\|/g, "\u0000").split("|").slice(1, -1).map((cell) => cell.replace(/\u0000/g, "|").trim()));
}

/** Follows optional/default/prefault/pipe/union wrappers to every object shape a schema may be. */
function shapesOf(schema: any): Record<string, any>[] {
  const def = schema?._zod?.def;
  if (!def) return [];
  switch (def.type) {
    case "object":
      return [def.shape];
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
      return shapesOf(def.innerType);
    case "pipe":
      return [...shapesOf(def.in), ...shapesOf(def.out)];
    case "union":
      return def.options.flatMap(shapesOf);
    case "array":
      return shapesOf(def.element);
    default:
      return [];
  }
}

/** Whether `dotted` (e.g. `storage.irsa.oidcProviderArn`) is a key of the environment schema. */
function isKey(dotted: string): boolean {
  let schemas: any[] = [environmentSchema];
  for (const part of dotted.split(".")) {
    schemas = schemas.flatMap(shapesOf).map((shape) => shape[part]).filter((s) => s !== undefined);
    if (schemas.length === 0) return false;
  }
  return true;
}

/** The keys a first cell names: `a.b`, `c`, `d`/`e` are a.b, a.c, a.d, a.e (parenthesised values skipped). */
function keysOfCell(cell: string, prefix = ""): string[] {
  const names = [...cell.replace(/\([^)]*\)/g, "").matchAll(/`([A-Za-z][A-Za-z0-9.]*)`/g)].map((m) => m[1]);
  if (names.length === 0) return [];
  const first = prefix ? `${prefix}.${names[0]}` : names[0];
  const parent = first.split(".").slice(0, -1).join(".");
  return [first, ...names.slice(1).map((name) => (parent ? `${parent}.${name}` : name))];
}

/** Every Kubernetes object of a stack (resources whose type starts with kubernetes_). */
function kubernetesObjects(stack: StackJson): [string, any][] {
  return Object.entries(stack.resource ?? {})
    .filter(([type]) => type.startsWith("kubernetes_"))
    .flatMap(([type, byName]) => Object.values<any>(byName).map((body) => [type, body] as [string, any]));
}

/** Every container variable name of every Deployment and Job of the stacks. */
function variableNames(stacks: StackJson[]): Set<string> {
  const names = new Set<string>();
  for (const stack of stacks) {
    for (const type of ["kubernetes_deployment_v1", "kubernetes_job_v1"]) {
      for (const workload of resources(stack, type)) {
        for (const container of workload.spec.template.spec.container) for (const env of container.env ?? []) names.add(env.name);
      }
    }
  }
  return names;
}

/** An environment with every key that makes an object or a variable, S3 through IRSA. */
function everything(): any {
  const input = awsInput();
  input.storage = {
    kind: "s3",
    access: "irsa",
    irsa: { oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789" },
    serverSideEncryption: true,
  };
  input.mattermost = {
    ...input.mattermost,
    registry: { server: "registry.example.com", username: "robot" },
    image: "registry.example.com/mattermost/mattermost-enterprise-edition:10.11.4",
    autoscaling: { minReplicas: 2, maxReplicas: 4 },
    clustering: true,
    performanceMonitoring: true,
    serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
    debug: true,
    pushNotificationServer: "https://push.mattermost.com",
    smtp: { host: "smtp.test", user: "chat", fromAddress: "chat@test.example" },
    saml: { preset: "ubuntu-sso", idpCertificateSecretName: "ubuntu-sso-idp" },
    outboundProxy: "http://squid.proxy.svc:3128",
    outboundProxyExceptions: [".internal"],
    imageProxyEnabled: true,
    primaryTeam: "staff",
    plugins: ["com.github.matterpoll.matterpoll"],
    certManagerClusterIssuer: "letsencrypt",
    tlsSecretName: "chat-tls",
  };
  return input;
}

/** Every secret variable of README's table at once: external storage, licence, SMTP user, registry. */
function allSecrets(): any {
  const input = localInput();
  input.storage = { kind: "external", endpoint: "http://minio.internal:9000", bucket: "chat" };
  input.mattermost = {
    ...input.mattermost,
    image: "registry.example.com/mattermost/mattermost-enterprise-edition:10.11.4",
    licensed: true,
    smtp: { host: "smtp.test", user: "chat", fromAddress: "chat@test.example" },
    registry: { server: "registry.example.com", username: "robot" },
  };
  return input;
}

// One synth for the whole file.
const stacks = synthEnvironments([environment("full", everything()), environment("files", localInput()), environment("all", allSecrets())]);
const full = stacks["full-app"];
const files = stacks["files-app"];

describe("docs/app.md, What it creates", () => {
  test("every object is named mattermost-<env> or mattermost-<env>-<purpose>, in the storage offer's namespace", () => {
    for (const [stack, env] of [[full, "full"], [files, "files"]] as const) {
      const namespace = "${data.terraform_remote_state.storage.outputs.storage_namespace}";
      for (const [type, body] of kubernetesObjects(stack)) {
        const metadata = type === "kubernetes_manifest" ? body.manifest.metadata : body.metadata;
        expect([type, metadata.name]).toEqual([type, expect.stringMatching(new RegExp(`^mattermost-${env}(-[a-z0-9-]+)?(\\$\\{.*sha256.*\\})?$`))]);
        expect([type, metadata.namespace]).toEqual([type, namespace]);
      }
    }
  });

  test("the app stack holds no database, bucket, claim or namespace: destroying it loses no messages or files", () => {
    for (const stack of [full, files]) {
      const types = Object.keys(stack.resource ?? {});
      expect(types.filter((type) => /^(aws_|postgresql_|random_)|persistent_volume_claim|namespace/.test(type))).toEqual([]);
    }
  });

  test("the kinds of objects the table lists, and no other", () => {
    // The ConfigMap comes only with saml.idpCertificate (this environment reads the certificate from a Secret).
    expect(Object.keys(full.resource ?? {}).filter((type) => type.startsWith("kubernetes_")).sort()).toEqual([
      "kubernetes_deployment_v1",
      "kubernetes_horizontal_pod_autoscaler_v2",
      "kubernetes_ingress_v1",
      "kubernetes_job_v1",
      "kubernetes_manifest",
      "kubernetes_network_policy_v1",
      "kubernetes_pod_disruption_budget_v1",
      "kubernetes_secret_v1",
      "kubernetes_service_account_v1",
      "kubernetes_service_v1",
    ]);
  });

  test("the registry Secret is a kubernetes.io/dockerconfigjson pull secret, and the licence Secret's name carries a hash", () => {
    const secrets = resources(full, "kubernetes_secret_v1");
    expect(secrets.find((s) => s.metadata.name === "mattermost-full-registry").type).toBe("kubernetes.io/dockerconfigjson");
    expect(secrets.map((s) => s.metadata.name)).toContainEqual(expect.stringMatching(/^mattermost-full-licence-\$\{substr\(nonsensitive\(sha256\(var\.mattermost_licence\)\), 0, 8\)\}$/));
  });

  test("the Service is ClusterIP on 8065 (and 8067 with performanceMonitoring)", () => {
    const ports = (stack: StackJson) => onlyResource(stack, "kubernetes_service_v1").spec.port.map((p: any) => p.port);
    expect(onlyResource(files, "kubernetes_service_v1").spec.type).toBe("ClusterIP");
    expect(ports(files)).toEqual([8065]);
    expect(ports(full)).toEqual([8065, 8067]);
  });
});

describe("docs/app.md, the pods", () => {
  const deployment = onlyResource(files, "kubernetes_deployment_v1");
  const container = deployment.spec.template.spec.container[0];

  test("a first start gets up to 5 minutes: a startup probe every 10 s, 30 times", () => {
    expect([container.startup_probe.period_seconds, container.startup_probe.failure_threshold]).toEqual([10, 30]);
  });

  test("topology spread constraints prefer (ScheduleAnyway), never require, different nodes and zones", () => {
    const spread = deployment.spec.template.spec.topology_spread_constraint;
    expect(spread.map((c: any) => [c.topology_key, c.when_unsatisfiable])).toEqual([
      ["kubernetes.io/hostname", "ScheduleAnyway"],
      ["topology.kubernetes.io/zone", "ScheduleAnyway"],
    ]);
  });

  test("Upgrades: the old pod's grace period is 60 s; the migration Job retries 3 times within its deadline", () => {
    expect(deployment.spec.template.spec.termination_grace_period_seconds).toBe(60);
    const job = resources(files, "kubernetes_job_v1").find((j) => j.metadata.name.includes("-migrate-"));
    expect([job.spec.backoff_limit, job.spec.active_deadline_seconds]).toEqual([3, 1800]);
    expect(job.spec.template.spec.container[0].command ?? job.spec.template.spec.container[0].args).toEqual(expect.arrayContaining(["db", "migrate"]));
  });

  test("Egress: the NetworkPolicy restricts it (Ingress and Egress policy types), see network.md", () => {
    for (const stack of [full, files]) {
      expect(serverPolicy(stack).spec.policy_types).toEqual(["Ingress", "Egress"]);
    }
  });
});

describe("docs/app.md, the keys table", () => {
  const rows = tableRows(section(APP_DOC, "## Keys"));

  test("every key a row names exists in the mattermost section of the schema", () => {
    const keys = rows.flatMap(([first]) => [...first.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]));
    expect(keys.length).toBeGreaterThan(40);
    expect(keys.filter((key) => !(key in mattermostSchema.shape))).toEqual([]);
  });

  test("every literal default the table gives is the schema's default", () => {
    const parsed: any = mattermostSchema.parse({ image: "mattermost/mattermost-team-edition:10.11.4", siteUrl: "https://chat.test" });
    const checked: string[] = [];
    for (const [first, defaults] of rows) {
      const keys = [...first.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]);
      const values = defaults.split(/\s*(?:,|\/)\s*/);
      if (keys.length !== values.length) continue;
      keys.forEach((key, i) => {
        const literal = /^`([^`]*)`$/.exec(values[i]);
        if (!literal) return;
        const expected = literal[1] === "[]" ? [] : literal[1] === "{}" ? {} : literal[1] === '""' ? "" : /^(true|false|\d+)$/.test(literal[1]) ? JSON.parse(literal[1]) : literal[1];
        expect([key, parsed[key]]).toEqual([key, expected]);
        checked.push(key);
      });
    }
    expect(checked).toEqual(expect.arrayContaining(["replicas", "maxFileSizeMb", "clustering", "licensed", "metricsNamespace", "ingressControllerNamespace", "plugins", "extraEnv", "maxUsersPerTeam", "serviceType", "ingressEnabled"]));
  });

  test("pushNotificationsIncludeMessageSnippet sets nothing without pushNotificationServer", () => {
    expect(variableNames([files]).has("MM_EMAILSETTINGS_PUSHNOTIFICATIONCONTENTS")).toBe(false);
    expect(variableNames([full]).has("MM_EMAILSETTINGS_PUSHNOTIFICATIONCONTENTS")).toBe(true);
  });
});

describe("docs/app.md names only keys and variables that exist", () => {
  /**
   * Settings the doc tells the user to set through extraEnv or envValueFrom (the stack never sets
   * them), each checked against the source the doc cites next to it.
   */
  const USERS_SETTINGS = new Set([
    "MM_SERVICESETTINGS_ENABLELOCALMODE", // server/public/model/config.go, ServiceSettings.EnableLocalMode
    "MM_GITLABSETTINGS_SECRET", // GitLabSettings.Secret and .Id (an SSOSettings), the doc's envValueFrom example
    "MM_GITLABSETTINGS_ID",
    "MM_CALLS_RTCD_SERVICE_URL", // mattermost-plugin-calls server/environment.go, applyEnvOverrides
    "MM_CALLS_RTCD_URL", // mattermost-plugin-calls server/configuration.go, getRTCDURL
    "MM_SERVICESETTINGS_CLOSEUNUSEDDIRECTMESSAGES", // the charm's use_canonical_defaults bundle: ServiceSettings fields
    "MM_SERVICESETTINGS_ENABLECUSTOMEMOJI",
    "MM_SERVICESETTINGS_ENABLELINKPREVIEWS",
    "MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS",
    "MM_EXPERIMENTALSETTINGS_USENEWSAMLLIBRARY", // ExperimentalSettings.UseNewSAMLLibrary, on the releases that have it
  ]);

  test("every MM_ variable the doc names is set by the stack, refused by the schema, or a setting it tells you to set", () => {
    const set = variableNames(Object.values(stacks));
    const named = new Set([...APP_DOC.matchAll(/\b(MM_[A-Z0-9_]*[A-Z0-9])\b/g)].map((m) => m[1]));
    const unknown = [...named].filter((name) => !set.has(name) && !(RESERVED_ENV as readonly string[]).includes(name) && !managingKey(name) && !USERS_SETTINGS.has(name));
    expect(unknown).toEqual([]);
  });

  test("every section.key path the doc quotes is a key of the schema", () => {
    const quoted = new Set([...APP_DOC.matchAll(/`((?:backend|aws|kubernetes|database|storage|mattermost|network|policy)(?:\.[A-Za-z][A-Za-z0-9]*)+)(?=[`:\s])/g)].map((m) => m[1]));
    expect(quoted.size).toBeGreaterThan(30);
    expect([...quoted].filter((key) => !isKey(key))).toEqual([]);
  });
});

describe("README.md, the key tables", () => {
  const keysTable = tableRows(section(README, "### Keys, and the charm option each replaces"));

  test("every key the table names is a key of the schema", () => {
    const keys = keysTable.flatMap(([first]) => keysOfCell(first));
    expect(keys.length).toBeGreaterThan(100);
    expect(keys.filter((key) => !isKey(key))).toEqual([]);
  });

  test("every literal default the table gives is the schema's default", () => {
    const local = localInput();
    delete local.storage.size;
    const external = { ...localInput(), storage: { kind: "external", endpoint: "https://minio.internal", bucket: "chat" } };
    const parsed = [environmentSchema.parse(local), environmentSchema.parse(awsInput()), environmentSchema.parse(external)];
    const at = (env: any, dotted: string) => dotted.split(".").reduce((value, part) => value?.[part], env);
    const checked: string[] = [];
    for (const [first, defaults] of keysTable) {
      const keys = keysOfCell(first);
      const values = defaults.split(/\s*,\s*/);
      if (keys.length !== values.length) continue;
      keys.forEach((key, i) => {
        const literal = /^`([^`]*)`$/.exec(values[i]);
        if (!literal) return;
        const expected = literal[1] === "[]" ? [] : literal[1] === "{}" ? {} : literal[1] === '""' ? "" : /^(true|false|-?\d+)$/.test(literal[1]) ? JSON.parse(literal[1]) : literal[1];
        const actual = parsed.map((env) => at(env, key)).find((value) => value !== undefined);
        expect([key, actual]).toEqual([key, expected]);
        checked.push(key);
      });
    }
    expect(checked).toEqual(expect.arrayContaining(["kubernetes.namespace", "database.port", "database.adminUser", "storage.size", "storage.accessMode", "storage.noncurrentVersionDays", "storage.region", "storage.pathPrefix", "mattermost.replicas", "network.egress.dnsNamespace", "policy.waivers"]));
  });

  test("the sslMode note cites the driver that reads an empty sslmode as require", () => {
    expect(keysTable.find(([first]) => first.includes("`database.name`"))![3]).toContain("lib/pq v1.10.9, the version in mattermost/mattermost `server/go.mod`, `ssl.go`, `ssl()`: `case \"\", \"require\"`");
  });

  test("the RDS row's PostgreSQL majors are the ones the schema accepts", () => {
    const row = keysTable.find(([first]) => first.includes("`database.vpcId`"))!;
    const [, from, to] = /PostgreSQL (\d+) to (\d+)/.exec(row[3])!;
    expect([Number(from), Number(to)]).toEqual([SUPPORTED_POSTGRES_MAJORS[0], SUPPORTED_POSTGRES_MAJORS[SUPPORTED_POSTGRES_MAJORS.length - 1]]);
  });

  test("every section of the schema has a row (backend, aws, kubernetes, database, storage, mattermost, network, policy)", () => {
    const sections = new Set(keysTable.flatMap(([first]) => keysOfCell(first)).map((key) => key.split(".")[0]));
    expect([...sections].sort()).toEqual(["aws", "backend", "database", "kubernetes", "mattermost", "network", "policy", "storage"]);
  });

  test("every key of the mattermost section is in a row", () => {
    const keys = new Set(keysTable.flatMap(([first]) => keysOfCell(first)));
    expect(Object.keys(mattermostSchema.shape).filter((key) => !keys.has(`mattermost.${key}`))).toEqual([]);
  });

  test("the secrets table: each variable is a sensitive variable of the stack it names, only when its key asks for it", () => {
    const rows = tableRows(README.slice(README.indexOf("| variable | stack | when |")));
    expect(rows.length).toBe(5);
    for (const [variables, stack] of rows) {
      for (const [, name] of variables.matchAll(/`([a-z_]+)`/g)) {
        const sensitive = !variables.includes(`\`${name}\` (not sensitive`);
        expect([name, stacks[`all-${stack}`].variable?.[name]?.sensitive ?? false]).toEqual([name, sensitive]);
        if (name !== "database_admin_password") expect([name, stacks[`files-${stack}`].variable?.[name]]).toEqual([name, undefined]);
      }
    }
  });
});
