// One lint setup for the whole repository. Layering rules (ARCHITECTURE.md):
// only src-main/app imports electron; the renderer imports nothing from src-main
// but the API contract's types; no import cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'resources/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { typescript: false, node: true } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only src-main/app may import electron.' }] },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'src-main/(?!api/)',
              message: 'The renderer talks to the rest only through src-main/api (and shares pure code in src-common).',
            },
          ],
          paths: [{ name: 'electron', message: 'The renderer never imports electron.' }],
        },
      ],
    },
  },
  {
    // pure code shared by the window and the main process (imaging, colour maps):
    // it depends on neither side
    files: ['src-common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: 'src-main/|src-renderer/', message: 'src-common depends on neither side.' },
            { regex: '^node:', message: 'src-common runs in the window too: no Node built-ins.' },
          ],
          paths: [{ name: 'electron', message: 'src-common never imports electron.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
