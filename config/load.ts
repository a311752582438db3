import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { EnvironmentConfig, environmentSchema } from "./schema/environment";
import { allowedKeys, closest, secretKeyAdvice } from "./suggest";

/** One environment: its name (the file name), the file it came from and its validated settings. */
export interface Environment {
  /** `production` for `environments/production.yaml`; prefixes every stack id. */
  readonly name: string;
  /** The file as the user knows it, relative to the working directory. */
  readonly file: string;
  readonly config: EnvironmentConfig;
}

/** Every problem found in the environment files, one line each, naming the file and the key. */
export class EnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`${problems.length} problem(s) in the environment files:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "EnvironmentError";
  }
}

/**
 * An environment name prefixes its stack ids and the names of what they create: Kubernetes objects
 * (RFC 1123 labels: lowercase letters, digits, '-'), S3 buckets (lowercase), IAM and RDS identifiers
 * (length limits, hence 20).
 */
const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * What is wrong with `name` as an environment name and the fix (a name that works), or undefined
 * when it is valid. Checked for files (the file name) and for library users (`addEnvironmentStacks`).
 */
export function environmentNameProblem(name: string): string | undefined {
  if (ENVIRONMENT_NAME.test(name)) return undefined;
  const fixed = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 20)
    .replace(/-+$/, "");
  const suggestion = ENVIRONMENT_NAME.test(fixed) ? ` such as "${fixed}"` : "";
  return `"${name}" names the environment and prefixes its stacks and the Kubernetes and S3 names they create, which Kubernetes and S3 refuse at apply; use lowercase letters, digits and '-', starting with a letter, at most 20 characters${suggestion}`;
}

/** The folder synth reads: `MATTERMOST_ENVIRONMENTS_DIR`, or `environments/` under the working directory. */
export function environmentsDir(): string {
  return process.env.MATTERMOST_ENVIRONMENTS_DIR ?? "environments";
}

/**
 * Reads and validates every `*.yaml` in `dir`. Throws one EnvironmentError listing all problems of
 * all files, so a user fixes everything in one pass.
 */
export function loadEnvironments(dir: string = environmentsDir()): Environment[] {
  const shown = displayPath(dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new EnvironmentError([`${shown}: no such folder; create it with one <env>.yaml per environment, or point MATTERMOST_ENVIRONMENTS_DIR at one`]);
  }
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) {
    throw new EnvironmentError([`${shown}: no environment files; add one such as local.yaml (see the README)`]);
  }
  const problems: string[] = [];
  const environments: Environment[] = [];
  const seen = new Map<string, string>();
  for (const fileName of files) {
    const file = path.join(shown, fileName);
    const name = fileName.replace(/\.ya?ml$/, "");
    const before = problems.length;
    const nameProblem = environmentNameProblem(name);
    if (nameProblem) problems.push(`${file}: the file name ${nameProblem}; rename the file`);
    if (seen.has(name)) problems.push(`${file}: environment "${name}" is also defined by ${seen.get(name)}; keep one of them`);
    seen.set(name, file);
    const config = parseEnvironment(file, fs.readFileSync(path.join(dir, fileName), "utf8"), problems);
    if (config && problems.length === before) environments.push({ name, file, config });
  }
  if (problems.length > 0) throw new EnvironmentError(problems);
  return environments;
}

/** Parses and validates one file's text, pushing `file: key: problem` lines; undefined when invalid. */
export function parseEnvironment(file: string, text: string, problems: string[]): EnvironmentConfig | undefined {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const line = error.linePos?.[0];
      problems.push(`${file}${line ? `:${line.line}` : ""}: not valid YAML: ${error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
    }
    return undefined;
  }
  const data: unknown = document.toJS();
  if (data === null || data === undefined) {
    problems.push(`${file}: the file is empty; start from environments/local.yaml`);
    return undefined;
  }
  const before = problems.length;
  for (const [key, text] of strings(data)) {
    if (text.includes(TOKEN_MARKER)) {
      problems.push(`${file}: ${key || "(top level)"}: contains "${TOKEN_MARKER}", the marker cdktf uses for its own references; remove it (a value is text, never a reference)`);
    }
  }
  // The schema's problems too, so every problem of the file shows in one run.
  const markers = problems.length > before;
  const result = environmentSchema.safeParse(data);
  if (result.success) return markers ? undefined : result.data;
  for (const issue of result.error.issues) {
    for (const line of describeIssue(issue, data)) problems.push(`${file}: ${line}`);
  }
  return undefined;
}

/**
 * cdktf encodes its references inside strings as `${TfToken[TOKEN.n]}` and resolves any such marker
 * it finds, wherever the string came from (cdktf lib/tokens/private/encoding.js). Text from a file
 * must never name one of them. Everything else in a value is kept as written and escaped once when
 * it becomes Terraform (synth/terraform-literals.ts).
 */
const TOKEN_MARKER = "TfToken[";

/** Every string in `data` (keys included) with its dotted key. */
function* strings(data: unknown, key = ""): Generator<[string, string]> {
  if (typeof data === "string") yield [key, data];
  else if (Array.isArray(data)) for (const [i, item] of data.entries()) yield* strings(item, `${key}.${i}`);
  else if (typeof data === "object" && data !== null) {
    for (const [name, value] of Object.entries(data)) {
      const child = key ? `${key}.${name}` : name;
      yield [child, name];
      yield* strings(value, child);
    }
  }
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string[] {
  const key = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeys(environmentSchema, issue.path, data);
    return issue.keys.map((k) => {
      const secret = secretKeyAdvice(`${key ? `${key}.` : ""}${k}`, data);
      if (secret) return `${key ? `${key}.` : ""}${k}: ${secret}`;
      const suggestion = closest(k, allowed);
      const fix = suggestion ? `did you mean ${suggestion}?` : `allowed keys here: ${allowed.join(", ")}`;
      const kind = valueAt(data, issue.path)?.kind;
      const what = !suggestion && typeof kind === "string" ? `not a key of ${key}.kind ${kind}` : "unknown key";
      return `${key ? `${key}.` : ""}${k}: ${what}; ${fix}`;
    });
  }
  const value = valueAt(data, issue.path);
  if (issue.code === "invalid_type" && value === undefined) {
    return [`${key}: is required (expected ${issue.expected})`];
  }
  // YAML reads "587" (quoted) as text: say so, rather than only "expected number".
  if (issue.code === "invalid_type" && typeof value === "string" && issue.expected === "number" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
    return [`${key}: is the text "${value}", not a number; write it without quotes: ${String(issue.path[issue.path.length - 1])}: ${value.trim()}`];
  }
  if (issue.code === "invalid_type" && typeof value === "string" && issue.expected === "boolean" && /^(true|false)$/i.test(value.trim())) {
    return [`${key}: is the text "${value}", not true or false; write it without quotes: ${String(issue.path[issue.path.length - 1])}: ${value.trim().toLowerCase()}`];
  }
  if (issue.code === "invalid_union" && "discriminator" in issue) {
    return [`${key}: unknown kind; ${issue.message}`];
  }
  return [`${key || "(top level)"}: ${issue.message}`];
}

function valueAt(data: unknown, path: readonly PropertyKey[]): any {
  return path.reduce<any>((value, segment) => value?.[segment as string], data);
}

function displayPath(dir: string): string {
  const relative = path.relative(process.cwd(), path.resolve(dir));
  return relative === "" ? "." : relative.startsWith("..") ? dir : relative;
}
