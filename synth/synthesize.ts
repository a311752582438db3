import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import type { Environment } from "../config/load";
import { addEnvironmentStacks } from "../stacks/environment-stacks";
import { PolicyError, SecurityPolicy } from "./security-policy";
import { WAIVERS_FILE } from "./summary";

/**
 * What `terraform init` leaves in a stack's folder that must outlive a synth: the providers it
 * downloaded (`.terraform/`, which also records the backend and the Terraform Cloud workspace) and
 * the provider lock file. Without them every `cdktf diff`/`deploy` downloads every provider again
 * and the lock file, which pins the providers' checksums, never survives. Saved plans (`plan`) and
 * anything else are not carried: they belong to the configuration they were made from.
 */
export const KEPT_ACROSS_SYNTHS = [".terraform", ".terraform.lock.hcl"] as const;

/** How {@link synthesize} treats what is already in the output folder. */
export interface SynthesizeOptions {
  /**
   * Keep the folder of a stack that no longer exists (an environment or the workspaces stack was
   * removed) instead of deleting it. For synth run by cdktf-cli: after the app exits, the CLI
   * deletes every stack folder it listed before synth and that the new manifest lacks, with an
   * `fs.rmSync` that throws ENOENT when the folder is already gone (cdktf-cli 0.21,
   * `SynthStack.synth` in bundle/bin/cmds/handlers.js), which failed every synth, diff and deploy
   * after a stack was removed. Default false: the folder goes.
   */
  readonly keepRemovedStackFolders?: boolean;
}

/**
 * Synthesizes every environment into `outdir`. The app is synthesized into a fresh folder beside
 * `outdir` and moved into place only when synth and the security policy succeeded, so a failure
 * never leaves a half-written or mixed `cdktf.out`, and never touches the one that is there.
 * Each stack that still exists keeps its {@link KEPT_ACROSS_SYNTHS}.
 */
export function synthesize(environments: readonly Environment[], outdir: string, options: SynthesizeOptions = {}): void {
  const base = outdir.replace(/\/+$/, "");
  const staging = `${base}.next`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const app = new App({ outdir: staging, stackTraces: false });
    // addEnvironmentStacks keeps the file's text literal and puts every stack under the app's security policy.
    for (const environment of environments) addEnvironmentStacks(app, environment);
    const policy = SecurityPolicy.of(app);
    try {
      app.synth();
    } catch (error) {
      // The policy's validation failed the synth: the typed error, one violation each.
      if (policy.violations.length > 0) throw new PolicyError(policy.violations);
      throw error;
    }
    // Read back by the summary, which prints every waiver in force (synth/summary.ts).
    fs.writeFileSync(path.join(staging, WAIVERS_FILE), `${JSON.stringify(policy.waivers, null, 2)}\n`);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  replace(base, staging, options.keepRemovedStackFolders ?? false);
}

/**
 * Puts `staging` where `outdir` is. The kept files move (rename: same folder tree, no copy of
 * hundreds of MB of providers) from the old stack folders into the new ones first; the old folder
 * is renamed aside, the new one renamed in, and the old one deleted. If the swap fails, the kept
 * files go back and the old folder is restored.
 */
function replace(outdir: string, staging: string, keepRemoved: boolean): void {
  const previous = `${outdir}.previous`;
  fs.rmSync(previous, { recursive: true, force: true });
  const moved: { from: string; to: string }[] = [];
  let asidePrevious = false;
  try {
    carryOver(path.join(outdir, "stacks"), path.join(staging, "stacks"), moved, keepRemoved);
    fs.mkdirSync(path.dirname(path.resolve(outdir)), { recursive: true });
    if (fs.existsSync(outdir)) {
      fs.renameSync(outdir, previous);
      asidePrevious = true;
    }
    fs.renameSync(staging, outdir);
  } catch (error) {
    if (asidePrevious) fs.renameSync(previous, outdir);
    for (const { from, to } of moved.reverse()) fs.renameSync(to, from);
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  fs.rmSync(previous, { recursive: true, force: true });
}

/**
 * Moves each kept entry of `<from>/<stack>/` to `<to>/<stack>/` for the stacks `to` holds (and,
 * with `keepRemoved`, the whole folder of each stack `to` lacks), noting each move in `moved`.
 */
function carryOver(from: string, to: string, moved: { from: string; to: string }[], keepRemoved: boolean): void {
  if (!fs.existsSync(from) || !fs.existsSync(to)) return;
  if (keepRemoved) {
    const current = new Set(fs.readdirSync(to));
    for (const stack of fs.readdirSync(from).filter((name) => !current.has(name))) {
      fs.renameSync(path.join(from, stack), path.join(to, stack));
      moved.push({ from: path.join(from, stack), to: path.join(to, stack) });
    }
  }
  for (const stack of fs.readdirSync(to)) {
    for (const entry of KEPT_ACROSS_SYNTHS) {
      const source = path.join(from, stack, entry);
      const target = path.join(to, stack, entry);
      if (!fs.existsSync(source) || fs.existsSync(target)) continue;
      fs.renameSync(source, target);
      moved.push({ from: source, to: target });
    }
  }
}
