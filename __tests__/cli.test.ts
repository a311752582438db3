import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { loadEnvironments } from "../config/load";
import { synthesize } from "../synth/synthesize";
import { awsInput, environmentsFolder, localInput, PROJECT_ROOT, EXAMPLE_ENVIRONMENTS, tempDir } from "./support/synth";

// `npm test` builds dist/ first, so this runs the same JavaScript `npm run synth` and cdktf.json run.
// What cdktf.json and `npm run synth` run: dist/main.js and its modules bundled into one file.
const MAIN = path.join(PROJECT_ROOT, "dist", "synth.js");

function synthIn(cwd: string, environmentsDir: string) {
  const result = spawnSync(process.execPath, [MAIN], {
    cwd,
    encoding: "utf8",
    // A terraform that does not exist: synth must never need the binary, whatever the backend.
    env: { ...process.env, MATTERMOST_ENVIRONMENTS_DIR: environmentsDir, TERRAFORM_BINARY_NAME: "terraform-is-not-installed", CDKTF_OUTDIR: undefined },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file below `dir`, relative path -> content. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
  }
  return files;
}

describe("npm run synth (node dist/synth.js)", () => {
  const cwd = tempDir("cli");

  test("the bundle writes exactly what the compiled modules write (bundling changes speed, not output)", () => {
    const environments = environmentsFolder({ "dev.yaml": localInput(), "prod.yaml": awsInput() });
    const outputs = ["synth.js", "main.js"].map((entry) => {
      const dir = tempDir("bundle");
      const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "dist", entry)], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, MATTERMOST_ENVIRONMENTS_DIR: environments, CDKTF_OUTDIR: undefined },
      });
      expect({ entry, status: run.status, stderr: run.stderr }).toEqual({ entry, status: 0, stderr: "" });
      return tree(path.join(dir, "cdktf.out"));
    });
    expect(Object.keys(outputs[0]).length).toBeGreaterThan(6);
    expect(outputs[0]).toEqual(outputs[1]);
  });

  test("synthesizes every shipped environment into cdktf.out/ and prints a summary", () => {
    const run = synthIn(cwd, EXAMPLE_ENVIRONMENTS);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^stack\s+resources\s+data\s+outputs\s+offers read\s+deploys after$/m);
    expect(run.stdout).toMatch(/^production-app\s+\d+\s+\d+\s+0\s+database, storage\s+production-database, production-storage, production-workspaces$/m);
    expect(run.stdout).toMatch(/^production-workspaces\s+\d+\s+\d+\s+\d+\s+-\s+-$/m);
    expect(run.stdout).toMatch(/^local-database\s+\d+\s+\d+\s+\d+\s+-\s+-$/m);
    const manifest = JSON.parse(fs.readFileSync(path.join(cwd, "cdktf.out", "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      "local-app", "local-database", "local-storage", "production-app", "production-database", "production-storage", "production-workspaces",
    ]);
    // No cdktf stack dependencies (a single-stack deploy must need no flag): the order is in the summary.
    for (const stack of Object.values<any>(manifest.stacks)) expect(stack.dependencies).toEqual([]);
    expect(fs.existsSync(path.join(cwd, "cdktf.out.next"))).toBe(false);
    expect(fs.readFileSync(path.join(cwd, "cdktf.out", "stacks.mmd"), "utf8")).toContain('production_database -- "database offer" --> production_app');
  });

  test("bad input: one line per problem, no stack trace, exit 1, and the previous cdktf.out untouched", () => {
    const manifest = path.join(cwd, "cdktf.out", "manifest.json");
    const before = fs.readFileSync(manifest, "utf8");
    const bad = localInput();
    bad.mattermost.siteUrl = "chat.example.com";
    bad.database.port = "5432";
    const run = synthIn(cwd, environmentsFolder({ "prod.yaml": bad }));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/prod\.yaml: mattermost\.siteUrl: must start with http:\/\/ or https:\/\/ and name a host \(got "chat\.example\.com"\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/prod\.yaml: database\.port: .*number/));
    expect(run.stderr).toContain("Nothing was synthesized; cdktf.out/ is unchanged.");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(manifest, "utf8")).toBe(before);
  });

  test("a missing environments folder says how to fix it", () => {
    const run = synthIn(cwd, path.join(cwd, "no-such-folder"));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no-such-folder: no such folder; create it with one <env>\.yaml per environment, or point MATTERMOST_ENVIRONMENTS_DIR at one/);
  });
});

