'use strict';
// An n8n in queue mode on one machine: one main (`n8n start`), workers (`n8n worker`) and a
// webhook processor (`n8n webhook`), all on one PostgreSQL and one Redis, each process with a
// user folder of its own where the packed package is installed as a community package (as
// every container of a real deployment installs it). Executions are started through the
// webhook process and read back from n8n's database.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { N8n, freePort } = require('../n8n-harness');
const { Service, log, tcpOpen, waitFor } = require('./processes');

const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

/** The ids of the process and its descendants (n8n's task runner). */
function processTree(pid) {
	const all = [pid];
	for (let i = 0; i < all.length; i++) {
		try {
			const children = fs.readFileSync(`/proc/${all[i]}/task/${all[i]}/children`, 'utf8').trim();
			if (children) all.push(...children.split(/\s+/).map(Number));
		} catch {
			// gone
		}
	}
	return all;
}

/** Socket inodes of TCP connections to 127.0.0.1:port (from the kernel's table, not from any log). */
function socketInodesTo(port) {
	const inodes = new Set();
	const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text;
		try {
			text = fs.readFileSync(table, 'utf8');
		} catch {
			continue;
		}
		for (const line of text.split('\n').slice(1)) {
			const fields = line.trim().split(/\s+/);
			if (fields.length < 10) continue;
			if (fields[2].endsWith(`:${hexPort}`)) inodes.add(fields[9]);
		}
	}
	return inodes;
}

/** Whether a process (or one of its descendants) holds a connection to 127.0.0.1:port. */
function connectedTo(pid, port) {
	const inodes = socketInodesTo(port);
	if (!inodes.size) return false;
	for (const id of processTree(pid)) {
		let fds;
		try {
			fds = fs.readdirSync(`/proc/${id}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			try {
				const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${id}/fd/${fd}`));
				if (match && inodes.has(match[1])) return true;
			} catch {
				// closed meanwhile
			}
		}
	}
	return false;
}

class QueueCluster {
	/**
	 * @param {{ version: string, tgz: string, root: string, postgres: any, redis: any, pg?: any,
	 *   workers?: number, workerConcurrency?: number }} options
	 */
	constructor({ version, tgz, root, postgres, redis, workers = 2, workerConcurrency = 2 }) {
		this.version = version;
		this.tgz = tgz;
		this.root = root;
		this.postgres = postgres;
		this.redis = redis;
		this.workerCount = workers;
		this.workerConcurrency = workerConcurrency;
		this.encryptionKey = crypto.randomBytes(24).toString('hex');
		this.workers = [];
		this.extra = [];
		this.db = postgres.pool();
		/** @type {Record<string, any>} n8n installs by process name, made by start() */
		this.instances = {};
	}

	/** Settings every process shares: the database, Redis, the key that decrypts credentials. */
	sharedEnv() {
		return {
			...this.postgres.env(),
			...this.redis.env(),
			EXECUTIONS_MODE: 'queue',
			WEBHOOK_URL: `http://127.0.0.1:${this.webhookPort}/`,
			// The test workflows record which process ran them ($env.FLOWELLA_QUEUE_PROCESS).
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
			// A killed worker's job is noticed within seconds instead of n8n's 30–60 s defaults.
			QUEUE_WORKER_LOCK_DURATION: '20000',
			QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
			QUEUE_WORKER_STALLED_INTERVAL: '10000',
			N8N_LOG_LEVEL: 'info',
			DB_POSTGRESDB_POOL_SIZE: '4',
		};
	}

