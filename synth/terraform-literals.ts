import { Aspects, Fn, IAspect, TerraformElement, TerraformStack, Token, Tokenization } from "cdktf";
import type { IResolvable } from "cdktf";
import { IConstruct } from "constructs";

/**
 * Text reaches Terraform as text.
 *
 * In Terraform's JSON syntax every string in an expression position is a *template*: `${...}` is
 * an interpolation and `%{...}` a directive (hashicorp/hcl, json/spec.md "String Values" and
 * hclsyntax/spec.md "Template Expressions"; `$${` and `%%{` are the escapes). cdktf copies plain
 * strings into the JSON as they are, so a value such as `primaryTeam: 'x${file("/etc/passwd")}'`
 * would make Terraform read a file on the runner. Inside function arguments cdktf quotes string
 * literals itself but escapes only `${` and newlines (cdktf lib/tfExpression.js,
 * `TFExpression.escapeString`), so a `"` or `%{` in an argument would end the string or start a
 * directive.
 *
 * This aspect is the single place where that is handled, for every stack that `synthesize()`
 * builds, whatever key or construct the text came from: the configuration keeps the text exactly as
 * the user wrote it (validation, names, hashes, messages and the summary all see that text), and
 * when an element is turned into Terraform JSON, every literal part of every string is escaped once:
 *
 * - in an attribute, an output, a local or a provider block, in values and object keys alike:
 *   `${` -> `$${`, `%{` -> `%%{`;
 * - as an argument of a Terraform function, condition or operator cdktf renders: a complete HCL
 *   string literal (backslash, quote, newline, `${`, `%{` escaped);
 * - in a variable validation's `error_message` and an import block's `id`, which are templates too.
 *
 * cdktf's own references and function calls are tokens, not literal text, and pass untouched.
 * Left alone, because Terraform reads them literally or they are deliberate raw Terraform: the
 * `terraform` block (backend settings are never evaluated), a variable's `default`, `description`
 * and validation `condition` (the construct's own expression), output descriptions, `moved`,
 * `removed` and import `to` addresses, the `//` metadata, and escape hatches (`addOverride`, whose
 * value is raw Terraform by design).
 * A construct that needs an expression writes a token (`Fn`, `Op`, a reference, or constructs/shared/terraform-expression.ts for what
 * cdktf has no token for), never the text `${...}`: such text is literal.
 * Object keys inside a cdktf expression (`Fn.jsonencode({ [key]: ... })`), which cdktf writes
 * unescaped between quotes, are escaped as the inside of an HCL string literal.
 */
export class TerraformLiterals implements IAspect {
  private readonly wrapped = new WeakSet<object>();

  public visit(node: IConstruct): void {
    if (!TerraformElement.isTerraformElement(node) || this.wrapped.has(node)) return;
    this.wrapped.add(node);
    const element = node as TerraformElement & { rawOverrides?: Record<string, unknown> };
    const toTerraform = element.toTerraform.bind(element);
    element.toTerraform = () => escapeElement(toTerraform(), element.rawOverrides ?? {});
  }
}

/** Applies {@link TerraformLiterals} to `stack` (synthesize() does this for every stack). */
export function keepTextLiteral(stack: TerraformStack): void {
  Aspects.of(stack).add(new TerraformLiterals());
}

/** `${` -> `$${` and `%{` -> `%%{`: the text Terraform's template engine turns back into `value`. */
export function escapeTemplate(value: string): string {
  return value.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** `value` as an HCL quoted string literal: what an expression reads back as exactly `value`. */
export function hclStringLiteral(value: string): string {
  const body = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
  return `"${escapeTemplate(body)}"`;
}

/** cdktf's marker for a string token inside a string (cdktf lib/tokens/private/encoding.js). */
const STRING_TOKEN = /\$\{TfToken\[[^\]]*\]\}/g;

/** Top-level sections of an element's JSON whose strings Terraform evaluates as templates. */
const EVALUATED_SECTIONS = ["resource", "data", "ephemeral", "provider", "output", "locals", "check"];

function escapeElement(json: Record<string, any>, overrides: Record<string, unknown>): Record<string, any> {
  const out: Record<string, any> = { ...json };
  for (const section of EVALUATED_SECTIONS) {
    if (out[section] === undefined) continue;
    out[section] = escapeSection(section, out[section], overrides);
  }
  // A variable's default and description are literal, but a validation's error_message is a
  // template: Terraform evaluates it when the condition fails, so a `${file(...)}` in it would be
  // read and printed (hashicorp/terraform internal/configs/named_values.go,
  // decodeVariableValidationBlock -> decodeCheckRuleBlock; internal/configs/checks.go, CheckRule:
  // "ErrorMessage hcl.Expression"). The condition is the construct's own expression and stays.
  if (isPlainObject(out.variable)) {
    out.variable = mapValues(out.variable, (body: any) =>
      Array.isArray(body?.validation)
        ? { ...body, validation: body.validation.map((v: any) => (typeof v?.error_message === "string" ? { ...v, error_message: escapeTemplateString(v.error_message) } : v)) }
        : body,
    );
  }
  // An import block's id is an expression (Terraform 1.6+); its `to` is an address and stays.
  if (Array.isArray(out.import)) {
    out.import = out.import.map((block: any) => (typeof block?.id === "string" ? { ...block, id: escapeTemplateString(block.id) } : block));
  }
  return out;
}

