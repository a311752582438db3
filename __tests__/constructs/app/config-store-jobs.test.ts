import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_REVISION_VARIABLE } from "../../../constructs/app/mattermost-settings";
import { PSQL_IMAGE } from "../../../config/schema/mattermost";
import { PLUGIN_STATES_SCRIPT, pluginStates } from "../../../constructs/app/plugin-states-job";
import { SAML_UPLOAD_SCRIPT } from "../../../constructs/app/saml-certificate-job";
import { awsInput, environment, onlyResource, StackJson, synthEnvironments, tempDir } from "../../support/synth";
import { OwnDatabase, ownDatabase, PostgresServer, serversOfThisRun, stopAll } from "../../support/postgres";

/** The app stack of an environment built from `input`. */
function appOf(input: any, name = "dev"): StackJson {
  return synthEnvironments([environment(name, input)])[`${name}-app`];
}

function withMattermost(mattermost: any, base: any = awsInput()): any {
  return { ...base, mattermost: { ...base.mattermost, ...mattermost } };
}

function jobNamed(stack: StackJson, part: string): [string, any] {
  const found = Object.entries<any>(stack.resource!.kubernetes_job_v1).filter(([, job]) => job.metadata.name.includes(part));
  if (found.length !== 1) throw new Error(`expected one Job named *${part}*, found ${found.length}`);
  return found[0];
}

function deploymentEnv(stack: StackJson): Record<string, any> {
  return Object.fromEntries(onlyResource(stack, "kubernetes_deployment_v1").spec.template.spec.container[0].env.map((e: any) => [e.name, e]));
}

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUOne\n-----END CERTIFICATE-----\n";
const ROTATED = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTwo\n-----END CERTIFICATE-----\n";
const REGISTRY = { image: "registry.test/mattermost-enterprise-edition:10.11.4", registry: { server: "registry.test", username: "ci" } };

describe("plugins: a Job after the migration enables them in the config store", () => {
  const stack = appOf(withMattermost({ plugins: ["com.github.matterpoll.matterpoll", "mattermost-autolink"] }));
  const [pluginsId, plugins] = jobNamed(stack, "-plugins-");
  const [migrationId] = jobNamed(stack, "-migrate-");

  test("the Job: psql with the DSN from the Secret and the wanted states, after the migration", () => {
    const container = plugins.spec.template.spec.container[0];
    expect(plugins.metadata.name).toMatch(/^mattermost-dev-plugins-[0-9a-f]{8}$/);
    expect(container.image).toBe(PSQL_IMAGE);
    expect(container.env).toEqual([
      { name: "MATTERMOST_DSN", value_from: { secret_key_ref: { name: expect.any(String), key: "dsn" } } },
      { name: "PLUGIN_STATES", value: '{"com.github.matterpoll.matterpoll":{"Enable":true},"mattermost-autolink":{"Enable":true}}' },
    ]);
    expect(plugins.depends_on).toEqual([`kubernetes_job_v1.${migrationId}`]);
    expect(plugins.wait_for_completion).toBe(true);
    expect(plugins.spec.template.spec.automount_service_account_token).toBe(false);
  });

  test("the pods: no PluginStates variable, the Deployment waits for the Job and rolls when the list changes", () => {
    const env = deploymentEnv(stack);
    expect(env.MM_PLUGINSETTINGS_PLUGINSTATES).toBeUndefined();
    expect(onlyResource(stack, "kubernetes_deployment_v1").depends_on).toEqual([`kubernetes_job_v1.${migrationId}`, `kubernetes_job_v1.${pluginsId}`]);
    const other = appOf(withMattermost({ plugins: ["mattermost-autolink"] }));
    expect(deploymentEnv(other)[CONFIG_REVISION_VARIABLE].value).not.toBe(env[CONFIG_REVISION_VARIABLE].value);
    expect(jobNamed(other, "-plugins-")[1].metadata.name).not.toBe(plugins.metadata.name);
    // The migration Job does not change with the list: it would run again for nothing.
    expect(jobNamed(other, "-migrate-")[1]).toEqual(jobNamed(stack, "-migrate-")[1]);
  });

  test("the order of the list does not matter", () => {
    const reversed = appOf(withMattermost({ plugins: ["mattermost-autolink", "com.github.matterpoll.matterpoll"] }));
    expect(jobNamed(reversed, "-plugins-")[1].metadata.name).toBe(plugins.metadata.name);
  });

  test("no plugins: no Job, no revision variable", () => {
    const none = appOf(awsInput());
    expect(Object.values<any>(none.resource!.kubernetes_job_v1).map((j) => j.metadata.name)).toEqual([expect.stringMatching(/-migrate-/)]);
    expect(deploymentEnv(none)[CONFIG_REVISION_VARIABLE]).toBeUndefined();
  });

  test("a private registry: the Job gets the pull secret the other pods have", () => {
    const withRegistry = appOf(withMattermost({ ...REGISTRY, plugins: ["p"] }));
    expect(jobNamed(withRegistry, "-plugins-")[1].spec.template.spec.image_pull_secrets).toEqual([{ name: expect.stringContaining("kubernetes_secret_v1.registry") }]);
  });
});