// ---------------------------------------------------------------------------------------------
// The real cdktf CLI (node_modules/cdktf-cli) against synthesized output, with a stand-in
// `terraform` on PATH that records every call (time, folder, arguments), prints what cdktf looks
// for, sleeps a little in apply/destroy (so overlapping runs show) and exits 0, or 1 in the stack
// folder named by TF_STANDIN_FAIL.
// ---------------------------------------------------------------------------------------------

const CDKTF = path.join(PROJECT_ROOT, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");

// bash, for EPOCHREALTIME: a clock without a `date` process per logged line.
const STAND_IN = `#!/bin/bash
log() { printf '%s\\t%s\\t%s\\t%s\\n' "\${EPOCHREALTIME/./}" "$1" "$PWD" "$ARGS" >> "$TF_STANDIN_LOG"; }
ARGS="$*"
log start
case "$1" in
  version) echo '{"terraform_version":"1.11.0","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}' ;;
  -v) echo 'Terraform v1.11.0' ;;
  init) echo 'Terraform has been successfully initialized!' ;;
  providers) echo 'Success! Terraform has updated the lock file.' ;;
  plan) echo 'No changes. Your infrastructure matches the configuration.' ;;
  output) echo '{}' ;;
  apply|destroy)
    sleep 0.3
    if [ "$(basename "$(pwd)")" = "$TF_STANDIN_FAIL" ]; then echo "Error: stand-in failure"; log end; exit 1; fi
    echo 'Apply complete! Resources: 0 added, 0 changed, 0 destroyed.' ;;
esac
log end
exit 0
`;

interface TerraformCall {
  readonly at: number;
  readonly event: "start" | "end";
  readonly stack: string;
  readonly args: string;
}

/** A project folder like a user's: cdktf.json running this project's compiled synth, and fixture environments. */
function cdktfProject(environments: Record<string, unknown>) {
  const dir = tempDir("cdktf-project");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "terraform"), STAND_IN, { mode: 0o755 });
  // node and sh and nothing else: a machine without terraform.
  const nodeOnly = path.join(dir, "node-only");
  fs.mkdirSync(nodeOnly);
  fs.symlinkSync(process.execPath, path.join(nodeOnly, "node"));
  fs.symlinkSync("/bin/sh", path.join(nodeOnly, "sh"));
  fs.writeFileSync(
    path.join(dir, "cdktf.json"),
    JSON.stringify({ language: "typescript", app: `node ${MAIN}`, output: "cdktf.out", sendCrashReports: "false", terraformProviders: [], terraformModules: [] }),
  );
  const envs = path.join(dir, "environments");
  fs.mkdirSync(envs);
  for (const [name, input] of Object.entries(environments)) fs.writeFileSync(path.join(envs, `${name}.yaml`), stringify(input));
  let runs = 0;
  /** Runs `cdktf <args>` in the project; resolves with its exit code, output and terraform's calls. */
  const cdktf = (args: readonly string[], env: Record<string, string> = {}) =>
    new Promise<{ status: number | null; output: string; calls: TerraformCall[] }>((resolve) => {
      const log = path.join(dir, `terraform-${++runs}.log`);
      fs.writeFileSync(log, "");
      const child = spawn(process.execPath, [CDKTF, ...args], {
        cwd: dir,
        env: {
          HOME: dir,
          PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
          CHECKPOINT_DISABLE: "1",
          CI: "1",
          MATTERMOST_ENVIRONMENTS_DIR: envs,
          TF_STANDIN_LOG: log,
          ...env,
        },
      });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.on("close", (status) => {
        const calls = fs
          .readFileSync(log, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => {
            const [at, event, cwd, callArgs] = line.split("\t");
            return { at: Number(BigInt(at) / 1000n), event: event as "start" | "end", stack: path.relative(path.join(dir, "cdktf.out", "stacks"), cwd), args: callArgs };
          });
        resolve({ status, output, calls });
      });
    });
  return { dir, nodeOnly, cdktf };
}

