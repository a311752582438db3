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
 * life of the worker (25 MB more heap per file; jest-environment.test.ts checks it). V8 checks the cache against
 * the source and its own version and flags, and compiles from source when it does not match
 * (`cachedDataRejected`), so what runs is always the code on disk: only the parsing is skipped.
 * Installed once per worker process by the project's jest environment (node-environment.ts).
 */

// The module object itself: jest-runtime looks compileFunction up on it at every call, and a
// TypeScript namespace import would be a copy.
const vm: typeof import("vm") = require("vm");

const INSTALLED = Symbol.for("mattermost-cdktf.code-cache");

interface Entry {
  readonly code: string;
  readonly data: Buffer;
}

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
    const entry = filename === undefined ? undefined : entries.get(filename);
    if (entry !== undefined && entry.code === code) {
      const fn = compile(code, params, { ...options, cachedData: entry.data }) as ReturnType<typeof vm.compileFunction> & { cachedDataRejected?: boolean };
      if (fn.cachedDataRejected) stats.rejected++;
      else stats.hits++;
      return fn;
    }
    stats.misses++;
    if (filename !== undefined) {
      try {
        const probe = compile(code, params, { filename, produceCachedData: true }) as ReturnType<typeof vm.compileFunction> & { cachedData?: Buffer };
        if (probe.cachedData !== undefined) entries.set(filename, { code, data: probe.cachedData });
      } catch {
        // A source that does not compile: the compile below throws jest the error, from the file's context.
      }
    }
    return compile(code, params, options);
  };
  vm.compileFunction = cached;
  Object.defineProperty(vm, INSTALLED, { value: stats });
  return stats;
}
