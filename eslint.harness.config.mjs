import js from '@eslint/js';
import { config } from '@n8n/node-cli/eslint';

// The harness's own rules, run by `npm run lint` beside `npx n8n-node lint` (which needs
// eslint.config.mjs to be n8n's default, unchanged, in strict mode).
// nodes/ and credentials/: n8n's community-node rules, exactly as n8n ships them (`config`).
// Everything else is the harness around them (scripts, tools, e2e, emulator, bench, tests): Node
// programs that need child_process, fs and timers, which n8n's rules ban in a node.

// Node's globals (the harness runs on Node 20+), and CommonJS's.
const nodeGlobals = Object.fromEntries(
	[
		'AbortController', 'AbortSignal', 'Buffer', 'TextDecoder', 'TextEncoder', 'URL', 'URLSearchParams',
		'clearImmediate', 'clearInterval', 'clearTimeout', 'console', 'fetch', 'Headers', 'performance',
		'process', 'queueMicrotask', 'Request', 'Response', 'setImmediate', 'setInterval', 'setTimeout',
		'structuredClone', 'globalThis',
	].map((name) => [name, 'readonly']),
);
const commonJsGlobals = Object.fromEntries(
	['require', 'module', 'exports', '__dirname', '__filename'].map((name) => [name, 'readonly']),
);

const unusedVars = ['error', { args: 'after-used', caughtErrors: 'none', ignoreRestSiblings: true }];
const harnessRules = { 'no-unused-vars': unusedVars, 'no-var': 'error', 'prefer-const': 'error', eqeqeq: ['error', 'always'] };

// The tests are TypeScript too, so n8n's config (for every *.ts) reaches them: keep its TypeScript
// and import rules there, but not the node rules, which would forbid the tests fs and timers.
const nodeOnlyRules = Object.fromEntries(
	config
		.flatMap((entry) => Object.keys(entry.rules ?? {}))
		.filter((rule) => rule.startsWith('@n8n/community-nodes/') || rule.startsWith('n8n-nodes-base/'))
		.map((rule) => [rule, 'off']),
);

export default [
	...config,
	{ ignores: ['.e2e/**', '.scan/**', '.reliability/**', 'dist-dev/**', 'coverage/**'] },
	{
		files: ['**/*.js', '**/*.cjs'],
		languageOptions: { ecmaVersion: 2023, sourceType: 'commonjs', globals: { ...nodeGlobals, ...commonJsGlobals } },
		rules: { ...js.configs.recommended.rules, ...harnessRules, strict: ['error', 'global'] },
	},
	{
		files: ['**/*.mjs'],
		languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: nodeGlobals },
		rules: { ...js.configs.recommended.rules, ...harnessRules },
	},
	{
		files: ['test/**/*.ts'],
		// The tests' disable comments are for n8n's default config (eslint.config.mjs), which `npx
		// n8n-node lint` runs on every *.ts; here those rules are off for tests anyway.
		linterOptions: { reportUnusedDisableDirectives: 'off' },
		rules: { ...nodeOnlyRules, '@typescript-eslint/no-unused-vars': unusedVars, 'no-console': 'off' },
	},
];
