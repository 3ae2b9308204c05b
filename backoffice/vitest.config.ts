import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // ra-data-graphql's ESM build imports CommonJS @apollo/client.
    server: { deps: { inline: ['ra-data-graphql'] } },
  },
});
