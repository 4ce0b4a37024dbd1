// Layer rules from ../shared/design/architecture.md: who may import whom, and each SDK only in
// its adapter folder. tsc -b per layer catches stray globals; these rules catch stray imports.
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'url', 'stream', 'events', 'worker_threads', 'zlib', 'util', 'buffer'];
const SDKS = ['@octokit/*', 'openai', 'sql.js', 'pino', 'pino-*', 'cockatiel', 'electron', 'electron-store', 'conf', 'ws', 'react', 'react-dom', 'zustand', '@handsfree/audio-addon', 'koffi'];

const forbid = (groups, message) => ({ group: groups, message });
// A regex, not a gitignore group: 'openai' as a group would also match our own main/speech/openai/ folder.
const forbidOpenAi = (message) => ({ regex: '^openai(/.*)?$', message });

export default tseslint.config(
  { ignores: ['build/**', 'dist/**', 'node_modules/**', 'native/audio-addon/build/**', '**/*.js', '**/*.cjs', '**/*.mjs', 'vitest.config.ts'] },
  {
    // .cts/.mts too: preload/preload.cts is CommonJS TypeScript and must meet the preload rules.
    files: ['**/*.ts', '**/*.tsx', '**/*.cts', '**/*.mts'],
    extends: [tseslint.configs.base],
    rules: {},
  },
  {
    // typescript-eslint's recommended type-checked rules, on the pure layers so far (core, contract).
    // main/, preload/ and renderer/ have ~130 findings left (require-await, unbound-method,
    // no-unnecessary-type-assertion, unused vars, a few unsafe-*): the next step is to fix those and widen this.
    files: ['core/**/*.ts', 'contract/**/*.ts'],
    ignores: ['**/*.test.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }] },
  },
  {
    files: ['contract/**/*.ts', 'contract/**/*.cts', 'contract/**/*.mts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        forbid(['../core/*', '../main/*', '../preload/*', '../renderer/*', '../../*'], 'contract/ imports only contract/'),
        forbid([...NODE_BUILTINS, ...SDKS], 'contract/ is pure: no Node, no SDKs (zod is the one allowed library)'),
      ] }],
    },
  },
  {
    files: ['core/**/*.ts', 'core/**/*.cts', 'core/**/*.mts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        forbid(['**/main/*', '**/main/**', '**/preload/**', '**/renderer/**', '**/native/**'], 'core/ imports contract/ and core/ only'),
        forbid([...NODE_BUILTINS, ...SDKS, 'zod'], 'core/ performs no I/O and uses no SDKs: receive a port instead'),
      ] }],
    },
  },
  {
    files: ['main/**/*.ts', 'main/**/*.cts', 'main/**/*.mts'],
    ignores: ['main/github/**', 'main/store/**', 'main/speech/**', 'main/electron/**', 'main/audio/**', 'main/server/**', 'main/log/**', 'main/settings/**', 'main/ui/**', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        forbid(['**/preload/**', '**/renderer/**'], 'main/ never imports preload/ or renderer/'),
        forbid(['@octokit/*'], '@octokit/* only in main/github/'),
        forbid(['sql.js'], 'sql.js only in main/store/'),
        forbidOpenAi('openai only in main/speech/openai/'),
        forbid(['electron', 'electron-store'], 'electron only in main/electron/'),
        forbid(['@handsfree/audio-addon'], 'the audio add-on only in main/audio/'),
        forbid(['pino', 'pino-*'], 'pino only in main/log/'),
        forbid(['ws'], 'ws only in main/server/'),
      ] }],
    },
  },
  ...[
    ['main/github/**/*.ts', ['sql.js', 'openai', 'electron', 'electron-store', '@handsfree/audio-addon', 'ws']],
    ['main/store/**/*.ts', ['@octokit/*', 'openai', 'electron', 'electron-store', '@handsfree/audio-addon', 'ws']],
    ['main/speech/**/*.ts', ['@octokit/*', 'sql.js', 'openai', 'electron', 'electron-store', '@handsfree/audio-addon', 'ws'], ['main/speech/openai/**']],
    ['main/speech/openai/**/*.ts', ['@octokit/*', 'sql.js', 'electron', 'electron-store', '@handsfree/audio-addon', 'ws']],
    ['main/audio/**/*.ts', ['@octokit/*', 'sql.js', 'openai', 'electron', 'electron-store', 'ws']],
    ['main/server/**/*.ts', ['@octokit/*', 'sql.js', 'openai', 'electron', 'electron-store', '@handsfree/audio-addon']],
    ['main/electron/**/*.ts', ['@octokit/*', 'sql.js', 'openai', '@handsfree/audio-addon', 'ws']],
    ['main/log/**/*.ts', ['@octokit/*', 'sql.js', 'openai', 'electron', 'electron-store', '@handsfree/audio-addon', 'ws']],
    ['main/settings/**/*.ts', ['@octokit/*', 'sql.js', 'openai', 'electron', '@handsfree/audio-addon', 'ws']],
    ['main/ui/**/*.ts', ['@octokit/*', 'sql.js', 'openai', 'electron', 'electron-store', '@handsfree/audio-addon']],
  ].map(([files, banned, exempt = []]) => ({
    files: [files],
    ignores: ['**/*.test.ts', ...exempt],
    rules: { 'no-restricted-imports': ['error', { patterns: [
      forbid(['**/preload/**', '**/renderer/**'], 'main/ never imports preload/ or renderer/'),
      forbid(banned.filter((b) => b !== 'openai'), 'each SDK lives only in its own adapter folder'),
      ...(banned.includes('openai') ? [forbidOpenAi('openai only in main/speech/openai/')] : []),
    ] }] },
  })),
  {
    files: ['preload/**/*.ts', 'preload/**/*.cts', 'preload/**/*.mts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        forbid(['**/core/**', '**/main/**', '**/renderer/**'], 'preload/ imports contract/ only'),
        forbid([...NODE_BUILTINS, ...SDKS.filter((s) => s !== 'electron')], 'preload/ is contextBridge only'),
      ] }],
    },
  },
  {
    // The two classic hook rules (the React Compiler rules of the plugin's newer presets are not adopted).
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        forbid(['**/core/**', '**/main/**', '**/preload/**'], 'renderer/ imports contract/ only'),
        forbid([...NODE_BUILTINS, 'electron', '@octokit/*', 'openai', 'sql.js', 'pino'], 'renderer/ never touches Node, Electron or SDKs'),
      ] }],
    },
  },
);
