// `npm run lint`: typescript-eslint's recommended type-checked rules over the gateway's source
// and the repository's own build configuration. The tests under test/ are not linted yet: they
// read untyped JSON answers throughout (no-unsafe-*), and typing those is a change of its own.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['src/generated/', 'dist/', 'test/', 'test-results/', '.ci/', 'node_modules/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
