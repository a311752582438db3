import * as fs from "fs";
import NodeEnvironment from "jest-environment-node";
import * as path from "path";
import { installCodeCache } from "./code-cache";
import { testTempBase } from "./temp-base";

/**
 * Jest's node environment, with three changes.
 *
 * 1. Each test file gets a temporary folder of its own (in /dev/shm when it has room:
 * support/temp-base.ts), removed when the file is done, passed or failed. It is the file's system
 * temp folder (TMPDIR, which os.tmpdir() answers, for the file's time in the worker), so what
 * anything makes there goes too (cdktf's App makes `cdktf.outdir.*` there when given no outdir),
 * and `tempDir()` (support/synth.ts) makes its folders in it (`MMCDKTF_TEST_TEMP`). A jest worker
 * does not run `process.on("exit")` handlers registered by a test file, so folders left for one of
 * those used to stay in the system temp folder, hundreds per run.
 *
 * 2. A stack captured on an object that is not an Error is formatted the way plain Node formats
 * it (unmapped frames), instead of through Jest's source-map formatter. Errors (a failed assertion,
 * a thrown synth error) keep Jest's formatting, with the TypeScript lines of the test and the
 * project.
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
installCodeCache();

export default class ProjectNodeEnvironment extends NodeEnvironment {
  private readonly tempRoot: string;
  private readonly workerTmpdir = process.env.TMPDIR;

  constructor(...args: ConstructorParameters<typeof NodeEnvironment>) {
    super(...args);
    this.tempRoot = fs.mkdtempSync(path.join(testTempBase(), "mmcdktf-test-"));
    // Like the system temp folder: others (a PostgreSQL server running as nobody) may pass through.
    fs.chmodSync(this.tempRoot, 0o755);
    // The worker's own environment (os.tmpdir() reads it) and the test file's copy of it.
    process.env.TMPDIR = this.tempRoot;
    Object.assign((this.global.process as NodeJS.Process).env, { TMPDIR: this.tempRoot, MMCDKTF_TEST_TEMP: this.tempRoot });
    const sandboxError = this.global.Error as ErrorConstructor;
    sandboxError.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) => {
      if (Object.prototype.toString.call(error) === "[object Error]" && Error.prepareStackTrace) {
        return Error.prepareStackTrace(error as Error, frames);
      }
      // Node's own format: the error's first line, then one "    at <frame>" per frame.
      return `${Object.prototype.toString.call(error) === "[object Error]" ? String(error) : "Error"}${frames.map((frame) => `\n    at ${frame}`).join("")}`;
    };
  }

  override async teardown(): Promise<void> {
    try {
      await super.teardown();
    } finally {
      if (this.workerTmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = this.workerTmpdir;
      fs.rmSync(this.tempRoot, { recursive: true, force: true });
    }
  }
}
