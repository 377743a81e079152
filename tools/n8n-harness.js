'use strict';
// Drives a real n8n from Node: packs this package, installs the tarball as a community package
// into a fresh user folder, imports credentials and workflows with the n8n CLI, executes
// workflows and parses their run data, and starts the editor and talks to its REST API.
// Used by the end-to-end suite (e2e/) and by `npm start` (scripts/start.js).
// Why each step is done this way: the comments beside it. Every child process is spawned asynchronously
// with stdin closed, so an emulator in this process keeps answering n8n's requests.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const { ensureN8n, DEFAULT_VERSION } = require('./n8n-installer');
const { pack } = require('./pack');

const ROOT = path.resolve(__dirname, '..');
const PACKAGE_NAME = require(path.join(ROOT, 'package.json')).name;
const NODE_TYPE = `${PACKAGE_NAME}.flowella`;
const CREDENTIAL_TYPE = 'flowellaApi';

/** @type {(line: string) => void} */
const defaultLog = (line) => void process.stderr.write(`${line}\n`);

// Ports handed out by freePort in this process: the OS may offer a just-closed port again, and
// an n8n whose editor and task broker get the same port answers the editor's requests with the
// broker's 404s.
const handedOut = new Set();

/** @returns {Promise<number>} */
function probePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {net.AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

/** A port nobody listens on right now (the OS picks it), never the same one twice. */
async function freePort() {
	for (;;) {
		const port = await probePort();
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
}

/** Whether `port` can be listened on, on every interface n8n might bind. */
function portIsFree(port, host) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen(port, host, () => server.close(() => resolve(true)));
	});
}

// Child processes still running; killed (with their process groups) when this process exits,
// so an interrupted run leaves no n8n behind.
const liveChildren = new Set();
function killGroup(child, signal) {
	try {
		if (child.pid && process.platform !== 'win32') process.kill(-child.pid, signal);
		else child.kill(signal);
	} catch {
		// already gone
	}
}
process.on('exit', () => {
	for (const child of liveChildren) killGroup(child, 'SIGKILL');
});
/** For test processes: on SIGINT/SIGTERM kill every child n8n first, then die of the signal. */
function killChildrenOnSignals() {
	for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.once(name, () => {
			for (const child of liveChildren) killGroup(child, 'SIGKILL');
			process.kill(process.pid, name);
		});
	}
}
function track(child) {
	liveChildren.add(child);
	child.on('exit', () => liveChildren.delete(child));
	return child;
}

/**
 * Runs a command to completion without blocking the event loop.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number, echo?: (chunk: string) => void }} [options]
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string, ms: number }>}
 */
function runCommand(command, args, { cwd = ROOT, env = process.env, timeoutMs = 10 * 60_000, echo } = {}) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = track(
			spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' }),
		);
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk) => {
			stdout += chunk;
			if (echo) echo(chunk);
		});
		child.stderr.setEncoding('utf8').on('data', (chunk) => {
			stderr += chunk;
			if (echo) echo(chunk);
		});
		const timer = setTimeout(() => {
			killGroup(child, 'SIGKILL');
			reject(new Error(`${path.basename(command)} ${args.join(' ')} took longer than ${timeoutMs} ms\n${stdout}\n${stderr}`));
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
		});
	});
}

/** runCommand, throwing unless the command exits 0. @param {string} command @param {string[]} args @param {Parameters<typeof runCommand>[2]} [options] */
async function mustRun(command, args, options) {
	const result = await runCommand(command, args, options);
	if (result.code !== 0) {
		throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
	}
	return result;
}

/** Builds and packs the package (tools/pack.js, which checks the file list); returns the tarball's path. */
async function buildAndPack({ outDir = path.join(ROOT, '.e2e', 'pack'), log = defaultLog, build = true } = {}) {
	const { tgz } = await pack({ outDir, log, skipBuild: !build });
	return tgz;
}

/**
 * Installs the tarball the way n8n installs a community package: into
 * `<userFolder>/.n8n/nodes/node_modules`, without peer dependencies (n8n-workflow comes from n8n).
 */
