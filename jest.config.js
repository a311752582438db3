/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Type checking is done once by `tsc --noEmit` in `npm test`; jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false, transpilation: true }] },
  testTimeout: 30000,
  // One PostgreSQL server per supported major for the whole run, started in the background while
  // the first test files run (__tests__/support/postgres-global-setup.ts).
  globalSetup: "<rootDir>/__tests__/support/postgres-global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/postgres-global-teardown.ts",
};
