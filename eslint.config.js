// `npm run lint`: typescript-eslint's recommended type-checked rules over the gateway's source,
// its tests (JSON answers are parsed into declared shapes, see test/support/json.ts) and the
// repository's own build and CI scripts.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'src/generated/',
      'dist/',
      // Private builds of the gateway (compiled JavaScript): the bench's, the memory test's.
      'test/bench/.build/',
      'test/.build/',
      'test-results/',
      'node_modules/',
    ],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // CI's scripts sit outside tsconfig.json: the service types them in a project of their own.
        projectService: { allowDefaultProject: ['.ci/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['.ci/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
