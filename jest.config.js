const fs = require('node:fs');
const path = require('node:path');

// The back office's browser tests run when Chromium (Debian's, as .ci/run installs it) and the
// back office's own packages are present.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserTests = fs.existsSync(chromium) && fs.existsSync(path.join(__dirname, 'backoffice', 'node_modules', 'playwright-core'));

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
  roots: ['<rootDir>/api', '<rootDir>/modules', '<rootDir>/test', ...(browserTests ? ['<rootDir>/backoffice/e2e'] : [])],
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
