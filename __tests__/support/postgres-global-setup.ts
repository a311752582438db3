import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SUPPORTED_POSTGRES_MAJORS } from "../../config/schema/database";
import { PostgresServer, startServers } from "./postgres";

/**
 * Jest globalSetup: starts one PostgreSQL server per supported major for the whole run, in the
 * background. initdb and the first checkpoint mostly wait rather than compute, so they overlap with
 * the test files that run meanwhile; the tests that need the servers wait for the state file
 * (serversOfThisRun in postgres.ts). globalTeardown stops them.
 */
export default async function globalSetup(globalConfig?: { testPathPatterns?: { patterns?: string[] } }): Promise<void> {
  // A run limited to files that need no server (`npx jest __tests__/config`) starts none; the
  // PostgreSQL tests start their own when they run without this setup (serversOfThisRun).
  const patterns = globalConfig?.testPathPatterns?.patterns ?? [];
  const needing = path.join(__dirname, "..", "constructs", "database", "postgres-contract.test.ts");
  if (patterns.length > 0 && !patterns.some((pattern) => new RegExp(pattern, "i").test(needing))) return;
  const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mmcdktf-pg-state-")), "servers.json");
  // The state holds the bootstrap superuser's password: its folder is ours alone.
  const mode = fs.statSync(path.dirname(stateFile)).mode & 0o777;
  assert.strictEqual(mode & 0o077, 0, `${path.dirname(stateFile)} is readable by others (mode ${mode.toString(8)}); the PostgreSQL state must not be`);
  process.env.MMCDKTF_POSTGRES_STATE = stateFile;
  const starting: Promise<PostgresServer[]> = startServers([...SUPPORTED_POSTGRES_MAJORS]).then(
    (servers) => {
      const state = servers.map(({ major, host, port, caFile, caPem, bootstrap }) => ({ major, host, port, caFile, caPem, bootstrap }));
      fs.writeFileSync(`${stateFile}.tmp`, JSON.stringify({ servers: state }));
      fs.renameSync(`${stateFile}.tmp`, stateFile);
      return servers;
    },
    (error: Error) => {
      fs.writeFileSync(stateFile, JSON.stringify({ error: error.message }));
      return [];
    },
  );
  (globalThis as any).__mmcdktfPostgres = { starting, stateFile };
}
