#!/usr/bin/env node
'use strict';
// `npm run bench:trigger`: signed Flowella webhook events against the Flowella Trigger's
// production URL in a real n8n (an active workflow: Flowella Trigger → No-Op), next to n8n's own
// Webhook node (Webhook → No-Op, no checks) in the SAME n8n process, so the ratio between the
// two holds on a shared, noisy machine where the absolute figures do not.
//   baseline  1,000 distinct events to the Webhook node, 50 in flight: what n8n itself manages
//   clean     1,000 distinct signed events to the trigger: executions = events, all 2xx < 10 s
//   mixed     1,000 requests: 80% new events, 10% replays of them, 10% forged: executions = new events
// Usage: node bench/trigger-load.js [--n8n 2.40.7] [--events 1000] [--concurrency 50] [--json <file>]
//   [--pairs 2] (baseline/clean pairs, alternating, before the mixed round) [--no-baseline]
//   [--profile <dir>] (n8n's CPU profile, .cpuprofile files written when n8n exits)
//   [--n8n-env KEY=VALUE]… (extra environment for n8n, e.g. N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true)
//   [--with-v1] (one more clean round against the trigger's typeVersion 1, which n8n handles the legacy way)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { N8n, ROOT, buildAndPack, freePort, killChildrenOnSignals } = require('../tools/n8n-harness');
const { DEFAULT_VERSION } = require('../tools/n8n-installer');
const { workflowId, triggerWorkflow } = require('../tools/workflows');
const { EVENT_TYPES, buildDelivery, post, sampleEvent, tamper } = require('../emulator/webhooks');
const { activate, executionCounts, settle, waitForWebhook } = require('../tools/n8n-trigger');

const SECRET = 'whsec_bench_trigger_0123456789abcdef';
const WEBHOOK_ID = 'be0c4f10-11a0-4b1d-9c3a-0000000be4c1';
const BASELINE_WEBHOOK_ID = 'be0c4f10-11a0-4b1d-9c3a-0000000ba5e1';
const V1_WEBHOOK_ID = 'be0c4f10-11a0-4b1d-9c3a-000000000001';
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
	const loadBefore = os.loadavg()[0];
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
		// 1-minute load average of the machine (2 cores): other people's runs share it.
		loadAverage: { before: loadBefore, after: os.loadavg()[0] },
	};
	result.ok = result.executions === expectedNew && result.validAll2xx && result.forgedAll401 && result.within10s;
	return result;
}

function printRound(result) {
	const ms = (value) => `${value.toFixed(1)} ms`;
	log(`[bench] ${result.name}: ${result.requests} requests at ${result.concurrency} concurrent → ${result.executions} executions (expected ${result.expectedExecutions}) ${result.ok ? 'OK' : 'FAILED'}`);
	log(`[bench]   sample answers ${JSON.stringify(result.sampleAnswers)}`);
	log(`[bench]   answers ${JSON.stringify(result.answersByKind)}; p50 ${ms(result.answerMs.p50)}, p95 ${ms(result.answerMs.p95)}, p99 ${ms(result.answerMs.p99)}, max ${ms(result.answerMs.max)}`);
	log(`[bench]   ${result.requestsPerSecond.toFixed(0)} requests/s; all executions finished ${result.allExecutionsDoneSeconds.toFixed(1)} s after the first request; load average ${result.loadAverage.before.toFixed(1)} → ${result.loadAverage.after.toFixed(1)}`);
}

/** Trigger ÷ Webhook node, over the pairs run back to back in the same n8n process. */
function ratios(pairs) {
	const sum = (list, pick) => list.reduce((total, item) => total + pick(item), 0);
	const of = (pick) => sum(pairs, ({ trigger }) => pick(trigger)) / sum(pairs, ({ baseline }) => pick(baseline));
	return {
		p50: of((r) => r.answerMs.p50),
		p99: of((r) => r.answerMs.p99),
		requestsPerSecond: of((r) => r.requestsPerSecond),
		allExecutionsDone: of((r) => r.allExecutionsDoneSeconds),
	};
}

/** Webhook → No-Op at /webhook/<BASELINE_WEBHOOK_ID>: n8n's own node, answering on receipt, no checks. */
function baselineWorkflow(id) {
	const flow = triggerWorkflow({ id, name: 'bench: n8n Webhook node', webhookId: BASELINE_WEBHOOK_ID, credential: { id: 'unused', name: 'unused' }, events: ['*'] });
	/** @type {any} */
	const node = { ...flow.nodes[0], type: 'n8n-nodes-base.webhook', typeVersion: 2, parameters: { httpMethod: 'POST', path: BASELINE_WEBHOOK_ID, options: {} } };
	delete node.credentials;
	flow.nodes[0] = node;
	return flow;
}

