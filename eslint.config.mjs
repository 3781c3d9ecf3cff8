import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Framework and infrastructure packages that pure code must not import (decision 0667). */
const INFRASTRUCTURE = [
  { group: ['@nestjs/*'], message: 'domain code and contracts stay free of NestJS' },
  { group: ['kafkajs', 'kafkajs/*'], message: 'domain code and contracts stay free of Kafka clients' },
  {
    group: ['typeorm', 'typeorm/*', 'pg', 'pg/*'],
    message: 'domain code and contracts stay free of the database',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.local/', 'coverage/', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules on TypeScript: a promise nobody awaits or handles loses its error silently.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['apps/*/src/**/domain/**/*.ts', 'libs/contracts/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: INFRASTRUCTURE }] },
  },
  {
    // `@app/platform` is the framework-free entry: nothing of NestJS; controllers, guards, filters,
    // middleware and the logger live in `libs/platform/src/nest` (`@app/platform/nest`, decisions
    // 0703, 0709).
    files: ['libs/platform/src/**/*.ts'],
    ignores: ['libs/platform/src/nest/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*'],
              message: 'Nest glue belongs to libs/platform/src/nest (@app/platform/nest)',
            },
            {
              group: ['**/nest', '**/nest/*', '@app/platform/nest'],
              message: 'the pure entry does not import the Nest one',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
