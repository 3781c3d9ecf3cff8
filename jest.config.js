// Two projects: `unit` (pure logic, no services) and `integration` (real Kafka, Postgres, HTTP,
// SMTP — see test/support/environment.ts), which includes the cluster suite (test/cluster: a
// three-node Kafka cluster of its own, a node crashed under load; decision 0686). `npm test` runs
// both, one file at a time; `npm run test:cluster` runs the cluster suite alone.
const base = {
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  // Local state: broker data, bench builds, and the temporary checkouts of `npm run bench -- compare`
  // (another package.json, another copy of every test) must not be read as part of the project.
  modulePathIgnorePatterns: ['<rootDir>/.local/'],
  moduleNameMapper: {
    '^@app/contracts(|/.*)$': '<rootDir>/libs/contracts/src$1',
    '^@app/platform(|/.*)$': '<rootDir>/libs/platform/src$1',
  },
};
module.exports = {
  // Integration tests wait for real brokers, servers and retries; each bounds its own waits.
  testTimeout: 120_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
