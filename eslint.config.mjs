// Lint rules, including the import boundaries of architecture.md:
// src/core imports nothing outside itself; only src/main.ts imports connectors/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const connectorsBan = {
  group: ['**/connectors', '**/connectors/**'],
  message: 'Only src/main.ts (the composition root) imports connectors/.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [connectorsBan] }] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*', '!./*'], message: 'src/core is pure: it imports nothing outside itself.' },
            { group: ['node:*'], message: 'src/core is pure: no I/O.' },
            connectorsBan,
          ],
          paths: ['fs', 'http', 'https', 'net', 'child_process', 'axios', 'jsforce', 'pg', 'better-sqlite3', 'kysely', 'winston'].map(
            (name) => ({ name, message: 'src/core is pure: no I/O.' }),
          ),
        },
      ],
    },
  },
  {
    // The merge planner is pure like src/core: no store, no connectors, no I/O (architecture.md, sync protocol 6).
    files: ['src/sync/merge/**/*.ts'],
    ignores: ['src/sync/merge/apply-plan.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/store', '**/store/**'], message: 'The merge planner is pure: it reads no store (apply-plan.ts does).' },
            { group: ['**/ports/connector', '**/context', '**/record-conflict', '**/pull', '**/push', '**/engine', '**/review', '**/log', '**/metrics', '**/apply-plan'], message: 'The merge planner is pure: no I/O; apply-plan.ts runs its plan.' },
            { group: ['node:*'], message: 'The merge planner is pure: no I/O.' },
            connectorsBan,
          ],
          paths: ['fs', 'http', 'https', 'net', 'child_process', 'axios', 'jsforce', 'pg', 'better-sqlite3', 'kysely', 'winston'].map(
            (name) => ({ name, message: 'The merge planner is pure: no I/O.' }),
          ),
        },
      ],
    },
  },
  {
    files: ['connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/*', '!**/src/ports', '!**/src/ports/*', '!**/src/errors', '!**/src/log', '!**/src/retry'],
              message: 'connectors/ import only src/ports, src/errors, src/log and src/retry.',
            },
          ],
        },
      ],
    },
  },
);
