'use strict';
// Long-running child processes (PostgreSQL, Redis, n8n main/worker/webhook) and the clean-up
// that stops them all and removes their folders: on success, on failure, on Ctrl-C.
// Each child gets a process group of its own (so n8n's task runner goes with it) and its output
// is kept in memory, tail only, for error messages.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const log = (line) => process.stderr.write(`${line}\n`);

/** Clean-ups, run last-in first-out by cleanUp(); each at most once. */
const cleanups = [];
const live = new Set();

function onCleanUp(name, fn) {
	const entry = { name, fn, done: false };
	cleanups.push(entry);
	return entry;
}

function killGroup(child, signal) {
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}

let cleaning;
/** Stops every service started here (newest first) and removes their folders. */
function cleanUp() {
	cleaning ??= (async () => {
		while (cleanups.length) {
			const entry = cleanups.pop();
			if (entry.done) continue;
			entry.done = true;
			try {
				await entry.fn();
			} catch (error) {
				log(`[queue] clean-up of ${entry.name} failed: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
	})();
	return cleaning;
}

// Last resort when the process exits without cleanUp() (an uncaught error): no orphan keeps a port.
process.on('exit', () => {
	for (const child of live) killGroup(child, 'SIGKILL');
	for (const entry of cleanups) if (!entry.done && entry.sync) entry.sync();
});

/** Ctrl-C / SIGTERM: clean up (services stopped, folders removed), then die of the signal. */
function cleanUpOnSignals() {
	for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.once(name, () => {
			log(`[queue] ${name}: stopping everything`);
			const timer = setTimeout(() => process.kill(process.pid, 'SIGKILL'), 30_000);
			cleanUp().finally(() => {
				clearTimeout(timer);
				process.kill(process.pid, name);
			});
		});
	}
}

/** A temporary folder removed at clean-up (also synchronously at exit, as the last resort). */
function tempDir(prefix) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	const remove = () => fs.rmSync(dir, { recursive: true, force: true });
	const entry = onCleanUp(`folder ${dir}`, remove);
	entry.sync = remove;
	return dir;
}

class Service {
	/**
	 * @param {string} name for messages
	 * @param {string} command
	 * @param {string[]} args
	 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, stopSignal?: NodeJS.Signals, graceMs?: number, keepOutput?: number }} options
	 */
	constructor(name, command, args, { cwd, env = process.env, stopSignal = 'SIGTERM', graceMs = 15_000, keepOutput = 200_000 } = {}) {
		this.name = name;
		this.stopSignal = stopSignal;
		this.graceMs = graceMs;
		this.output = '';
		this.child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		this.pid = this.child.pid;
		live.add(this.child);
		this.exited = new Promise((resolve) =>
			this.child.on('exit', (code, signal) => {
				live.delete(this.child);
				resolve({ code, signal });
			}),
		);
		this.child.on('error', (error) => {
			this.output += `\n[spawn error] ${error.message}`;
		});
		const collect = (chunk) => {
			this.output += chunk;
			if (this.output.length > keepOutput) this.output = this.output.slice(-keepOutput / 2);
		};
		this.child.stdout.setEncoding('utf8').on('data', collect);
		this.child.stderr.setEncoding('utf8').on('data', collect);
		this.cleanup = onCleanUp(name, () => this.stop());
	}

	get running() {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	/** The stop signal to the process group, SIGKILL after the grace period. */
	async stop() {
		this.cleanup.done = true;
		if (!this.running) return this.exited;
		killGroup(this.child, this.stopSignal);
		const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), this.graceMs);
		const result = await this.exited;
		clearTimeout(timer);
		return result;
	}

	/** SIGKILL to the whole group at once, as a machine that dies would. */
	async kill() {
		this.cleanup.done = true;
		killGroup(this.child, 'SIGKILL');
		return this.exited;
	}

	tail(chars = 4000) {
		return this.output.slice(-chars);
	}
}

/**
 * Polls `check` (truthy = done) until it is, the service exits, or the time runs out.
 * @param {string} what
 * @param {() => unknown} check
 * @param {{ timeoutMs?: number, intervalMs?: number, service?: Service }} [options]
 * @returns {Promise<any>} what `check` answered
 */
async function waitFor(what, check, { timeoutMs = 120_000, intervalMs = 250, service } = {}) {
	const deadline = Date.now() + timeoutMs;
	/** @type {any} */
	let lastError;
	while (Date.now() < deadline) {
		if (service && !service.running) throw new Error(`${service.name} exited before ${what}\n${service.tail()}`);
		try {
			const value = await check();
			if (value) return value;
		} catch (error) {
			lastError = error;
		}
		await sleep(intervalMs);
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}${service ? `\n${service.tail()}` : ''}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function tcpOpen(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.setTimeout(1000);
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
	});
}

/** Debian packages: installs `pkg` with apt-get when `present()` is false (CI machines start bare). */
function aptInstall(pkg, present) {
	if (present()) return;
	if (process.getuid?.() !== 0) throw new Error(`${pkg} is not installed and this is not root: run \`sudo apt-get install -y ${pkg}\``);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	log(`[queue] installing ${pkg} with apt-get`);
	let result = spawnSync('apt-get', ['install', '-y', '-q', pkg], { env, stdio: ['ignore', 'inherit', 'inherit'] });
	if (result.status !== 0) {
		spawnSync('apt-get', ['update', '-q'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
		result = spawnSync('apt-get', ['install', '-y', '-q', pkg], { env, stdio: ['ignore', 'inherit', 'inherit'] });
	}
	if (result.status !== 0 || !present()) throw new Error(`apt-get install ${pkg} failed`);
}

module.exports = { Service, onCleanUp, cleanUp, cleanUpOnSignals, tempDir, waitFor, sleep, tcpOpen, aptInstall, log };
