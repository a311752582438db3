import * as fs from "fs";
import * as path from "path";
import { App, Aspects } from "cdktf";
import type { Environment } from "../config/load";
import { addEnvironmentStacks } from "../stacks/environment-stacks";
import { PolicyError, SecurityPolicy } from "./security-policy";

/**
 * Synthesizes every environment into `outdir`. The app is synthesized into a fresh folder beside
 * `outdir` and moved into place only when synth and the security policy succeeded, so a failure
 * never leaves a half-written or mixed `cdktf.out`.
 */
export function synthesize(environments: readonly Environment[], outdir: string): void {
  const staging = `${outdir.replace(/\/+$/, "")}.next`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const app = new App({ outdir: staging, stackTraces: false });
    const policy = new SecurityPolicy();
    for (const environment of environments) {
      const stacks = addEnvironmentStacks(app, environment);
      const aspect = policy.forEnvironment(environment.file, environment.config.policy.waivers);
      for (const stack of Object.values(stacks)) Aspects.of(stack).add(aspect);
    }
    app.synth();
    if (policy.violations.length > 0) throw new PolicyError(policy.violations);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(path.resolve(outdir)), { recursive: true });
  fs.renameSync(staging, outdir);
}
