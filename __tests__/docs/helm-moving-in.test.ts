import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { loadEnvironments } from "../../config/load";
import { environmentsFolder, onlyResource, PROJECT_ROOT, resources, synthEnvironments } from "../support/synth";

// docs/helm.md "Moving in": the environment file of step 2, as written there, is valid and takes
// over the release's objects by their names, creating none of them.
describe("docs/helm.md, Moving in", () => {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "helm.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Moving in"));
  const yamlBlock = /```yaml\n(# environments\/chat\.yaml\n[\s\S]*?)```/.exec(section)?.[1];

  test("has the environment file of step 2", () => {
    expect(yamlBlock).toBeDefined();
  });

  const environments = loadEnvironments(environmentsFolder({ "chat.yaml": parse(yamlBlock ?? "{}") }));
  const stacks = synthEnvironments(environments);

  test("the database stack imports the role and the database of the connection string, keeping the password", () => {
    const database = stacks["chat-database"];
    expect((database as any).import.map((block: any) => block.id).sort()).toEqual(["mattermost", "mmuser"]);
    expect(onlyResource(database, "postgresql_role").name).toBe("mmuser");
    expect(onlyResource(database, "postgresql_database").name).toBe("mattermost");
    expect(resources(database, "random_password")).toEqual([]);
    expect(database.variable!.database_mattermost_password).toMatchObject({ sensitive: true });
  });

  test("the storage stack imports the release's namespace and makes no claim; the app mounts the release's claim", () => {
    const storage = stacks["chat-storage"];
    expect((storage as any).import).toEqual([{ to: "kubernetes_namespace_v1.namespace", id: "chat" }]);
    expect(resources(storage, "kubernetes_persistent_volume_claim_v1")).toEqual([]);
    expect(storage.output!.storage_claim_name.value).toBe("chat-mattermost-team-edition");
  });

  test("the commands name the chart's objects as the chart does", () => {
    expect(section).toContain("FULL=$REL-mattermost-team-edition");
    expect(section).toContain("$FULL-mattermost-dbsecret");
  });

  test("the commands name only objects the chart's templates make, under the names they give", () => {
    // mattermost/mattermost-helm charts/mattermost-team-edition/templates: deployment.yaml,
    // ingress.yaml and the data claim are <fullname>; secret-config.yaml <fullname>-config;
    // secret-mattermost-dbsecret.yaml <fullname>-mattermost-dbsecret; pvc-plugins.yaml
    // <fullname>-plugins; service.yaml names the Service after the chart, not <fullname>.
    const suffixes = [...section.matchAll(/\$FULL(-[a-z-]+)?/g)].map((match) => match[1] ?? "");
    expect([...new Set(suffixes)].sort()).toEqual(["", "-config", "-mattermost-dbsecret", "-plugins"]);
    expect(section).not.toMatch(/service \$FULL\b/);
    expect(section).toContain("kubectl -n $NS delete secret $FULL-config $FULL-mattermost-dbsecret");
  });
});
