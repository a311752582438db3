import { IResolvable, Token } from "cdktf";

/**
 * A Terraform expression written as text, for what cdktf has no token for (`self` in a
 * postcondition, for instance). Synth escapes the literal text of every string it writes
 * (synth/terraform-literals.ts), so `"${...}"` typed into a construct reaches Terraform as text;
 * this token is the deliberate way to write raw Terraform instead. Never build `expression` from
 * an environment file: it is not escaped.
 */
export function terraformExpression(expression: string): string {
  const text = `\${${expression}}`;
  const resolvable: IResolvable = { creationStack: [], resolve: () => text, toString: () => text };
  return Token.asString(resolvable);
}
