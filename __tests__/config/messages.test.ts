import * as fs from "fs";
import * as path from "path";
import { awsInput, localInput, PROJECT_ROOT, rejectionsOf } from "../support/synth";

/** The problems of one file `dev.yaml`, without the temporary folder's path. */
function problemsOf(env: unknown): string[] {
  return rejectionsOf({ "dev.yaml": env }).map((p) => p.replace(/^.*\/dev\.yaml: /, ""));
}

describe("every problem of a file in one run", () => {
  test("a field error does not hide a cross-field error of the file (zod stops refining an object that has an issue)", () => {
    const env = localInput();
    // Type errors: zod stops there (a range or format error lets the checks run).
    env.mattermost.debug = "yes"; // a field error in mattermost
    env.database.port = "5432"; // and one in another section
    env.mattermost.replicas = 3; // across sections: replicas > 1 needs clustering and a ReadWriteMany claim
    expect(problemsOf(env)).toEqual([
      'database.port: is the text "5432", not a number; write it without quotes: port: 5432',
      expect.stringMatching(/^mattermost\.debug: .*boolean/),
      "mattermost.replicas: is 3 but clustering is off: pods would not see each other's messages; set mattermost.clustering: true (needs the licence) or replicas: 1",
      "storage.accessMode: is ReadWriteOnce but mattermost.replicas is 3: pods need shared files; use ReadWriteMany or storage.kind: s3",
    ]);
  });

  test("a field error of a section does not hide that section's own cross-field checks", () => {
    const env = localInput();
    env.mattermost.maxFileSizeMb = "100MB";
    env.mattermost.clustering = true; // Team Edition image: cannot use a licence (a check of the mattermost section)
    env.mattermost.licensed = true;
    expect(problemsOf(env)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mattermost\.maxFileSizeMb: .*number/),
        expect.stringMatching(/^mattermost\.image: "mattermost\/mattermost-team-edition:10\.11\.4" is Team Edition, which cannot use a licence, so mattermost\.licensed, mattermost\.clustering cannot work/),
      ]),
    );
  });

  test("a check that needs a key that failed is left out rather than guessed (the field error says what to fix)", () => {
    const env = localInput();
    env.mattermost.replicas = "three";
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^mattermost\.replicas: .*number/)]);
  });

  test("the checks of the rds and backend sections still run after a field error beside them", () => {
    const env = awsInput();
    env.database.allowedCidrs = ["0.0.0.0/0"];
    env.database.port = "x";
    env.backend = { kind: "cloud", organization: "example-org", executionMode: "agent", hostname: 5 };
    expect(problemsOf(env)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^database\.allowedCidrs\.0: is 0\.0\.0\.0\/0, which would open PostgreSQL to the whole internet/),
        expect.stringMatching(/^backend\.agentPoolId: is required when backend\.executionMode is agent/),
      ]),
    );
  });
});

describe("a number or a boolean written as text", () => {
  test('smtp.port: "587" is explained: the text, and how to write the number', () => {
    const env = localInput();
    env.mattermost.smtp = { host: "smtp.test", port: "587", fromAddress: "chat@example.com" };
    expect(problemsOf(env)).toEqual(['mattermost.smtp.port: is the text "587", not a number; write it without quotes: port: 587']);
  });

  test('a boolean as "true" is explained', () => {
    const env = localInput();
    env.mattermost.debug = "true";
    expect(problemsOf(env)).toEqual(['mattermost.debug: is the text "true", not true or false; write it without quotes: debug: true']);
  });

  test("a missing key is still 'is required'", () => {
    const env = localInput();
    delete env.database.host;
    expect(problemsOf(env)).toEqual(["database.host: is required (expected string)"]);
  });
});

describe("a secret written into the file points to its TF_VAR_ variable", () => {
  const cases: [string, (env: any) => void, string][] = [
    ["mattermost.smtp.password", (env) => (env.mattermost.smtp = { host: "smtp.test", port: 587, user: "chat", fromAddress: "chat@example.com", password: "p" }), "TF_VAR_smtp_password"],
    ["mattermost.licence", (env) => (env.mattermost.licence = "x"), "TF_VAR_mattermost_licence"],
    ["mattermost.license", (env) => (env.mattermost.license = "x"), "TF_VAR_mattermost_licence"],
    ["licence", (env) => (env.licence = "x"), "TF_VAR_mattermost_licence"],
    ["database.password", (env) => (env.database.password = "x"), "TF_VAR_database_admin_password"],
    ["database.adminPassword", (env) => (env.database.adminPassword = "x"), "TF_VAR_database_admin_password"],
    ["mattermost.registry.password", (env) => (env.mattermost.registry = { server: "registry.test", username: "ci", password: "x" }), "TF_VAR_registry_password"],
  ];
  test.each(cases)("%s", (key, change, variable) => {
    const env = localInput();
    change(env);
    const problems = problemsOf(env).filter((p) => p.startsWith(`${key}:`));
    expect(problems).toEqual([expect.stringContaining(`${key}: is a secret and never goes in an environment file; remove it, set it in the sensitive variable ${variable}`)]);
  });

  test("the licence also says to set licensed: true", () => {
    const env = localInput();
    env.mattermost.licence = "x";
    expect(problemsOf(env)).toContainEqual(expect.stringMatching(/^mattermost\.licence: .* and set mattermost\.licensed: true$/));
  });

  test("external storage keys name both variables", () => {
    const env = localInput();
    env.aws = { region: "eu-west-1" };
    env.storage = { kind: "external", bucket: "files", endpoint: "https://minio.test", secretAccessKey: "x" };
    expect(problemsOf(env)).toContainEqual(
      expect.stringContaining("storage.secretAccessKey: is a secret and never goes in an environment file; remove it, set it in the sensitive variable TF_VAR_storage_access_key_id and TF_VAR_storage_secret_access_key"),
    );
  });

  test("rds and s3 keys are made by the stacks: no variable to set", () => {
    const env = awsInput();
    env.database.password = "x";
    env.storage.secretAccessKey = "x";
    expect(problemsOf(env)).toEqual([
      expect.stringMatching(/^database\.password: is a secret .*the stack generates the master password \(RDS\) and Mattermost's role password/),
      expect.stringMatching(/^storage\.secretAccessKey: is a secret .*the storage stack makes the key itself/),
    ]);
  });
});

describe("the README's example messages", () => {
  test("are what synth prints for them", () => {
    const env = localInput();
    env.mattermost.smtp = { host: "smtp.test", port: "587", fromAddress: "chat@example.com", password: "p" };
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    for (const problem of problemsOf(env)) expect(readme).toContain(`environments/prod.yaml: ${problem}\n`);
  });
});

describe("a value naming a cdktf reference", () => {
  test("is reported together with the file's other problems", () => {
    const env = localInput();
    env.mattermost.primaryTeam = "${TfToken[TOKEN.1]}";
    env.database.port = "5432";
    expect(problemsOf(env)).toEqual([
      expect.stringMatching(/^mattermost\.primaryTeam: contains "TfToken\[", the marker cdktf uses/),
      'database.port: is the text "5432", not a number; write it without quotes: port: 5432',
    ]);
  });
});
