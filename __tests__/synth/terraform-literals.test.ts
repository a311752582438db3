import * as fs from "fs";
import * as path from "path";
import { App, Fn, LocalBackend, Op, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { ImportExisting } from "../../constructs/shared/import-existing";
import { escapeTemplate, keepTextLiteral } from "../../synth/terraform-literals";
import { awsInput, environment, localInput, onlyResource, synthEnvironments, synthShipped, tempDir } from "../support/synth";
import { TerraformDir } from "../support/terraform";

/** What a user may write in any free-text key of an environment file. */
const HOSTILE = [
  'x${file("/etc/passwd")}',
  'x%{ for l in split("\\n", file("/etc/passwd")) }${l}%{ endfor }',
  'a"b\\c$${d}%%{e}\nnew line',
];

describe("text from an environment file reaches Terraform as text", () => {
  test("no construct writes an expression as text (it would now be escaped): every feature on, nothing escaped", () => {
    const rich = awsInput();
    rich.storage.access = "irsa";
    rich.storage.irsa = { oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789" };
    Object.assign(rich.mattermost, {
      clustering: true,
      replicas: 2,
      performanceMonitoring: true,
      registry: { server: "registry.example.com", username: "ci" },
      image: "registry.example.com/mattermost/mattermost-enterprise-edition:10.11.4",
      smtp: { host: "smtp.test", user: "chat", fromAddress: "chat@test.example" },
      saml: { preset: "ubuntu-sso", idpCertificateSecretName: "idp-cert" },
      plugins: ["com.github.matterpoll.matterpoll"],
      pushNotificationServer: "https://push.test",
      outboundProxy: "http://squid.internal:3128",
    });
    const stacks = { ...synthShipped(), ...synthEnvironments([environment("rich", rich)]) };
    for (const [id, stack] of Object.entries(stacks)) {
      const text = JSON.stringify(stack);
      expect([id, text.match(/.{60}(\$\$\{|%%\{).{60}/g)]).toEqual([id, null]);
    }
  });


  test.each(HOSTILE)("primaryTeam %j is escaped once in the Deployment's env, and real terraform reads it back as written", (team) => {
    const input = localInput();
    input.mattermost.primaryTeam = team;
    input.mattermost.extraEnv = { MM_SERVICESETTINGS_CUSTOMTEXT: team };
    const stacks = synthEnvironments([environment("dev", input)]);
    const container = onlyResource(stacks["dev-app"], "kubernetes_deployment_v1").spec.template.spec.container[0];
    const value = (name: string) => container.env.find((e: any) => e.name === name)?.value;
    const escaped = team.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
    expect(value("MM_TEAMSETTINGS_EXPERIMENTALPRIMARYTEAM")).toBe(escaped);
    expect(value("MM_SERVICESETTINGS_CUSTOMTEXT")).toBe(escaped);
    // The same JSON string in an output: Terraform evaluates it as it would the container's env value.
    const tf = new TerraformDir().write({ output: { team: { value: value("MM_TEAMSETTINGS_EXPERIMENTALPRIMARYTEAM") } } });
    tf.apply();
    expect(tf.outputs().team.value).toBe(team);
  });

  test("every stack of an environment escapes it, not only the app's: a hostile value in a key of each stack", () => {
    // One free-text key per stack: the admin user (database, the provider block), the bucket's
    // bucket and region (storage: a variable validation's message, offer outputs), the Terraform Cloud project (workspaces), the team (app).
    const hostile = 'x${file("/p")}%{if true}y%{endif}'; // a project name is at most 40 characters
    const escaped = 'x$${file(\\"/p\\")}%%{if true}y%%{endif}'; // as it appears inside JSON text
    const input = localInput();
    input.backend = { kind: "cloud", organization: "example-org", project: hostile };
    input.database.adminUser = hostile;
    input.storage = { kind: "external", bucket: hostile, endpoint: "https://s3.example.com", region: hostile };
    input.mattermost.primaryTeam = hostile;
    const stacks = synthEnvironments([environment("dev", input)]);
    expect(Object.keys(stacks).sort()).toEqual(["dev-app", "dev-database", "dev-storage", "dev-workspaces"]);
    for (const [id, stack] of Object.entries(stacks)) {
      // Descriptions are literal text to Terraform (and say what the variable is for, as written).
      const evaluated: any = JSON.parse(JSON.stringify(stack));
      for (const section of ["variable", "output"]) for (const block of Object.values<any>(evaluated[section] ?? {})) delete block.description;
      const text = JSON.stringify(evaluated);
      // Written once, escaped; never as an expression Terraform would evaluate.
      expect([id, text.includes(escaped)]).toEqual([id, true]);
      expect([id, text.replace(/\$\$\{/g, "").includes('${file(')]).toEqual([id, false]);
      expect([id, text.replace(/%%\{/g, "").includes("%{if")]).toEqual([id, false]);
    }
  });

  test("object keys are templates too: a hostile key in a map the file fills comes out escaped", () => {
    // Terraform's JSON syntax reads an object's property names as templates as well (real terraform
    // evaluated {"k-${file(...)}": "v"} into the file's content), and these maps take any key.
    const key = 'k${file("/etc/passwd")}';
    const input = localInput();
    input.mattermost.httpAllowedFrom = [{ namespace: "gateway", podLabels: { [key]: "v" } }];
    input.mattermost.affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { [key]: "v" } } }] } };
    const text = JSON.stringify(synthEnvironments([environment("dev", input)])["dev-app"]);
    expect(text).toContain('k$${file(\\"/etc/passwd\\")}');
    expect(text.replace(/\$\$\{/g, "").includes("${file(")).toBe(false);
  });

  test("a variable validation's error_message and an import block's id are templates too: escaped; the condition, default and description are not", () => {
    const app = new App({ outdir: tempDir("literals-variable") });
    const stack = new TerraformStack(app, "literals");
    const text = HOSTILE[0];
    const variable = new TerraformVariable(stack, "password", {
      type: "string",
      default: text,
      description: text,
      validation: [{ condition: "${length(var.password) > 0}", errorMessage: `password is empty: set the password of ${text}` }],
    });
    const resource = new TerraformResource(stack, "imported", { terraformResourceType: "terraform_data" });
    resource.addOverride("input", variable.stringValue);
    new ImportExisting(resource, text);
    keepTextLiteral(stack);
    const json: any = JSON.parse(Testing.synth(stack));
    expect(json.variable.password).toEqual({
      type: "string",
      default: text,
      description: text,
      validation: [{ condition: "${length(var.password) > 0}", error_message: `password is empty: set the password of ${escapeTemplate(text)}` }],
    });
    expect(json.import).toEqual([{ to: "terraform_data.imported", id: escapeTemplate(text) }]);
  });

  test("real terraform evaluates the escaped JSON back to exactly the text written, in templates and in function arguments", () => {
    const dir = tempDir("literals");
    const app = new App({ outdir: dir });
    const stack = new TerraformStack(app, "literals");
    new LocalBackend(stack, { path: "terraform.tfstate" });
    const suffix = new TerraformVariable(stack, "suffix", { type: "string", default: "!" });
    HOSTILE.forEach((text, i) => {
      new TerraformOutput(stack, `plain_${i}`, { value: text });
      new TerraformOutput(stack, `mixed_${i}`, { value: `${text}${suffix.stringValue}` });
      new TerraformOutput(stack, `join_${i}`, { value: Fn.join(":", [text, suffix.stringValue]) });
      new TerraformOutput(stack, `json_${i}`, { value: Fn.jsonencode({ auths: { server: { username: text, password: suffix.stringValue } } }) });
      new TerraformOutput(stack, `joined_arg_${i}`, { value: Fn.upper(`${text.replace(/"/g, "'")}-${suffix.stringValue}`) });
      new TerraformOutput(stack, `compare_${i}`, { value: Op.eq(suffix.stringValue, text) });
      // An object's property names are templates too.
      new TerraformOutput(stack, `keyed_${i}`, { value: { [text]: "v" } });
      new TerraformOutput(stack, `keyed_json_${i}`, { value: Fn.jsonencode({ [text]: suffix.stringValue }) });
    });
    // Unescaped (written past the aspect, as an escape hatch is): Terraform evaluates the key.
    const secretFile = path.join(dir, "secret.txt");
    fs.writeFileSync(secretFile, "SECRET");
    stack.addOverride("output.raw_key", { value: { [`k-\${file("${secretFile}")}`]: "v" } });
    keepTextLiteral(stack);
    // cdktf warns about the `${` it sees in a function argument before the aspect rewrites it.
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    app.synth();
    warn.mockRestore();
    const stackDir = path.join(dir, "stacks", "literals");
    const tf = new TerraformDir(stackDir);
    tf.apply();
    const outputs = tf.outputs();
    HOSTILE.forEach((text, i) => {
      expect(outputs[`plain_${i}`].value).toBe(text);
      expect(outputs[`mixed_${i}`].value).toBe(`${text}!`);
      expect(outputs[`join_${i}`].value).toBe(`${text}:!`);
      expect(JSON.parse(outputs[`json_${i}`].value as string)).toEqual({ auths: { server: { username: text, password: "!" } } });
      expect(outputs[`joined_arg_${i}`].value).toBe(`${text.replace(/"/g, "'")}-!`.toUpperCase());
      expect(outputs[`compare_${i}`].value).toBe(false);
      expect(outputs[`keyed_${i}`].value).toEqual({ [text]: "v" });
      expect(JSON.parse(outputs[`keyed_json_${i}`].value as string)).toEqual({ [text]: "!" });
    });
    expect(outputs.raw_key.value).toEqual({ "k-SECRET": "v" });
    expect(fs.existsSync(path.join(stackDir, "terraform.tfstate"))).toBe(true);
  });
});
