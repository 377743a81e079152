#!/usr/bin/env node
'use strict';
// `npm run test:e2e`: installs (or reuses) the selected n8n versions, builds and packs the
// package once, then runs the end-to-end suite with Node's test runner (spec reporter).
// FLOWELLA_E2E_N8N=2.40.7,1.123.81 picks the n8n versions (default: all pinned ones);
// FLOWELLA_E2E_KEEP=1 keeps the n8n user folders under .e2e/runs/ for a look.
const { spawn } = require('node:child_process');
const path = require('node:path');

const { buildAndPack, ensureN8nWithProgress } = require('../scripts/n8n-harness');
const { selectedVersions } = require('./lib/context');

const log = (line) => process.stderr.write(`${line}\n`);

async function main() {
	const started = Date.now();
	const versions = selectedVersions();
	log(`[e2e] n8n versions: ${versions.join(', ')}`);
	// Installs run one after the other: each takes minutes and gigabytes; a warm cache is instant.
	for (const version of versions) await ensureN8nWithProgress(version, log);
	const tgz = await buildAndPack({ log });
	log(`[e2e] ready in ${((Date.now() - started) / 1000).toFixed(1)} s; running the suite`);

	const files = [path.join(__dirname, 'flowella.e2e.test.js'), ...extraSuites()];
	const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
		stdio: ['ignore', 'inherit', 'inherit'],
		env: { ...process.env, FLOWELLA_E2E_TGZ: tgz, FLOWELLA_E2E_N8N: versions.join(',') },
	});
	const forward = (signal) => child.kill(signal);
	process.on('SIGINT', forward);
	process.on('SIGTERM', forward);
	child.on('exit', (code, signal) => {
		log(`[e2e] total wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
		process.exit(code ?? (signal ? 1 : 0));
	});
}

/** The editor tour needs Chromium; without it that suite reports itself skipped. */
function extraSuites() {
	return [path.join(__dirname, 'editor.e2e.test.js')].filter((file) => require('node:fs').existsSync(file));
}

main().catch((error) => {
	log(error.stack ?? String(error));
	process.exit(1);
});
