import { App, TerraformOutput } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { addEnvironmentStacks } from "../../stacks/environment-stacks";
import { environment, localInput, tempDir } from "../support/synth";

// The library path: a team's own App composes the stacks and calls app.synth() itself.
describe("addEnvironmentStacks", () => {
  const app = () => new App({ outdir: path.join(tempDir("library"), "out"), stackTraces: false });

  test("app.synth() alone fails on a security policy violation, naming the stack, the rule and the waiver", () => {
    const scope = app();
    const stacks = addEnvironmentStacks(scope, environment("team", localInput()));
    new TerraformOutput(stacks.app, "db_password", { value: "hunter22" });
    expect(() => scope.synth()).toThrow(
      'team-app: output.db_password: secrets-not-literal: carries a secret but is not sensitive; fix it, or waive it for this resource until a date in environments/team.yaml: policy.waivers: [{ rule: secrets-not-literal, stack: app, resource: output.db_password, expires: YYYY-MM-DD, reason: "..." }]',
    );
  });

  test("the environment's waivers apply, to that environment only", () => {
    const scope = app();
    const waived = { ...localInput(), policy: { waivers: [{ rule: "secrets-not-literal", stack: "app", resource: "output.db_password", expires: "2999-12-31", reason: "a test fixture output, never applied anywhere" }] } };
    new TerraformOutput(addEnvironmentStacks(scope, environment("team", waived)).app, "db_password", { value: "x" });
    new TerraformOutput(addEnvironmentStacks(scope, environment("other", localInput())).app, "db_password", { value: "x" });
    expect(() => scope.synth()).toThrow(/^(?![\s\S]*team-app)[\s\S]*other-app: output\.db_password: secrets-not-literal/);
  });

  test("app.synth() alone keeps the file's text literal: ${ reaches Terraform escaped, as with npm run synth", () => {
    const outdir = path.join(tempDir("library"), "out");
    const scope = new App({ outdir, stackTraces: false });
    const input = localInput();
    input.mattermost.primaryTeam = "team-${var.x}";
    addEnvironmentStacks(scope, environment("team", input));
    scope.synth();
    const app = fs.readFileSync(path.join(outdir, "stacks", "team-app", "cdk.tf.json"), "utf8");
    expect(app).toContain("team-$${var.x}");
    expect(app).not.toMatch(/team-\$\{var\.x\}/);
  });

  test("a clean environment synthesizes", () => {
    const scope = app();
    addEnvironmentStacks(scope, environment("team", localInput()));
    expect(() => scope.synth()).not.toThrow();
  });

  test.each(["Team_Production", "production-in-eu-west-1-a", "1st"])("rejects the name %s, which Kubernetes and S3 would refuse at apply, with the fix", (name) => {
    expect(() => addEnvironmentStacks(app(), environment(name, localInput()))).toThrow(
      new RegExp(`^addEnvironmentStacks: environment name "${name}" names the environment and prefixes its stacks .*use lowercase letters, digits and '-', starting with a letter, at most 20 characters`),
    );
  });

  test("suggests a name that works", () => {
    expect(() => addEnvironmentStacks(app(), environment("Team_Production", localInput()))).toThrow(/such as "team-production"$/);
  });
});
