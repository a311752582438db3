import * as fs from "fs";
import * as path from "path";
import { awsInput, environment, localInput, PROJECT_ROOT, rejectionsOf, resources, StackJson, synthEnvironments, synthShipped } from "../support/synth";

/**
 * Claims of docs/database.md and docs/helm.md that no other test proved, checked on the synthesized
 * JSON (no terraform, no PostgreSQL). Each test names the sentence it holds to.
 */

const shipped = synthShipped();
const databaseMd = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "database.md"), "utf8");
const helmMd = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "helm.md"), "utf8");

/** Every resource address (`type.name`) of a stack. */
function addresses(stack: StackJson): string[] {
  return Object.entries(stack.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
}

function deploymentOf(stack: StackJson): any {
  const [deployment] = resources(stack, "kubernetes_deployment_v1");
  return deployment;
}

describe("docs/database.md", () => {
  test("destroying <env>-app never touches the database (nor the claim or the namespace): no app stack holds them or the postgresql provider", () => {
    for (const id of Object.keys(shipped).filter((stackId) => stackId.endsWith("-app"))) {
      const stack = shipped[id];
      const held = /^(postgresql_|aws_db_|random_password\.|kubernetes_persistent_volume_claim|kubernetes_namespace)/;
      expect([id, addresses(stack).filter((address) => held.test(address))]).toEqual([id, []]);
      expect([id, stack.provider?.postgresql]).toEqual([id, undefined]);
    }
  });

  test("Mattermost's role gets a generated 40-character password of letters and digits", () => {
    const [password] = resources(shipped["local-database"], "random_password");
    expect(password).toMatchObject({ length: 40, special: false });
  });

  test("the addresses the how-tos type exist as written (rotation, restore)", () => {
    // Construct ids, not the environment, make these names: the same in every environment.
    const rotate = /-replace='(random_password\.\w+)'/.exec(databaseMd)?.[1];
    const restore = /terraform state rm (aws_db_instance\.\w+)/.exec(databaseMd)?.[1];
    expect(rotate).toBeDefined();
    expect(restore).toBeDefined();
    for (const id of ["local-database", "production-database"]) {
      if (id === "production-database") expect(addresses(shipped[id])).toContain(restore);
      expect(addresses(shipped[id])).toContain(rotate);
    }
    expect(databaseMd).toContain(`terraform import ${restore} mattermost-<env>-postgres-restored`);
  });

  test("the removal path's `state rm` selects exactly what prevent_destroy guards, for both kinds", () => {
    const pattern = /grep -E '([^']+)' \| xargs -n1 terraform state rm/.exec(databaseMd)?.[1];
    expect(pattern).toBeDefined();
    for (const id of ["local-database", "production-database"]) {
      const stack = shipped[id];
      const guarded = Object.entries(stack.resource ?? {})
        .flatMap(([type, byName]) => Object.entries<any>(byName).filter(([, body]) => body.lifecycle?.prevent_destroy === true).map(([name]) => `${type}.${name}`))
        .sort();
      expect(guarded.map((address) => address.split(".")[0])).toEqual(["postgresql_database", "postgresql_role"]);
      expect(addresses(stack).filter((address) => new RegExp(pattern!).test(address)).sort()).toEqual(guarded);
    }
  });

  test("connectionLimit's advice works: MM_SQLSETTINGS_MAXOPENCONNS is accepted in mattermost.extraEnv and reaches the server", () => {
    const input = localInput();
    input.mattermost = { ...input.mattermost, extraEnv: { MM_SQLSETTINGS_MAXOPENCONNS: 100 } };
    const stack = synthEnvironments([environment("dev", input)])["dev-app"];
    const env = deploymentOf(stack).spec.template.spec.container[0].env;
    expect(env).toContainEqual({ name: "MM_SQLSETTINGS_MAXOPENCONNS", value: "100" });
  });

  test("the keys' limits: two subnets at least, 1 to 35 days of backups (RDS keeps automated backups at most 35 days)", () => {
    const rejected = (change: (database: any) => void) => {
      const input = awsInput();
      change(input.database);
      return rejectionsOf({ "dev.yaml": input });
    };
    expect(rejected((d) => (d.subnetIds = ["subnet-0123456789abcdef0"]))).toEqual([expect.stringMatching(/database\.subnetIds: .*at least two subnets in different availability zones/)]);
    expect(rejected((d) => (d.backupRetentionDays = 36))).toEqual([expect.stringMatching(/database\.backupRetentionDays: .*at most 35 days/)]);
  });

  test("a log retention and exports reach CloudWatch as configured; each group is named after the instance", () => {
    const input = awsInput();
    Object.assign(input.database, { logExports: ["postgresql"], logRetentionDays: 90 });
    const stack = synthEnvironments([environment("dev", input)])["dev-database"];
    expect(resources(stack, "aws_cloudwatch_log_group")).toEqual([
      expect.objectContaining({ name: "/aws/rds/instance/mattermost-dev-postgres/postgresql", retention_in_days: 90 }),
    ]);
  });
});

