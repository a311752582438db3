import * as fs from "fs";
import * as path from "path";
import { describeWaiver } from "../config/schema/policy";
import type { ActiveWaiver } from "./security-policy";

/** The file in the synth output listing the policy waivers in force (written by synthesize()). */
export const WAIVERS_FILE = "policy-waivers.json";

/** The waivers in force in `outdir` (none when the file is missing, as in output from older versions). */
export function activeWaivers(outdir: string): ActiveWaiver[] {
  const file = path.join(outdir, WAIVERS_FILE);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as ActiveWaiver[]) : [];
}

/**
 * Every waiver in force, one line each, so a reviewer of a synth sees what the policy lets through:
 * its stack, rule and resource, until when, how many findings it covers (0: stale, remove it) and why.
 */
export function formatWaivers(waivers: readonly ActiveWaiver[]): string {
  if (waivers.length === 0) return "Security policy waivers in force: none";
  return [
    `Security policy waivers in force (${waivers.length}):`,
    ...waivers.map(
      (w) =>
        `  ${w.stack}: ${describeWaiver(w.waiver)} covers ${w.covers.length} finding(s)${w.covers.length === 0 ? " (stale: nothing breaks the rule there; remove it)" : ""}; in ${w.file}; reason: ${w.waiver.reason}`,
    ),
  ].join("\n");
}

/** What one synthesized stack holds, read back from its Terraform JSON. */
export interface StackSummary {
  readonly stack: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly outputs: number;
  /** Offers read through terraform_remote_state (named after the offer, e.g. `database`). */
  readonly offersRead: readonly string[];
  /** For each offer read, the stack whose state it reads (undefined when no stack here writes it). */
  readonly offerSources: Readonly<Record<string, string | undefined>>;
  /**
   * The stacks to deploy before this one, read from the JSON (the stacks carry no cdktf dependency,
   * see stacks/environment-stacks.ts): those whose state it reads, and the one that creates its
   * Terraform Cloud workspace.
   */
  readonly dependsOn: readonly string[];
}

interface ManifestStack {
  readonly name: string;
  readonly synthesizedStackPath: string;
}

/** Reads `<outdir>/manifest.json` and every stack's JSON into summaries, in manifest order. */
export function summarize(outdir: string): StackSummary[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, ManifestStack>;
  };
  const stacks = Object.values(manifest.stacks).map((entry) => ({
    entry,
    json: JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), "utf8")),
  }));
  const writers = new Map(stacks.map(({ entry, json }) => [stateKey(json.terraform), entry.name]));
  // A `tfe_workspace` creates the workspace a `cloud` block names: that stack deploys first.
  const workspaceCreators = new Map(
    stacks.flatMap(({ entry, json }) =>
      Object.values<Record<string, any>>(json.resource?.tfe_workspace ?? {}).map((ws) => [`${ws.organization}/${ws.name}`, entry.name] as const),
    ),
  );
  return stacks.map(({ entry, json }) => {
    const count = (blocks: Record<string, Record<string, unknown>> | undefined) =>
      Object.values(blocks ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
    const remoteStates = (json.data?.terraform_remote_state ?? {}) as Record<string, { backend: string; config: Record<string, any> }>;
    return {
      stack: entry.name,
      resources: count(json.resource),
      dataSources: count(json.data) - Object.keys(remoteStates).length,
      outputs: Object.keys(json.output ?? {}).length,
      offersRead: Object.keys(remoteStates).sort(),
      offerSources: Object.fromEntries(Object.entries(remoteStates).map(([offer, source]) => [offer, writers.get(remoteStateKey(source))])),
      dependsOn: [
        ...new Set(
          [
            ...Object.values(remoteStates).map((source) => writers.get(remoteStateKey(source))),
            json.terraform?.cloud ? workspaceCreators.get(`${json.terraform.cloud.organization}/${json.terraform.cloud.workspaces?.name}`) : undefined,
          ].filter((name): name is string => name !== undefined && name !== entry.name),
        ),
      ].sort(),
    };
  });
}

/** Where a stack writes its state, from its own `terraform` block, comparable with {@link remoteStateKey}. */
function stateKey(terraform: Record<string, any>): string {
  if (terraform.cloud) return remoteStateKey({ backend: "remote", config: terraform.cloud });
  const [[backend, config]] = Object.entries<Record<string, any>>(terraform.backend ?? { local: {} });
  return remoteStateKey({ backend, config });
}

/** Where a terraform_remote_state reads from. */
function remoteStateKey(source: { backend: string; config: Record<string, any> }): string {
  const c = source.config;
  switch (source.backend) {
    case "local":
      return `local:${c.path}`;
    case "s3":
      return `s3:${c.bucket}/${c.key}`;
    default:
      return `remote:${c.hostname ?? "app.terraform.io"}/${c.organization}/${c.workspaces?.name}`;
  }
}

/** A plain-text table of the summaries, followed by every policy waiver in force. */
export function formatSummary(summaries: readonly StackSummary[], waivers: readonly ActiveWaiver[] = []): string {
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
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), "", formatWaivers(waivers)].join("\n");
}
