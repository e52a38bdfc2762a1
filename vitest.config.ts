import { defineConfig } from 'vitest/config';

export const vitestConfig = defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests spawn real processes and git; two cores here, so keep the pool small.
    pool: 'forks',
    // Git in tests: a fixed identity, and none of the machine's own git configuration.
    env: {
      GIT_AUTHOR_NAME: 'par test',
      GIT_AUTHOR_EMAIL: 'test@par.invalid',
      GIT_COMMITTER_NAME: 'par test',
      GIT_COMMITTER_EMAIL: 'test@par.invalid',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    },
    maxWorkers: 2,
  },
});

// Vitest reads the default export of its config file.
// eslint-disable-next-line no-restricted-syntax
export default vitestConfig;
