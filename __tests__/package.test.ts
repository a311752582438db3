import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT, tempDir } from "./support/synth";

// The stacks are a library too: another team's CDKTF app installs the packed package and composes them.
describe("npm pack", () => {
  const work = tempDir("pack");
  // `npm test` has just compiled dist/; --ignore-scripts keeps pack from compiling it again.
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: PROJECT_ROOT, encoding: "utf8" }),
  );
  const files: string[] = packed.files.map((f: { path: string }) => f.path);

  test("ships compiled JavaScript and declarations, and no tests or sources", () => {
    expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/stacks/app-stack.d.ts", "package.json"]));
    expect(files.filter((f) => f.startsWith("dist/__tests__") || /(?<!\.d)\.ts$/.test(f))).toEqual([]);
  });

  test("cdktf and constructs are peer dependencies (the consumer's own copy, any compatible version), pinned for us in devDependencies", () => {
    const pkg = JSON.parse(execFileSync("tar", ["xzOf", path.join(work, packed.filename), "package/package.json"], { encoding: "utf8" }));
    expect(pkg.peerDependencies).toEqual({ cdktf: "^0.21.0", constructs: "^10.4.2" });
    expect(Object.keys(pkg.dependencies)).not.toEqual(expect.arrayContaining(["cdktf"]));
    expect(Object.keys(pkg.dependencies)).not.toEqual(expect.arrayContaining(["constructs"]));
    // The ranges are the ones every provider package we depend on asks of the same app.
    for (const provider of Object.keys(pkg.dependencies).filter((name) => name.startsWith("@cdktf/provider-"))) {
      const own = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "node_modules", provider, "package.json"), "utf8"));
      expect([provider, own.peerDependencies]).toEqual([provider, pkg.peerDependencies]);
    }
    // semver comes with cdktf (its dependency): the pins satisfy the ranges, and so does a later compatible release.
    const semver = require(path.join(PROJECT_ROOT, "node_modules", "semver"));
    for (const [name, range] of Object.entries<string>(pkg.peerDependencies)) {
      expect([name, semver.valid(pkg.devDependencies[name]) && semver.satisfies(pkg.devDependencies[name], range)]).toEqual([name, true]);
      expect([name, semver.satisfies(semver.inc(pkg.devDependencies[name], "patch"), range)]).toEqual([name, true]);
    }
  });

  test("the entry point still exports every construct by name, wherever its file lives in constructs/", () => {
    // Names a consumer may import today; moving a file between folders must not drop one.
    const constructs = [
      "BucketAccessPolicy", "BucketUser", "ConsumedOffer", "DatabaseCaSecret", "IrsaRole", "LicenceSecret",
      "MattermostDatabase", "MattermostDisruptionBudget", "MattermostEnvSecret", "MattermostIngress",
      "MattermostNetworkPolicy", "MattermostServiceAccount", "MattermostWorkload", "MigrationJob",
      "PersistentFiles", "PrivateBucket", "PublishedOffer", "RdsPostgres", "RegistrySecret",
      "SamlCertificateJob", "TerraformCloudWorkspace", "DATABASE_OFFER", "STORAGE_OFFER", "stateLocation",
      "storeStateAt", "readStateAt", "mattermostLabels", "mattermostSettings", "useAws", "useKubernetes",
      "AppStack", "DatabaseStack", "StorageStack", "WorkspacesStack", "addEnvironmentStacks", "synthesize",
    ];
    const exported = Object.keys(require(path.join(PROJECT_ROOT, "dist", "index.js")));
    expect(constructs.filter((name) => !exported.includes(name))).toEqual([]);
  });

  test("works from another folder: a TypeScript consumer type-checks, synthesizes and gets linked stacks", () => {
    const consumer = path.join(work, "consumer");
    const modules = path.join(consumer, "node_modules");
    fs.mkdirSync(modules, { recursive: true });
    execFileSync("tar", ["xzf", path.join(work, packed.filename), "-C", modules]);
    fs.renameSync(path.join(modules, "package"), path.join(modules, "mattermost-cdktf"));
    // The consumer's own dependencies: the same ones a real install would bring.
    for (const dep of ["cdktf", "constructs", "yaml", "zod", "ipaddr.js", "@cdktf", "@types"]) {
      fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", dep), path.join(modules, dep));
    }
    fs.writeFileSync(
      path.join(consumer, "consumer.ts"),
      `import { App } from "cdktf";
import { addEnvironmentStacks, EnvironmentConfig, environmentSchema, stackIds } from "mattermost-cdktf";

const config: EnvironmentConfig = environmentSchema.parse({
  backend: { kind: "local" },
  database: { kind: "external", host: "db.team.internal" },
  storage: { kind: "local" },
  mattermost: { image: "mattermost/mattermost-team-edition:10.11.4", siteUrl: "http://chat.team.internal" },
});
const app = new App({ outdir: "out" });
const stacks = addEnvironmentStacks(app, { name: "team", file: "inline", config });
const ids: string = stackIds("team").app;
app.synth();
console.log(ids, stacks.app.node.id);
`,
    );
    // A violating addition to a composed stack, and a name Kubernetes and S3 refuse: both fail synth.
    fs.writeFileSync(
      path.join(consumer, "violating.ts"),
      `import { App, TerraformOutput } from "cdktf";
import { addEnvironmentStacks, environmentSchema } from "mattermost-cdktf";

const config = environmentSchema.parse({
  backend: { kind: "local" },
  database: { kind: "external", host: "db.team.internal" },
  storage: { kind: "local" },
  mattermost: { image: "mattermost/mattermost-team-edition:10.11.4", siteUrl: "http://chat.team.internal" },
});
const outcome = (run: () => void) => {
  try {
    run();
    return "synthesized";
  } catch (error) {
    return (error as Error).message;
  }
};
console.log(JSON.stringify({
  violating: outcome(() => {
    const app = new App({ outdir: "violating-out" });
    const stacks = addEnvironmentStacks(app, { name: "team", file: "team.yaml", config });
    new TerraformOutput(stacks.app, "db_password", { value: "hunter22" });
    app.synth();
  }),
  name: outcome(() => addEnvironmentStacks(new App({ outdir: "named-out" }), { name: "Team_Production", file: "team.yaml", config })),
  cdktf: require.resolve("cdktf", { paths: [require.resolve("mattermost-cdktf")] }),
}));
`,
    );
    const tsc = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
    execFileSync(process.execPath, [tsc, "--strict", "--target", "ES2022", "--module", "commonjs", "--skipLibCheck", "--types", "node", "consumer.ts", "violating.ts"], { cwd: consumer });
    const printed = execFileSync(process.execPath, ["consumer.js"], { cwd: consumer, encoding: "utf8" });
    expect(printed.trim()).toBe("team-app team-app");
    const manifest = JSON.parse(fs.readFileSync(path.join(consumer, "out", "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual(["team-app", "team-database", "team-storage"]);
    // Linked by offers (no cdktf stack dependency: a single-stack deploy needs no flag).
    const app = JSON.parse(fs.readFileSync(path.join(consumer, "out", manifest.stacks["team-app"].synthesizedStackPath), "utf8"));
    expect(Object.values<any>(app.data.terraform_remote_state).map((r) => r.config.path).sort()).toEqual([
      "../../../state/team-database.tfstate",
      "../../../state/team-storage.tfstate",
    ]);
    // app.synth() alone applies the security policy, and the library checks the environment name.
    const outcome = JSON.parse(execFileSync(process.execPath, ["violating.js"], { cwd: consumer, encoding: "utf8" }));
    expect(outcome.violating).toContain(
      'team-app: output.db_password: secrets-not-literal: carries a secret but is not sensitive; fix it, or waive it for this resource until a date in team.yaml: policy.waivers: [{ rule: secrets-not-literal, stack: app, resource: output.db_password, expires: YYYY-MM-DD, reason: "..." }]',
    );
    expect(outcome.name).toMatch(/environment name "Team_Production" .*use lowercase letters, digits and '-', starting with a letter, at most 20 characters such as "team-production"$/);
    // The stacks compose with the consumer's own cdktf (a peer dependency), not a copy of ours.
    // (the consumer's node_modules/cdktf is a link to ours here, so compare where it leads).
    expect(outcome.cdktf).toBe(fs.realpathSync(path.join(modules, "cdktf", "lib", "index.js")));
  });
});
