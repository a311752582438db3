import type { z } from "zod";

/**
 * The keys the schema allows for the object at `path` of `input`, so an unknown key can be answered
 * with "did you mean ...". In a union, the variant whose `kind` the input names decides.
 */
export function allowedKeys(schema: z.core.$ZodType, path: readonly PropertyKey[], input: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: z.core.$ZodType, rest: readonly PropertyKey[], value: any): void => {
    const def = node._zod.def as any;
    switch (def.type) {
      case "object":
        if (rest.length === 0) Object.keys(def.shape).forEach((k) => found.add(k));
        else if (def.shape[String(rest[0])]) visit(def.shape[String(rest[0])], rest.slice(1), value?.[rest[0] as string]);
        return;
      case "union": {
        // A variant may be an object piped into a transform (its keys are those of `in`).
        const shapeOf = (option: z.core.$ZodType): any => (option._zod.def as any).shape ?? (option._zod.def as any).in?._zod.def.shape;
        const chosen = def.options.filter((option: z.core.$ZodType) => shapeOf(option)?.kind?._zod.def.values?.includes(value?.kind));
        (chosen.length > 0 ? chosen : def.options).forEach((option: z.core.$ZodType) => visit(option, rest, value));
        return;
      }
      case "array":
        if (rest.length > 0) visit(def.element, rest.slice(1), value?.[rest[0] as number]);
        return;
      case "optional":
      case "nullable":
      case "default":
      case "prefault":
      case "readonly":
        visit(def.innerType, rest, value);
        return;
      case "pipe":
        visit(def.in, rest, value);
        return;
      default:
        return;
    }
  };
  visit(schema, path, input);
  return [...found].sort();
}

/** The closest of `candidates` to `key` (same letters ignoring case, or at most 2 edits), if any. */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.min(2, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
