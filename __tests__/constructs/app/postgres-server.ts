import { execFileSync, ExecFileSyncOptions } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../../support/synth";

/** Debian's PostgreSQL 15 server (apt-get install postgresql-15). */
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";

/** A throwaway PostgreSQL server on a Unix socket in a temporary folder. */
export interface PostgresServer {
  /** libpq URI of database `mattermost` as its owner, as the stacks' DSN would be. */
  readonly dsn: string;
  /** PATH with psql first, for scripts that call `psql`. */
  readonly path: string;
  /** Runs SQL through psql and returns its unaligned, tuples-only output. */
  sql(query: string): string;
  stop(): void;
}

/**
 * Starts a server, or fails saying what to install: these tests never skip themselves. initdb
 * refuses to run as root, so as root the server runs as the `postgres` user Debian's package makes.
 */
export function startPostgres(): PostgresServer {
  for (const tool of ["initdb", "pg_ctl", "psql"]) {
    if (!fs.existsSync(path.join(POSTGRES_BIN, tool))) {
      throw new Error(`${path.join(POSTGRES_BIN, tool)} is missing: install Debian's PostgreSQL server (apt-get install postgresql-15) or point POSTGRES_BIN at a PostgreSQL bin folder`);
    }
  }
  const root = tempDir("pg");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync("chown", ["postgres:postgres", root]);
  const run = (tool: string, args: string[], options: ExecFileSyncOptions = {}) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", path.join(POSTGRES_BIN, tool), ...args], { stdio: "pipe", ...options })
      : execFileSync(path.join(POSTGRES_BIN, tool), args, { stdio: "pipe", ...options });
  const data = path.join(root, "data");
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
  run("pg_ctl", ["-D", data, "-w", "-l", path.join(root, "log"), "-o", `-k ${root} -c listen_addresses='' -c fsync=off`, "start"]);
  const dsn = `postgresql:///mattermost?host=${encodeURIComponent(root)}&user=mmuser`;
  const admin = `postgresql:///postgres?host=${encodeURIComponent(root)}&user=postgres`;
  execFileSync(path.join(POSTGRES_BIN, "psql"), [admin, "-v", "ON_ERROR_STOP=1", "-c", "CREATE ROLE mmuser LOGIN", "-c", "CREATE DATABASE mattermost OWNER mmuser"], { stdio: "pipe" });
  return {
    dsn,
    path: `${POSTGRES_BIN}:${process.env.PATH}`,
    sql: (query) => execFileSync(path.join(POSTGRES_BIN, "psql"), [dsn, "-v", "ON_ERROR_STOP=1", "-At", "-c", query], { encoding: "utf8" }).trim(),
    stop: () => {
      run("pg_ctl", ["-D", data, "-m", "immediate", "stop"]);
    },
  };
}
