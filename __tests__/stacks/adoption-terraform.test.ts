import { ADOPTED_PASSWORD_VARIABLE } from "../../stacks/database-stack";
import { coreAddress, coreOnly, TerraformDir } from "../support/terraform";
import { environment, localInput, StackJson, synthEnvironments } from "../support/synth";

// The import blocks synth writes for an adoption (database.adopt, storage.existingClaim), on the
// real terraform. coreOnly (support/terraform.ts) swaps each provider resource for a terraform_data
// that keeps its lifecycle; terraform_data can be imported (any id), so Terraform core's side of
// the import runs for real: it accepts the JSON blocks, plans an import instead of a create,
// applies it, forgets the block once the address is in the state, and keeps prevent_destroy on what
// it imported. What the postgresql and kubernetes providers read on import is cited where it matters
// (constructs/database/mattermost-database.ts, docs/database.md).

const input = localInput();
input.database = { ...input.database, user: "mmuser", name: "mattermost_prod", adopt: {} };
input.storage = { kind: "local", existingClaim: "chat-mattermost-team-edition" };
const stacks = synthEnvironments([environment("helm", input)]);

/**
 * coreOnly(stack) with the stack's import blocks pointed at the terraform_data that stands for each
 * target. `ignore_changes` lists provider attributes (password, lc_collate...) that terraform_data
 * does not have, so core would refuse them: they are the provider's business and stay out.
 */
function withImports(stack: StackJson): Record<string, any> {
  const core = coreOnly(stack);
  for (const body of Object.values<any>(core.resource?.terraform_data ?? {})) delete body.lifecycle?.ignore_changes;
  core.import = ((stack as any).import ?? []).map((block: { to: string; id: string }) => {
    const [type, name] = block.to.split(".");
    return { to: coreAddress(type, name), id: block.id };
  });
  return core;
}

const VARS = { database_admin_password: "admin-secret", [ADOPTED_PASSWORD_VARIABLE]: "the-helm-password" };

describe("adoption on the real terraform", () => {
  test("the database stack imports the role and the database, creates the rest, then imports nothing again", () => {
    const stack = stacks["helm-database"];
    const dir = new TerraformDir().write(withImports(stack));
    const roleName = Object.keys(stack.resource!.postgresql_role)[0];
    const databaseName = Object.keys(stack.resource!.postgresql_database)[0];

    // The plan's summary line, as `cdktf diff` shows it (docs/database.md, docs/helm.md step 3).
    expect(dir.plan({ vars: VARS, planFile: "tfplan" }).text).toContain("Plan: 2 to import, 2 to add, 0 to change, 0 to destroy.");
    const plan = JSON.parse(dir.run(["show", "-json", "-no-color", "tfplan"]).stdout);
    const byAddress = Object.fromEntries(plan.resource_changes.map((change: any) => [change.address, change]));
    for (const [type, name, id] of [["postgresql_role", roleName, "mmuser"], ["postgresql_database", databaseName, "mattermost_prod"]]) {
      const change = byAddress[coreAddress(type, name)];
      // An import with no other action: nothing is created in place of the existing object.
      expect(change.change.actions).toEqual(["no-op"]);
      expect(change.change.importing).toEqual({ id });
    }
    // The membership and the PUBLIC revoke are made; nothing is destroyed.
    const actions = plan.resource_changes.map((change: any) => change.change.actions.join(","));
    expect(actions.filter((a: string) => a === "create")).toHaveLength(2);
    expect(actions.filter((a: string) => a.includes("delete"))).toEqual([]);

    dir.applySaved("tfplan");
    const again = dir.plan({ vars: VARS });
    expect(again.text).toContain("No changes.");

    // What was imported is guarded like what the stack makes.
    const destroy = dir.plan({ vars: VARS, destroy: true, mayFail: true });
    expect(destroy.status).not.toBe(0);
    expect(destroy.text).toContain("Instance cannot be destroyed");
  });

  test("an empty password is refused at plan with the variable to set", () => {
    const dir = new TerraformDir().write(withImports(stacks["helm-database"]));
    const run = dir.plan({ vars: { ...VARS, [ADOPTED_PASSWORD_VARIABLE]: "" }, mayFail: true });
    expect(run.status).not.toBe(0);
    expect(run.text).toContain(`${ADOPTED_PASSWORD_VARIABLE} is empty: database.adopt keeps the password role mmuser has today; set it as TF_VAR_${ADOPTED_PASSWORD_VARIABLE}`);
  });

  test("the storage stack imports the release's namespace and makes no claim", () => {
    const dir = new TerraformDir().write(withImports(stacks["helm-storage"]));
    const plan = dir.planJson();
    const namespace = plan.resource_changes.find((change: any) => change.address === coreAddress("kubernetes_namespace_v1", "namespace"));
    expect(namespace.change).toMatchObject({ actions: ["no-op"], importing: { id: "mattermost" } });
    expect(plan.resource_changes.map((change: any) => change.address)).toEqual([namespace.address]);
  });
});