async function main() {
	const { values } = parseArgs({
		options: {
			n8n: { type: 'string', default: DEFAULT_VERSION },
			events: { type: 'string', default: '1000' },
			concurrency: { type: 'string', default: '50' },
			pairs: { type: 'string', default: '1' },
			json: { type: 'string' },
			keep: { type: 'boolean', default: false },
			'no-baseline': { type: 'boolean', default: false },
			baseline: { type: 'boolean', default: false }, // the old flag: the baseline now always runs
			profile: { type: 'string' },
			'with-v1': { type: 'boolean', default: false },
			'n8n-env': { type: 'string', multiple: true, default: [] },
		},
	});
	killChildrenOnSignals();
	const count = Number(values.events);
	const concurrency = Number(values.concurrency);
	const withBaseline = !values['no-baseline'];
	const tgz = await buildAndPack({ log });
	const userFolder = fs.mkdtempSync(path.join(ROOT, '.e2e', 'runs', `bench-trigger-${values.n8n}-`));
	const n8n = await N8n.prepare({ version: values.n8n, tgz, userFolder, log });
	const credential = { id: workflowId('credBenchHook'), name: 'Flowella webhook (bench)' };
	const workflow = workflowId('benchTrigger');
	const baselineId = workflowId('benchWebhookNode');
	await n8n.importCredentials([{ ...credential, type: 'flowellaWebhookApi', data: { signingSecret: SECRET } }]);
	const flows = [triggerWorkflow({ id: workflow, name: 'bench: Flowella Trigger', webhookId: WEBHOOK_ID, credential, events: ['*'] })];
	if (withBaseline) flows.push(baselineWorkflow(baselineId));
	const v1Id = workflowId('benchTriggerV1');
	if (values['with-v1']) flows.push(triggerWorkflow({ id: v1Id, name: 'bench: Flowella Trigger v1', webhookId: V1_WEBHOOK_ID, credential, events: ['*'], typeVersion: 1 }));
	await n8n.importWorkflows(flows);
	for (const flow of flows) await activate(n8n, flow.id);
	const port = await freePort();
	const url = `http://127.0.0.1:${port}/webhook/${WEBHOOK_ID}`;
	const baselineUrl = `http://127.0.0.1:${port}/webhook/${BASELINE_WEBHOOK_ID}`;
	const extraEnv = Object.fromEntries(values['n8n-env'].map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
	/** @type {Record<string, string>} */
	const env = { ...extraEnv, WEBHOOK_URL: `http://127.0.0.1:${port}/` };
	if (values.profile) {
		fs.mkdirSync(values.profile, { recursive: true });
		env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${path.resolve(values.profile)}`;
	}
	const server = await n8n.start({ port, env });
	try {
		await waitForWebhook(url, 60_000, 401);
		if (withBaseline) await waitForWebhook(baselineUrl, 60_000, 200);
		if (values['with-v1']) await waitForWebhook(`http://127.0.0.1:${port}/webhook/${V1_WEBHOOK_ID}`, 60_000, 401);
		const pairs = [];
		for (let index = 0; index < Number(values.pairs); index += 1) {
			// Alternating order, so neither side always runs on the warmer process.
			const runBaseline = async () => {
				const result = await round({
					name: 'baseline (n8n Webhook node)',
					requests: distinctDeliveries(count, `baseline ${index}`).map((delivery) => ({ kind: 'valid', delivery })),
					url: baselineUrl,
					concurrency,
					n8n,
					workflow: baselineId,
					expectedNew: count,
				});
				printRound(result);
				return result;
			};
			const runTrigger = async () => {
				const result = await round({
					name: 'clean',
					requests: distinctDeliveries(count, `clean ${index}`).map((delivery) => ({ kind: 'valid', delivery })),
					url,
					concurrency,
					n8n,
					workflow,
					expectedNew: count,
				});
				printRound(result);
				return result;
			};
			const pair = {};
			if (withBaseline && index % 2 === 0) pair.baseline = await runBaseline();
			pair.trigger = await runTrigger();
			if (withBaseline && index % 2 === 1) pair.baseline = await runBaseline();
			pairs.push(pair);
		}

		let v1;
		if (values['with-v1']) {
			v1 = await round({
				name: 'clean (trigger typeVersion 1)',
				requests: distinctDeliveries(count, 'v1').map((delivery) => ({ kind: 'valid', delivery })),
				url: `http://127.0.0.1:${port}/webhook/${V1_WEBHOOK_ID}`,
				concurrency,
				n8n,
				workflow: v1Id,
				expectedNew: count,
			});
			printRound(v1);
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

		const summary = {
			n8n: values.n8n,
			n8nEnv: extraEnv,
			date: new Date().toISOString(),
			cpus: os.cpus().length,
			rounds: [...pairs.flatMap(({ baseline, trigger }) => (baseline ? [baseline, trigger] : [trigger])), ...(v1 ? [v1] : []), mixed],
			triggerOverWebhookNode: withBaseline ? ratios(pairs) : undefined,
		};
		if (withBaseline) log(`[bench] Flowella Trigger ÷ n8n Webhook node, same process: ${JSON.stringify(summary.triggerOverWebhookNode, (key, value) => (typeof value === 'number' ? Number(value.toFixed(2)) : value))}`);
		if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
		process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
		process.exitCode = pairs.every(({ trigger }) => trigger.ok) && mixed.ok ? 0 : 1;
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
