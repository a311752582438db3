import { TerraformElement, TerraformResource } from "cdktf";

/**
 * A Terraform `import` block (Terraform 1.5+): the next plan reads the object that already exists
 * under `id` into the state at the resource's address instead of creating it. Nothing is copied or
 * created; a missing object fails the plan ("Cannot import non-existent remote object") instead of
 * making a new, empty one. After the import the block may stay: "you can optionally remove import
 * blocks from your configuration or leave them as a record of the resource's origin"
 * (https://developer.hashicorp.com/terraform/language/v1.8.x/import); the next plans import nothing
 * (proven on real terraform in __tests__/stacks/adoption-terraform.test.ts).
 *
 * Written as its own element rather than with `resource.importFrom(id)`: cdktf 0.21's importFrom
 * adds a validation that runs `terraform version` at synth (node_modules/cdktf/lib/terraform-
 * resource.js, importFrom -> ValidateTerraformVersion), and synth must work without the terraform
 * binary (DESIGN.md, "Backends"). The JSON is the same shape importFrom writes: `{ to, id }`.
 */
export class ImportExisting extends TerraformElement {
  constructor(
    private readonly resource: TerraformResource,
    /** The provider's import id (for the postgresql role and database: the name; for a namespace: its name; for a claim: `namespace/name`). */
    public readonly importId: string,
  ) {
    super(resource, "import-existing");
  }

  /** The resource's address (`type.name`) in the stack, as the import block's `to` names it. */
  public get to(): string {
    return `${this.resource.terraformResourceType}.${this.resource.friendlyUniqueId}`;
  }

  public override toTerraform(): any {
    return { import: [{ to: this.to, id: this.importId }] };
  }
}

/** Imports the existing object `id` into `resource` (see {@link ImportExisting}). */
export function importExisting(resource: TerraformResource, id: string): ImportExisting {
  return new ImportExisting(resource, id);
}