describe("docs/helm.md", () => {
  test("image.imagePullPolicy is not a key: the stack sets no pull policy, so Kubernetes' default for the reference applies", () => {
    for (const id of ["local-app", "production-app"]) {
      const pod = deploymentOf(shipped[id]).spec.template.spec;
      for (const container of [...pod.container, ...(pod.init_container ?? [])]) expect([id, container.name, container.image_pull_policy]).toEqual([id, container.name, undefined]);
    }
  });

  test("ingress.annotations: the allow-list, ssl-redirect and the cert-manager issuer are refused there too, naming the key to use", () => {
    const input = localInput();
    input.mattermost = {
      ...input.mattermost,
      ingressAnnotations: {
        "nginx.ingress.kubernetes.io/whitelist-source-range": "10.0.0.0/8",
        "nginx.ingress.kubernetes.io/ssl-redirect": "false",
        "cert-manager.io/cluster-issuer": "letsencrypt",
      },
    };
    const problems = rejectionsOf({ "dev.yaml": input }).join("\n");
    expect(problems).toMatch(/whitelist-source-range: is set by mattermost\.ingressAllowedSourceRanges/);
    expect(problems).toMatch(/ssl-redirect: is set by mattermost\.siteUrl/);
    expect(problems).toMatch(/cluster-issuer: is set by mattermost\.certManagerClusterIssuer/);
  });

  test("extraPorts: a sidecar declares its own ports, which reach its container", () => {
    const input = localInput();
    input.mattermost = { ...input.mattermost, extraContainers: [{ name: "exporter", image: "busybox:1.36", ports: [{ name: "metrics", containerPort: 9100 }] }] };
    const pod = deploymentOf(synthEnvironments([environment("dev", input)])["dev-app"]).spec.template.spec;
    const sidecar = pod.container.find((container: any) => container.name === "exporter");
    expect(sidecar.port).toEqual([expect.objectContaining({ name: "metrics", container_port: 9100, protocol: "TCP" })]);
  });

  test("step 5 removes the release's Deployment and Service by the release's labels, which none of the stack's objects carries", () => {
    expect(helmMd).toContain("kubectl -n $NS delete deployment,service -l app.kubernetes.io/instance=$REL,app.kubernetes.io/managed-by=Helm");
    // The stack labels everything it makes managed-by mattermost-cdktf, so the selector above can
    // never pick one of its objects, whatever the release is called.
    for (const id of ["local-app", "production-app", "local-storage"]) {
      const stack = shipped[id];
      for (const [type, byName] of Object.entries(stack.resource ?? {})) {
        if (!type.startsWith("kubernetes_")) continue;
        for (const body of Object.values<any>(byName)) {
          const labels = body.metadata?.labels ?? {};
          expect([type, labels["app.kubernetes.io/managed-by"]]).not.toEqual([type, "Helm"]);
        }
      }
    }
  });
});
