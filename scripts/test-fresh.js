#!/usr/bin/env node
'use strict';
// `npm run test:fresh`: what a newcomer gets. Clones this repository (its committed HEAD) into a
// temporary folder and, there, with an empty home folder (no ~/.npmrc, so no nodedir or other
// settings this machine's npm may have; the n8n cache defaults to inside it, so it starts empty)
// and none of npm's per-run settings in the environment, runs the two commands CONTRIBUTING.md
// promises work first:
//   1. `npm start`, until the editor answers and lists the Flowella node (then stops it);
//   2. `npm test`.
// With --e2e it also runs `npm run test:e2e` there (installs the second n8n version too).
// npm's download cache is reused (`npm config get cache`); the n8n install is not. Prints the cold times.
//
//   npm run test:fresh                 npm start + npm test in a fresh clone
//   npm run test:fresh -- --e2e        … and npm run test:e2e
//   npm run test:fresh -- --keep       keep the temporary folder for a look
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { npmChildEnv } = require('../tools/n8n-installer');

const ROOT = path.resolve(__dirname, '..');
const log = (line) => process.stderr.write(`[fresh] ${line}\n`);

function spawnIn(cwd, args, env, logFile) {
	const out = fs.openSync(logFile, 'a');
	return spawn('npm', args, { cwd, env, stdio: ['ignore', out, out], detached: true });
}

function waitExit(child) {
	return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

function tail(file, lines = 40) {
	return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
}

async function runStep(name, cwd, args, env, logFile) {
	log(`${name}: npm ${args.join(' ')} (output in ${logFile})`);
	const started = Date.now();
	const code = await waitExit(spawnIn(cwd, args, env, logFile));
	const seconds = (Date.now() - started) / 1000;
	if (code !== 0) throw new Error(`${name} failed (exit ${code}) after ${seconds.toFixed(0)} s:\n${tail(logFile)}`);
	log(`${name}: passed in ${seconds.toFixed(0)} s`);
	return seconds;
}

/** Waits until the playground says it is ready, then checks the editor lists the Flowella node. */
async function startPlayground(clone, env, logFile, port) {
	log(`npm start: until the editor lists the Flowella node (output in ${logFile})`);
	const started = Date.now();
	const child = spawnIn(clone, ['start', '--', '--port', String(port), '--emulator-port', String(port + 1), '--folder', path.join(clone, '.e2e', 'playground')], env, logFile);
	let exited;
	child.on('exit', (code) => (exited = code ?? 1));
	try {
		for (;;) {
			if (exited !== undefined) throw new Error(`npm start exited (${exited}) before the editor was ready:\n${tail(logFile)}`);
			if (fs.readFileSync(logFile, 'utf8').includes('Flowella playground is running')) break;
			if (Date.now() - started > 40 * 60_000) throw new Error(`npm start was not ready after 40 minutes:\n${tail(logFile)}`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
		const { RestClient } = require(path.join(clone, 'tools', 'n8n-harness.js'));
		const rest = new RestClient(`http://127.0.0.1:${port}`);
		await rest.login({ email: 'playground@example.com', password: 'Flowella-playground-1' });
		const response = await rest.mustRequest('GET', '/types/nodes.json');
		const types = (Array.isArray(response) ? response : (response.data ?? [])).map((type) => type.name);
		if (!types.includes('n8n-nodes-flowella.flowella')) {
			throw new Error(`the editor answers but does not list n8n-nodes-flowella.flowella (${types.length} node types)`);
		}
		const seconds = (Date.now() - started) / 1000;
		log(`npm start: editor up with the Flowella node in ${seconds.toFixed(0)} s`);
		return seconds;
	} finally {
		try {
			process.kill(-Number(child.pid), 'SIGINT');
		} catch {
			// already gone
		}
		const stopped = await Promise.race([waitExit(child), new Promise((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
		if (stopped === 'timeout') {
			try {
				process.kill(-Number(child.pid), 'SIGKILL');
			} catch {
				// already gone
			}
		}
	}
}

async function main() {
	const { values } = parseArgs({ options: { e2e: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
	if (execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim()) {
		log('note: uncommitted changes are not part of the clone; it tests the committed HEAD');
	}
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flowella-fresh-'));
	const clone = path.join(work, 'n8n-nodes-flowella');
	const logs = path.join(work, 'logs');
	fs.mkdirSync(logs);
	// A shell's environment, not `npm run`'s (none of npm's per-run settings), in an empty home.
	const home = path.join(work, 'home');
	fs.mkdirSync(home);
	const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { cwd: ROOT, encoding: 'utf8' }).trim();
	/** @type {NodeJS.ProcessEnv} */
	const env = { ...npmChildEnv(), HOME: home, npm_config_cache: npmCache };
	// Both would point back at this machine's setup: its ~/.npmrc and its n8n cache.
	delete env.npm_config_userconfig;
	delete env.FLOWELLA_N8N_CACHE;
	delete env.XDG_CACHE_HOME;
	const times = {};
	let failed = false;
	try {
		execFileSync('git', ['clone', '--quiet', ROOT, clone], { stdio: 'inherit' });
		log(`cloned ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: clone, encoding: 'utf8' }).trim()} into ${clone}; empty home ${home}; npm's download cache ${npmCache}`);
		const port = 5800 + Math.floor(Math.random() * 100) * 2;
		times['npm start'] = await startPlayground(clone, env, path.join(logs, 'start.log'), port);
		times['npm test'] = await runStep('npm test', clone, ['test'], env, path.join(logs, 'test.log'));
		if (values.e2e) times['npm run test:e2e'] = await runStep('npm run test:e2e', clone, ['run', 'test:e2e'], env, path.join(logs, 'e2e.log'));
	} catch (error) {
		failed = true;
		log(error instanceof Error ? error.message : String(error));
	} finally {
		log('cold times on this machine:');
		for (const [name, seconds] of Object.entries(times)) log(`  ${name.padEnd(18)} ${(seconds / 60).toFixed(1)} min (${seconds.toFixed(0)} s)`);
		if (values.keep || failed) log(`kept ${work}`);
		else fs.rmSync(work, { recursive: true, force: true });
	}
	process.exit(failed ? 1 : 0);
}

main();
