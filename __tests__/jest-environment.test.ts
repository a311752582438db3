import { CodeCacheStats } from "./support/code-cache";

// The project's jest environment (support/node-environment.ts) compiles modules through a V8 code
// cache (support/code-cache.ts). This file runs under that environment, so it sees the real one.
const vm: typeof import("vm") = require("vm");
const v8: typeof import("v8") = require("v8");

const stats = (): CodeCacheStats => ({ ...(vm as any)[Symbol.for("mattermost-cdktf.code-cache")] });

describe("the code cache of the jest environment", () => {
  test("is installed in this worker, and jest compiles the modules a test file loads through it", () => {
    const before = stats();
    jest.isolateModules(() => require("./support/temp-base"));
    const after = stats();
    expect(after.hits + after.misses + after.rejected - (before.hits + before.misses + before.rejected)).toBe(1);
  });

  /** Compiles each source in turn as the same file and runs it; what each returned and what the cache did. */
  function compileAll(name: string, sources: readonly string[]) {
    const filename = `/code-cache-probe-${process.pid}-${name}.js`;
    const before = stats();
    const results = sources.map((source) => vm.compileFunction(source, [], { filename })());
    const after = stats();
    return { results, misses: after.misses - before.misses, hits: after.hits - before.hits, rejected: after.rejected - before.rejected };
  }

  test("the same source compiled again comes from the cache and runs as compiled from source", () => {
    const source = "return [1, 2, 3].map((n) => n * 2).join(',')";
    expect(compileAll("a", [source, source])).toEqual({ results: ["2,4,6", "2,4,6"], misses: 1, hits: 1, rejected: 0 });
  });

  test("a file whose source changed is compiled from its new source, even at the same length", () => {
    expect(compileAll("b", ["return 'one'", "return 'two'"])).toEqual({ results: ["one", "two"], misses: 2, hits: 0, rejected: 0 });
  });

  test("why the cache compares sources: V8 takes a code cache made for another source of the same length", () => {
    // Options jest does not use go straight to Node's compileFunction, so this is V8 unaided.
    const filename = `/code-cache-probe-${process.pid}-h.js`;
    const made = vm.compileFunction("return 'one'", [], { filename, produceCachedData: true }) as ReturnType<typeof vm.compileFunction> & { cachedData: Buffer };
    const other = vm.compileFunction("return 'two'", [], { filename, cachedData: made.cachedData }) as ReturnType<typeof vm.compileFunction> & { cachedDataRejected: boolean };
    expect({ rejected: other.cachedDataRejected, result: other() }).toEqual({ rejected: false, result: "one" });
  });

  test("the same source with other parameter names is compiled with its own (V8 would run the cached ones)", () => {
    const filename = `/code-cache-probe-${process.pid}-e.js`;
    const before = stats();
    const results = [vm.compileFunction("return typeof a", ["a"], { filename })(1), vm.compileFunction("return typeof a", ["b"], { filename })(1)];
    expect({ results, misses: stats().misses - before.misses, hits: stats().hits - before.hits }).toEqual({ results: ["number", "undefined"], misses: 2, hits: 0 });
  });

  test("options jest does not use (a line offset) bypass the cache: V8 would keep the cached positions", () => {
    const filename = `/code-cache-probe-${process.pid}-f.js`;
    const source = "\nreturn new Error('here').stack";
    const before = stats();
    vm.compileFunction(source, [], { filename })();
    const stack: string = vm.compileFunction(source, [], { filename, lineOffset: 10 })();
    expect({ line: stack.split("\n")[1], hits: stats().hits - before.hits }).toEqual({ line: expect.stringContaining(`${filename}:12:`), hits: 0 });
  });

  test("a cache V8 rejects (a V8 flag changed since) is made again: the next compile hits", () => {
    const filename = `/code-cache-probe-${process.pid}-g.js`;
    const source = "return 40 + 2";
    const before = stats();
    vm.compileFunction(source, [], { filename });
    const flag = vm.runInNewContext("typeof gc") === "function" ? "expose-gc" : "no-expose-gc";
    v8.setFlagsFromString(flag === "expose-gc" ? "--no-expose-gc" : "--expose-gc");
    try {
      const results = [vm.compileFunction(source, [], { filename })(), vm.compileFunction(source, [], { filename })()];
      expect({ results, misses: stats().misses - before.misses, rejected: stats().rejected - before.rejected, hits: stats().hits - before.hits }).toEqual({ results: [42, 42], misses: 1, rejected: 1, hits: 1 });
    } finally {
      v8.setFlagsFromString(`--${flag}`);
    }
  });
});

describe("the code cache keeps no test file alive", () => {
  // A test file's modules are compiled in its own context (parsingContext); when the file is done
  // nothing may hold that context, or each worker keeps every file it ran (measured: 25 MB more
  // heap per file, 550 MB after 27 files, and every fork of the worker copying it).
  test("a context whose modules went through the cache, missed and hit, is collected", async () => {
    // Back to the worker's flags at once: V8 rejects every code cache made under other flags.
    v8.setFlagsFromString("--expose-gc");
    const gc: () => void = vm.runInNewContext("gc");
    v8.setFlagsFromString("--no-expose-gc");
    const refs = compileInThrowawayContexts(`/code-cache-probe-${process.pid}-c.js`);
    // V8 may keep a dropped context through a few collections (its caches age out over several);
    // one that something holds stays however many there are.
    for (let round = 0; round < 10 && refs.some((ref) => ref.deref() !== undefined); round++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
    expect(refs.map((ref) => ref.deref() === undefined)).toEqual([true, true]);
  });
});

/** Compiles the same module in two new contexts (a miss, then a hit); returns weak references to them. */
function compileInThrowawayContexts(filename: string): WeakRef<object>[] {
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < 2; i++) {
    const context = vm.createContext({ marker: new Array(1000).fill(i) });
    refs.push(new WeakRef(context));
    vm.compileFunction("return typeof marker", [], { filename, parsingContext: context, importModuleDynamically: (async () => undefined) as any })();
  }
  return refs;
}

describe("the code cache and bad sources", () => {
  test("a source that does not compile fails as it does without the cache: a SyntaxError", () => {
    // Compiled in the worker's own context here, so the error is that realm's SyntaxError.
    const thrown = (() => {
      try {
        vm.compileFunction("return )", [], { filename: `/code-cache-probe-${process.pid}-d.js` });
        return undefined;
      } catch (error) {
        return { name: (error as Error).name, message: (error as Error).message };
      }
    })();
    expect(thrown).toEqual({ name: "SyntaxError", message: "Unexpected token ')'" });
  });
});
