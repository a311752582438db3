import * as fs from "fs";
import * as path from "path";
import { App, Aspects } from "cdktf";
import type { Environment } from "../config/load";
import { addEnvironmentStacks } from "../stacks/environment-stacks";
import { PolicyError, SecurityPolicy } from "./security-policy";
import { WAIVERS_FILE } from "./summary";
import { keepTextLiteral } from "./terraform-literals";

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
      for (const stack of Object.values(stacks)) {
        // Every string from the environment file reaches Terraform as the text the user wrote.
        keepTextLiteral(stack);
        Aspects.of(stack).add(aspect);
      }
    }
    app.synth();
    if (policy.violations.length > 0) throw new PolicyError(policy.violations);
    // Read back by the summary, which prints every waiver in force (synth/summary.ts).
    fs.writeFileSync(path.join(staging, WAIVERS_FILE), `${JSON.stringify(policy.waivers, null, 2)}\n`);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(path.resolve(outdir)), { recursive: true });
  fs.renameSync(staging, outdir);
}
