// Two projects: fast unit tests, and integration tests that talk real HTTP and real SQL.
// p-retry and is-network-error ship as ESM only; ts-jest transforms them for the CommonJS runtime.
const esmOnly = ['p-retry', 'is-network-error', 'cookie'];
const common = {
  preset: 'ts-jest/presets/js-with-ts',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', moduleResolution: 'node10' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};
module.exports = {
  // A global option (jest ignores it inside a project): integration tests start simulators and
  // stores and move thousands of records over real HTTP and SQL, and on a loaded 2-core runner
  // jest's default of 5 s is too short for the 10,000-record runs.
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/property/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/contract/**/*.test.ts', '<rootDir>/test/crash/**/*.test.ts'],
    },
    // The long chaos run (`npm run test:chaos`, 5,000 records), apart from `npm test`, which runs
    // it at 1,000 records (test/integration/chaos.test.ts): see README, long runs.
    { ...common, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.test.ts'] },
  ],
};
