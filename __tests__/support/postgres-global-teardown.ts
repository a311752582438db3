import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { portIsFree, PostgresServer, stopAll } from "./postgres";

/** Jest globalTeardown: stops the servers globalSetup started and removes their files. */
export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as any).__mmcdktfPostgres as { starting: Promise<PostgresServer[]>; stateFile: string } | undefined;
  if (!started) return;
  const servers = await started.starting;
  await stopAll(servers);
  fs.rmSync(path.dirname(started.stateFile), { recursive: true, force: true });
  // A server left running outlives the run (and keeps its data folder's 160 MB busy on the next).
  for (const server of servers) {
    assert.ok(await portIsFree(server.port), `PostgreSQL ${server.major} still listens on 127.0.0.1:${server.port} after the run; stop that postgres process`);
  }
}