describe("SAML certificate: only the certificate, the pull secret, and the pods roll when it changes", () => {
  const saml = (extra: any) => withMattermost({ ...REGISTRY, saml: { preset: "ubuntu-sso", ...extra } });

  test("inline PEM: a ConfigMap named after its hash, no data source, nothing to create before the first deploy", () => {
    const stack = appOf(saml({ idpCertificate: PEM }));
    expect(stack.data?.kubernetes_secret_v1).toBeUndefined();
    const configMap = onlyResource(stack, "kubernetes_config_map_v1");
    const hash = createHash("sha256").update(PEM).digest("hex").slice(0, 8);
    expect(configMap.metadata.name).toBe(`mattermost-dev-saml-idp-${hash}`);
    expect(configMap.data).toEqual({ certificate: PEM });
    const [, job] = jobNamed(stack, "-saml-certificate-");
    expect(job.metadata.name).toBe(`mattermost-dev-saml-certificate-${hash}`);
    expect(job.spec.template.spec.volume).toContainEqual({ name: "saml-certificate", config_map: { name: expect.stringContaining("kubernetes_config_map_v1."), default_mode: "0444" } });
    expect(deploymentEnv(stack)[CONFIG_REVISION_VARIABLE].value).toBe(hash);
  });

  test("a rotated certificate: a new Job, and a new pod template (Mattermost configures SAML only at start and on config events)", () => {
    const before = appOf(saml({ idpCertificate: PEM }));
    const after = appOf(saml({ idpCertificate: ROTATED }));
    expect(jobNamed(after, "-saml-certificate-")[1].metadata.name).not.toBe(jobNamed(before, "-saml-certificate-")[1].metadata.name);
    expect(deploymentEnv(after)[CONFIG_REVISION_VARIABLE].value).not.toBe(deploymentEnv(before)[CONFIG_REVISION_VARIABLE].value);
  });

  test("a Secret: checked at plan (missing, misspelt or holding more than the certificate), only its certificate key mounted", () => {
    const stack = appOf(saml({ idpCertificateSecretName: "idp-cert" }));
    const [source] = Object.values<any>(stack.data!.kubernetes_secret_v1);
    expect(source.lifecycle.postcondition).toEqual([
      {
        condition: '${try(length(self.data) == 1 && contains(keys(self.data), "certificate"), false)}',
        error_message: expect.stringContaining('mattermost.saml.idpCertificateSecretName: Secret "idp-cert" in namespace "mattermost" is missing or holds more than the key "certificate"'),
      },
    ]);
    expect(source.lifecycle.postcondition[0].error_message).toContain("give the certificate as mattermost.saml.idpCertificate instead");
    // Plain text, not a reference to the Namespace this stack creates: see the next test.
    expect(source.metadata).toEqual({ name: "idp-cert", namespace: "mattermost" });
    const [, job] = jobNamed(stack, "-saml-certificate-");
    expect(job.spec.template.spec.volume).toContainEqual({ name: "saml-certificate", secret: { secret_name: "idp-cert", default_mode: "0444", items: [{ key: "certificate", path: "certificate" }] } });
    expect(deploymentEnv(stack)[CONFIG_REVISION_VARIABLE].value).toMatch(/^\$\{substr\(nonsensitive\(sha256\(jsonencode\(data\.kubernetes_secret_v1\.[\w-]+\.data\)\)\), 0, 8\)\}$/);
  });

  test("the Job mounts no licence (it has none to mount: MM_LICENSE is an env var), and gets the pull secret", () => {
    const stack = appOf(saml({ idpCertificate: PEM }));
    const [, job] = jobNamed(stack, "-saml-certificate-");
    const pod = job.spec.template.spec;
    // Besides the certificate, only the database's CA: RDS is verified by default (verify-full), and
    // the Job connects with the DSN, whose sslrootcert names that mount.
    expect(pod.volume.map((v: any) => v.name).sort()).toEqual(["database-ca", "saml-certificate"]);
    expect(pod.container[0].volume_mount.map((m: any) => m.name).sort()).toEqual(["database-ca", "saml-certificate"]);
    expect(pod.image_pull_secrets).toEqual([{ name: expect.stringContaining("kubernetes_secret_v1.registry") }]);
    expect(JSON.stringify(job)).not.toContain("licence");
  });

  test("plugins and a certificate together: one revision made of both", () => {
    const stack = appOf(withMattermost({ plugins: ["p"], saml: { preset: "ubuntu-sso", idpCertificate: PEM } }));
    expect(deploymentEnv(stack)[CONFIG_REVISION_VARIABLE].value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(onlyResource(stack, "kubernetes_deployment_v1").depends_on).toHaveLength(3);
  });
});

describe("the Secret's data source, on the real terraform", () => {
  // Its postcondition on every shape of Secret, with the licence Secret's, in one plan:
  // day-two-terraform.test.ts ("the Secrets a user keeps are checked at plan").

  test("why the namespace is plain text: Terraform reads a data source that refers to a resource with pending changes only at apply", () => {
    const planned = (namespace: string) => {
      const dir = tempDir("tf-deferred");
      fs.writeFileSync(
        path.join(dir, "main.tf.json"),
        JSON.stringify({
          resource: { terraform_data: { namespace: { input: "missing.tfstate" } } },
          data: { terraform_remote_state: { secret: { backend: "local", config: { path: namespace }, defaults: { read: "at plan" } } } },
          output: { secret: { value: "${data.terraform_remote_state.secret.outputs}" } },
        }),
      );
      try {
        return execFileSync("terraform", ["plan", "-input=false", "-no-color"], { cwd: dir, encoding: "utf8", stdio: "pipe" });
      } catch (error: any) {
        if (error.code === "ENOENT") throw new Error("terraform is not on PATH: install Terraform >= 1.10 to run this test");
        return `${error.stdout}${error.stderr}`;
      }
    };
    // A reference to the resource being created (the first deploy's Namespace): not read at plan,
    // so the missing thing goes unnoticed until apply.
    const referenced = planned("${terraform_data.namespace.input}");
    expect(referenced).toMatch(/\+ secret = \(known after apply\)/);
    expect(referenced).not.toContain("Error");
    // The same name as text: read at plan, so the missing thing fails the plan.
    expect(planned("missing.tfstate")).toContain("Error: Unable to find remote state");
  });
});

/** Mattermost's config store tables (server/config/migrations/postgres), as `mattermost db migrate` leaves them. */
const CONFIG_TABLES = `
CREATE TABLE IF NOT EXISTS configurations (id varchar(26), value text NOT NULL, createat bigint NOT NULL, active boolean DEFAULT NULL, PRIMARY KEY (id), UNIQUE (active));
ALTER TABLE configurations ADD COLUMN IF NOT EXISTS sha varchar(64) DEFAULT '';
CREATE TABLE IF NOT EXISTS configurationfiles (name varchar(64) PRIMARY KEY, data text NOT NULL, createat bigint NOT NULL, updateat bigint NOT NULL);
`;

describe("the Jobs' SQL on a real PostgreSQL", () => {
  // A database of its own on the run's PostgreSQL 15 (the servers of jest's globalSetup).
  let servers: PostgresServer[] = [];
  let stopServers = false;
  let pg: OwnDatabase;
  beforeAll(async () => {
    ({ servers, stop: stopServers } = await serversOfThisRun([15]));
    pg = await ownDatabase(servers[0], "config_store_jobs");
    pg.sql(CONFIG_TABLES);
  }, 120_000);
  afterAll(async () => {
    if (stopServers) await stopAll(servers);
  });

  const enable = (plugins: string[]) =>
    execFileSync("sh", ["-ec", PLUGIN_STATES_SCRIPT], { env: { PATH: pg.path, MATTERMOST_DSN: pg.dsn, PLUGIN_STATES: pluginStates(plugins) }, stdio: "pipe" });
  const active = () => JSON.parse(pg.sql("SELECT value FROM configurations WHERE active"));
  const rows = () => Number(pg.sql("SELECT count(*) FROM configurations"));

  test("before Mattermost's first start (no active configuration): what DatabaseStore.Load starts from, plus the states", () => {
    pg.sql("DELETE FROM configurations");
    enable(["com.github.matterpoll.matterpoll"]);
    expect(active()).toEqual({
      SqlSettings: { DriverName: "postgres", DataSource: pg.dsn },
      PluginSettings: { Enable: true, PluginStates: { "com.github.matterpoll.matterpoll": { Enable: true } } },
    });
    const [value, sha] = pg.sql("SELECT value || '|' || sha FROM configurations WHERE active").split("|");
    expect(sha).toBe(createHash("sha256").update(value).digest("hex"));
    expect(pg.sql("SELECT length(id) FROM configurations WHERE active")).toBe("26");
  });

  test("an existing configuration: the listed plugins are enabled, every other plugin and setting stays as it was", () => {
    pg.sql("DELETE FROM configurations");
    const stored = {
      ServiceSettings: { SiteURL: "https://chat.test" },
      PluginSettings: { Enable: true, EnableUploads: false, PluginStates: { playbooks: { Enable: true }, "com.mattermost.calls": { Enable: false }, "com.mattermost.nps": { Enable: true } } },
    };
    pg.sql(`INSERT INTO configurations (id, value, createat, active, sha) VALUES ('old', '${JSON.stringify(stored)}', 1, true, '')`);
    enable(["com.github.matterpoll.matterpoll", "com.mattermost.nps"]);
    expect(active()).toEqual({
      ServiceSettings: { SiteURL: "https://chat.test" },
      PluginSettings: {
        Enable: true,
        EnableUploads: false,
        PluginStates: { playbooks: { Enable: true }, "com.mattermost.calls": { Enable: false }, "com.mattermost.nps": { Enable: true }, "com.github.matterpoll.matterpoll": { Enable: true } },
      },
    });
    // Saved the way Mattermost saves: the old row deactivated, a new one active, one active row in all.
    expect(pg.sql("SELECT active IS NULL FROM configurations WHERE id = 'old'")).toBe("t");
    expect(pg.sql("SELECT count(*) FROM configurations WHERE active")).toBe("1");
  });

  test("idempotent: running it again writes nothing", () => {
    const before = rows();
    enable(["com.github.matterpoll.matterpoll", "com.mattermost.nps"]);
    enable(["com.github.matterpoll.matterpoll"]);
    expect(rows()).toBe(before);
  });

  test("what an admin switched in the System Console for another plugin survives the next run", () => {
    const current = active();
    current.PluginSettings.PluginStates["playbooks"] = { Enable: false };
    pg.sql(`UPDATE configurations SET active = NULL WHERE active`);
    pg.sql(`INSERT INTO configurations (id, value, createat, active, sha) VALUES ('admin', '${JSON.stringify(current)}', 2, true, '')`);
    const before = rows();
    enable(["com.github.matterpoll.matterpoll"]);
    expect(active().PluginSettings.PluginStates.playbooks).toEqual({ Enable: false });
    expect(rows()).toBe(before);
  });

  test("the SAML Job's upsert: the certificate lands as saml-idp.crt, and a rotated one replaces it", () => {
    const dir = tempDir("saml");
    const script = SAML_UPLOAD_SCRIPT.replace(/\/saml\//g, `${dir}/`);
    for (const pem of [PEM, ROTATED]) {
      fs.writeFileSync(path.join(dir, "certificate"), pem);
      execFileSync("sh", ["-ec", script], { env: { PATH: pg.path, MATTERMOST_DSN: pg.dsn }, stdio: "pipe" });
      expect(pg.sql("SELECT data FROM configurationfiles WHERE name = 'saml-idp.crt'")).toBe(pem.trim());
    }
    expect(pg.sql("SELECT count(*) FROM configurationfiles")).toBe("1");
  });
});
