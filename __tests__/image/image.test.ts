import { spawnSync, SpawnSyncReturns } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// Tests for image/: install-mattermost.sh runs for real against a small fake
// release served from file:// URLs; the Dockerfile is checked statically and
// build.sh only in --dry-run mode (no container engine runs in tests).

const IMAGE_DIR = path.join(__dirname, "..", "..", "image");
const INSTALL = path.join(IMAGE_DIR, "install-mattermost.sh");
const BUILD = path.join(IMAGE_DIR, "build.sh");
const DOCKERFILE = path.join(IMAGE_DIR, "Dockerfile");
const VERSION = "10.11.4";
const ZERO_SHA = "0".repeat(64);

let root: string;
let mirrorUrl: string;
let enterpriseSha: string;
let teamSha: string;
let urlPlugin: { url: string; sha: string };
let webapp: { url: string; sha: string };
let notAPlugin: { url: string; sha: string };
let outCounter = 0;

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function write(file: string, content: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
}

/** tar czf `out` holding `entries` of directory `cwd`, optionally recording another owner. */
function tarGz(cwd: string, entries: string[], out: string, owner?: string): void {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const ownership = owner ? [`--owner=${owner}`, `--group=${owner}`, "--numeric-owner"] : [];
  const r = spawnSync("tar", ["czf", out, ...ownership, "-C", cwd, ...entries], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
}

/** A plugin bundle: one top-level directory named by the id, with plugin.json. */
function pluginBundle(id: string, version: string, out: string): void {
  const src = fs.mkdtempSync(path.join(root, "plugin-src-"));
  write(path.join(src, id, "plugin.json"), JSON.stringify({ id, version }));
  write(path.join(src, id, "server", "dist", "plugin-linux-amd64"), "#!/bin/sh\n", 0o755);
  tarGz(src, [id], out);
}

function fileUrl(p: string): string {
  return `file://${p}`;
}

function makeRelease(edition: "enterprise" | "team"): string {
  const src = fs.mkdtempSync(path.join(root, `release-${edition}-`));
  const mm = path.join(src, "mattermost");
  write(path.join(mm, "bin", "mattermost"), `#!/bin/sh\necho mattermost ${edition}\n`, 0o755);
  write(path.join(mm, "bin", "mmctl"), "#!/bin/sh\n", 0o755);
  write(path.join(mm, "client", "root.html"), "<html>stock</html>\n");
  write(path.join(mm, "client", "main.js"), "// stock\n");
  write(path.join(mm, "config", "config.json"), "{}\n");
  write(path.join(mm, "EDITION"), `${edition}\n`);
  fs.mkdirSync(path.join(mm, "logs"), { recursive: true });
  const pp = path.join(mm, "prepackaged_plugins");
  // Named like the real ones: <package>-v<version>-linux-amd64.tar.gz (+ .sig).
  pluginBundle("com.example.demo", "1.0.0", path.join(pp, "mattermost-plugin-demo-v1.0.0-linux-amd64.tar.gz"));
  write(path.join(pp, "mattermost-plugin-demo-v1.0.0-linux-amd64.tar.gz.sig"), "sig");
  pluginBundle("com.example.other", "2.1.0", path.join(pp, "com.example.other-2.1.0.tar.gz"));
  const name = edition === "team" ? `mattermost-team-${VERSION}-linux-amd64.tar.gz` : `mattermost-${VERSION}-linux-amd64.tar.gz`;
  const out = path.join(root, "mirror", VERSION, name);
  tarGz(src, ["mattermost"], out);
  return sha256(out);
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "mm-image-test-"));
  mirrorUrl = fileUrl(path.join(root, "mirror"));
  enterpriseSha = makeRelease("enterprise");
  teamSha = makeRelease("team");

  const pluginOut = path.join(root, "downloads", "com.example.url-0.2.0.tar.gz");
  pluginBundle("com.example.url", "0.2.0", pluginOut);
  urlPlugin = { url: fileUrl(pluginOut), sha: sha256(pluginOut) };

  const webSrc = fs.mkdtempSync(path.join(root, "webapp-src-"));
  write(path.join(webSrc, "dist", "root.html"), "<html>patched</html>\n");
  write(path.join(webSrc, "dist", "main.patched.js"), "// patched\n");
  const webOut = path.join(root, "downloads", "webapp.tar.gz");
  tarGz(webSrc, ["dist"], webOut);
  webapp = { url: fileUrl(webOut), sha: sha256(webOut) };

  const badSrc = fs.mkdtempSync(path.join(root, "bad-src-"));
  write(path.join(badSrc, "README.md"), "not a plugin\n");
  const badOut = path.join(root, "downloads", "not-a-plugin.tar.gz");
  tarGz(badSrc, ["README.md"], badOut);
  notAPlugin = { url: fileUrl(badOut), sha: sha256(badOut) };
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** Environment without any MATTERMOST_* variables from the caller. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("MATTERMOST_") && k !== "CONTAINER_ENGINE") env[k] = v;
  }
  return { ...env, ...extra };
}

