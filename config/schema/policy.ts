import { z } from "zod";

/** The project's security rules, checked on every synthesized stack (see synth/policy-rules.ts). */
export const POLICY_RULES = [
  "s3-private-bucket",
  "s3-encrypted",
  "s3-tls-only",
  "iam-least-privilege",
  "database-private",
  "no-open-ingress",
  "pods-hardened",
  "secrets-not-literal",
] as const;

export type PolicyRule = (typeof POLICY_RULES)[number];

/** Waiving a rule for this environment only, with the reason written down for reviewers. */
export const waiverSchema = z
  .object({
    rule: z.enum(POLICY_RULES, { message: `must be one of ${POLICY_RULES.join(", ")}` }),
    /** Limit the waiver to one stack of the environment; all three when omitted. */
    stack: z.enum(["database", "storage", "app"], { message: "must be database, storage or app" }).optional(),
    reason: z.string().trim().min(15, "explain in a sentence why this environment may break the rule"),
  })
  .strict();

export const policySchema = z
  .object({
    waivers: z.array(waiverSchema).default([]),
  })
  .strict();

export type PolicyConfig = z.output<typeof policySchema>;
export type Waiver = z.output<typeof waiverSchema>;
