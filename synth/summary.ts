import * as fs from "fs";
import * as path from "path";

/** What one synthesized stack holds, read back from its Terraform JSON. */
export interface StackSummary {
  readonly stack: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly outputs: number;
  /** Offers read through terraform_remote_state (named after the offer, e.g. `database`). */
  readonly offersRead: readonly string[];
  readonly dependsOn: readonly string[];
}

interface ManifestStack {
  readonly name: string;
  readonly synthesizedStackPath: string;
  readonly dependencies: readonly string[];
}

/** Reads `<outdir>/manifest.json` and every stack's JSON into summaries, in manifest order. */
export function summarize(outdir: string): StackSummary[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, ManifestStack>;
  };
  return Object.values(manifest.stacks).map((entry) => {
    const json = JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), "utf8"));
    const count = (blocks: Record<string, Record<string, unknown>> | undefined) =>
      Object.values(blocks ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
    const remoteStates = (json.data?.terraform_remote_state ?? {}) as Record<string, unknown>;
    return {
      stack: entry.name,
      resources: count(json.resource),
      dataSources: count(json.data) - Object.keys(remoteStates).length,
      outputs: Object.keys(json.output ?? {}).length,
      offersRead: Object.keys(remoteStates).sort(),
      dependsOn: [...entry.dependencies],
    };
  });
}

/** A plain-text table of the summaries. */
export function formatSummary(summaries: readonly StackSummary[]): string {
  const header = ["stack", "resources", "data", "outputs", "offers read", "deploys after"];
  const rows = summaries.map((s) => [
    s.stack,
    String(s.resources),
    String(s.dataSources),
    String(s.outputs),
    s.offersRead.join(", ") || "-",
    s.dependsOn.join(", ") || "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
