#!/usr/bin/env node
'use strict';
// `npm run test:e2e`: installs (or reuses) the selected n8n versions, builds and packs the
// package once, then runs the end-to-end suite with Node's test runner (spec reporter).
// FLOWELLA_E2E_N8N=2.40.7,1.123.81 picks the n8n versions (default: all pinned ones);
// FLOWELLA_E2E_FILES=trigger,agent runs only the suites whose file names contain those words;
// FLOWELLA_E2E_KEEP=1 keeps the n8n user folders under .e2e/runs/ for a look.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { buildAndPack, ensureN8nWithProgress } = require('../tools/n8n-harness');
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

	const only = (process.env.FLOWELLA_E2E_FILES ?? '').split(',').filter(Boolean);
	// Every suite beside this file, in name order: a new one is picked up without touching this runner.
	const files = fs
		.readdirSync(__dirname)
		.filter((name) => name.endsWith('.e2e.test.js') && (only.length === 0 || only.some((part) => name.includes(part))))
		.sort()
		.map((name) => path.join(__dirname, name));
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

main().catch((error) => {
	log(error.stack ?? String(error));
	process.exit(1);
});