	/** Installs n8n (cached), one user folder per process with the package in it, imports, starts everything. */
	async start({ credentials, workflows }) {
		const started = Date.now();
		// n8n ids are 16 characters: two names cut to the same id would silently overwrite each other.
		for (const list of [credentials, workflows]) {
			const ids = list.map((entry) => entry.id);
			if (new Set(ids).size !== ids.length) throw new Error(`duplicate ids: ${ids.join(', ')}`);
		}
		this.webhookPort = await freePort();
		this.mainPort = await freePort();
		const names = ['main', 'webhook', ...Array.from({ length: this.workerCount }, (_, i) => `worker-${i + 1}`)];
		this.instances = {};
		for (const name of names) {
			this.instances[name] = await N8n.prepare({
				version: this.version,
				tgz: this.tgz,
				userFolder: path.join(this.root, name),
				encryptionKey: this.encryptionKey,
				env: { ...this.sharedEnv(), FLOWELLA_QUEUE_PROCESS: name },
				log,
			});
		}
		const main = this.instances.main;
		await main.importCredentials(credentials);
		await main.importWorkflows(workflows);
		await this.activate(workflows.filter((workflow) => workflow.active).map((workflow) => workflow.id));
		const activeWebhooks = workflows.filter((workflow) => workflow.active).length;

		this.main = await this.startProcess('main', ['start'], { N8N_PORT: String(this.mainPort), N8N_LISTEN_ADDRESS: '127.0.0.1' }, () =>
			this.healthy(this.mainPort),
		);
		// Main registers the active workflows' webhooks in the database; the webhook process serves them from there.
		await waitFor('main to register the active workflows\' webhooks', async () => (await this.webhookPaths()).length >= activeWebhooks, {
			service: this.main,
			timeoutMs: 120_000,
		});
		for (let i = 1; i <= this.workerCount; i++) await this.startWorker(i);
		this.webhook = await this.startProcess('webhook', ['webhook'], { N8N_PORT: String(this.webhookPort), N8N_LISTEN_ADDRESS: '127.0.0.1' }, () =>
			this.servesWebhooks(this.webhookPort),
		);
		log(`[queue] n8n ${this.version} in queue mode: main, ${this.workerCount} workers (concurrency ${this.workerConcurrency}), webhook process; ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}

	/**
	 * Marks imported workflows active, for main to activate when it starts. n8n 2.x: what
	 * `n8n publish:workflow --id=<id>` does (WorkflowRepository.publishVersion: active, and the
	 * current version as the published one), in one statement instead of one CLI start per
	 * workflow; `import:workflow --activeState=fromJson` refuses ("activate a workflow without
	 * permissions") before an owner exists. n8n 1.x: its `update:workflow --all --active=true`.
	 */
	async activate(ids) {
		if (this.version.startsWith('1.')) {
			await this.instances.main.mustCli(['update:workflow', '--all', '--active=true']);
			return;
		}
		const { rowCount } = await this.db.query(
			'UPDATE workflow_entity SET active = true, "activeVersionId" = "versionId" WHERE id = ANY($1) AND "versionId" IN (SELECT "versionId" FROM workflow_history)',
			[ids],
		);
		if (rowCount !== ids.length) throw new Error(`published ${rowCount} of ${ids.length} workflows`);
	}

	async startWorker(index) {
		const name = `worker-${index}`;
		const healthPort = await freePort();
		const worker = await this.startProcess(
			name,
			['worker', `--concurrency=${this.workerConcurrency}`],
			{ QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
			async () => (await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`, { signal: AbortSignal.timeout(2000) })).ok,
		);
		/** @type {any} */ (worker).processName = name;
		this.workers[index - 1] = worker;
		return worker;
	}

	/** Another `n8n webhook` process (with a user folder of its own), as a second one behind a load balancer. */
	async startExtraWebhook(name = 'webhook-2') {
		this.instances[name] ??= await N8n.prepare({
			version: this.version,
			tgz: this.tgz,
			userFolder: path.join(this.root, name),
			encryptionKey: this.encryptionKey,
			env: { ...this.sharedEnv(), FLOWELLA_QUEUE_PROCESS: name },
			log,
		});
		const port = await freePort();
		const service = await this.startProcess(name, ['webhook'], { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1' }, () => this.servesWebhooks(port));
		this.extra.push(service);
		return { service, port };
	}

	async startProcess(name, args, env, ready) {
		const instance = this.instances[name];
		const service = new Service(`n8n ${name}`, instance.runtime.node, [instance.runtime.n8nBin, ...args], {
			cwd: instance.userFolder,
			env: await instance.env(env),
			graceMs: 20_000,
		});
		const started = Date.now();
		await waitFor(`n8n ${name} to be ready`, ready, { service, timeoutMs: 180_000, intervalMs: 500 });
		log(`[queue] n8n ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${service.pid})`);
		return service;
	}

	async healthy(port) {
		if (!(await tcpOpen(port))) return false;
		return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
	}

	/**
	 * The webhook process answers /healthz before its webhook routes exist (a production webhook
	 * then gets the editor's HTML 404): ready once an unknown webhook gets n8n's JSON 404.
	 */
	async servesWebhooks(port) {
		if (!(await this.healthy(port))) return false;
		const response = await fetch(`http://127.0.0.1:${port}/webhook/flowella-queue-readiness-probe`, { signal: AbortSignal.timeout(2000) });
		await response.text();
		return /json/.test(response.headers.get('content-type') ?? '');
	}

	/** Rows of webhook_entity: { workflowId, webhookPath, method }. */
	async webhookPaths() {
		const { rows } = await this.db.query('SELECT "workflowId", "webhookPath", method FROM webhook_entity');
		return rows;
	}

	/** The production URL of a workflow's webhook, on the webhook process. */
	async webhookUrl(workflowId) {
		const row = (await this.webhookPaths()).find((entry) => entry.workflowId === workflowId);
		if (!row) throw new Error(`workflow ${workflowId} has no registered webhook`);
		return `http://127.0.0.1:${this.webhookPort}/webhook/${row.webhookPath}`;
	}

	/** Executions of the given workflows: { id, workflowId, status, mode, startedAt, stoppedAt, retryOf }. */
	async executions(workflowIds) {
		const { rows } = await this.db.query(
			'SELECT id, "workflowId", status, mode, "startedAt", "stoppedAt", "retryOf", finished FROM execution_entity WHERE "workflowId" = ANY($1) ORDER BY id',
			[workflowIds],
		);
		return rows;
	}

	/** Waits until `count` executions of these workflows exist and are all finished (any status). */
	async waitForExecutions(workflowIds, count, { timeoutMs = 600_000, settleMs = 0 } = {}) {
		let rows;
		await waitFor(
			`${count} finished executions of ${workflowIds.join(', ')}`,
			async () => {
				rows = await this.executions(workflowIds);
				return rows.length >= count && rows.every((row) => FINISHED.has(row.status));
			},
			{ timeoutMs, intervalMs: 500 },
		);
		if (settleMs) {
			await new Promise((resolve) => setTimeout(resolve, settleMs));
			rows = await this.executions(workflowIds);
		}
		return rows;
	}

	/** The run data of one execution (n8n stores it in its "flatted" format). */
	async runData(executionId, flatted) {
		const { rows } = await this.db.query('SELECT data FROM execution_data WHERE "executionId" = $1', [String(executionId)]);
		if (!rows.length) return undefined;
		return flatted.parse(rows[0].data);
	}

	/** The worker that holds a connection to this port right now (the one running a request to the emulator). */
	workerConnectedTo(port) {
		return this.workers.find((worker) => worker?.running && connectedTo(worker.pid, port));
	}

	async stop() {
		const all = [...this.extra, this.webhook, ...this.workers, this.main].filter(Boolean);
		await Promise.all(all.map((service) => service.stop()));
		await this.db.end().catch(() => undefined);
	}
}

module.exports = { QueueCluster, connectedTo, FINISHED };
