// Lint rules, including the boundaries of STYLE.md: only the composition
// root and the adapter files touch processes, git or conf; core/ is pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ADAPTERS = ['src/cli.ts', 'src/config/config-file.ts', 'src/git/real-git.ts', 'src/prompts/editor.ts', 'src/os/**/*.ts', 'src/spawn/**/*.ts', 'src/terminal/open-window.ts'];
const IO_LIBRARIES = ['execa', 'simple-git', 'conf', 'node:child_process', 'child_process'].map((name) => ({
  name,
  message: 'Only cli.ts and the adapter files use processes, git or conf: take a port as a parameter instead.',
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', TextDecoder: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ADAPTERS,
    rules: { 'no-restricted-imports': ['error', { paths: IO_LIBRARIES }] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...IO_LIBRARIES, { name: 'react', message: 'core/ is pure: no React.' }, { name: 'ink', message: 'core/ is pure: no Ink.' }],
          patterns: [{ group: ['node:*', '!node:path'], message: 'core/ is pure: no Node I/O.' }],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js', 'esbuild.config.mjs'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
