// Preloaded by scripts/bench.js: reports the synth process's own peak RSS when it exits.
process.on("exit", () => {
  process.stderr.write(`\nbench-peak-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
