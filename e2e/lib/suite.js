'use strict';
// One e2e file's set-up, shared by every suite: for each selected n8n version a describe with its
// own user folder (the packed package installed as a community package), its own emulators, and
// the credentials and workflows the file declares, imported once. `whenRun` is "execute this workflow, then the workflow succeeds" followed by the file's
// own checks on that run. (E2eSuite is exported for its type.)
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { describe, it, before, after } = require('node:test');

const { startChatModel } = require('../../emulator/chat-model');
const { startEmulator } = require('../../emulator/server');
const { N8n, killChildrenOnSignals } = require('../../tools/n8n-harness');
const { workflowId } = require('../../tools/workflows');
const { selectedVersions, packageTarball, freshUserFolder, keepFolders } = require('./context');

/** @typedef {import('../../emulator/server').FlowellaEmulator} FlowellaEmulator */
/** @typedef {import('../../emulator/server').EmulatorOptions} EmulatorOptions */
/** @typedef {import('../../emulator/chat-model').ChatModelStandIn} ChatModelStandIn */
/** @typedef {{ id: string, name: string, type: string, data: Record<string, string | boolean> }} CredentialImport */
/** @typedef {Awaited<ReturnType<N8n['execute']>>} Run */

const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);

/** The run's error (a failed node or workflow), or undefined when it succeeded. */
function runError(/** @type {Run} */ run) {
	return run.execution.data.resultData.error;
}

/** `n8n execute` exited 0 and the run data has no error. */
function assertSucceeded(/** @type {Run} */ run) {
	assert.equal(run.code, 0, run.stdout + run.stderr);
	assert.equal(runError(run), undefined);
}

class E2eSuite {
	/** @param {string} version */
	constructor(version) {
		this.version = version;
		/** @type {N8n | undefined} */
		this.prepared = undefined;
		/** @type {string | undefined} */
		this.userFolder = undefined;
		/** @type {Record<string, FlowellaEmulator>} */
		this.emulators = {};
		/** @type {Record<string, ChatModelStandIn>} */
		this.chatModels = {};
		/** @type {Record<string, CredentialImport>} */
		this.credentials = {};
		/** @type {Record<string, any>} */
		this.workflows = {};
		/** Extra workflows to import as they are (the shipped examples). @type {any[]} */
		this.extraWorkflows = [];
		/** Run at tear-down before the emulators close (other stand-ins, reports). @type {(() => unknown)[]} */
		this.tearDowns = [];
		// Until the set-up finishes, and after any failed test: keeps the user folder for a look.
		this.failed = false;
	}

	/** The prepared n8n (set up in `before`). */
	get n8n() {
		if (!this.prepared) throw new Error('n8n is not prepared yet: use it inside a test or a before hook');
		return this.prepared;
	}

	/** Starts an emulator on 127.0.0.1, closed after the file. */
	async emulator(/** @type {string} */ name, /** @type {EmulatorOptions} */ options) {
		this.emulators[name] = await startEmulator(options);
		return this.emulators[name];
	}

	/** Starts the OpenAI chat model stand-in on 127.0.0.1, closed after the file. */
	async chatModel(/** @type {string} */ name, /** @type {Parameters<typeof startChatModel>[0]} */ options) {
		this.chatModels[name] = await startChatModel(options);
		return this.chatModels[name];
	}

	/** A Flowella API credential for `emulator`, imported into n8n before the tests. */
	credential(
		/** @type {string} */ name,
		/** @type {string} */ label,
		/** @type {FlowellaEmulator} */ emulator,
		/** @type {string} */ apiKey,
		id = workflowId(`cred${name}`),
	) {
		this.credentials[name] = { id, name: label, type: 'flowellaApi', data: { apiKey, baseUrl: emulator.url } };
		return this.credentials[name];
	}

	/** `fn` runs at tear-down, whether or not the set-up finished. */
	onTearDown(/** @type {() => unknown} */ fn) {
		this.tearDowns.push(fn);
	}

	/** @param {(suite: E2eSuite) => Promise<void>} declare adds emulators, credentials and workflows */
	async setUp(declare) {
		this.failed = true;
		const tgz = await packageTarball(log);
		await declare(this);
		this.userFolder = freshUserFolder(this.version);
		log(`[e2e] n8n ${this.version}: user folder ${this.userFolder}`);
		this.prepared = await N8n.prepare({ version: this.version, tgz, userFolder: this.userFolder, log });
		const credentials = Object.values(this.credentials);
		if (credentials.length) await this.prepared.importCredentials(credentials);
		const workflows = [...Object.values(this.workflows), ...this.extraWorkflows];
		if (workflows.length) await this.prepared.importWorkflows(workflows);
		this.failed = false;
	}

	async tearDown() {
		for (const fn of this.tearDowns) await fn();
		await Promise.all([...Object.values(this.emulators), ...Object.values(this.chatModels)].map((standIn) => standIn.close()));
		const timings = this.prepared?.timings ?? [];
		if (timings.length) log(`[e2e] n8n ${this.version} process timings: ${timings.map((t) => `${t.command} ${(t.ms / 1000).toFixed(1)}s`).join(', ')}`);
		if (this.userFolder && !this.failed && !keepFolders()) fs.rmSync(this.userFolder, { recursive: true, force: true });
	}

	/** it(), remembering a failure so the user folder is kept. */
	test(/** @type {string} */ name, /** @type {(t: import('node:test').TestContext) => unknown} */ fn, /** @type {import('node:test').TestOptions} */ options = {}) {
		return it(name, options, async (t) => {
			try {
				await fn(t);
			} catch (error) {
				this.failed = true;
				throw error;
			}
		});
	}

	/**
	 * describe(title): executes workflow `key` once before its tests; unless `fails`, the first
	 * test is "the workflow succeeds". `body(run)` adds the checks; `run()` is that execution.
	 * @param {string} title
	 * @param {string} key a name in `workflows`
	 * @param {(run: () => Run) => void} body
	 * @param {{ fails?: boolean, countNodeRuns?: boolean }} [options]
	 */
	whenRun(title, key, body, { fails = false, countNodeRuns = false } = {}) {
		describe(title, () => {
			/** @type {Run | undefined} */
			let run;
			before(async () => {
				run = await this.n8n.execute(this.workflows[key].id, { countNodeRuns });
			});
			const current = () => {
				if (!run) throw new Error(`${key} did not run`);
				return run;
			};
			if (fails) this.test('the run fails', () => assert.notEqual(current().code, 0, 'n8n execute exited 0'));
			else this.test('the workflow succeeds', () => assertSucceeded(current()));
			body(current);
		});
	}
}

/**
 * For each selected n8n version: describe(`n8n <version>: <title>`) with its own n8n, set up by
 * `declare` before the tests that `body` adds.
 * @param {string} title
 * @param {(suite: E2eSuite) => Promise<void>} declare
 * @param {(suite: E2eSuite) => void} body
 */
function describeInN8n(title, declare, body) {
	killChildrenOnSignals();
	for (const version of selectedVersions()) {
		describe(`n8n ${version}: ${title}`, { timeout: 15 * 60_000 }, () => {
			const suite = new E2eSuite(version);
			before(() => suite.setUp(declare));
			after(() => suite.tearDown());
			body(suite);
		});
	}
}

module.exports = { E2eSuite, describeInN8n, assertSucceeded, runError, log };
