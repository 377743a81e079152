#!/usr/bin/env node
'use strict';
// `npm run bench:trigger`: signed Flowella webhook events against the Flowella Trigger's
// production URL in a real n8n (an active workflow: Flowella Trigger → No-Op).
//   clean  1,000 distinct signed events, 50 in flight: executions = events, every answer 2xx < 10 s
//   mixed  1,000 requests: 80% new events, 10% replays of them, 10% forged: executions = new events
// Usage: node bench/trigger-load.js [--n8n 2.40.7] [--events 1000] [--concurrency 50] [--json <file>]
//   --baseline: the same clean round against n8n's own Webhook node (no checks), for comparison
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { N8n, ROOT, buildAndPack, freePort, killChildrenOnSignals } = require('../tools/n8n-harness');
const { DEFAULT_VERSION } = require('../tools/install-n8n');
const { workflowId } = require('../tools/n8n-workflows');
const { EVENT_TYPES, buildDelivery, post, sampleEvent, tamper } = require('../emulator/webhooks');
const { triggerWorkflow, activate, executionCounts, settle, waitForWebhook } = require('../e2e/lib/trigger-workflows');

const SECRET = 'whsec_bench_trigger_0123456789abcdef';
const WEBHOOK_ID = 'be0c4f10-11a0-4b1d-9c3a-0000000be4c1';
const FLOWELLA_TIMEOUT_MS = 10_000;
const log = (line) => process.stderr.write(`${line}\n`);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Runs `jobs` (functions returning promises) with at most `concurrency` in flight. */
async function pool(jobs, concurrency) {
	const results = new Array(jobs.length);
	let next = 0;
	const worker = async () => {
		while (next < jobs.length) {
			const index = next++;
			results[index] = await jobs[index]();
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
	return results;
}

function distinctDeliveries(count, tag) {
	return Array.from({ length: count }, (_, index) => {
		const type = EVENT_TYPES[index % EVENT_TYPES.length];
		return buildDelivery({ secret: SECRET, type, body: sampleEvent(type, { text: `${tag} ${index}` }) });
	});
}

/** A fixed shuffle, so a replay may arrive before, with or after its original. */
function shuffle(list, seed = 7) {
	let state = seed;
	const random = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
	for (let index = list.length - 1; index > 0; index -= 1) {
		const other = Math.floor(random() * (index + 1));
		[list[index], list[other]] = [list[other], list[index]];
	}
	return list;
}

async function round({ name, requests, url, concurrency, n8n, workflow, expectedNew }) {
	const before = (await executionCounts(n8n, workflow)).total;
	const started = performance.now();
	const answers = await pool(requests.map(({ delivery }) => () => post(url, delivery, { timeoutMs: FLOWELLA_TIMEOUT_MS })), concurrency);
	const sendMs = performance.now() - started;
	const counts = await settle(() => executionCounts(n8n, workflow), (value) => value.total - before >= expectedNew, { timeoutMs: 180_000, quietMs: 3000 });
	const executionsMs = performance.now() - started;
	const times = answers.map((answer) => answer.ms).sort((a, b) => a - b);
	const byKind = {};
	const sampleAnswers = {};
	requests.forEach(({ kind }, index) => {
		const status = answers[index].status || answers[index].error;
		sampleAnswers[status] ??= (answers[index].body ?? answers[index].error ?? '').slice(0, 300);
		byKind[kind] ??= {};
		byKind[kind][status] = (byKind[kind][status] ?? 0) + 1;
	});
	const result = {
		name,
		requests: requests.length,
		concurrency,
		expectedExecutions: expectedNew,
		executions: counts.total - before,
		executionStatuses: counts.byStatus,
		answersByKind: byKind,
		sampleAnswers,
		validAll2xx: requests.every(({ kind }, index) => kind === 'forged' || (answers[index].status >= 200 && answers[index].status < 300)),
		forgedAll401: requests.every(({ kind }, index) => kind !== 'forged' || answers[index].status === 401),
		within10s: times[times.length - 1] < FLOWELLA_TIMEOUT_MS,
		answerMs: { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times[times.length - 1] },
		sendSeconds: sendMs / 1000,
		requestsPerSecond: requests.length / (sendMs / 1000),
		allExecutionsDoneSeconds: executionsMs / 1000,
	};
	result.ok = result.executions === expectedNew && result.validAll2xx && result.forgedAll401 && result.within10s;
	return result;
}

function printRound(result) {
	const ms = (value) => `${value.toFixed(1)} ms`;
	log(`[bench] ${result.name}: ${result.requests} requests at ${result.concurrency} concurrent → ${result.executions} executions (expected ${result.expectedExecutions}) ${result.ok ? 'OK' : 'FAILED'}`);
	log(`[bench]   sample answers ${JSON.stringify(result.sampleAnswers)}`);
	log(`[bench]   answers ${JSON.stringify(result.answersByKind)}; p50 ${ms(result.answerMs.p50)}, p95 ${ms(result.answerMs.p95)}, p99 ${ms(result.answerMs.p99)}, max ${ms(result.answerMs.max)}`);
	log(`[bench]   ${result.requestsPerSecond.toFixed(0)} requests/s; all executions finished ${result.allExecutionsDoneSeconds.toFixed(1)} s after the first request`);
}

async function main() {
	const { values } = parseArgs({
		options: {
			n8n: { type: 'string', default: DEFAULT_VERSION },
			events: { type: 'string', default: '1000' },
			concurrency: { type: 'string', default: '50' },
			json: { type: 'string' },
			keep: { type: 'boolean', default: false },
			baseline: { type: 'boolean', default: false },
		},
	});
	killChildrenOnSignals();
	const count = Number(values.events);
	const concurrency = Number(values.concurrency);
	const tgz = await buildAndPack({ log });
	const userFolder = fs.mkdtempSync(path.join(ROOT, '.e2e', 'runs', `bench-trigger-${values.n8n}-`));
	const n8n = await N8n.prepare({ version: values.n8n, tgz, userFolder, log });
	const credential = { id: workflowId('credBenchHook'), name: 'Flowella webhook (bench)' };
	const workflow = workflowId('benchTrigger');
	await n8n.importCredentials([{ ...credential, type: 'flowellaWebhookApi', data: { signingSecret: SECRET } }]);
	const flow = triggerWorkflow({ id: workflow, name: 'bench: Flowella Trigger', webhookId: WEBHOOK_ID, credential, events: ['*'] });
	if (values.baseline) {
		// n8n's Webhook node at the same URL: what n8n itself manages on this machine.
		Object.assign(flow.nodes[0], { type: 'n8n-nodes-base.webhook', typeVersion: 2, parameters: { httpMethod: 'POST', path: '', options: {} } });
		delete flow.nodes[0].credentials;
	}
	await n8n.importWorkflows([flow]);
	await activate(n8n, workflow);
	const port = await freePort();
	const url = `http://127.0.0.1:${port}/webhook/${WEBHOOK_ID}`;
	const server = await n8n.start({ port, env: { WEBHOOK_URL: `http://127.0.0.1:${port}/` } });
	try {
		await waitForWebhook(url, 60_000, values.baseline ? 200 : 401);
		const clean = await round({
			name: 'clean',
			requests: distinctDeliveries(count, 'clean').map((delivery) => ({ kind: 'valid', delivery })),
			url,
			concurrency,
			n8n,
			workflow,
			expectedNew: count,
		});
		printRound(clean);
		if (values.baseline) {
			process.stdout.write(`${JSON.stringify({ n8n: values.n8n, baseline: 'n8n Webhook node', rounds: [clean] }, null, 2)}\n`);
			return;
		}

		const share = Math.round(count * 0.1);
		const fresh = distinctDeliveries(count - 2 * share, 'mixed');
		const requests = shuffle([
			...fresh.map((delivery) => ({ kind: 'valid', delivery })),
			...fresh.slice(0, share).map((delivery) => ({ kind: 'replay', delivery })),
			...distinctDeliveries(share, 'forged').map((delivery) => ({ kind: 'forged', delivery: tamper(delivery, 'forge') })),
		]);
		const mixed = await round({ name: 'mixed (10% replays, 10% forged)', requests, url, concurrency, n8n, workflow, expectedNew: fresh.length });
		printRound(mixed);

		const summary = { n8n: values.n8n, date: new Date().toISOString(), cpus: require('node:os').cpus().length, rounds: [clean, mixed] };
		if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
		process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
		process.exitCode = clean.ok && mixed.ok ? 0 : 1;
	} finally {
		await server.stop();
		if (!values.keep) fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

module.exports = { pool, percentile };

if (require.main === module) {
	main().catch((error) => {
		log(error.stack ?? String(error));
		process.exit(1);
	});
}
