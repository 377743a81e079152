'use strict';
// Scenarios 1 and 2: Contact → Create or Update syncs running on workers against Flowella's
// per-organisation rate limit (the emulator's token bucket).
//  1. one sync on one worker: every row upserted once, at ≥ 0.9 of the limit;
//  2. four syncs started at once, two per worker, sharing one organisation's limit: every row
//     upserted exactly once; combined throughput, 429s and extra requests measured (the two
//     syncs on a worker share one pacer; between the workers only the 429s tell one about the other).
const { startEmulator } = require('../../emulator/server');
const { workflowId } = require('../workflows');
const { countBy, processesOf, upsertFigures } = require('./measure');
const { contactRows, syncWorkflow } = require('./workflows');

const KEY = 'flo_queue_sync_key_0123456789';
const CONTACTS = '/api/v1/contacts';
const LATENCY_MS = 10;

function credential(name, emulator) {
	return { id: workflowId(`queueCred${name}`), name: `Flowella (queue ${name})`, type: 'flowellaApi', data: { apiKey: KEY, baseUrl: emulator.url } };
}

function limitOf(sizes) {
	return { ratePerSec: sizes.syncRate, burst: sizes.syncBurst, retryAfter: 'seconds' };
}

async function post(url, body) {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body ?? {}),
		signal: AbortSignal.timeout(30_000),
	});
	await response.text();
	if (!response.ok) throw new Error(`POST ${url} answered ${response.status}`);
}

const oneSync = {
	key: 'sync',
	title: 'Scenario 1: one Create or Update sync on a worker, against the rate limit',
	async setup({ sizes }) {
		this.limit = limitOf(sizes);
		this.emulator = await startEmulator({ apiKeys: [KEY], latencyMs: LATENCY_MS });
		this.credential = credential('sync', this.emulator);
		this.rows = contactRows('6001', sizes.syncRows);
		this.workflow = syncWorkflow({ name: 'sync one', path: 'flowella-queue-sync-one', rows: this.rows, credential: this.credential });
		return { credentials: [this.credential], workflows: [this.workflow], close: () => this.emulator.close() };
	},
	async run({ cluster, flatted }) {
		// The bucket starts full at the moment the sync is started.
		this.emulator.configure({ rateLimit: this.limit });
		await post(await cluster.webhookUrl(this.workflow.id), { sync: 'one' });
		const idealMs = (this.rows.length / this.limit.ratePerSec) * 1000;
		const executions = await cluster.waitForExecutions([this.workflow.id], 1, { timeoutMs: Math.max(600_000, 3 * idealMs) });
		const processes = await processesOf(cluster, executions, flatted);
		const figures = upsertFigures(this.emulator.requestsTo('POST', CONTACTS), this.rows.map((row) => row.phone), this.limit);
		const result = {
			limit: this.limit,
			latencyMs: LATENCY_MS,
			executions: executions.map((execution) => ({ id: execution.id, status: execution.status, process: processes[execution.id] })),
			...figures,
		};
		const checks = [
			{ name: 'one execution, status success', ok: executions.length === 1 && executions[0].status === 'success', hard: true },
			{ name: 'it ran on a worker', ok: /^worker-/.test(processes[executions[0].id] ?? ''), hard: true },
			{ name: 'every row upserted exactly once', ok: figures.upsertedOnce === figures.rows, hard: true },
			{ name: '≥ 0.9 of the limit', ok: figures.fractionOfLimit >= 0.9, hard: true },
		];
		return { result, checks };
	},
};

/**
 * Four syncs started at once, two per worker, on one organisation's limit. With `capped`, each
 * Flowella node has Options → Max Requests Per Second at a quarter of the limit: the split by hand
 * that docs/queue-mode.md gives users of several workers where 429s alone are not enough.
 */
