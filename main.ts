#!/usr/bin/env node
// Composition root: read environments/, build three linked stacks per environment, synthesize.
import * as fs from "fs";
import * as path from "path";
import { EnvironmentError, environmentsDir, loadEnvironments } from "./config/load";
import { mermaidGraph } from "./synth/graph";
import { activeWaivers, formatSummary, summarize } from "./synth/summary";
import { describeViolation, PolicyError } from "./synth/security-policy";
import { synthesize } from "./synth/synthesize";

function main(): number {
  const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
  try {
    const environments = loadEnvironments(environmentsDir());
    // cdktf-cli sets CDKTF_CONTEXT_JSON for the app it runs, and deletes removed stacks' folders itself.
    synthesize(environments, outdir, { keepRemovedStackFolders: process.env.CDKTF_CONTEXT_JSON !== undefined });
  } catch (error) {
    if (error instanceof EnvironmentError) {
      process.stderr.write(`${error.problems.join("\n")}\n\nNothing was synthesized; ${outdir}/ is unchanged.\n`);
      return 1;
    }
    if (error instanceof PolicyError) {
      process.stderr.write(`${error.violations.map(describeViolation).join("\n")}\n\nThe security policy failed; ${outdir}/ is unchanged.\n`);
      return 1;
    }
    process.stderr.write(`synth failed: ${error instanceof Error ? error.message : String(error)}\n\nNothing was synthesized; ${outdir}/ is unchanged.\n`);
    return 1;
  }
  const summaries = summarize(outdir);
  fs.writeFileSync(path.join(outdir, "stacks.mmd"), mermaidGraph(summaries));
  process.stdout.write(`${formatSummary(summaries, activeWaivers(outdir))}\n\nWrote ${outdir}/ and the picture of how its stacks link, ${outdir}/stacks.mmd (deploy with: npx cdktf deploy <stack>)\n`);
  return 0;
}

process.exitCode = main();
