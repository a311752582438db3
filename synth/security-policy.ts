import { IAspect, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";
import type { Waiver } from "../config/schema/policy";
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
  return `${v.stack}: ${where}: ${v.rule}: ${v.problem}; fix it, or waive it for this environment in ${v.file}: policy.waivers: [{ rule: ${v.rule}, stack: ${v.stack.replace(/^.*-/, "")}, reason: "..." }]`;
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
  private readonly checked = new Set<TerraformStack>();

  /** Every uncovered finding so far. */
  public get violations(): readonly Violation[] {
    return this.found;
  }

  /** The aspect for the stacks of one environment, honouring that environment's waivers only. */
  public forEnvironment(file: string, waivers: readonly Waiver[]): IAspect {
    return {
      visit: (node: IConstruct) => {
        if (!TerraformStack.isStack(node) || this.checked.has(node)) return;
        this.checked.add(node);
        const stackId = node.node.id;
        const waived = (finding: Finding) =>
          waivers.some((w) => w.rule === finding.rule && (w.stack === undefined || stackId.endsWith(`-${w.stack}`)));
        for (const finding of checkStack(node.toTerraform())) {
          if (!waived(finding)) this.found.push({ ...finding, stack: stackId, file });
        }
      },
    };
  }
}
