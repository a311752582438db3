import type { z } from "zod";

/** A check across several keys of one object, as `.superRefine` takes it. */
export type CrossFieldCheck<T> = (value: T, ctx: z.core.$RefinementCtx<T>) => void;

/** Thrown when a check reads a key that failed validation: that check is skipped. */
class UnparsedKey extends Error {}

/**
 * Cross-field checks that run even when other keys of the object failed, so a file's problems all
 * show in one run: `.superRefine(crossField(check, ...), EVEN_AFTER_FIELD_ERRORS)`.
 *
 * Zod skips a refinement once the object it refines has an issue (zod 4.6 core `$ZodType` runChecks:
 * a check without `when` is skipped when `util.aborted(payload)`), so a cross-field problem used to
 * appear only on the run after the field errors were fixed. A check with `when` runs anyway, on a
 * value whose failed keys hold whatever the input had there. So each check reads the value through a
 * view that throws when it reads a key with a shape issue (or inside one): that check stops there,
 * and the field error already says what to fix. Unknown keys, and the custom issues of other
 * refinements (the value parsed, it is only refused), are not shape issues.
 *
 * A check stops at the first failed key it reads: give independent checks as separate functions.
 */
export function crossField<T>(...checks: readonly CrossFieldCheck<T>[]): CrossFieldCheck<T> {
  return (value, ctx) => {
    // Refinements' own issues ("custom") leave a value of the right shape: only shape errors stop a check.
    const failed = ctx.issues.filter((issue) => issue.code !== "unrecognized_keys" && issue.code !== "custom").map((issue) => (issue.path ?? []).map(String));
    const view = guarded(value, [], failed) as T;
    for (const check of checks) {
      try {
        check(view, ctx);
      } catch (error) {
        if (!(error instanceof UnparsedKey)) throw error;
      }
    }
  };
}

/** The `.superRefine` option that runs a {@link crossField} check after field errors too. */
export const EVEN_AFTER_FIELD_ERRORS: z.core.$ZodSuperRefineParams = { when: () => true };

/** `value` as seen from `path`: reading a key at or inside a failed path throws {@link UnparsedKey}. */
function guarded(value: unknown, path: readonly string[], failed: readonly string[][]): unknown {
  if (value === null || typeof value !== "object") return value;
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver);
      if (typeof key === "symbol" || typeof child === "function") return child;
      const at = [...path, key];
      // At or inside a failed value; reading a parent of one is fine (its other keys parsed).
      const inside = (issue: string[]) => issue.length <= at.length && issue.every((segment, i) => segment === at[i]);
      if (failed.some(inside)) throw new UnparsedKey(at.join("."));
      return guarded(child, at, failed);
    },
  });
}
