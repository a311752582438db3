import * as fs from "fs";
import * as path from "path";
import { EXAMPLE_ENVIRONMENTS, environmentsFolderProblems, PROJECT_ROOT, tempDir, userEnvironmentsDir } from "./support/synth";

// environments/ is the user's: they add staging.yaml (as the README says), edit or remove the
// examples. This is the only suite that reads it, and it checks whatever files are there; every
// other test runs on its own fixtures (__tests__/fixtures/environments, inline objects).

/** Lines of a test that read the user's folder rather than a fixture. */
const READERS = [
  /PROJECT_ROOT.*["'`]environments\/?["'`](?!\s*,\s*["'`]schema\.json)/, // path.join(PROJECT_ROOT, "environments", <a user's file>)
  /(readFileSync|readdirSync|existsSync|statSync)\(\s*["'`](\.\/)?environments\b/, // relative to the working directory
  /\buserEnvironmentsDir\s*\(/,
  /\benvironmentsDir\s*\(/,
  /\bloadEnvironments\s*\(\s*\)/,
];

describe("the user's environments folder (environments/, or MATTERMOST_ENVIRONMENTS_DIR)", () => {
  test("every file in it synthesizes, passes the security policy and points editors at the schema synth validates with", () => {
    expect(environmentsFolderProblems(userEnvironmentsDir())).toEqual([]);
  });
});

describe("a user's own environments never break the test line", () => {
  /** A copy of the user's folder as a user may leave it: the examples gone, staging.yaml added. */
  function userFolder(files: Record<string, string>): string {
    const dir = tempDir("user-folder");
    fs.copyFileSync(path.join(PROJECT_ROOT, "environments", "schema.json"), path.join(dir, "schema.json"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  }
  const local = fs.readFileSync(path.join(EXAMPLE_ENVIRONMENTS, "local.yaml"), "utf8").replace(/^.*\n/, "# yaml-language-server: $schema=./schema.json\n");

  test("staging.yaml added and the examples removed: the user's-folder checks pass", () => {
    const staging = local.replace(/siteUrl: .*/, "siteUrl: http://chat.staging.test");
    expect(staging).toContain("siteUrl: http://chat.staging.test");
    expect(environmentsFolderProblems(userFolder({ "staging.yaml": staging }))).toEqual([]);
  });

  test("a broken file of the user's is named with its key and the fix, not a failure elsewhere", () => {
    const problems = environmentsFolderProblems(userFolder({ "staging.yaml": local.replace(/siteUrl: .*/, "siteUrl: chat.staging.test") }));
    expect(problems).toEqual([expect.stringMatching(/staging\.yaml: mattermost\.siteUrl: must start with http:\/\/ or https:\/\//)]);
  });

  test("a file pointing editors at a schema that is not there is named", () => {
    const dir = userFolder({ "staging.yaml": local.replace("$schema=./schema.json", "$schema=./gone.json") });
    expect(environmentsFolderProblems(dir)).toEqual(["staging.yaml: $schema=./gone.json: no such file"]);
  });

  test("the check tells a read of the user's folder from a fixture or the generated schema", () => {
    const reads = (line: string) => READERS.some((r) => r.test(line));
    expect(reads('loadEnvironments(path.join(PROJECT_ROOT, "environments"))')).toBe(true);
    expect(reads('fs.readFileSync(path.join(PROJECT_ROOT, "environments", "production.yaml"), "utf8")')).toBe(true);
    expect(reads('fs.readdirSync("environments")')).toBe(true);
    expect(reads("loadEnvironments()")).toBe(true);
    expect(reads('fs.readFileSync(path.join(PROJECT_ROOT, "environments", "schema.json"), "utf8")')).toBe(false);
    expect(reads("loadEnvironments(EXAMPLE_ENVIRONMENTS)")).toBe(false);
    expect(reads('const envs = path.join(dir, "environments");')).toBe(false);
  });

  test("no other test reads the user's folder: they use fixtures, and the folder's schema.json at most", () => {
    const tests = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tests(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
    const mine = [__filename, path.join(__dirname, "support", "synth.ts")];
    const offending = tests(__dirname)
      .filter((file) => !mine.includes(file))
      .flatMap((file) =>
        fs.readFileSync(file, "utf8").split("\n").flatMap((line, i) => (READERS.some((r) => r.test(line)) ? [`${path.relative(PROJECT_ROOT, file)}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offending).toEqual([]);
  });
});
