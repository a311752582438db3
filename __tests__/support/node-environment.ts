import NodeEnvironment from "jest-environment-node";

/**
 * Jest's node environment, with one change: a stack captured on an object that is not an Error is
 * formatted the way plain Node formats it (unmapped frames), instead of through Jest's source-map
 * formatter. Errors (a failed assertion, a thrown synth error) keep Jest's formatting, with the
 * TypeScript lines of the test and the project.
 *
 * Why: cdktf records where every token was made. Each `Lazy` and `Intrinsic` calls
 * captureStackTrace (cdktf lib/tokens/private/stack-trace.js), which sets Error.stackTraceLimit to
 * Number.MAX_SAFE_INTEGER and reads `.stack` of a plain `{ stack: "" }` at once. A synth makes
 * thousands of tokens, and under Jest every frame of every one of those stacks went through
 * @jest/source-map (SourceMapSupport.formatStackTrace: wrapCallSite, cloneCallSite, and a search
 * for the inline source map of each cdktf and provider file): measured, it was about a fifth of the
 * CPU of a synth-heavy test file (storage-stack: 3.1 s alone, 2.3 s with this), for stacks that no
 * test reads. Outside Jest (`npm run synth`) cdktf gets Node's own formatting, which is what this
 * gives it here too.
 *
 * Node calls the `Error.prepareStackTrace` of the realm whose `Error` made the stack before the main
 * realm's (lib/internal/errors.js, prepareStackTraceCallback); Jest installs its formatter on the
 * main realm's `Error` (jest-runner, SourceMapSupport.install), which Errors are handed on to.
 */
export default class ProjectNodeEnvironment extends NodeEnvironment {
  constructor(...args: ConstructorParameters<typeof NodeEnvironment>) {
    super(...args);
    const sandboxError = this.global.Error as ErrorConstructor;
    sandboxError.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) => {
      if (Object.prototype.toString.call(error) === "[object Error]" && Error.prepareStackTrace) {
        return Error.prepareStackTrace(error as Error, frames);
      }
      // Node's own format: the error's first line, then one "    at <frame>" per frame.
      return `${Object.prototype.toString.call(error) === "[object Error]" ? String(error) : "Error"}${frames.map((frame) => `\n    at ${frame}`).join("")}`;
    };
  }
}
