import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '.sandbox',
      '.cache',
      '.ci-results',
      'dist',
      'orchestrate/**',
      'bench/**/*.py',
      'infra/cdk.out/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // A stage's index.ts is its surface and only re-exports, so it closes no loop by its own imports
    // (the import walls are in .dependency-cruiser.js, ARCHITECTURE.md#walls).
    files: ['src/*/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program > :not(ExportNamedDeclaration[source], ExportAllDeclaration)',
          message:
            "a stage's index.ts only re-exports (export { … } from './file.ts'): move this into a file of the stage",
        },
      ],
    },
  },
);
