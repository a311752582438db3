/** @type {import('jest').Config} */
module.exports = {
  // Jest's node environment, plus: each test file's temporary files in a folder of its own, removed
  // when the file is done; cdktf's token creation stacks formatted by Node, not by Jest's source-map
  // formatter (about a fifth of a synth's CPU under Jest). See support/node-environment.ts.
  testEnvironment: "<rootDir>/__tests__/support/node-environment.ts",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Type checking is done once by `tsc -b` in `npm test` (the sources' project, tsconfig.build.json,
  // compiles dist/ when it is out of date; the tests are checked against its declarations); jest
  // only transpiles, with swc
  // (measured: the stack and config suites took 39 s of CPU with ts-jest, 17 s with swc).
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
  // Every core: jest's default leaves one idle, which on a 2-core machine halves the suite's speed.
  // `npm test` starts jest as `node --no-turbofan`, and the workers inherit the flag (jest-worker
  // forks them with the parent's execArgv): V8's optimizing compiler spent more CPU on test code that
  // runs once than it saved (measured: the whole run 32 s instead of 37 s, 6 s less CPU).
  maxWorkers: "100%",
  testTimeout: 30000,
  // One PostgreSQL server per supported major for the whole run, started in the background while
  // the first test files run (__tests__/support/postgres-global-setup.ts).
  globalSetup: "<rootDir>/__tests__/support/postgres-global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/postgres-global-teardown.ts",
};
