// Only what tsc cannot see: a promise nobody awaits (issue 16: store calls are async, and a forgotten `await`
// type-checks fine but lets the work run outside its transaction, or its error go unheard). `npm run lint:promises`.
import tseslint from 'typescript-eslint';

export default tseslint.config({
  // The fixture: tests/structure/floating-promises.test.ts proves the rules are on with it (`npm run lint:promises` skips it).
  files: ['src/**/*.{ts,tsx}', 'commands/**/*.ts', 'tests/structure/fixtures/floating-promise.ts'],
  languageOptions: {
    parser: tseslint.parser,
    // The program of src/, commands/ and db/ only (tsconfig.lint.json): type-checking tests and benches too took twice as long.
    parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname },
  },
  plugins: { '@typescript-eslint': tseslint.plugin },
  linterOptions: { reportUnusedDisableDirectives: 'off' },
  rules: {
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
  },
});
