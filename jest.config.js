// Every suite runs, the back office's browser tests included: `npm test` first runs
// scripts/test-prereqs.js (pretest), which installs Chromium, Dovecot, poppler-utils and the
// back office's packages or stops with what is missing. A missing tool fails its tests loudly.
/** @type {import('jest').Config} */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/api', '<rootDir>/modules', '<rootDir>/test', '<rootDir>/backoffice/e2e'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  // Servers, sockets and pools are closed by each suite; this catches the ones that are not.
  forceExit: false,
};
