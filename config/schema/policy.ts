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

/** `YYYY-MM-DD`, a real calendar day. */
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date such as 2027-01-31 (YYYY-MM-DD)")
  .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), "is not a calendar day");

/**
 * Waiving one rule for one resource of one stack of this environment, until a date, with the reason
 * written down for reviewers. A waiver never covers a whole rule or every stack: a new resource that
 * breaks the rule later is a new finding. Every active waiver is printed in the synth summary, and an
 * expired one fails synth.
 */
export const waiverSchema = z
  .object({
    rule: z.enum(POLICY_RULES, { message: `must be one of ${POLICY_RULES.join(", ")}` }),
    /** The stack of the environment the resource is in. */
    stack: z.enum(["database", "storage", "app"], { message: "must be database, storage or app" }),
    /**
     * The resource, as the violation names it: its Terraform address (`aws_s3_bucket.bucket_bucket_1A2B3C4D`)
     * or its construct path (`production-storage/bucket/bucket`).
     */
    resource: z.string().trim().min(1, "name the resource the violation names (its Terraform address or construct path)"),
    /** Last day the waiver applies (UTC); synth fails after it, naming the waiver. */
    expires: isoDay,
    reason: z.string().trim().min(15, "explain in a sentence why this environment may break the rule"),
  })
  .strict();

/** Today in UTC as YYYY-MM-DD: the day waivers are checked against. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** How a waiver is named in messages and the summary. */
export function describeWaiver(w: Pick<Waiver, "rule" | "stack" | "resource" | "expires">): string {
  return `{ rule: ${w.rule}, stack: ${w.stack}, resource: ${w.resource}, expires: ${w.expires} }`;
}

export const policySchema = z
  .object({
    waivers: z.array(waiverSchema).default([]),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const now = today();
    policy.waivers.forEach((waiver, index) => {
      if (waiver.expires < now) {
        ctx.addIssue({
          code: "custom",
          path: ["waivers", index, "expires"],
          message: `waiver ${describeWaiver(waiver)} expired on ${waiver.expires}; fix the resource, or review the reason and set a new expires date`,
        });
      }
    });
  });

export type PolicyConfig = z.output<typeof policySchema>;
export type Waiver = z.output<typeof waiverSchema>;
