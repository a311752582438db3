import { loadEnvironments } from "../../config/load";
import { localInput, EXAMPLE_ENVIRONMENTS, rejectionsOf } from "../support/synth";

const problemsOf = rejectionsOf;

function withChange(change: (env: any) => void): any {
  const env = localInput();
  change(env);
  return env;
}

describe("the example environments as shipped (fixture copies; the user's folder is checked by environments.test.ts)", () => {
  const environments = loadEnvironments(EXAMPLE_ENVIRONMENTS);

  test("are local and production, named after their files", () => {
    expect(environments.map((e) => e.name)).toEqual(["local", "production"]);
  });

  test("local needs no cloud: local state, existing PostgreSQL, files on a claim, one replica over http", () => {
    const local = environments.find((e) => e.name === "local")!.config;
    expect(local.backend.kind).toBe("local");
    expect(local.database.kind).toBe("external");
    expect(local.storage.kind).toBe("local");
    expect(local.aws).toBeUndefined();
    expect(local.mattermost.replicas).toBe(1);
    expect(local.mattermost.siteUrl).toMatch(/^http:\/\//);
  });

  test("production: Terraform Cloud, RDS, S3, https with a TLS secret, 3 clustered licensed replicas", () => {
    const production = environments.find((e) => e.name === "production")!.config;
    expect(production.backend.kind).toBe("cloud");
    expect(production.database.kind).toBe("rds");
    expect(production.storage.kind).toBe("s3");
    expect(production.mattermost.siteUrl).toMatch(/^https:\/\//);
    expect(production.mattermost.tlsSecretName).toBe("chat-example-com-tls");
    expect(production.mattermost).toMatchObject({ replicas: 3, clustering: true, licensed: true });
  });

  test("defaults are filled in", () => {
    const local = environments.find((e) => e.name === "local")!.config;
    expect(local.database).toMatchObject({ name: "mattermost", user: "mattermost", port: 5432 });
    expect(local.backend).toEqual({ kind: "local", stateDir: "state" });
  });
});

describe("bad environment files name the file, the key and the fix", () => {
  test("an unknown key", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => (e.mattermost.sitUrl = "x")) });
    expect(problems).toEqual([expect.stringMatching(/dev\.yaml: mattermost\.sitUrl: unknown key; did you mean siteUrl\?$/)]);
  });

  test("an unknown key with no close match lists the keys allowed there", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => (e.kubernetes.cluster = "x")) });
    expect(problems).toEqual([expect.stringMatching(/dev\.yaml: kubernetes\.cluster: unknown key; allowed keys here: adoptNamespace, configContext, configPath, namespace$/)]);
  });

  test("a misspelt key inside a kind suggests that kind's keys", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => (e.database.sslmode = "require")) });
    expect(problems).toEqual([expect.stringMatching(/dev\.yaml: database\.sslmode: unknown key; did you mean sslMode\?$/)]);
  });

  test("a site URL without a scheme", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => (e.mattermost.siteUrl = "chat.example.com")) });
    expect(problems).toEqual([`${problems[0].split(":")[0]}: mattermost.siteUrl: must start with http:// or https:// and name a host (got "chat.example.com")`]);
    expect(problems[0]).toMatch(/dev\.yaml: /);
  });

  test("a missing required key", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => delete e.mattermost.image) });
    expect(problems).toEqual([expect.stringMatching(/dev\.yaml: mattermost\.image: is required/)]);
  });

  test("an unknown kind lists the kinds there are", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => (e.database = { kind: "mysql" })) });
    expect(problems.join("\n")).toMatch(/dev\.yaml: database\.kind: .*("external"|external).*rds/);
  });

  test("a CIDR with host bits set, as the charm refused", () => {
    const problems = problemsOf({
      "dev.yaml": withChange((e) => {
        e.mattermost.ingressAllowedSourceRanges = ["10.242.0.0/8"];
        e.network = { ingressSeesClientAddress: true };
      }),
    });
    expect(problems).toEqual([expect.stringMatching(/mattermost\.ingressAllowedSourceRanges\.0: host bits are set in "10\.242\.0\.0\/8"; write the network address \(e\.g\. 10\.0\.0\.0\/8\)/)]);
  });

  test("a source allow-list while nginx may see node addresses (the default externalTrafficPolicy: Cluster)", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => (e.mattermost.ingressAllowedSourceRanges = ["10.0.0.0/8"])) });
    expect(problems).toEqual([
      expect.stringMatching(
        /dev\.yaml: mattermost\.ingressAllowedSourceRanges: only works when nginx sees each client's own address: .* externalTrafficPolicy: Cluster every client arrives from a node address and is let in; .*externalTrafficPolicy: Local \(or PROXY protocol\), then set network\.ingressSeesClientAddress: true/,
      ),
    ]);
  });

  test("the shipped production allow-list is only there because its controller sees client addresses", () => {
    const production = loadEnvironments(EXAMPLE_ENVIRONMENTS).find((e) => e.name === "production")!.config;
    expect(production.mattermost.ingressAllowedSourceRanges).toEqual(["10.0.0.0/8"]);
    expect(production.network.ingressSeesClientAddress).toBe(true);
  });

  test("a value naming one of cdktf's own references", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => (e.mattermost.primaryTeam = "${TfToken[TOKEN.1]}")) });
    expect(problems).toEqual([expect.stringMatching(/dev\.yaml: mattermost\.primaryTeam: contains "TfToken\[", the marker cdktf uses for its own references; remove it/)]);
  });

  test("clustering without the licence", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => Object.assign(e.mattermost, { image: "mattermost/mattermost-enterprise-edition:10.11.4", clustering: true })) });
    expect(problems).toEqual([expect.stringMatching(/dev\.yaml: mattermost\.clustering: needs an Enterprise licence; set mattermost\.licensed: true/)]);
  });

  test("several replicas on a ReadWriteOnce claim", () => {
    const problems = problemsOf({
      "dev.yaml": withChange((e) => Object.assign(e.mattermost, { image: "mattermost/mattermost-enterprise-edition:10.11.4", replicas: 2, clustering: true, licensed: true })),
    });
    expect(problems).toEqual([expect.stringMatching(/storage\.accessMode: is ReadWriteOnce but mattermost\.replicas is 2: .*use ReadWriteMany or storage\.kind: s3/)]);
  });

  test("AWS resources without aws.region", () => {
    const problems = problemsOf({ "dev.yaml": withChange((e) => (e.storage = { kind: "s3" })) });
    expect(problems).toEqual([expect.stringMatching(/dev\.yaml: aws\.region: is required when .* add aws: \{ region: eu-west-1 \}/)]);
  });

  test("YAML that does not parse", () => {
    const problems = problemsOf({ "dev.yaml": "mattermost:\n  image: [unclosed\n" });
    expect(problems[0]).toMatch(/^.*dev\.yaml:\d+: not valid YAML: /);
  });

  test("an empty file", () => {
    expect(problemsOf({ "dev.yaml": "" })).toEqual([expect.stringMatching(/dev\.yaml: the file is empty; start from environments\/local\.yaml/)]);
  });

  test("a file name that cannot name stacks", () => {
    expect(problemsOf({ "Prod_EU.yaml": localInput() })).toEqual([expect.stringMatching(/Prod_EU\.yaml: the file name "Prod_EU" names the environment .* use lowercase letters, digits and '-', starting with a letter, at most 20 characters such as "prod-eu"; rename the file$/)]);
  });

  test("every problem of every file at once, one line each", () => {
    const problems = problemsOf({
      "a.yaml": withChange((e) => {
        e.mattermost.siteUrl = "ftp://x";
        e.mattermost.replicas = 0;
      }),
      "b.yaml": withChange((e) => (e.database.port = 70000)),
      "good.yaml": localInput(),
    });
    expect(problems).toHaveLength(3);
    expect(problems.filter((p) => p.includes("a.yaml: mattermost.siteUrl"))).toHaveLength(1);
    expect(problems.filter((p) => p.includes("a.yaml: mattermost.replicas"))).toHaveLength(1);
    expect(problems.filter((p) => p.includes("b.yaml: database.port: must be a port between 1 and 65535"))).toHaveLength(1);
    expect(problems.every((p) => !p.includes("\n"))).toBe(true);
  });

  test("a folder without environment files", () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/no environment files; add one such as local\.yaml/)]);
  });
});