/** The calls of terraform `verb` per stack, in the order they started. */
const started = (calls: readonly TerraformCall[], verb: string) => calls.filter((c) => c.event === "start" && c.args.split(" ")[0] === verb).map((c) => c.stack);

/** Whether two runs of `verb` overlapped in time. */
function overlapped(calls: readonly TerraformCall[], verb: string): boolean {
  const runs = calls.filter((c) => c.args.split(" ")[0] === verb);
  const spans = [...new Set(runs.map((c) => c.stack))].map((stack) => ({
    from: runs.find((c) => c.stack === stack && c.event === "start")!.at,
    to: runs.find((c) => c.stack === stack && c.event === "end")!.at,
  }));
  return spans.some((a, i) => spans.some((b, j) => i !== j && a.from < b.from && b.from < a.to));
}

/** Fixture environments with every stack kind: a cloud backend gives `<env>-workspaces` too. */
function cloudInput(): any {
  return { ...awsInput(), backend: { kind: "cloud", organization: "example-org" } };
}

describe("the real cdktf CLI with a stand-in terraform: deploy order and argument checks", () => {
  const project = cdktfProject({ local: localInput(), production: cloudInput() });
  type Run = Awaited<ReturnType<typeof project.cdktf>>;
  const commands = documentedCommands();
  // No stack has cdktf dependencies (asserted above), so commands that differ only in the stacks
  // they name, or in how many, meet the same checks in cdktf: the real CLI runs one command of each
  // shape, the one naming the most stacks (a CLI run costs ~2 s of CPU), and the others are held to
  // what it did.
  const isStack = (word: string) => /^(local|production)-(database|storage|app|workspaces)$/.test(word);
  const stacksOf = (command: readonly string[]) => command.filter(isStack);
  const shapeOf = (command: readonly string[]) => [...command.filter((w) => !isStack(w)), "<stacks>"].join(" ");
  const representatives = new Map<string, string[]>();
  for (const command of commands) {
    const current = representatives.get(shapeOf(command));
    if (!current || stacksOf(command).length > stacksOf(current).length) representatives.set(shapeOf(command), command);
  }
  /** The representative of `command`'s shape, and its run. */
  const runOf = (command: readonly string[]) => {
    const representative = representatives.get(shapeOf(command))!;
    return { representative, run: documented.get(representative.join(" "))! };
  };
  // The documented deploy of several stacks in order (README's first deploy, today): its run shows
  // the order, and that they do not overlap.
  const ordered = representatives.get("deploy --parallelism 1 <stacks>")!;
  // What no documented command runs: a producer that fails, and several stacks without the flag.
  const scenarios: Record<string, { args: string[]; env?: Record<string, string> }> = {
    failing: { args: ["deploy", "--parallelism", "1", "local-database", "local-storage", "local-app"], env: { TF_STANDIN_FAIL: "local-database" } },
    unordered: { args: ["deploy", "local-database", "local-storage", "local-app"] },
  };
  const runs: Record<string, Run> = {};
  const documented = new Map<string, Run>();
  let synth: Run;

  // The documented `cdktf diff <stack>` runs as users run it, without --skip-synth: last and alone,
  // since it synthesizes again, and after terraform init's leftovers are put in its stack's folder.
  const diff = representatives.get("diff <stacks>")!;

  // One synth (with no terraform anywhere on PATH: synth must never need it), then every run at
  // once, three at a time (2 cores): the CLI costs ~2 s of CPU a run.
  beforeAll(async () => {
    // A previous synth that had one more environment, removed since (cdktf-cli then deletes its
    // stack folders after the app ran, and failed with ENOENT when the app had deleted them).
    synthesize(loadEnvironments(environmentsFolder({ "local.yaml": localInput(), "gone.yaml": localInput() })), path.join(project.dir, "cdktf.out"));
    synth = await project.cdktf(["synth"], { PATH: project.nodeOnly });
    documented.set("synth", synth);
    const jobs: (() => Promise<void>)[] = [
      ...Object.entries(scenarios).map(([name, { args, env }]) => async () => void (runs[name] = await project.cdktf([...args, "--skip-synth"], env))),
      ...[...representatives.values()]
        .filter((c) => c[0] !== "synth" && c !== diff)
        .map((command) => async () => void documented.set(command.join(" "), await project.cdktf([...command, "--skip-synth"]))),
    ];
    const worker = async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    };
    await Promise.all([worker(), worker(), worker()]);
    // Last, alone (it synthesizes again): what terraform init left in a stack folder survives.
    const stack = path.join(project.dir, "cdktf.out", "stacks", diff[1]);
    fs.mkdirSync(path.join(stack, ".terraform", "providers"), { recursive: true });
    fs.writeFileSync(path.join(stack, ".terraform", "providers", "marker"), "downloaded");
    fs.writeFileSync(path.join(stack, ".terraform.lock.hcl"), "# lock");
    runs.resynth = await project.cdktf(diff);
    documented.set(diff.join(" "), runs.resynth);
  }, 240_000);

  test("cdktf synth works on a machine without terraform and writes every stack", () => {
    expect(synth.status).toBe(0);
    expect(synth.output).toMatch(/Generated Terraform code for the stacks: local-app, local-database,\s+local-storage, production-app/);
    const manifest = JSON.parse(fs.readFileSync(path.join(project.dir, "cdktf.out", "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toHaveLength(7);
  });

  test("cdktf diff synthesizes again and the stack keeps its .terraform/ and .terraform.lock.hcl", () => {
    // The documented `cdktf diff <stack>` (diff production-app today), run without --skip-synth.
    expect(diff).toEqual(["diff", expect.stringMatching(/^production-/)]);
    expect(runs.resynth.status).toBe(0);
    // It synthesized again: the synth summary is in its output.
    expect(runs.resynth.output).toContain("Wrote cdktf.out/");
    const stack = path.join(project.dir, "cdktf.out", "stacks", diff[1]);
    expect(fs.readFileSync(path.join(stack, ".terraform", "providers", "marker"), "utf8")).toBe("downloaded");
    expect(fs.existsSync(path.join(stack, ".terraform.lock.hcl"))).toBe(true);
    expect(started(runs.resynth.calls, "plan")).toEqual([diff[1]]);
  });

  test("after an environment is removed, cdktf synth removes its stack folders instead of failing", () => {
    expect(synth.output).not.toMatch(/ENOENT/);
    expect(fs.readdirSync(path.join(project.dir, "cdktf.out", "stacks")).filter((stack) => stack.startsWith("gone-"))).toEqual([]);
  });

  test("one stack deploys alone with no flag (cdktf 0.21 refused: dependencies not included)", () => {
    const { run: single, representative } = runOf(["deploy", "production-app"]);
    expect(single.output).not.toMatch(/Usage Error|not included in the stacks to run|ignore-missing-stack-dependencies/);
    expect(single.status).toBe(0);
    expect(started(single.calls, "apply")).toEqual([representative[1]]);
  });

  test("several stacks with --parallelism 1 run one at a time, in the order given: producers first", () => {
    const run = documented.get(ordered.join(" "))!;
    expect(stacksOf(ordered)).toEqual(["local-database", "local-storage", "local-app"]);
    expect(run.status).toBe(0);
    expect(started(run.calls, "apply")).toEqual(stacksOf(ordered));
    expect(overlapped(run.calls, "apply")).toBe(false);
  });

  test("a failed producer stops the deploy: the app is never applied", () => {
    expect(runs.failing.status).not.toBe(0);
    expect(started(runs.failing.calls, "apply")).toEqual(["local-database"]);
  });

  test("without --parallelism 1 cdktf starts every stack at once (why the docs give the flag)", () => {
    expect(runs.unordered.status).toBe(0);
    expect(overlapped(runs.unordered.calls, "apply")).toBe(true);
  });

  test("every cdktf command README.md and docs/ give passes cdktf's argument and dependency checks", () => {
    expect(commands.map((c) => c.join(" "))).toEqual(expect.arrayContaining(["deploy production-workspaces", "deploy production-app", "diff production-app"]));
    for (const command of commands) {
      const [verb, ...rest] = command;
      const stacks = rest.filter((a) => !a.startsWith("-") && !/^\d+$/.test(a));
      const { representative, run } = runOf(command);
      const representativeStacks = stacksOf(representative);
      // What cdktf did for the representative (which names at least as many stacks), told in this
      // command's stack names: the representative's first stacks stand for this command's, in order;
      // its others have no counterpart here, and a stack it did not name stays as it is (and fails).
      const translated = (ran: string[]) =>
        ran.flatMap((stack) => {
          const at = representativeStacks.indexOf(stack);
          return at < 0 ? [stack] : at < stacks.length ? [stacks[at]] : [];
        });
      const manifest = JSON.parse(fs.readFileSync(path.join(project.dir, "cdktf.out", "manifest.json"), "utf8"));
      expect({ command: command.join(" "), unknown: stacks.filter((s) => !(s in manifest.stacks)) }).toEqual({ command: command.join(" "), unknown: [] });
      expect({ command: command.join(" "), status: run.status, errors: run.output.match(/^\s*(Error|ERROR):.*|.*Usage Error.*/gm) }).toEqual({ command: command.join(" "), status: 0, errors: null });
      const verbRan = { deploy: "apply", diff: "plan", destroy: "destroy" }[verb as "deploy" | "diff" | "destroy"];
      if (verbRan) expect({ command: command.join(" "), ran: translated(started(run.calls, verbRan)).sort() }).toEqual({ command: command.join(" "), ran: [...stacks].sort() });
      if (verb === "deploy" && stacks.length > 1) {
        // Several stacks: one at a time, producers first, as the docs promise.
        expect({ command: command.join(" "), ordered: command.join(" ").includes("--parallelism 1") }).toEqual({ command: command.join(" "), ordered: true });
        const rank = (stack: string) => ["workspaces", "database", "storage", "app"].indexOf(stack.replace(/^.*-/, "")) > 0 ? (stack.endsWith("-app") ? 2 : 1) : 0;
        const ranks = stacks.map(rank);
        expect({ command: command.join(" "), ranks }).toEqual({ command: command.join(" "), ranks: [...ranks].sort() });
        expect({ command: command.join(" "), ran: translated(started(run.calls, "apply")) }).toEqual({ command: command.join(" "), ran: stacks });
      }
    }
  });
});

/**
 * Every `cdktf <verb> ...` README.md and docs/*.md tell users to run, with `<env>` read as
 * `production` and `<stack>` as `production-app`, without comments and shell continuations.
 */
function documentedCommands(): string[][] {
  const files = [path.join(PROJECT_ROOT, "README.md"), ...fs.readdirSync(path.join(PROJECT_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join(PROJECT_ROOT, "docs", f))];
  const found = new Map<string, string[]>();
  for (const file of files) {
    for (const match of fs.readFileSync(file, "utf8").matchAll(/(?:^|[`\s])(?:npx )?cdktf ((?:deploy|diff|destroy|synth)\b[^`\n#;&|]*)/gm)) {
      const words = match[1]
        .replace(/<env>/g, "production")
        .replace(/<stack>/g, "production-app")
        .trim()
        .split(/\s+/)
        .filter((w) => /^[A-Za-z0-9_.:=-]+$/.test(w));
      // Prose such as "cdktf deploy of one stack" is not a command: every argument names a stack or a flag.
      const [verb, ...args] = words;
      if (verb !== "synth" && args.filter((a) => !a.startsWith("-")).length === 0) continue;
      if (args.some((a) => !a.startsWith("-") && !/^\d+$/.test(a) && !/^(local|production)-(database|storage|app|workspaces)$/.test(a))) continue;
      found.set(words.join(" "), words);
    }
  }
  return [...found.values()];
}

describe("synth keeps each stack's .terraform/ and .terraform.lock.hcl", () => {
  const environments = loadEnvironments(environmentsFolder({ "dev.yaml": localInput() }));

  test("across synths, for every stack that still exists; a failed synth changes nothing", () => {
    const outdir = path.join(tempDir("keep"), "cdktf.out");
    synthesize(environments, outdir);
    const app = path.join(outdir, "stacks", "dev-app");
    fs.mkdirSync(path.join(app, ".terraform", "providers"), { recursive: true });
    fs.writeFileSync(path.join(app, ".terraform", "providers", "kubernetes"), "binary");
    fs.writeFileSync(path.join(app, ".terraform.lock.hcl"), "lock");
    fs.writeFileSync(path.join(app, "plan"), "a saved plan of the old configuration");

    synthesize(environments, outdir);
    expect(fs.readFileSync(path.join(app, ".terraform", "providers", "kubernetes"), "utf8")).toBe("binary");
    expect(fs.readFileSync(path.join(app, ".terraform.lock.hcl"), "utf8")).toBe("lock");
    expect(fs.existsSync(path.join(app, "plan"))).toBe(false);
    expect(fs.existsSync(path.join(app, "cdk.tf.json"))).toBe(true);
    expect(fs.readdirSync(path.dirname(outdir)).sort()).toEqual(["cdktf.out"]);

    const before = fs.readFileSync(path.join(app, "cdk.tf.json"), "utf8");
    // The same environment twice: the second set of stacks collides with the first while building.
    expect(() => synthesize([...environments, ...environments], outdir)).toThrow(/dev-database/);
    expect(fs.readFileSync(path.join(app, "cdk.tf.json"), "utf8")).toBe(before);
    expect(fs.readFileSync(path.join(app, ".terraform.lock.hcl"), "utf8")).toBe("lock");
    expect(fs.readdirSync(path.dirname(outdir)).sort()).toEqual(["cdktf.out"]);
  });

  test("a stack that is gone takes its folder with it", () => {
    const outdir = path.join(tempDir("gone"), "cdktf.out");
    synthesize(loadEnvironments(environmentsFolder({ "dev.yaml": localInput(), "old.yaml": localInput() })), outdir);
    fs.mkdirSync(path.join(outdir, "stacks", "old-app", ".terraform"));
    synthesize(environments, outdir);
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(["dev-app", "dev-database", "dev-storage"]);
  });

  test("run by cdktf-cli (keepRemovedStackFolders), a gone stack's folder stays for the CLI to delete", () => {
    const outdir = path.join(tempDir("gone-cli"), "cdktf.out");
    synthesize(loadEnvironments(environmentsFolder({ "dev.yaml": localInput(), "old.yaml": localInput() })), outdir);
    fs.mkdirSync(path.join(outdir, "stacks", "old-app", ".terraform"));
    synthesize(environments, outdir, { keepRemovedStackFolders: true });
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(["dev-app", "dev-database", "dev-storage", "old-app", "old-database", "old-storage"]);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks).sort()).toEqual(["dev-app", "dev-database", "dev-storage"]);
  });
});

describe(".gitignore agrees with the VCS-driven workflow (commit the synth output)", () => {
  test("git adds each stack's JSON and lock file; never providers, saved plans, state or synth's staging folders", () => {
    const repo = tempDir("git");
    const git = (...args: string[]) => {
      const run = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
      if (run.error) throw new Error(`git is needed for this test: install git (${run.error.message})`);
      expect(run.status).toBe(0);
      return run.stdout;
    };
    git("init", "-q");
    fs.copyFileSync(path.join(PROJECT_ROOT, ".gitignore"), path.join(repo, ".gitignore"));
    const files = [
      "cdktf.out/manifest.json",
      "cdktf.out/stacks.mmd",
      "cdktf.out/stacks/prod-app/cdk.tf.json",
      "cdktf.out/stacks/prod-app/.terraform.lock.hcl",
      "cdktf.out/stacks/prod-app/.terraform/providers/registry.terraform.io/hashicorp/kubernetes/terraform-provider-kubernetes",
      "cdktf.out/stacks/prod-app/.terraform/terraform.tfstate",
      "cdktf.out/stacks/prod-workspaces/plan",
      "cdktf.out/stacks/prod-workspaces/cdk.tf.json",
      "cdktf.out.next/stacks/prod-app/cdk.tf.json",
      "cdktf.out.previous/stacks/prod-app/cdk.tf.json",
      "state/prod-workspaces.tfstate",
      "state/prod-workspaces.tfstate.backup",
    ];
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      fs.writeFileSync(path.join(repo, file), "x");
    }
    git("add", "--all");
    expect(git("diff", "--cached", "--name-only").trim().split("\n").sort()).toEqual([
      ".gitignore",
      "cdktf.out/stacks/prod-app/.terraform.lock.hcl",
      "cdktf.out/stacks/prod-app/cdk.tf.json",
      "cdktf.out/stacks/prod-workspaces/cdk.tf.json",
    ]);
  });
});

/**
 * go-slug's `.terraformignore` matcher, the one terraform packs a CLI-driven run's upload with,
 * ported line for line (hashicorp/go-slug internal/ignorefiles/terraformignore.go `readRules`,
 * `rule.compile`; ignorerules.go `Ruleset.Excludes`: the last matching rule wins, `!` negates).
 */
function terraformIgnoreExcludes(file: string): (path: string) => boolean {
  const defaults = ["**/.git/**", "**/.terraform/**", "!**/.terraform/modules/**"];
  const rules = [...defaults, ...file.split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("#")).map((line) => {
    const negated = line.startsWith("!");
    let pattern = negated ? line.slice(1) : line;
    if (pattern.endsWith("/")) pattern += "**";
    pattern = pattern.startsWith("/") ? pattern.slice(1) : `**/${pattern}`;
    return `${negated ? "!" : ""}${pattern}`;
  })].map((rule) => {
    const negated = rule.startsWith("!");
    const pattern = negated ? rule.slice(1) : rule;
    let regex = "^";
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i];
      if (ch === "*" && pattern[i + 1] === "*") {
        i++;
        if (pattern[i + 1] === "/") i++;
        regex += i + 1 >= pattern.length ? ".*" : "(.*/)?";
      } else if (ch === "*") regex += "[^/]*";
      else if (ch === "?") regex += "[^/]";
      else if (ch === "." || ch === "$") regex += `\\${ch}`;
      else if (ch === "\\") regex += i + 1 < pattern.length ? `\\${pattern[++i]}` : "\\\\";
      else regex += ch;
    }
    return { negated, regex: new RegExp(`${regex}$`) };
  });
  return (p) => rules.reduce((excluded, rule) => (rule.regex.test(p) ? !rule.negated : excluded), false);
}

