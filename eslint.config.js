import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/** Layer rule (docs/ARCHITECTURE.md): dependencies point one way. */
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'bench/results/', 'dev-dist/', '.tmp/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['protocol/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict([
      { group: ['**/src/**', '**/server/**', '**/sw/**', 'dexie', 'fastify', 'svelte'], message: 'protocol/ is a leaf: it imports only zod.' },
    ]),
  },
  {
    files: ['server/**/*.ts'],
    rules: restrict([{ group: ['**/src/**', '**/sw/**', 'dexie', 'svelte'], message: 'server/ depends only on protocol/.' }]),
  },
  {
    files: ['src/ui/**/*.ts', 'src/ui/**/*.svelte'],
    rules: restrict([
      { group: ['dexie', '**/protocol/**', '**/server/**'], message: 'UI reads state modules (src/state) and calls src/data functions; never Dexie or the protocol directly.' },
    ]),
  },
  {
    files: ['src/sync/**/*.ts', 'src/data/**/*.ts', 'src/worker/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict([{ group: ['**/ui/**', '**/state/**', '**/server/**', 'svelte'], message: 'data/sync/worker never import the UI or the server.' }]),
  },
);