async function installCommunityPackage(userFolder, tgz, { log = defaultLog } = {}) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) {
		fs.writeFileSync(manifest, `${JSON.stringify({ name: 'installed-nodes', private: true }, null, 2)}\n`);
	}
	const started = Date.now();
	await mustRun(
		'npm',
		// --prefer-offline: npm still resolves the peer n8n-workflow's metadata; the cached copy does.
		['install', '--omit=peer', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tgz],
		{ cwd: nodesDir },
	);
	const installed = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	if (!fs.existsSync(path.join(installed, 'package.json'))) throw new Error(`${PACKAGE_NAME} did not land in ${installed}`);
	if (fs.existsSync(path.join(installed, 'node_modules', 'n8n-workflow'))) {
		throw new Error(`a second n8n-workflow was installed under ${installed}; peer dependencies must be omitted`);
	}
	log(`[n8n] installed ${path.basename(tgz)} as a community package in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return installed;
}

/** The JSON document `n8n execute --rawOutput` prints: from a line `{` to the first line exactly `}`. */
function parseExecuteOutput(stdout) {
	const lines = stdout.split(/\r?\n/);
	const start = lines.indexOf('{');
	if (start < 0) return undefined;
	const end = lines.indexOf('}', start);
	if (end < 0) return undefined;
	return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

/** The messages of n8n's log lines in JSON format (N8N_LOG_FORMAT=json); other lines are skipped. */
function logMessages(output) {
	const messages = [];
	for (const line of output.split(/\r?\n/)) {
		if (!line.startsWith('{')) continue;
		try {
			const entry = JSON.parse(line);
			if (typeof entry.message === 'string') messages.push(entry.message);
		} catch {
			// not a log entry
		}
	}
	return messages;
}

/** Items of one node's outputs in a parsed execution: `[output0Items, output1Items, ...]` of `json` objects. */
function nodeOutputs(execution, nodeName, run = 0) {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	if (!runs || !runs[run]) return undefined;
	const main = runs[run].data?.main ?? [];
	return main.map((items) => (items ?? []).map((item) => item.json));
}

/**
 * ensureN8n with a heartbeat: a cold install takes minutes with little output, so say every
 * 30 s that it is still going.
 */
async function ensureN8nWithProgress(version, log = defaultLog) {
	const started = Date.now();
	const timer = setInterval(() => {
		log(`[n8n] still installing n8n@${version}… ${Math.round((Date.now() - started) / 1000)} s (about 5–12 min the first time)`);
	}, 30_000);
	try {
		return await ensureN8n(version, log);
	} finally {
		clearInterval(timer);
	}
}

class N8n {
	/**
	 * @param {{ version: string, runtime: { node: string, n8nBin: string, dir: string }, userFolder: string,
	 *   encryptionKey?: string, env?: Record<string, string>, log?: (line: string) => void }} options
	 */
	constructor({ version, runtime, userFolder, encryptionKey, env = {}, log = defaultLog }) {
		this.version = version;
		this.runtime = runtime;
		this.userFolder = userFolder;
		this.encryptionKey = encryptionKey ?? crypto.randomBytes(24).toString('hex');
		this.extraEnv = env;
		this.log = log;
		this.timings = [];
	}

	/**
	 * Installs or reuses n8n `version`, creates the user folder and installs the package there.
	 * @param {{ version?: string, tgz?: string, userFolder: string, encryptionKey?: string,
	 *   env?: Record<string, string>, log?: (line: string) => void }} options
	 */
	static async prepare({ version = DEFAULT_VERSION, tgz, userFolder, encryptionKey, env, log = defaultLog }) {
		const runtime = await ensureN8nWithProgress(version, log);
		fs.mkdirSync(userFolder, { recursive: true });
		if (tgz) await installCommunityPackage(userFolder, tgz, { log });
		return new N8n({ version, runtime, userFolder, encryptionKey, env, log });
	}

	/** Environment for one n8n process, with its own task broker port. */
	async env(extra = {}) {
		return {
			...process.env,
			N8N_USER_FOLDER: this.userFolder,
			DB_TYPE: 'sqlite',
			N8N_ENCRYPTION_KEY: this.encryptionKey,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			NODE_OPTIONS: '',
			...this.extraEnv,
			...extra,
		};
	}

	/**
	 * Runs `n8n <args>` to completion.
	 * @param {string[]} args
	 * @param {{ timeoutMs?: number, env?: Record<string, string> }} [options]
	 */
	async cli(args, { timeoutMs = 5 * 60_000, env } = {}) {
		const result = await runCommand(this.runtime.node, [this.runtime.n8nBin, ...args], {
			cwd: this.userFolder,
			env: await this.env(env),
			timeoutMs,
		});
		this.timings.push({ command: args[0], ms: result.ms });
		return result;
	}

	/** @param {string[]} args @param {Parameters<N8n['cli']>[1]} [options] */
	async mustCli(args, options) {
		const result = await this.cli(args, options);
		if (result.code !== 0) {
			throw new Error(`n8n ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
		}
		return result;
	}

	writeJson(name, value) {
		const file = path.join(this.userFolder, name);
		fs.writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}

	/** `[{ id, name, type, data }]`, plain data; n8n encrypts it. */
	async importCredentials(credentials) {
		const file = this.writeJson('import-credentials.json', credentials);
		return this.mustCli(['import:credentials', `--input=${file}`]);
	}

	/** An array of workflows with fixed 16-character ids. */
	async importWorkflows(workflows) {
		const file = this.writeJson('import-workflows.json', workflows);
		return this.mustCli(['import:workflow', `--input=${file}`]);
	}

	/**
	 * `n8n execute --id=<id> --rawOutput`.
	 * @param {string} workflowId
	 * @param {{ timeoutMs?: number, countNodeRuns?: boolean }} [options]
	 * @returns {Promise<{ code: number | null, signal: string | null, execution: any, stdout: string, stderr: string, ms: number, nodeRuns?: (name: string) => number }>}
	 */
	async execute(workflowId, { timeoutMs = 3 * 60_000, countNodeRuns = false } = {}) {
		// At debug level n8n logs `Running node "<name>" started` once per try of its Retry On
		// Fail loop: the only outside count of how often n8n ran a node (run data keeps one entry).
		// In JSON format every console line is one log entry, the run data among them.
		const env = countNodeRuns ? { N8N_LOG_LEVEL: 'debug', N8N_LOG_FORMAT: 'json' } : undefined;
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], { timeoutMs, env });
		if (countNodeRuns) {
			const messages = logMessages(result.stdout + result.stderr);
			const nodeRuns = (name) => messages.filter((message) => message === `Running node "${name}" started`).length;
			const printed = messages.find((message) => message.startsWith('{') && message.includes('"resultData"'));
			return { ...result, execution: printed && JSON.parse(printed), nodeRuns };
		}
		let execution;
		try {
			execution = parseExecuteOutput(result.stdout);
		} catch (error) {
			throw new Error(`could not parse the run data of workflow ${workflowId}: ${error instanceof Error ? error.message : error}\n${result.stdout}`);
		}
		if (!execution) {
			throw new Error(`n8n execute --id=${workflowId} printed no run data (exit ${result.code})\n${result.stdout}\n${result.stderr}`);
		}
		return { ...result, execution };
	}

	/**
	 * Starts the editor (`n8n start`) and resolves once it answers /healthz and the REST API.
	 * @param {{ port?: number, host?: string, env?: Record<string, string>, echo?: (chunk: string) => void, timeoutMs?: number }} [options]
	 * @returns {Promise<N8nServer>}
	 */
	async start({ port, host = '127.0.0.1', env = {}, echo, timeoutMs = 3 * 60_000 } = {}) {
		const listenPort = port ?? (await freePort());
		const started = Date.now();
		const child = track(spawn(this.runtime.node, [this.runtime.n8nBin, 'start'], {
			cwd: this.userFolder,
			env: await this.env({
				N8N_PORT: String(listenPort),
				N8N_LISTEN_ADDRESS: host,
				N8N_HOST: 'localhost',
				N8N_EDITOR_BASE_URL: `http://localhost:${listenPort}/`,
				N8N_SECURE_COOKIE: 'false',
				...env,
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: process.platform !== 'win32',
		}));
		const server = new N8nServer(child, `http://localhost:${listenPort}`, echo);
		try {
			await server.waitUntilReady(timeoutMs);
		} catch (error) {
			await server.stop();
			throw error;
		}
		this.timings.push({ command: 'start', ms: Date.now() - started });
		return server;
	}
}

class N8nServer {
	constructor(child, url, echo) {
		this.child = child;
		this.url = url;
		this.output = '';
		this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
		const collect = (chunk) => {
			this.output += chunk;
			if (this.output.length > 2_000_000) this.output = this.output.slice(-1_000_000);
			if (echo) echo(chunk);
		};
		child.stdout.setEncoding('utf8').on('data', collect);
		child.stderr.setEncoding('utf8').on('data', collect);
	}

	/**
	 * Whether the REST API answers with its JSON and the editor serves its page. n8n 2.x listens
	 * before its routes exist: while it checks its migrations every path answers 200 "n8n is
	 * starting up. Please wait", then 404 "Cannot GET" until the REST routes are added (a fresh
	 * clone's first `npm start` met that 404), and the editor's page comes last of all (a sign-in
	 * page opened in that window shows "Cannot GET /signin" and never a form).
	 */
	async isReady() {
		const settings = await fetch(`${this.url}/rest/settings`, { signal: AbortSignal.timeout(5000) });
		if (!settings.ok) return false;
		try {
			const body = /** @type {{ data?: unknown }} */ (await settings.json());
			if (typeof body?.data !== 'object') return false;
		} catch {
			return false;
		}
		const page = await fetch(`${this.url}/signin`, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(5000) });
		return page.ok && (await page.text()).includes('id="app"');
	}

	async waitUntilReady(timeoutMs) {
		const deadline = Date.now() + timeoutMs;
		let exited = false;
		this.exited.then(() => {
			exited = true;
		});
		while (Date.now() < deadline) {
			if (exited) throw new Error(`n8n exited before it was ready\n${this.output}`);
			try {
				const health = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
				if (health.ok && (await this.isReady())) return;
			} catch {
				// not listening yet
			}
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(`n8n did not answer ${this.url}/healthz within ${timeoutMs} ms\n${this.output}`);
	}

	/** SIGTERM to n8n's process group (n8n and its task runner), SIGKILL after a grace period. */
	async stop(graceMs = 15_000) {
		if (this.child.exitCode !== null || this.child.signalCode !== null) return;
		const signal = (name) => killGroup(this.child, name);
		signal('SIGTERM');
		const timer = setTimeout(() => signal('SIGKILL'), graceMs);
		await this.exited;
		clearTimeout(timer);
	}

	rest() {
		return new RestClient(this.url);
	}
}

/** A signed-in session against n8n's internal REST API (/rest), as the editor uses it. */
class RestClient {
	constructor(baseUrl) {
		this.baseUrl = baseUrl;
		this.cookies = new Map();
		// Auth cookies are bound to the browser-id header the editor sends with every request.
		this.browserId = crypto.randomUUID();
	}

	async request(method, urlPath, body) {
		const headers = { accept: 'application/json', 'browser-id': this.browserId };
		if (body !== undefined) headers['content-type'] = 'application/json';
		if (this.cookies.size) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
		const response = await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		for (const line of response.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const index = pair.indexOf('=');
			this.cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
		}
		const text = await response.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: response.status, json, text };
	}

	async mustRequest(method, urlPath, body) {
		const response = await this.request(method, urlPath, body);
		if (response.status < 200 || response.status >= 300) {
			throw new Error(`${method} ${urlPath} answered ${response.status}: ${response.text.slice(0, 500)}`);
		}
		return response.json?.data ?? response.json;
	}

	/** Creates the instance owner (first start only) and signs in as it. */
	async setupOwner({ email, password, firstName = 'Flowella', lastName = 'Playground' }) {
		const settings = await this.mustRequest('GET', '/rest/settings');
		const needsSetup = settings?.userManagement?.showSetupOnFirstLoad !== false;
		if (needsSetup) {
			const response = await this.request('POST', '/rest/owner/setup', { email, password, firstName, lastName });
			if (response.status >= 300 && !/already/i.test(response.text)) {
				throw new Error(`POST /rest/owner/setup answered ${response.status}: ${response.text.slice(0, 500)}`);
			}
		}
		return this.login({ email, password });
	}

	async login({ email, password }) {
		return this.mustRequest('POST', '/rest/login', { emailOrLdapLoginId: email, password });
	}

	/** The editor's "Test" button: `{ status: 'OK' | 'Error', message }`. */
	async testCredential(credential) {
		return this.mustRequest('POST', '/rest/credentials/test', { credentials: credential });
	}
}

module.exports = {
	ROOT,
	PACKAGE_NAME,
	NODE_TYPE,
	CREDENTIAL_TYPE,
	N8n,
	RestClient,
	buildAndPack,
	parseExecuteOutput,
	nodeOutputs,
	freePort,
	portIsFree,
	runCommand,
	killChildrenOnSignals,
	ensureN8nWithProgress,
};