function freshTarget(): string {
  outCounter += 1;
  return path.join(root, "out", `t${outCounter}`);
}

function install(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync("bash", [INSTALL, ...args], { env: cleanEnv(env), encoding: "utf8" });
}

function build(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync("bash", [BUILD, ...args], { env: cleanEnv(env), encoding: "utf8" });
}

/** Split a printed shell command back into its argv, the way bash would. */
function argv(line: string): string[] {
  const r = spawnSync("bash", ["-c", 'eval "set -- $1"; printf "%s\\0" "$@"', "argv", line], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return r.stdout.split("\0").slice(0, -1);
}

/** The value following `flag` each time it occurs in `args`. */
function values(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

function read(file: string): string {
  return fs.readFileSync(file, "utf8");
}

describe("install-mattermost.sh", () => {
  test("installed files belong to root and are not writable by the runtime user, whatever the tarball says", () => {
    // A release packed by uid 2000 (the runtime user), with a world-writable, setuid server binary.
    const src = fs.mkdtempSync(path.join(root, "hostile-release-"));
    const mm = path.join(src, "mattermost");
    write(path.join(mm, "bin", "mattermost"), "#!/bin/sh\necho evil\n", 0o777);
    fs.chmodSync(path.join(mm, "bin", "mattermost"), 0o4777);
    fs.chmodSync(path.join(mm, "bin"), 0o777);
    write(path.join(mm, "lib", "libfoo.so"), "x", 0o666);
    write(path.join(mm, "config", "config.json"), "{}\n");
    const version = "9.9.9";
    const out = path.join(root, "mirror", version, `mattermost-${version}-linux-amd64.tar.gz`);
    tarGz(src, ["mattermost"], out, "2000");
    const target = freshTarget();
    const r = install(["--version", version, "--sha256", sha256(out), "--base-url", mirrorUrl, "--target", target, "--owner", "2000:2000"]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const asRoot = process.getuid?.() === 0;
    for (const file of ["bin", "bin/mattermost", "lib", "lib/libfoo.so", "."]) {
      const st = fs.statSync(path.join(target, file));
      // Nobody but the owner may write, no setuid/setgid; as root (the image build) the owner is root.
      expect([file, st.mode & 0o6022]).toEqual([file, 0]);
      expect([file, st.uid]).toEqual([file, asRoot ? 0 : process.getuid!()]);
    }
    // The writable directories still go to the runtime user.
    if (asRoot) expect(fs.statSync(path.join(target, "config")).uid).toBe(2000);
  });

  test("installs the release with prepackaged and URL plugins and a patched web app", () => {
    const target = freshTarget();
    const r = install([
      "--version", VERSION,
      "--sha256", enterpriseSha,
      "--base-url", mirrorUrl,
      "--target", target,
      "--plugin", "mattermost-plugin-demo",
      "--plugin", `${urlPlugin.url}#sha256=${urlPlugin.sha}`,
      "--webapp", `${webapp.url}#sha256=${webapp.sha}`,
      "--owner", "2000:2000",
    ]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);

    // Enterprise is the default edition.
    expect(read(path.join(target, "EDITION"))).toBe("enterprise\n");
    const bin = path.join(target, "bin", "mattermost");
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    expect(fs.existsSync(path.join(target, "bin", "mmctl"))).toBe(true);
    expect(fs.existsSync(path.join(target, "config", "config.json"))).toBe(true);
    for (const d of ["data", "logs", "config", "plugins", "client/plugins"]) {
      expect(fs.statSync(path.join(target, d)).isDirectory()).toBe(true);
    }

    // Prepackaged plugin extracted under its id; the bundles themselves stay.
    expect(JSON.parse(read(path.join(target, "plugins", "com.example.demo", "plugin.json")))).toEqual({
      id: "com.example.demo",
      version: "1.0.0",
    });
    expect(fs.existsSync(path.join(target, "plugins", "com.example.demo", "server", "dist", "plugin-linux-amd64"))).toBe(true);
    expect(fs.existsSync(path.join(target, "prepackaged_plugins", "mattermost-plugin-demo-v1.0.0-linux-amd64.tar.gz"))).toBe(true);
    // URL plugin extracted under its id.
    expect(JSON.parse(read(path.join(target, "plugins", "com.example.url", "plugin.json"))).id).toBe("com.example.url");
    // Only the requested plugins are installed.
    expect(fs.readdirSync(path.join(target, "plugins")).sort()).toEqual(["com.example.demo", "com.example.url"]);

    // Web app swapped: stock files gone, patched build (from dist/) in place.
    expect(read(path.join(target, "client", "root.html"))).toBe("<html>patched</html>\n");
    expect(fs.existsSync(path.join(target, "client", "main.patched.js"))).toBe(true);
    expect(fs.existsSync(path.join(target, "client", "main.js"))).toBe(false);

    // Ownership: writable dirs to 2000:2000 when root, binaries untouched.
    if (process.getuid && process.getuid() === 0) {
      for (const d of ["data", "logs", "config", "plugins", "plugins/com.example.demo", "client", "client/plugins", "client/root.html"]) {
        const st = fs.statSync(path.join(target, d));
        expect([d, st.uid, st.gid]).toEqual([d, 2000, 2000]);
      }
      expect(fs.statSync(bin).uid).not.toBe(2000);
    } else {
      expect(r.stderr).toMatch(/not running as root, ownership left unchanged/);
    }
  });

  test("team edition downloads the team tarball; inputs from environment variables", () => {
    const target = freshTarget();
    const r = install([], {
      MATTERMOST_EDITION: "team",
      MATTERMOST_VERSION: VERSION,
      MATTERMOST_SHA256: teamSha.toUpperCase(),
      MATTERMOST_BASE_URL: mirrorUrl,
      MATTERMOST_TARGET: target,
      MATTERMOST_PLUGINS: `com.example.other, ${urlPlugin.url}#sha256=${urlPlugin.sha}`,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`mattermost-team-${VERSION}-linux-amd64.tar.gz`);
    expect(read(path.join(target, "EDITION"))).toBe("team\n");
    expect(fs.readdirSync(path.join(target, "plugins")).sort()).toEqual(["com.example.other", "com.example.url"]);
    // No web app given: the stock client is kept, with a client/plugins dir.
    expect(read(path.join(target, "client", "root.html"))).toBe("<html>stock</html>\n");
    expect(fs.statSync(path.join(target, "client", "plugins")).isDirectory()).toBe(true);
  });

  test("refuses a release whose checksum does not match", () => {
    const target = freshTarget();
    const r = install(["--version", VERSION, "--sha256", teamSha, "--base-url", mirrorUrl, "--target", target]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/sha256 checksum mismatch/i);
    expect(r.stderr).toContain(`expected ${teamSha}, got ${enterpriseSha}`);
    expect(fs.existsSync(path.join(target, "bin"))).toBe(false);
  });

  test("refuses to install without a checksum", () => {
    const target = freshTarget();
    const r = install(["--version", VERSION, "--base-url", mirrorUrl, "--target", target]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no SHA-256 checksum/);
    expect(r.stderr).toContain("MATTERMOST_SHA256");
    expect(r.stderr).toMatch(/refusing/);
    expect(fs.existsSync(target)).toBe(false);
  });

  test("rejects a malformed checksum", () => {
    const r = install(["--version", VERSION, "--sha256", "abc123", "--base-url", mirrorUrl, "--target", freshTarget()]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/invalid SHA-256 'abc123'.*64 hex characters/);
  });

  test("rejects an unknown edition, naming the arg and the allowed values", () => {
    const target = freshTarget();
    const r = install(["--edition", "community", "--version", VERSION, "--sha256", enterpriseSha, "--base-url", mirrorUrl, "--target", target]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("invalid edition 'community'");
    expect(r.stderr).toContain("MATTERMOST_EDITION");
    expect(r.stderr).toContain("team, enterprise");
    expect(r.stderr).not.toContain("downloading");
    expect(fs.existsSync(target)).toBe(false);
  });

  test("refuses a non-empty target directory before downloading", () => {
    const target = freshTarget();
    write(path.join(target, "leftover"), "x");
    const r = install(["--version", VERSION, "--sha256", enterpriseSha, "--base-url", mirrorUrl, "--target", target]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/target directory .* is not empty/);
    expect(r.stderr).not.toContain("downloading");
    expect(fs.readdirSync(target)).toEqual(["leftover"]);
  });

  test("a missing prepackaged plugin fails and lists the available ones", () => {
    const r = install([
      "--version", VERSION, "--sha256", enterpriseSha, "--base-url", mirrorUrl, "--target", freshTarget(),
      "--plugin", "mattermost-plugin-nope",
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/prepackaged plugin 'mattermost-plugin-nope' not found/);
    expect(r.stderr).toContain("mattermost-plugin-demo-v1.0.0-linux-amd64");
    expect(r.stderr).toContain("com.example.other-2.1.0");
  });

  test("a URL plugin needs a checksum, and it must match", () => {
    const base = ["--version", VERSION, "--sha256", enterpriseSha, "--base-url", mirrorUrl];
    const noSha = install([...base, "--target", freshTarget(), "--plugin", urlPlugin.url]);
    expect(noSha.status).not.toBe(0);
    expect(noSha.stderr).toMatch(/plugin .* has no valid checksum/);
    expect(noSha.stderr).not.toContain("downloading");

    const wrongSha = install([...base, "--target", freshTarget(), "--plugin", `${urlPlugin.url}#sha256=${ZERO_SHA}`]);
    expect(wrongSha.status).not.toBe(0);
    expect(wrongSha.stderr).toMatch(/sha256 checksum mismatch for plugin com\.example\.url-0\.2\.0\.tar\.gz/);
  });

  test("a tarball that is not a plugin bundle is rejected", () => {
    const r = install([
      "--version", VERSION, "--sha256", enterpriseSha, "--base-url", mirrorUrl, "--target", freshTarget(),
      "--plugin", `${notAPlugin.url}#sha256=${notAPlugin.sha}`,
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not a plugin bundle: expected one top-level directory .* plugin\.json/);
  });

  test("a web app with a wrong checksum is refused", () => {
    const r = install([
      "--version", VERSION, "--sha256", enterpriseSha, "--base-url", mirrorUrl, "--target", freshTarget(),
      "--webapp", `${webapp.url}#sha256=${ZERO_SHA}`,
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/sha256 checksum mismatch for web app/);
  });
});

/** Dockerfile instructions with line continuations joined and comments dropped. */
function dockerInstructions(): { op: string; args: string }[] {
  const joined = read(DOCKERFILE)
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n")
    .replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((l) => {
      const m = /^(\S+)\s*(.*)$/.exec(l)!;
      return { op: m[1].toUpperCase(), args: m[2].replace(/\s+/g, " ") };
    });
}

describe("Dockerfile", () => {
  const ins = dockerInstructions();
  const all = (op: string) => ins.filter((i) => i.op === op).map((i) => i.args);
  const last = (op: string) => {
    const xs = all(op);
    expect(xs.length).toBeGreaterThan(0);
    return xs[xs.length - 1];
  };
  const argDefault = (name: string): string | undefined => {
    const a = all("ARG").find((x) => x === name || x.startsWith(`${name}=`));
    expect(a).toBeDefined();
    return a!.includes("=") ? a!.slice(name.length + 1).replace(/^"(.*)"$/, "$1") : undefined;
  };

  test("base image is pinned by an exact tag", () => {
    const from = all("FROM");
    expect(from).toHaveLength(1);
    let ref = from[0].split(" ")[0];
    const m = /^\$\{?(\w+)\}?$/.exec(ref);
    if (m) ref = argDefault(m[1]) ?? "";
    expect(ref).toMatch(/^[a-z0-9./-]+:[0-9]+\.[0-9]+[A-Za-z0-9._-]*(@sha256:[0-9a-f]{64})?$/);
    expect(ref).not.toMatch(/:latest\b/);
  });

  test("runs as 2000:2000 from /mattermost, created user and group 2000", () => {
    expect(last("USER")).toBe("2000:2000");
    expect(last("WORKDIR")).toBe("/mattermost");
    const run = all("RUN").join(" ");
    expect(run).toMatch(/groupadd --gid 2000 mattermost/);
    expect(run).toMatch(/useradd --uid 2000 --gid 2000/);
    expect(run).toContain("MATTERMOST_OWNER=2000:2000");
  });

  test("exposes 8065 8067 8074", () => {
    expect(all("EXPOSE").join(" ").split(" ").sort()).toEqual(["8065", "8067", "8074"]);
  });

  test("health check curls /api/v4/system/ping", () => {
    const hc = last("HEALTHCHECK");
    expect(hc).toMatch(/CMD curl .*http:\/\/localhost:8065\/api\/v4\/system\/ping/);
  });

  test("CMD starts the server without --config, so MM_CONFIG is honoured", () => {
    const cmd = JSON.parse(last("CMD")) as string[];
    expect(cmd[0]).toBe("/mattermost/bin/mattermost");
    expect(cmd.some((a) => a === "--config" || a === "-c" || a.startsWith("--config="))).toBe(false);
    expect(all("ENTRYPOINT")).toHaveLength(0);
  });

  test("build args: edition defaults to enterprise, version and checksum have no default", () => {
    expect(argDefault("MATTERMOST_EDITION")).toBe("enterprise");
    expect(argDefault("MATTERMOST_VERSION")).toBeUndefined();
    expect(argDefault("MATTERMOST_SHA256")).toBeUndefined();
    expect(argDefault("MATTERMOST_PLUGINS")).toBe("");
    expect(argDefault("MATTERMOST_WEBAPP")).toBe("");
    expect(argDefault("MATTERMOST_BASE_URL")).toBe("https://releases.mattermost.com");
  });

  test("the install script is what the Dockerfile runs", () => {
    const copy = all("COPY").find((c) => c.startsWith("install-mattermost.sh "));
    expect(copy).toBeDefined();
    const dest = copy!.split(" ")[1];
    expect(fs.existsSync(path.join(IMAGE_DIR, "install-mattermost.sh"))).toBe(true);
    // Some RUN step executes it: a command whose program (after any VAR=value
    // assignments) is the copied script.
    const commands = all("RUN").flatMap((r) => r.split(/&&|;/).map((c) => c.trim().split(" ")));
    const program = (words: string[]) => words.find((w) => !/^[A-Z_]+=/.test(w));
    const invocations = commands.filter((words) => program(words) === dest);
    expect(invocations).toHaveLength(1);
    const runText = all("RUN").find((r) => r.includes(`${dest}`) && r.includes("MATTERMOST_TARGET"));
    expect(runText).toContain("MATTERMOST_TARGET=/mattermost");
  });

  test("OCI labels", () => {
    const labels = all("LABEL").join(" ");
    for (const k of [
      "org.opencontainers.image.version=\"${MATTERMOST_VERSION}\"",
      "org.opencontainers.image.source=",
      "org.opencontainers.image.title=",
      "mattermost.edition=\"${MATTERMOST_EDITION}\"",
    ]) {
      expect(labels).toContain(k);
    }
  });

  test("installs no xmlsec1", () => {
    expect(read(DOCKERFILE)).not.toMatch(/xmlsec/);
  });
});

describe("build.sh", () => {
  const SHA = "ab".repeat(32);

  test("--dry-run prints the build command with the right args and default tag", () => {
    const r = build(
      [
        "--edition", "team", "--version", VERSION, "--sha256", SHA.toUpperCase(),
        "--plugin", "mattermost-plugin-calls",
        "--plugin", `https://example.com/p.tar.gz#sha256=${SHA}`,
        "--webapp", `https://example.com/web.tar.gz#sha256=${SHA}`,
        "--dry-run",
      ],
      { CONTAINER_ENGINE: "docker" },
    );
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const args = argv(lines[0]);
    expect(args.slice(0, 2)).toEqual(["docker", "build"]);
    expect(values(args, "--file")).toEqual([DOCKERFILE]);
    expect(values(args, "--platform")).toEqual(["linux/amd64"]);
    expect(values(args, "--tag")).toEqual([`mattermost-team:${VERSION}`]);
    expect(values(args, "--build-arg")).toEqual([
      "MATTERMOST_EDITION=team",
      `MATTERMOST_VERSION=${VERSION}`,
      `MATTERMOST_SHA256=${SHA}`,
      // Both plugins in one space-separated build arg.
      `MATTERMOST_PLUGINS=mattermost-plugin-calls https://example.com/p.tar.gz#sha256=${SHA}`,
      `MATTERMOST_WEBAPP=https://example.com/web.tar.gz#sha256=${SHA}`,
    ]);
    // The build context is image/ itself.
    expect(args[args.length - 1]).toBe(IMAGE_DIR);
    expect(args).not.toContain("push");
  });

  test("--tag, --push, --base-image and podman", () => {
    const r = build(
      ["--version", VERSION, "--sha256", SHA, "--tag", "registry.example.com/mm:1", "--push",
        "--base-image", `debian:12.12-slim@sha256:${SHA}`, "--dry-run", "--", "--no-cache"],
      { CONTAINER_ENGINE: "podman" },
    );
    expect(r.status).toBe(0);
    const [buildLine, pushLine, ...rest] = r.stdout.trim().split("\n");
    expect(rest).toHaveLength(0);
    const args = argv(buildLine);
    expect(args.slice(0, 2)).toEqual(["podman", "build"]);
    expect(values(args, "--tag")).toEqual(["registry.example.com/mm:1"]);
    expect(values(args, "--build-arg")).toEqual([
      "MATTERMOST_EDITION=enterprise",
      `MATTERMOST_VERSION=${VERSION}`,
      `MATTERMOST_SHA256=${SHA}`,
      `BASE_IMAGE=debian:12.12-slim@sha256:${SHA}`,
    ]);
    expect(values(args, "--format")).toEqual(["docker"]);
    expect(args).toContain("--no-cache");
    expect(args[args.length - 1]).toBe(IMAGE_DIR);
    expect(argv(pushLine)).toEqual(["podman", "push", "registry.example.com/mm:1"]);
  });

  test("rejects a bad edition", () => {
    const r = build(["--edition", "free", "--version", VERSION, "--sha256", SHA, "--dry-run"]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("invalid --edition 'free': allowed values are team, enterprise");
  });

  test("requires a checksum, a version, and checksums on URL plugins", () => {
    const noSha = build(["--version", VERSION, "--dry-run"]);
    expect(noSha.status).not.toBe(0);
    expect(noSha.stderr).toMatch(/--sha256 is required/);

    const noVersion = build(["--sha256", SHA, "--dry-run"]);
    expect(noVersion.status).not.toBe(0);
    expect(noVersion.stderr).toMatch(/--version is required/);

    const badPlugin = build(["--version", VERSION, "--sha256", SHA, "--plugin", "https://example.com/p.tar.gz", "--dry-run"]);
    expect(badPlugin.status).not.toBe(0);
    expect(badPlugin.stderr).toMatch(/invalid --plugin .*#sha256=/);
  });

  test("--help documents the options", () => {
    const r = build(["--help"]);
    expect(r.status).toBe(0);
    for (const opt of ["--edition", "--version", "--sha256", "--plugin", "--webapp", "--tag", "--push", "--dry-run"]) {
      expect(r.stdout).toContain(opt);
    }
  });
});
