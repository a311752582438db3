/**
 * A V8 code cache for the modules jest compiles, kept in memory for the life of a jest worker.
 *
 * Jest loads every module afresh for each test file (its module registry is per file) and compiles
 * each with `vm.compileFunction` (jest-runtime, ModuleExecutor.compile), in the file's own context
 * and with its own `importModuleDynamically`. V8's in-isolate cache does not spare those compiles:
 * each test file parsed again the same 650 modules, among them four of
 * @cdktf/provider-kubernetes's struct files of 2.3 to 2.5 MB each (deployment_v1 and job_v1).
 * Measured on 30 test files that only load the stacks: 3.4 s of compiling without this, 1.1 s with
 * it; on the whole suite about 75 ms of CPU less per test file.
 *
 * The first compile of a file also compiles it once in this worker's own context to get V8's code
 * cache (`produceCachedData`); a later compile of the same file with the very same source gets it
 * (`cachedData`). The cache is not asked of the compile in the test file's context: a cache made
 * there kept that context, and with it every module and object of the test file, alive for the
 * life of the worker (25 MB more heap per file; jest-environment.test.ts checks it).
 *
 * What runs is always the code given: V8 checks a cache against its own version and flags and
 * against the source's *length* only (a cache of `return 'one'` accepted for `return 'two'` runs
 * 'one'), and not at all against the parameter names, line offset or context extensions it was
 * made with. So an entry is used only for the very same source and parameters, and a compile with
 * options other than jest's (filename, parsingContext, importModuleDynamically) bypasses the cache.
 * A cache V8 rejects (`cachedDataRejected`: a V8 flag changed since, e.g. a test's
 * v8.setFlagsFromString) is made again, or every later compile of that file in the worker would
 * be rejected too and parse twice. Installed once per worker process by the project's jest
 * environment (node-environment.ts).
 */

import * as assert from "assert";

// The module object itself: jest-runtime looks compileFunction up on it at every call, and a
// TypeScript namespace import would be a copy.
const vm: typeof import("vm") = require("vm");

const INSTALLED = Symbol.for("mattermost-cdktf.code-cache");

interface Entry {
  readonly code: string;
  readonly params: string;
  readonly data: Buffer;
}

/** The options jest-runtime compiles a module with; any other changes what V8 compiles, or is the caller's own cache. */
const JEST_OPTIONS = new Set(["filename", "parsingContext", "importModuleDynamically"]);

/** What the cache did in this process, for the test that checks it works. */
export interface CodeCacheStats {
  hits: number;
  misses: number;
  rejected: number;
}

export function installCodeCache(): CodeCacheStats {
  const installed = (vm as any)[INSTALLED] as CodeCacheStats | undefined;
  if (installed) return installed;
  const stats: CodeCacheStats = { hits: 0, misses: 0, rejected: 0 };
  const compile = vm.compileFunction;
  const entries = new Map<string, Entry>();
  const cached: typeof vm.compileFunction = (code, params, options) => {
    const filename = options?.filename;
    if (filename === undefined || Object.keys(options!).some((option) => !JEST_OPTIONS.has(option))) return compile(code, params, options);
    const paramNames = JSON.stringify(params ?? []);
    /** A cache made in this worker's own context, never in the file's (it would keep the file's context alive). */
    const remember = () => {
      try {
        const probe = compile(code, params, { filename, produceCachedData: true }) as ReturnType<typeof vm.compileFunction> & { cachedData?: Buffer };
        if (probe.cachedData !== undefined) entries.set(filename, { code, params: paramNames, data: probe.cachedData });
      } catch {
        // A source that does not compile: the compile in the file's context throws jest the error.
      }
    };
    const entry = entries.get(filename);
    if (entry !== undefined && entry.code === code && entry.params === paramNames) {
      const fn = compile(code, params, { ...options, cachedData: entry.data }) as ReturnType<typeof vm.compileFunction> & { cachedDataRejected?: boolean };
      if (fn.cachedDataRejected) {
        stats.rejected++;
        remember();
      } else stats.hits++;
      return fn;
    }
    stats.misses++;
    remember();
    return compile(code, params, options);
  };
  vm.compileFunction = cached;
  Object.defineProperty(vm, INSTALLED, { value: stats });
  assertCacheWorks(stats);
  return stats;
}

/**
 * The ground the cache stands on, checked once per worker: a second compile of a module takes the
 * first one's cache, and runs what it was given. If a Node release stopped producing or taking
 * caches for compileFunction, the suite would slow down with nobody told; this says so instead.
 */
function assertCacheWorks(stats: CodeCacheStats): void {
  const before = { ...stats };
  const filename = `/code-cache-self-check-${process.pid}.js`;
  const results = [0, 1].map(() => vm.compileFunction("return 6 * 7", [], { filename })());
  const used = { results, misses: stats.misses - before.misses, hits: stats.hits - before.hits };
  assert.deepStrictEqual(
    used,
    { results: [42, 42], misses: 1, hits: 1 },
    `The jest environment's code cache (__tests__/support/code-cache.ts) does not work on Node ${process.version}: remove installCodeCache() from support/node-environment.ts, or fix the cache`,
  );
}
