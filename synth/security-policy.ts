import { IAspect, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { today, Waiver } from "../config/schema/policy";
import { checkStack, Finding } from "./policy-rules";

/** A finding in a stack of an environment that no waiver covers. */
export interface Violation extends Finding {
  readonly stack: string;
  /** The environment file, where a waiver would go. */
  readonly file: string;
}

/** Synth failed the security policy; one line per violation, each naming the resource, the rule and the way out. */
export class PolicyError extends Error {
  constructor(readonly violations: readonly Violation[]) {
    super(`${violations.length} security policy violation(s):\n${violations.map((v) => `  ${describeViolation(v)}`).join("\n")}`);
    this.name = "PolicyError";
  }
}

export function describeViolation(v: Violation): string {
  const where = v.path ? `${v.address} (${v.path})` : v.address;
  return `${v.stack}: ${where}: ${v.rule}: ${v.problem}; fix it, or waive it for this resource until a date in ${v.file}: policy.waivers: [{ rule: ${v.rule}, stack: ${v.stack.replace(/^.*-/, "")}, resource: ${v.address}, expires: YYYY-MM-DD, reason: "..." }]`;
}

/** A waiver in force in a synthesized environment, and the findings it covers (printed in the synth summary). */
export interface ActiveWaiver {
  /** The environment file that holds it. */
  readonly file: string;
  /** The stack id it applies to, e.g. `production-app`. */
  readonly stack: string;
  readonly waiver: Waiver;
  /** The findings it covers in this synth; none means it is stale and can go. */
  readonly covers: readonly Finding[];
}

/** Whether `waiver` covers `finding` in stack `stackId` on day `day`: same rule, stack and resource, not expired. */
export function waiverCovers(waiver: Waiver, finding: Finding, stackId: string, day: string = today()): boolean {
  return (
    waiver.rule === finding.rule &&
    stackId.endsWith(`-${waiver.stack}`) &&
    (waiver.resource === finding.address || (finding.path !== "" && waiver.resource === finding.path)) &&
    waiver.expires >= day
  );
}

const POLICIES = new WeakMap<IConstruct, SecurityPolicy>();

/**
 * The project's security rules, applied to every stack of the environments it is added to:
 * `Aspects.of(stack).add(policy.forEnvironment(file, waivers))`. Findings that no waiver covers are
 * collected in {@link violations}; the caller fails synth when there are any.
 */
export class SecurityPolicy {
  /**
   * The one policy of the app `scope` belongs to, created on first use. It fails `app.synth()` when
   * any stack it checked has a violation: a validation on the App node, which cdktf runs after every
   * stack was synthesized and its aspects ran (cdktf 0.21 `App.synth()`: `this.node.validate()`,
   * throwing "App level validation failed" with every message), so a library user composing the
   * stacks gets the policy whichever way they synthesize. `new App({ skipValidation: true })` turns it
   * off along with cdktf's own validations.
   */
  public static of(scope: Construct): SecurityPolicy {
    const root = scope.node.root;
    let policy = POLICIES.get(root);
    if (!policy) {
      const created = new SecurityPolicy();
      root.node.addValidation({ validate: () => created.violations.map(describeViolation) });
      POLICIES.set(root, created);
      policy = created;
    }
    return policy;
  }

  private readonly found: Violation[] = [];
  private readonly active: ActiveWaiver[] = [];
  private readonly checked = new Set<TerraformStack>();

  /** Every uncovered finding so far. */
  public get violations(): readonly Violation[] {
    return this.found;
  }

  /** Every waiver of the checked stacks, with what it covered. */
  public get waivers(): readonly ActiveWaiver[] {
    return this.active;
  }

  /** The aspect for the stacks of one environment, honouring that environment's waivers only. */
  public forEnvironment(file: string, waivers: readonly Waiver[]): IAspect {
    return {
      visit: (node: IConstruct) => {
        if (!TerraformStack.isStack(node) || this.checked.has(node)) return;
        this.checked.add(node);
        const stackId = node.node.id;
        const day = today();
        const mine = waivers.filter((w) => stackId.endsWith(`-${w.stack}`)).map((waiver) => ({ waiver, covers: [] as Finding[] }));
        for (const finding of checkStack(node.toTerraform())) {
          const use = mine.find((m) => waiverCovers(m.waiver, finding, stackId, day));
          if (use) use.covers.push(finding);
          else this.found.push({ ...finding, stack: stackId, file });
        }
        for (const use of mine) this.active.push({ file, stack: stackId, ...use });
      },
    };
  }
}
