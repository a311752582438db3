#!/usr/bin/env node
// Times the synth of the shipped environments: `npm run bench [-- --runs N] [-- --check]`.
// Each run is a fresh `node dist/synth.js` (the bundle cdktf.json and `npm run synth` run), in a temporary
// folder so the project's cdktf.out is left alone. Budget on a 2-core machine: median <= 0.5 s, peak <= 250 MB.
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const BUDGET = { medianSeconds: 0.5, peakMb: 250 };
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 7;
const check = args.includes("--check");
const root = path.resolve(__dirname, "..");
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mattermost-cdktf-bench-"));

const times = [];
const peaks = [];
try {
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["--require", path.join(__dirname, "peak-rss.js"), path.join(root, "dist", "synth.js")], {
      cwd,
      encoding: "utf8",
      env: { ...process.env, MATTERMOST_ENVIRONMENTS_DIR: path.join(root, "environments"), CDKTF_OUTDIR: "" },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) {
      process.stderr.write(result.stderr);
      process.exit(1);
    }
    times.push(seconds);
    peaks.push(Number(/bench-peak-rss-kb=(\d+)/.exec(result.stderr)[1]) / 1024);
  }
} finally {
  fs.rmSync(cwd, { recursive: true, force: true });
}

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const peak = Math.max(...peaks);
console.log(`synth of environments/ x${runs} on ${os.cpus().length} cores, node ${process.version}`);
console.log(`  wall time: median ${median.toFixed(3)} s (min ${sorted[0].toFixed(3)} s, max ${sorted[sorted.length - 1].toFixed(3)} s); budget ${BUDGET.medianSeconds.toFixed(1)} s`);
console.log(`  peak RSS:  ${peak.toFixed(0)} MB; budget ${BUDGET.peakMb} MB`);
const within = median <= BUDGET.medianSeconds && peak <= BUDGET.peakMb;
console.log(within ? "  within budget" : "  OVER BUDGET");
if (check && !within) process.exit(1);
