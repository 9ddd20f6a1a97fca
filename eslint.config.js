// ESLint flat config: typescript-eslint's recommended rules everywhere, plus a few type-aware rules
// on the TypeScript that tsconfig.json covers (src/, test/, scripts/). Formatting belongs to
// Prettier (eslint-config-prettier turns off every style rule). assembly/ is AssemblyScript:
// `npm run typecheck` checks it (scripts/typecheck-assembly.ts), ESLint cannot parse its decorators.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['build/', 'dist/', 'assembly/', 'bench/node_modules/', 'bench/results/', 'bench/.wg*/', 'node_modules/', 'src/engine/backend/warm-up-cases.ts'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Coefficient tables (erf, Lanczos, ...) and expected values keep the digits they were
      // published or computed with; the float64 nearest to the literal is the value meant.
      'no-loss-of-precision': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Promises left floating or passed where a callback's return is ignored lose their errors.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // The demo page and its module Worker run in browsers (worker globals are a subset).
    files: ['demo/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The op table is heterogeneous in its attribute types: a table entry's attributes are erased
    // to `any` where entries of different ops sit in one list or one lookup (each op's own plan,
    // kernels and compose are typed with its attributes).
    files: ['src/ops/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
