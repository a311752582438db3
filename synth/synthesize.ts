import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import type { Environment } from "../config/load";
import { addEnvironmentStacks } from "../stacks/environment-stacks";

/**
 * Synthesizes every environment into `outdir`. The app is synthesized into a fresh folder beside
 * `outdir` and moved into place only when synth succeeded, so a failure never leaves a half-written
 * or mixed `cdktf.out`.
 */
export function synthesize(environments: readonly Environment[], outdir: string): void {
  const staging = `${outdir.replace(/\/+$/, "")}.next`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const app = new App({ outdir: staging, stackTraces: false });
    for (const environment of environments) addEnvironmentStacks(app, environment);
    app.synth();
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(path.resolve(outdir)), { recursive: true });
  fs.renameSync(staging, outdir);
}