describe(".terraformignore: a CLI run on a VCS-driven workspace uploads the synthesized stacks only", () => {
  test("the stacks' JSON and lock files go; node_modules, dist, state, providers and saved plans stay", () => {
    const excludes = terraformIgnoreExcludes(fs.readFileSync(path.join(PROJECT_ROOT, ".terraformignore"), "utf8"));
    const uploaded = [
      "cdktf.out/stacks/prod-app/cdk.tf.json",
      "cdktf.out/stacks/prod-app/.terraform.lock.hcl",
      "cdktf.out/stacks/prod-database/cdk.tf.json",
      "cdktf.out/manifest.json",
    ];
    const kept = [
      "state/prod-workspaces.tfstate",
      "node_modules/cdktf/package.json",
      "dist/main.js",
      "environments/prod.yaml",
      ".terraformignore",
      "main.ts",
      "cdktf.out/stacks/prod-app/.terraform/providers/registry.terraform.io/hashicorp/kubernetes/2.0/linux_amd64/terraform-provider-kubernetes",
      "cdktf.out/stacks/prod-workspaces/plan",
      "cdktf.out/stacks/prod-workspaces/terraform.tfstate",
      ".git/config",
    ];
    expect(uploaded.filter(excludes)).toEqual([]);
    expect(kept.filter((p) => !excludes(p))).toEqual([]);
  });
});
