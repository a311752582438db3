import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../support/synth";

// docs/helm.md maps the Helm chart's values to environment keys: every key it names must exist.
describe("docs/helm.md", () => {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "helm.md"), "utf8");
  const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "environments", "schema.json"), "utf8"));

  /** Whether `a.b.c` is a property somewhere in the JSON schema (any variant of a union). */
  function hasKey(node: unknown, keys: string[]): boolean {
    if (keys.length === 0) return true;
    if (!node || typeof node !== "object") return false;
    const n = node as Record<string, unknown>;
    const props = n.properties as Record<string, unknown> | undefined;
    if (props && keys[0] in props && hasKey(props[keys[0]], keys.slice(1))) return true;
    return ["anyOf", "oneOf", "allOf"].some((k) => Array.isArray(n[k]) && (n[k] as unknown[]).some((v) => hasKey(v, keys)));
  }

  const named = [...doc.matchAll(/`((?:backend|aws|kubernetes|database|storage|mattermost|policy)\.[a-zA-Z.]+)(?::[^`]*)?`/g)].map((m) => m[1]);

  test("names environment keys", () => {
    expect(named.length).toBeGreaterThan(10);
  });

  test.each([...new Set(named)].map((k) => [k]))("%s is a key of environments/schema.json", (key) => {
    expect(hasKey(schema, key.split("."))).toBe(true);
  });

  // The top-level keys of mattermost/mattermost-helm charts/mattermost-team-edition/values.yaml (image 10.6.0).
  test("has a row for every top-level value of the chart's values.yaml", () => {
    const values = ["image", "initContainerImage", "deploymentStrategy", "revisionHistoryLimit", "persistence", "service",
      "ingress", "externalDB", "mysql", "extraPodAnnotations", "extraEnvVars", "extraInitContainers", "extraVolumes",
      "extraVolumeMounts", "extraPorts", "extraDeploy", "nodeSelector", "affinity", "tolerations", "securityContext",
      "serviceAccount", "config", "startupProbe", "livenessProbe", "readinessProbe", "testJob", "route"];
    const rows = doc.split("\n").filter((l) => l.startsWith("| `")).map((l) => l.split("|")[1]);
    for (const value of values) expect(rows.some((r) => new RegExp("`" + value + "[.`]").test(r))).toBe(true);
  });
});