function fourSyncsScenario({ key, title, capped, phonePrefix }) {
	const cap = (limit) => (capped ? limit.ratePerSec / 4 : undefined);
	return {
		key,
		title,
		async setup({ sizes }) {
			this.limit = limitOf(sizes);
			this.emulator = await startEmulator({ apiKeys: [KEY], latencyMs: LATENCY_MS });
			this.credential = credential(key, this.emulator);
			this.syncs = [1, 2, 3, 4].map((n) => {
				const rows = contactRows(`${phonePrefix}${n}`, sizes.syncRows);
				const workflow = syncWorkflow({ name: `sync ${key} ${n}`, path: `flowella-queue-sync-${key}-${n}`, rows, credential: this.credential, maxRequestsPerSecond: cap(this.limit) });
				return { n, rows, workflow };
			});
			return { credentials: [this.credential], workflows: this.syncs.map((sync) => sync.workflow), close: () => this.emulator.close() };
		},
		async run({ cluster, flatted }) {
			this.emulator.configure({ rateLimit: this.limit });
			const urls = await Promise.all(this.syncs.map((sync) => cluster.webhookUrl(sync.workflow.id)));
			await Promise.all(urls.map((url, index) => post(url, { sync: index + 1 })));
			const ids = this.syncs.map((sync) => sync.workflow.id);
			// At least the time the limit allows for every row, three times over (a slow pacer is a finding, not a hang).
			const idealMs = ((4 * this.syncs[0].rows.length) / this.limit.ratePerSec) * 1000;
			const executions = await cluster.waitForExecutions(ids, 4, { timeoutMs: Math.max(600_000, 3 * idealMs) });
			const processes = await processesOf(cluster, executions, flatted);
			const requests = this.emulator.requestsTo('POST', CONTACTS);
			const allPhones = this.syncs.flatMap((sync) => sync.rows.map((row) => row.phone));
			const combined = upsertFigures(requests, allPhones, this.limit);
			const perSync = this.syncs.map((sync) => {
				const execution = executions.find((row) => row.workflowId === sync.workflow.id);
				const figures = upsertFigures(requests, sync.rows.map((row) => row.phone), this.limit);
				return {
					sync: sync.n,
					process: execution && processes[execution.id],
					status: execution?.status,
					seconds: figures.seconds,
					requestsPerSec: figures.requestsPerSec,
					rateLimited: figures.rateLimited,
					extraRequests: figures.extraRequests,
				};
			});
			const perWorker = countBy(perSync.map((sync) => sync.process));
			const result = { limit: this.limit, latencyMs: LATENCY_MS, syncs: 4, maxRequestsPerSecond: cap(this.limit) ?? 0, perWorker, ...combined, perSync };
			const checks = [
				{ name: 'four executions, all success', ok: executions.length === 4 && executions.every((row) => row.status === 'success'), hard: true },
				{ name: 'two per worker', ok: Object.keys(perWorker).length === 2 && Object.values(perWorker).every((count) => count === 2) && Object.keys(perWorker).every((name) => /^worker-/.test(name)), hard: true },
				{ name: 'every row upserted exactly once', ok: combined.upsertedOnce === combined.rows, hard: true },
				{ name: 'goal: ≥ 0.85 of the limit combined', ok: combined.fractionOfLimit >= 0.85, hard: false },
				capped
					? { name: 'goal: < 2% extra requests', ok: combined.extraRequests < 0.02, hard: false }
					: { name: 'goal: < 10% extra requests', ok: combined.extraRequests < 0.1, hard: false },
			];
			return { result, checks };
		},
	};
}

const fourSyncs = fourSyncsScenario({
	key: 'shared',
	title: "Scenario 2: four syncs at once (two per worker) sharing one organisation's limit",
	capped: false,
	phonePrefix: '610',
});

const fourSyncsCapped = fourSyncsScenario({
	key: 'capped',
	title: 'Scenario 2b: the same four syncs, each capped at a quarter of the limit (Options → Max Requests Per Second)',
	capped: true,
	phonePrefix: '620',
});

module.exports = { oneSync, fourSyncs, fourSyncsCapped, post, KEY };
