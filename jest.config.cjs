/** Shared by both projects. */
const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // @middy/* and fauxqs ship ESM only; transform them like our TypeScript so CommonJS jest can load them.
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|fauxqs|valibot|toad-cache)/)'],
  moduleNameMapper: {
    '^fauxqs$': '<rootDir>/node_modules/fauxqs/dist/app.js',
    '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js',
  },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup-timeout.ts'],
};

/**
 * `*.serial.test.ts` measure throughput against the clock (calls/s against the limit). On a
 * 2-core machine another suite running beside them steals the CPU they measure, so `npm test` runs
 * them on their own, one file at a time, after everything else.
 * @type {import('jest').Config}
 */
module.exports = {
  maxWorkers: 2,
  projects: [
    {
      ...base,
      displayName: 'default',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['\\.serial\\.test\\.ts$'],
    },
    { ...base, displayName: 'serial', testMatch: ['**/*.serial.test.ts'] },
  ],
};
