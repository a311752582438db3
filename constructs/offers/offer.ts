import { Fn, TerraformOutput, TerraformRemoteState, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { readStateAt, StateLocation } from "./state-location";

/** One value an offer carries. */
export interface OfferField {
  readonly description: string;
  /** Secret values are sensitive outputs, and stay sensitive in the consumer's plan. */
  readonly sensitive?: boolean;
}

/** The contract between a producer stack and its consumers: a name and typed fields. */
export interface Offer<F extends string> {
  /** Prefix of every output, e.g. `database` gives `database_host`. */
  readonly name: string;
  readonly fields: { readonly [K in F]: OfferField };
}

/** The Terraform output that carries `field` of `offer`. */
export function offerOutputName<F extends string>(offer: Offer<F>, field: F): string {
  return `${offer.name}_${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
}

/** Props of {@link PublishedOffer}. */
export interface PublishedOfferProps<F extends string> {
  readonly offer: Offer<F>;
  /** A value (or token) for every field; fields that do not apply are "". */
  readonly values: { readonly [K in F]: string };
}

/** The producer's side (`juju offer`): one output per field of the offer. */
export class PublishedOffer<F extends string> extends Construct {
  constructor(scope: Construct, id: string, props: PublishedOfferProps<F>) {
    super(scope, id);
    for (const field of Object.keys(props.offer.fields) as F[]) {
      const spec = props.offer.fields[field];
      new TerraformOutput(this, field, {
        value: props.values[field],
        description: spec.description,
        sensitive: spec.sensitive ?? false,
        staticId: true,
      }).overrideLogicalId(offerOutputName(props.offer, field));
    }
  }
}

/** Props of {@link ConsumedOffer}. */
export interface ConsumedOfferProps<F extends string> {
  readonly offer: Offer<F>;
  /** Where the producer keeps its state: the same value the producer's backend was built from. */
  readonly from: StateLocation;
}

/**
 * The consumer's side (`juju consume`): reads the producer's outputs through `terraform_remote_state`.
 *
 * Two things Terraform core does not do for us, both proven on the real terraform
 * (__tests__/constructs/offers/offers-terraform.test.ts):
 * - `terraform_remote_state` hands back the producer's outputs without their sensitive marks (its
 *   `outputs` attribute is one plain object: hashicorp/terraform
 *   internal/builtin/providers/terraform/data_source_state.go, dataSourceRemoteStateRead copies
 *   `OutputValues[k].Value` and drops `.Sensitive`), so {@link get} marks sensitive fields again with
 *   `sensitive()`. Every resource and output built from them is then sensitive in the plan, its JSON
 *   (`sensitive_values`, which run tasks and policy checks read) and `terraform output`.
 * - Reading a state that does not exist fails with Terraform's "Unable to find remote state", and a
 *   state without the outputs (a producer never applied, or destroyed) fails on the first missing
 *   attribute; neither says what to do. The data source carries a check naming the producer stack
 *   and the command that deploys it: a precondition on the state file for the local backend (checked
 *   before the read), and for every backend a postcondition that the state holds every field. A
 *   destroy plan reads the data source as well, so the message also says how to destroy the
 *   consumer after its producer (`-refresh=false` skips data sources).
 */
export class ConsumedOffer<F extends string> extends Construct {
  private readonly state: TerraformRemoteState;

  constructor(scope: Construct, id: string, private readonly props: ConsumedOfferProps<F>) {
    super(scope, id);
    this.state = readStateAt(this, "state", props.from);
    // `data.terraform_remote_state.<offer>`: a stable name a reviewer recognises in the plan.
    this.state.overrideLogicalId(props.offer.name);
    const producer = props.from.stack;
    const consumer = TerraformStack.of(this).node.id;
    // A destroy plan reads data sources too: say how to destroy the consumer once the producer is gone.
    const deployFirst =
      `deploy ${producer} first (npx cdktf deploy ${producer}), then this stack. ` +
      `To destroy ${consumer} without ${producer}, skip the read: terraform destroy -refresh=false in cdktf.out/stacks/${consumer}`;
    const outputs = (Object.keys(props.offer.fields) as F[]).map((field) => offerOutputName(props.offer, field));
    this.state.addOverride("lifecycle", {
      ...(props.from.kind === "local"
        ? {
            precondition: [
              {
                // Relative to the working directory, as the local backend's path is. (A condition must
                // read something from the configuration: path.cwd is that, and the base of the path.)
                condition: `\${fileexists(join("/", [path.cwd, ${JSON.stringify(props.from.path)}]))}`,
                error_message: `The ${props.offer.name} offer comes from stack ${producer}, whose state ${props.from.path} does not exist yet: ${deployFirst}.`,
              },
            ],
          }
        : {}),
      postcondition: [
        {
          condition: `\${length(setsubtract(${JSON.stringify(outputs)}, keys(self.outputs))) == 0}`,
          error_message: `The ${props.offer.name} offer comes from stack ${producer}, whose state lacks its outputs (${outputs.join(", ")}): ${deployFirst}.`,
        },
      ],
    });
  }

  /** A token for `field` of the offer (a string); sensitive fields are marked sensitive again. */
  public get(field: F): string {
    const value = this.state.getString(offerOutputName(this.props.offer, field));
    return this.props.offer.fields[field].sensitive ? Fn.sensitive(value) : value;
  }
}
