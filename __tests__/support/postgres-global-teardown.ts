import * as fs from "fs";
import * as path from "path";
import { PostgresServer, stopAll } from "./postgres";

/** Jest globalTeardown: stops the servers globalSetup started and removes their files. */
export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as any).__mmcdktfPostgres as { starting: Promise<PostgresServer[]>; stateFile: string } | undefined;
  if (!started) return;
  await stopAll(await started.starting);
  fs.rmSync(path.dirname(started.stateFile), { recursive: true, force: true });
}
