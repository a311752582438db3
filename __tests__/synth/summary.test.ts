import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../../config/load";
import { mermaidGraph } from "../../synth/graph";
import { formatSummary, summarize } from "../../synth/summary";
import { synthesize } from "../../synth/synthesize";
import { PROJECT_ROOT, EXAMPLE_ENVIRONMENTS, tempDir } from "../support/synth";

describe("the view of a synth", () => {
  const outdir = path.join(tempDir("summary"), "cdktf.out");
  synthesize(loadEnvironments(EXAMPLE_ENVIRONMENTS), outdir);
  const summaries = summarize(outdir);
  const byStack = Object.fromEntries(summaries.map((s) => [s.stack, s]));

  test("per stack: resources, outputs, offers read and where each comes from", () => {
    expect(byStack["local-app"]).toMatchObject({
      outputs: 0,
      offersRead: ["database", "storage"],
      offerSources: { database: "local-database", storage: "local-storage" },
    });
    expect(byStack["local-app"].resources).toBeGreaterThan(0);
    expect(byStack["production-database"]).toMatchObject({ offersRead: [], offerSources: {}, dependsOn: ["production-workspaces"] });
    expect(byStack["production-database"].outputs).toBeGreaterThanOrEqual(7);
  });

  test("the table has a row per stack", () => {
    const table = formatSummary(summaries).split("\n");
    // The header, a rule, a row per stack, then the waivers in force (none in the shipped files).
    expect(table).toHaveLength(2 + summaries.length + 2);
    expect(table.slice(-2)).toEqual(["", "Security policy waivers in force: none"]);
    expect(table[2 + summaries.findIndex((s) => s.stack === "local-app")]).toMatch(/^local-app\s+\d+\s+0\s+0\s+database, storage\s+local-database, local-storage$/);
  });

  test("the Mermaid picture links producers to the app by offer, and shows deploy order", () => {
    const graph = mermaidGraph(summaries);
    expect(graph.startsWith("flowchart LR\n")).toBe(true);
    expect(graph).toContain('  subgraph production_env["production"]');
    expect(graph).toContain('  production_database -- "database offer" --> production_app');
    expect(graph).toContain('  production_storage -- "storage offer" --> production_app');
    expect(graph).toContain('  production_workspaces -. "deploys first" .-> production_app');
    expect(graph).not.toContain("local_workspaces");
  });

  test("the README shows the picture of the example environments as shipped (their fixture copies), as synth draws it", () => {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    expect(readme).toContain("```mermaid\n" + mermaidGraph(summaries) + "```");
  });
});