function escapeSection(section: string, value: any, overrides: Record<string, unknown>): any {
  switch (section) {
    case "resource":
    case "data":
    case "ephemeral":
    case "provider":
      // { type: { name: body } } or, for providers, { type: [body] }
      return mapValues(value, (byName: any) =>
        Array.isArray(byName) ? byName.map((body) => escapeBody(body, overrides)) : mapValues(byName, (body: any) => escapeBody(body, overrides)),
      );
    case "output":
      return mapValues(value, (body: any) => {
        const { description, ...rest } = body;
        return { ...escapeBody(rest, overrides), ...(description === undefined ? {} : { description }) };
      });
    default:
      return escapeValue(value);
  }
}

/** One block's body: everything but the `//` metadata is escaped; escape-hatch overrides stay raw. */
function escapeBody(body: Record<string, any>, overrides: Record<string, unknown>): Record<string, any> {
  const { "//": metadata, ...rest } = body;
  const escaped = restoreOverrides(escapeValue(rest), overrides);
  return metadata === undefined ? escaped : { ...escaped, "//": metadata };
}

function restoreOverrides(body: any, overrides: Record<string, unknown>): any {
  if (!isPlainObject(body)) return body;
  const out = { ...body };
  for (const [key, value] of Object.entries(overrides)) {
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? restoreOverrides(out[key], value as Record<string, unknown>) : value;
  }
  return out;
}

/** Escapes the literal parts of every string in `value`, and the arguments of every expression token. */
function escapeValue(value: unknown): any {
  if (typeof value === "string") return escapeTemplateString(value);
  if (Array.isArray(value)) return value.map(escapeValue);
  if (Tokenization.isResolvable(value)) {
    escapeExpression(value);
    return value;
  }
  // Property names are templates too: real terraform evaluates {"k${file(...)}": "v"} into the
  // file's content, and reads {"k$${...}": "v"} back as written (both in
  // __tests__/synth/terraform-literals.test.ts). A label key such as `k${file(...)}` in
  // httpAllowedFrom's podLabels would otherwise be evaluated like a value.
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [escapeTemplateString(key), escapeValue(item)]));
  }
  return value;
}

/** A string in a template position: literal fragments escaped, token markers kept (and their arguments escaped). */
function escapeTemplateString(value: string): string {
  let out = "";
  let last = 0;
  for (const match of value.matchAll(STRING_TOKEN)) {
    out += escapeTemplate(value.slice(last, match.index));
    out += match[0];
    for (const token of Tokenization.reverseString(match[0]).tokens) escapeExpression(token);
    last = match.index! + match[0].length;
  }
  return out + escapeTemplate(value.slice(last));
}

const escapedExpressions = new WeakSet<object>();

/**
 * Makes the literal strings inside a cdktf expression (function arguments, conditional branches,
 * operands) proper HCL string literals. Expressions are shared and resolved more than once, so each
 * is rewritten once.
 */
function escapeExpression(token: IResolvable): void {
  if (escapedExpressions.has(token)) return;
  escapedExpressions.add(token);
  const expression = token as any;
  switch (expression.constructor?.name) {
    case "FunctionCall":
      expression.args = expression.args.map(escapeArgument);
      break;
    case "ConditionalExpression":
      expression.condition = escapeArgument(expression.condition);
      expression.trueValue = escapeArgument(expression.trueValue);
      expression.falseValue = escapeArgument(expression.falseValue);
      break;
    case "OperatorExpression":
      expression.left = escapeArgument(expression.left);
      if (expression.right !== undefined) expression.right = escapeArgument(expression.right);
      break;
    default:
      break;
  }
}

/** An argument of an expression: literal strings become HCL string literals; mixed strings a join of parts. */
function escapeArgument(arg: unknown): unknown {
  if (typeof arg === "string") {
    const tokens = [...arg.matchAll(STRING_TOKEN)];
    if (tokens.length === 0) return hclLiteral(arg);
    for (const match of tokens) for (const token of Tokenization.reverseString(match[0]).tokens) escapeExpression(token);
    if (tokens.length === 1 && tokens[0][0] === arg) return arg;
    // Literal text around tokens: join("", ["text", token, "text"]) keeps each part what it is.
    const parts: string[] = [];
    let last = 0;
    for (const match of tokens) {
      if (match.index! > last) parts.push(Token.asString(hclLiteral(arg.slice(last, match.index))));
      parts.push(match[0]);
      last = match.index! + match[0].length;
    }
    if (last < arg.length) parts.push(Token.asString(hclLiteral(arg.slice(last))));
    return Fn.join("", parts as string[]);
  }
  if (Array.isArray(arg)) return arg.map(escapeArgument);
  if (Tokenization.isResolvable(arg)) {
    escapeExpression(arg);
    return arg;
  }
  if (isPlainObject(arg)) {
    // cdktf writes each key as `"<key>" = value` without escaping it (cdktf lib/tfExpression.js,
    // `resolveExpressionPart`): the key's text goes in as the inside of an HCL string literal.
    // A key holding one of cdktf's own token markers stays as it is.
    return Object.fromEntries(
      Object.entries(arg as Record<string, unknown>).map(([key, item]) => [key.includes("${TfToken[") ? key : hclStringLiteral(key).slice(1, -1), escapeArgument(item)]),
    );
  }
  return arg;
}

/** A resolvable that renders as the HCL string literal of `value` inside an expression. */
function hclLiteral(value: string): IResolvable {
  return {
    creationStack: [],
    resolve: () => hclStringLiteral(value),
    toString: () => value,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function mapValues<T, U>(object: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, f(value)]));
}
