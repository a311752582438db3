import { TerraformOutput, TerraformRemoteState } from "cdktf";
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

/** The consumer's side (`juju consume`): reads the producer's outputs through `terraform_remote_state`. */
export class ConsumedOffer<F extends string> extends Construct {
  private readonly state: TerraformRemoteState;

  constructor(scope: Construct, id: string, private readonly props: ConsumedOfferProps<F>) {
    super(scope, id);
    this.state = readStateAt(this, "state", props.from);
    // `data.terraform_remote_state.<offer>`: a stable name a reviewer recognises in the plan.
    this.state.overrideLogicalId(props.offer.name);
  }

  /** A token for `field` of the offer (a string; sensitive fields stay sensitive). */
  public get(field: F): string {
    return this.state.getString(offerOutputName(this.props.offer, field));
  }
}
