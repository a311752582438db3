import type { StackSummary } from "./summary";

/**
 * A Mermaid flowchart of how the environments, their stacks and the offers between them connect:
 * solid arrows carry an offer (remote state), dotted ones are deploy order only.
 */
export function mermaidGraph(summaries: readonly StackSummary[]): string {
  const id = (stack: string) => stack.replace(/[^A-Za-z0-9]/g, "_");
  const environments = new Map<string, StackSummary[]>();
  for (const summary of summaries) {
    const env = summary.stack.replace(/-[a-z]+$/, "");
    environments.set(env, [...(environments.get(env) ?? []), summary]);
  }
  const lines = ["flowchart LR"];
  for (const [env, stacks] of environments) {
    lines.push(`  subgraph ${id(env)}_env["${env}"]`);
    for (const { stack } of stacks) lines.push(`    ${id(stack)}${shape(stack)}`);
    lines.push("  end");
  }
  for (const summary of summaries) {
    const fed = new Set<string>();
    for (const offer of summary.offersRead) {
      const from = summary.offerSources[offer];
      if (!from) continue;
      fed.add(from);
      lines.push(`  ${id(from)} -- "${offer} offer" --> ${id(summary.stack)}`);
    }
    for (const dependency of summary.dependsOn.filter((d) => !fed.has(d))) {
      lines.push(`  ${id(dependency)} -. "deploys first" .-> ${id(summary.stack)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function shape(stack: string): string {
  if (stack.endsWith("-database")) return `[("${stack}")]`;
  if (stack.endsWith("-storage")) return `[/"${stack}"/]`;
  if (stack.endsWith("-workspaces")) return `{{"${stack}"}}`;
  return `["${stack}"]`;
}
